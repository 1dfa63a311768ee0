package admin_test

import (
	"context"
	"io/fs"
	"net"
	"net/url"
	"os"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/admin"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/e2e"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// TestAuditTrailInTheBrowser opens the trail in Debian's Chromium with the real Bootstrap
// Italia assets and security headers — unfiltered, filtered, and with a filter that cannot be
// read — and axe-core finds no serious or critical violation, the browser no console error.
// The filter is submitted by the browser itself, as a plain form.
func TestAuditTrailInTheBrowser(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	ctx := principal.WithStaff(context.Background(), f.staff)
	require.NoError(t, f.env.DB.InTx(ctx, f.tenant.ID, func(tx *tenant.Tx) error {
		if err := audit.Record(ctx, tx, audit.Entry{Action: "catalog.service.update", ObjectType: "service", ObjectID: uuid.NewString(),
			ObjectName: "Assistenza domiciliare", Changes: audit.Changes(map[string]string{"Titolo": "Assistenza"},
				map[string]string{"Titolo": "Assistenza domiciliare"})}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.office.create", ObjectType: "office", ObjectID: uuid.NewString(),
			ObjectName: "Segretariato sociale", Changes: audit.Changes(nil, map[string]string{"Nome": "Segretariato sociale"})})
	}))

	rend, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{admin.Templates}, Log: quiet})
	require.NoError(t, err, "Bootstrap Italia must be embedded (make assets)")
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(rend, quiet), DisableStartupMessage: true})
	app.Use(web.SecurityHeaders())
	app.Get(web.StaticPrefix+"*", rend.StaticHandler())
	app.Use(func(c *fiber.Ctx) error {
		c.SetUserContext(principal.WithStaff(tenant.WithTenant(c.UserContext(), f.tenant), f.staff))
		return c.Next()
	}, web.CSRF())
	admin.Register(access.NewRouter(app.Group("/admin"), "/admin", allowAll{}, access.NewRegistry()), admin.Deps{
		Render: rend, Tenants: f.env.Tenants, DB: f.env.DB, Log: quiet,
		Can: func(context.Context, access.Perm) bool { return true },
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithContext(context.Background()) })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	base := "http://localhost:" + port

	bin, err := e2e.ChromiumPath()
	require.NoError(t, err)
	b, err := e2e.LaunchBrowser(bin, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(b.Close)
	p := e2e.NewPage(t, b)
	shots := os.Getenv("CARTA_SCREENSHOTS")
	check := func(name string, status int) {
		t.Helper()
		require.Equal(t, status, p.Status(), name)
		p.RequireAccessible(name)
		p.RequireClean()
		if shots != "" {
			p.Screenshot(shots, name+".png")
		}
	}

	p.Open(base + "/admin/registro")
	check("audit", 200)
	require.Contains(t, p.Text("main table"), "Assistenza domiciliare")

	// Choosing an action and submitting filters the table, without any script of ours.
	p.JS(nil, `() => { document.querySelector('#f-azione').value = 'gruppo:uffici'; }`)
	p.Submit("main form.audit-filter button[type=submit]")
	check("audit-filtered", 200)
	require.Contains(t, p.Text("main table"), "Segretariato sociale")
	require.NotContains(t, p.Text("main table"), "Assistenza domiciliare")

	p.Open(base + "/admin/registro?" + url.Values{"dal": {"31/02/2026"}, "al": {"ieri"}}.Encode())
	check("audit-errors", 422)
	require.Contains(t, p.Text("#f-dal-error"), "La data «dal» non è valida")
}
