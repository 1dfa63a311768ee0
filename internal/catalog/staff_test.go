package catalog_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/tenant"
)

func TestEveryRouteIsGuarded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	require.Empty(t, access.Unguarded(f.app.GetRoutes(true), f.reg, "/admin", nil))
	require.Empty(t, access.Ungranted(f.reg))
	for route, perm := range map[string]access.Perm{
		"GET /admin/carta":                            access.CatalogRead,
		"GET /admin/carta/servizi/:id":                access.CatalogRead,
		"POST /admin/carta/servizi/:id":               access.CatalogWrite,
		"POST /admin/carta/servizi/:id/documenti":     access.CatalogWrite,
		"POST /admin/carta/ambito/:id/nascondi":       access.CatalogWrite,
		"POST /admin/carta/uffici/:id/orari":          access.CatalogWrite,
		"POST /admin/carta/parte-generale/:id/sposta": access.CatalogWrite,
	} {
		method, path, _ := strings.Cut(route, " ")
		p, ok := f.reg.Lookup(method, path)
		require.True(t, ok, route)
		require.Equal(t, perm, p, route)
	}
}

func TestEnsureDefaultsIsIdempotent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	ctx := context.Background()
	run := func() {
		require.NoError(t, f.env.DB.InTx(ctx, c.ID, func(tx *tenant.Tx) error { return catalog.EnsureDefaults(ctx, tx) }))
	}
	run()
	d := f.draft(c)
	require.Len(t, d.Categories, len(catalog.NationalCategories))
	for i, nc := range catalog.NationalCategories {
		require.Equal(t, nc.Code, d.Categories[i].Code)
		require.Equal(t, nc.Name, d.Categories[i].Name)
		require.True(t, d.Categories[i].National)
	}
	require.Len(t, d.Sections, len(catalog.DefaultSections))
	for i, ds := range catalog.DefaultSections {
		require.Equal(t, ds.Key, d.Sections[i].Key)
		require.Equal(t, ds.Body, d.Sections[i].Body)
	}
	require.Equal(t, 1, f.auditCount(c, "catalog.defaults", c.ID.String()))

	// Staff rewrite a default section; running again changes nothing and records nothing.
	red := f.staffOf(c, access.RoleRedattore, "Redattrice Default")
	secID := sectionID(t, f, c, "principi")
	r := f.do("POST", "/admin/carta/parte-generale/"+secID.String(), c, red, url.Values{"title": {"I nostri principi"}, "body": {"Testo nostro."}})
	require.Equal(t, 303, r.status, r.body)
	run()
	run()
	d = f.draft(c)
	require.Len(t, d.Categories, len(catalog.NationalCategories))
	require.Len(t, d.Sections, len(catalog.DefaultSections))
	require.Equal(t, "I nostri principi", d.Sections[0].Title)
	require.Equal(t, "Testo nostro.", d.Sections[0].Body)
	require.Equal(t, 1, f.auditCount(c, "catalog.defaults", ""))

	// A default section cannot be deleted (it would come back), a custom one can.
	r = f.do("POST", "/admin/carta/parte-generale/"+secID.String()+"/elimina", c, red, url.Values{})
	require.Equal(t, 409, r.status)
	r = f.do("POST", "/admin/carta/parte-generale/nuova", c, red, url.Values{"title": {"Carta di Cittadinanza"}, "body": {"Testo."}})
	require.Equal(t, 303, r.status, r.body)
	d = f.draft(c)
	require.Equal(t, "carta-di-cittadinanza", d.Sections[len(d.Sections)-1].Key)
	custom := sectionID(t, f, c, "carta-di-cittadinanza")
	// Reorder: the custom section moves up one place.
	r = f.do("POST", "/admin/carta/parte-generale/"+custom.String()+"/sposta", c, red, url.Values{"direzione": {"su"}})
	require.Equal(t, 303, r.status)
	d = f.draft(c)
	require.Equal(t, "carta-di-cittadinanza", d.Sections[len(d.Sections)-2].Key)
	require.Equal(t, 1, f.auditCount(c, "catalog.section.move", custom.String()))
	r = f.do("POST", "/admin/carta/parte-generale/"+custom.String()+"/elimina", c, red, url.Values{})
	require.Equal(t, 303, r.status)
	require.Len(t, f.draft(c).Sections, len(catalog.DefaultSections))
}

func sectionID(t *testing.T, f *fixture, c *tenant.Tenant, key string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		`SELECT id FROM carta_sections WHERE tenant_id = $1 AND key = $2`, c.ID, key).Scan(&id))
	return id
}

// fullServiceForm fills every field of the service form.
func fullServiceForm(office, person uuid.UUID) url.Values {
	return url.Values{
		"title":                  {"Assistenza domiciliare per anziani"},
		"slug":                   {""},
		"status":                 {"attivo"},
		"status_reason":          {"Nuove modalità dal 2026"},
		"category":               {"ELD"},
		"macro_level":            {"2"},
		"nomenclator_code":       {"B1.02"},
		"national_category":      {"Salute, benessere e assistenza"},
		"short_description":      {"Aiuto a casa per le persone anziane non autosufficienti."},
		"description":            {"Il servizio offre **aiuto** nella cura della persona."},
		"audience":               {"Persone con più di 65 anni residenti nel comune."},
		"coverage":               {"comune"},
		"how_to":                 {"1. Prenota un colloquio\n2. Presenta la domanda"},
		"needed_intro":           {"Per la domanda servono:"},
		"needed_items":           {"Attestazione ISEE\r\n\r\n- Documento d'identità\n"},
		"obtained":               {"Un piano di assistenza personalizzato."},
		"timing":                 {"Entro 30 giorni dalla domanda."},
		"cost_kind":              {"isee"},
		"cost_text":              {"Compartecipazione in base all'ISEE."},
		"office":                 {office.String()},
		"digital_label":          {"Presenta la domanda online"},
		"digital_url":            {"https://servizi.comune.esempio.it/domanda"},
		"booking_url":            {"https://prenota.comune.esempio.it"},
		"booking_text":           {"Anche per telefono."},
		"constraints":            {"Non cumulabile con l'assegno di cura."},
		"special_cases":          {"Urgenze valutate entro 48 ore."},
		"more_info":              {"Vedi il regolamento."},
		"conditions":             {"Le condizioni sono nel regolamento."},
		"contacts":               {"Tel. 06 123456"},
		"responsible_unit":       {"Servizio Sociale Professionale"},
		"responsible_person":     {person.String()},
		"providers":              {"Cooperativa Sociale Esempio"},
		"topics":                 {"Integrazione sociale", "Assistenza sociale"},
		"keywords":               {"badante, anziani , assistenza a casa, anziani"},
		"deadline_rows":          {"3"},
		"deadline_label_0":       {"Presentazione delle domande"},
		"deadline_due_0":         {"2026-03-31"},
		"deadline_description_0": {"Per l'anno 2026"},
		"deadline_label_1":       {"Graduatoria"},
		"deadline_due_1":         {"30/04/2026"},
		"deadline_label_2":       {""},
		"standard_rows":          {"3"},
		"standard_dimension_0":   {"tempestivita"},
		"standard_description_0": {"Primo colloquio entro 7 giorni lavorativi dalla richiesta"},
		"standard_indicator_0":   {"Giorni tra richiesta e colloquio"},
		"standard_formula_0":     {"media dei giorni"},
		"standard_target_0":      {"7"},
		"standard_unit_0":        {"giorni"},
		"standard_dimension_1":   {"accessibilita"},
		"standard_description_1": {"Richieste evase entro 30 giorni"},
		"standard_target_1":      {"90,5"},
		"standard_unit_1":        {"%"},
		"standard_higher_1":      {"1"},
		"standard_higher_2":      {"1"}, // a blank row, with the box ticked by default
	}
}

func TestServiceFormRoundTripsEveryField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Completo")

	r := f.do("POST", "/admin/carta/uffici/nuovo", c, red, url.Values{"name": {"Segretariato sociale"}, "address": {"Piazza Risorgimento 1"},
		"postal_code": {"00052"}, "city": {"Cerveteri"}, "phone": {"06 896301"}, "email": {"sociale@comune.esempio.it"},
		"pec": {"protocollo@pec.comune.esempio.it"}, "notes": {"Accesso dal cortile."}, "main_desk": {"1"}, "description": {"Lo sportello."}})
	require.Equal(t, 303, r.status, r.body)
	office := idFrom(t, r.location)
	r = f.do("POST", "/admin/carta/persone/nuova", c, red, url.Values{"name": {"Maria Rossi"}, "role_title": {"Responsabile del Servizio Sociale"},
		"area": {"Anziani"}, "email": {"m.rossi@comune.esempio.it"}, "phone": {"06 896302"}, "office": {office.String()}})
	require.Equal(t, 303, r.status, r.body)
	person := f.draft(c).People[0].ID

	r = f.do("GET", "/admin/carta/servizi/nuovo", c, red, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, `<option value="Salute, benessere e assistenza" selected>`, "the default national category")
	require.Contains(t, r.body, `<option value="comune" selected>`)

	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, fullServiceForm(office, person))
	require.Equal(t, 303, r.status, r.body)
	id := idFrom(t, r.location)
	require.Equal(t, 1, f.auditCount(c, "catalog.service.create", id.String()))

	// A document of kind condizioni.
	r = f.upload("/admin/carta/servizi/"+id.String()+"/documenti", c, red, map[string]string{"title": "Regolamento", "kind": "condizioni"}, "regolamento.PDF", tinyPDF)
	require.Equal(t, 303, r.status, r.body)

	d := f.draft(c)
	require.Equal(t, catalog.SnapshotFormat, d.Format)
	require.Zero(t, d.Version)
	require.Equal(t, catalog.TenantRef{ID: c.ID, Slug: c.Slug, Name: c.Name, Kind: "comune"}, d.Tenant)
	require.Len(t, d.Services, 1)
	got := d.Services[0]
	seven, ninety := 7.0, 90.5
	sum := sha256.Sum256(tinyPDF)
	require.Len(t, got.Standards, 2)
	require.Len(t, got.Documents, 1)
	want := catalog.Service{
		ID: id, Slug: "assistenza-domiciliare-per-anziani", Status: "attivo", StatusReason: "Nuove modalità dal 2026",
		CategoryCode: "ELD", MacroLevel: 2, NomenclatorCode: "B1.02", Title: "Assistenza domiciliare per anziani",
		ShortDescription: "Aiuto a casa per le persone anziane non autosufficienti.",
		Description:      "Il servizio offre **aiuto** nella cura della persona.",
		Audience:         "Persone con più di 65 anni residenti nel comune.", Coverage: "comune",
		HowTo: "1. Prenota un colloquio\n2. Presenta la domanda", NeededIntro: "Per la domanda servono:",
		NeededItems: []string{"Attestazione ISEE", "Documento d'identità"}, Obtained: "Un piano di assistenza personalizzato.",
		Timing: "Entro 30 giorni dalla domanda.",
		Deadlines: []catalog.Deadline{
			{Label: "Presentazione delle domande", DueOn: "2026-03-31", Description: "Per l'anno 2026"},
			{Label: "Graduatoria", DueOn: "2026-04-30"},
		},
		CostKind: "isee", CostText: "Compartecipazione in base all'ISEE.", OfficeID: &office,
		DigitalLabel: "Presenta la domanda online", DigitalURL: "https://servizi.comune.esempio.it/domanda",
		BookingURL: "https://prenota.comune.esempio.it", BookingText: "Anche per telefono.",
		Constraints: "Non cumulabile con l'assegno di cura.", SpecialCases: "Urgenze valutate entro 48 ore.",
		MoreInfo: "Vedi il regolamento.", Conditions: "Le condizioni sono nel regolamento.", Contacts: "Tel. 06 123456",
		ResponsibleUnit: "Servizio Sociale Professionale", ResponsiblePersonID: &person, Providers: "Cooperativa Sociale Esempio",
		Topics:           []string{"Assistenza sociale", "Integrazione sociale"},
		NationalCategory: "Salute, benessere e assistenza",
		Keywords:         []string{"badante", "anziani", "assistenza a casa"},
		Standards: []catalog.Standard{
			{ID: got.Standards[0].ID, Dimension: "tempestivita", Description: "Primo colloquio entro 7 giorni lavorativi dalla richiesta",
				Indicator: "Giorni tra richiesta e colloquio", Formula: "media dei giorni", Target: &seven, Unit: "giorni", HigherIsBetter: false},
			{ID: got.Standards[1].ID, Dimension: "accessibilita", Description: "Richieste evase entro 30 giorni",
				Target: &ninety, Unit: "%", HigherIsBetter: true},
		},
		Documents: []catalog.Document{{ID: got.Documents[0].ID, Kind: "condizioni", Title: "Regolamento", Filename: "regolamento.pdf",
			ContentType: "application/pdf", Size: len(tinyPDF), SHA256: hex.EncodeToString(sum[:])}},
		Position: got.Position,
	}
	require.Equal(t, want, got)
	require.NotEqual(t, uuid.Nil, got.Standards[0].ID)

	// The office and the person round-trip too.
	require.Len(t, d.Offices, 1)
	require.Equal(t, catalog.Office{ID: office, Slug: "segretariato-sociale", Name: "Segretariato sociale", Description: "Lo sportello.",
		Address: "Piazza Risorgimento 1", PostalCode: "00052", City: "Cerveteri", Phone: "06 896301", Email: "sociale@comune.esempio.it",
		PEC: "protocollo@pec.comune.esempio.it", Notes: "Accesso dal cortile.", MainDesk: true, Hours: []catalog.Interval{},
		Exceptions: []catalog.Exception{}}, d.Offices[0])
	require.Equal(t, catalog.Person{ID: person, Name: "Maria Rossi", RoleTitle: "Responsabile del Servizio Sociale", Area: "Anziani",
		Email: "m.rossi@comune.esempio.it", Phone: "06 896302", OfficeID: &office}, d.People[0])

	// Complete: nothing is missing.
	require.Empty(t, catalog.Completeness(d))

	// The edit form shows the stored values.
	r = f.do("GET", "/admin/carta/servizi/"+id.String(), c, red, nil)
	require.Equal(t, 200, r.status)
	for _, s := range []string{`value="Assistenza domiciliare per anziani"`, `value="assistenza-domiciliare-per-anziani"`,
		"Attestazione ISEE\nDocumento d&#39;identità</textarea>", `value="badante, anziani, assistenza a casa"`,
		`name="standard_target_1" value="90,5"`, `value="2026-04-30"`, `value="Integrazione sociale" checked`,
		`<option value="ELD" selected>`, `<option value="isee" selected>`, `formaction="/admin/carta/servizi/` + id.String() + `/anteprima"`,
		`formtarget="_blank"`, "Formattazione",
		fmt.Sprintf("%d caratteri su 255", utf8.RuneCountInString(want.ShortDescription))} {
		require.Contains(t, r.body, s)
	}
	require.Equal(t, 1, strings.Count(r.body, "<h1"))

	// Saving again: standard 0 keeps its id, standard 1 is removed, a new one is added,
	// a deadline is removed.
	form := fullServiceForm(office, person)
	form.Set("standard_id_0", got.Standards[0].ID.String())
	form.Set("standard_description_0", "Primo colloquio entro 5 giorni lavorativi")
	form.Set("standard_id_1", got.Standards[1].ID.String())
	form.Set("standard_remove_1", "1")
	form.Set("standard_dimension_2", "trasparenza")
	form.Set("standard_description_2", "Graduatoria pubblicata online")
	form.Set("deadline_remove_1", "1")
	form.Set("title", "Assistenza domiciliare")
	r = f.do("POST", "/admin/carta/servizi/"+id.String(), c, red, form)
	require.Equal(t, 303, r.status, r.body)
	got2 := f.draft(c).Services[0]
	require.Equal(t, "assistenza-domiciliare", got2.Slug, "an empty slug follows the new title")
	require.Len(t, got2.Standards, 2)
	require.Equal(t, got.Standards[0].ID, got2.Standards[0].ID)
	require.Equal(t, "Primo colloquio entro 5 giorni lavorativi", got2.Standards[0].Description)
	require.NotEqual(t, got.Standards[1].ID, got2.Standards[1].ID)
	require.Equal(t, "trasparenza", got2.Standards[1].Dimension)
	require.Len(t, got2.Deadlines, 1)
	require.Len(t, got2.Documents, 1, "documents survive a save of the form")
	require.Equal(t, 1, f.auditCount(c, "catalog.service.update", id.String()))
	var details string
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		`SELECT details::text FROM audit_log WHERE tenant_id = $1 AND action = 'catalog.service.update'`, c.ID).Scan(&details))
	require.Contains(t, details, `"title"`)
	require.Contains(t, details, `"standards"`)
	require.NotContains(t, details, `"audience"`)
}

func TestCompletenessListsExactlyWhatIsMissing(t *testing.T) {
	t.Parallel()
	empty := catalog.Service{Slug: "vuoto", Title: "Vuoto", Status: "attivo"}
	suspended := catalog.Service{Slug: "sospeso", Title: "Sospeso", Status: "sospeso", StatusReason: "Lavori"}
	partial := catalog.Service{
		Slug: "parziale", Title: "Parziale", Status: "attivo", ShortDescription: "Breve", CategoryCode: "FAM",
		Audience: "Famiglie", HowTo: "   ", NeededItems: []string{"ISEE"}, Obtained: "Aiuto",
		Deadlines: []catalog.Deadline{{Label: "Domande"}}, Documents: []catalog.Document{{Kind: "condizioni"}},
		Topics: []string{"Non un argomento"}, NationalCategory: "Salute, benessere e assistenza",
	}
	got := catalog.Completeness(&catalog.Carta{Services: []catalog.Service{empty, suspended, partial}})
	var fields []string
	for _, m := range got {
		fields = append(fields, m.ServiceSlug+":"+m.Field+":"+m.Label)
	}
	require.Equal(t, []string{
		"vuoto:short_description:Descrizione breve",
		"vuoto:category:Area di utenza",
		"vuoto:audience:A chi è rivolto",
		"vuoto:how_to:Come fare",
		"vuoto:needed:Cosa serve",
		"vuoto:obtained:Cosa si ottiene",
		"vuoto:timing:Tempi e scadenze",
		"vuoto:conditions:Condizioni di servizio",
		"vuoto:responsible_unit:Unità organizzativa responsabile",
		"vuoto:topics:Argomenti",
		"vuoto:national_category:Categoria del servizio",
		"parziale:how_to:Come fare",
		"parziale:responsible_unit:Unità organizzativa responsabile",
		"parziale:topics:Argomenti",
	}, fields)
	require.Equal(t, "Vuoto", got[0].ServiceTitle)

	// A title missing too (possible in an imported draft).
	got = catalog.Completeness(&catalog.Carta{Services: []catalog.Service{{Slug: "x", Status: "attivo", ShortDescription: "b",
		CategoryCode: "FAM", Audience: "a", HowTo: "h", NeededIntro: "n", Obtained: "o", Timing: "t", Conditions: "c",
		ResponsibleUnit: "u", Topics: []string{"Assistenza sociale"}, NationalCategory: "Salute, benessere e assistenza"}}})
	require.Equal(t, []catalog.Missing{{ServiceSlug: "x", Field: "title", Label: "Titolo"}}, got)
	require.Empty(t, catalog.Completeness(&catalog.Carta{}))
	require.Nil(t, catalog.Completeness(nil))
}

func TestRolesAndTenantIsolation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.env.NewTenant(t, tenant.KindComune)
	b := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(a, access.RoleRedattore, "Redattore A")
	rev := f.staffOf(a, access.RoleRevisore, "Revisore A")
	redB := f.staffOf(b, access.RoleRedattore, "Redattore B")

	form := url.Values{"title": {"Segretariato sociale"}, "status": {"attivo"}, "coverage": {"comune"}, "cost_kind": {"gratuito"},
		"national_category": {"Salute, benessere e assistenza"}}
	r := f.do("POST", "/admin/carta/servizi/nuovo", a, red, form)
	require.Equal(t, 303, r.status, r.body)
	svc := idFrom(t, r.location)
	r = f.do("POST", "/admin/carta/uffici/nuovo", a, red, url.Values{"name": {"Sportello"}})
	require.Equal(t, 303, r.status, r.body)
	office := idFrom(t, r.location)

	// The revisore reads, without the controls of changes, and gets 403 on every change.
	r = f.do("GET", "/admin/carta/servizi/"+svc.String(), a, rev, nil)
	require.Equal(t, 200, r.status)
	require.NotContains(t, r.body, "Salva le modifiche")
	require.Contains(t, r.body, "disabled")
	r = f.do("GET", "/admin/carta/servizi", a, rev, nil)
	require.Equal(t, 200, r.status)
	require.NotContains(t, r.body, "Nuovo servizio")
	for _, p := range []string{"/admin/carta/servizi/" + svc.String(), "/admin/carta/servizi/nuovo", "/admin/carta/uffici/" + office.String(),
		"/admin/carta/uffici/" + office.String() + "/orari", "/admin/carta/servizi/" + svc.String() + "/elimina",
		"/admin/carta/categorie", "/admin/carta/persone/nuova", "/admin/carta/parte-generale/nuova"} {
		r = f.do("POST", p, a, rev, form)
		require.Equal(t, 403, r.status, p)
	}
	require.Equal(t, "Segretariato sociale", f.draft(a).Services[0].Title)

	// The redattore edits.
	form.Set("title", "Segretariato sociale e sportello unico")
	r = f.do("POST", "/admin/carta/servizi/"+svc.String(), a, red, form)
	require.Equal(t, 303, r.status, r.body)

	// Another tenant's staff: 404 for A's ids, read or write; their own list does not show them.
	for _, p := range []string{"/admin/carta/servizi/" + svc.String(), "/admin/carta/servizi/" + svc.String() + "/documenti",
		"/admin/carta/servizi/" + svc.String() + "/elimina", "/admin/carta/uffici/" + office.String(),
		"/admin/carta/uffici/" + office.String() + "/orari"} {
		r = f.do("GET", p, b, redB, nil)
		require.Equal(t, 404, r.status, p)
	}
	for _, p := range []string{"/admin/carta/servizi/" + svc.String(), "/admin/carta/servizi/" + svc.String() + "/elimina",
		"/admin/carta/servizi/" + svc.String() + "/sposta", "/admin/carta/uffici/" + office.String(),
		"/admin/carta/uffici/" + office.String() + "/elimina", "/admin/carta/servizi/" + svc.String() + "/anteprima"} {
		r = f.do("POST", p, b, redB, url.Values{"title": {"Rubato"}, "name": {"Rubato"}, "direzione": {"su"}})
		require.Equal(t, 404, r.status, p)
	}
	r = f.upload("/admin/carta/servizi/"+svc.String()+"/documenti", b, redB, map[string]string{"title": "X", "kind": "altro"}, "a.pdf", tinyPDF)
	require.Equal(t, 404, r.status)
	r = f.do("GET", "/admin/carta/servizi", b, redB, nil)
	require.NotContains(t, r.body, "Segretariato")
	require.Equal(t, "Segretariato sociale e sportello unico", f.draft(a).Services[0].Title)
	require.Len(t, f.draft(a).Offices, 1)
	require.Empty(t, f.draft(b).Services)

	// Nobody logged in on the tenant, or no role: refused.
	r = f.do("GET", "/admin/carta", a, uuid.Nil, nil)
	require.Equal(t, 303, r.status)
	require.Contains(t, r.location, "/admin/login")
	r = f.do("GET", "/admin/carta", a, redB, nil)
	require.Equal(t, 403, r.status)
}

func TestFormErrorsKeepInput(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Errori")
	form := url.Values{"title": {"Ab"}, "status": {"sospeso"}, "coverage": {"comune"}, "cost_kind": {"gratuito"},
		"national_category": {"Salute, benessere e assistenza"}, "digital_url": {"http://non-sicuro.example.it"},
		"digital_label": {"Domanda"}, "short_description": {strings.Repeat("x", 256)}, "audience": {"Testo <b>mio</b> da non perdere"},
		"topics": {"Assistenza sociale", "Inventato"}, "slug": {"Non Valido!"},
		"deadline_rows": {"1"}, "deadline_label_0": {"Domande"}, "deadline_due_0": {"31/02/2026"},
		"standard_rows": {"1"}, "standard_description_0": {"Entro 7 giorni"}, "standard_target_0": {"sette"}}
	r := f.do("POST", "/admin/carta/servizi/nuovo", c, red, form)
	require.Equal(t, 422, r.status, r.body)
	for _, s := range []string{
		`id="f-title-error">Scrivi almeno 3 caratteri.`,
		`id="f-status-reason-error">Spiega ai cittadini perché il servizio è sospeso`,
		`id="f-digital-url-error">Inserisci un indirizzo completo che inizia con https://`,
		`id="f-short-description-error">Al massimo 255 caratteri (ora sono 256).`,
		`id="f-topics-error">Uno degli argomenti scelti non esiste`,
		`id="f-slug-error">L&#39;indirizzo può contenere solo`,
		`id="f-deadline-due-0-error">Data non valida`,
		`id="f-standard-dimension-0-error">Scegli la dimensione della qualità.`,
		`id="f-standard-target-0-error">Scrivi un numero`,
		// The input comes back, escaped.
		`value="Ab"`, `value="http://non-sicuro.example.it"`, "Testo &lt;b&gt;mio&lt;/b&gt; da non perdere</textarea>",
		`value="Assistenza sociale" checked`, `value="Domande"`, `value="sette"`, `<option value="sospeso" selected>`,
		`aria-invalid="true"`, "Alcuni campi non sono validi",
	} {
		require.Contains(t, r.body, s)
	}
	require.Empty(t, f.draft(c).Services, "nothing is written")
	require.Zero(t, f.auditCount(c, "catalog.service.create", ""))

	// Adding a row keeps everything typed and saves nothing.
	form.Set("azione", "aggiungi-scadenza")
	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, form)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, `name="deadline_label_1"`)
	require.Contains(t, r.body, `value="Domande"`)
	require.NotContains(t, r.body, "f-title-error")
	require.Empty(t, f.draft(c).Services)

	// A typed slug already used by another service is refused next to the field.
	ok := url.Values{"title": {"Primo servizio"}, "status": {"attivo"}, "coverage": {"comune"}, "cost_kind": {"gratuito"},
		"national_category": {"Salute, benessere e assistenza"}}
	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, ok)
	require.Equal(t, 303, r.status, r.body)
	ok.Set("title", "Primo servizio")
	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, ok)
	require.Equal(t, 303, r.status, "a derived slug gets a suffix")
	d := f.draft(c)
	require.Equal(t, "primo-servizio", d.Services[0].Slug)
	require.Equal(t, "primo-servizio-2", d.Services[1].Slug)
	ok.Set("slug", "primo-servizio")
	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, ok)
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-slug-error">Un altro servizio usa già questo indirizzo`)
}

func TestDocumentUploadChecksTheContent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Documenti")
	r := f.do("POST", "/admin/carta/servizi/nuovo", c, red, url.Values{"title": {"Servizio con documenti"}, "status": {"attivo"},
		"coverage": {"comune"}, "cost_kind": {"gratuito"}, "national_category": {"Salute, benessere e assistenza"}})
	require.Equal(t, 303, r.status, r.body)
	svc := idFrom(t, r.location)
	target := "/admin/carta/servizi/" + svc.String() + "/documenti"

	accepted := []struct {
		name, file, ct string
		data           []byte
	}{
		{"PDF", "condizioni.pdf", "application/pdf", tinyPDF},
		{"DOCX", "modulo.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", minimalDOCX(t)},
		{"ODT", "modulo.odt", "application/vnd.oasis.opendocument.text", minimalODT(t)},
		// A real PDF with a wrong name is a PDF: stored as such, named .pdf.
		{"PDF named .docx", "strano.docx", "application/pdf", tinyPDF},
	}
	for _, a := range accepted {
		r = f.upload(target, c, red, map[string]string{"title": "Documento " + a.name, "kind": "modulo"}, a.file, a.data)
		require.Equal(t, 303, r.status, a.name+": "+r.body)
	}
	docs := f.draft(c).Services[0].Documents
	require.Len(t, docs, len(accepted))
	for i, a := range accepted {
		require.Equal(t, a.ct, docs[i].ContentType, a.name)
		sum := sha256.Sum256(a.data)
		require.Equal(t, hex.EncodeToString(sum[:]), docs[i].SHA256)
		require.Equal(t, len(a.data), docs[i].Size)
		var d catalog.Document
		var data []byte
		require.NoError(t, f.env.DB.InTx(context.Background(), c.ID, func(tx *tenant.Tx) error {
			var err error
			d, data, err = catalog.DocumentContent(context.Background(), tx, docs[i].ID)
			return err
		}))
		require.Equal(t, a.data, data)
		require.Equal(t, docs[i], d)
	}
	require.Equal(t, "strano.pdf", docs[3].Filename)
	require.Equal(t, len(accepted), f.auditCount(c, "catalog.document.upload", ""))

	// The staff download serves the bytes back.
	r = f.do("GET", target+"/"+docs[0].ID.String(), c, red, nil)
	require.Equal(t, 200, r.status)
	require.Equal(t, string(tinyPDF), r.body)
	require.Equal(t, "application/pdf", r.header["Content-Type"])
	require.Contains(t, r.header["Content-Disposition"], `attachment; filename=condizioni.pdf`)

	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	html := []byte("<!doctype html><html><body><script>alert(1)</script></body></html>")
	notWord := zipOf(t, [2]string{"readme.txt", "ciao"})
	fakeODT := zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, [2]string{"content.xml", "<x/>"})
	oversize := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), catalog.MaxDocumentSize)...)
	rejected := []struct {
		name, file string
		data       []byte
		msg        string
	}{
		{"renamed .exe", "programma.pdf", exe, "non è un documento PDF, ODT o DOCX valido"},
		{"renamed .html", "pagina.docx", html, "non è un documento PDF, ODT o DOCX valido"},
		{"zip without a document", "archivio.docx", notWord, "non è un documento PDF, ODT o DOCX valido"},
		{"spreadsheet as .odt", "foglio.odt", fakeODT, "non è un documento PDF, ODT o DOCX valido"},
		{"empty", "vuoto.pdf", nil, "Il file è vuoto."},
		{"oversize", "grande.pdf", oversize, "Il file supera la dimensione massima di 10 MB."},
	}
	for _, x := range rejected {
		r = f.upload(target, c, red, map[string]string{"title": "Titolo " + x.name, "kind": "modulo"}, x.file, x.data)
		require.Equal(t, 422, r.status, x.name)
		require.Contains(t, r.body, `id="f-file-error">`, x.name)
		require.Contains(t, r.body, x.msg, x.name)
		require.Contains(t, r.body, `aria-describedby="f-file-error f-file-help"`, x.name)
		require.Contains(t, r.body, `value="Titolo `+x.name+`"`, "the title is kept")
	}
	r = f.upload(target, c, red, map[string]string{"title": "", "kind": "nessuno"}, "", nil)
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-file-error">Scegli un file da caricare.`)
	require.Contains(t, r.body, `id="f-title-error">Scrivi il titolo del documento`)
	require.Contains(t, r.body, `id="f-kind-error">Scegli il tipo di documento.`)
	require.Len(t, f.draft(c).Services[0].Documents, len(accepted), "nothing rejected was stored")

	// Removing: a document no version published is deleted; one a published version links to
	// is only detached, and its bytes stay downloadable for that version.
	d := f.draft(c)
	f.publish(c, d)
	r = f.do("POST", target+"/"+docs[0].ID.String()+"/rimuovi", c, red, url.Values{})
	require.Equal(t, 303, r.status, r.body)
	r = f.upload(target, c, red, map[string]string{"title": "Bozza", "kind": "altro"}, "bozza.pdf", tinyPDF)
	require.Equal(t, 303, r.status)
	fresh := f.draft(c).Services[0].Documents
	draftDoc := fresh[len(fresh)-1]
	r = f.do("POST", target+"/"+draftDoc.ID.String()+"/rimuovi", c, red, url.Values{})
	require.Equal(t, 303, r.status)
	left := f.draft(c).Services[0].Documents
	require.Len(t, left, len(accepted)-1)
	for _, x := range left {
		require.NotEqual(t, docs[0].ID, x.ID)
	}
	var kept, gone int
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		`SELECT count(*) FILTER (WHERE id = $2 AND detached_at IS NOT NULL), count(*) FILTER (WHERE id = $3)
		 FROM documents WHERE tenant_id = $1`, c.ID, docs[0].ID, draftDoc.ID).Scan(&kept, &gone))
	require.Equal(t, 1, kept, "the published document's bytes are kept")
	require.Zero(t, gone, "the never-published document is deleted")
	require.NoError(t, f.env.DB.InTx(context.Background(), c.ID, func(tx *tenant.Tx) error {
		_, data, err := catalog.DocumentContent(context.Background(), tx, docs[0].ID)
		require.Equal(t, tinyPDF, data)
		return err
	}))
	require.Equal(t, 2, f.auditCount(c, "catalog.document.remove", ""))
	// Removed documents are no longer the service's: no second removal, no staff download.
	r = f.do("POST", target+"/"+docs[0].ID.String()+"/rimuovi", c, red, url.Values{})
	require.Equal(t, 404, r.status)
}

func TestOfficeHoursAndExceptions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Orari")
	r := f.do("POST", "/admin/carta/uffici/nuovo", c, red, url.Values{"name": {"Sportello polivalente"}, "main_desk": {"1"}})
	require.Equal(t, 303, r.status, r.body)
	office := idFrom(t, r.location)
	target := "/admin/carta/uffici/" + office.String() + "/orari"

	bad := url.Values{
		"opens_1_0": {"09:00"}, "closes_1_0": {"12:00"},
		"opens_1_1": {"11:30"}, "closes_1_1": {"13:00"}, // overlaps the first
		"opens_2_0": {"15:00"}, "closes_2_0": {"14:00"}, // closes before it opens
		"opens_3_0": {"09:00"}, // no closing time
		"opens_4_0": {"25:00"}, "closes_4_0": {"26:00"},
	}
	r = f.do("POST", target, c, red, bad)
	require.Equal(t, 422, r.status)
	for _, s := range []string{
		`id="f-opens-1-1-error">Questo intervallo si sovrappone a un altro dello stesso giorno (09:00–12:00).`,
		`id="f-closes-2-0-error">La chiusura deve essere dopo l&#39;apertura.`,
		`id="f-closes-3-0-error">Indica l&#39;ora di chiusura.`,
		`id="f-opens-4-0-error">Orario non valido`,
		`name="opens_1_1" value="11:30"`,
	} {
		require.Contains(t, r.body, s)
	}
	require.Empty(t, f.draft(c).Offices[0].Hours)

	// Seed 000: Mon-Fri 9-12, Tue and Thu also 15:30-17:30; intervals may touch.
	good := url.Values{}
	for d := 1; d <= 5; d++ {
		good.Set("opens_"+strconv.Itoa(d)+"_0", "09:00")
		good.Set("closes_"+strconv.Itoa(d)+"_0", "12:00")
	}
	good.Set("opens_2_1", "15:30")
	good.Set("closes_2_1", "17:30")
	good.Set("opens_4_2", "15:30:00") // as some browsers send it, and in the third slot
	good.Set("closes_4_2", "17:30")
	good.Set("opens_6_0", "09:00")
	good.Set("closes_6_0", "10:00")
	good.Set("opens_6_1", "10:00")
	good.Set("closes_6_1", "11:00")
	r = f.do("POST", target, c, red, good)
	require.Equal(t, 303, r.status, r.body)
	got := f.draft(c).Offices[0].Hours
	iv := func(d int, o, c string) catalog.Interval { return catalog.Interval{Weekday: d, Opens: o, Closes: c} }
	require.Equal(t, []catalog.Interval{
		iv(1, "09:00", "12:00"), iv(2, "09:00", "12:00"), iv(2, "15:30", "17:30"), iv(3, "09:00", "12:00"),
		iv(4, "09:00", "12:00"), iv(4, "15:30", "17:30"), iv(5, "09:00", "12:00"), iv(6, "09:00", "10:00"), iv(6, "10:00", "11:00"),
	}, got)
	require.Equal(t, 1, f.auditCount(c, "catalog.office.hours", office.String()))
	r = f.do("GET", "/admin/carta/uffici", c, red, nil)
	require.Contains(t, r.body, "Martedì 09:00–12:00, 15:30–17:30")

	// Exceptions: for all offices, and special hours for one.
	r = f.do("POST", "/admin/carta/uffici/chiusure", c, red, url.Values{"office": {""}, "date_from": {"2026-12-25"},
		"date_to": {"2026-12-26"}, "closed": {"1"}, "reason": {"Natale"}})
	require.Equal(t, 303, r.status, r.body)
	r = f.do("POST", "/admin/carta/uffici/chiusure", c, red, url.Values{"office": {office.String()}, "date_from": {"2026-08-14"},
		"closed": {"0"}, "opens": {"09:00"}, "closes": {"11:00"}, "reason": {"Prefestivo"}})
	require.Equal(t, 303, r.status, r.body)
	r = f.do("POST", "/admin/carta/uffici/chiusure", c, red, url.Values{"date_from": {"2026-08-20"}, "date_to": {"2026-08-10"},
		"closed": {"0"}, "opens": {"12:00"}, "closes": {"11:00"}, "reason": {"Sbagliata"}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-date-to-error">L&#39;ultimo giorno non può venire prima del primo.`)
	require.Contains(t, r.body, `id="f-closes-error">La chiusura deve essere dopo l&#39;apertura.`)
	require.Contains(t, r.body, `value="Sbagliata"`)
	r = f.do("POST", "/admin/carta/uffici/chiusure", c, red, url.Values{"office": {uuid.NewString()}, "date_from": {"2026-08-20"}, "closed": {"1"}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-office-error">`)

	exc := f.draft(c).Offices[0].Exceptions
	require.Equal(t, []catalog.Exception{
		{OfficeID: &office, From: "2026-08-14", To: "2026-08-14", Closed: false, Opens: "09:00", Closes: "11:00", Reason: "Prefestivo"},
		{From: "2026-12-25", To: "2026-12-26", Closed: true, Reason: "Natale"},
	}, exc)
	require.Equal(t, 2, f.auditCount(c, "catalog.office.exception.create", ""))
	r = f.do("GET", "/admin/carta/uffici/chiusure", c, red, nil)
	require.Contains(t, r.body, "<time datetime=\"2026-12-25\">dal 25 dicembre 2026</time> <time datetime=\"2026-12-26\">al 26 dicembre 2026</time>")
	// Dates take their articles: "dall'8", "all'11", "dell'8".
	r = f.do("POST", "/admin/carta/uffici/chiusure", c, red, url.Values{"office": {""}, "date_from": {"2026-09-08"},
		"date_to": {"2026-09-11"}, "closed": {"1"}, "reason": {"Trasloco"}})
	require.Equal(t, 303, r.status, r.body)
	r = f.do("GET", "/admin/carta/uffici/chiusure", c, red, nil)
	require.Contains(t, r.body, "dall&#39;8 settembre 2026</time> <time datetime=\"2026-09-11\">all&#39;11 settembre 2026</time>")
	require.Contains(t, r.body, "l'eccezione dell&#39;8 settembre 2026")
	require.NotContains(t, r.body, "del 8")

	// One main desk per tenant.
	r = f.do("POST", "/admin/carta/uffici/nuovo", c, red, url.Values{"name": {"Sportello di Cerenova"}, "main_desk": {"1"}})
	require.Equal(t, 303, r.status, r.body)
	offices := f.draft(c).Offices
	require.Len(t, offices, 2)
	require.False(t, offices[0].MainDesk)
	require.True(t, offices[1].MainDesk)
	require.Equal(t, "sportello-di-cerenova", offices[1].Slug)
}

func TestAmbitoServicesHideAndShow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ambito := f.env.NewTenant(t, tenant.KindAmbito)
	member := f.env.Join(t, f.env.NewTenant(t, tenant.KindComune), ambito, false)
	outsider := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(member, access.RoleRedattore, "Lucia Verdi")
	rev := f.staffOf(member, access.RoleRevisore, "Revisore Membro")
	ambRed := f.staffOf(ambito, access.RoleRedattore, "Redattore Ambito")

	// On the ambito, a new service covers the whole ambito by default.
	r := f.do("GET", "/admin/carta/servizi/nuovo", ambito, ambRed, nil)
	require.Contains(t, r.body, `<option value="ambito" selected>`)

	// Before the ambito publishes anything.
	r = f.do("GET", "/admin/carta/ambito", member, red, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, "non ha ancora pubblicato")

	// The ambito publishes a version with two services.
	s1, s2 := uuid.New(), uuid.New()
	f.publish(ambito, &catalog.Carta{
		Tenant:     catalog.TenantRef{ID: ambito.ID, Slug: ambito.Slug, Name: ambito.Name, Kind: "ambito"},
		Categories: []catalog.Category{{ID: uuid.New(), Code: "DIS", Name: "Persone con disabilità", National: true}},
		Services: []catalog.Service{
			{ID: s1, Slug: "trasporto-disabili", Title: "Trasporto sociale per persone con disabilità", Status: "attivo",
				CategoryCode: "DIS", ShortDescription: "Accompagnamento ai centri diurni.", Coverage: "ambito"},
			{ID: s2, Slug: "centro-diurno", Title: "Centro diurno", Status: "attivo", Coverage: "ambito"},
		},
	})

	r = f.do("GET", "/admin/carta/ambito", member, red, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, "Trasporto sociale per persone con disabilità")
	require.Contains(t, r.body, "Centro diurno")
	require.Contains(t, r.body, "Persone con disabilità")
	require.Contains(t, r.body, `action="/admin/carta/ambito/`+s1.String()+`/nascondi"`)
	require.NotContains(t, r.body, "/modifica", "a member cannot edit the ambito's services")
	require.Contains(t, r.body, "I servizi dell&#39;"+ambito.Name+" compaiono nella Carta del comune")
	r = f.do("GET", "/admin/carta", member, red, nil)
	require.Contains(t, r.body, "La bozza della Carta dei Servizi Sociali del "+member.Name+":")
	require.Contains(t, r.body, "I servizi dell&#39;"+ambito.Name+" compaiono nella Carta del comune")
	require.Contains(t, r.body, "area riservata al personale del "+member.Name+"</p>")

	// A reason is required, shown next to that service's field with the input kept.
	r = f.do("POST", "/admin/carta/ambito/"+s1.String()+"/nascondi", member, red, url.Values{"reason": {"no"}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-reason_`+s1.String()+`-error">Scrivi almeno 3 caratteri.`)
	require.Contains(t, r.body, ">no</textarea>")
	require.Empty(t, f.draft(member).HiddenAmbitoServices)

	// The revisore may not hide.
	r = f.do("POST", "/admin/carta/ambito/"+s1.String()+"/nascondi", member, rev, url.Values{"reason": {"Servizio offerto dal comune"}})
	require.Equal(t, 403, r.status)

	reason := "Il comune offre già un proprio servizio di trasporto"
	r = f.do("POST", "/admin/carta/ambito/"+s1.String()+"/nascondi", member, red, url.Values{"reason": {reason}})
	require.Equal(t, 303, r.status, r.body)
	require.Equal(t, []catalog.Hidden{{ServiceID: s1, Reason: reason}}, f.draft(member).HiddenAmbitoServices)
	require.Equal(t, 1, f.auditCount(member, "catalog.ambito.hide", s1.String()))
	r = f.do("GET", "/admin/carta/ambito", member, rev, nil)
	require.Contains(t, r.body, "Nascosto da Lucia Verdi (<time")
	require.Contains(t, r.body, "Il comune offre già un proprio servizio di trasporto")
	require.NotContains(t, r.body, "Mostra di nuovo", "no controls for the revisore")

	// A service the ambito does not publish, and a comune outside the ambito: nothing to hide.
	r = f.do("POST", "/admin/carta/ambito/"+uuid.NewString()+"/nascondi", member, red, url.Values{"reason": {reason}})
	require.Equal(t, 404, r.status)
	outRed := f.staffOf(outsider, access.RoleRedattore, "Redattore Esterno")
	r = f.do("POST", "/admin/carta/ambito/"+s2.String()+"/nascondi", outsider, outRed, url.Values{"reason": {reason}})
	require.Equal(t, 404, r.status)
	r = f.do("GET", "/admin/carta/ambito", outsider, outRed, nil)
	require.Contains(t, r.body, "non fa parte di un ambito")
	// The ambito's own draft knows nothing of the member's choice.
	require.Empty(t, f.draft(ambito).HiddenAmbitoServices)

	r = f.do("POST", "/admin/carta/ambito/"+s1.String()+"/mostra", member, red, url.Values{})
	require.Equal(t, 303, r.status)
	require.Empty(t, f.draft(member).HiddenAmbitoServices)
	require.Equal(t, 1, f.auditCount(member, "catalog.ambito.show", s1.String()))
	r = f.do("POST", "/admin/carta/ambito/"+s1.String()+"/mostra", member, red, url.Values{})
	require.Equal(t, 404, r.status)
}

func TestDeleteOrArchive(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Elimina")
	create := func(title string) uuid.UUID {
		r := f.do("POST", "/admin/carta/servizi/nuovo", c, red, url.Values{"title": {title}, "status": {"attivo"}, "coverage": {"comune"},
			"cost_kind": {"gratuito"}, "national_category": {"Salute, benessere e assistenza"}})
		require.Equal(t, 303, r.status, r.body)
		return idFrom(t, r.location)
	}
	draftOnly := create("Mai pubblicato")
	published := create("Già pubblicato")
	third := create("Terzo servizio")

	// Reorder: the third moves up.
	r := f.do("POST", "/admin/carta/servizi/"+third.String()+"/sposta", c, red, url.Values{"direzione": {"su"}})
	require.Equal(t, 303, r.status)
	d := f.draft(c)
	require.Equal(t, []string{"Mai pubblicato", "Terzo servizio", "Già pubblicato"}, []string{d.Services[0].Title, d.Services[1].Title, d.Services[2].Title})
	r = f.do("POST", "/admin/carta/servizi/"+draftOnly.String()+"/sposta", c, red, url.Values{"direzione": {"su"}})
	require.Equal(t, 303, r.status, "the first cannot move up: nothing happens")
	r = f.do("POST", "/admin/carta/servizi/"+draftOnly.String()+"/sposta", c, red, url.Values{"direzione": {"di lato"}})
	require.Equal(t, 400, r.status)

	r = f.do("GET", "/admin/carta/servizi/"+published.String()+"/elimina", c, red, nil)
	require.Contains(t, r.body, "Elimina definitivamente")
	f.publish(c, f.draft(c))
	r = f.do("GET", "/admin/carta/servizi/"+published.String()+"/elimina", c, red, nil)
	require.Contains(t, r.body, "Archivia il servizio")

	// Both were published in the version above; a new one is deleted for real.
	fresh := create("Nuovo e subito eliminato")
	r = f.do("GET", "/admin/carta/servizi/"+fresh.String()+"/elimina", c, red, nil)
	require.Contains(t, r.body, "Elimina definitivamente")
	r = f.do("POST", "/admin/carta/servizi/"+fresh.String()+"/elimina", c, red, url.Values{})
	require.Equal(t, 303, r.status)
	require.Equal(t, 1, f.auditCount(c, "catalog.service.delete", fresh.String()))
	r = f.do("GET", "/admin/carta/servizi/"+fresh.String(), c, red, nil)
	require.Equal(t, 404, r.status)

	r = f.do("POST", "/admin/carta/servizi/"+published.String()+"/elimina", c, red, url.Values{})
	require.Equal(t, 303, r.status)
	require.Equal(t, 1, f.auditCount(c, "catalog.service.archive", published.String()))
	r = f.do("GET", "/admin/carta/servizi/"+published.String(), c, red, nil)
	require.Equal(t, 200, r.status, "an archived service still exists")
	require.Contains(t, r.body, `<option value="archiviato" selected>`)
	for _, s := range f.draft(c).Services {
		require.NotEqual(t, published, s.ID, "archived services leave the draft Carta")
	}
	r = f.do("GET", "/admin/carta/servizi?stato=archiviato", c, red, nil)
	require.Contains(t, r.body, "Già pubblicato")
	require.NotContains(t, r.body, "Terzo servizio")
}

func TestPreviewRendersPostedValues(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Anteprima")
	r := f.do("POST", "/admin/carta/servizi/nuovo", c, red, url.Values{"title": {"Servizio salvato"}, "status": {"attivo"},
		"coverage": {"comune"}, "cost_kind": {"gratuito"}, "national_category": {"Salute, benessere e assistenza"}})
	require.Equal(t, 303, r.status)
	id := idFrom(t, r.location)

	form := url.Values{"title": {"Titolo non salvato"}, "status": {"attivo"}, "short_description": {"Breve"},
		"audience": {"Per **tutti** <script>alert(1)</script> [x](javascript:alert(1))"}, "needed_items": {"ISEE"},
		"topics": {"Assistenza sociale"}, "national_category": {"Salute, benessere e assistenza"}, "coverage": {"comune"}, "cost_kind": {"gratuito"}}
	r = f.do("POST", "/admin/carta/servizi/"+id.String()+"/anteprima", c, red, form)
	require.Equal(t, 200, r.status, r.body)
	require.Contains(t, r.body, "Titolo non salvato")
	require.Contains(t, r.body, "<strong>tutti</strong>")
	require.NotContains(t, r.body, "<script>alert")
	require.NotContains(t, r.body, "javascript:")
	require.Contains(t, r.body, `data-element="service-topic">Assistenza sociale`)
	require.Contains(t, r.body, "Anteprima")
	require.Equal(t, "Servizio salvato", f.draft(c).Services[0].Title, "a preview saves nothing")

	// The revisore may preview too (it writes nothing), a new service as well.
	rev := f.staffOf(c, access.RoleRevisore, "Revisore Anteprima")
	r = f.do("POST", "/admin/carta/servizi/nuovo/anteprima", c, rev, form)
	require.Equal(t, 200, r.status)

	// With the real renderer wired, it gets the posted service within the draft.
	var seen catalog.Service
	var draftServices int
	g := setup(t, fixtureOpts{preview: func(fc *fiber.Ctx, svc catalog.Service, draft *catalog.Carta) error {
		seen, draftServices = svc, len(draft.Services)
		return fc.SendString("renderer dei cittadini")
	}})
	r = g.do("POST", "/admin/carta/servizi/"+id.String()+"/anteprima", c, red, form)
	require.Equal(t, 200, r.status)
	require.Equal(t, "renderer dei cittadini", r.body)
	require.Equal(t, id, seen.ID)
	require.Equal(t, "Titolo non salvato", seen.Title)
	require.Equal(t, 1, draftServices, "the posted service replaces the stored one in the draft")
}

func TestCategories(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Categorie")
	r := f.do("GET", "/admin/carta/categorie", c, red, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, "Famiglia e minori")

	r = f.do("POST", "/admin/carta/categorie", c, red, url.Values{"name": {"Giovani e adolescenti"}})
	require.Equal(t, 303, r.status, r.body)
	r = f.do("POST", "/admin/carta/categorie", c, red, url.Values{"name": {"Giovani e adolescenti"}})
	require.Equal(t, 303, r.status, r.body)
	r = f.do("POST", "/admin/carta/categorie", c, red, url.Values{"name": {"Altro"}, "code": {"fam"}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-code-error">Un&#39;altra area di utenza usa già questo codice`)
	r = f.do("POST", "/admin/carta/categorie", c, red, url.Values{"name": {"A"}, "code": {"è?"}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-name-error">`)
	require.Contains(t, r.body, `id="f-code-error">`)

	d := f.draft(c)
	own := d.Categories[len(d.Categories)-2:]
	require.Equal(t, "GIOVANI-E", own[0].Code)
	require.Equal(t, "GIOVANI-E-2", own[1].Code)
	require.False(t, own[0].National)

	// National categories cannot be changed.
	fam := d.Categories[1]
	r = f.do("POST", "/admin/carta/categorie/"+fam.ID.String(), c, red, url.Values{"name": {"Famiglie"}})
	require.Equal(t, 403, r.status)
	r = f.do("POST", "/admin/carta/categorie/"+fam.ID.String()+"/elimina", c, red, url.Values{})
	require.Equal(t, 403, r.status)

	r = f.do("POST", "/admin/carta/categorie/"+own[0].ID.String(), c, red, url.Values{"name": {"Giovani"}, "code": {"giov"}})
	require.Equal(t, 303, r.status, r.body)
	r = f.do("POST", "/admin/carta/categorie/"+own[1].ID.String()+"/elimina", c, red, url.Values{})
	require.Equal(t, 303, r.status)
	d = f.draft(c)
	require.Equal(t, "GIOV", d.Categories[len(d.Categories)-1].Code)
	require.Equal(t, "Giovani", d.Categories[len(d.Categories)-1].Name)
	require.Len(t, d.Categories, len(catalog.NationalCategories)+1)
	require.Equal(t, 2, f.auditCount(c, "catalog.category.create", ""))
	require.Equal(t, 1, f.auditCount(c, "catalog.category.update", own[0].ID.String()))
	require.Equal(t, 1, f.auditCount(c, "catalog.category.delete", own[1].ID.String()))
}

func TestPeople(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Persone")
	r := f.do("POST", "/admin/carta/persone/nuova", c, red, url.Values{"name": {"X"}, "email": {"non-valida"}, "phone": {"abc"}})
	require.Equal(t, 422, r.status)
	for _, s := range []string{`id="f-name-error">`, `id="f-email-error">`, `id="f-phone-error">`, `value="non-valida"`} {
		require.Contains(t, r.body, s)
	}
	r = f.do("POST", "/admin/carta/persone/nuova", c, red, url.Values{"name": {"Giulia Bianchi"}, "role_title": {"Assistente sociale"}})
	require.Equal(t, 303, r.status, r.body)
	p := f.draft(c).People[0]
	r = f.do("POST", "/admin/carta/persone/"+p.ID.String(), c, red, url.Values{"name": {"Giulia Bianchi"}, "area": {"Minori"}})
	require.Equal(t, 303, r.status, r.body)
	require.Equal(t, "Minori", f.draft(c).People[0].Area)
	require.Empty(t, f.draft(c).People[0].RoleTitle)
	r = f.do("POST", "/admin/carta/persone/"+p.ID.String()+"/elimina", c, red, url.Values{})
	require.Equal(t, 303, r.status)
	require.Empty(t, f.draft(c).People)
	require.Equal(t, 1, f.auditCount(c, "catalog.person.delete", p.ID.String()))
}

var (
	controlRE = regexp.MustCompile(`<(?:input|select|textarea)\b[^>]*>`)
	idAttrRE  = regexp.MustCompile(`\bid="([^"]+)"`)
)

// TestEveryPageRenders opens every staff page, as the redattore and as the revisore: each
// answers 200 with one h1 and labelled form controls.
func TestEveryPageRenders(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ambito := f.env.NewTenant(t, tenant.KindAmbito)
	c := f.env.Join(t, f.env.NewTenant(t, tenant.KindComune), ambito, true)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Pagine")
	rev := f.staffOf(c, access.RoleRevisore, "Revisore Pagine")
	r := f.do("POST", "/admin/carta/uffici/nuovo", c, red, url.Values{"name": {"Ufficio"}})
	office := idFrom(t, r.location)
	r = f.do("POST", "/admin/carta/persone/nuova", c, red, url.Values{"name": {"Persona Prova"}})
	require.Equal(t, 303, r.status)
	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, url.Values{"title": {"Servizio"}, "status": {"attivo"}, "coverage": {"comune"},
		"cost_kind": {"gratuito"}, "national_category": {"Salute, benessere e assistenza"}})
	svc := idFrom(t, r.location)
	r = f.do("POST", "/admin/carta/categorie", c, red, url.Values{"name": {"Propria"}})
	require.Equal(t, 303, r.status)
	r = f.do("GET", "/admin/carta", c, red, nil) // first visit: the defaults
	require.Equal(t, 200, r.status)
	d := f.draft(c)
	pages := []string{"/admin/carta", "/admin/carta/servizi", "/admin/carta/servizi/" + svc.String(),
		"/admin/carta/servizi/" + svc.String() + "/documenti", "/admin/carta/categorie",
		"/admin/carta/categorie/" + d.Categories[0].ID.String(), "/admin/carta/categorie/" + d.Categories[len(d.Categories)-1].ID.String(),
		"/admin/carta/uffici", "/admin/carta/uffici/" + office.String(), "/admin/carta/uffici/" + office.String() + "/orari",
		"/admin/carta/uffici/chiusure", "/admin/carta/persone", "/admin/carta/persone/" + d.People[0].ID.String(),
		"/admin/carta/parte-generale", "/admin/carta/parte-generale/" + sectionID(t, f, c, "reclami").String(), "/admin/carta/ambito"}
	writeOnly := []string{"/admin/carta/servizi/nuovo", "/admin/carta/servizi/" + svc.String() + "/elimina",
		"/admin/carta/uffici/nuovo", "/admin/carta/persone/nuova", "/admin/carta/parte-generale/nuova"}
	labelFor := func(body string) {
		// Every visible input, select and textarea has a label naming its id.
		for _, m := range controlRE.FindAllStringSubmatch(body, -1) {
			tag := m[0]
			if strings.Contains(tag, `type="hidden"`) {
				continue
			}
			id := idAttrRE.FindStringSubmatch(tag)
			require.NotNil(t, id, "control without id: %s", tag)
			require.Contains(t, body, `for="`+id[1]+`"`, "control without label: %s", tag)
		}
	}
	for _, p := range append(pages, writeOnly...) {
		r = f.do("GET", p, c, red, nil)
		require.Equal(t, 200, r.status, p)
		require.Equal(t, 1, strings.Count(r.body, "<h1"), p)
		labelFor(r.body)
	}
	// Every missing field links to its control on the service's form.
	r = f.do("GET", "/admin/carta/servizi/"+svc.String(), c, red, nil)
	missing := catalog.Completeness(f.draft(c))
	require.NotEmpty(t, missing)
	for _, m := range missing {
		u := catalog.ServiceFieldURL(svc, m.Field)
		_, anchor, _ := strings.Cut(u, "#")
		require.Contains(t, r.body, `href="`+u+`"`, m.Field)
		require.Contains(t, r.body, `id="`+anchor+`"`, m.Field)
	}
	for _, p := range pages {
		r = f.do("GET", p, c, rev, nil)
		require.Equal(t, 200, r.status, p)
	}
	for _, p := range writeOnly {
		r = f.do("GET", p, c, rev, nil)
		require.Equal(t, 403, r.status, p)
	}
}
