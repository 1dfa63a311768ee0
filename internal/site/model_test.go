package site

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
)

func ptr[T any](v T) *T { return &v }

// modelFixture is a member comune and its ambito, both published.
type modelFixture struct {
	own, amb                     *catalog.Carta
	desk, branch, ambDesk, ambOf catalog.Office
	sad, nido, ambShared         catalog.Service
	ambOwnOffice, ambHidden      catalog.Service
	ambSameSlug, archived        catalog.Service
}

func newModelFixture() *modelFixture {
	f := &modelFixture{}
	f.desk = catalog.Office{ID: uuid.New(), Slug: "sportello", Name: "Sportello sociale", MainDesk: true}
	f.branch = catalog.Office{ID: uuid.New(), Slug: "frazione", Name: "Ufficio di frazione"}
	f.ambDesk = catalog.Office{ID: uuid.New(), Slug: "ufficio-di-piano", Name: "Ufficio di Piano", MainDesk: true}
	f.ambOf = catalog.Office{ID: uuid.New(), Slug: "centro-affidi", Name: "Centro affidi"}
	f.sad = catalog.Service{ID: uuid.New(), Slug: "assistenza-domiciliare", Title: "Assistenza domiciliare",
		Status: "attivo", CategoryCode: "ELD", Position: 1, NationalCategory: "Salute, benessere e assistenza",
		Topics: []string{"Assistenza sociale"}}
	f.nido = catalog.Service{ID: uuid.New(), Slug: "asilo-nido", Title: "Asilo nido", Status: "sospeso",
		CategoryCode: "FAM", Position: 1, OfficeID: &f.branch.ID, NationalCategory: "educazione e formazione",
		Topics: []string{"istruzione", "Nascita"}}
	f.archived = catalog.Service{ID: uuid.New(), Slug: "vecchio", Title: "Vecchio servizio", Status: "archiviato", CategoryCode: "FAM"}
	f.ambShared = catalog.Service{ID: uuid.New(), Slug: "segretariato", Title: "Segretariato sociale", Status: "attivo",
		CategoryCode: "ACC", NationalCategory: "SALUTE, BENESSERE E ASSISTENZA", Topics: []string{"Assistenza sociale"}}
	f.ambOwnOffice = catalog.Service{ID: uuid.New(), Slug: "affido", Title: "Affido familiare", Status: "attivo",
		CategoryCode: "FAM", Position: 2, OfficeID: &f.ambOf.ID, NationalCategory: "Altro non nazionale"}
	f.ambHidden = catalog.Service{ID: uuid.New(), Slug: "trasporto", Title: "Trasporto disabili", Status: "attivo", CategoryCode: "DIS"}
	f.ambSameSlug = catalog.Service{ID: uuid.New(), Slug: "assistenza-domiciliare", Title: "Assistenza domiciliare integrata",
		Status: "attivo", CategoryCode: "ELD", Position: 2}
	f.own = &catalog.Carta{Version: 3, Tenant: catalog.TenantRef{ID: uuid.New(), Slug: "cerveteri", Name: "Comune di Cerveteri"},
		Categories:           []catalog.Category{{Code: "FAM", Name: "Famiglia e minori", Position: 2}, {Code: "ELD", Name: "Anziani", Position: 3}},
		Offices:              []catalog.Office{f.branch, f.desk},
		Services:             []catalog.Service{f.nido, f.sad, f.archived},
		HiddenAmbitoServices: []catalog.Hidden{{ServiceID: f.ambHidden.ID, Reason: "Servizio svolto dal Comune"}},
		People:               []catalog.Person{{ID: uuid.New(), Name: "Maria Rossi"}},
	}
	f.own.Services[1].ResponsiblePersonID = &f.own.People[0].ID
	f.amb = &catalog.Carta{Version: 7, Tenant: catalog.TenantRef{ID: uuid.New(), Slug: "ambito-rm42", Name: "Ambito RM 4.2", Kind: "ambito"},
		Categories: []catalog.Category{{Code: "ACC", Name: "Welfare d'accesso", Position: 1}, {Code: "FAM", Name: "Famiglie (ambito)", Position: 9},
			{Code: "DIS", Name: "Disabili", Position: 4}},
		Offices:  []catalog.Office{f.ambOf, f.ambDesk},
		Services: []catalog.Service{f.ambShared, f.ambOwnOffice, f.ambHidden, f.ambSameSlug},
	}
	return f
}

func slugs(list []*Service) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, s.Slug)
	}
	return out
}

func TestNewSiteNeedsOwnPublication(t *testing.T) {
	require.Nil(t, NewSite(nil))
	require.Nil(t, NewSite(&catalog.View{}))
	// The ambito's services wait for the comune's own Carta (and its choice of what to hide).
	require.Nil(t, NewSite(&catalog.View{Ambito: newModelFixture().amb}))
}

func TestMergeOwnAndAmbitoServices(t *testing.T) {
	f := newModelFixture()
	s := NewSite(&catalog.View{Own: f.own, Ambito: f.amb})
	// Ordered by category position (ACC 1 from the ambito, FAM 2, ELD 3), then position, title;
	// the archived one is gone, the hidden one too; the ambito's homonym gets "-ambito".
	require.Equal(t, []string{"segretariato", "asilo-nido", "affido", "assistenza-domiciliare", "assistenza-domiciliare-ambito"},
		slugs(s.Services()))

	require.Nil(t, s.Service("trasporto"), "a service the comune hides is not shown")
	reason, hidden := s.HiddenReason(f.ambHidden.ID)
	require.True(t, hidden)
	require.Equal(t, "Servizio svolto dal Comune", reason)
	require.Nil(t, s.Service("vecchio"))

	own := s.Service("assistenza-domiciliare")
	require.Equal(t, f.sad.ID, own.ID)
	require.False(t, own.FromAmbito)
	homonym := s.Service("assistenza-domiciliare-ambito")
	require.Equal(t, f.ambSameSlug.ID, homonym.ID)
	require.True(t, homonym.FromAmbito)
	require.Equal(t, f.amb, homonym.Owner)
	// The Carta itself keeps the published slug.
	require.Equal(t, "assistenza-domiciliare", f.amb.Services[3].Slug)

	// The comune names its categories; the ambito fills the gaps.
	require.Equal(t, "Famiglia e minori", s.CategoryName("FAM"))
	require.Equal(t, "Welfare d'accesso", s.CategoryName("ACC"))
	require.Equal(t, "Altri servizi", s.CategoryName("XYZ"))

	var cats []string
	for _, c := range s.ServicesByCategory() {
		cats = append(cats, c.Code+":"+c.Name+":"+strconv.Itoa(len(c.Services)))
	}
	require.Equal(t, []string{"ACC:Welfare d'accesso:1", "FAM:Famiglia e minori:2", "ELD:Anziani:2"}, cats)
}

func TestServiceWithoutKnownCategoryIsListedUnderOthers(t *testing.T) {
	f := newModelFixture()
	f.own.Services = append(f.own.Services, catalog.Service{ID: uuid.New(), Slug: "varie", Title: "Varie", Status: "attivo", CategoryCode: "NONE"})
	s := NewSite(&catalog.View{Own: f.own})
	cats := s.ServicesByCategory()
	last := cats[len(cats)-1]
	require.Equal(t, "", last.Code)
	require.Equal(t, "Altri servizi", last.Name)
	require.Equal(t, []string{"varie"}, slugs(last.Services))
}

func TestOfficeForFollowsTheRules(t *testing.T) {
	f := newModelFixture()
	s := NewSite(&catalog.View{Own: f.own, Ambito: f.amb})

	// Own service with an office of its own.
	o := s.OfficeFor(s.Service("asilo-nido"))
	require.Equal(t, f.branch.ID, o.ID)
	require.False(t, o.FromAmbito)
	// Own service without: the one-stop desk.
	require.Equal(t, f.desk.ID, s.OfficeFor(s.Service("assistenza-domiciliare")).ID)
	// Ambito service without an office: the member's main desk.
	o = s.OfficeFor(s.Service("segretariato"))
	require.Equal(t, f.desk.ID, o.ID)
	require.False(t, o.FromAmbito)
	// Ambito service with its own office: the ambito's office, from the ambito's Carta.
	o = s.OfficeFor(s.Service("affido"))
	require.Equal(t, f.ambOf.ID, o.ID)
	require.True(t, o.FromAmbito)
	require.Equal(t, f.amb, o.Owner)

	require.Len(t, s.AmbitoOffices(), 1)
	require.Equal(t, []string{"affido"}, slugs(s.ServicesAt(s.AmbitoOffices()[0])))
	require.Equal(t, []string{"segretariato", "assistenza-domiciliare", "assistenza-domiciliare-ambito"},
		slugs(s.ServicesAt(s.Office("sportello"))))

	// A member without a main desk: the ambito's main desk for the ambito's services.
	f.own.Offices = []catalog.Office{f.branch}
	s = NewSite(&catalog.View{Own: f.own, Ambito: f.amb})
	o = s.OfficeFor(s.Service("segretariato"))
	require.Equal(t, f.ambDesk.ID, o.ID)
	require.True(t, o.FromAmbito)
	require.Nil(t, s.OfficeFor(s.Service("assistenza-domiciliare")), "no desk, no office")
}

func TestOfficesPutMainDeskFirst(t *testing.T) {
	f := newModelFixture()
	s := NewSite(&catalog.View{Own: f.own})
	offices := s.Offices()
	require.Equal(t, "sportello", offices[0].Slug)
	require.Equal(t, "frazione", offices[1].Slug)
	require.Nil(t, s.Office("centro-affidi"), "the ambito's offices are not the comune's pages")
}

func TestNationalCategoriesAndTopics(t *testing.T) {
	f := newModelFixture()
	s := NewSite(&catalog.View{Own: f.own, Ambito: f.amb})
	var names []string
	for _, nc := range s.NationalCategories() {
		names = append(names, nc.Name+"="+nc.Slug+":"+strconv.Itoa(len(nc.Services)))
	}
	// Matched case-insensitively, in the model's order, only the model's own names.
	require.Equal(t, []string{"Educazione e formazione=educazione-e-formazione:1",
		"Salute, benessere e assistenza=salute-benessere-e-assistenza:2"}, names)
	// Topics in the model's order and spelling.
	require.Equal(t, []string{"Assistenza sociale", "Istruzione", "Nascita"}, s.Topics())
	require.Equal(t, []string{"asilo-nido"}, slugs(s.ServicesWithTopic("ISTRUZIONE")))
}

func TestResponsibleComesFromTheOwnerCarta(t *testing.T) {
	f := newModelFixture()
	s := NewSite(&catalog.View{Own: f.own, Ambito: f.amb})
	p := s.Responsible(s.Service("assistenza-domiciliare"))
	require.NotNil(t, p)
	require.Equal(t, "Maria Rossi", p.Name)
	require.Nil(t, s.Responsible(s.Service("segretariato")))
}

func TestSlugify(t *testing.T) {
	require.Equal(t, "salute-benessere-e-assistenza", slugify("Salute, benessere e assistenza"))
	require.Equal(t, "mobilita-e-trasporti", slugify("Mobilità e trasporti"))
	require.Equal(t, "tributi-finanze-e-contravvenzioni", slugify(" Tributi, finanze e contravvenzioni "))
}

func TestEncodeQueryIsCanonical(t *testing.T) {
	q := map[string][]string{"pagina": {"2"}, "argomento": {"Assistenza sociale"}, "tipologia": {"x"}, "altro": {"ignored"}}
	require.Equal(t, "/servizi?tipologia=x&argomento=Assistenza+sociale&pagina=2", servicesURL(q))
	require.Equal(t, "/servizi", servicesURL(map[string][]string{"pagina": {"1"}}))
}

func TestFormatting(t *testing.T) {
	require.Equal(t, "1,5 MB", sizeLabel(3<<19))
	require.Equal(t, "12 kB", sizeLabel(12*1024))
	require.Equal(t, "900 byte", sizeLabel(900))
	require.Equal(t, "90 %", formatTarget(ptr(90.0), "%"))
	require.Equal(t, "7,5 giorni", formatTarget(ptr(7.5), "giorni"))
	require.Equal(t, "9:00", clock("09:00"))
	require.Equal(t, "lunedì 2 marzo 2026", dayIT(time.Date(2026, 3, 2, 10, 0, 0, 0, rome)))
}
