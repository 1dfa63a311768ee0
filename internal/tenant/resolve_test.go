package tenant_test

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// resolverApp answers with the resolved tenant's slug, "platform" on the platform host.
func resolverApp(r *tenant.Resolver, trusted []string) *fiber.App {
	app := fiber.New(fiber.Config{
		EnableTrustedProxyCheck: true,
		TrustedProxies:          trusted,
		ProxyHeader:             fiber.HeaderXForwardedFor,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			if apperr.KindOf(err) == apperr.NotFound {
				return c.Status(404).SendString("not found")
			}
			return c.Status(500).SendString(err.Error())
		},
	})
	app.Use(r.Middleware())
	app.Get("/", func(c *fiber.Ctx) error {
		if t := tenant.FromContext(c.UserContext()); t != nil {
			return c.SendString(t.Slug)
		}
		return c.SendString("platform")
	})
	return app
}

func get(t *testing.T, app *fiber.App, host string, headers map[string]string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	req.Host = host
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHostResolution(t *testing.T) {
	env := testenv.Get(t)
	a := env.NewTenant(t, tenant.KindComune)
	b := env.NewTenant(t, tenant.KindComune)
	suspended := env.NewTenant(t, tenant.KindComune)
	require.NoError(t, env.DB.InSystemTx(context.Background(), func(tx *tenant.Tx) error {
		_, err := tx.TenantSetStatus(context.Background(), db.TenantSetStatusParams{ID: suspended.ID, Status: "suspended"})
		return err
	}))
	r := tenant.NewResolver(env.Tenants, "carta.test")
	app := resolverApp(r, nil)

	for _, tc := range []struct {
		host   string
		status int
		body   string
	}{
		{a.Slug + ".carta.test", 200, a.Slug},
		{a.Slug + ".carta.test:8080", 200, a.Slug},
		{"  " + a.Slug + ".CARTA.test.", 200, a.Slug},
		{b.Slug + ".carta.test", 200, b.Slug},
		{"carta.test", 200, "platform"},
		{"admin.carta.test:8080", 200, "platform"},
		{"sconosciuto.carta.test", 404, ""},
		{suspended.Slug + ".carta.test", 404, ""},
		{"x." + a.Slug + ".carta.test", 404, ""},
		{a.Slug + ".carta.test.evil.example", 404, ""},
		{a.Slug + ".example.org", 404, ""},
		{"", 404, ""},
	} {
		status, body := get(t, app, tc.host, nil)
		require.Equal(t, tc.status, status, "host %q", tc.host)
		if tc.body != "" {
			require.Equal(t, tc.body, body, "host %q", tc.host)
		}
		require.NotContains(t, body, a.Name)
	}
}

func TestSpoofedForwardedHostIsIgnored(t *testing.T) {
	env := testenv.Get(t)
	a := env.NewTenant(t, tenant.KindComune)
	b := env.NewTenant(t, tenant.KindComune)
	r := tenant.NewResolver(env.Tenants, "carta.test")
	spoof := map[string]string{"X-Forwarded-Host": b.Slug + ".carta.test"}

	// The client is not a trusted proxy: its X-Forwarded-Host is ignored.
	status, body := get(t, resolverApp(r, []string{"10.1.2.3"}), a.Slug+".carta.test", spoof)
	require.Equal(t, 200, status)
	require.Equal(t, a.Slug, body)
	status, body = get(t, resolverApp(r, nil), a.Slug+".carta.test", spoof)
	require.Equal(t, 200, status)
	require.Equal(t, a.Slug, body)

	// From a trusted proxy (app.Test connects from 0.0.0.0) the header is the real host.
	status, body = get(t, resolverApp(r, []string{"0.0.0.0"}), "internal-lb:8080", spoof)
	require.Equal(t, 200, status)
	require.Equal(t, b.Slug, body)
}

func TestResolverInvalidate(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a := env.NewTenant(t, tenant.KindComune)
	r := tenant.NewResolver(env.Tenants, "carta.test")
	_, err := r.Resolve(ctx, a.Slug)
	require.NoError(t, err)
	require.NoError(t, env.DB.InSystemTx(ctx, func(tx *tenant.Tx) error {
		_, err := tx.TenantSetStatus(ctx, db.TenantSetStatusParams{ID: a.ID, Status: "suspended"})
		return err
	}))
	_, err = r.Resolve(ctx, a.Slug)
	require.NoError(t, err, "still cached")
	r.Invalidate(a.Slug)
	_, err = r.Resolve(ctx, a.Slug)
	require.ErrorIs(t, err, tenant.ErrUnknownHost)
}
