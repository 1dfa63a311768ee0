package quality

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates/quality
var pagesFS embed.FS

// Pages holds the page templates "quality/…", for web.RendererOptions.Pages.
func Pages() fs.FS {
	sub, err := fs.Sub(pagesFS, "templates")
	if err != nil {
		panic(err)
	}
	return sub
}

// HandlerDeps are what the pages need besides the Service.
type HandlerDeps struct {
	Render *web.Renderer
	Redis  *redis.Client // the rate limits; none when nil
	Nav    func(c *fiber.Ctx) []web.NavItem
	// SiteURL is the absolute address of a tenant's citizen site (config.TenantURL), for the
	// questionnaire's QR code.
	SiteURL func(slug string) string
	Log     *slog.Logger
	// Can tells whether the logged-in staff member holds a permission, to hide the forms of
	// those who only read (nil: shown to all).
	Can func(ctx context.Context, p access.Perm) bool
}

// RateLimit is how many ratings, and SurveyLimit how many questionnaires, one client IP may send
// to one tenant's site per hour: far above one person's use, low enough to stop a flood.
const (
	RateLimit   = 60
	SurveyLimit = 20
)

type handlers struct {
	svc *Service
	d   HandlerDeps
}

// RegisterRating adds the rating block's endpoint. It must come before the CSRF middleware:
// the block is static markup on cached pages, with no token; the endpoint requires instead
// that the request comes from a page of the tenant's own host (Origin, or Sec-Fetch-Site).
func RegisterRating(app fiber.Router, svc *Service, d HandlerDeps) {
	h := &handlers{svc: svc, d: d}
	chain := []fiber.Handler{}
	if d.Redis != nil {
		chain = append(chain, web.RateLimit(d.Redis, "ratings", RateLimit, time.Hour))
	}
	app.Post(web.RatingPath, append([]fiber.Handler{h.sameOrigin}, append(chain, h.rate)...)...)
}

// MsgForeignOrigin is what a rating sent from another site gets.
const MsgForeignOrigin = "La valutazione si può inviare solo dalle pagine di questo sito."

// sameOrigin lets through only a request whose Origin is the scheme and host it was sent to
// (the host that chose the tenant), or, from a browser that sends no Origin, one it marks
// Sec-Fetch-Site: same-origin.
func (h *handlers) sameOrigin(c *fiber.Ctx) error {
	if o := c.Get(fiber.HeaderOrigin); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, c.Hostname()) || u.Scheme != c.Protocol() {
			return apperr.New(apperr.Forbidden, MsgForeignOrigin)
		}
		return c.Next()
	}
	if c.Get("Sec-Fetch-Site") == "same-origin" {
		return c.Next()
	}
	return apperr.New(apperr.Forbidden, MsgForeignOrigin)
}

func siteTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil || t.Status != tenant.StatusActive {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

func visitor(c *fiber.Ctx) Visitor {
	o := principal.OriginFrom(c.UserContext())
	v := Visitor{IP: o.IP, UserAgent: o.UserAgent}
	if v.IP == "" {
		v.IP = strings.Clone(c.IP())
	}
	if v.UserAgent == "" {
		v.UserAgent = strings.Clone(c.Get(fiber.HeaderUserAgent))
	}
	return v
}

func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}

// ratingAnswer is the JSON answer to the block's script.
type ratingAnswer struct {
	OK      bool              `json:"ok"`
	Message string            `json:"message,omitempty"`
	Errors  map[string]string `json:"errors,omitempty"`
}

// ratingPage is the page a plain form comes to when its rating was refused: the block again,
// with the input kept and a message next to each field.
type ratingPage struct {
	web.Page
	Back    string
	Message string
}

func (h *handlers) rate(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"path", "stars", "negative", "positive", "details"} {
		form[k] = strings.Clone(c.FormValue(k))
	}
	back := NormalizePath(form["path"])
	if back == "" {
		back = "/"
	}
	if web.Honeypot(c) {
		return h.rated(c, back)
	}
	r := Rating{Path: form["path"], Details: form["details"]}
	r.Stars, _ = strconv.Atoi(form["stars"])
	// Without JavaScript both panels are sent: only the one matching the stars counts.
	switch {
	case r.Stars >= 1 && r.Stars <= 3:
		r.Answer = form["negative"]
	case r.Stars >= 4 && r.Stars <= 5:
		r.Answer = form["positive"]
	}
	_, err = h.svc.Rate(c.UserContext(), t, r, visitor(c))
	if ae, ok := apperr.As(err); ok && (len(ae.Fields) > 0 || ae.Kind == apperr.Conflict) {
		status := fiber.StatusUnprocessableEntity
		if ae.Kind == apperr.Conflict {
			status = fiber.StatusConflict
		}
		if wantsJSON(c) {
			return c.Status(status).JSON(ratingAnswer{Message: ae.Message, Errors: ae.Fields})
		}
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		p := web.NewPage(c, "Valuta la pagina").Citizen(back)
		p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Valuta la pagina"}}
		p.Errors, p.Form = ae.Fields, form
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		if _, bad := p.Errors["path"]; !bad {
			p.Rating = back
		}
		msg := ""
		if ae.Kind == apperr.Conflict {
			msg, p.Rating = ae.Message, ""
		}
		return h.d.Render.Render(c, status, "quality/rating", ratingPage{Page: p, Back: back, Message: msg})
	}
	if err != nil {
		return err
	}
	return h.rated(c, back)
}

// rated answers a stored rating: JSON to the script, and back to the page's thanks otherwise.
func (h *handlers) rated(c *fiber.Ctx, back string) error {
	if wantsJSON(c) {
		return c.JSON(ratingAnswer{OK: true, Message: web.RatingThanks})
	}
	return c.Redirect(back+"#"+web.RatingThanksID, fiber.StatusSeeOther)
}
