package site

import (
	"bytes"
	"context"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// output is one rendered response of the published site. It mirrors pagecache.Page, so that a
// page rendered here can be stored as is.
type output struct {
	Status      int // 0 means 200
	ContentType string
	Body        []byte
	Header      map[string]string
	// TTL, when set, bounds how long the page may be reused: pages showing "aperto ora" or
	// today's hours are valid only until the next opening or closing of an office shown.
	TTL time.Duration
}

// renderFunc renders a page of the published site from the merged model. s is nil while the
// tenant has published nothing; most pages then answer 404.
type renderFunc func(ctx context.Context, r *request, s *Site) (*output, error)

// request is what a render may read of the HTTP request. Renders of cached pages must depend
// on nothing else: the same bytes are served to every citizen of the tenant.
type request struct {
	c      *fiber.Ctx
	t      *tenant.Tenant
	path   string // the cache path: URL path plus the normalised query the page reads
	now    time.Time
	params map[string]string // path parameters, copied
	query  url.Values        // the recognised query parameters only
}

// servePublished is the one place where pages of the published site are rendered and cached.
// path identifies the page within the tenant's site (see pagecache.Key.Path).
func (h *handlers) servePublished(c *fiber.Ctx, path string, query url.Values, render renderFunc) error {
	t := activeTenant(c)
	if t == nil {
		return apperr.ErrNotFound
	}
	r := &request{c: c, t: t, path: path, now: h.now(), params: map[string]string{}, query: query}
	for _, k := range c.Route().Params {
		r.params[k] = strings.Clone(c.Params(k))
	}
	build := func(ctx context.Context) (*output, error) {
		s, err := h.loadSite(ctx, t)
		if err != nil {
			return nil, err
		}
		return render(ctx, r, s)
	}
	if h.Cache != nil {
		return h.Cache.serve(c, t, path, build)
	}
	out, err := build(c.UserContext())
	if err != nil {
		return err
	}
	return send(c, out)
}

// shellFingerprint names what every page shows besides the published Carta: the tenant's name
// and ambito (header), its profile (contacts, links, logo in header and footer) and when the
// standards' measured values last changed (service pages). It is part of the cache key, so an
// edit of the profile or a new measure shows at once instead of when the page expires.
func shellFingerprint(t *tenant.Tenant, p tenant.Profile) string {
	h := fnv.New64a()
	w := func(ss ...string) {
		for _, s := range ss {
			_, _ = h.Write([]byte(s))
			_, _ = h.Write([]byte{0})
		}
	}
	w(t.Name, t.Slug, string(t.Kind), strconv.FormatBool(t.IsCapofila))
	if t.Ambito != nil {
		w(t.Ambito.Slug, t.Ambito.Name)
	}
	w(p.LegalAddress, p.PostalCode, p.City, p.Province, p.Phone, p.Email, p.PEC, p.WebsiteURL,
		p.AccessibilityURL, p.PrivacyURL, strconv.FormatBool(p.HasLogo), strconv.FormatInt(p.LogoVersion, 10),
		strconv.FormatInt(p.MeasuresStamp, 10))
	for _, l := range p.Social {
		w(l.Network, l.URL)
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// send writes a rendered page without the cache.
func send(c *fiber.Ctx, out *output) error {
	status := out.Status
	if status == 0 {
		status = fiber.StatusOK
	}
	ct := out.ContentType
	if ct == "" {
		ct = fiber.MIMETextHTMLCharsetUTF8
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	for k, v := range out.Header {
		c.Set(k, v)
	}
	c.Response().SetBody(out.Body)
	return nil
}

// loadSite reads the published view of t in one tenant transaction.
func (h *handlers) loadSite(ctx context.Context, t *tenant.Tenant) (*Site, error) {
	var v *catalog.View
	err := h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		v, err = catalog.LoadView(ctx, tx, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	return NewSite(v), nil
}

// versions returns the published versions of t and of its ambito, for the cache key.
func (h *handlers) versions(ctx context.Context, t *tenant.Tenant) (own, amb int, err error) {
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

func (h *handlers) now() time.Time {
	if h.Clock != nil {
		return h.Clock()
	}
	return time.Now()
}

// html renders page name with vm into an output.
func (h *handlers) html(name string, vm any, ttl time.Duration) (*output, error) {
	var buf bytes.Buffer
	if err := h.Render.Execute(&buf, name, vm); err != nil {
		return nil, err
	}
	return &output{Body: buf.Bytes(), TTL: ttl}, nil
}

// page builds the base of a cached page's view model. It carries nothing of the request but
// the tenant and its profile (no CSRF token, no flash, no staff member): the bytes are shared.
func (r *request) page(s *Site, title string, crumbs ...web.Crumb) web.Page {
	p := web.Page{Title: title, Tenant: r.t, Profile: web.ProfileFrom(r.c), Breadcrumbs: crumbs}
	if s != nil {
		p.Nav = web.CitizenNav(r.c.Path())
		p.Footer = web.CitizenFooter()
		// The rating block rates the page it sits on; old versions of the Carta are history,
		// not pages to rate.
		if path := r.c.Path(); !strings.HasPrefix(path, "/carta/versioni") {
			p.Rating = strings.Clone(path)
		}
	}
	return p
}

// ttlUntil is how long a page that shows office hours stays right.
func ttlUntil(now, until time.Time) time.Duration {
	d := until.Sub(now)
	if d < time.Second {
		d = time.Second
	}
	return d
}
