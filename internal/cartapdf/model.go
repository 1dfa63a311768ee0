package cartapdf

import (
	"cmp"
	"slices"
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

// group is a user category with its services, service a service with its where-to-go office
// and responsible person, office an office of the tenant or of its ambito: all as the citizen
// site shows them (catalog.Shown).
type (
	group   = catalog.ShownCategory
	service = *catalog.ShownService
	office  = *catalog.ShownOffice
)

type person struct {
	catalog.Person
	OfficeName string
	Ambito     bool
}

// sitesKey is the general-part section printed as the last chapter.
const sitesKey = "siti-utili"

// newBook merges v. It returns nil when the tenant has published nothing of its own.
func newBook(v *catalog.View) *book {
	shown := v.Shown()
	if shown == nil {
		return nil
	}
	own := shown.Own
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

	// Services, categories and offices exactly as the citizen site shows them.
	if shown.Ambito != nil {
		b.AmbitoName, b.AmbitoVersion = shown.Ambito.Tenant.Name, shown.Ambito.Version
	}
	b.Groups = shown.Categories()
	b.Offices = append(shown.Offices(), shown.AmbitoOffices()...)

	// The comune's people, then the ambito's responsible for a service shown.
	for _, p := range own.People {
		b.People = append(b.People, person{Person: p, OfficeName: officeName(own, p.OfficeID)})
	}
	if amb := shown.Ambito; amb != nil {
		responsible := map[uuid.UUID]bool{}
		for _, s := range shown.Services() {
			if s.FromAmbito && s.Responsible != nil {
				responsible[s.Responsible.ID] = true
			}
		}
		for _, p := range amb.People {
			if responsible[p.ID] {
				b.People = append(b.People, person{Person: p, OfficeName: officeName(amb, p.OfficeID), Ambito: true})
			}
		}
	}
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

// officeName is the name of the office of c with id, "" when none.
func officeName(c *catalog.Carta, id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	for _, o := range c.Offices {
		if o.ID == *id {
			return o.Name
		}
	}
	return ""
}
