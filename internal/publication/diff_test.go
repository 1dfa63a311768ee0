package publication_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/publication"
)

var (
	idPasti   = uuid.MustParse("00000000-0000-0000-0000-000000000001")
	idSAD     = uuid.MustParse("00000000-0000-0000-0000-000000000002")
	idAffitto = uuid.MustParse("00000000-0000-0000-0000-000000000003")
	idUfficio = uuid.MustParse("00000000-0000-0000-0000-000000000010")
	idSede2   = uuid.MustParse("00000000-0000-0000-0000-000000000011")
	idRossi   = uuid.MustParse("00000000-0000-0000-0000-000000000020")
	idBianchi = uuid.MustParse("00000000-0000-0000-0000-000000000021")
	idDoc     = uuid.MustParse("00000000-0000-0000-0000-000000000030")
	idHidden  = uuid.MustParse("00000000-0000-0000-0000-000000000040")
)

func ptr[T any](v T) *T { return &v }

// base is a small Carta: two categories, one office with hours, two people, two services, the
// general part and a document.
func base() *catalog.Carta {
	return &catalog.Carta{
		Format: catalog.SnapshotFormat, Version: 1, PublishedAt: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC),
		Categories: []catalog.Category{{Code: "FAM", Name: "Famiglia e minori"}, {Code: "ELD", Name: "Anziani"}},
		Offices: []catalog.Office{{ID: idUfficio, Slug: "sportello", Name: "Sportello sociale", Address: "Piazza Risorgimento 1",
			City: "Cerveteri", Phone: "06 1234567", MainDesk: true,
			Hours: []catalog.Interval{{Weekday: 1, Opens: "09:00", Closes: "12:00"}, {Weekday: 2, Opens: "09:00", Closes: "12:00"}}}},
		People: []catalog.Person{{ID: idRossi, Name: "Maria Rossi", RoleTitle: "Responsabile del Servizio Sociale"},
			{ID: idBianchi, Name: "Luca Bianchi", RoleTitle: "Assistente sociale"}},
		Services: []catalog.Service{
			{ID: idPasti, Slug: "pasti", Status: "attivo", Title: "Pasti a domicilio", CategoryCode: "ELD",
				ShortDescription: "Pasti caldi a casa", HowTo: "Riga uno.\nRiga due.\nRiga tre.\nRiga quattro.\nRiga cinque.\nRiga sei.\nRiga sette.",
				OfficeID: ptr(idUfficio), ResponsiblePersonID: ptr(idRossi), Topics: []string{"Assistenza sociale"},
				CostKind: "isee", LastChangedVersion: 1},
			{ID: idSAD, Slug: "sad", Status: "attivo", Title: "Assistenza domiciliare", CategoryCode: "ELD",
				ShortDescription: "Aiuto a casa", LastChangedVersion: 1},
		},
		Sections: []catalog.Section{{Key: "principi", Title: "Principi fondamentali", Body: "Uguaglianza.\n\nImparzialità."}},
		Documents: []catalog.Document{{ID: idDoc, Kind: "carta", Title: "Carta in PDF", Filename: "carta.pdf",
			SHA256: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}},
	}
}

func TestDiffOfEqualVersionsIsEmpty(t *testing.T) {
	a, b := base(), base()
	// Publication stamps and order are not changes.
	b.Version, b.PublishedAt, b.Note = 2, time.Now(), "altra nota"
	b.Services[0].LastChangedVersion, b.Services[0].LastChangedAt = 2, time.Now()
	b.Services[0], b.Services[1] = b.Services[1], b.Services[0]
	b.Services[0].Position = 5
	require.Empty(t, publication.Diff(a, b))
	require.Empty(t, publication.Diff(nil, nil))
}

func TestDiffServices(t *testing.T) {
	a, b := base(), base()
	pasti := &b.Services[0]
	pasti.Title = "Pasti a domicilio per anziani"
	pasti.CategoryCode = "FAM"
	pasti.HowTo = strings.Replace(pasti.HowTo, "Riga cinque.", "Riga cinque, riscritta.", 1)
	pasti.OfficeID = nil
	pasti.ResponsiblePersonID = ptr(idBianchi)
	pasti.Topics = append(pasti.Topics, "Integrazione sociale")
	pasti.Keywords = []string{"mensa"}
	pasti.Deadlines = []catalog.Deadline{{Label: "Domande", DueOn: "2026-03-31"}}
	tgt := 7.5
	pasti.Standards = []catalog.Standard{{Dimension: "tempestivita", Description: "Primo colloquio", Target: &tgt, Unit: "giorni"}}
	pasti.CostKind = "gratuito"
	b.Services = b.Services[:1] // SAD removed
	b.Services = append(b.Services, catalog.Service{ID: idAffitto, Title: "Contributo affitto"})

	cs := publication.Diff(a, b)
	require.Len(t, cs, 3)
	changed, added, removed := cs[0], cs[1], cs[2]

	require.Equal(t, publication.Changed, changed.Kind)
	require.Equal(t, "Servizio modificato: «Pasti a domicilio per anziani»", changed.Summary())
	f := fieldsByLabel(changed)
	require.Equal(t, "Pasti a domicilio", f["Titolo"].Old)
	require.Equal(t, "Pasti a domicilio per anziani", f["Titolo"].New)
	require.False(t, f["Titolo"].Long())
	require.Equal(t, "Anziani", f["Area di utenza"].Old, "categories by name, not code")
	require.Equal(t, "Famiglia e minori", f["Area di utenza"].New)
	require.Equal(t, "Sportello sociale", f["Ufficio a cui rivolgersi"].Old)
	require.Equal(t, "", f["Ufficio a cui rivolgersi"].New)
	require.Equal(t, "Maria Rossi", f["Responsabile"].Old)
	require.Equal(t, "Luca Bianchi", f["Responsabile"].New)
	require.Equal(t, "Assistenza sociale, Integrazione sociale", f["Argomenti"].New)
	require.Equal(t, "In base all'ISEE", f["Costo"].Old)
	require.Equal(t, "Gratuito", f["Costo"].New)
	require.Equal(t, "mensa", f["Parole chiave"].New)
	require.Equal(t, []publication.Line{{Op: publication.LineAdded, Text: "Domande – entro il 31 marzo 2026"}}, f["Scadenze e fasi"].Lines)
	require.Equal(t, "Tempestività: Primo colloquio (obiettivo: 7,5 giorni)", f["Standard di qualità"].Lines[0].Text)

	// A long field: the one changed line, two lines of context around it, the rest folded.
	how := f["Come fare"]
	require.True(t, how.Long())
	require.Equal(t, []publication.Line{
		{Op: publication.LineSkipped, Skipped: 2},
		{Op: publication.LineSame, Text: "Riga tre."},
		{Op: publication.LineSame, Text: "Riga quattro."},
		{Op: publication.LineRemoved, Text: "Riga cinque."},
		{Op: publication.LineAdded, Text: "Riga cinque, riscritta."},
		{Op: publication.LineSame, Text: "Riga sei."},
		{Op: publication.LineSame, Text: "Riga sette."},
	}, how.Lines)

	// Fields come in the order of the service page.
	labels := make([]string, 0, len(changed.Fields))
	for _, fc := range changed.Fields {
		labels = append(labels, fc.Label)
	}
	require.Less(t, indexOf(labels, "Titolo"), indexOf(labels, "Come fare"))
	require.Less(t, indexOf(labels, "Come fare"), indexOf(labels, "Standard di qualità"))

	require.Equal(t, publication.Added, added.Kind)
	require.Equal(t, "Servizio aggiunto: «Contributo affitto»", added.Summary())
	require.Empty(t, added.Fields)
	require.Equal(t, publication.Removed, removed.Kind)
	require.Equal(t, "Servizio rimosso: «Assistenza domiciliare»", removed.Summary())
}

func TestDiffOfficesPeopleSectionsCategoriesDocuments(t *testing.T) {
	a, b := base(), base()
	b.Offices[0].Hours = append(b.Offices[0].Hours, catalog.Interval{Weekday: 2, Opens: "15:30", Closes: "17:30"})
	b.Offices[0].Exceptions = []catalog.Exception{{From: "2026-08-10", To: "2026-08-21", Closed: true, Reason: "Chiusura estiva"}}
	b.Offices[0].Phone = "06 7654321"
	b.Offices = append(b.Offices, catalog.Office{ID: idSede2, Name: "Sede di Cerenova"})
	b.People[1].Phone = "06 111"
	b.People = b.People[1:] // Maria Rossi removed
	b.Sections[0].Body = "Uguaglianza.\n\nImparzialità.\n\nContinuità."
	b.Sections = append(b.Sections, catalog.Section{Key: "reclami", Title: "Come presentare un reclamo"})
	b.Categories[0].Name = "Famiglie e minori"
	b.Categories = append(b.Categories, catalog.Category{Code: "VIOL", Name: "Donne vittime di violenza"})
	b.Documents[0].SHA256 = strings.Repeat("b", 64)
	b.HiddenAmbitoServices = []catalog.Hidden{{ServiceID: idHidden, Reason: "Offerto dal consorzio"}}

	cs := publication.Diff(a, b)
	var sums []string
	for _, c := range cs {
		sums = append(sums, c.Summary())
	}
	require.Equal(t, []string{
		// Its responsible person left the Carta: the service reads differently.
		"Servizio modificato: «Pasti a domicilio»",
		"Ufficio modificato: «Sportello sociale»",
		"Ufficio aggiunto: «Sede di Cerenova»",
		"Responsabile modificato: «Luca Bianchi»",
		"Responsabile rimosso: «Maria Rossi»",
		"Sezione modificata: «Principi fondamentali»",
		"Sezione aggiunta: «Come presentare un reclamo»",
		"Area di utenza modificata: «Famiglie e minori»",
		"Area di utenza aggiunta: «Donne vittime di violenza»",
		"Documento modificato: «Carta in PDF»",
		"Servizio dell'ambito non più offerto: «servizio 00000000»",
	}, sums)

	require.Equal(t, "persona non più presente", fieldsByLabel(cs[0])["Responsabile"].New)
	office := fieldsByLabel(cs[1])
	require.Equal(t, "06 1234567", office["Telefono"].Old)
	require.Equal(t, []publication.Line{
		{Op: publication.LineSame, Text: "Lunedì: 09:00–12:00"},
		{Op: publication.LineRemoved, Text: "Martedì: 09:00–12:00"},
		{Op: publication.LineAdded, Text: "Martedì: 09:00–12:00, 15:30–17:30"},
	}, office["Orari di apertura"].Lines)
	require.Equal(t, "Dal 10 agosto 2026 al 21 agosto 2026: chiuso (Chiusura estiva)", office["Chiusure e orari straordinari"].Lines[0].Text)

	sec := fieldsByLabel(cs[5])
	require.Equal(t, publication.LineAdded, sec["Testo"].Lines[len(sec["Testo"].Lines)-1].Op)
	require.Equal(t, "Continuità.", sec["Testo"].Lines[len(sec["Testo"].Lines)-1].Text)

	doc := fieldsByLabel(cs[9])
	require.Equal(t, "file sostituito", doc["Contenuto del file"].New)

	groups := publication.Grouped(cs)
	var titles []string
	for _, g := range groups {
		titles = append(titles, g.Title)
	}
	require.Equal(t, []string{"Servizi", "Uffici e orari", "Responsabili", "Parte generale", "Aree di utenza",
		"Documenti della Carta", "Servizi dell'ambito non offerti"}, titles)
}

func TestDiffNamesHiddenAmbitoServicesFromTheAmbito(t *testing.T) {
	a, b := base(), base()
	b.HiddenAmbitoServices = []catalog.Hidden{{ServiceID: idHidden, Reason: "Offerto dal consorzio"}}
	ambito := &catalog.Carta{Services: []catalog.Service{{ID: idHidden, Title: "Centro antiviolenza"}}}
	cs := publication.DiffWithAmbito(a, b, ambito)
	require.Len(t, cs, 1)
	require.Equal(t, "Servizio dell'ambito non più offerto: «Centro antiviolenza»", cs[0].Summary())
	cs = publication.DiffWithAmbito(b, a, ambito)
	require.Equal(t, "Servizio dell'ambito di nuovo offerto: «Centro antiviolenza»", cs[0].Summary())
	c := base()
	c.HiddenAmbitoServices = []catalog.Hidden{{ServiceID: idHidden, Reason: "Non richiesto"}}
	cs = publication.DiffWithAmbito(b, c, ambito)
	require.Equal(t, "Servizio dell'ambito non offerto modificato: «Centro antiviolenza»", cs[0].Summary())
	require.Equal(t, "Non richiesto", fieldsByLabel(cs[0])["Motivo"].New)
}

func TestDiffFromNothing(t *testing.T) {
	cs := publication.Diff(nil, base())
	require.Len(t, cs, 1+2+2+1+2+1) // offices, people, services, sections, categories, documents
	for _, c := range cs {
		require.Equal(t, publication.Added, c.Kind)
	}
	require.Equal(t, "Servizio aggiunto: «Pasti a domicilio»", cs[0].Summary())
}

func TestLineDiff(t *testing.T) {
	t.Run("spacing alone is no change", func(t *testing.T) {
		a, b := base(), base()
		b.Sections[0].Body = "Uguaglianza.  \r\n\r\n\r\nImparzialità.\n"
		require.Empty(t, publication.Diff(a, b))
	})
	t.Run("from empty", func(t *testing.T) {
		require.Equal(t, []publication.Line{{Op: publication.LineAdded, Text: "Nuovo testo."}}, publication.LineDiff("", "Nuovo testo."))
	})
	t.Run("to empty", func(t *testing.T) {
		require.Equal(t, []publication.Line{{Op: publication.LineRemoved, Text: "a"}, {Op: publication.LineRemoved, Text: "b"}},
			publication.LineDiff("a\nb", ""))
	})
	t.Run("insertions and removals in the middle keep the common lines", func(t *testing.T) {
		got := publication.LineDiff("uno\ndue\ntre\nquattro", "uno\ntre\nquattro\ncinque")
		require.Equal(t, []publication.Line{
			{Op: publication.LineSame, Text: "uno"},
			{Op: publication.LineRemoved, Text: "due"},
			{Op: publication.LineSame, Text: "tre"},
			{Op: publication.LineSame, Text: "quattro"},
			{Op: publication.LineAdded, Text: "cinque"},
		}, got)
	})
	t.Run("a single unchanged line between changes is not folded", func(t *testing.T) {
		old := "a\nb\nc\nd\ne\nf\ng"
		got := publication.LineDiff(old, "A\nb\nc\nd\ne\nf\nG")
		for _, l := range got {
			require.NotEqual(t, publication.LineSkipped, l.Op)
		}
		got = publication.LineDiff("a\nb\nc\nd\ne\nf\ng\nh", "A\nb\nc\nd\ne\nf\ng\nH")
		require.Contains(t, got, publication.Line{Op: publication.LineSkipped, Skipped: 2})
	})
}

func fieldsByLabel(c publication.Change) map[string]publication.FieldChange {
	m := map[string]publication.FieldChange{}
	for _, f := range c.Fields {
		m[f.Label] = f
	}
	return m
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func TestDiffDatesTakeTheirArticles(t *testing.T) {
	a, b := base(), base()
	b.Services[0].Deadlines = []catalog.Deadline{{Label: "Graduatoria", DueOn: "2026-05-08"}}
	b.Offices[0].Exceptions = []catalog.Exception{
		{From: "2026-08-08", To: "2026-08-11", Closed: true},
		{From: "2026-11-01", To: "2026-11-01", Closed: true}}
	var lines []string
	for _, c := range publication.Diff(a, b) {
		for _, f := range c.Fields {
			for _, l := range f.Lines {
				lines = append(lines, l.Text)
			}
		}
	}
	all := strings.Join(lines, "\n")
	require.Contains(t, all, "Graduatoria – entro l'8 maggio 2026")
	require.Contains(t, all, "Dall'8 agosto 2026 all'11 agosto 2026: chiuso")
	require.Contains(t, all, "Il 1º novembre 2026: chiuso")
}
