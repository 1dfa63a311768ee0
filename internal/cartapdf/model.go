package cartapdf

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/catalog"
)

// book is a published View flattened into what a printed Carta shows: the tenant's own
// services and, for a member comune, its ambito's (less those it hides), grouped by user
// category, each with its where-to-go office and responsible person already resolved.
type book struct {
	Name             string
	Slug             string
	Version          int
	PublishedAt      time.Time
	FirstPublishedAt time.Time
	Note             string
	AmbitoName       string // set when the view includes an ambito's services
	AmbitoVersion    int

	Sections []catalog.Section // the general part, without the useful websites
	Sites    *catalog.Section  // the "siti-utili" section, its own chapter
	Groups   []group
	Offices  []office
	People   []person
}

type group struct {
	Code, Name, Description string
	Services                []service
}

type service struct {
	catalog.Service
	Ambito      bool            // an ambito service shown in a member comune's Carta
	Office      *catalog.Office // where to go, nil when the Carta names none
	Responsible *catalog.Person
}

type office struct {
	catalog.Office
	Ambito bool // an office of the ambito, listed because an ambito service sends citizens there
}

type person struct {
	catalog.Person
	OfficeName string
	Ambito     bool
}

// sitesKey is the general-part section printed as the last chapter.
const sitesKey = "siti-utili"

// otherCode groups services whose category is missing from the Carta.
const otherCode = "\x00other"

// newBook merges v. It returns nil when the tenant has published nothing of its own.
func newBook(v *catalog.View) *book {
	if v == nil || v.Own == nil {
		return nil
	}
	own, amb := v.Own, v.Ambito
	b := &book{
		Name: own.Tenant.Name, Slug: own.Tenant.Slug, Version: own.Version,
		PublishedAt: own.PublishedAt, FirstPublishedAt: own.FirstPublishedAt, Note: own.Note,
	}
	if b.FirstPublishedAt.IsZero() {
		b.FirstPublishedAt = b.PublishedAt
	}

	sections := slices.Clone(own.Sections)
	slices.SortStableFunc(sections, func(a, b catalog.Section) int { return cmp.Compare(a.Position, b.Position) })
	for i := range sections {
		if sections[i].Key == sitesKey {
			s := sections[i]
			b.Sites = &s
			continue
		}
		b.Sections = append(b.Sections, sections[i])
	}

	ownOffices := indexOffices(own.Offices)
	ownPeople := indexPeople(own.People)
	ownDesk := mainDesk(own)

	// The same rules as the citizen site (site.Site.OfficeFor): a service's own office, else
	// the comune's one-stop desk; an ambito service at the ambito's office when it names one,
	// else the comune's desk, else the ambito's desk.
	var services []service
	for _, s := range visible(own.Services) {
		sv := service{Service: s, Office: lookup(ownOffices, s.OfficeID), Responsible: lookup(ownPeople, s.ResponsiblePersonID)}
		if sv.Office == nil {
			sv.Office = ownDesk
		}
		services = append(services, sv)
	}
	ambOfficesUsed := map[uuid.UUID]bool{}
	ambPeopleUsed := map[uuid.UUID]bool{}
	if amb != nil && amb.Tenant.ID != own.Tenant.ID {
		b.AmbitoName, b.AmbitoVersion = amb.Tenant.Name, amb.Version
		hidden := map[uuid.UUID]bool{}
		for _, h := range own.HiddenAmbitoServices {
			hidden[h.ServiceID] = true
		}
		ambOffices := indexOffices(amb.Offices)
		ambPeople := indexPeople(amb.People)
		ambDesk := mainDesk(amb)
		for _, s := range visible(amb.Services) {
			if hidden[s.ID] {
				continue
			}
			sv := service{Service: s, Ambito: true, Responsible: lookup(ambPeople, s.ResponsiblePersonID)}
			switch o := lookup(ambOffices, s.OfficeID); {
			case o != nil:
				sv.Office = o
			case ownDesk != nil:
				sv.Office = ownDesk
			default:
				sv.Office = ambDesk
			}
			if sv.Office != nil && ambOffices[sv.Office.ID] == sv.Office {
				ambOfficesUsed[sv.Office.ID] = true
			}
			if sv.Responsible != nil {
				ambPeopleUsed[sv.Responsible.ID] = true
			}
			services = append(services, sv)
		}
		for _, o := range amb.Offices {
			if ambOfficesUsed[o.ID] {
				b.Offices = append(b.Offices, office{Office: o, Ambito: true})
			}
		}
		for _, p := range amb.People {
			if ambPeopleUsed[p.ID] {
				b.People = append(b.People, person{Person: p, OfficeName: officeName(ambOffices, p.OfficeID), Ambito: true})
			}
		}
	}
	// The tenant's own offices, its one-stop desk first.
	ownList := make([]office, 0, len(own.Offices))
	for _, o := range own.Offices {
		ownList = append(ownList, office{Office: o})
	}
	slices.SortStableFunc(ownList, func(a, b office) int {
		switch {
		case a.MainDesk == b.MainDesk:
			return 0
		case a.MainDesk:
			return -1
		}
		return 1
	})
	b.Offices = append(ownList, b.Offices...)
	ownPeopleList := make([]person, 0, len(own.People))
	for _, p := range own.People {
		ownPeopleList = append(ownPeopleList, person{Person: p, OfficeName: officeName(ownOffices, p.OfficeID)})
	}
	b.People = append(ownPeopleList, b.People...)

	b.Groups = groupServices(own, amb, services)
	return b
}

// upcoming returns the office's closures and special hours that still matter on the
// publication date: a printed Carta lives on, so past ones are noise.
func (b *book) upcoming(o catalog.Office) []catalog.Exception {
	day := b.PublishedAt.In(rome).Format(time.DateOnly)
	var out []catalog.Exception
	for _, e := range o.Exceptions {
		if e.To >= day {
			out = append(out, e)
		}
	}
	return out
}

// groupServices puts services under their user category, categories in their published order
// (the comune's own naming first, then the ambito's categories it lacks), services by position
// and title, and "Altri servizi" last for a category neither Carta names.
func groupServices(own, amb *catalog.Carta, services []service) []group {
	var cats []catalog.Category
	seen := map[string]bool{}
	for _, c := range []*catalog.Carta{own, amb} {
		if c == nil {
			continue
		}
		for _, cat := range c.Categories {
			if !seen[cat.Code] {
				seen[cat.Code] = true
				cats = append(cats, cat)
			}
		}
	}
	slices.SortStableFunc(cats, func(a, b catalog.Category) int { return cmp.Compare(a.Position, b.Position) })
	slices.SortStableFunc(services, func(a, b service) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position),
			strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)),
			strings.Compare(a.Slug, b.Slug))
	})
	byCode := map[string][]service{}
	for _, s := range services {
		code := s.CategoryCode
		if !seen[code] {
			code = otherCode
		}
		byCode[code] = append(byCode[code], s)
	}
	var out []group
	for _, c := range cats {
		if len(byCode[c.Code]) > 0 {
			out = append(out, group{Code: c.Code, Name: c.Name, Description: c.Description, Services: byCode[c.Code]})
		}
	}
	if len(byCode[otherCode]) > 0 {
		out = append(out, group{Name: "Altri servizi", Services: byCode[otherCode]})
	}
	return out
}

// visible returns the services citizens see: archived ones never.
func visible(in []catalog.Service) []catalog.Service {
	out := make([]catalog.Service, 0, len(in))
	for _, s := range in {
		if s.Status != "archiviato" {
			out = append(out, s)
		}
	}
	return out
}

func mainDesk(c *catalog.Carta) *catalog.Office {
	for i := range c.Offices {
		if c.Offices[i].MainDesk {
			return &c.Offices[i]
		}
	}
	return nil
}

func indexOffices(list []catalog.Office) map[uuid.UUID]*catalog.Office {
	m := make(map[uuid.UUID]*catalog.Office, len(list))
	for i := range list {
		m[list[i].ID] = &list[i]
	}
	return m
}

func indexPeople(list []catalog.Person) map[uuid.UUID]*catalog.Person {
	m := make(map[uuid.UUID]*catalog.Person, len(list))
	for i := range list {
		m[list[i].ID] = &list[i]
	}
	return m
}

func lookup[T any](m map[uuid.UUID]*T, id *uuid.UUID) *T {
	if id == nil {
		return nil
	}
	return m[*id]
}

func officeName(m map[uuid.UUID]*catalog.Office, id *uuid.UUID) string {
	if o := lookup(m, id); o != nil {
		return o.Name
	}
	return ""
}
