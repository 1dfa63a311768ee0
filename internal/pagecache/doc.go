// Package pagecache owns the cache of rendered public pages of the published Carta (HTML pages,
// PDFs, open-data files): a bounded in-process level in front of Redis, both keyed by the tenant
// and the published versions of the comune and of its ambito, so that publishing makes old
// pages unreachable instead of deleting them. Pages are compressed once when rendered and served
// as stored bytes with an ETag; a registry of published versions per tenant, kept in step across
// replicas by Redis pub/sub, spares a database transaction on every request.
//
// A citizen-site handler does:
//
//	own, amb, err := cache.Versions(ctx, t.ID, ambitoID, loadVersions)
//	return cache.Serve(c, pagecache.Key{Tenant: t.ID, Own: own, Ambito: amb, Path: "/servizi/" + slug},
//		func(ctx context.Context) (*pagecache.Page, error) { … render version own/amb … })
//
// and the publication use case, after its transaction commits, calls cache.Published with the
// tenant (for an ambito: the ambito and its member comuni).
//
// Redis is an accelerator, never a dependency: when it fails the cache skips it for a while
// (a circuit breaker) and serves from the local level or renders, so no page fails because of
// Redis.
package pagecache
