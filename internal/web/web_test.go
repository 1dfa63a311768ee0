package web_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// testPages are pages written the way other packages write theirs.
var testPages = fstest.MapFS{
	"test/plain.html": {Data: []byte(`{{template "citizen" .}}{{define "content"}}<h1>{{.Title}}</h1><p>Nessun modulo qui.</p>{{end}}`)},
	"test/form.html": {Data: []byte(`{{template "admin" .}}
{{define "content"}}<h1>{{.Title}}</h1>{{template "form-errors" .}}
<form method="post" action="/salva">{{csrfField .}}
{{template "form-field" (field . "email" "Email" "type=email" "help=Indirizzo di lavoro" "required")}}
<input id="f-x" name="x" aria-describedby="f-x-error">{{template "field-error" (fieldErr . "x")}}
</form>{{end}}`)},
	"test/head.html":     {Data: []byte(`{{template "platform" .}}{{define "head"}}<meta name="robots" content="noindex">{{end}}{{define "content"}}<h1>{{.Title}}</h1>{{end}}`)},
	"test/platform.html": {Data: []byte(`{{template "platform" .}}{{define "content"}}<h1>{{.Title}}</h1>{{end}}`)},
	"test/custom.html":   {Data: []byte(`{{template "citizen" .}}{{define "content"}}<h1>{{.Title}}</h1><p>{{.Extra}} – {{date .When}} – {{dateTime .When}}</p>{{end}}`)},
}

type customPage struct {
	web.Page
	Extra string
	When  time.Time
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newRenderer(t *testing.T) *web.Renderer {
	t.Helper()
	r, err := web.NewRenderer(web.RendererOptions{
		Pages: []fs.FS{testPages}, Dev: true,
		TenantURL: func(slug string) string { return "http://" + slug + ".carta.test:8080" },
		Log:       quiet,
	})
	require.NoError(t, err)
	return r
}

func sampleTenant() *tenant.Tenant {
	return &tenant.Tenant{
		ID: uuid.New(), Slug: "cerveteri", Kind: tenant.KindComune, Name: "Comune di Cerveteri",
		Status: tenant.StatusActive,
		Ambito: &tenant.Ref{ID: uuid.New(), Slug: "rm42", Name: "Ambito RM 4.2"},
	}
}

func sampleProfile() tenant.Profile {
	return tenant.Profile{
		LegalAddress: "Piazza Risorgimento 1", PostalCode: "00052", City: "Cerveteri", Province: "RM",
		Phone: "06 8961 1", Email: "sociali@comune.cerveteri.rm.it", PEC: "protocollo@pec.comune.cerveteri.rm.it",
		WebsiteURL: "https://www.comune.cerveteri.rm.it", AccessibilityURL: "https://form.agid.gov.it/view/abc",
		PrivacyURL: "https://www.comune.cerveteri.rm.it/privacy",
		Social:     []tenant.SocialLink{{Network: "facebook", URL: "https://facebook.com/cerveteri"}},
		HasLogo:    true, LogoVersion: 42,
	}
}

// withContext sets the request's tenant, staff and profile, as the real middlewares do.
func withContext(tn *tenant.Tenant, staff *principal.Staff, p *tenant.Profile) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		if tn != nil {
			ctx = tenant.WithTenant(ctx, tn)
		}
		if staff != nil {
			ctx = principal.WithStaff(ctx, staff)
		}
		ctx = principal.WithOrigin(ctx, principal.Origin{IP: "192.0.2.1", RequestID: "req-1234"})
		c.SetUserContext(ctx)
		if p != nil {
			web.SetProfile(c, *p)
		}
		return c.Next()
	}
}

func newApp(r *web.Renderer, mw ...fiber.Handler) *fiber.App {
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	app.Use(web.SecurityHeaders())
	for _, m := range mw {
		app.Use(m)
	}
	app.Use(web.CSRF())
	app.Get(web.StaticPrefix+"*", r.StaticHandler())
	return app
}

func do(t *testing.T, app *fiber.App, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := app.Test(req, -1)
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

func get(t *testing.T, app *fiber.App, target string) (*http.Response, string) {
	t.Helper()
	return do(t, app, httptest.NewRequest(http.MethodGet, target, nil))
}

func TestEveryPageRendersWithSampleData(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	tn, prof := sampleTenant(), sampleProfile()
	staff := &principal.Staff{UserID: uuid.New(), Name: "Maria Rossi", Email: "m@example.it", Roles: []string{"ente_admin"}}
	base := web.Page{
		Title: "Titolo", Tenant: tn, Profile: prof, Staff: staff, CSRF: "tok",
		Flash:       &web.Flash{Kind: "success", Message: "Fatto."},
		Errors:      map[string]string{"email": "Sbagliata."},
		Form:        map[string]string{"email": "x@"},
		Nav:         []web.NavItem{{Label: "Servizi", URL: "/servizi", DataElement: "all-services", Active: true}},
		Breadcrumbs: []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Titolo"}},
		Footer:      []web.NavItem{{Label: "Note legali", URL: "/note-legali", DataElement: "legal-notes"}},
	}
	for _, name := range r.Pages() {
		for _, variant := range []struct {
			label string
			page  web.Page
		}{{"full", base}, {"empty", web.Page{Title: "Vuota"}}} {
			var vm any = &web.ErrorPage{Page: variant.page, Status: 500, Message: "m", RequestID: "r"}
			if name == "test/custom" {
				vm = customPage{Page: variant.page, Extra: "x", When: time.Now()}
			}
			var buf bytes.Buffer
			require.NoError(t, r.Execute(&buf, name, vm), "%s (%s)", name, variant.label)
			html := buf.String()
			require.Contains(t, html, `<html lang="it">`, name)
			require.Equal(t, 1, strings.Count(html, "<h1"), "%s: one h1 per page", name)
			require.Contains(t, html, `id="main-container"`, name)
		}
	}
}

func TestCitizenLayout(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	tn, prof := sampleTenant(), sampleProfile()
	vm := web.Page{Title: "Prova", Tenant: tn, Profile: prof,
		Nav: []web.NavItem{{Label: "Servizi", URL: "/servizi", DataElement: "all-services", Active: true}}}
	var buf bytes.Buffer
	require.NoError(t, r.Execute(&buf, "test/plain", vm))
	html := buf.String()

	// The skip link is the first focusable element.
	first := regexp.MustCompile(`<(a|button|input|select|textarea)\b[^>]*>`).FindString(html)
	require.Contains(t, first, `href="#main-container"`)
	require.Contains(t, html, "Vai al contenuto principale")
	require.Contains(t, html, `<main id="main-container" tabindex="-1">`)
	require.Contains(t, html, `<header`)
	require.Contains(t, html, `<footer`)
	require.Contains(t, html, `aria-label="Menu principale"`)
	require.Regexp(t, `<a class="nav-link active" href="/servizi" data-element="all-services" aria-current="page">`, html)
	// The ambito in the slim header, linking to its site.
	require.Contains(t, html, `href="http://rm42.carta.test:8080">Ambito RM 4.2</a>`)
	require.Contains(t, html, `src="/logo?v=42"`)
	// Footer per the site model.
	require.Regexp(t, `href="https://form.agid.gov.it/view/abc" data-element="accessibility-link"`, html)
	require.Regexp(t, `data-element="privacy-policy-link"`, html)
	for _, s := range []string{"Piazza Risorgimento 1", "00052 Cerveteri (RM)", `href="tel:0689611"`,
		`mailto:sociali@comune.cerveteri.rm.it`, "protocollo@pec.comune.cerveteri.rm.it", "https://facebook.com/cerveteri"} {
		require.Contains(t, html, s)
	}
	// No improvement-plan text without a page to link to.
	require.NotContains(t, html, "Piano di miglioramento")
	// Bootstrap Italia CSS and bundle JS, the fonts, our own files: all fingerprinted when present.
	require.Contains(t, html, `/static/app.css?v=`)
	require.Contains(t, html, `/static/fonts.css?v=`)
	require.Contains(t, html, `/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css`)
	require.Contains(t, html, `/static/vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js`)
	// No inline script or style: the CSP forbids them.
	require.NotRegexp(t, `<script>|<script(?:\s+[a-z-]+(?:="[^"]*")?)*\s*>[^<]`, html)
	require.NotContains(t, html, "<style")
	require.NotContains(t, html, ` style="`)
}

func TestCitizenLayoutWithoutProfile(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	tn := sampleTenant()
	tn.Ambito = nil
	var buf bytes.Buffer
	require.NoError(t, r.Execute(&buf, "test/plain", web.Page{Title: "Prova", Tenant: tn}))
	html := buf.String()
	require.NotContains(t, html, "accessibility-link")
	require.NotContains(t, html, "privacy-policy-link")
	require.NotContains(t, html, `/logo`)
	require.NotContains(t, html, `navbar-collapsable`, "no menu markup without menu items")
}

func TestFormHelpersTieErrorsToFields(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	vm := web.Page{Title: "Modulo", CSRF: "abc\"<", Staff: &principal.Staff{Name: "Maria"},
		Errors: map[string]string{"email": "Indirizzo non valido.", "x": "Male."},
		Form:   map[string]string{"email": "non-una-mail"}}
	var buf bytes.Buffer
	require.NoError(t, r.Execute(&buf, "test/form", vm))
	html := buf.String()
	require.Contains(t, html, `<input type="hidden" name="_csrf" value="abc&#34;&lt;">`)
	require.Contains(t, html, `<label for="f-email" class="active">Email`)
	require.Regexp(t, `<input type="email" class="form-control is-invalid" id="f-email" name="email" value="non-una-mail" required aria-invalid="true" aria-describedby="f-email-error f-email-help">`, html)
	require.Contains(t, html, `<div class="invalid-feedback d-block" id="f-email-error">Indirizzo non valido.</div>`)
	require.Contains(t, html, `<small id="f-email-help" class="form-text">Indirizzo di lavoro</small>`)
	require.Contains(t, html, `<div class="invalid-feedback d-block" id="f-x-error">Male.</div>`)
	require.Contains(t, html, `role="alert"`)
	// The staff layout: logout button posting the token.
	require.Contains(t, html, `action="/admin/logout"`)
	require.Contains(t, html, "Area riservata")
}

func TestDates(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, 1, 2, 13, 5, 0, 0, time.UTC)
	require.Equal(t, "2 gennaio 2026", web.DateIT(d))
	require.Equal(t, "2 gennaio 2026, 14:05", web.DateTimeIT(d)) // Rome is UTC+1 in winter
	r := newRenderer(t)
	var buf bytes.Buffer
	require.NoError(t, r.Execute(&buf, "test/custom", customPage{Page: web.Page{Title: "T"}, Extra: "ok",
		When: time.Date(2025, 8, 15, 22, 30, 0, 0, time.UTC)}))
	require.Contains(t, buf.String(), "ok – 16 agosto 2025 – 16 agosto 2025, 00:30")
}

func TestPagesMayAddToHead(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	var buf bytes.Buffer
	require.NoError(t, r.Execute(&buf, "test/head", web.Page{Title: "T"}))
	head := buf.String()[:strings.Index(buf.String(), "</head>")]
	require.Contains(t, head, `<meta name="robots" content="noindex">`)
	buf.Reset()
	require.NoError(t, r.Execute(&buf, "test/platform", web.Page{Title: "T"}))
	require.NotContains(t, buf.String(), "noindex", "one page's blocks never leak into another")
}

func TestRenderErrorsOnUnknownPage(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	require.Error(t, r.Execute(io.Discard, "nope", web.Page{}))
	require.Error(t, r.Execute(io.Discard, "test/plain", struct{ X int }{}))
}

func TestBadPagesFailAtStart(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"syntax":     `{{template "citizen" .}}{{define "content"}}{{if}}{{end}}`,
		"no content": `{{template "citizen" .}}`,
		"bad func":   `{{template "citizen" .}}{{define "content"}}{{nonesiste .}}{{end}}`,
	} {
		_, err := web.NewRenderer(web.RendererOptions{Dev: true, Log: quiet,
			Pages: []fs.FS{fstest.MapFS{"x/p.html": {Data: []byte(src)}}}})
		require.Error(t, err, name)
	}
	// The same page name twice.
	_, err := web.NewRenderer(web.RendererOptions{Dev: true, Log: quiet, Pages: []fs.FS{testPages, testPages}})
	require.Error(t, err)
}

func TestErrorHandler(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	tn := sampleTenant()
	prof := sampleProfile()
	secret := errors.New("pq: relation secret_table does not exist at 10.0.0.5")
	app := newApp(r, withContext(tn, nil, &prof))
	routes := map[string]error{
		"/invalid":      apperr.New(apperr.Invalid, "Il dato è sbagliato."),
		"/invalid-form": apperr.InvalidFields(map[string]string{"a": "b"}),
		"/notfound":     apperr.ErrNotFound,
		"/conflict":     apperr.New(apperr.Conflict, "Esiste già."),
		"/forbidden":    apperr.New(apperr.Forbidden, "Non puoi."),
		"/toomany":      apperr.New(apperr.TooMany, "Piano."),
		"/unavailable":  apperr.Wrap(apperr.Unavailable, "Il servizio non risponde.", secret),
		"/internal":     apperr.Wrap(apperr.Internal, "Messaggio interno "+secret.Error(), secret),
		"/plain":        fmt.Errorf("load: %w", secret),
		"/unauth":       apperr.New(apperr.Unauthorized, "Accedi."),
		"/admin/ente":   apperr.New(apperr.Unauthorized, "Accedi."),
		"/admin/login":  apperr.New(apperr.Unauthorized, "Accedi."),
		"/fiber":        fiber.NewError(fiber.StatusBadRequest, "internal english detail"),
	}
	for path, err := range routes {
		app.All(path, func(c *fiber.Ctx) error { return err })
	}
	cases := []struct {
		method, path string
		status       int
		contains     []string
	}{
		{"GET", "/invalid", 400, []string{"Il dato è sbagliato."}},
		{"GET", "/invalid-form", 422, []string{"Alcuni campi non sono validi"}},
		{"GET", "/notfound", 404, []string{"Pagina non trovata", "Comune di Cerveteri"}},
		{"GET", "/conflict", 409, []string{"Esiste già."}},
		{"GET", "/forbidden", 403, []string{"Non puoi."}},
		{"GET", "/toomany", 429, []string{"Piano."}},
		{"GET", "/unavailable", 503, []string{"Il servizio non risponde.", "req-1234"}},
		{"GET", "/internal", 500, []string{"Errore del server", "Codice della richiesta", "req-1234"}},
		{"GET", "/plain", 500, []string{"Errore del server", "req-1234"}},
		{"GET", "/unauth", 401, []string{"Accedi."}},
		{"GET", "/admin/login", 401, []string{"Accedi."}},
		{"GET", "/fiber", 400, []string{"La richiesta non è valida."}},
		{"GET", "/does-not-exist", 404, []string{"Pagina non trovata"}},
	}
	for _, tc := range cases {
		res, body := do(t, app, httptest.NewRequest(tc.method, tc.path, nil))
		require.Equal(t, tc.status, res.StatusCode, tc.path)
		for _, s := range tc.contains {
			require.Contains(t, body, s, tc.path)
		}
		require.NotContains(t, body, "secret_table", tc.path)
		require.NotContains(t, body, "10.0.0.5", tc.path)
		require.NotContains(t, body, "internal english detail", tc.path)
		require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), tc.path)
		// Errors on a tenant host use the citizen layout with the tenant's footer.
		require.Contains(t, body, "Piazza Risorgimento 1", tc.path)
	}

	// Wrong method on an existing route.
	app.Get("/solo-get", func(c *fiber.Ctx) error { return c.SendString("ok") })
	res, body := do(t, app, httptest.NewRequest(http.MethodPut, "/solo-get", nil))
	require.Equal(t, 403, res.StatusCode, "the CSRF check comes first for a PUT")
	require.Contains(t, body, "La sessione del modulo è scaduta: ricarica la pagina e riprova.")

	// Unauthorized GET under /admin: to the login page, with a local next.
	res, _ = get(t, app, "/admin/ente?tab=logo")
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/login?next="+url.QueryEscape("/admin/ente?tab=logo"), res.Header.Get("Location"))
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	app.Get("/solo-get", func(c *fiber.Ctx) error { return c.SendString("ok") })
	res, body := do(t, app, httptest.NewRequest(http.MethodDelete, "/solo-get", nil))
	require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	require.Contains(t, body, "Operazione non consentita")
}

func TestUnknownHost404ShowsNoTenant(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := newApp(r) // no tenant in context: the platform layout
	res, body := get(t, app, "/qualcosa")
	require.Equal(t, 404, res.StatusCode)
	require.Contains(t, body, "Pagina non trovata")
	require.Contains(t, body, "Carta dei Servizi Sociali")
	require.NotContains(t, body, "Comune di")
	require.NotContains(t, body, "/logo")
}

func TestErrorPageForStaffUsesStaffLayout(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	staff := &principal.Staff{UserID: uuid.New(), Name: "Maria Rossi"}
	app := newApp(r, withContext(sampleTenant(), staff, nil))
	app.Get("/admin/x", func(c *fiber.Ctx) error { return apperr.New(apperr.Forbidden, "Non hai il permesso.") })
	res, body := get(t, app, "/admin/x")
	require.Equal(t, 403, res.StatusCode)
	require.Contains(t, body, "Non hai il permesso.")
	require.Contains(t, body, "Maria Rossi")
	require.Contains(t, body, `action="/admin/logout"`)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/admin/ente":      "/admin/ente",
		"/admin?x=1":       "/admin?x=1",
		"//evil.example":   "",
		"/\\evil.example":  "",
		"https://evil.it/": "",
		"admin":            "",
		"":                 "",
		"/a\r\nSet-Cookie": "",
	} {
		require.Equal(t, want, web.SafeNext(in), in)
	}
}

func csrfCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == web.CSRFCookie {
			return c
		}
	}
	return nil
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := newApp(r, withContext(sampleTenant(), &principal.Staff{Name: "M"}, nil))
	app.Get("/modulo", func(c *fiber.Ctx) error {
		return r.Render(c, 200, "test/form", web.NewPage(c, "Modulo"))
	})
	app.Get("/senza", func(c *fiber.Ctx) error {
		p := web.NewPage(c, "Senza modulo")
		p.Staff = nil
		return r.Render(c, 200, "test/plain", p)
	})
	app.Post("/salva", func(c *fiber.Ctx) error { return c.SendString("salvato") })

	// A page without a form sets no cookie at all.
	res, _ := get(t, app, "/senza")
	require.Empty(t, res.Cookies())

	// A page with a form sets the cookie carrying the token in the form.
	res, body := get(t, app, "/modulo")
	ck := csrfCookie(res)
	require.NotNil(t, ck)
	require.Len(t, ck.Value, 43)
	require.True(t, ck.Secure)
	require.True(t, ck.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	require.Equal(t, "/", ck.Path)
	require.Empty(t, ck.Domain)
	require.Contains(t, body, `name="_csrf" value="`+ck.Value+`"`)

	// With the cookie already there, the page reuses it and sets nothing.
	req := httptest.NewRequest(http.MethodGet, "/modulo", nil)
	req.AddCookie(ck)
	res, body = do(t, app, req)
	require.Nil(t, csrfCookie(res))
	require.Contains(t, body, `value="`+ck.Value+`"`)

	post := func(form url.Values, cookie *http.Cookie, header string) (*http.Response, string) {
		req := httptest.NewRequest(http.MethodPost, "/salva", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		if header != "" {
			req.Header.Set(web.CSRFHeader, header)
		}
		return do(t, app, req)
	}
	other := strings.Repeat("A", 43)
	for name, tc := range map[string]struct {
		form   url.Values
		cookie *http.Cookie
		header string
		status int
	}{
		"no cookie, no token":   {url.Values{}, nil, "", 403},
		"token without cookie":  {url.Values{"_csrf": {ck.Value}}, nil, "", 403},
		"cookie without token":  {url.Values{}, ck, "", 403},
		"wrong token":           {url.Values{"_csrf": {other}}, ck, "", 403},
		"truncated token":       {url.Values{"_csrf": {ck.Value[:20]}}, ck, "", 403},
		"right token in form":   {url.Values{"_csrf": {ck.Value}}, ck, "", 200},
		"right token in header": {url.Values{}, ck, ck.Value, 200},
	} {
		res, body := post(tc.form, tc.cookie, tc.header)
		require.Equal(t, tc.status, res.StatusCode, name)
		if tc.status == 403 {
			require.Contains(t, body, "La sessione del modulo è scaduta: ricarica la pagina e riprova.", name)
		} else {
			require.Equal(t, "salvato", body, name)
		}
	}
}

func TestRotateCSRF(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := newApp(r, withContext(sampleTenant(), &principal.Staff{Name: "M"}, nil))
	app.Get("/ruota", func(c *fiber.Ctx) error {
		web.RotateCSRF(c)
		return r.Render(c, 200, "test/form", web.NewPage(c, "Modulo"))
	})
	req := httptest.NewRequest(http.MethodGet, "/ruota", nil)
	old := &http.Cookie{Name: web.CSRFCookie, Value: strings.Repeat("B", 43)}
	req.AddCookie(old)
	res, body := do(t, app, req)
	ck := csrfCookie(res)
	require.NotNil(t, ck)
	require.NotEqual(t, old.Value, ck.Value)
	require.Contains(t, body, `value="`+ck.Value+`"`)
}

func TestFlash(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := newApp(r, withContext(sampleTenant(), nil, nil))
	app.Get("/fatto", func(c *fiber.Ctx) error {
		web.SetFlash(c, "success", "Profilo aggiornato.")
		return c.Redirect("/dopo", fiber.StatusSeeOther)
	})
	app.Get("/dopo", func(c *fiber.Ctx) error { return r.Render(c, 200, "test/plain", web.NewPage(c, "Dopo")) })

	res, _ := get(t, app, "/fatto")
	require.Equal(t, 303, res.StatusCode)
	var flash *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == web.FlashCookie {
			flash = c
		}
	}
	require.NotNil(t, flash)
	require.True(t, flash.Secure && flash.HttpOnly)

	req := httptest.NewRequest(http.MethodGet, "/dopo", nil)
	req.AddCookie(flash)
	res, body := do(t, app, req)
	require.Contains(t, body, `<div class="alert alert-success mb-4" role="status">Profilo aggiornato.</div>`)
	cleared := false
	for _, c := range res.Cookies() {
		if c.Name == web.FlashCookie && (c.MaxAge < 0 || c.Expires.Before(time.Now())) {
			cleared = true
		}
	}
	require.True(t, cleared, "the flash is shown once")

	// A forged cookie with an unknown kind is ignored.
	req = httptest.NewRequest(http.MethodGet, "/dopo", nil)
	req.AddCookie(&http.Cookie{Name: web.FlashCookie, Value: "eyJLaW5kIjoiPHNjcmlwdD4iLCJNZXNzYWdlIjoieCJ9"})
	_, body = do(t, app, req)
	require.NotContains(t, body, "alert-")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := newApp(r)
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	res, _ := get(t, app, "/")
	require.Equal(t, web.ContentSecurityPolicy, res.Header.Get("Content-Security-Policy"))
	for _, d := range []string{"default-src 'self'", "img-src 'self' data:", "font-src 'self' data:", "style-src 'self'", "script-src 'self'",
		"frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
		require.Contains(t, res.Header.Get("Content-Security-Policy"), d)
	}
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "strict-origin-when-cross-origin", res.Header.Get("Referrer-Policy"))
	require.NotEmpty(t, res.Header.Get("Permissions-Policy"))
	require.Empty(t, res.Header.Get("Strict-Transport-Security"), "no HSTS over plain HTTP")

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res, _ = do(t, app, req)
	require.Contains(t, res.Header.Get("Strict-Transport-Security"), "max-age=")

	// Error pages carry them too.
	res, _ = get(t, app, "/manca")
	require.Equal(t, 404, res.StatusCode)
	require.NotEmpty(t, res.Header.Get("Content-Security-Policy"))
}

var assetRE = regexp.MustCompile(`/static/app\.css\?v=([0-9a-f]{12})`)

func TestStaticFingerprintAndCaching(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := newApp(r)
	var buf bytes.Buffer
	require.NoError(t, r.Execute(&buf, "test/platform", web.Page{Title: "x"}))
	m := assetRE.FindStringSubmatch(buf.String())
	require.NotNil(t, m, "app.css is linked with its fingerprint")
	hash := m[1]

	res, body := get(t, app, "/static/app.css?v="+hash)
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))
	require.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `"`+hash+`"`, res.Header.Get("ETag"))
	require.Contains(t, body, ".brand-logo")

	// Another version: served, but revalidated.
	res, _ = get(t, app, "/static/app.css?v=000000000000")
	require.Equal(t, "public, no-cache", res.Header.Get("Cache-Control"))
	res, _ = get(t, app, "/static/app.css")
	require.Equal(t, "public, no-cache", res.Header.Get("Cache-Control"))

	req := httptest.NewRequest(http.MethodGet, "/static/app.css?v="+hash, nil)
	req.Header.Set("If-None-Match", `"`+hash+`"`)
	res, body = do(t, app, req)
	require.Equal(t, http.StatusNotModified, res.StatusCode)
	require.Empty(t, body)

	// Compressed for clients that accept it.
	req = httptest.NewRequest(http.MethodGet, "/static/fonts.css", nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	res, body = do(t, app, req)
	require.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	require.Contains(t, res.Header.Get("Vary"), "Accept-Encoding")
	zr, err := gzip.NewReader(strings.NewReader(body))
	require.NoError(t, err)
	plain, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Contains(t, string(plain), "@font-face")

	res, _ = get(t, app, "/static/nonesiste.css")
	require.Equal(t, 404, res.StatusCode)
	res, _ = get(t, app, "/static/../web.go")
	require.Equal(t, 404, res.StatusCode)
}

// TestVendorAssets needs `make assets`; without it the binary cannot serve the citizen site.
func TestVendorAssets(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	app := newApp(r)
	res, _ := get(t, app, "/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css")
	if res.StatusCode == 404 {
		t.Fatal("Bootstrap Italia not installed: run `make assets` (make test does it first)")
	}
	require.Equal(t, "text/css; charset=utf-8", res.Header.Get("Content-Type"))

	_, js := get(t, app, "/static/vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js")
	require.Contains(t, js, "BOOTSTRAP_ITALIA_VERSION")

	res, _ = get(t, app, "/static/vendor/bootstrap-italia/svg/sprites.svg")
	require.Equal(t, "image/svg+xml", res.Header.Get("Content-Type"))

	// fonts.css points at fingerprinted font files, which are served as woff2.
	_, css := get(t, app, "/static/fonts.css")
	for _, fam := range []string{"Titillium Web", "Lora", "Roboto Mono"} {
		require.Contains(t, css, "font-family: '"+fam+"'")
	}
	u := regexp.MustCompile(`url\('(/static/vendor/bootstrap-italia/fonts/Titillium_Web/[^']+\.woff2\?v=[0-9a-f]{12})'\)`).FindStringSubmatch(css)
	require.NotNil(t, u, "font URLs are rewritten to fingerprinted ones")
	res, _ = get(t, app, u[1])
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "font/woff2", res.Header.Get("Content-Type"))
	require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))

	// In production the renderer refuses to start without them; here they are there.
	_, err := web.NewRenderer(web.RendererOptions{Log: quiet})
	require.NoError(t, err)
}

func TestActivateNav(t *testing.T) {
	t.Parallel()
	items := []web.NavItem{{URL: "/admin"}, {URL: "/admin/ente"}, {URL: "/admin/utenti"}}
	web.ActivateNav(items, "/admin/ente")
	require.Equal(t, []bool{false, true, false}, []bool{items[0].Active, items[1].Active, items[2].Active})
	web.ActivateNav(items, "/admin/utenti/123")
	require.True(t, items[2].Active)
	require.False(t, items[0].Active)
	web.ActivateNav(items, "/admin")
	require.True(t, items[0].Active)
	web.ActivateNav(items, "/admin/entexyz")
	require.True(t, items[0].Active)
	require.False(t, items[1].Active)
}
