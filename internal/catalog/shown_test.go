package catalog_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
)

// shownFixture is a member comune and its ambito, both published.
type shownFixture struct {
	own, amb                     *catalog.Carta
	desk, branch, ambDesk, ambOf catalog.Office
	person, ambPerson            catalog.Person
}

func newShownFixture() *shownFixture {
	f := &shownFixture{}
	f.desk = catalog.Office{ID: uuid.New(), Slug: "sportello", Name: "Sportello sociale", MainDesk: true,
		Hours: []catalog.Interval{{Weekday: 1, Opens: "09:00", Closes: "12:00"}}}
	f.branch = catalog.Office{ID: uuid.New(), Slug: "frazione", Name: "Ufficio di frazione"}
	f.ambDesk = catalog.Office{ID: uuid.New(), Slug: "ufficio-di-piano", Name: "Ufficio di Piano", MainDesk: true}
	f.ambOf = catalog.Office{ID: uuid.New(), Slug: "centro-affidi", Name: "Centro affidi",
		Hours: []catalog.Interval{{Weekday: 3, Opens: "14:00", Closes: "17:00"}}}
	f.person = catalog.Person{ID: uuid.New(), Name: "Maria Rossi"}
	f.ambPerson = catalog.Person{ID: uuid.New(), Name: "Niccolò Bertè"}
	f.own = &catalog.Carta{Version: 3, Tenant: catalog.TenantRef{ID: uuid.New(), Slug: "cerveteri", Name: "Comune di Cerveteri", Kind: "comune"},
		Categories: []catalog.Category{{Code: "FAM", Name: "Famiglia e minori", Position: 2}, {Code: "ELD", Name: "Anziani", Position: 3}},
		Offices:    []catalog.Office{f.branch, f.desk},
		People:     []catalog.Person{f.person},
		Services: []catalog.Service{
			{ID: uuid.New(), Slug: "asilo-nido", Title: "Asilo nido", Status: "sospeso", StatusReason: "lavori all'edificio",
				CategoryCode: "FAM", Position: 1, OfficeID: &f.branch.ID},
			{ID: uuid.New(), Slug: "assistenza-domiciliare", Title: "Assistenza domiciliare", Status: "attivo", CategoryCode: "ELD",
				Position: 1, ResponsiblePersonID: &f.person.ID,
				Standards: []catalog.Standard{{ID: uuid.New(), Dimension: "tempestivita", Description: "Visita entro 15 giorni"}}},
			{ID: uuid.New(), Slug: "vecchio", Title: "Vecchio servizio", Status: "archiviato", CategoryCode: "FAM"},
			{ID: uuid.New(), Slug: "varie", Title: "Varie", Status: "attivo", CategoryCode: "NONE"},
		},
	}
	f.amb = &catalog.Carta{Version: 7, Tenant: catalog.TenantRef{ID: uuid.New(), Slug: "ambito-rm42", Name: "Ambito RM 4.2", Kind: "ambito"},
		Categories: []catalog.Category{{Code: "ACC", Name: "Welfare d'accesso", Position: 1}, {Code: "FAM", Name: "Famiglie (ambito)", Position: 9},
			{Code: "DIS", Name: "Disabili", Position: 4}},
		Offices: []catalog.Office{f.ambOf, f.ambDesk},
		People:  []catalog.Person{f.ambPerson},
		Services: []catalog.Service{
			{ID: uuid.New(), Slug: "segretariato", Title: "Segretariato sociale", Status: "attivo", CategoryCode: "ACC"},
			{ID: uuid.New(), Slug: "affido", Title: "Affido familiare", Status: "attivo", CategoryCode: "FAM", Position: 2,
				OfficeID: &f.ambOf.ID, ResponsiblePersonID: &f.ambPerson.ID},
			{ID: uuid.New(), Slug: "trasporto", Title: "Trasporto disabili", Status: "attivo", CategoryCode: "DIS"},
			{ID: uuid.New(), Slug: "assistenza-domiciliare", Title: "Assistenza domiciliare integrata", Status: "attivo",
				CategoryCode: "ELD", Position: 2},
			{ID: uuid.New(), Slug: "archiviato-ambito", Title: "Archiviato", Status: "archiviato", CategoryCode: "ACC"},
		},
	}
	return f
}

// hide makes the comune hide the ambito service at slug.
func (f *shownFixture) hide(slug, reason string) uuid.UUID {
	for _, s := range f.amb.Services {
		if s.Slug == slug {
			f.own.HiddenAmbitoServices = append(f.own.HiddenAmbitoServices, catalog.Hidden{ServiceID: s.ID, Reason: reason})
			return s.ID
		}
	}
	panic("no ambito service " + slug)
}

func shownSlugs(list []*catalog.ShownService) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, s.Slug)
	}
	return out
}

func TestShownNeedsTheTenantsOwnPublication(t *testing.T) {
	var v *catalog.View
	require.Nil(t, v.Shown())
	require.Nil(t, (&catalog.View{}).Shown())
	// The ambito's services wait for the comune's own Carta (and its choice of what to hide).
	require.Nil(t, (&catalog.View{Ambito: newShownFixture().amb}).Shown())
}

func TestShownComuneWithoutAmbito(t *testing.T) {
	f := newShownFixture()
	s := (&catalog.View{Own: f.own}).Shown()
	// Category order (FAM 2, ELD 3), a category neither Carta names last; archived never.
	require.Equal(t, []string{"asilo-nido", "assistenza-domiciliare", "varie"}, shownSlugs(s.Services()))
	require.Nil(t, s.ServiceBySlug("vecchio"))
	require.Nil(t, s.ServiceByID(f.own.Services[2].ID))

	sad := s.ServiceBySlug("assistenza-domiciliare")
	require.False(t, sad.FromAmbito)
	require.Same(t, f.own, sad.Owner)
	require.Equal(t, "Anziani", sad.Category.Name)
	require.Equal(t, "Maria Rossi", sad.Responsible.Name)
	require.Equal(t, "Visita entro 15 giorni", sad.Standards[0].Description)
	// No office of its own: the one-stop desk, with its hours.
	require.Equal(t, f.desk.ID, sad.Office.ID)
	require.False(t, sad.Office.FromAmbito)
	require.Equal(t, f.desk.Hours, sad.Office.Hours)
	require.Equal(t, f.branch.ID, s.ServiceBySlug("asilo-nido").Office.ID)

	varie := s.ServiceBySlug("varie")
	require.Equal(t, catalog.Category{Name: "Altri servizi"}, varie.Category)

	var groups []string
	for _, g := range s.Categories() {
		groups = append(groups, g.Code+":"+g.Name)
	}
	require.Equal(t, []string{"FAM:Famiglia e minori", "ELD:Anziani", ":Altri servizi"}, groups)

	// The one-stop desk first among the comune's offices.
	require.Equal(t, "sportello", s.Offices()[0].Slug)
	require.Equal(t, "frazione", s.Offices()[1].Slug)
	require.Empty(t, s.AmbitoOffices())

	// Without a one-stop desk an own service names no office.
	f.own.Offices = []catalog.Office{f.branch}
	s = (&catalog.View{Own: f.own}).Shown()
	require.Nil(t, s.ServiceBySlug("assistenza-domiciliare").Office)
}

func TestShownMemberComuneWithAmbitoServicesOneHidden(t *testing.T) {
	f := newShownFixture()
	hidden := f.hide("trasporto", "Servizio svolto dal Comune")
	s := (&catalog.View{Own: f.own, Ambito: f.amb}).Shown()
	// ACC 1 (ambito's), FAM 2, ELD 3 (the comune's positions), unknown last; the hidden and the
	// archived ambito services are gone; the ambito's homonym gets "-ambito".
	require.Equal(t, []string{"segretariato", "asilo-nido", "affido", "assistenza-domiciliare",
		"assistenza-domiciliare-ambito", "varie"}, shownSlugs(s.Services()))
	require.Nil(t, s.ServiceBySlug("trasporto"))
	require.Nil(t, s.ServiceByID(hidden))
	reason, ok := s.HiddenReason(hidden)
	require.True(t, ok)
	require.Equal(t, "Servizio svolto dal Comune", reason)
	require.Nil(t, s.ServiceBySlug("archiviato-ambito"))

	homonym := s.ServiceBySlug("assistenza-domiciliare-ambito")
	require.True(t, homonym.FromAmbito)
	require.Same(t, f.amb, homonym.Owner)
	require.Equal(t, "assistenza-domiciliare", f.amb.Services[3].Slug, "the published Carta keeps its slug")
	require.False(t, s.ServiceBySlug("assistenza-domiciliare").FromAmbito)

	// The comune names its categories; the ambito fills the gaps.
	affido := s.ServiceBySlug("affido")
	require.Equal(t, "Famiglia e minori", affido.Category.Name)
	require.Equal(t, "Welfare d'accesso", s.ServiceBySlug("segretariato").Category.Name)
	_, ok = s.Category("DIS")
	require.True(t, ok, "a category of the ambito is known even when its services are hidden")

	// The responsible person comes from the Carta that published the service.
	require.Equal(t, "Niccolò Bertè", affido.Responsible.Name)
	require.Nil(t, s.ServiceBySlug("segretariato").Responsible)

	// Without the hide the ambito service is shown, in its category.
	f.own.HiddenAmbitoServices = nil
	s = (&catalog.View{Own: f.own, Ambito: f.amb}).Shown()
	require.NotNil(t, s.ServiceBySlug("trasporto"))
	require.Equal(t, "Disabili", s.ServiceBySlug("trasporto").Category.Name)
}

func TestShownServiceWhoseOfficeBelongsToTheAmbito(t *testing.T) {
	f := newShownFixture()
	s := (&catalog.View{Own: f.own, Ambito: f.amb}).Shown()
	// The ambito's service names an office of the ambito: that office, from the ambito's Carta.
	o := s.ServiceBySlug("affido").Office
	require.Equal(t, f.ambOf.ID, o.ID)
	require.True(t, o.FromAmbito)
	require.Same(t, f.amb, o.Owner)
	require.Equal(t, f.ambOf.Hours, o.Hours)
	// An ambito service naming no office: the comune's one-stop desk.
	o = s.ServiceBySlug("segretariato").Office
	require.Equal(t, f.desk.ID, o.ID)
	require.False(t, o.FromAmbito)
	require.Same(t, f.own, o.Owner)
	// Only the ambito's offices where a shown service sends citizens, one entry each.
	require.Len(t, s.AmbitoOffices(), 1)
	require.Same(t, o, s.ServiceBySlug("assistenza-domiciliare").Office, "one value per office")

	// An own service cannot be sent to an ambito office: an id of the ambito is not the comune's.
	f.own.Services[0].OfficeID = &f.ambOf.ID
	s = (&catalog.View{Own: f.own, Ambito: f.amb}).Shown()
	require.Equal(t, f.desk.ID, s.ServiceBySlug("asilo-nido").Office.ID)

	// A member without a one-stop desk: the ambito's desk for the ambito's services.
	f.own.Offices = []catalog.Office{f.branch}
	s = (&catalog.View{Own: f.own, Ambito: f.amb}).Shown()
	o = s.ServiceBySlug("segretariato").Office
	require.Equal(t, f.ambDesk.ID, o.ID)
	require.True(t, o.FromAmbito)
	require.Nil(t, s.ServiceBySlug("assistenza-domiciliare").Office, "an own service never goes to the ambito's desk")
	var ambOffices []string
	for _, o := range s.AmbitoOffices() {
		ambOffices = append(ambOffices, o.Slug)
	}
	// In the order of the services that send citizens there (segretariato, then affido).
	require.Equal(t, []string{"ufficio-di-piano", "centro-affidi"}, ambOffices)
}

func TestShownAmbitosOwnSite(t *testing.T) {
	f := newShownFixture()
	s := (&catalog.View{Own: f.amb}).Shown()
	// ACC 1, DIS 4, FAM 9; ELD is no category of the ambito's: last.
	require.Equal(t, []string{"segretariato", "trasporto", "affido", "assistenza-domiciliare"}, shownSlugs(s.Services()))
	for _, svc := range s.Services() {
		require.False(t, svc.FromAmbito, "on its own site the ambito's services are its own")
		require.Same(t, f.amb, svc.Owner)
	}
	o := s.ServiceBySlug("affido").Office
	require.Equal(t, f.ambOf.ID, o.ID)
	require.False(t, o.FromAmbito)
	require.Equal(t, f.ambDesk.ID, s.ServiceBySlug("segretariato").Office.ID)
	require.Equal(t, "Famiglie (ambito)", s.ServiceBySlug("affido").Category.Name)

	// A Carta is never its own ambito.
	s = (&catalog.View{Own: f.amb, Ambito: f.amb}).Shown()
	require.Nil(t, s.Ambito)
	require.Len(t, s.Services(), 4)
}

func TestShownSuspendedServiceStaysWithItsStatus(t *testing.T) {
	f := newShownFixture()
	f.amb.Services[0].Status, f.amb.Services[0].StatusReason = "sospeso", "in attesa del bando"
	s := (&catalog.View{Own: f.own, Ambito: f.amb}).Shown()
	nido := s.ServiceBySlug("asilo-nido")
	require.NotNil(t, nido, "a suspended service stays on the site, marked")
	require.Equal(t, catalog.StatusSuspended, nido.Status)
	require.Equal(t, "lavori all'edificio", nido.StatusReason)
	seg := s.ServiceBySlug("segretariato")
	require.NotNil(t, seg)
	require.Equal(t, catalog.StatusSuspended, seg.Status)
	require.Equal(t, "in attesa del bando", seg.StatusReason)
}

func TestShownCategoriesOnATieKeepTheComunesFirst(t *testing.T) {
	f := newShownFixture()
	// The ambito's ACC takes the comune's FAM position: the comune's category comes first, and
	// each category's services stay together.
	f.amb.Categories[0].Position = 2
	f.amb.Services[0].Position = 1
	f.own.Services[0].Position = 5
	s := (&catalog.View{Own: f.own, Ambito: f.amb}).Shown()
	require.Equal(t, []string{"affido", "asilo-nido", "segretariato", "assistenza-domiciliare",
		"assistenza-domiciliare-ambito", "trasporto", "varie"}, shownSlugs(s.Services()))
	var groups []string
	for _, g := range s.Categories() {
		groups = append(groups, g.Code)
	}
	require.Equal(t, []string{"FAM", "ACC", "ELD", "DIS", ""}, groups)
}

func TestShownDropsServicesWithoutASlug(t *testing.T) {
	f := newShownFixture()
	f.own.Services = append(f.own.Services, catalog.Service{ID: uuid.New(), Title: "Senza indirizzo", Status: "attivo", CategoryCode: "FAM"})
	s := (&catalog.View{Own: f.own}).Shown()
	require.Equal(t, []string{"asilo-nido", "assistenza-domiciliare", "varie"}, shownSlugs(s.Services()))
}
