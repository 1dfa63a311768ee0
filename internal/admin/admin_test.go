package admin_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/admin"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// allowAll is the access checker of these tests: every permission is granted (the real
// Casbin checker and its tests live in the access package).
type allowAll struct{}

func (allowAll) Require(access.Perm) fiber.Handler {
	return func(c *fiber.Ctx) error { return c.Next() }
}

// fixture is one tenant with a logged-in staff member and the staff area wired as the
// application wires it.
type fixture struct {
	env    *testenv.Env
	app    *fiber.App
	tenant *tenant.Tenant
	staff  *principal.Staff
	reg    *access.Registry
	csrf   *http.Cookie
}

func setup(t *testing.T, can func(context.Context, access.Perm) bool) *fixture {
	t.Helper()
	env := testenv.Get(t)
	f := &fixture{env: env, tenant: env.NewTenant(t, tenant.KindComune), reg: access.NewRegistry()}
	email := "staff-" + uuid.NewString()[:8] + "@example.it"
	var id uuid.UUID
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		"INSERT INTO users (email, display_name) VALUES ($1, 'Maria Rossi') RETURNING id", email).Scan(&id))
	f.staff = &principal.Staff{UserID: id, Email: email, Name: "Maria Rossi", Roles: []string{access.RoleEnteAdmin}}
	if can == nil {
		can = func(context.Context, access.Perm) bool { return true }
	}

	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{admin.Templates}, Dev: true, Log: quiet})
	require.NoError(t, err)
	f.app = fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	f.app.Use(web.SecurityHeaders(), func(c *fiber.Ctx) error {
		ctx := tenant.WithTenant(c.UserContext(), f.tenant)
		ctx = principal.WithStaff(ctx, f.staff)
		ctx = principal.WithOrigin(ctx, principal.Origin{IP: "198.51.100.7", UserAgent: "test", RequestID: "r1"})
		c.SetUserContext(ctx)
		return c.Next()
	}, web.CSRF())
	admin.Register(access.NewRouter(f.app.Group("/admin"), "/admin", allowAll{}, f.reg), admin.Deps{
		Render: r, Tenants: env.Tenants, DB: env.DB, Log: quiet, Can: can,
	})
	f.csrf = &http.Cookie{Name: web.CSRFCookie, Value: strings.Repeat("x", 43)}
	return f
}

func (f *fixture) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	req.Host = f.tenant.Slug + ".carta.test"
	res, err := f.app.Test(req, -1)
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

func (f *fixture) get(t *testing.T, target string) (*http.Response, string) {
	return f.do(t, httptest.NewRequest(http.MethodGet, target, nil))
}

func (f *fixture) postForm(t *testing.T, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("_csrf", f.csrf.Value)
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(f.csrf)
	return f.do(t, req)
}

func (f *fixture) postFile(t *testing.T, target, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("_csrf", f.csrf.Value))
	fw, err := w.CreateFormFile("logo", name)
	require.NoError(t, err)
	_, err = fw.Write(data)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	req := httptest.NewRequest(http.MethodPost, target, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(f.csrf)
	return f.do(t, req)
}

func (f *fixture) auditItems(t *testing.T) []audit.Item {
	t.Helper()
	ctx := context.Background()
	var items []audit.Item
	require.NoError(t, f.env.DB.InTx(ctx, f.tenant.ID, func(tx *tenant.Tx) error {
		var err error
		items, err = audit.List(ctx, tx, 200, nil)
		return err
	}))
	return items
}

func (f *fixture) profile(t *testing.T) tenant.Profile {
	t.Helper()
	p, err := f.env.Tenants.Profile(context.Background(), f.tenant.ID)
	require.NoError(t, err)
	return p
}

func TestRoutesAreRegisteredWithPermissions(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	want := map[string]access.Perm{
		"GET /admin":                    access.DashboardRead,
		"GET /admin/":                   access.DashboardRead,
		"GET /admin/ente":               access.ProfileRead,
		"POST /admin/ente":              access.ProfileWrite,
		"POST /admin/ente/logo":         access.ProfileWrite,
		"POST /admin/ente/logo/rimuovi": access.ProfileWrite,
		"GET /admin/registro":           access.AuditRead,
	}
	for route, perm := range want {
		method, path, _ := strings.Cut(route, " ")
		got, ok := f.reg.Lookup(method, path)
		require.True(t, ok, route)
		require.Equal(t, perm, got, route)
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	f := setup(t, func(_ context.Context, p access.Perm) bool { return p != access.AuditRead })
	res, body := f.get(t, "/admin")
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	require.Contains(t, body, "Ti diamo il benvenuto, Maria Rossi.")
	require.Contains(t, body, f.tenant.Name)
	require.Contains(t, body, "Amministratore dell&#39;ente")
	require.Contains(t, body, `<a href="/admin/ente">Profilo dell&#39;ente</a>`)
	require.Contains(t, body, `<a href="/admin/utenti">Utenti</a>`)
	require.NotContains(t, body, `/admin/registro`, "no card or menu item without the permission")
	require.Contains(t, body, `<a class="list-item active" href="/admin" aria-current="page">`)
	// The logout button posts the token, so the cookie comes with the page.
	require.Contains(t, body, `action="/admin/logout"`)
	require.NotEmpty(t, res.Header.Values("Set-Cookie"))
}

func TestNavFor(t *testing.T) {
	t.Parallel()
	items := admin.NavFor(context.Background(), func(_ context.Context, p access.Perm) bool {
		return p == access.DashboardRead || p == access.UsersRead
	})
	require.Equal(t, []web.NavItem{{Label: "Bacheca", URL: "/admin"}, {Label: "Utenti", URL: "/admin/utenti"}}, items)
	require.Empty(t, admin.NavFor(context.Background(), nil))
}

func validForm() url.Values {
	return url.Values{
		"legal_address": {"Piazza Risorgimento 1"}, "postal_code": {"00052"}, "city": {"Cerveteri"},
		"province": {"rm"}, "phone": {"06 896301"}, "email": {"sociali@comune.example.it"},
		"pec": {"protocollo@pec.comune.example.it"}, "website_url": {"https://www.comune.example.it"},
		"accessibility_url": {"https://form.agid.gov.it/view/0d3b7c0e"},
		"privacy_url":       {"https://www.comune.example.it/privacy"},
		"social_network_0":  {"facebook"}, "social_url_0": {"https://facebook.com/comune"},
	}
}

func TestProfileFormShowsStoredValues(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	res, _ := f.postForm(t, "/admin/ente", validForm())
	require.Equal(t, http.StatusSeeOther, res.StatusCode)

	res, body := f.get(t, "/admin/ente")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, `name="legal_address" value="Piazza Risorgimento 1"`)
	require.Contains(t, body, `name="province" value="RM"`)
	require.Contains(t, body, `<option value="facebook" selected>Facebook</option>`)
	require.Contains(t, body, `value="https://facebook.com/comune"`)
	require.Regexp(t, `<input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{43}">`, body)
	require.Contains(t, body, `aria-current="page"><span>Profilo dell&#39;ente</span>`)
}

func TestProfileUpdateRecordsAuditAndRedirects(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	res, _ := f.postForm(t, "/admin/ente", validForm())
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, "/admin/ente", res.Header.Get("Location"))
	var flash *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == web.FlashCookie {
			flash = c
		}
	}
	require.NotNil(t, flash)

	p := f.profile(t)
	require.Equal(t, "Piazza Risorgimento 1", p.LegalAddress)
	require.Equal(t, "RM", p.Province)
	require.Equal(t, "protocollo@pec.comune.example.it", p.PEC)
	require.Equal(t, []tenant.SocialLink{{Network: "facebook", URL: "https://facebook.com/comune"}}, p.Social)

	items := f.auditItems(t)
	require.Len(t, items, 1)
	it := items[0]
	require.Equal(t, "profile.update", it.Action)
	require.Equal(t, f.staff.Email, it.Actor)
	require.Equal(t, "198.51.100.7", it.IP)
	require.Equal(t, f.tenant.ID.String(), it.ObjectID)
	require.Contains(t, fmt.Sprint(it.Details["changed"]), "pec")

	// The redirected page shows the flash once.
	req := httptest.NewRequest(http.MethodGet, "/admin/ente", nil)
	req.AddCookie(flash)
	_, body := f.do(t, req)
	require.Contains(t, body, `role="status">Profilo aggiornato.</div>`)

	// The trail lists it in Italian.
	_, body = f.get(t, "/admin/registro")
	require.Contains(t, body, "Profilo dell&#39;ente aggiornato")
	require.Contains(t, body, f.staff.Email)
	require.Contains(t, body, "198.51.100.7")
}

func TestProfileValidationShowsMessagesNextToFields(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	form := validForm()
	form.Set("email", "non-una-mail")
	form.Set("pec", "pec@")
	form.Set("website_url", "javascript:alert(1)")
	form.Set("province", "Roma")
	form.Set("postal_code", "52")
	form.Set("accessibility_url", "https://www.comune.example.it/accessibilita")
	form.Set("social_network_1", "instagram")
	res, body := f.postForm(t, "/admin/ente", form)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, body, "Alcuni campi non sono validi")
	for field, msg := range map[string]string{
		"email":             "Indica un indirizzo email valido",
		"pec":               "Indica un indirizzo PEC valido",
		"website_url":       "che inizia con https://",
		"province":          "2 lettere",
		"postal_code":       "5 cifre",
		"accessibility_url": "form.agid.gov.it",
	} {
		id := "f-" + strings.ReplaceAll(field, "_", "-")
		// The input is marked invalid and described by its message, which follows it.
		re := regexp.MustCompile(`id="` + id + `" name="` + field + `" value="[^"]*"[^>]*aria-invalid="true" aria-describedby="` + id + `-error`)
		require.Regexp(t, re, body, field)
		require.Regexp(t, `<div class="invalid-feedback d-block" id="`+id+`-error">[^<]*`+regexp.QuoteMeta(msg), body, field)
	}
	require.Contains(t, body, `id="f-social-url-1-error">Indica l&#39;indirizzo della pagina.</div>`)
	// The user's input is shown again.
	require.Contains(t, body, `value="non-una-mail"`)
	require.Contains(t, body, `value="ROMA"`)
	// Nothing was saved, nothing recorded.
	require.Empty(t, f.profile(t).Email)
	require.Empty(t, f.auditItems(t))
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))))
	return buf.Bytes()
}

func TestLogoUpload(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)

	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	res, body := f.postFile(t, "/admin/ente/logo", "logo.png", svg)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, body, `id="f-logo-error">Il formato SVG non è accettato`)
	require.Contains(t, body, `aria-describedby="f-logo-help f-logo-error"`)

	big := append(pngBytes(t), bytes.Repeat([]byte{0}, admin.MaxLogoBytes)...)
	res, body = f.postFile(t, "/admin/ente/logo", "logo.png", big)
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, body, "al massimo 1 MB")

	res, body = f.postFile(t, "/admin/ente/logo", "logo.gif", []byte("GIF89a......"))
	require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	require.Contains(t, body, "non è un&#39;immagine PNG, JPEG o WebP")

	require.False(t, f.profile(t).HasLogo)
	require.Empty(t, f.auditItems(t))

	logo := pngBytes(t)
	res, _ = f.postFile(t, "/admin/ente/logo", "x.svg", logo) // the name does not matter, the content does
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.True(t, f.profile(t).HasLogo)
	items := f.auditItems(t)
	require.Len(t, items, 1)
	require.Equal(t, "profile.logo.update", items[0].Action)
	require.Equal(t, "image/png", items[0].Details["content_type"])

	_, body = f.get(t, "/admin/ente")
	require.Contains(t, body, `src="/logo?v=`)
	require.Contains(t, body, `action="/admin/ente/logo/rimuovi"`)

	res, _ = f.postForm(t, "/admin/ente/logo/rimuovi", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.False(t, f.profile(t).HasLogo)
	items = f.auditItems(t)
	require.Len(t, items, 2)
	require.Equal(t, "profile.logo.remove", items[0].Action)
}

func TestWritesNeedTheCSRFToken(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	req := httptest.NewRequest(http.MethodPost, "/admin/ente", strings.NewReader(validForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, body := f.do(t, req)
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	require.Contains(t, body, "La sessione del modulo è scaduta")
	require.Empty(t, f.profile(t).LegalAddress)
}

func TestAuditPagination(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := principal.WithStaff(context.Background(), f.staff)
	require.NoError(t, f.env.DB.InTx(ctx, f.tenant.ID, func(tx *tenant.Tx) error {
		for i := range 60 {
			if err := audit.Record(ctx, tx, audit.Entry{Action: "user.invite", ObjectType: "user", ObjectID: fmt.Sprintf("u%02d", i)}); err != nil {
				return err
			}
		}
		return nil
	}))
	_, body := f.get(t, "/admin/registro")
	require.Equal(t, admin.AuditPageSize, strings.Count(body, "<tr>")-1) // minus the header row
	require.Contains(t, body, "</span>u59</td>")                         // newest first
	require.NotContains(t, body, "</span>u09</td>")
	require.Contains(t, body, "Utente invitato")
	m := regexp.MustCompile(`href="/admin/registro\?before=(\d+)">Carica precedenti</a>`).FindStringSubmatch(body)
	require.NotNil(t, m)

	_, body = f.get(t, "/admin/registro?before="+m[1])
	require.Equal(t, 10, strings.Count(body, "<tr>")-1)
	require.Contains(t, body, "</span>u09</td>")
	require.Contains(t, body, "</span>u00</td>")
	require.NotContains(t, body, "Carica precedenti")
	require.Contains(t, body, "Torna alle più recenti")

	res, _ := f.get(t, "/admin/registro?before=abc")
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
}

func TestTenantPagesNeedATenant(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	// The platform's admin host: a logged-in user, no tenant.
	env := f.env
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{admin.Templates}, Dev: true, Log: quiet})
	require.NoError(t, err)
	a := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	a.Use(func(c *fiber.Ctx) error {
		c.SetUserContext(principal.WithStaff(c.UserContext(), f.staff))
		return c.Next()
	})
	admin.Register(access.NewRouter(a.Group("/admin"), "/admin", allowAll{}, access.NewRegistry()), admin.Deps{
		Render: r, Tenants: env.Tenants, DB: env.DB, Log: quiet,
		Can: func(context.Context, access.Perm) bool { return true },
	})
	for _, p := range []string{"/admin/ente", "/admin/registro"} {
		res, err := a.Test(httptest.NewRequest(http.MethodGet, p, nil), -1)
		require.NoError(t, err)
		require.Equal(t, 404, res.StatusCode, p)
	}
	res, err := a.Test(httptest.NewRequest(http.MethodGet, "/admin", nil), -1)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
}
