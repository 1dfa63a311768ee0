package pagecache

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"
)

// versions remembers each tenant's published versions, so a page hit costs no database
// transaction. Entries are dropped when a publication is announced (here or by another
// replica) and expire after Options.VersionsTTL in case an announcement was lost.
type versions struct {
	mu  sync.RWMutex
	m   map[uuid.UUID]verEntry
	gen uint64 // bumped by every invalidation; a load that straddles one is not kept
	sf  singleflight.Group
}

type verEntry struct {
	own, ambito int
	shell       string
	ambitoID    uuid.UUID
	expires     int64
}

type verPair struct {
	own, ambito int
	shell       string
}

// Versions returns the published versions of tenantID's Carta and of its ambito (ambitoID;
// uuid.Nil for a tenant in no ambito, or for an ambito's own site), from memory when known,
// else through load, called once for concurrent requests. Pass them to Key. An error from load
// is returned and nothing is remembered.
func (c *Cache) Versions(ctx context.Context, tenantID, ambitoID uuid.UUID,
	load func(ctx context.Context) (own, ambito int, err error)) (own, ambito int, err error) {
	own, ambito, _, err = c.VersionsShell(ctx, tenantID, ambitoID, func(ctx context.Context) (int, int, string, error) {
		o, a, err := load(ctx)
		return o, a, "", err
	})
	return own, ambito, err
}

// VersionsShell is Versions plus shell: a short fingerprint of what every page shows besides
// the published Carta (the tenant's name, profile, contacts, logo), remembered with the
// versions so that a page hit reads nothing from the database. Whoever changes the shell
// calls Published for the tenant, exactly as after a publication.
func (c *Cache) VersionsShell(ctx context.Context, tenantID, ambitoID uuid.UUID,
	load func(ctx context.Context) (own, ambito int, shell string, err error)) (own, ambito int, shell string, err error) {
	c.versions.mu.RLock()
	e, ok := c.versions.m[tenantID]
	gen := c.versions.gen
	c.versions.mu.RUnlock()
	if ok && e.ambitoID == ambitoID && c.now() < e.expires {
		c.versionHits.Add(1)
		return e.own, e.ambito, e.shell, nil
	}
	var kb [96]byte
	k := appendUUID(appendUUID(kb[:0], tenantID), ambitoID)
	k = strconv.AppendUint(append(k, '/'), gen, 10)
	v, err, _ := c.versions.sf.Do(string(k), func() (any, error) {
		own, amb, shell, err := load(ctx)
		if err != nil {
			return nil, err
		}
		c.versionLoads.Add(1)
		c.versions.mu.Lock()
		// A publication announced while loading may not be in what load read: keep nothing.
		if c.versions.gen == gen {
			c.versions.m[tenantID] = verEntry{own: own, ambito: amb, shell: shell, ambitoID: ambitoID,
				expires: c.now() + int64(c.opts.VersionsTTL)}
		}
		c.versions.mu.Unlock()
		return verPair{own, amb, shell}, nil
	})
	if err != nil {
		return 0, 0, "", err
	}
	p := v.(verPair)
	return p.own, p.ambito, p.shell, nil
}

// Published tells every replica that these tenants published a new version: call it after the
// publication's transaction commits, with the tenant, and for an ambito also its member comuni
// (a comune whose remembered ambito is among tenantIDs is invalidated too, as a safety net).
// The versions are forgotten here at once and on the other replicas as soon as the Redis
// message arrives; the tenants' pages held in memory are dropped to free it (their keys carry
// the old versions and would never be asked for again). A failure to reach Redis is logged, not
// returned: the other replicas catch up within Options.VersionsTTL.
func (c *Cache) Published(ctx context.Context, tenantIDs ...uuid.UUID) {
	if len(tenantIDs) == 0 {
		return
	}
	c.invalidate(tenantIDs)
	if c.rdb == nil {
		return
	}
	var b strings.Builder
	b.WriteString(c.replica)
	b.WriteByte('|')
	for i, id := range tenantIDs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.RedisTimeout)
	defer cancel()
	// Not gated by the breaker: publications are rare and worth one attempt each.
	if err := c.rdb.Publish(ctx, c.opts.Channel, b.String()).Err(); err != nil {
		c.redisFailed("publish", err)
		c.log.Warn("pagecache: publication not announced to other replicas; they catch up by TTL",
			"tenants", tenantIDs, "within", c.opts.VersionsTTL, "err", err)
	}
}

// invalidate forgets the versions of ids and of comuni whose ambito is among them, and drops
// their pages from the in-process level.
func (c *Cache) invalidate(ids []uuid.UUID) {
	set := make(map[uuid.UUID]struct{}, len(ids))
	for _, id := range ids {
		if id != uuid.Nil {
			set[id] = struct{}{}
		}
	}
	var members []uuid.UUID
	c.versions.mu.Lock()
	c.versions.gen++
	for id, e := range c.versions.m {
		_, own := set[id]
		_, amb := set[e.ambitoID]
		if own || amb {
			delete(c.versions.m, id)
			if !own {
				members = append(members, id)
			}
		}
	}
	c.versions.mu.Unlock()
	for _, id := range members {
		set[id] = struct{}{}
	}
	c.invalidations.Add(uint64(len(set)))
	if c.local != nil {
		c.local.dropTenants(set)
	}
}

// forgetVersions drops every remembered version: after (re)subscribing, since announcements
// sent while this replica was not listening are lost.
func (c *Cache) forgetVersions() {
	c.versions.mu.Lock()
	c.versions.gen++
	clear(c.versions.m)
	c.versions.mu.Unlock()
}

// parseAnnouncement reads "replica|id,id,…".
func parseAnnouncement(payload string) (replica string, ids []uuid.UUID, ok bool) {
	replica, list, ok := strings.Cut(payload, "|")
	if !ok {
		return "", nil, false
	}
	for s := range strings.SplitSeq(list, ",") {
		if id, err := uuid.Parse(s); err == nil {
			ids = append(ids, id)
		}
	}
	return replica, ids, true
}
