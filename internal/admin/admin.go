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
	"github.com/cartasociale/carta/internal/principal"
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
	// Roles tells which roles a staff member holds in a tenant's own domain; nil treats every
	// visitor with no readable section as working elsewhere.
	Roles interface {
		RolesOf(userID uuid.UUID, domain string) []string
	}
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
	// Act is what Description offers to do there (e.g. publish); who may read the section
	// but not do that reads ReadOnly instead.
	Act      access.Perm
	ReadOnly string
}

// Sections are the areas of the staff area, in menu order.
var Sections = []Section{
	{Label: "Bacheca", URL: "/admin", Description: "La pagina iniziale dell'area riservata.", Perm: access.DashboardRead},
	{Label: "Carta dei Servizi", URL: "/admin/carta", Description: "I servizi, gli uffici con i loro orari, le persone responsabili e la parte generale della Carta: la bozza su cui si lavora.", Perm: access.CatalogRead},
	{Label: "Pubblicazione", URL: "/admin/carta/pubblicazione", Description: "Controlla che la bozza sia completa e pubblicala ora o in una data stabilita.", Perm: access.CatalogRead,
		Act: access.CatalogPublish, ReadOnly: "Controlla che la bozza sia completa e guarda le pubblicazioni programmate; a pubblicare è il responsabile del Servizio Sociale."},
	{Label: "Versioni pubblicate", URL: "/admin/carta/versioni", Description: "Lo storico delle versioni della Carta e le differenze tra due versioni.", Perm: access.CatalogRead},
	{Label: "Profilo dell'ente", URL: "/admin/ente", Description: "Indirizzo, contatti, logo, profili social e link alla dichiarazione di accessibilità e all'informativa privacy mostrati sul sito pubblico.", Perm: access.ProfileRead},
	{Label: "Reclami", URL: "/admin/reclami", Description: "I reclami dei cittadini: presa in carico, risposta entro la scadenza, chiusura.", Perm: access.ComplaintsInbox},
	{Label: "Qualità", URL: "/admin/qualita", Description: "Il questionario di soddisfazione: le domande, e i questionari cartacei consegnati agli uffici.", Perm: access.QualityWrite},
	{Label: "Indicatori", URL: "/admin/qualita/indicatori", Description: "Gli indicatori di qualità dell'anno: reclami, questionari di soddisfazione e valutazioni delle pagine, con l'anno precedente.", Perm: access.ReportsRead},
	{Label: "Piano di miglioramento", URL: "/admin/qualita/piano", Description: "Le azioni dell'anno per migliorare gli indicatori: chi ne risponde, la scadenza, lo stato e l'effetto misurato.", Perm: access.ReportsRead,
		Act: access.CatalogPublish, ReadOnly: "Le azioni dell'anno per migliorare gli indicatori, con lo stato e l'effetto misurato; a scriverle è il responsabile del Servizio Sociale."},
	{Label: "Open311", URL: "/admin/open311", Description: "Le chiavi API delle applicazioni che inviano reclami all'ente con lo standard Open311.", Perm: access.APIKeysWrite},
	{Label: "Utenti", URL: "/admin/utenti", Description: "Le persone che lavorano nell'area riservata e i loro ruoli.", Perm: access.UsersRead},
	{Label: "Registro attività", URL: "/admin/registro", Description: "Chi ha fatto cosa e quando: ogni modifica fatta nell'area riservata.", Perm: access.AuditRead},
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
	// Elsewhere is set when the staff member holds no role of their own here (the capofila's
	// ambito staff on a member comune, whose oversight reads only its figures): the staff area
	// where they work instead.
	Elsewhere *elsewhere
}

// oversightOnly reports whether the logged-in staff member holds no role of their own in t,
// only the oversight their ambito's roles give: they read a few of the comune's figures here,
// and work in the ambito's staff area.
func (h *handlers) oversightOnly(ctx context.Context, t *tenant.Tenant) bool {
	st := principal.StaffFrom(ctx)
	return h.Roles != nil && st != nil && len(h.Roles.RolesOf(st.UserID, access.DomainOf(t))) == 0
}

type elsewhere struct {
	Name, Slug string
}

func (h *handlers) dashboard(c *fiber.Ctx) error {
	ctx := c.UserContext()
	vm := &dashboardPage{Page: h.page(c, "Area riservata")}
	for _, s := range Sections[1:] {
		if h.Can != nil && h.Can(ctx, s.Perm) {
			if s.ReadOnly != "" && !h.Can(ctx, s.Act) {
				s.Description = s.ReadOnly
			}
			vm.Cards = append(vm.Cards, s)
		}
	}
	if t := tenant.FromContext(ctx); t != nil && t.Ambito != nil && (len(vm.Cards) == 0 || h.oversightOnly(ctx, t)) {
		vm.Elsewhere = &elsewhere{Name: t.Ambito.Name, Slug: t.Ambito.Slug}
	}
	return h.Render.Render(c, fiber.StatusOK, "admin/dashboard", vm)
}
