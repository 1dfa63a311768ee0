package tenant

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"

	"github.com/cartasociale/carta/internal/apperr"
)

// ErrUnknownHost is returned for a host that names no active tenant.
var ErrUnknownHost = apperr.New(apperr.NotFound, "Questo indirizzo non corrisponde a nessun ente.")

// Resolver maps the request's host to its tenant: <slug>.<base domain>. admin.<base> and the
// bare base domain are the platform's own host (no tenant). Lookups are cached in-process for a
// short time (a suspension takes effect within that time on every replica); Invalidate drops
// an entry at once.
type Resolver struct {
	store *Store
	base  string
	ttl   time.Duration

	mu    sync.RWMutex
	cache map[string]resolved
	sf    singleflight.Group
}

type resolved struct {
	t  *Tenant
	at time.Time
}

// NewResolver resolves tenants under baseDomain.
func NewResolver(store *Store, baseDomain string) *Resolver {
	return &Resolver{store: store, base: strings.ToLower(baseDomain), ttl: 30 * time.Second,
		cache: map[string]resolved{}}
}

// Slug returns the tenant label of host, and whether host is the platform's own host.
// ok is false for a host outside the base domain. slug may share memory with host: copy it
// before keeping it (Resolve does).
func (r *Resolver) Slug(host string) (slug string, platform, ok bool) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == r.base || host == "admin."+r.base {
		return "", true, true
	}
	label, found := strings.CutSuffix(host, "."+r.base)
	if !found || label == "" || strings.Contains(label, ".") {
		return "", false, false
	}
	return label, false, true
}

// Resolve returns the active tenant for slug.
func (r *Resolver) Resolve(ctx context.Context, slug string) (*Tenant, error) {
	r.mu.RLock()
	e, hit := r.cache[slug]
	r.mu.RUnlock()
	if hit && time.Since(e.at) < r.ttl {
		if e.t == nil {
			return nil, ErrUnknownHost
		}
		return e.t, nil
	}
	// slug usually comes from the request's Host, whose bytes the server reuses for the next
	// request on the connection: the cache and the flight keep a copy of their own, or a later
	// request would rewrite this entry's key and a host would be served another tenant.
	slug = strings.Clone(slug)
	v, err, _ := r.sf.Do(slug, func() (any, error) {
		// Detached from the request: a cancelled request must not fail the others waiting.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		t, err := r.store.BySlug(lctx, slug)
		if apperr.KindOf(err) == apperr.NotFound {
			e := resolved{at: time.Now()}
			r.put(slug, e)
			return e, nil
		}
		if err != nil {
			return nil, err
		}
		e := resolved{t: t, at: time.Now()}
		if t.Status != StatusActive {
			e.t = nil
		}
		r.put(slug, e)
		return e, nil
	})
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, "Il servizio non è momentaneamente disponibile.", err)
	}
	e = v.(resolved)
	if e.t == nil {
		return nil, ErrUnknownHost
	}
	return e.t, nil
}

func (r *Resolver) put(slug string, e resolved) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cache) > 20000 { // bounded: about every comune in Italy fits
		clear(r.cache)
	}
	r.cache[slug] = e
}

// Invalidate forgets slug (all slugs when empty), so the next request reads it afresh.
func (r *Resolver) Invalidate(slug string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if slug == "" {
		clear(r.cache)
		return
	}
	delete(r.cache, slug)
}

// Middleware puts the request's tenant and its profile in the user context. With Fiber's
// trusted-proxy check on, c.Hostname() believes X-Forwarded-Host only from trusted proxies,
// so a client cannot pick another tenant by sending the header.
func (r *Resolver) Middleware() fiber.Handler {
	return func(c *fiber.Ctx) error {
		slug, platform, ok := r.Slug(c.Hostname())
		if !ok {
			return ErrUnknownHost
		}
		if platform {
			return c.Next()
		}
		t, err := r.Resolve(c.UserContext(), slug)
		if err != nil {
			return err
		}
		c.SetUserContext(WithTenant(c.UserContext(), t))
		return c.Next()
	}
}
