package cartapdf

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Paths of the two documents on the citizen site.
const (
	CartaPath = "/carta.pdf"
	GuidaPath = "/guida-sintetica.pdf"
)

// Deps are what the PDF routes need.
type Deps struct {
	DB  *tenant.DB
	Cfg *config.Config
	Log *slog.Logger
	// Cache, when set, keeps each generated PDF per published version; nil generates it on
	// every request (tests, or a deployment without the page cache).
	Cache *pagecache.Cache
	// Fonts returns the TrueType files to embed; nil means web.PDFFonts (the binary's own).
	Fonts func() (regular, bold, italic []byte, err error)
	// SurveyURL returns the address of t's online satisfaction survey, which the guida prints
	// with a QR code. nil, or "", prints neither: the guida then offers only its paper
	// questionnaire, handed in at the office. The survey feature sets it once its pages exist,
	// so that no printed guida leads to a missing page.
	SurveyURL func(t *tenant.Tenant) string
}

type handlers struct {
	Deps
	fontsOnce sync.Once
	fonts     Fonts
	fontsErr  error
}

// Register mounts GET /carta.pdf and GET /guida-sintetica.pdf on the citizen site. Both serve
// the current published version (with the ambito's, for a member comune) inline, and a 404
// page when the tenant has published nothing.
func Register(app fiber.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Fonts == nil {
		d.Fonts = web.PDFFonts
	}
	h := &handlers{Deps: d}
	app.Get(CartaPath, h.handler(CartaPath, "carta-servizi", Carta))
	app.Get(GuidaPath, h.handler(GuidaPath, "guida-sintetica", Guida))
}

func (h *handlers) loadFonts() (Fonts, error) {
	h.fontsOnce.Do(func() {
		r, b, i, err := h.Fonts()
		if err != nil {
			h.fontsErr = fmt.Errorf("cartapdf: fonts: %w", err)
			return
		}
		h.fonts = Fonts{Regular: r, Bold: b, Italic: i}
	})
	return h.fonts, h.fontsErr
}

type generator func(v *catalog.View, opts Options) ([]byte, error)

func (h *handlers) handler(path, filePrefix string, gen generator) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t := tenant.FromContext(c.UserContext())
		if t == nil || t.Status != tenant.StatusActive {
			return apperr.ErrNotFound
		}
		ctx := c.UserContext()
		own, amb, err := h.versions(ctx, t)
		if err != nil {
			return err
		}
		if own == 0 {
			return catalog.ErrNotPublished
		}
		render := func(ctx context.Context) (*pagecache.Page, error) {
			return h.render(ctx, t, own, amb, filePrefix, gen)
		}
		return h.serve(c, pagecache.Key{Tenant: t.ID, Own: own, Ambito: amb, Path: path}, render)
	}
}

// versions returns the published versions the request's PDF is built from, from the cache's
// registry when there is one.
func (h *handlers) versions(ctx context.Context, t *tenant.Tenant) (own, amb int, err error) {
	load := func(ctx context.Context) (own, amb int, err error) {
		err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			if own, err = catalog.CurrentVersion(ctx, tx, t.ID); err != nil {
				return err
			}
			if t.Ambito != nil {
				amb, err = catalog.CurrentVersion(ctx, tx, t.Ambito.ID)
			}
			return err
		})
		return own, amb, err
	}
	if h.Cache == nil {
		return load(ctx)
	}
	return h.Cache.Versions(ctx, t.ID, t.AmbitoID(), load)
}

// serve is the one place the cache is used: with none, every request generates the PDF.
func (h *handlers) serve(c *fiber.Ctx, key pagecache.Key, render pagecache.RenderFunc) error {
	if h.Cache != nil {
		return h.Cache.Serve(c, key, render)
	}
	p, err := render(c.UserContext())
	if err != nil {
		return err
	}
	for k, v := range p.Header {
		c.Set(k, v)
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderContentType, p.ContentType)
	return c.Status(fiber.StatusOK).Send(p.Body)
}

// render builds the PDF of exactly the versions in the cache key, so that a publication landing
// between the version check and the render cannot store new content under an old key.
func (h *handlers) render(ctx context.Context, t *tenant.Tenant, own, amb int, filePrefix string, gen generator) (*pagecache.Page, error) {
	fonts, err := h.loadFonts()
	if err != nil {
		return nil, err
	}
	v := &catalog.View{}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		if v.Own, err = catalog.LoadPublished(ctx, tx, t.ID, own); err != nil {
			return err
		}
		if t.Ambito != nil && amb > 0 {
			v.Ambito, err = catalog.LoadPublished(ctx, tx, t.Ambito.ID, amb)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	opts := Options{Fonts: fonts}
	if h.Cfg != nil {
		opts.TenantURL = h.Cfg.TenantURL(t.Slug)
	}
	if h.SurveyURL != nil {
		opts.SurveyURL = h.SurveyURL(t)
	}
	start := time.Now()
	body, err := gen(v, opts)
	if err != nil {
		return nil, err
	}
	h.Log.DebugContext(ctx, "pdf generated", "tenant", t.Slug, "file", filePrefix, "version", own,
		"ambito_version", amb, "bytes", len(body), "took", time.Since(start))
	return &pagecache.Page{
		ContentType: "application/pdf",
		Body:        body,
		Header: map[string]string{
			fiber.HeaderContentDisposition: fmt.Sprintf(`inline; filename="%s"`, FileName(filePrefix, t.Slug, own)),
		},
	}, nil
}

// FileName is the download name of a PDF: carta-servizi-cerveteri-v3.pdf.
func FileName(prefix, slug string, version int) string {
	return fmt.Sprintf("%s-%s-v%d.pdf", prefix, slug, version)
}
