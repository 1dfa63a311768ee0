// Package site is the citizen site of every tenant, built from its published Carta: the home
// as the one-stop desk, the services (its own and, for a member comune, its ambito's), each
// service's page, search, offices, the general part, the version history, the Amministrazione
// and topics pages, open data and document downloads; plus the draft preview staff see, the
// tenant's logo, robots.txt, and the landing page of the platform host listing the tenants.
// Pages follow the national municipal site model (CONTRACT.md). Published pages are rendered
// to bytes in one place (servePublished), where the page cache sits.
package site

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates
var templatesFS embed.FS

// Templates holds the pages of the citizen site ("site/home", "site/service", ...), for
// web.RendererOptions.Pages.
var Templates = pagesWithPartials(mustSub(templatesFS, "templates"), "site/partials.tmpl")

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
	// Cache stores rendered published pages; nil renders every request.
	Cache *pagecache.Cache
	// DocumentContent returns a document's bytes; nil means catalog.DocumentContent.
	DocumentContent func(ctx context.Context, tx *tenant.Tx, id uuid.UUID) (catalog.Document, []byte, error)
	// Clock is the time for "aperto ora" and today's hours; nil means time.Now.
	Clock func() time.Time
	// Measures returns the last measured value of each standard among ids published by owner,
	// read in t's transaction (internal/quality); nil shows "n.d." everywhere.
	Measures func(ctx context.Context, t *tenant.Tenant, owner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Measured, error)
}

type handlers struct {
	Deps
	Cache pageCache // nil: no cache
}

func newHandlers(d Deps) *handlers {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.DocumentContent == nil {
		d.DocumentContent = catalog.DocumentContent
	}
	h := &handlers{Deps: d}
	if d.Cache != nil {
		h.Cache = &cacheAdapter{c: d.Cache, h: h}
	}
	return h
}

// Register adds the citizen routes to app. They serve tenant hosts and, for GET /, the
// platform host (no tenant in the request's context). None of them needs a login, and none
// sets a cookie (the search form is a GET).
func Register(app fiber.Router, d Deps) {
	h := newHandlers(d)
	prof := web.LoadProfile(d.Tenants)
	app.Get("/", prof, h.home)
	app.Get("/logo", h.logo)
	app.Get("/robots.txt", h.robots)
	app.Get("/servizi", prof, h.services)
	app.Get("/servizi/:slug", prof, h.service)
	app.Get("/cerca", prof, h.search)
	app.Get("/uffici", prof, h.offices)
	app.Get("/uffici/:slug", prof, h.office)
	app.Get("/carta", prof, h.carta)
	app.Get("/carta/versioni", prof, h.versionList)
	app.Get("/carta/versioni/:n", prof, h.version)
	app.Get("/carta/versioni/:n/servizi/:slug", prof, h.versionService)
	app.Get("/amministrazione", prof, h.management)
	app.Get("/argomenti", prof, h.topics)
	app.Get("/opendata", prof, h.openData)
	app.Get("/opendata/carta.jsonld", h.openDataJSONLD)
	app.Get("/opendata/servizi.csv", h.openDataCSV)
	app.Get("/documenti/:id/:filename", h.document)
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

	Published  bool // false: the Carta is being prepared, only the notice and contacts show
	Search     searchForm
	Categories []categoryLink
	Open       []officeView // offices open now, with today's hours
	Closed     []officeView // the others, with today's hours or the next opening
	Complain   string       // the general part's section on complaints, when published
	Version    int
	Updated    string
}

// categoryLink is a user category with its number of services.
type categoryLink struct {
	Name, URL string
	Count     int
	Active    bool
}

func (h *handlers) home(c *fiber.Ctx) error {
	if tenant.FromContext(c.UserContext()) == nil {
		return h.platform(c)
	}
	return h.servePublished(c, "/", nil, h.renderHome)
}

func (h *handlers) renderHome(ctx context.Context, r *request, s *Site) (*output, error) {
	t := r.t
	vm := &homePage{Page: r.page(s, t.Name)}
	switch {
	case t.IsAmbito():
		members, err := h.Tenants.Members(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			vm.Members = append(vm.Members, Link{Name: m.Name, URL: h.Cfg.TenantURL(m.Slug), IsCapofila: m.IsCapofila})
		}
	case t.Ambito != nil:
		vm.Ambito = &Link{Name: t.Ambito.Name, URL: h.Cfg.TenantURL(t.Ambito.Slug)}
		members, err := h.Tenants.Members(ctx, t.Ambito.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.IsCapofila {
				vm.Capofila = &Link{Name: m.Name, URL: h.Cfg.TenantURL(m.Slug), IsCapofila: true}
			}
		}
	}
	if s == nil {
		return h.html("site/home", vm, 0)
	}
	vm.Published = true
	vm.Version = s.Own.Version
	vm.Updated = web.DateIT(s.Own.PublishedAt)
	for _, cat := range s.ServicesByCategory() {
		vm.Categories = append(vm.Categories, categoryLink{Name: cat.Name, URL: servicesURL(url.Values{"categoria": {categoryParam(cat.Code)}}), Count: len(cat.Services)})
	}
	var shown []*catalog.Office
	for _, o := range s.Offices() {
		ov := h.officeView(r, s, o, false)
		if ov.Open {
			vm.Open = append(vm.Open, ov)
		} else {
			vm.Closed = append(vm.Closed, ov)
		}
		shown = append(shown, o.Office)
	}
	if sec := s.Section("reclami"); sec != nil {
		vm.Complain = "/carta#" + sec.Key
	}
	return h.html("site/home", vm, ttlUntil(r.now, NextChange(shown, r.now)))
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
