package site

import (
	"cmp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/catalog"
)

// Site is what a tenant's citizen site shows, merged from the published model: the tenant's own
// Carta and, for a member comune, its ambito's services (less those the comune hides), each
// with the office where a citizen goes. It is built once per render from catalog.View and is
// pure: no database, no clock, so every rule here is tested without a server.
type Site struct {
	Own    *catalog.Carta
	Ambito *catalog.Carta // nil unless the tenant is a member comune whose ambito published

	services   []*Service
	bySlug     map[string]*Service
	byID       map[uuid.UUID]*Service
	categories map[string]catalog.Category // by code: own first, then the ambito's
	hidden     map[uuid.UUID]string        // ambito services the comune hides, with the reason
}

// Service is a published service as this site shows it.
type Service struct {
	catalog.Service
	// FromAmbito marks a service of the comune's ambito ("Servizio dell'ambito").
	FromAmbito bool
	// Owner is the Carta that published the service (the ambito's for FromAmbito).
	Owner *catalog.Carta
}

// Office is an office as this site shows it: the tenant's own, or its ambito's.
type Office struct {
	*catalog.Office
	FromAmbito bool
	Owner      *catalog.Carta
}

// Category is a user category (area di utenza) with the services filed under it.
type Category struct {
	Code, Name, Description string
	Services                []*Service
}

// otherCategory collects services whose category the published model does not name.
const otherCategory = ""

// NewSite merges what v shows. It returns nil while the tenant has published nothing of its own:
// until then its site is only the home with a notice (an ambito's services do not appear in a
// comune whose own Carta, and so its choice of which of them to hide, is not yet public).
func NewSite(v *catalog.View) *Site {
	if v == nil || v.Own == nil {
		return nil
	}
	s := &Site{Own: v.Own, Ambito: v.Ambito, bySlug: map[string]*Service{}, byID: map[uuid.UUID]*Service{},
		categories: map[string]catalog.Category{}, hidden: map[uuid.UUID]string{}}
	if s.Ambito != nil && s.Ambito.Tenant.ID == s.Own.Tenant.ID {
		s.Ambito = nil // defensive: a Carta is never its own ambito
	}
	for _, c := range s.Own.Categories {
		s.categories[c.Code] = c
	}
	for _, h := range s.Own.HiddenAmbitoServices {
		s.hidden[h.ServiceID] = h.Reason
	}
	for i := range s.Own.Services {
		s.add(&Service{Service: s.Own.Services[i], Owner: s.Own})
	}
	if s.Ambito != nil {
		for _, c := range s.Ambito.Categories {
			if _, ok := s.categories[c.Code]; !ok {
				s.categories[c.Code] = c
			}
		}
		for i := range s.Ambito.Services {
			svc := s.Ambito.Services[i]
			if _, hide := s.hidden[svc.ID]; hide {
				continue
			}
			s.add(&Service{Service: svc, Owner: s.Ambito, FromAmbito: true})
		}
	}
	slices.SortStableFunc(s.services, func(a, b *Service) int {
		return cmp.Or(
			cmp.Compare(s.categoryPosition(a.CategoryCode), s.categoryPosition(b.CategoryCode)),
			cmp.Compare(a.Position, b.Position),
			strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)),
			strings.Compare(a.Slug, b.Slug))
	})
	return s
}

// add keeps a visible service. A comune's own service keeps its slug; an ambito service whose
// slug the comune already uses is reached at "<slug>-ambito" instead, so neither disappears.
func (s *Site) add(svc *Service) {
	if svc.Status == "archiviato" || svc.Slug == "" {
		return
	}
	if _, dup := s.byID[svc.ID]; dup {
		return
	}
	if _, taken := s.bySlug[svc.Slug]; taken {
		if !svc.FromAmbito {
			return
		}
		svc.Slug += "-ambito"
		if _, taken := s.bySlug[svc.Slug]; taken {
			return
		}
	}
	s.services = append(s.services, svc)
	s.bySlug[svc.Slug] = svc
	s.byID[svc.ID] = svc
}

func (s *Site) categoryPosition(code string) int {
	if c, ok := s.categories[code]; ok {
		return c.Position
	}
	return 1 << 30 // unknown categories last
}

// Services lists every service the site shows, by category, position and title.
func (s *Site) Services() []*Service { return s.services }

// Service returns the service at slug, or nil.
func (s *Site) Service(slug string) *Service { return s.bySlug[slug] }

// ServiceByID returns a shown service by id, or nil (hidden and archived ones included).
func (s *Site) ServiceByID(id uuid.UUID) *Service { return s.byID[id] }

// HiddenReason returns why the comune hides an ambito service, and whether it does.
func (s *Site) HiddenReason(id uuid.UUID) (string, bool) {
	r, ok := s.hidden[id]
	return r, ok
}

// Category returns the user category with code, by the tenant's name for it first.
func (s *Site) Category(code string) (catalog.Category, bool) {
	c, ok := s.categories[code]
	return c, ok
}

// CategoryName is the display name of a service's user category.
func (s *Site) CategoryName(code string) string {
	if c, ok := s.categories[code]; ok {
		return c.Name
	}
	return "Altri servizi"
}

// ServicesByCategory groups the services by user category, in category order; only categories
// with services appear.
func (s *Site) ServicesByCategory() []Category {
	var out []Category
	idx := map[string]int{}
	for _, svc := range s.services {
		code := svc.CategoryCode
		if _, ok := s.categories[code]; !ok {
			code = otherCategory
		}
		i, ok := idx[code]
		if !ok {
			c := Category{Code: code, Name: "Altri servizi"}
			if cat, ok := s.categories[code]; ok {
				c.Name, c.Description = cat.Name, cat.Description
			}
			out = append(out, c)
			i = len(out) - 1
			idx[code] = i
		}
		out[i].Services = append(out[i].Services, svc)
	}
	return out
}

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
		for _, svc := range s.services {
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
	for _, svc := range s.services {
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
	for _, svc := range s.services {
		if slices.ContainsFunc(svc.Topics, func(t string) bool { return strings.EqualFold(t, topic) }) {
			out = append(out, svc)
		}
	}
	return out
}

func officeByID(c *catalog.Carta, id uuid.UUID) *catalog.Office {
	if c == nil {
		return nil
	}
	for i := range c.Offices {
		if c.Offices[i].ID == id {
			return &c.Offices[i]
		}
	}
	return nil
}

func mainDesk(c *catalog.Carta) *catalog.Office {
	if c == nil {
		return nil
	}
	for i := range c.Offices {
		if c.Offices[i].MainDesk {
			return &c.Offices[i]
		}
	}
	return nil
}

// OfficeFor is where a citizen goes for svc: the service's own office; otherwise the one-stop
// desk. An ambito service is received at the comune's main desk unless the ambito names an
// office of its own (then that office, from the ambito's Carta); with neither, the ambito's
// main desk. Nil when the model names no office at all.
func (s *Site) OfficeFor(svc *Service) *Office {
	if svc == nil {
		return nil
	}
	if !svc.FromAmbito {
		if svc.OfficeID != nil {
			if o := officeByID(s.Own, *svc.OfficeID); o != nil {
				return &Office{Office: o, Owner: s.Own}
			}
		}
		if o := mainDesk(s.Own); o != nil {
			return &Office{Office: o, Owner: s.Own}
		}
		return nil
	}
	if svc.OfficeID != nil {
		if o := officeByID(svc.Owner, *svc.OfficeID); o != nil {
			return &Office{Office: o, FromAmbito: true, Owner: svc.Owner}
		}
	}
	if o := mainDesk(s.Own); o != nil {
		return &Office{Office: o, Owner: s.Own}
	}
	if o := mainDesk(svc.Owner); o != nil {
		return &Office{Office: o, FromAmbito: true, Owner: svc.Owner}
	}
	return nil
}

// Offices lists the tenant's own offices, main desk first, then in the published order.
func (s *Site) Offices() []*Office {
	out := make([]*Office, 0, len(s.Own.Offices))
	for i := range s.Own.Offices {
		out = append(out, &Office{Office: &s.Own.Offices[i], Owner: s.Own})
	}
	slices.SortStableFunc(out, func(a, b *Office) int {
		switch {
		case a.MainDesk == b.MainDesk:
			return 0
		case a.MainDesk:
			return -1
		}
		return 1
	})
	return out
}

// Office returns the tenant's own office at slug, or nil.
func (s *Site) Office(slug string) *Office {
	for i := range s.Own.Offices {
		if s.Own.Offices[i].Slug == slug {
			return &Office{Office: &s.Own.Offices[i], Owner: s.Own}
		}
	}
	return nil
}

// AmbitoOffices lists the ambito's offices where this site's ambito services are received.
func (s *Site) AmbitoOffices() []*Office {
	var out []*Office
	seen := map[uuid.UUID]bool{}
	for _, svc := range s.services {
		if o := s.OfficeFor(svc); o != nil && o.FromAmbito && !seen[o.ID] {
			seen[o.ID] = true
			out = append(out, o)
		}
	}
	return out
}

// ServicesAt lists the services received at office o.
func (s *Site) ServicesAt(o *Office) []*Service {
	var out []*Service
	for _, svc := range s.services {
		if at := s.OfficeFor(svc); at != nil && at.ID == o.ID && at.FromAmbito == o.FromAmbito {
			out = append(out, svc)
		}
	}
	return out
}

// Responsible returns the person responsible for svc, from the Carta that published it.
func (s *Site) Responsible(svc *Service) *catalog.Person {
	if svc == nil || svc.ResponsiblePersonID == nil {
		return nil
	}
	for i := range svc.Owner.People {
		if svc.Owner.People[i].ID == *svc.ResponsiblePersonID {
			return &svc.Owner.People[i]
		}
	}
	return nil
}

// People lists the tenant's own people responsible, in the published order.
func (s *Site) People() []catalog.Person { return s.Own.People }

// PersonOffice returns the office of a person of the tenant, or nil.
func (s *Site) PersonOffice(p catalog.Person) *Office {
	if p.OfficeID == nil {
		return nil
	}
	if o := officeByID(s.Own, *p.OfficeID); o != nil {
		return &Office{Office: o, Owner: s.Own}
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
