// Package staff is the users section of a tenant's staff area: the ente admin lists the people
// who work in the staff area, invites new ones, changes their roles and removes them. Roles are
// decided and stored by package access; every change is recorded in the tenant's audit trail
// in the same transaction as the change.
package staff

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

// Templates holds the pages "staff/users", "staff/invite" and "staff/user", for
// web.RendererOptions.Pages.
var Templates = func() fs.FS {
	s, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	return s
}()

// InviteFunc creates the account for email when there is none and e-mails an invitation to
// join tenant t, inside tx (so that the invitation leaves only if the roles are stored). It
// returns the account's id; invalid input comes back as apperr.Invalid with Fields "email"
// and "name".
type InviteFunc func(ctx context.Context, tx *tenant.Tx, email, name string, t *tenant.Tenant) (uuid.UUID, error)

// Deps are what the users section needs.
type Deps struct {
	Render *web.Renderer
	DB     *tenant.DB
	Access *access.Enforcer
	Invite InviteFunc
	// OnRemoved runs after a user was removed from the tenant (e.g. to end their sessions);
	// optional.
	OnRemoved func(ctx context.Context, userID uuid.UUID)
	// Nav returns the sidebar of the staff area for the request; optional.
	Nav func(c *fiber.Ctx) []web.NavItem
	// Tenants, when set, loads the tenant's profile for the page header.
	Tenants *tenant.Store
	Log     *slog.Logger
}

// Paths of the section, relative to the staff area's root (/admin).
const (
	pathList   = "/utenti"
	pathInvite = "/utenti/invita"
	pathUser   = "/utenti/:id"
	pathRemove = "/utenti/:id/rimuovi"
)

type handlers struct{ Deps }

// Register adds the users section to r, the router of the staff area (/admin).
func Register(r *access.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handlers{d}
	var mw []fiber.Handler
	if d.Tenants != nil {
		mw = append(mw, web.LoadProfile(d.Tenants))
	}
	with := func(hs ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, mw...), hs...) }
	r.Get(pathList, access.UsersRead, with(h.list)...)
	// Before /utenti/:id, which would otherwise take "invita" for an id.
	r.Get(pathInvite, access.UsersWrite, with(h.inviteForm)...)
	r.Post(pathInvite, access.UsersWrite, with(h.invite)...)
	r.Get(pathUser, access.UsersWrite, with(h.edit)...)
	r.Post(pathUser, access.UsersWrite, with(h.save)...)
	r.Post(pathRemove, access.UsersWrite, with(h.remove)...)
}

// page builds the base of a page of the section.
func (h *handlers) page(c *fiber.Ctx, title string, crumbs ...web.Crumb) web.Page {
	p := web.NewPage(c, title)
	if h.Nav != nil {
		p.Nav = h.Nav(c)
	}
	p.Breadcrumbs = append([]web.Crumb{{Label: "Area riservata", URL: "/admin"}}, crumbs...)
	return p
}
