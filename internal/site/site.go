// Package site is the citizen site of every tenant — for now its home, the one-stop desk of a
// comune's or an ambito's social services, the tenant's logo and robots.txt — and the public
// landing page of the platform host, which lists the tenants.
package site

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates
var templatesFS embed.FS

// Templates holds the pages of the citizen site ("site/home", "site/platform"), for
// web.RendererOptions.Pages.
var Templates = mustSub(templatesFS, "templates")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Deps are what the citizen site needs.
type Deps struct {
	Render  *web.Renderer
	Tenants *tenant.Store
	DB      *tenant.DB
	Log     *slog.Logger
	Cfg     *config.Config
}

type handlers struct{ Deps }

// Register adds the citizen routes to app. They serve tenant hosts and, for GET /, the
// platform host (no tenant in the request's context). None of them needs a login, and none
// sets a cookie.
func Register(app fiber.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handlers{d}
	app.Get("/", web.LoadProfile(d.Tenants), h.home)
	app.Get("/logo", h.logo)
	app.Get("/robots.txt", h.robots)
}

// activeTenant returns the request's tenant when it is one whose site is served.
func activeTenant(c *fiber.Ctx) *tenant.Tenant {
	t := tenant.FromContext(c.UserContext())
	if t == nil || t.Status != tenant.StatusActive {
		return nil
	}
	return t
}

// Link names another tenant's site.
type Link struct {
	Name       string
	URL        string
	IsCapofila bool
}

type homePage struct {
	web.Page
	// For an ambito: its member comuni. For a comune in an ambito: the ambito and its capofila.
	Members  []Link
	Ambito   *Link
	Capofila *Link
}

func (h *handlers) home(c *fiber.Ctx) error {
	if tenant.FromContext(c.UserContext()) == nil {
		return h.platform(c)
	}
	t := activeTenant(c)
	if t == nil {
		return apperr.ErrNotFound
	}
	ctx := c.UserContext()
	vm := &homePage{Page: web.NewPage(c, t.Name)}
	switch {
	case t.IsAmbito():
		members, err := h.Tenants.Members(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, m := range members {
			vm.Members = append(vm.Members, Link{Name: m.Name, URL: h.Cfg.TenantURL(m.Slug), IsCapofila: m.IsCapofila})
		}
	case t.Ambito != nil:
		vm.Ambito = &Link{Name: t.Ambito.Name, URL: h.Cfg.TenantURL(t.Ambito.Slug)}
		members, err := h.Tenants.Members(ctx, t.Ambito.ID)
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.IsCapofila {
				vm.Capofila = &Link{Name: m.Name, URL: h.Cfg.TenantURL(m.Slug), IsCapofila: true}
			}
		}
	}
	return h.Render.Render(c, fiber.StatusOK, "site/home", vm)
}

type platformPage struct {
	web.Page
	Ambiti []Link
	Comuni []Link
}

func (h *handlers) platform(c *fiber.Ctx) error {
	all, err := h.Tenants.List(c.UserContext())
	if err != nil {
		return err
	}
	vm := &platformPage{Page: web.NewPage(c, "Carta dei Servizi Sociali")}
	for _, t := range all {
		if t.Status != tenant.StatusActive {
			continue
		}
		l := Link{Name: t.Name, URL: h.Cfg.TenantURL(t.Slug)}
		if t.IsAmbito() {
			vm.Ambiti = append(vm.Ambiti, l)
		} else {
			vm.Comuni = append(vm.Comuni, l)
		}
	}
	return h.Render.Render(c, fiber.StatusOK, "site/platform", vm)
}

// logoTypes are the only types the staff area accepts; anything else stored is not served as
// an image.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

func (h *handlers) logo(c *fiber.Ctx) error {
	t := activeTenant(c)
	if t == nil {
		return apperr.ErrNotFound
	}
	ctx := c.UserContext()
	var (
		body    []byte
		ctype   string
		version int64
	)
	err := h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		r, err := tx.TenantLogoGet(ctx)
		if err != nil {
			return err
		}
		body, ctype = r.Logo, r.LogoContentType
		if r.LogoUpdatedAt != nil {
			version = r.LogoUpdatedAt.Unix()
		}
		return nil
	})
	if tenant.IsNoRows(err) || (err == nil && len(body) == 0) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	// The layouts link /logo?v=<version>: such a URL never changes content.
	if c.Query("v") == strconv.FormatInt(version, 10) {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, no-cache")
	}
	c.Set(fiber.HeaderETag, etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if !logoTypes[ctype] {
		ctype = "application/octet-stream"
		c.Set(fiber.HeaderContentDisposition, "attachment")
	}
	c.Set(fiber.HeaderContentType, ctype)
	return c.Send(body)
}

func (h *handlers) robots(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.SendString("User-agent: *\nDisallow: /admin/\n")
}
