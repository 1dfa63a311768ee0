package admin_test

import (
	"context"
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// withCatalog adds the draft catalogue's staff pages to f, so that tests make real changes.
func (f *fixture) withCatalog(t *testing.T) *fixture {
	t.Helper()
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{catalog.Templates}, Dev: true, Log: quiet})
	require.NoError(t, err)
	catalog.Register(access.NewRouter(f.app.Group("/admin"), "/admin", allowAll{}, access.NewRegistry()),
		catalog.Deps{Render: r, DB: f.env.DB, Tenants: f.env.Tenants, Log: quiet})
	return f
}

func serviceForm(title, short string) url.Values {
	return url.Values{
		"title": {title}, "slug": {""}, "status": {"attivo"}, "category": {"ELD"},
		"national_category": {"Salute, benessere e assistenza"}, "short_description": {short},
		"audience": {"Persone anziane."}, "coverage": {"comune"}, "how_to": {"Chiedi un colloquio."},
		"cost_kind": {"gratuito"}, "responsible_unit": {"Servizio sociale"},
	}
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// visibleText is the page without its tags' attributes (links, form values) and without the
// filter form: what a reader of the table sees.
func visibleText(body string) string {
	if i := strings.Index(body, "<table"); i >= 0 {
		body = body[i:]
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body, " "))
}

func TestAuditTrailShowsAServiceUpdateInItalian(t *testing.T) {
	t.Parallel()
	f := setup(t, nil).withCatalog(t)

	res, body := f.postForm(t, "/admin/carta/servizi/nuovo", serviceForm("Assistenza a casa", "Aiuto a casa."))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	id := uuidRE.FindString(res.Header.Get("Location"))
	require.NotEmpty(t, id, res.Header.Get("Location"))
	res, body = f.postForm(t, "/admin/carta/servizi/"+id, serviceForm("Assistenza domiciliare", "Aiuto a casa per anziani."))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)

	// The entry names the service by its new title and says what changed.
	items := f.auditItems(t)
	var upd *audit.Item
	for i := range items {
		if items[i].Action == "catalog.service.update" {
			upd = &items[i]
		}
	}
	require.NotNil(t, upd)
	require.Equal(t, "Assistenza domiciliare", upd.ObjectName)
	require.Contains(t, upd.Changes, audit.Change{Field: "Titolo", Before: "Assistenza a casa", After: "Assistenza domiciliare"})
	require.Contains(t, upd.Changes, audit.Change{Field: "Descrizione breve", Before: "Aiuto a casa.", After: "Aiuto a casa per anziani."})
	require.Contains(t, upd.Changes, audit.Change{Field: "Indirizzo della pagina", Before: "assistenza-a-casa", After: "assistenza-domiciliare"})
	for _, c := range upd.Changes {
		require.NotEqual(t, "A chi è rivolto", c.Field, "an unchanged field is not listed")
	}

	res, body = f.get(t, "/admin/registro")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, "<td>Servizio modificato</td>")
	require.Contains(t, body, "<td>Servizio creato</td>")
	require.Contains(t, body, `<a href="/admin/carta/servizi/`+id+`">Assistenza domiciliare</a>`, "a link to the service, by its title")
	require.Contains(t, body, `<span class="fw-semibold">Titolo</span>: Assistenza a casa <span aria-hidden="true">→</span><span class="visually-hidden">diventa</span> Assistenza domiciliare`)
	require.Contains(t, body, "Maria Rossi")
	require.Contains(t, body, f.staff.Email)
	require.Contains(t, body, "nell'area riservata del Comune di Prova", "the ente's name with its preposition")
	text := visibleText(body)
	require.NotContains(t, text, "catalog.", "no raw action code")
	require.NotRegexp(t, uuidRE, text, "no bare UUID")

	// Renamed again: the older entries keep what the service was called then.
	res, _ = f.postForm(t, "/admin/carta/servizi/"+id, serviceForm("Assistenza domiciliare per anziani", "Aiuto a casa per anziani."))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.get(t, "/admin/registro")
	require.Contains(t, body, ">Assistenza domiciliare</a>")
	require.Contains(t, body, ">Assistenza a casa</a>")

	// Deleted: the name stays, the link goes.
	res, _ = f.postForm(t, "/admin/carta/servizi/"+id+"/elimina", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.get(t, "/admin/registro")
	require.Contains(t, body, "<td>Servizio eliminato</td>")
	require.NotContains(t, body, `href="/admin/carta/servizi/`+id+`"`)
	require.Contains(t, body, "Assistenza domiciliare per anziani")
	require.NotRegexp(t, uuidRE, visibleText(body))
}

func TestAuditTrailFilter(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := context.Background()
	luca := &principal.Staff{UserID: uuid.Nil, Email: "luca-" + uuid.NewString()[:8] + "@example.it", Name: "Luca Bianchi"}
	require.NoError(t, f.env.Admin.QueryRow(ctx, "INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id",
		luca.Email, luca.Name).Scan(&luca.UserID))
	entry := func(who *principal.Staff, action, name string, at time.Time) {
		var c context.Context
		if who != nil {
			c = principal.WithStaff(ctx, who)
		} else {
			c = audit.WithActorLabel(ctx, "cli:user grant")
		}
		require.NoError(t, f.env.DB.InTx(c, f.tenant.ID, func(tx *tenant.Tx) error {
			return audit.Record(c, tx, audit.Entry{Action: action, ObjectType: "service", ObjectID: uuid.NewString(), ObjectName: name})
		}))
		_, err := f.env.Admin.Exec(ctx, `UPDATE audit_log SET at = $2 WHERE tenant_id = $1 AND object_name = $3`, f.tenant.ID, at, name)
		require.NoError(t, err)
	}
	day := func(s string) time.Time {
		tt, err := time.Parse(time.DateOnly, s)
		require.NoError(t, err)
		return tt.Add(12 * time.Hour)
	}
	entry(f.staff, "catalog.service.update", "Servizio di Maria a febbraio", day("2026-02-10"))
	entry(f.staff, "catalog.person.create", "Persona di Maria a marzo", day("2026-03-10"))
	entry(luca, "catalog.service.create", "Servizio di Luca a marzo", day("2026-03-12"))
	entry(nil, "user.grant", "Ruolo da riga di comando", day("2026-03-20"))

	rows := func(target string) []string {
		t.Helper()
		res, body := f.get(t, target)
		require.Equal(t, 200, res.StatusCode, target)
		var out []string
		for _, m := range regexp.MustCompile(`(Servizio di \w+ a \w+|Persona di Maria a marzo|Ruolo da riga di comando)</td>`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	require.Equal(t, []string{"Servizio di Luca a marzo"}, rows("/admin/registro?utente="+luca.UserID.String()))
	require.Equal(t, []string{"Persona di Maria a marzo", "Servizio di Maria a febbraio"}, rows("/admin/registro?utente="+f.staff.UserID.String()))
	require.Equal(t, []string{"Ruolo da riga di comando"}, rows("/admin/registro?utente="+url.QueryEscape("sistema:cli:user grant")))
	require.Equal(t, []string{"Servizio di Luca a marzo", "Servizio di Maria a febbraio"}, rows("/admin/registro?azione=gruppo:servizi"))
	require.Equal(t, []string{"Persona di Maria a marzo"}, rows("/admin/registro?azione=catalog.person.create"))
	require.Equal(t, []string{"Ruolo da riga di comando", "Servizio di Luca a marzo", "Persona di Maria a marzo"},
		rows("/admin/registro?dal=2026-03-01&al=2026-03-31"))
	require.Equal(t, []string{"Servizio di Luca a marzo"},
		rows("/admin/registro?utente="+luca.UserID.String()+"&azione=gruppo:servizi&dal=1/3/2026&al=31/3/2026"))

	// The form shows the filter as chosen, with Italian labels, and offers to clear it.
	_, body := f.get(t, "/admin/registro?utente="+luca.UserID.String()+"&azione=gruppo:servizi&dal=1/3/2026")
	require.Contains(t, body, `<option value="`+luca.UserID.String()+`" selected>Luca Bianchi (`+luca.Email+`)</option>`)
	require.Contains(t, body, `<option value="sistema:cli:user grant">Riga di comando («carta user grant»)</option>`)
	require.Contains(t, body, `<option value="gruppo:servizi" selected>Servizi: tutte le azioni</option>`)
	require.Contains(t, body, `<label for="f-dal" class="active">Dal giorno</label>`)
	require.Contains(t, body, `id="f-dal" name="dal" value="2026-03-01"`, "a day typed as 1/3/2026 comes back for the date field")
	require.Contains(t, body, `<a class="btn btn-link" href="/admin/registro">Mostra tutte le attività</a>`)
	require.Contains(t, body, `<form method="get" action="/admin/registro"`, "a plain GET form: no script needed")

	// Nothing matches: said so.
	_, body = f.get(t, "/admin/registro?dal=2027-01-01")
	require.Contains(t, body, "Nessuna attività corrisponde al filtro.")

	// Invalid dates: a message next to each field, tied to it.
	res, body := f.get(t, "/admin/registro?dal=31/02/2026&al=ieri")
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, body, `aria-describedby="f-dal-error f-dal-help" aria-invalid="true"`)
	require.Contains(t, body, `<div class="invalid-feedback d-block" id="f-dal-error">La data «dal» non è valida: scrivila come gg/mm/aaaa, per esempio 1/3/2026.</div>`)
	require.Contains(t, body, `id="f-al-error">La data «al» non è valida`)
	require.Contains(t, body, `value="ieri"`, "the input is shown again")
	require.NotContains(t, body, "<table", "no rows for a filter that could not be read")
	res, body = f.get(t, "/admin/registro?dal=2026-03-10&al=2026-03-01")
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, body, `id="f-al-error">La data «al» viene prima della data «dal»`)
}

func TestAuditTrailPagesKeepTheFilter(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := principal.WithStaff(context.Background(), f.staff)
	require.NoError(t, f.env.DB.InTx(ctx, f.tenant.ID, func(tx *tenant.Tx) error {
		for i := range 110 {
			action := "catalog.service.update"
			if i%2 == 1 {
				action = "catalog.office.update"
			}
			if err := audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "service", ObjectID: uuid.NewString()}); err != nil {
				return err
			}
		}
		return nil
	}))
	// 110 entries, 55 of services: the filtered trail has two pages, both of services.
	_, body := f.get(t, "/admin/registro?azione=gruppo:servizi")
	require.Equal(t, 50, strings.Count(body, "<td>Servizio modificato</td>"))
	require.NotContains(t, body, "<td>Ufficio modificato</td>")
	m := regexp.MustCompile(`href="/admin/registro\?azione=gruppo%3Aservizi&amp;before=(\d+)">Carica precedenti</a>`).FindStringSubmatch(body)
	require.NotNil(t, m, "the next page keeps the filter")
	_, body = f.get(t, "/admin/registro?azione=gruppo:servizi&before="+m[1])
	require.Equal(t, 5, strings.Count(body, "<td>Servizio modificato</td>"))
	require.NotContains(t, body, "<td>Ufficio modificato</td>")
	require.Contains(t, body, `href="/admin/registro?azione=gruppo%3Aservizi">Torna alle più recenti</a>`)
}

func TestAuditTrailOfAnotherTenantStaysHidden(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	other := f.env.NewTenant(t, tenant.KindComune)
	stranger := &principal.Staff{Email: "altro-" + uuid.NewString()[:8] + "@example.it", Name: "Persona Estranea"}
	ctx := context.Background()
	require.NoError(t, f.env.Admin.QueryRow(ctx, "INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id",
		stranger.Email, stranger.Name).Scan(&stranger.UserID))
	sctx := principal.WithStaff(ctx, stranger)
	require.NoError(t, f.env.DB.InTx(sctx, other.ID, func(tx *tenant.Tx) error {
		return audit.Record(sctx, tx, audit.Entry{Action: "catalog.service.update", ObjectType: "service",
			ObjectID: uuid.NewString(), ObjectName: "Servizio di un altro comune"})
	}))
	mctx := principal.WithStaff(ctx, f.staff)
	require.NoError(t, f.env.DB.InTx(mctx, f.tenant.ID, func(tx *tenant.Tx) error {
		return audit.Record(mctx, tx, audit.Entry{Action: "catalog.service.update", ObjectType: "service",
			ObjectID: uuid.NewString(), ObjectName: "Servizio nostro"})
	}))
	for _, target := range []string{"/admin/registro", "/admin/registro?utente=" + stranger.UserID.String()} {
		_, body := f.get(t, target)
		require.NotContains(t, body, "Servizio di un altro comune", target)
		require.NotContains(t, body, stranger.Email, target)
		require.NotContains(t, body, "Persona Estranea", target)
	}
	_, body := f.get(t, "/admin/registro")
	require.Contains(t, body, "Servizio nostro")
}

// changesOf returns the changes of the newest entry with that action.
func (f *fixture) changesOf(t *testing.T, action string) (string, []audit.Change) {
	t.Helper()
	for _, it := range f.auditItems(t) {
		if it.Action == action {
			return it.ObjectName, it.Changes
		}
	}
	t.Fatalf("no %s entry", action)
	return "", nil
}

func TestAuditEntriesOfTheCatalogueAndProfileSayWhatChanged(t *testing.T) {
	t.Parallel()
	f := setup(t, nil).withCatalog(t)

	// Office: created, then renamed.
	res, body := f.postForm(t, "/admin/carta/uffici/nuovo", url.Values{"name": {"Segretariato sociale"}, "city": {"Cerveteri"}, "notes": {"Dal cortile."}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	office := uuidRE.FindString(res.Header.Get("Location"))
	name, changes := f.changesOf(t, "catalog.office.create")
	require.Equal(t, "Segretariato sociale", name)
	require.Equal(t, []audit.Change{{Field: "Nome", After: "Segretariato sociale"}, {Field: "Città", After: "Cerveteri"},
		{Field: "Sportello unico", After: "No"}}, changes, "the main fields, in the form's order")
	res, _ = f.postForm(t, "/admin/carta/uffici/"+office, url.Values{"name": {"Sportello sociale"}, "city": {"Cerveteri"}, "notes": {"Dal cortile."}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	name, changes = f.changesOf(t, "catalog.office.update")
	require.Equal(t, "Sportello sociale", name)
	require.Equal(t, []audit.Change{{Field: "Nome", Before: "Segretariato sociale", After: "Sportello sociale"},
		{Field: "Indirizzo della pagina", Before: "segretariato-sociale", After: "sportello-sociale"}}, changes)

	// Person: the office by its name, never its id.
	res, body = f.postForm(t, "/admin/carta/persone/nuova", url.Values{"name": {"Maria Bianchi"}, "office": {office}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	name, changes = f.changesOf(t, "catalog.person.create")
	require.Equal(t, "Maria Bianchi", name)
	require.Equal(t, []audit.Change{{Field: "Nome", After: "Maria Bianchi"}, {Field: "Ufficio", After: "Sportello sociale"}}, changes)

	// Category and a section of the general part.
	res, body = f.postForm(t, "/admin/carta/categorie", url.Values{"name": {"Giovani"}, "description": {"Under 30"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	name, changes = f.changesOf(t, "catalog.category.create")
	require.Equal(t, "Giovani", name)
	require.Equal(t, []audit.Change{{Field: "Nome", After: "Giovani"}, {Field: "Codice", After: "GIOVANI"}, {Field: "Descrizione", After: "Under 30"}}, changes)
	res, body = f.postForm(t, "/admin/carta/parte-generale/nuova", url.Values{"title": {"Carta di cittadinanza"}, "body": {"Testo."}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body)
	name, changes = f.changesOf(t, "catalog.section.create")
	require.Equal(t, "Carta di cittadinanza", name)
	require.Equal(t, []audit.Change{{Field: "Titolo", After: "Carta di cittadinanza"}, {Field: "Testo", After: "Testo."}}, changes)

	// The ente's profile: each field that changed, by its Italian name.
	res, _ = f.postForm(t, "/admin/ente", validForm())
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	form := validForm()
	form.Set("pec", "nuova@pec.comune.example.it")
	res, _ = f.postForm(t, "/admin/ente", form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	name, changes = f.changesOf(t, "profile.update")
	require.Equal(t, f.tenant.Name, name)
	require.Equal(t, []audit.Change{{Field: "PEC", Before: "protocollo@pec.comune.example.it", After: "nuova@pec.comune.example.it"}}, changes)
}
