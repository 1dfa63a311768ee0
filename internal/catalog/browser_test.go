package catalog_test

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
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/e2e"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// TestStaffPagesInTheBrowser opens the catalogue's staff pages in Debian's Chromium with the
// real Bootstrap Italia assets and security headers: axe-core finds no serious or critical
// violation (forms shown with errors included), and the browser reports no console error,
// failed file or Content-Security-Policy violation. CARTA_SCREENSHOTS=dir keeps screenshots.
func TestStaffPagesInTheBrowser(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ambito := f.env.NewTenant(t, tenant.KindAmbito)
	c := f.env.Join(t, f.env.NewTenant(t, tenant.KindComune), ambito, false)
	red := f.staffOf(c, access.RoleRedattore, "Anna Neri")

	// Content: an office, a person, a complete service with a document, an ambito service.
	r := f.do("POST", "/admin/carta/uffici/nuovo", c, red, url.Values{"name": {"Segretariato sociale"}, "main_desk": {"1"}})
	office := idFrom(t, r.location)
	r = f.do("POST", "/admin/carta/persone/nuova", c, red, url.Values{"name": {"Maria Rossi"}, "office": {office.String()}})
	require.Equal(t, 303, r.status)
	person := f.draft(c).People[0].ID
	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, fullServiceForm(office, person))
	require.Equal(t, 303, r.status, r.body)
	svc := idFrom(t, r.location)
	r = f.upload("/admin/carta/servizi/"+svc.String()+"/documenti", c, red, map[string]string{"title": "Regolamento", "kind": "condizioni"}, "r.pdf", tinyPDF)
	require.Equal(t, 303, r.status)
	f.publish(ambito, &catalog.Carta{Services: []catalog.Service{{ID: uuid.New(), Slug: "trasporto", Title: "Trasporto sociale", Status: "attivo"}}})

	rend, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{catalog.Templates}, Log: quiet})
	require.NoError(t, err, "Bootstrap Italia must be embedded (make assets)")
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(rend, quiet), BodyLimit: 12 << 20, DisableStartupMessage: true})
	app.Use(web.SecurityHeaders())
	app.Get(web.StaticPrefix+"*", rend.StaticHandler())
	app.Use(func(fc *fiber.Ctx) error {
		ctx := tenant.WithTenant(fc.UserContext(), c)
		ctx = principal.WithStaff(ctx, &principal.Staff{UserID: red, Email: "anna.neri@example.it", Name: "Anna Neri"})
		fc.SetUserContext(ctx)
		return fc.Next()
	})
	app.Use(web.CSRF())
	catalog.Register(access.NewRouter(app.Group("/admin"), "/admin", f.enf, access.NewRegistry()),
		catalog.Deps{Render: rend, DB: f.env.DB, Tenants: f.env.Tenants, Log: quiet, Can: f.enf.Can})
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

	d := f.draft(c)
	pages := map[string]string{
		"overview": "/admin/carta", "services": "/admin/carta/servizi", "service": "/admin/carta/servizi/" + svc.String(),
		"new-service": "/admin/carta/servizi/nuovo", "documents": "/admin/carta/servizi/" + svc.String() + "/documenti",
		"delete": "/admin/carta/servizi/" + svc.String() + "/elimina", "categories": "/admin/carta/categorie",
		"category": "/admin/carta/categorie/" + d.Categories[0].ID.String(), "offices": "/admin/carta/uffici",
		"office": "/admin/carta/uffici/" + office.String(), "hours": "/admin/carta/uffici/" + office.String() + "/orari",
		"exceptions": "/admin/carta/uffici/chiusure", "people": "/admin/carta/persone", "person": "/admin/carta/persone/" + person.String(),
		"sections": "/admin/carta/parte-generale", "section": "/admin/carta/parte-generale/" + sectionID(t, f, c, "principi").String(),
		"ambito": "/admin/carta/ambito",
	}
	for name, path := range pages {
		p.Open(base + path)
		require.Equal(t, 200, p.Status(), name)
		p.RequireAccessible(name)
		p.RequireClean()
		if shots != "" {
			p.Screenshot(shots, name+".png")
		}
	}

	// Forms shown again with their errors, submitted by the browser itself (CSRF included).
	p.Open(base + "/admin/carta/servizi/nuovo")
	p.Fill("#f-title", "Ab")
	p.Fill("#f-digital-url", "http://non-sicuro.example.it")
	p.Submit("main button[type=submit].btn-primary")
	require.Equal(t, 422, p.Status(), p.Text("main"))
	p.RequireAccessible("service form with errors")
	p.RequireClean()
	if shots != "" {
		p.Screenshot(shots, "service-errors.png")
	}
	p.Open(base + pages["hours"])
	p.JS(nil, `() => { document.querySelector('#f-opens-1-0').value = '10:00'; document.querySelector('#f-closes-1-0').value = '09:00'; }`)
	p.Submit("main button[type=submit].btn-primary")
	require.Equal(t, 422, p.Status(), p.Text("main"))
	p.RequireAccessible("hours with errors")
	p.RequireClean()
}
