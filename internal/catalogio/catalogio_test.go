package catalogio_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/catalogio"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Test headers standing in for the tenant resolver and the login session; everything after
// them (CSRF, the access router with the real Casbin enforcer, the handlers) is the real thing.
const (
	hdrTenant = "X-Test-Tenant"
	hdrUser   = "X-Test-User"
)

// A fixed double-submit CSRF token, sent as cookie and form field like a browser would.
const csrfToken = "dGVzdC10b2tlbi1mb3ItY2F0YWxvZ2lvLWltcG9ydHM"

type fixture struct {
	t   *testing.T
	env *testenv.Env
	enf *access.Enforcer
	app *fiber.App
	reg *access.Registry
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := testenv.Get(t)
	enf, err := access.New(context.Background(), access.Deps{DB: env.DB, Redis: env.Redis, Log: quiet})
	require.NoError(t, err)
	t.Cleanup(enf.Close)
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{catalogio.Templates}, Dev: true, Log: quiet})
	require.NoError(t, err)

	f := &fixture{t: t, env: env, enf: enf, reg: access.NewRegistry()}
	// The application's body limit (internal/app): larger than the import's own 5 MB, so the
	// handler is the one refusing bigger files, with a message.
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet), BodyLimit: 12 << 20})
	app.Use(func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		if slug := c.Get(hdrTenant); slug != "" {
			tn, err := env.Tenants.BySlug(ctx, slug)
			if err != nil {
				return err
			}
			ctx = tenant.WithTenant(ctx, tn)
		}
		if id := c.Get(hdrUser); id != "" {
			ctx = principal.WithStaff(ctx, &principal.Staff{UserID: uuid.MustParse(id), Email: "staff@example.it", Name: "Staff"})
		}
		c.SetUserContext(principal.WithOrigin(ctx, principal.Origin{IP: "192.0.2.8", UserAgent: "test"}))
		return c.Next()
	}, web.CSRF())
	admin := app.Group("/admin")
	catalogio.Register(access.NewRouter(admin, "/admin", enf, f.reg), catalogio.Deps{
		Render: r, DB: env.DB, Log: quiet,
		Nav: func(*fiber.Ctx) []web.NavItem { return []web.NavItem{{Label: "Bacheca", URL: "/admin"}} },
	})
	f.app = app
	return f
}

// staff creates a user holding role in t.
func (f *fixture) staff(role string, t *tenant.Tenant) uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	email := fmt.Sprintf("%s-%x@example.it", role, testenv.Uint64())
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(),
		`INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id`, email, "Persona "+role).Scan(&id))
	require.NoError(f.t, f.enf.Grant(context.Background(), id, role, t.ID.String()))
	return id
}

// comune creates a comune with categories, offices and people to refer to.
func (f *fixture) comune() *tenant.Tenant {
	f.t.Helper()
	t := f.env.NewTenant(f.t, tenant.KindComune)
	f.refs(t)
	return t
}

func (f *fixture) refs(t *tenant.Tenant) {
	f.t.Helper()
	ctx := context.Background()
	for i, c := range [][2]string{{"FAM", "Famiglia e minori"}, {"ELD", "Anziani"}, {"DIS", "Persone con disabilità"}} {
		_, err := f.env.Admin.Exec(ctx, `INSERT INTO categories (tenant_id, code, name, position, is_national) VALUES ($1, $2, $3, $4, true)`,
			t.ID, c[0], c[1], i)
		require.NoError(f.t, err)
	}
	for i, o := range [][2]string{{"segretariato-sociale", "Segretariato sociale"}, {"sportello-nord", "Sportello Nord"}} {
		_, err := f.env.Admin.Exec(ctx, `INSERT INTO offices (tenant_id, slug, name, position) VALUES ($1, $2, $3, $4)`, t.ID, o[0], o[1], i)
		require.NoError(f.t, err)
	}
	for _, p := range [][2]string{{"Maria Rossi", "m.rossi@comune.esempio.it"}, {"Giulia Bianchi", ""}} {
		_, err := f.env.Admin.Exec(ctx, `INSERT INTO people (tenant_id, name, email) VALUES ($1, $2, $3)`, t.ID, p[0], p[1])
		require.NoError(f.t, err)
	}
}

type resp struct {
	status  int
	body    string
	header  http.Header
	rawBody []byte
}

func (f *fixture) do(req *http.Request, t *tenant.Tenant, as uuid.UUID) resp {
	f.t.Helper()
	if t != nil {
		req.Header.Set(hdrTenant, t.Slug)
	}
	if as != uuid.Nil {
		req.Header.Set(hdrUser, as.String())
	}
	req.AddCookie(&http.Cookie{Name: web.CSRFCookie, Value: csrfToken})
	res, err := f.app.Test(req, -1)
	require.NoError(f.t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	return resp{status: res.StatusCode, body: string(b), header: res.Header, rawBody: b}
}

func (f *fixture) get(path string, t *tenant.Tenant, as uuid.UUID) resp {
	f.t.Helper()
	return f.do(httptest.NewRequest("GET", path, nil), t, as)
}

// upload posts data as the file of the import form, as a browser does.
func (f *fixture) upload(t *tenant.Tenant, as uuid.UUID, filename string, data []byte) resp {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(f.t, mw.WriteField(web.CSRFField, csrfToken))
	fw, err := mw.CreateFormFile("file", filename)
	require.NoError(f.t, err)
	_, err = fw.Write(data)
	require.NoError(f.t, err)
	require.NoError(f.t, mw.Close())
	req := httptest.NewRequest("POST", "/admin/carta/importa", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.do(req, t, as)
}

func (f *fixture) importAs(t *tenant.Tenant, data []byte) *catalogio.Result {
	f.t.Helper()
	ctx := principal.WithStaff(context.Background(), &principal.Staff{UserID: f.staff(access.RoleRedattore, t), Email: "redattore@example.it"})
	res, err := catalogio.Import(ctx, f.env.DB, t, data)
	require.NoError(f.t, err)
	return res
}

func (f *fixture) count(t *tenant.Tenant) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM services WHERE tenant_id = $1`, t.ID).Scan(&n))
	return n
}

// snapshot is every column of every service of t, updated_at included: equal snapshots mean
// nothing was written.
func (f *fixture) snapshot(t *tenant.Tenant) string {
	f.t.Helper()
	var s *string
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(),
		`SELECT jsonb_agg(to_jsonb(s) ORDER BY slug)::text FROM services s WHERE tenant_id = $1`, t.ID).Scan(&s))
	if s == nil {
		return ""
	}
	return *s
}

type svc struct {
	Title, Status, StatusReason, Short, Description, Audience, CostKind, National string
	Category, Office, Person                                                      *string
	Macro                                                                         *int
	Topics, Keywords, Needed                                                      []string
}

func (f *fixture) service(t *tenant.Tenant, slug string) svc {
	f.t.Helper()
	var s svc
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(), `
		SELECT s.title, s.status, s.status_reason, s.short_description, s.description, s.audience,
		       s.cost_kind, s.national_category, c.code, o.slug, p.name, s.macro_level, s.topics,
		       s.keywords, s.needed_items
		FROM services s
		LEFT JOIN categories c ON c.tenant_id = s.tenant_id AND c.id = s.category_id
		LEFT JOIN offices o ON o.tenant_id = s.tenant_id AND o.id = s.office_id
		LEFT JOIN people p ON p.tenant_id = s.tenant_id AND p.id = s.responsible_person_id
		WHERE s.tenant_id = $1 AND s.slug = $2`, t.ID, slug).Scan(
		&s.Title, &s.Status, &s.StatusReason, &s.Short, &s.Description, &s.Audience, &s.CostKind, &s.National,
		&s.Category, &s.Office, &s.Person, &s.Macro, &s.Topics, &s.Keywords, &s.Needed))
	return s
}

// csvFile builds a CSV the way a spreadsheet saves it.
func csvFile(sep rune, bom bool, rows ...[]string) []byte {
	var b bytes.Buffer
	if bom {
		b.WriteString("\uFEFF")
	}
	w := csv.NewWriter(&b)
	w.Comma = sep
	w.UseCRLF = true
	for _, r := range rows {
		_ = w.Write(r)
	}
	w.Flush()
	return b.Bytes()
}

// xlsxFile builds a workbook with excelize, rows written from A1 of the named sheet.
func xlsxFile(t *testing.T, sheet string, rows ...[]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	if sheet != "Sheet1" {
		require.NoError(t, x.SetSheetName("Sheet1", sheet))
	}
	for i, r := range rows {
		require.NoError(t, x.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &r))
	}
	buf, err := x.WriteToBuffer()
	require.NoError(t, err)
	return buf.Bytes()
}

var fullHeader = catalogio.Columns()

// fullRow is a complete, valid row of the template, with the given slug and title.
func fullRow(slug, title string) []string {
	v := map[string]string{
		"slug": slug, "titolo": title, "stato": "attivo", "categoria": "ELD", "livello_macro": "2",
		"codice_nomenclatore": "B2.1", "descrizione_breve": "Aiuto a casa per le persone anziane.",
		"cosa_e":          "Il servizio di **assistenza domiciliare** aiuta le persone a restare a casa.",
		"a_chi_e_rivolto": "- Persone con più di 65 anni\n- residenti nel Comune",
		"copertura":       "comune", "come_fare": "1. Prendi appuntamento\n2. Presenta la domanda",
		"cosa_serve": "Per la domanda servono:", "documenti_necessari": "Documento d'identità\nAttestazione ISEE",
		"cosa_si_ottiene": "Fino a 10 ore settimanali.", "tempi_e_scadenze": "Primo colloquio entro 7 giorni.",
		"costo_tipo": "isee", "costo_testo": "=In base all'ISEE", "ufficio": "segretariato-sociale",
		"canale_digitale_etichetta": "Presenta la domanda online", "canale_digitale_url": "https://servizi.comune.esempio.it/sad",
		"prenotazione_url": "https://prenota.comune.esempio.it", "prenotazione_testo": "Telefona dal lunedì al venerdì.",
		"vincoli": "Nessuno.", "casi_particolari": "@urgenze: entro 48 ore", "ulteriori_informazioni": "+39 per l'estero",
		"condizioni_di_servizio": "Regolamento comunale.", "contatti": "Tel. 06 1234567",
		"unita_organizzativa": "Servizio Sociale Professionale", "responsabile": "m.rossi@comune.esempio.it",
		"erogatori": "Cooperativa sociale Esempio", "argomenti": "Assistenza sociale | Assistenza agli invalidi",
		"categoria_nazionale": "Salute, benessere e assistenza", "parole_chiave": "badante, SAD, assistenza a casa",
	}
	row := make([]string, len(fullHeader))
	for i, k := range fullHeader {
		row[i] = v[k]
	}
	return row
}

func colOf(key string) int {
	for i, k := range fullHeader {
		if k == key {
			return i
		}
	}
	panic("no column " + key)
}

func set(row []string, key, v string) []string {
	row[colOf(key)] = v
	return row
}

func TestEveryRouteIsGuarded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	require.Empty(t, access.Unguarded(f.app.GetRoutes(true), f.reg, "/admin", nil))
	require.Empty(t, access.Ungranted(f.reg))
	for path, perm := range map[string]access.Perm{
		"POST /admin/carta/importa": access.CatalogWrite, "GET /admin/carta/importa": access.CatalogWrite,
		"GET /admin/carta/modello.xlsx": access.CatalogRead, "GET /admin/carta/modello.csv": access.CatalogRead,
		"GET /admin/carta/esporta.xlsx": access.CatalogRead, "GET /admin/carta/esporta.csv": access.CatalogRead,
	} {
		method, p, _ := strings.Cut(path, " ")
		got, ok := f.reg.Lookup(method, p)
		require.True(t, ok, path)
		require.Equal(t, perm, got, path)
	}
}

func TestRedattoreImportsRevisoreCannot(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	red := f.staff(access.RoleRedattore, c)
	rev := f.staff(access.RoleRevisore, c)
	file := csvFile(';', true, fullHeader, fullRow("", "Assistenza domiciliare"))

	r := f.upload(c, rev, "servizi.csv", file)
	require.Equal(t, http.StatusForbidden, r.status)
	require.Zero(t, f.count(c))
	require.Equal(t, http.StatusForbidden, f.get("/admin/carta/importa", c, rev).status)
	// Reading is allowed: the revisore exports and downloads the template.
	require.Equal(t, http.StatusOK, f.get("/admin/carta/esporta.csv", c, rev).status)
	require.Equal(t, http.StatusOK, f.get("/admin/carta/modello.xlsx", c, rev).status)
	// Nobody logged in: no access at all.
	require.Equal(t, http.StatusUnauthorized, f.upload(c, uuid.Nil, "servizi.csv", file).status)
	// A redattore of another comune has no role here.
	other := f.comune()
	require.Equal(t, http.StatusForbidden, f.upload(c, f.staff(access.RoleRedattore, other), "servizi.csv", file).status)
	require.Zero(t, f.count(c))

	r = f.get("/admin/carta/importa", c, red)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, `enctype="multipart/form-data"`)
	require.Contains(t, r.body, `<label for="f-file"`)
	require.Contains(t, r.body, `href="/admin/carta/modello.xlsx"`)

	r = f.upload(c, red, "servizi.csv", file)
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	require.Equal(t, "/admin/carta/importa", r.header.Get("Location"))
	require.Equal(t, 1, f.count(c))
	require.Equal(t, "Assistenza domiciliare", f.service(c, "assistenza-domiciliare").Title)

	// The summary is shown on the page the browser is sent to.
	var flash string
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == web.FlashCookie {
			flash = ck.Value
		}
	}
	require.NotEmpty(t, flash)
	req := httptest.NewRequest("GET", "/admin/carta/importa", nil)
	req.AddCookie(&http.Cookie{Name: web.FlashCookie, Value: flash})
	r = f.do(req, c, red)
	require.Contains(t, r.body, "Importazione completata: 1 servizio creato, 0 aggiornati.")
}

func TestBadRowWritesNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	red := f.staff(access.RoleRedattore, c)
	require.True(t, f.importAs(c, csvFile(',', false, fullHeader, fullRow("sad", "Assistenza domiciliare"))).OK())
	before, beforeSnap := f.count(c), f.snapshot(c)
	require.Equal(t, 1, before)

	bad := fullRow("", "Centro diurno")
	set(bad, "costo_tipo", "caro")
	set(bad, "canale_digitale_url", "http://servizi.comune.esempio.it")
	rows := [][]string{
		fullHeader,
		set(fullRow("sad", "Assistenza domiciliare per anziani"), "stato", "sospeso"), // line 2: needs a reason
		fullRow("", "Pasti a domicilio"),                                              // line 3: good
		bad,                                                                           // line 4: two problems
		fullRow("", "Trasporto sociale"),                                              // line 5: good
		set(fullRow("", "Te"), "categoria", "XYZ"),                                    // line 6: short title, unknown category
	}
	file := csvFile(';', true, rows...)

	r := f.upload(c, red, "servizi.csv", file)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Equal(t, before, f.count(c), "nothing written")
	require.Equal(t, beforeSnap, f.snapshot(c), "nothing written")
	require.Contains(t, r.body, `<h2 id="errori-titolo"`)
	require.Contains(t, r.body, "Nessun servizio è stato creato o modificato.")
	require.Contains(t, r.body, "ci sono 5 errori in 3 righe")
	require.Contains(t, r.body, `<th scope="col">Riga</th>`)
	require.Contains(t, r.body, "<td>4</td>")
	require.Contains(t, r.body, "costo_tipo")

	// The same through the API, with exact lines and columns.
	res, err := catalogio.Import(context.Background(), f.env.DB, c, file)
	require.NoError(t, err)
	require.False(t, res.OK())
	type lc struct {
		Line   int
		Column string
	}
	var got []lc
	for _, p := range res.Problems {
		got = append(got, lc{p.Line, p.Column})
		require.NotEmpty(t, p.Reason)
		require.NotEmpty(t, p.Letter)
	}
	require.Equal(t, []lc{{2, "motivo_stato"}, {4, "costo_tipo"}, {4, "canale_digitale_url"}, {6, "titolo"}, {6, "categoria"}}, got)
	require.Contains(t, res.Problems[1].Reason, "gratuito, fisso, isee, variabile")
	require.Contains(t, res.Problems[2].Reason, "https://")
	require.Contains(t, res.Problems[4].Reason, "Codici validi: FAM, ELD, DIS")
	require.Equal(t, "D", res.Problems[0].Letter) // motivo_stato is the fourth column
	require.Zero(t, res.Created+res.Updated)
	require.Equal(t, beforeSnap, f.snapshot(c))
	var audits int
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'carta.import'`, c.ID).Scan(&audits))
	require.Equal(t, 1, audits, "only the first, good import was recorded")
}

func TestValidationMessages(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	require.True(t, f.importAs(c, csvFile(',', false, fullHeader, fullRow("sad", "Assistenza domiciliare"))).OK())
	long := strings.Repeat("à", 256)
	cases := []struct {
		row    []string
		column string
		reason string
	}{
		{set(fullRow("", "Servizio"), "descrizione_breve", long), "descrizione_breve", "al massimo 255 caratteri (ora 256)"},
		{set(fullRow("", "Servizio"), "descrizione_breve", ""), "descrizione_breve", "obbligatorio per un nuovo servizio"},
		{set(fullRow("sad", "Servizio"), "descrizione_breve", ""), "descrizione_breve", "non può essere svuotato"},
		{set(fullRow("", ""), "stato", ""), "titolo", "obbligatorio per un nuovo servizio (Titolo)"},
		{set(fullRow("sad", ""), "stato", ""), "titolo", "non può essere svuotato"},
		{set(fullRow("", "Servizio"), "categoria", ""), "categoria", "obbligatorio per un nuovo servizio (Area di utenza)"},
		{set(fullRow("", "Servizio"), "stato", "chiuso"), "stato", "attivo, sospeso, archiviato"},
		{set(fullRow("", "Servizio"), "copertura", "regione"), "copertura", "comune, ambito"},
		{set(fullRow("", "Servizio"), "livello_macro", "7"), "livello_macro", "da 1 a 5"},
		{set(fullRow("", "Servizio"), "ufficio", "ufficio-inesistente"), "ufficio", "segretariato-sociale, sportello-nord"},
		{set(fullRow("", "Servizio"), "responsabile", "Mario Verdi"), "responsabile", "Nessuna persona responsabile si chiama"},
		{set(fullRow("", "Servizio"), "responsabile", "x@example.it"), "responsabile", "Nessuna persona responsabile ha l'email"},
		{set(fullRow("", "Servizio"), "argomenti", "Assistenza sociale | Calcio"), "argomenti", "«Calcio»"},
		{set(fullRow("", "Servizio"), "categoria_nazionale", "Sanità"), "categoria_nazionale", "non è una categoria nazionale"},
		{set(fullRow("", "Servizio"), "prenotazione_url", "prenota.it"), "prenotazione_url", "non è un indirizzo web valido"},
		{set(fullRow("", "Servizio"), "titolo", "Due\nrighe"), "titolo", "una sola riga"},
		{set(fullRow("Non Valido", "Servizio"), "stato", ""), "slug", "non valido"},
		{set(fullRow("", "Servizio"), "cosa_e", strings.Repeat("x", catalogio.MaxCellChars+1)), "cosa_e", "32.767"},
	}
	for _, tc := range cases {
		res := f.importAs(c, csvFile(';', true, fullHeader, tc.row))
		require.Len(t, res.Problems, 1, "%s: %+v", tc.reason, res.Problems)
		require.Equal(t, 2, res.Problems[0].Line, tc.reason)
		require.Equal(t, tc.column, res.Problems[0].Column, tc.reason)
		require.Contains(t, res.Problems[0].Reason, tc.reason)
	}

	// Repeated slugs, an unknown and a repeated column, a value outside the header.
	res := f.importAs(c, csvFile(',', false, fullHeader, fullRow("doppio", "Uno"), fullRow("doppio", "Due")))
	require.Len(t, res.Problems, 1)
	require.Equal(t, catalogio.Problem{Line: 3, Column: "slug", Letter: "A",
		Reason: "Lo slug «doppio» compare già alla riga 2: ogni servizio deve comparire una sola volta."}, res.Problems[0])
	res = f.importAs(c, csvFile(',', false, []string{"slug", "titolo", "colore", "Titolo"}, []string{"sad", "Nuovo titolo", "blu", "x"}))
	require.Equal(t, []catalogio.Problem{
		{Line: 1, Column: "colore", Letter: "C", Reason: "Colonna sconosciuta: usa i nomi del modello (vedi il foglio Istruzioni) o cancella la colonna."},
		{Line: 1, Column: "Titolo", Letter: "D", Reason: "La colonna compare due volte (anche in B): tienine una sola."},
	}, res.Problems)
	res = f.importAs(c, csvFile(',', false, []string{"slug", "titolo"}, []string{"sad", "Nuovo titolo", "fuori"}))
	require.Equal(t, []catalogio.Problem{{Line: 2, Column: "", Letter: "C",
		Reason: "Valore fuori dalle colonne dell'intestazione: spostalo nella colonna giusta o cancellalo."}}, res.Problems)
	// A new service needs the required columns in the file.
	res = f.importAs(c, csvFile(',', false, []string{"titolo"}, []string{"Senza categoria"}))
	require.Len(t, res.Problems, 2)
	require.Equal(t, "categoria", res.Problems[0].Column)
	require.Contains(t, res.Problems[0].Reason, "Manca la colonna categoria")
	require.Equal(t, "descrizione_breve", res.Problems[1].Column)
	res = f.importAs(c, csvFile(',', false, []string{"slug", "descrizione_breve", "categoria"}, []string{"nuovo", "Breve.", "FAM"}))
	require.Len(t, res.Problems, 1)
	require.Contains(t, res.Problems[0].Reason, "Manca la colonna titolo")
	// Updating an existing service needs none of them.
	res = f.importAs(c, csvFile(',', false, []string{"slug", "stato"}, []string{"sad", "archiviato"}))
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, 1, res.Updated)
	require.Equal(t, 1, f.count(c))
}

func TestCreateAndUpdate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	res := f.importAs(c, csvFile(',', false, fullHeader, fullRow("sad", "Assistenza domiciliare"), fullRow("pasti", "Pasti a domicilio")))
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, 2, res.Created)
	sad := f.service(c, "sad")
	require.Equal(t, "ELD", *sad.Category)
	require.Equal(t, "segretariato-sociale", *sad.Office)
	require.Equal(t, "Maria Rossi", *sad.Person)
	require.Equal(t, 2, *sad.Macro)
	require.Equal(t, []string{"Assistenza sociale", "Assistenza agli invalidi"}, sad.Topics)
	require.Equal(t, []string{"badante", "SAD", "assistenza a casa"}, sad.Keywords)
	require.Equal(t, []string{"Documento d'identità", "Attestazione ISEE"}, sad.Needed)
	require.Equal(t, "isee", sad.CostKind)
	descBefore, pastiBefore := sad.Description, f.snapshot(c)

	// Only some columns: those change, the others stay; new rows get a slug from the title.
	file := csvFile(';', true,
		[]string{"slug", "Titolo", "stato", "motivo_stato", "descrizione_breve", "categoria", "responsabile", "argomenti", "livello_macro"},
		[]string{"sad", "Assistenza domiciliare per anziani", "sospeso", "Riorganizzazione fino a marzo", "Aiuto a casa.", "eld", "giulia bianchi", "assistenza SOCIALE|Integrazione sociale", ""},
		[]string{"", "Attività estive per ragazzi", "", "", "Centri estivi.", "FAM", "", "", "3"},
		[]string{"", "Attività estive per ragazzi", "", "", "Centri estivi, secondo turno.", "FAM", "", "", ""},
		[]string{"pasti", "Pasti a domicilio", "attivo", "", "Aiuto a casa per le persone anziane.", "ELD", "m.rossi@comune.esempio.it", "Assistenza sociale | Assistenza agli invalidi", "2"},
	)
	res = f.importAs(c, file)
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, catalogio.FormatCSV, res.Format)
	require.Equal(t, [3]int{2, 1, 1}, [3]int{res.Created, res.Updated, res.Unchanged})
	require.Equal(t, "2 servizi creati, 1 aggiornato, 1 invariato.", res.Summary())
	require.Equal(t, 4, f.count(c))

	sad = f.service(c, "sad")
	require.Equal(t, "Assistenza domiciliare per anziani", sad.Title)
	require.Equal(t, "sospeso", sad.Status)
	require.Equal(t, "Riorganizzazione fino a marzo", sad.StatusReason)
	require.Equal(t, "Giulia Bianchi", *sad.Person)
	require.Equal(t, []string{"Assistenza sociale", "Integrazione sociale"}, sad.Topics)
	require.Nil(t, sad.Macro, "an empty cell empties the field")
	require.Equal(t, descBefore, sad.Description, "columns not in the file do not change")
	require.Equal(t, "segretariato-sociale", *sad.Office)
	require.Equal(t, []string{"badante", "SAD", "assistenza a casa"}, sad.Keywords)

	first := f.service(c, "attivita-estive-per-ragazzi")
	require.Equal(t, "Attività estive per ragazzi", first.Title)
	require.Equal(t, "attivo", first.Status)
	require.Equal(t, "gratuito", first.CostKind)
	require.Equal(t, "Salute, benessere e assistenza", first.National)
	require.Equal(t, 3, *first.Macro)
	require.Equal(t, "Centri estivi, secondo turno.", f.service(c, "attivita-estive-per-ragazzi-2").Short)
	require.NotEqual(t, pastiBefore, f.snapshot(c))

	var details string
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		`SELECT details::text FROM audit_log WHERE tenant_id = $1 AND action = 'carta.import' ORDER BY id DESC LIMIT 1`, c.ID).Scan(&details))
	require.Contains(t, details, `"created": 2`)
	require.Contains(t, details, `"updated": 1`)
	require.Contains(t, details, `"unchanged": 1`)
	require.Contains(t, details, `"format": "csv"`)
}

func TestCSVSemicolonBOMAndLines(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	// Written by hand as Excel saves it: BOM, ";", CRLF, a quoted cell over several lines
	// holding the separator, an empty line between rows.
	text := "\uFEFFslug;titolo;descrizione_breve;categoria;come_fare;costo_tipo\r\n" +
		";Attività di socializzazione;\"Incontri; laboratori e gite.\";ELD;\"1. Iscriviti; è gratuito\r\n2. Partecipa\";gratuito\r\n" +
		"\r\n" +
		";Università della terza età;Corsi per adulti.;ELD;;\r\n"
	res := f.importAs(c, []byte(text))
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, 2, res.Created)
	s := f.service(c, "attivita-di-socializzazione")
	require.Equal(t, "Attività di socializzazione", s.Title)
	require.Equal(t, "Incontri; laboratori e gite.", s.Short, "only the quoted ; is text")
	var howTo string
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		`SELECT how_to FROM services WHERE tenant_id = $1 AND slug = 'attivita-di-socializzazione'`, c.ID).Scan(&howTo))
	require.Equal(t, "1. Iscriviti; è gratuito\n2. Partecipa", howTo)
	require.Equal(t, "Università della terza età", f.service(c, "universita-della-terza-eta").Title)

	// Line numbers count the multi-line row once and the empty line, as a spreadsheet does.
	bad := strings.Replace(text, ";ELD;;\r\n", ";XX;;\r\n", 1)
	res = f.importAs(c, []byte(bad))
	require.Len(t, res.Problems, 1)
	require.Equal(t, 4, res.Problems[0].Line)
	require.Equal(t, "categoria", res.Problems[0].Column)
	require.Equal(t, "D", res.Problems[0].Letter)

	// Excel's plain "CSV" on Italian Windows is Windows-1252, without BOM.
	cp := []byte("titolo;descrizione_breve;categoria\r\nCaff\xe8 sospeso;Un caff\xe8 per chi ha bisogno.;POV\r\n")
	res = f.importAs(c, cp)
	require.Len(t, res.Problems, 1, "POV is not a category of this comune")
	cp = bytes.Replace(cp, []byte("POV"), []byte("FAM"), 1)
	res = f.importAs(c, cp)
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, "Un caffè per chi ha bisogno.", f.service(c, "caffe-sospeso").Short)

	// The same with "," and no BOM.
	res = f.importAs(c, csvFile(',', false, []string{"titolo", "descrizione_breve", "categoria"}, []string{"Ludoteca", "Giochi, letture e laboratori.", "FAM"}))
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, "Giochi, letture e laboratori.", f.service(c, "ludoteca").Short)
}

func TestXLSXBuiltWithExcelize(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	red := f.staff(access.RoleRedattore, c)
	// Another sheet name (the first sheet is read), headers in another order and case,
	// a number typed as a number, an empty row in the middle.
	file := xlsxFile(t, "Foglio1",
		[]any{"Categoria", "Titolo", "descrizione_breve", "livello_macro", "documenti_necessari", "Parole chiave"},
		[]any{"DIS", "Trasporto scolastico per alunni con disabilità", "Accompagnamento a scuola.", 1, "Certificato | Domanda", "scuola, trasporto"},
		[]any{},
		[]any{"FAM", "Asilo nido comunale", "Nido per bambini da 3 a 36 mesi.", 3.0, "", ""},
	)
	r := f.upload(c, red, "servizi.bin", file) // the name does not matter: the content does
	// Imported, with what the two services still need for publication, by row (the empty
	// row counts).
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Contains(t, r.body, "Importazione completata: 2 servizi creati, 0 aggiornati.")
	require.Contains(t, r.body, "<td>2</td>\n          <td>Trasporto scolastico per alunni con disabilità")
	require.Contains(t, r.body, "<td>4</td>\n          <td>Asilo nido comunale")
	s := f.service(c, "trasporto-scolastico-per-alunni-con-disabilita")
	require.Equal(t, "DIS", *s.Category)
	require.Equal(t, 1, *s.Macro)
	require.Equal(t, []string{"Certificato", "Domanda"}, s.Needed)
	require.Equal(t, []string{"scuola", "trasporto"}, s.Keywords)
	require.Equal(t, 3, *f.service(c, "asilo-nido-comunale").Macro)

	// Errors in an XLSX name the sheet's row, counting the empty one.
	file = xlsxFile(t, "Servizi",
		[]any{"titolo", "descrizione_breve", "categoria"},
		[]any{"Centro famiglie", "Sostegno ai genitori.", "FAM"},
		[]any{},
		[]any{"Centro anziani", "Incontri.", "ANZ"},
	)
	r = f.upload(c, red, "servizi.xlsx", file)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "<td>4</td>")
	require.Contains(t, r.body, "categoria <span class=\"text-secondary\">(colonna C)</span>")
	require.Equal(t, 2, f.count(c))
}

func TestFileLevelErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	red := f.staff(access.RoleRedattore, c)
	cases := map[string][]byte{
		"vecchio formato Excel (.xls)":  append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...),
		"non un foglio Excel (.xlsx)":   zipWith(t, "content.xml"),
		"Il file è vuoto.":              []byte(" \r\n"),
		"non contiene servizi":          csvFile(';', true, fullHeader),
		"La prima riga del foglio deve": []byte("\r\ntitolo\r\nServizio\r\n"),
		"controlla le virgolette":       []byte("titolo,descrizione_breve\r\n\"Servizio,x\r\n"),
	}
	for want, data := range cases {
		r := f.upload(c, red, "servizi.csv", data)
		require.Equal(t, http.StatusUnprocessableEntity, r.status, want)
		require.Contains(t, r.body, `id="f-file-error"`, want)
		require.Contains(t, r.body, want)
		require.Contains(t, r.body, `aria-describedby="f-file-error f-file-help"`)
	}

	// Too many rows.
	rows := [][]string{{"titolo", "descrizione_breve", "categoria"}}
	for i := 0; i <= catalogio.MaxRows; i++ {
		rows = append(rows, []string{fmt.Sprintf("Servizio %d", i), "Descrizione.", "FAM"})
	}
	r := f.upload(c, red, "servizi.csv", csvFile(',', false, rows...))
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "più di 2.000 servizi")
	// Exactly the limit is fine.
	res := f.importAs(c, csvFile(',', false, rows[:catalogio.MaxRows+1]...))
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, catalogio.MaxRows, res.Created)

	// Too big.
	big := append(csvFile(',', false, rows[:2]...), bytes.Repeat([]byte(" "), catalogio.MaxFileBytes)...)
	r = f.upload(c, red, "servizi.csv", big)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.Contains(t, r.body, "supera i 5 MB")
	require.Equal(t, catalogio.MaxRows, f.count(c))
}

func zipWith(t *testing.T, name string) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	buf, err := x.WriteToBuffer()
	require.NoError(t, err)
	// An XLSX with its workbook renamed is a zip that is not a spreadsheet.
	return bytes.ReplaceAll(buf.Bytes(), []byte("xl/workbook.xml"), []byte("xl/"+strings.Repeat("w", len("workbook.xml")-len(name))+name))
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	red := f.staff(access.RoleRedattore, c)
	full := fullRow("sad", "Assistenza domiciliare")
	set(full, "responsabile", "Giulia Bianchi") // a person without e-mail is written by name
	res := f.importAs(c, csvFile(',', false, fullHeader,
		full,
		fullRow("", "Pasti a domicilio"),
		set(set(fullRow("", "Centro diurno"), "stato", "sospeso"), "motivo_stato", "Lavori fino a giugno"),
		[]string{"", "Servizio essenziale", "", "", "FAM", "", "", "Solo il necessario."},
	))
	require.True(t, res.OK(), "%+v", res.Problems)
	// Something edited in the staff area: CRLF from a textarea, an archived service, a
	// service with no category, office or topics.
	_, err := f.env.Admin.Exec(context.Background(), `
		INSERT INTO services (tenant_id, slug, status, title, short_description, description, keywords, position)
		VALUES ($1, 'vecchio-servizio', 'archiviato', 'Vecchio servizio', 'Non più attivo.', E'Riga uno\r\nRiga due\r\n', '{uno,due}', 99)`, c.ID)
	require.NoError(t, err)
	before := f.snapshot(c)

	for _, format := range []string{"xlsx", "csv"} {
		r := f.get("/admin/carta/esporta."+format, c, red)
		require.Equal(t, http.StatusOK, r.status)
		require.Contains(t, r.header.Get("Content-Disposition"), "attachment; filename=\"servizi-"+c.Slug+"-")
		require.Equal(t, "no-store", r.header.Get("Cache-Control"))

		res, err := catalogio.Import(context.Background(), f.env.DB, c, r.rawBody)
		require.NoError(t, err)
		require.True(t, res.OK(), "%s: %+v", format, res.Problems)
		require.Equal(t, 5, res.Rows)
		require.Equal(t, 5, res.Unchanged, format)
		require.Zero(t, res.Created+res.Updated, format)
		require.Equal(t, before, f.snapshot(c), "%s: the round trip changed the draft", format)

		// Over HTTP too, as a redattore would do it.
		up := f.upload(c, red, "servizi."+format, r.rawBody)
		require.Equal(t, http.StatusOK, up.status, up.body) // with what the incomplete services lack
		require.Contains(t, up.body, "Importazione completata: 0 servizi creati, 0 aggiornati, 5 invariati.")
		require.Equal(t, before, f.snapshot(c), format)
	}

	// The export is what a spreadsheet shows: check a few cells of the XLSX.
	r := f.get("/admin/carta/esporta.xlsx", c, red)
	x, err := excelize.OpenReader(bytes.NewReader(r.rawBody))
	require.NoError(t, err)
	defer x.Close()
	rows, err := x.GetRows("Servizi")
	require.NoError(t, err)
	require.Len(t, rows, 6)
	require.Equal(t, fullHeader, rows[0])
	byslug := map[string][]string{}
	for _, row := range rows[1:] {
		byslug[row[0]] = row
	}
	require.Equal(t, "=In base all'ISEE", byslug["sad"][colOf("costo_testo")], "stored as text, not a formula")
	require.Equal(t, "Giulia Bianchi", byslug["sad"][colOf("responsabile")])
	require.Equal(t, "Documento d'identità\nAttestazione ISEE", byslug["sad"][colOf("documenti_necessari")])
	require.Equal(t, "Riga uno\nRiga due", byslug["vecchio-servizio"][colOf("cosa_e")])
	formula, err := x.GetCellFormula("Servizi", fmt.Sprintf("%s2", columnName(colOf("costo_testo"))))
	require.NoError(t, err)
	require.Empty(t, formula)

	// The CSV protects cells a spreadsheet would run as formulas.
	r = f.get("/admin/carta/esporta.csv", c, red)
	require.True(t, bytes.HasPrefix(r.rawBody, []byte("\xEF\xBB\xBF")), "UTF-8 BOM")
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.rawBody, []byte("\xEF\xBB\xBF"))))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	require.NoError(t, err)
	require.Equal(t, fullHeader, recs[0])
	for _, rec := range recs[1:] {
		if rec[0] == "sad" {
			require.Equal(t, "'=In base all'ISEE", rec[colOf("costo_testo")])
			require.Equal(t, "'- Persone con più di 65 anni\n- residenti nel Comune", rec[colOf("a_chi_e_rivolto")])
			require.Equal(t, "'@urgenze: entro 48 ore", rec[colOf("casi_particolari")])
		}
	}

	// Changing one cell of the export updates exactly that service.
	set(byslug["pasti-a-domicilio"], "titolo", "Pasti caldi a domicilio")
	var edited [][]any
	for _, row := range rows {
		vals := make([]any, len(row))
		for i, v := range row {
			vals[i] = v
		}
		edited = append(edited, vals)
	}
	res, err = catalogio.Import(context.Background(), f.env.DB, c, xlsxFile(t, "Servizi", edited...))
	require.NoError(t, err)
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, [3]int{0, 1, 4}, [3]int{res.Created, res.Updated, res.Unchanged})
	require.Equal(t, "Pasti caldi a domicilio", f.service(c, "pasti-a-domicilio").Title)
}

func columnName(i int) string {
	n, _ := excelize.ColumnNumberToName(i + 1)
	return n
}

func TestTemplateDownloads(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	rev := f.staff(access.RoleRevisore, c)

	r := f.get("/admin/carta/modello.xlsx", c, rev)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="modello-servizi.xlsx"`, r.header.Get("Content-Disposition"))
	x, err := excelize.OpenReader(bytes.NewReader(r.rawBody))
	require.NoError(t, err)
	defer x.Close()
	require.Equal(t, []string{"Servizi", "Istruzioni", "Elenchi"}, x.GetSheetList())
	rows, err := x.GetRows("Servizi")
	require.NoError(t, err)
	require.Equal(t, [][]string{fullHeader}, rows, "the header and no service")
	require.Len(t, fullHeader, 34)

	// Drop-down lists on the closed columns.
	dvs, err := x.GetDataValidations("Servizi")
	require.NoError(t, err)
	lists := map[string]string{}
	for _, dv := range dvs {
		col := strings.TrimRight(strings.Split(dv.Sqref, ":")[0], "0123456789")
		lists[rows[0][colIndex(col)]] = dv.Formula1
		require.True(t, strings.HasSuffix(dv.Sqref, fmt.Sprint(catalogio.MaxRows+1)), dv.Sqref)
	}
	for _, k := range []string{"stato", "copertura", "costo_tipo", "categoria_nazionale", "categoria", "ufficio", "livello_macro"} {
		require.NotEmpty(t, lists[k], "no validation on %s", k)
	}
	require.Equal(t, "ElencoCategorieNazionali", lists["categoria_nazionale"])
	vals, err := x.GetRows("Elenchi")
	require.NoError(t, err)
	nc := -1
	for i, h := range vals[0] {
		if h == "categoria_nazionale" {
			nc = i
		}
	}
	require.Positive(t, nc)
	var refersTo string
	for _, dn := range x.GetDefinedName() {
		if dn.Name == "ElencoCategorieNazionali" {
			refersTo = dn.RefersTo
		}
	}
	col := columnName(nc)
	require.Equal(t, fmt.Sprintf("'Elenchi'!$%s$2:$%s$16", col, col), refersTo)
	var national, cats []string
	for _, row := range vals[1:] {
		if len(row) > nc && row[nc] != "" {
			national = append(national, row[nc])
		}
		if row[0] != "" {
			cats = append(cats, row[0])
		}
	}
	require.Contains(t, national, "Salute, benessere e assistenza")
	require.Len(t, national, 15)
	require.Equal(t, []string{"FAM", "ELD", "DIS"}, cats, "the comune's own categories")

	// The instructions explain every column, in Italian.
	help, err := x.GetRows("Istruzioni")
	require.NoError(t, err)
	explained := map[string]bool{}
	for _, row := range help {
		if len(row) >= 5 {
			explained[row[0]] = row[3] != "" && row[4] != ""
		}
	}
	for _, k := range fullHeader {
		require.True(t, explained[k], "column %s not explained", k)
	}
	require.Contains(t, help[0][0], "Come compilare")

	// The header is styled and the columns have widths.
	style, err := x.GetCellStyle("Servizi", "B1")
	require.NoError(t, err)
	st, err := x.GetStyle(style)
	require.NoError(t, err)
	require.True(t, st.Font.Bold)
	w, err := x.GetColWidth("Servizi", "B")
	require.NoError(t, err)
	require.Equal(t, 40.0, w)

	r = f.get("/admin/carta/modello.csv", c, rev)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
	require.True(t, bytes.HasPrefix(r.rawBody, []byte("\xEF\xBB\xBF")))
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.rawBody, []byte("\xEF\xBB\xBF"))))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	require.NoError(t, err)
	require.Equal(t, [][]string{fullHeader}, recs)

	// A filled-in template imports.
	data := append(bytes.Clone(r.rawBody), csvFile(';', false, fullRow("", "Segretariato sociale"))...)
	res := f.importAs(c, data)
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, 1, res.Created)
}

func colIndex(letter string) int {
	n, err := excelize.ColumnNameToNumber(letter)
	if err != nil {
		panic(err)
	}
	return n - 1
}

func TestOwnServicesOnly(t *testing.T) {
	t.Parallel()
	f := setup(t)
	amb := f.env.NewTenant(t, tenant.KindAmbito)
	f.refs(amb)
	com := f.env.Join(t, f.comune(), amb, true)
	require.True(t, f.importAs(com, csvFile(',', false, fullHeader, fullRow("sad", "Assistenza domiciliare del comune"))).OK())
	require.True(t, f.importAs(amb, csvFile(',', false, fullHeader, fullRow("pua", "Porta unica di accesso"))).OK())

	// The ambito may read its members' drafts, but exports and imports only its own.
	red := f.staff(access.RoleRedattore, amb)
	r := f.get("/admin/carta/esporta.csv", amb, red)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, "Porta unica di accesso")
	require.NotContains(t, r.body, "del comune")

	res := f.importAs(amb, csvFile(',', false, fullHeader, fullRow("sad", "Assistenza domiciliare d'ambito")))
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, 1, res.Created, "the member's slug is not the ambito's service")
	require.Equal(t, "Assistenza domiciliare del comune", f.service(com, "sad").Title)
	require.Equal(t, "Assistenza domiciliare d'ambito", f.service(amb, "sad").Title)
}

// The template's "Obbligatoria" markers come from publication's rule (catalog.RequiredFields):
// the columns marked "sì" fill exactly the fields an active service needs to be published.
func TestTemplateRequiredColumnsAreWhatPublicationRequires(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	r := f.get("/admin/carta/modello.xlsx", c, f.staff(access.RoleRevisore, c))
	require.Equal(t, http.StatusOK, r.status)
	x, err := excelize.OpenReader(bytes.NewReader(r.rawBody))
	require.NoError(t, err)
	defer x.Close()
	help, err := x.GetRows("Istruzioni")
	require.NoError(t, err)

	var head int
	for i, row := range help {
		if len(row) > 2 && row[0] == "Colonna" {
			head = i
			require.Equal(t, "Obbligatoria", row[2])
		}
	}
	require.Positive(t, head)
	marked := map[string]bool{} // labels of the fields of the columns marked required
	var markedCols []string
	for _, row := range help[head+1:] {
		if len(row) < 3 || !strings.HasPrefix(row[2], "sì") {
			continue
		}
		// "Cosa serve: documenti" fills "Cosa serve", like the column "Cosa serve" itself.
		field, _, _ := strings.Cut(row[1], ":")
		marked[field] = true
		markedCols = append(markedCols, row[0])
	}
	want := map[string]bool{}
	for _, rf := range catalog.RequiredFields() {
		want[rf.Label] = true
	}
	require.Equal(t, want, marked)
	// The instructions name the same columns.
	var sentence string
	for _, row := range help[:head] {
		if len(row) > 0 && strings.Contains(row[0], "per pubblicarlo") {
			sentence = row[0]
		}
	}
	require.NotEmpty(t, sentence)
	for _, k := range markedCols {
		require.Contains(t, sentence, k)
	}
	require.NotContains(t, sentence, "costo_tipo", "an optional column")
}

// An import goes ahead with what publication will still miss reported for each service, by
// publication's own check on the draft the import leaves.
func TestImportWarnsWhatPublicationWillMiss(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.comune()
	red := f.staff(access.RoleRedattore, c)
	header := []string{"slug", "titolo", "descrizione_breve", "categoria", "stato", "motivo_stato", "a_chi_e_rivolto"}
	row := func(v ...string) []string {
		r := make([]string, len(fullHeader))
		for i, h := range header {
			r[colOf(h)] = v[i]
		}
		return r
	}
	file := csvFile(';', true, fullHeader,
		row("", "Pasti a domicilio", "Pasti caldi a casa.", "ELD", "", "", ""),
		row("", "Trasporto sociale", "Accompagnamento alle visite.", "DIS", "", "", "Persone con disabilità."),
		row("", "Centro estivo", "Attività per ragazzi.", "FAM", "sospeso", "Riapre a giugno", ""),
		fullRow("", "Assistenza domiciliare"),
	)
	res := f.importAs(c, file)
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Equal(t, 4, res.Created)

	// What the draft lacks, by publication's rule: the staff area's list of what to complete.
	var draft *catalog.Carta
	require.NoError(t, f.env.DB.InTx(context.Background(), c.ID, func(tx *tenant.Tx) error {
		var err error
		draft, err = catalog.LoadDraft(context.Background(), tx, c)
		return err
	}))
	byService := map[string][]string{}
	for _, m := range catalog.Completeness(draft) {
		byService[m.ServiceSlug] = append(byService[m.ServiceSlug], m.Label)
	}
	got := map[string][]string{}
	for _, w := range res.Warnings {
		for _, g := range w.Missing {
			got[w.Slug] = append(got[w.Slug], g.Label)
		}
	}
	require.Equal(t, byService, got)
	require.Len(t, res.Warnings, 2, "the suspended service and the complete one need nothing")
	require.Equal(t, 2, res.Warnings[0].Line)
	require.Equal(t, "pasti-a-domicilio", res.Warnings[0].Slug)
	require.Equal(t, []string{"A chi è rivolto", "Come fare", "Cosa serve", "Cosa si ottiene", "Tempi e scadenze",
		"Condizioni di servizio", "Unità organizzativa responsabile", "Argomenti"}, got["pasti-a-domicilio"])
	require.Equal(t, 3, res.Warnings[1].Line)
	require.NotContains(t, got["trasporto-sociale"], "A chi è rivolto")
	require.Equal(t, "Cosa serve (colonne cosa_serve o documenti_necessari)", res.Warnings[0].Missing[2].String())
	require.Equal(t, "Come fare (colonna come_fare)", res.Warnings[0].Missing[1].String())

	// Over HTTP: the page says the import is done and lists what to complete.
	r := f.upload(c, red, "servizi.csv", csvFile(';', true, header, []string{"", "Telesoccorso", "Un pulsante per chiamare aiuto.", "ELD", "", "", ""}))
	require.Equal(t, http.StatusOK, r.status, r.body)
	require.Contains(t, r.body, "Importazione completata: 1 servizio creato, 0 aggiornati.")
	require.Contains(t, r.body, "la Carta non può essere pubblicata finché non sono compilati i campi indicati")
	require.Contains(t, r.body, "Telesoccorso")
	require.Contains(t, r.body, "<li>A chi è rivolto (colonna a_chi_e_rivolto)</li>")
	require.Equal(t, "Telesoccorso", f.service(c, "telesoccorso").Title, "imported, not refused")

	// Completing the service in a second import clears the warning.
	res = f.importAs(c, csvFile(';', true, fullHeader, fullRow("telesoccorso", "Telesoccorso")))
	require.True(t, res.OK(), "%+v", res.Problems)
	require.Empty(t, res.Warnings)
}
