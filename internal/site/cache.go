package site

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/tenant"
)

// pageCache is how servePublished reaches the page cache.
type pageCache interface {
	serve(c *fiber.Ctx, t *tenant.Tenant, path string, build func(ctx context.Context) (*output, error)) error
}

// The key of a cached page also carries the shell fingerprint (tenant name, profile: header and
// footer), remembered by the cache's registry with the versions, so that a hit reads nothing
// from the database and a profile edit (which calls Published) shows at once.

// cacheAdapter keys pages by the tenant and the published versions of the comune and of its
// ambito (read from the cache's registry, which pub/sub keeps in step with publications).
type cacheAdapter struct {
	c *pagecache.Cache
	h *handlers
}

func (a *cacheAdapter) serve(c *fiber.Ctx, t *tenant.Tenant, path string, build func(ctx context.Context) (*output, error)) error {
	ctx := c.UserContext()
	own, amb, shell, err := a.c.VersionsShell(ctx, t.ID, t.AmbitoID(), func(ctx context.Context) (int, int, string, error) {
		own, amb, err := a.h.versions(ctx, t)
		if err != nil {
			return 0, 0, "", err
		}
		p, err := a.h.Tenants.Profile(ctx, t.ID)
		if err != nil {
			return 0, 0, "", err
		}
		return own, amb, shellFingerprint(t, p), nil
	})
	if err != nil {
		return err
	}
	key := pagecache.Key{Tenant: t.ID, Own: own, Ambito: amb, Path: path + "|" + shell}
	return a.c.Serve(c, key, func(ctx context.Context) (*pagecache.Page, error) {
		out, err := build(ctx)
		if err != nil {
			return nil, err
		}
		return &pagecache.Page{Status: out.Status, ContentType: out.ContentType, Body: out.Body,
			Header: out.Header, TTL: out.TTL}, nil
	})
}
