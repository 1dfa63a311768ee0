package open311

import (
	"embed"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates/open311
var pagesFS embed.FS

// Pages holds the staff page templates "open311/…", for web.RendererOptions.Pages.
func Pages() fs.FS {
	sub, err := fs.Sub(pagesFS, "templates")
	if err != nil {
		panic(err)
	}
	return sub
}

// AdminPath is the ente admin's page of the API keys.
const AdminPath = "/open311"

// AdminDeps are what the staff page needs.
type AdminDeps struct {
	Keys    *Keys
	Render  *web.Renderer
	Nav     func(c *fiber.Ctx) []web.NavItem
	SiteURL func(slug string) string
}

// RegisterStaff adds the ente admin's page of the API keys to the staff area's router.
func RegisterStaff(r *access.Router, d AdminDeps) {
	h := &admin{d: d}
	r.Get(AdminPath, access.APIKeysWrite, h.page)
	r.Post(AdminPath, access.APIKeysWrite, h.create)
	r.Post(AdminPath+"/:id/revoca", access.APIKeysWrite, h.revoke)
}

type admin struct{ d AdminDeps }

type keysPage struct {
	web.Page
	Keys     []Key
	NewKey   string // the key just issued, shown this once
	Endpoint string
}

func (h *admin) show(c *fiber.Ctx, status int, newKey string, errs map[string]string, label string) error {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return apperr.ErrNotFound
	}
	keys, err := h.d.Keys.List(c.UserContext(), t)
	if err != nil {
		return err
	}
	p := web.NewPage(c, "Open311: chiavi API")
	if h.d.Nav != nil {
		p.Nav = h.d.Nav(c)
	}
	p.Breadcrumbs = []web.Crumb{{Label: "Area riservata", URL: "/admin"}, {Label: "Open311"}}
	p.Errors, p.Form = errs, map[string]string{"label": label}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.d.Render.Render(c, status, "open311/keys", keysPage{Page: p, Keys: keys, NewKey: newKey,
		Endpoint: h.d.SiteURL(t.Slug) + BasePath + "discovery.json"})
}

func (h *admin) page(c *fiber.Ctx) error { return h.show(c, fiber.StatusOK, "", nil, "") }

func (h *admin) create(c *fiber.Ctx) error {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return apperr.ErrNotFound
	}
	label := strings.Clone(c.FormValue("label"))
	raw, _, err := h.d.Keys.Create(c.UserContext(), t, label)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.show(c, fiber.StatusUnprocessableEntity, "", ae.Fields, label)
	}
	if err != nil {
		return err
	}
	// Shown in this answer only, never carried by a flash or a redirect.
	return h.show(c, fiber.StatusOK, raw, nil, "")
}

func (h *admin) revoke(c *fiber.Ctx) error {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return apperr.ErrNotFound
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := h.d.Keys.Revoke(c.UserContext(), t, id); err != nil {
		return err
	}
	web.SetFlash(c, "success", "Chiave revocata: chi la usava non può più inviare reclami.")
	return c.Redirect("/admin"+AdminPath, fiber.StatusSeeOther)
}
