// Package admin is the shell of the staff area ("Area riservata") of a tenant: the dashboard,
// the tenant's public profile with its logo, and the audit trail. Every route is registered
// through access.Router, so each one names the permission that guards it, and every write is
// recorded in the audit trail in the same transaction.
package admin

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates
var templatesFS embed.FS

// Templates holds the staff-area pages ("admin/dashboard", "admin/profile", "admin/audit"),
// for web.RendererOptions.Pages.
var Templates = func() fs.FS {
	s, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	return s
}()

// Deps are what the staff area needs. Can tells whether the logged-in staff member holds a
// permission in the request's tenant; it only decides what links to show, never access.
type Deps struct {
	Render  *web.Renderer
	Tenants *tenant.Store
	DB      *tenant.DB
	Log     *slog.Logger
	Can     func(ctx context.Context, p access.Perm) bool
	// OnProfileChanged runs after the tenant's profile or logo changed (the citizen pages'
	// header and footer): the app drops the tenant's cached pages.
	OnProfileChanged func(ctx context.Context, tenantID uuid.UUID)
}

type handlers struct{ Deps }

// Register adds the staff-area routes to r (the /admin group).
func Register(r *access.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handlers{d}
	load := web.LoadProfile(d.Tenants)
	r.Get("", access.DashboardRead, load, h.dashboard)
	r.Get("/", access.DashboardRead, load, h.dashboard)
	r.Get("/ente", access.ProfileRead, load, h.profileForm)
	r.Post("/ente", access.ProfileWrite, load, h.profileSave)
	r.Post("/ente/logo", access.ProfileWrite, load, h.logoUpload)
	r.Post("/ente/logo/rimuovi", access.ProfileWrite, load, h.logoRemove)
	r.Get("/registro", access.AuditRead, load, h.auditList)
}

// Section is an area of the staff area, shown in the sidebar and on the dashboard.
type Section struct {
	Label       string
	URL         string
	Description string
	Perm        access.Perm
}

// Sections are the areas of the staff area, in menu order.
var Sections = []Section{
	{"Bacheca", "/admin", "La pagina iniziale dell'area riservata.", access.DashboardRead},
	{"Carta dei Servizi", "/admin/carta", "I servizi, gli uffici con i loro orari, le persone responsabili e la parte generale della Carta: la bozza su cui si lavora.", access.CatalogRead},
	{"Pubblicazione", "/admin/carta/pubblicazione", "Controlla che la bozza sia completa e pubblicala ora o in una data stabilita.", access.CatalogRead},
	{"Versioni pubblicate", "/admin/carta/versioni", "Lo storico delle versioni della Carta e le differenze tra due versioni.", access.CatalogRead},
	{"Profilo dell'ente", "/admin/ente", "Indirizzo, contatti, logo, profili social e link alla dichiarazione di accessibilità e all'informativa privacy mostrati sul sito pubblico.", access.ProfileRead},
	{"Utenti", "/admin/utenti", "Le persone che lavorano nell'area riservata e i loro ruoli.", access.UsersRead},
	{"Registro attività", "/admin/registro", "Chi ha fatto cosa e quando: ogni modifica fatta nell'area riservata.", access.AuditRead},
}

// NavFor returns the sidebar items the logged-in staff member may use. Mark the current one
// with web.ActivateNav(items, c.Path()).
func NavFor(ctx context.Context, can func(context.Context, access.Perm) bool) []web.NavItem {
	var out []web.NavItem
	for _, s := range Sections {
		if can != nil && can(ctx, s.Perm) {
			out = append(out, web.NavItem{Label: s.Label, URL: s.URL})
		}
	}
	return out
}

// page builds the base of every staff page: sidebar and breadcrumbs.
func (h *handlers) page(c *fiber.Ctx, title string, crumbs ...web.Crumb) web.Page {
	p := web.NewPage(c, title)
	p.Nav = web.ActivateNav(NavFor(c.UserContext(), h.Can), c.Path())
	if len(crumbs) > 0 {
		p.Breadcrumbs = append([]web.Crumb{{Label: "Area riservata", URL: "/admin"}}, crumbs...)
	}
	return p
}

type dashboardPage struct {
	web.Page
	Cards []Section
}

func (h *handlers) dashboard(c *fiber.Ctx) error {
	vm := &dashboardPage{Page: h.page(c, "Area riservata")}
	for _, s := range Sections[1:] {
		if h.Can != nil && h.Can(c.UserContext(), s.Perm) {
			vm.Cards = append(vm.Cards, s)
		}
	}
	return h.Render.Render(c, fiber.StatusOK, "admin/dashboard", vm)
}
