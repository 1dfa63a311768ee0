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
	"github.com/cartasociale/carta/internal/auth"
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

// Accounts is what the section needs of the staff accounts; *auth.Service implements it.
type Accounts interface {
	// Invite offers roles in t to email, in tx of t; the roles come when the person accepts.
	// Invalid input is apperr.Invalid with Fields "email", "name", "roles".
	Invite(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, email, name string, roles []string) (auth.Invitation, error)
	// Invitations lists the open invitations of the tenant of tx.
	Invitations(ctx context.Context, tx *tenant.Tx) ([]auth.Invitation, error)
	// RevokeInvitation withdraws one; apperr.ErrNotFound when it is not open in this tenant.
	RevokeInvitation(ctx context.Context, tx *tenant.Tx, id uuid.UUID) (auth.Invitation, error)
	// RevokeTenantSessions ends the person's sessions on t's host only.
	RevokeTenantSessions(ctx context.Context, userID uuid.UUID, t *tenant.Tenant) error
	// LockedOn tells whether logins with email are locked on t's host now.
	LockedOn(ctx context.Context, t *tenant.Tenant, email string) (bool, error)
}

// Deps are what the users section needs.
type Deps struct {
	Render   *web.Renderer
	DB       *tenant.DB
	Access   *access.Enforcer
	Accounts Accounts
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
	pathRevoke = "/utenti/inviti/:id/ritira"
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
	r.Post(pathRevoke, access.UsersWrite, with(h.revoke)...)
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
