package site

import (
	"cmp"
	"slices"
	"strings"

	"github.com/cartasociale/carta/internal/catalog"
)

// Site is what a tenant's citizen site shows: catalog.Shown (the tenant's own services and, for
// a member comune, its ambito's less those it hides, each with its office, category and person
// responsible — the same answer the Carta's PDFs print) plus what only the site's pages ask of
// it. It is built once per render from catalog.View and is pure: no database, no clock.
type Site struct {
	*catalog.Shown
}

// Service is a published service as this site shows it.
type Service = catalog.ShownService

// Office is an office as this site shows it: the tenant's own, or its ambito's.
type Office = catalog.ShownOffice

// Category is a user category (area di utenza) with the services filed under it.
type Category = catalog.ShownCategory

// otherCategory is the code of the group of services whose category the published model does
// not name.
const otherCategory = ""

// NewSite merges what v shows. It returns nil while the tenant has published nothing of its own:
// until then its site is only the home with a notice.
func NewSite(v *catalog.View) *Site {
	sh := v.Shown()
	if sh == nil {
		return nil
	}
	return &Site{Shown: sh}
}

// Service returns the service at slug, or nil.
func (s *Site) Service(slug string) *Service { return s.ServiceBySlug(slug) }

// CategoryName is the display name of a service's user category.
func (s *Site) CategoryName(code string) string {
	if c, ok := s.Category(code); ok {
		return c.Name
	}
	return catalog.OtherCategoryName
}

// ServicesByCategory groups the services by user category, in category order; only categories
// with services appear.
func (s *Site) ServicesByCategory() []Category { return s.Categories() }

// NationalCategory is one of the site model's service categories with the services filed under
// it (matched case-insensitively, as the national validator does).
type NationalCategory struct {
	Name, Slug string
	Services   []*Service
}

// NationalCategories lists the site model's service categories that have services, in the
// model's order. Services naming anything else are not listed under any of them.
func (s *Site) NationalCategories() []NationalCategory {
	var out []NationalCategory
	for _, name := range catalog.ServiceCategories {
		nc := NationalCategory{Name: name, Slug: slugify(name)}
		for _, svc := range s.Services() {
			if strings.EqualFold(strings.TrimSpace(svc.NationalCategory), name) {
				nc.Services = append(nc.Services, svc)
			}
		}
		if len(nc.Services) > 0 {
			out = append(out, nc)
		}
	}
	return out
}

// Topics lists the model's topics used by at least one service, in the model's order.
func (s *Site) Topics() []string {
	used := map[string]bool{}
	for _, svc := range s.Services() {
		for _, t := range svc.Topics {
			used[strings.ToLower(t)] = true
		}
	}
	var out []string
	for _, t := range catalog.Topics {
		if used[strings.ToLower(t)] {
			out = append(out, t)
		}
	}
	return out
}

// ServicesWithTopic lists the services tagged with topic (case-insensitive).
func (s *Site) ServicesWithTopic(topic string) []*Service {
	var out []*Service
	for _, svc := range s.Services() {
		if slices.ContainsFunc(svc.Topics, func(t string) bool { return strings.EqualFold(t, topic) }) {
			out = append(out, svc)
		}
	}
	return out
}

// OfficeFor is where a citizen goes for svc (catalog.Shown resolves it), nil when the model
// names no office at all.
func (s *Site) OfficeFor(svc *Service) *Office {
	if svc == nil {
		return nil
	}
	return svc.Office
}

// Office returns the tenant's own office at slug, or nil.
func (s *Site) Office(slug string) *Office {
	for _, o := range s.Offices() {
		if o.Slug == slug {
			return o
		}
	}
	return nil
}

// ServicesAt lists the services received at office o.
func (s *Site) ServicesAt(o *Office) []*Service {
	var out []*Service
	for _, svc := range s.Services() {
		if at := svc.Office; at != nil && at.ID == o.ID && at.FromAmbito == o.FromAmbito {
			out = append(out, svc)
		}
	}
	return out
}

// Responsible returns the person responsible for svc, from the Carta that published it.
func (s *Site) Responsible(svc *Service) *catalog.Person {
	if svc == nil {
		return nil
	}
	return svc.Responsible
}

// People lists the tenant's own people responsible, in the published order.
func (s *Site) People() []catalog.Person { return s.Own.People }

// PersonOffice returns the office of a person of the tenant, or nil.
func (s *Site) PersonOffice(p catalog.Person) *Office {
	if p.OfficeID == nil {
		return nil
	}
	for _, o := range s.Offices() {
		if o.ID == *p.OfficeID {
			return o
		}
	}
	return nil
}

// Section returns the general part's section with key, or nil.
func (s *Site) Section(key string) *catalog.Section {
	for i := range s.Own.Sections {
		if s.Own.Sections[i].Key == key {
			return &s.Own.Sections[i]
		}
	}
	return nil
}

// Sections lists the general part in order.
func (s *Site) Sections() []catalog.Section {
	out := slices.Clone(s.Own.Sections)
	slices.SortStableFunc(out, func(a, b catalog.Section) int { return cmp.Compare(a.Position, b.Position) })
	return out
}

// slugify makes a URL parameter of a category name: "Salute, benessere e assistenza" →
// "salute-benessere-e-assistenza".
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(foldAccents(s)) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

var accentFolder = strings.NewReplacer(
	"à", "a", "á", "a", "è", "e", "é", "e", "ì", "i", "í", "i", "ò", "o", "ó", "o", "ù", "u", "ú", "u",
	"À", "A", "Á", "A", "È", "E", "É", "E", "Ì", "I", "Í", "I", "Ò", "O", "Ó", "O", "Ù", "U", "Ú", "U")

func foldAccents(s string) string { return accentFolder.Replace(s) }
