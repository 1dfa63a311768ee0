package catalog

import (
	"cmp"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// OtherCategoryName is what citizens read for the services whose user category neither the
// comune's Carta nor its ambito's names.
const OtherCategoryName = "Altri servizi"

// Shown is what a tenant's citizen site shows of a published View, and so what its printed
// Carta and guida sintetica show too: the tenant's own services and, for a member comune, its
// ambito's (less those the comune hides), each with its user category, the office where a
// citizen goes and the person responsible already resolved, in the citizen order. It is pure
// over the loaded View: no database, no clock.
//
// The rules, in one place:
//   - nothing is shown until the tenant published its own Carta (an ambito's services wait for
//     the comune's choice of which of them to hide);
//   - archived services and services without a slug are never shown; suspended ones are, with
//     their status;
//   - an ambito service the comune hides (HiddenAmbitoServices) is not shown;
//   - a comune's own service keeps its slug; an ambito service whose slug the comune already
//     uses is reached at "<slug>-ambito", so neither disappears;
//   - categories are the comune's (its names win), then the ambito's codes the comune lacks,
//     ordered by position (the comune's first on a tie); a code neither names is "Altri servizi",
//     last;
//   - services follow their category's order, then their position, title and slug;
//   - the office: for an own service, its office, else the comune's one-stop desk; for an ambito
//     service, the ambito's office it names, else the comune's one-stop desk, else the ambito's;
//   - the person responsible and the standards come from the Carta that published the service.
type Shown struct {
	Own    *Carta
	Ambito *Carta // nil unless the tenant is a member comune whose ambito published

	services   []*ShownService
	bySlug     map[string]*ShownService
	byID       map[uuid.UUID]*ShownService
	categories []Category     // in citizen order
	catIndex   map[string]int // code → index in categories
	hidden     map[uuid.UUID]string
	offices    map[officeKey]*ShownOffice
}

// ShownService is a published service as the citizen site shows it. The embedded Service is a
// copy: its Slug may differ from the published one ("-ambito"), its Standards are the published
// ones.
type ShownService struct {
	Service
	// FromAmbito marks a service of the comune's ambito ("Servizio dell'ambito").
	FromAmbito bool
	// Owner is the Carta that published the service (the ambito's for FromAmbito).
	Owner *Carta
	// Category is the service's user category by the tenant's name for it; Code "" and
	// OtherCategoryName when neither Carta names it.
	Category Category
	// Office is where a citizen goes, with its hours; nil when neither Carta names one.
	Office *ShownOffice
	// Responsible is the person responsible, from the Owner's Carta; nil when none.
	Responsible *Person
}

// ShownOffice is an office as the citizen site shows it: the tenant's own, or its ambito's.
type ShownOffice struct {
	*Office
	FromAmbito bool
	Owner      *Carta
}

// ShownCategory is a user category with the services shown under it, in order.
type ShownCategory struct {
	Category
	Services []*ShownService
}

type officeKey struct {
	owner *Carta
	id    uuid.UUID
}

// Shown merges what v shows. It returns nil while the tenant has published nothing of its own.
func (v *View) Shown() *Shown {
	if v == nil || v.Own == nil {
		return nil
	}
	s := &Shown{Own: v.Own, Ambito: v.Ambito, bySlug: map[string]*ShownService{}, byID: map[uuid.UUID]*ShownService{},
		catIndex: map[string]int{}, hidden: map[uuid.UUID]string{}, offices: map[officeKey]*ShownOffice{}}
	if s.Ambito != nil && s.Ambito.Tenant.ID == s.Own.Tenant.ID {
		s.Ambito = nil // defensive: a Carta is never its own ambito
	}
	s.mergeCategories()
	for _, h := range s.Own.HiddenAmbitoServices {
		s.hidden[h.ServiceID] = h.Reason
	}
	for i := range s.Own.Services {
		s.add(s.Own.Services[i], s.Own)
	}
	if s.Ambito != nil {
		for i := range s.Ambito.Services {
			if _, hide := s.hidden[s.Ambito.Services[i].ID]; !hide {
				s.add(s.Ambito.Services[i], s.Ambito)
			}
		}
	}
	slices.SortStableFunc(s.services, func(a, b *ShownService) int {
		return cmp.Or(
			cmp.Compare(s.categoryRank(a.CategoryCode), s.categoryRank(b.CategoryCode)),
			cmp.Compare(a.Position, b.Position),
			strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)),
			strings.Compare(a.Slug, b.Slug))
	})
	return s
}

func (s *Shown) mergeCategories() {
	seen := map[string]bool{}
	for _, c := range []*Carta{s.Own, s.Ambito} {
		if c == nil {
			continue
		}
		for _, cat := range c.Categories {
			if !seen[cat.Code] {
				seen[cat.Code] = true
				s.categories = append(s.categories, cat)
			}
		}
	}
	slices.SortStableFunc(s.categories, func(a, b Category) int { return cmp.Compare(a.Position, b.Position) })
	for i, c := range s.categories {
		s.catIndex[c.Code] = i
	}
}

// categoryRank is the place of a category in the citizen order; unknown ones come last.
func (s *Shown) categoryRank(code string) int {
	if i, ok := s.catIndex[code]; ok {
		return i
	}
	return len(s.categories)
}

func (s *Shown) add(svc Service, owner *Carta) {
	if svc.Status == StatusArchived || svc.Slug == "" {
		return
	}
	if _, dup := s.byID[svc.ID]; dup {
		return
	}
	fromAmbito := owner != s.Own
	if _, taken := s.bySlug[svc.Slug]; taken {
		if !fromAmbito {
			return
		}
		svc.Slug += "-ambito"
		if _, taken := s.bySlug[svc.Slug]; taken {
			return
		}
	}
	sh := &ShownService{Service: svc, FromAmbito: fromAmbito, Owner: owner, Category: Category{Name: OtherCategoryName}}
	if c, ok := s.Category(svc.CategoryCode); ok {
		sh.Category = c
	}
	sh.Office = s.officeFor(sh)
	sh.Responsible = personByID(owner, svc.ResponsiblePersonID)
	s.services = append(s.services, sh)
	s.bySlug[sh.Slug] = sh
	s.byID[sh.ID] = sh
}

// officeFor resolves where a citizen goes for svc.
func (s *Shown) officeFor(svc *ShownService) *ShownOffice {
	if svc.OfficeID != nil {
		if o := s.office(svc.Owner, func(o *Office) bool { return o.ID == *svc.OfficeID }); o != nil {
			return o
		}
	}
	if o := s.office(s.Own, func(o *Office) bool { return o.MainDesk }); o != nil {
		return o
	}
	if svc.FromAmbito {
		return s.office(svc.Owner, func(o *Office) bool { return o.MainDesk })
	}
	return nil
}

// office returns the first office of c that match accepts, the same value for the same office.
func (s *Shown) office(c *Carta, match func(*Office) bool) *ShownOffice {
	for i := range c.Offices {
		if match(&c.Offices[i]) {
			k := officeKey{c, c.Offices[i].ID}
			if o, ok := s.offices[k]; ok {
				return o
			}
			o := &ShownOffice{Office: &c.Offices[i], FromAmbito: c != s.Own, Owner: c}
			s.offices[k] = o
			return o
		}
	}
	return nil
}

func personByID(c *Carta, id *uuid.UUID) *Person {
	if id == nil {
		return nil
	}
	for i := range c.People {
		if c.People[i].ID == *id {
			return &c.People[i]
		}
	}
	return nil
}

// Services lists every service shown, in the citizen order.
func (s *Shown) Services() []*ShownService { return s.services }

// ServiceBySlug returns the shown service at slug (as the site reaches it), or nil.
func (s *Shown) ServiceBySlug(slug string) *ShownService { return s.bySlug[slug] }

// ServiceByID returns a shown service by id, or nil (so for hidden and archived ones too).
func (s *Shown) ServiceByID(id uuid.UUID) *ShownService { return s.byID[id] }

// HiddenReason returns why the comune hides an ambito service, and whether it does.
func (s *Shown) HiddenReason(id uuid.UUID) (string, bool) {
	r, ok := s.hidden[id]
	return r, ok
}

// Category returns the user category with code, by the tenant's name for it first.
func (s *Shown) Category(code string) (Category, bool) {
	if i, ok := s.catIndex[code]; ok {
		return s.categories[i], true
	}
	return Category{}, false
}

// Categories groups the shown services by user category, in the citizen order; only
// categories with services appear, "Altri servizi" (Code "") last.
func (s *Shown) Categories() []ShownCategory {
	var out []ShownCategory
	idx := map[string]int{}
	for _, svc := range s.services {
		i, ok := idx[svc.Category.Code]
		if !ok {
			out = append(out, ShownCategory{Category: svc.Category})
			i = len(out) - 1
			idx[svc.Category.Code] = i
		}
		out[i].Services = append(out[i].Services, svc)
	}
	return out
}

// Offices lists the tenant's own offices, its one-stop desk first, then in the published order.
func (s *Shown) Offices() []*ShownOffice {
	out := make([]*ShownOffice, 0, len(s.Own.Offices))
	for i := range s.Own.Offices {
		id := s.Own.Offices[i].ID
		out = append(out, s.office(s.Own, func(o *Office) bool { return o.ID == id }))
	}
	slices.SortStableFunc(out, func(a, b *ShownOffice) int {
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

// AmbitoOffices lists the ambito's offices where the shown ambito services send citizens, in
// the order of those services.
func (s *Shown) AmbitoOffices() []*ShownOffice {
	var out []*ShownOffice
	for _, svc := range s.services {
		if o := svc.Office; o != nil && o.FromAmbito && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
