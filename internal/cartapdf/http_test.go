package cartapdf_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newApp mounts the PDF routes as the application does: tenant from the Host header
// (<slug>.carta.test), Italian error pages.
func newApp(t *testing.T, env *testenv.Env, d cartapdf.Deps) *fiber.App {
	t.Helper()
	r, err := web.NewRenderer(web.RendererOptions{Dev: true, TenantURL: env.Cfg.TenantURL, Log: quiet})
	require.NoError(t, err)
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	app.Use(func(c *fiber.Ctx) error {
		slug, ok := strings.CutSuffix(c.Hostname(), "."+env.Cfg.BaseDomain)
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
	d.DB, d.Cfg, d.Log = env.DB, env.Cfg, quiet
	cartapdf.Register(app, d)
	return app
}

func get(t *testing.T, app *fiber.App, tn *tenant.Tenant, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = tn.Slug + ".carta.test"
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := app.Test(req, 60_000)
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, b
}

// publish stores c as tn's next published version, as the publication code does: a row in
// carta_versions and the state pointing at it, written by tn itself.
func publish(t *testing.T, env *testenv.Env, tn *tenant.Tenant, c *catalog.Carta) int {
	t.Helper()
	ctx := context.Background()
	var n int
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		if err := tx.Raw.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM carta_versions WHERE tenant_id = $1`, tn.ID).Scan(&n); err != nil {
			return err
		}
		c.Format, c.Version = catalog.SnapshotFormat, n
		c.Tenant = catalog.TenantRef{ID: tn.ID, Slug: tn.Slug, Name: tn.Name, Kind: string(tn.Kind)}
		snap, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.Raw.Exec(ctx, `INSERT INTO carta_versions (tenant_id, number, published_at, snapshot, publisher_label) VALUES ($1, $2, $3, $4, 'test')`,
			tn.ID, n, c.PublishedAt, snap); err != nil {
			return err
		}
		_, err = tx.Raw.Exec(ctx, `INSERT INTO carta_state (tenant_id, published_version, first_published_at, last_published_at)
			VALUES ($1, $2, $3, $3)
			ON CONFLICT (tenant_id) DO UPDATE SET published_version = EXCLUDED.published_version, last_published_at = EXCLUDED.last_published_at`,
			tn.ID, n, c.PublishedAt)
		return err
	}))
	return n
}

// fixtureTenants publishes the fixture for a real ambito and one of its member comuni; a
// second comune of the ambito publishes nothing.
func fixtureTenants(t *testing.T, env *testenv.Env) (comune, idle *tenant.Tenant) {
	t.Helper()
	amb := env.NewTenant(t, tenant.KindAmbito)
	comune = env.Join(t, env.NewTenant(t, tenant.KindComune), amb, true)
	idle = env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	v := comuneView()
	publish(t, env, amb, v.Ambito)
	publish(t, env, comune, v.Own)
	return comune, idle
}

func TestRoutes(t *testing.T) {
	env := testenv.Get(t)
	comune, idle := fixtureTenants(t, env)
	app := newApp(t, env, cartapdf.Deps{})

	res, body := get(t, app, comune, cartapdf.CartaPath)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, `inline; filename="carta-servizi-`+comune.Slug+`-v1.pdf"`, res.Header.Get("Content-Disposition"))
	require.True(t, strings.HasPrefix(string(body), "%PDF-"))
	txt := flat(pdftotext(t, body))
	require.Contains(t, txt, comune.Name)
	require.Contains(t, txt, "Versione 1, pubblicata il 12 marzo 2026")
	require.Contains(t, txt, "Centro antiviolenza «Così non è amore»", "the ambito's service")
	require.Contains(t, txt, env.Cfg.TenantURL(comune.Slug))

	res, body = get(t, app, comune, cartapdf.GuidaPath)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, `inline; filename="guida-sintetica-`+comune.Slug+`-v1.pdf"`, res.Header.Get("Content-Disposition"))
	txt = flat(pdftotext(t, body))
	// No online survey yet: no QR code, no address of a page that does not exist; the paper
	// questionnaire, handed in at the office, stays.
	require.NotContains(t, txt, cartapdf.SurveyCaption)
	require.NotContains(t, txt, "/questionario")
	require.NotContains(t, txt, "inquadra")
	require.Contains(t, txt, "Questionario di gradimento")
	require.Contains(t, txt, "consegnalo all'ufficio")
	require.NotContains(t, string(body), "/Subtype /Image", "no QR code image")

	// Nothing published: the Italian 404 page, for both documents.
	for _, path := range []string{cartapdf.CartaPath, cartapdf.GuidaPath} {
		res, body = get(t, app, idle, path)
		require.Equal(t, http.StatusNotFound, res.StatusCode)
		require.Contains(t, res.Header.Get("Content-Type"), "text/html")
		require.Contains(t, string(body), "La Carta dei Servizi non è ancora stata pubblicata.")
	}

	// The caller chooses the survey's address.
	app = newApp(t, env, cartapdf.Deps{SurveyURL: func(tn *tenant.Tenant) string { return "https://questionari.example.it/" + tn.Slug }})
	_, body = get(t, app, comune, cartapdf.GuidaPath)
	txt = flat(pdftotext(t, body))
	require.Contains(t, txt, "https://questionari.example.it/"+comune.Slug)
	require.Contains(t, txt, cartapdf.SurveyCaption)
	require.Contains(t, string(body), "/Subtype /Image", "the QR code")
	// ... and "" means none, as nil does.
	app = newApp(t, env, cartapdf.Deps{SurveyURL: func(*tenant.Tenant) string { return "" }})
	_, body = get(t, app, comune, cartapdf.GuidaPath)
	require.NotContains(t, flat(pdftotext(t, body)), cartapdf.SurveyCaption)
}

// With the page cache, a PDF is generated once per published version: the second request is
// a hit with the same bytes, a revalidation gets 304, and a new publication is served at once.
func TestRoutesCached(t *testing.T) {
	env := testenv.Get(t)
	comune, _ := fixtureTenants(t, env)
	cache := pagecache.New(nil, pagecache.Options{Log: quiet})
	app := newApp(t, env, cartapdf.Deps{Cache: cache})

	res, first := get(t, app, comune, cartapdf.CartaPath)
	require.Equal(t, http.StatusOK, res.StatusCode)
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	require.Equal(t, `inline; filename="carta-servizi-`+comune.Slug+`-v1.pdf"`, res.Header.Get("Content-Disposition"))
	renders := cache.Stats().Renders

	res, again := get(t, app, comune, cartapdf.CartaPath)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, first, again)
	require.Equal(t, renders, cache.Stats().Renders, "served from the cache, not generated again")
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, `inline; filename="carta-servizi-`+comune.Slug+`-v1.pdf"`, res.Header.Get("Content-Disposition"))

	res, body := get(t, app, comune, cartapdf.CartaPath, "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, res.StatusCode)
	require.Empty(t, body)

	v := comuneView()
	v.Own.Note = "Seconda versione"
	publish(t, env, comune, v.Own)
	cache.Published(context.Background(), comune.ID)
	res, body = get(t, app, comune, cartapdf.CartaPath)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, `inline; filename="carta-servizi-`+comune.Slug+`-v2.pdf"`, res.Header.Get("Content-Disposition"))
	require.Contains(t, flat(pdftotext(t, body)), "Seconda versione")
}

// A binary built without the fonts answers 500 (the error is logged), never a broken PDF.
func TestRoutesWithoutFonts(t *testing.T) {
	env := testenv.Get(t)
	comune, _ := fixtureTenants(t, env)
	app := newApp(t, env, cartapdf.Deps{Fonts: func() ([]byte, []byte, []byte, error) {
		return nil, nil, nil, errors.New("no fonts")
	}})
	res, _ := get(t, app, comune, cartapdf.CartaPath)
	require.Equal(t, http.StatusInternalServerError, res.StatusCode)
}
