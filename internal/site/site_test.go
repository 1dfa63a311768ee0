package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newApp wires the citizen site as the application does: tenant from the Host header
// (<slug>.carta.test; the bare domain is the platform host; anything else is unknown).
func newApp(t *testing.T, env *testenv.Env, opts ...func(*site.Deps)) *fiber.App {
	t.Helper()
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{site.Templates}, Dev: true,
		TenantURL: env.Cfg.TenantURL, Log: quiet})
	require.NoError(t, err)
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	app.Use(web.SecurityHeaders())
	app.Get(web.StaticPrefix+"*", r.StaticHandler())
	app.Use(func(c *fiber.Ctx) error {
		host := c.Hostname()
		if host == env.Cfg.BaseDomain {
			return c.Next()
		}
		slug, ok := strings.CutSuffix(host, "."+env.Cfg.BaseDomain)
		if !ok {
			return apperr.ErrNotFound
		}
		tn, err := env.Tenants.BySlug(c.UserContext(), slug)
		if err != nil {
			return err
		}
		c.SetUserContext(tenant.WithTenant(c.UserContext(), tn))
		return c.Next()
	})
	app.Use(web.CSRF())
	d := site.Deps{Render: r, Tenants: env.Tenants, DB: env.DB, Log: quiet, Cfg: env.Cfg}
	for _, o := range opts {
		o(&d)
	}
	site.Register(app, d)
	return app
}

func get(t *testing.T, app *fiber.App, host, target string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Host = host
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := app.Test(req, -1)
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}

func host(tn *tenant.Tenant) string { return tn.Slug + ".carta.test" }

func setProfile(t *testing.T, env *testenv.Env, tn *tenant.Tenant, p db.TenantProfileUpsertParams) {
	t.Helper()
	if p.SocialLinks == nil {
		p.SocialLinks = []byte("[]")
	}
	ctx := context.Background()
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		_, err := tx.TenantProfileUpsert(ctx, p)
		return err
	}))
}

func TestHomeShowsTenantAndProfile(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	tn := env.NewTenant(t, tenant.KindComune)
	social, _ := json.Marshal([]tenant.SocialLink{{Network: "instagram", URL: "https://instagram.com/comune"}})
	setProfile(t, env, tn, db.TenantProfileUpsertParams{
		LegalAddress: "Piazza Risorgimento 1", PostalCode: "00052", City: "Cerveteri", Province: "RM",
		Phone: "06 896301", Email: "sociali@comune.example.it", Pec: "protocollo@pec.comune.example.it",
		AccessibilityUrl: "https://form.agid.gov.it/view/123", PrivacyUrl: "https://comune.example.it/privacy",
		SocialLinks: social,
	})

	res, body := get(t, app, host(tn), "/")
	require.Equal(t, 200, res.StatusCode)
	require.Regexp(t, `<h1[^>]*>`+tn.Name+`</h1>`, body)
	require.Equal(t, 1, strings.Count(body, "<h1"))
	footer := body[strings.Index(body, "<footer"):]
	for _, s := range []string{"Piazza Risorgimento 1", "00052 Cerveteri (RM)", "06 896301",
		"sociali@comune.example.it", "protocollo@pec.comune.example.it", "https://instagram.com/comune"} {
		require.Contains(t, footer, s)
	}
	require.Contains(t, footer, `href="https://form.agid.gov.it/view/123" data-element="accessibility-link"`)
	require.Contains(t, footer, `href="https://comune.example.it/privacy" data-element="privacy-policy-link"`)
	// Citizen pages without a form set no cookie.
	require.Empty(t, res.Header.Values("Set-Cookie"))
	require.NotEmpty(t, res.Header.Get("Content-Security-Policy"))
}

func TestHomeOfTenantWithoutProfile(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	tn := env.NewTenant(t, tenant.KindComune)
	res, body := get(t, app, host(tn), "/")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, "I contatti non sono ancora stati pubblicati.")
	require.NotContains(t, body, "accessibility-link")
	require.NotContains(t, body, `src="/logo`)
}

func TestAmbitoAndMembers(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	amb := env.NewTenant(t, tenant.KindAmbito)
	capo := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, true)
	other := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)

	_, body := get(t, app, host(amb), "/")
	require.Contains(t, body, "I Comuni dell'ambito")
	require.Contains(t, body, `href="http://`+capo.Slug+`.carta.test:8080">`+capo.Name+`</a> <span class="badge bg-primary">capofila</span>`)
	require.Contains(t, body, `href="http://`+other.Slug+`.carta.test:8080">`+other.Name+`</a>`)

	_, body = get(t, app, host(other), "/")
	require.Contains(t, body, `altri Comuni <a href="http://`+amb.Slug+`.carta.test:8080">dell&#39;`+amb.Name+`</a>`)
	require.Contains(t, body, `Comune capofila: <a href="http://`+capo.Slug+`.carta.test:8080">`+capo.Name+`</a>`)
	// The slim header names the ambito, linking to its site.
	require.Contains(t, body, `<a class="navbar-brand" href="http://`+amb.Slug+`.carta.test:8080">`+amb.Name+`</a>`)

	_, body = get(t, app, host(capo), "/")
	require.Contains(t, body, capo.Name+" è il Comune capofila dell'ambito.")
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))))
	return buf.Bytes()
}

func TestLogo(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	tn := env.NewTenant(t, tenant.KindComune)

	res, _ := get(t, app, host(tn), "/logo")
	require.Equal(t, 404, res.StatusCode)

	logo := pngBytes(t)
	ctx := context.Background()
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		return tx.TenantProfileSetLogo(ctx, db.TenantProfileSetLogoParams{Logo: logo, LogoContentType: "image/png"})
	}))
	prof, err := env.Tenants.Profile(ctx, tn.ID)
	require.NoError(t, err)
	require.True(t, prof.HasLogo)

	res, body := get(t, app, host(tn), "/logo")
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "image/png", res.Header.Get("Content-Type"))
	require.Equal(t, logo, []byte(body))
	require.Equal(t, "public, no-cache", res.Header.Get("Cache-Control"))
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)

	res, _ = get(t, app, host(tn), "/logo", "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, res.StatusCode)

	// The home links the logo with its version, which is cacheable for good.
	_, home := get(t, app, host(tn), "/")
	v := "/logo?v=" + itoa(prof.LogoVersion)
	require.Contains(t, home, `src="`+v+`"`)
	res, _ = get(t, app, host(tn), v)
	require.Equal(t, "public, max-age=31536000, immutable", res.Header.Get("Cache-Control"))

	// Another tenant's host never serves it.
	other := env.NewTenant(t, tenant.KindComune)
	res, _ = get(t, app, host(other), "/logo")
	require.Equal(t, 404, res.StatusCode)
	// Nor does the platform host.
	res, _ = get(t, app, "carta.test", "/logo")
	require.Equal(t, 404, res.StatusCode)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRobots(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	tn := env.NewTenant(t, tenant.KindComune)
	res, body := get(t, app, host(tn), "/robots.txt")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, res.Header.Get("Content-Type"), "text/plain")
	require.Contains(t, body, "Disallow: /admin/")
}

func TestUnknownHostShowsNoTenant(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	tn := env.NewTenant(t, tenant.KindComune)
	setProfile(t, env, tn, db.TenantProfileUpsertParams{LegalAddress: "Via Nascosta 9"})

	for _, h := range []string{"nessuno.carta.test", "altro.example.org"} {
		res, body := get(t, app, h, "/")
		require.Equal(t, 404, res.StatusCode, h)
		require.Contains(t, body, "Pagina non trovata")
		require.NotContains(t, body, tn.Name)
		require.NotContains(t, body, "Via Nascosta 9")
		require.NotContains(t, body, "Comune di")
	}
}

func TestSuspendedTenantIsNotServed(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	tn := env.NewTenant(t, tenant.KindComune)
	_, err := env.Admin.Exec(context.Background(), "UPDATE tenants SET status = 'suspended' WHERE id = $1", tn.ID)
	require.NoError(t, err)
	res, body := get(t, app, host(tn), "/")
	require.Equal(t, 404, res.StatusCode)
	require.NotContains(t, body, `<h1 class="mb-3">`+tn.Name)
}

func TestPlatformLanding(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env)
	amb := env.NewTenant(t, tenant.KindAmbito)
	com := env.NewTenant(t, tenant.KindComune)
	off := env.NewTenant(t, tenant.KindComune)
	_, err := env.Admin.Exec(context.Background(), "UPDATE tenants SET status = 'archived' WHERE id = $1", off.ID)
	require.NoError(t, err)

	res, body := get(t, app, "carta.test", "/")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, `<h1 class="mb-3">Carta dei Servizi Sociali</h1>`)
	require.Contains(t, body, `<a href="http://`+amb.Slug+`.carta.test:8080">`+amb.Name+`</a>`)
	require.Contains(t, body, `<a href="http://`+com.Slug+`.carta.test:8080">`+com.Name+`</a>`)
	require.NotContains(t, body, off.Name)
	require.Empty(t, res.Header.Values("Set-Cookie"))
}

func TestEverySitePageRenders(t *testing.T) {
	t.Parallel()
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{site.Templates}, Dev: true, Log: quiet})
	require.NoError(t, err)
	names := r.Pages()
	for _, p := range []string{"site/home", "site/platform", "site/services", "site/service", "site/search",
		"site/offices", "site/office", "site/carta", "site/versions", "site/management", "site/topics", "site/opendata"} {
		require.Contains(t, names, p)
	}
}
