package publication_test

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

// Test headers standing in for the tenant resolver and the login session.
const (
	hdrTenant = "X-Test-Tenant"
	hdrUser   = "X-Test-User"
)

type httpFixture struct {
	t   *testing.T
	env *testenv.Env
	enf *access.Enforcer
	app *fiber.App
	reg *access.Registry
	rec *recorder
}

func setupHTTP(t *testing.T) *httpFixture {
	t.Helper()
	env := testenv.Get(t)
	migrateJobs(t, env)
	enf, err := access.New(context.Background(), access.Deps{DB: env.DB, Redis: env.Redis, Log: quiet})
	require.NoError(t, err)
	t.Cleanup(enf.Close)
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{publication.Templates}, Dev: true, Log: quiet,
		TenantURL: func(slug string) string { return "https://" + slug + ".carta.test" }})
	require.NoError(t, err)
	// Insert-only: the scheduled jobs of this test are never worked.
	client, err := jobs.New(env.Runtime, quiet)
	require.NoError(t, err)

	f := &httpFixture{t: t, env: env, enf: enf, reg: access.NewRegistry(), rec: &recorder{env: env}}
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
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
			ctx = principal.WithStaff(ctx, &principal.Staff{UserID: uuid.MustParse(id), Email: "staff@example.it", Name: "Staff di prova"})
		}
		c.SetUserContext(principal.WithOrigin(ctx, principal.Origin{IP: "192.0.2.7", UserAgent: "test"}))
		return c.Next()
	})
	d := deps(env, f.rec)
	d.Render, d.Jobs, d.Can = r, client, enf.Can
	publication.Register(access.NewRouter(app.Group("/admin"), "/admin", enf, f.reg), publication.New(d))
	f.app = app
	return f
}

type resp struct {
	status   int
	body     string
	location string
}

func (f *httpFixture) do(method, target string, tn *tenant.Tenant, as uuid.UUID, form url.Values) resp {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set(hdrTenant, tn.Slug)
	if as != uuid.Nil {
		req.Header.Set(hdrUser, as.String())
	}
	res, err := f.app.Test(req, -1)
	require.NoError(f.t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	return resp{res.StatusCode, string(b), res.Header.Get("Location")}
}

func (f *httpFixture) staff(name, role string, tn *tenant.Tenant) uuid.UUID {
	f.t.Helper()
	id, _ := newUser(f.t, f.env, name)
	require.NoError(f.t, f.enf.Grant(context.Background(), id, role, tn.ID.String()))
	return id
}

func TestPublicationPagesOverHTTP(t *testing.T) {
	t.Parallel()
	f := setupHTTP(t)
	env := f.env
	tn := env.NewTenant(t, tenant.KindComune)
	red := f.staff("Rita Redattrice", access.RoleRedattore, tn)
	resp1 := f.staff("Roberto Responsabile", access.RoleResponsabile, tn)
	outsider := f.staff("Ottavio Esterno", access.RoleResponsabile, env.NewTenant(t, tenant.KindComune))

	require.Empty(t, access.Ungranted(f.reg), "every route's permission is held by some role")
	require.Len(t, f.reg.Routes(), 13, "5 pages (GET and HEAD) and 3 forms")
	sad := addService(t, env, tn, "Assistenza domiciliare", svcOpts{})

	t.Run("the redattore reads but cannot publish, schedule or cancel", func(t *testing.T) {
		r := f.do("GET", "/admin/carta/pubblicazione", tn, red, nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Contains(t, r.body, "non è ancora stata pubblicata")
		require.NotContains(t, r.body, `action="/admin/carta/pubblicazione"`, "no publish form for who cannot publish")

		r = f.do("POST", "/admin/carta/pubblicazione", tn, red, url.Values{"note": {"tentativo"}})
		require.Equal(t, http.StatusForbidden, r.status)
		r = f.do("POST", "/admin/carta/pubblicazione/programma", tn, red, url.Values{"at": {"2099-01-01T09:00"}})
		require.Equal(t, http.StatusForbidden, r.status)
		r = f.do("POST", "/admin/carta/pubblicazione/"+uuid.NewString()+"/annulla", tn, red, url.Values{})
		require.Equal(t, http.StatusForbidden, r.status)
		require.Zero(t, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, tn.ID))
		require.Zero(t, count(t, env, `SELECT count(*) FROM carta_schedules WHERE tenant_id = $1`, tn.ID))
	})

	t.Run("another tenant's responsabile cannot publish here", func(t *testing.T) {
		r := f.do("POST", "/admin/carta/pubblicazione", tn, outsider, url.Values{})
		require.Equal(t, http.StatusForbidden, r.status)
	})

	t.Run("the responsabile publishes", func(t *testing.T) {
		r := f.do("GET", "/admin/carta/pubblicazione", tn, resp1, nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Contains(t, r.body, `action="/admin/carta/pubblicazione"`)
		require.Contains(t, r.body, "Tutti i servizi attivi hanno le informazioni obbligatorie")

		r = f.do("POST", "/admin/carta/pubblicazione", tn, resp1, url.Values{"note": {"Prima versione"}})
		require.Equal(t, http.StatusSeeOther, r.status)
		require.Equal(t, "/admin/carta/pubblicazione", r.location)
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1
			AND published_by = $2 AND publisher_label = 'Staff di prova' AND note = 'Prima versione'`, tn.ID, resp1))
		require.Len(t, f.rec.of(tn.ID), 1)

		r = f.do("GET", "/admin/carta/pubblicazione", tn, resp1, nil)
		require.Contains(t, r.body, "Versione in vigore")
		require.Contains(t, r.body, "La bozza è uguale alla versione pubblicata")
	})

	t.Run("an incomplete draft is refused with the list of what is missing", func(t *testing.T) {
		bad := addService(t, env, tn, "Contributo affitto", svcOpts{incomplete: true})
		r := f.do("POST", "/admin/carta/pubblicazione", tn, resp1, url.Values{"note": {"Seconda"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		require.Contains(t, r.body, "non può essere pubblicata")
		require.Contains(t, r.body, `href="/admin/carta/servizi/`+bad.String()+`#f-short-description"`)
		require.Contains(t, r.body, ">Seconda</textarea>", "the note typed is kept")
		require.Contains(t, r.body, "Servizio aggiunto: «Contributo affitto»", "what would change is listed")
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, tn.ID))
		exec(t, env, tn, `DELETE FROM services WHERE tenant_id = app_tenant() AND id = $1`, bad)
	})

	t.Run("history, a version and the diff", func(t *testing.T) {
		exec(t, env, tn, `UPDATE services SET title = 'Assistenza domiciliare integrata',
			how_to = E'Presenta la domanda allo **sportello sociale**.\n\nOppure scrivi a sociale@comune.it.'
			WHERE tenant_id = app_tenant() AND id = $1`, sad)
		r := f.do("POST", "/admin/carta/pubblicazione", tn, resp1, url.Values{"note": {"Titolo aggiornato"}})
		require.Equal(t, http.StatusSeeOther, r.status)

		r = f.do("GET", "/admin/carta/versioni", tn, red, nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Contains(t, r.body, "Versione 2")
		require.Contains(t, r.body, "Titolo aggiornato")
		require.Contains(t, r.body, `href="/admin/carta/versioni/1/confronta/2"`)

		r = f.do("GET", "/admin/carta/versioni/1", tn, red, nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Contains(t, r.body, "Assistenza domiciliare")
		require.NotContains(t, r.body, "Assistenza domiciliare integrata", "version 1 is as it was")
		require.Contains(t, r.body, `href="https://`+tn.Slug+`.carta.test/carta/versioni/1"`)

		r = f.do("GET", "/admin/carta/versioni/confronta?a=2&b=1", tn, red, nil)
		require.Equal(t, http.StatusSeeOther, r.status)
		require.Equal(t, "/admin/carta/versioni/1/confronta/2", r.location)

		r = f.do("GET", "/admin/carta/versioni/1/confronta/2", tn, red, nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Contains(t, r.body, "Servizio modificato: «Assistenza domiciliare integrata»")
		require.Contains(t, r.body, "<dt>Titolo</dt>")
		require.Contains(t, r.body, "<dt>Come fare</dt>")
		require.Contains(t, r.body, "Oppure scrivi a sociale@comune.it.")

		r = f.do("GET", "/admin/carta/versioni/9", tn, red, nil)
		require.Equal(t, http.StatusNotFound, r.status)
		r = f.do("GET", "/admin/carta/versioni/abc", tn, red, nil)
		require.Equal(t, http.StatusNotFound, r.status)
		// Past the versions' int32 column a number is missing, never wrapped round to version 1.
		for _, p := range []string{"/admin/carta/versioni/4294967297", "/admin/carta/versioni/2147483648",
			"/admin/carta/versioni/+1", "/admin/carta/versioni/01", "/admin/carta/versioni/-4294967295",
			"/admin/carta/versioni/4294967297/confronta/2", "/admin/carta/versioni/1/confronta/4294967298"} {
			r = f.do("GET", p, tn, red, nil)
			require.Equal(t, http.StatusNotFound, r.status, p)
			require.NotContains(t, r.body, "Versione 1", p)
			require.NotContains(t, r.body, "Prima versione", p)
		}
		r = f.do("GET", "/admin/carta/versioni/confronta?a=4294967297&b=2", tn, red, nil)
		require.Equal(t, http.StatusNotFound, r.status)
	})

	t.Run("schedule and cancel", func(t *testing.T) {
		r := f.do("POST", "/admin/carta/pubblicazione/programma", tn, resp1, url.Values{"at": {"domani"}, "schedule_note": {"Nota"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		require.Contains(t, r.body, `id="f-at-error"`)
		require.Contains(t, r.body, `aria-describedby="f-at-help f-at-error"`)
		require.Contains(t, r.body, ">Nota</textarea>")

		past := time.Now().In(rome(t)).Add(-time.Hour).Format("2006-01-02T15:04")
		r = f.do("POST", "/admin/carta/pubblicazione/programma", tn, resp1, url.Values{"at": {past}})
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		require.Contains(t, r.body, "Scegli una data e un&#39;ora future, entro un anno.")

		// Further than a year ahead is a typing mistake, not a plan: the year 9999, or a year
		// and a day from now. The message sits next to the field, the value typed is kept.
		nextYear := time.Now().In(rome(t)).AddDate(1, 0, 1).Format("2006-01-02T15:04")
		for _, far := range []string{"9999-12-31T23:59", nextYear} {
			r = f.do("POST", "/admin/carta/pubblicazione/programma", tn, resp1, url.Values{"at": {far}, "schedule_note": {"Troppo avanti"}})
			require.Equal(t, http.StatusUnprocessableEntity, r.status, far)
			require.Contains(t, r.body, `id="f-at-error"`, far)
			require.Contains(t, r.body, "Scegli una data e un&#39;ora future, entro un anno.", far)
			require.Contains(t, r.body, `value="`+far+`"`, far)
			require.Zero(t, count(t, env, `SELECT count(*) FROM carta_schedules WHERE tenant_id = $1`, tn.ID), far)
		}
		r = f.do("GET", "/admin/carta/pubblicazione", tn, resp1, nil)
		require.Contains(t, r.body, ` max="`+time.Now().In(rome(t)).AddDate(1, 0, 0).Format("2006-01-02T"), "the picker stops a year ahead")

		// A day short of a year is still accepted.
		when := time.Now().In(rome(t)).AddDate(1, 0, -1)
		when = time.Date(when.Year(), when.Month(), when.Day(), 9, 30, 0, 0, rome(t))
		r = f.do("POST", "/admin/carta/pubblicazione/programma", tn, resp1, url.Values{"at": {when.Format("2006-01-02T15:04")}, "schedule_note": {"Revisione annuale"}})
		require.Equal(t, http.StatusSeeOther, r.status)
		var id uuid.UUID
		var at time.Time
		require.NoError(t, env.Admin.QueryRow(context.Background(),
			`SELECT id, publish_at FROM carta_schedules WHERE tenant_id = $1 AND status = 'pending'`, tn.ID).Scan(&id, &at))
		require.True(t, at.Equal(when), "09:30 in Rome: got %s", at)
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM river.river_job WHERE args->>'schedule_id' = $1 AND state = 'scheduled'`, id.String()))

		r = f.do("GET", "/admin/carta/pubblicazione", tn, resp1, nil)
		require.Contains(t, r.body, "Revisione annuale")
		require.Contains(t, r.body, `action="/admin/carta/pubblicazione/`+id.String()+`/annulla"`)

		r = f.do("POST", "/admin/carta/pubblicazione/"+id.String()+"/annulla", tn, resp1, url.Values{})
		require.Equal(t, http.StatusSeeOther, r.status)
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM carta_schedules WHERE id = $1 AND status = 'cancelled'`, id))
		r = f.do("POST", "/admin/carta/pubblicazione/"+id.String()+"/annulla", tn, resp1, url.Values{})
		require.Equal(t, http.StatusSeeOther, r.status, "cancelling twice is reported, not an error page")
	})
}

func rome(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	require.NoError(t, err)
	return l
}
