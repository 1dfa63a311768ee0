package pagecache

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

// Options configure a Cache; the zero value of every field means its default.
type Options struct {
	// MaxBytes bounds the in-process level (pages' bytes, all encodings). Default 64 MiB;
	// negative disables the level (every hit then reads Redis).
	MaxBytes int64
	// TTL is how long Redis keeps a page. Default 24h. Publishing never deletes pages: old
	// versions' keys are never asked for again and expire by this TTL.
	TTL time.Duration
	// LocalTTL is how long the in-process level keeps a page. Default 10 minutes.
	LocalTTL time.Duration
	// VersionsTTL bounds how long a tenant's published versions are trusted without hearing of
	// a publication: the safety net when a pub/sub message is lost (Redis down or restarting).
	// Default 5 seconds.
	VersionsTTL time.Duration
	// BreakerCooldown is how long Redis is skipped after it failed. Default 5 seconds.
	BreakerCooldown time.Duration
	// RedisTimeout bounds each Redis call through its context, on top of the client's own
	// timeouts. Default 200 ms.
	RedisTimeout time.Duration
	// CacheControl is sent with cached pages. Default "public, no-cache": browsers and shared
	// caches keep the page but revalidate it every time (a cheap 304 thanks to the ETag), so a
	// publication or a profile change is visible at the next load, not a minute later.
	CacheControl string
	// GzipLevel for compressing pages once at render time. Default gzip.DefaultCompression
	// (level 6 of klauspost/compress: a few hundred microseconds per 40 KB, once per version).
	GzipLevel int
	// Brotli also stores a brotli variant, served to clients that accept br. Default off: it
	// costs render time and memory for about a sixth fewer bytes than gzip.
	Brotli bool
	// Channel is the Redis pub/sub channel on which publications are announced. Default
	// "carta:pages". Pub/sub ignores Redis database numbers: deployments sharing a Redis server
	// must use different channels.
	Channel string
	Log     *slog.Logger
	// Registerer, when set, receives the carta_pagecache_* metrics.
	Registerer prometheus.Registerer
}

// DefaultChannel is the pub/sub channel used when Options.Channel is empty.
const DefaultChannel = "carta:pages"

func (o *Options) defaults() {
	if o.MaxBytes == 0 {
		o.MaxBytes = 64 << 20
	}
	if o.TTL <= 0 {
		o.TTL = 24 * time.Hour
	}
	if o.LocalTTL <= 0 {
		o.LocalTTL = 10 * time.Minute
	}
	if o.VersionsTTL <= 0 {
		o.VersionsTTL = 5 * time.Second
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = 5 * time.Second
	}
	if o.RedisTimeout <= 0 {
		o.RedisTimeout = 200 * time.Millisecond
	}
	if o.CacheControl == "" {
		o.CacheControl = "public, no-cache"
	}
	if o.GzipLevel == 0 {
		o.GzipLevel = gzip.DefaultCompression
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// Cache serves rendered pages from memory, then Redis, then by rendering them. It is safe for
// concurrent use; build one per process and share it.
type Cache struct {
	rdb     *redis.Client
	opts    Options
	log     *slog.Logger
	local   *local // nil when disabled
	sf      singleflight.Group
	brk     breaker
	replica string
	now     func() int64 // unix nanoseconds; tests move it

	localHits, redisHits, renders, redisErrors, redisSkipped atomic.Uint64
	shared, evictions, versionHits, versionLoads             atomic.Uint64
	invalidations, subscriptions                             atomic.Uint64
	filling                                                  atomic.Int64

	versions

	sub subscriber
}

// New builds a cache in front of rdb. rdb may be nil: then only the in-process level is used.
//
// The client must fail fast, or a dead Redis stalls every page: go-redis's defaults spend
// about 1.75 s per call against a Redis that is down. Build it from RedisOptions (timeouts of
// 200 ms, no retries), and not from the client used for sessions. New does not connect.
func New(rdb *redis.Client, opts Options) *Cache {
	opts.defaults()
	c := &Cache{
		rdb: rdb, opts: opts, log: opts.Log, replica: uuid.NewString(),
		now: func() int64 { return time.Now().UnixNano() },
	}
	c.brk.cooldown = int64(opts.BreakerCooldown)
	if opts.MaxBytes > 0 {
		c.local = newLocal(opts.MaxBytes)
	}
	c.versions.m = make(map[uuid.UUID]verEntry)
	c.sub.init()
	if opts.Registerer != nil {
		if err := opts.Registerer.Register(collector{c}); err != nil {
			c.log.Warn("pagecache: metrics not registered", "err", err)
		}
	}
	return c
}

// RenderFunc renders a page. It runs at most once per key at a time across concurrent
// requests, in the goroutine of the request that missed first, with that request's context.
type RenderFunc func(ctx context.Context) (*Page, error)

// Serve answers the request with the page under key: from the in-process level, else from
// Redis, else by calling render (once for all concurrent requests of the same key) and storing
// the result in both levels. It writes status, headers and body; a request whose If-None-Match
// holds the page's ETag gets 304 without a body. An error from render is returned as is, for
// the application's error handler.
//
// Only 200 pages are stored; other statuses are served and rendered again next time. Requests
// other than GET and HEAD are rendered and never stored.
func (c *Cache) Serve(fc *fiber.Ctx, key Key, render RenderFunc) error {
	if m := fc.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		p, err := c.renderPage(fc.UserContext(), render)
		if err != nil {
			return err
		}
		return c.write(fc, p, false)
	}
	var buf [256]byte
	kb := key.appendTo(buf[:0])
	if c.local != nil {
		if p := c.local.get(kb, c.now()); p != nil {
			c.localHits.Add(1)
			return c.write(fc, p, true)
		}
	}
	p, err := c.fill(fc.UserContext(), string(kb), key.Tenant, render)
	if err != nil {
		return err
	}
	return c.write(fc, p, p.Status == fiber.StatusOK)
}

// fill finds or renders the page after a local miss. Concurrent misses of one key share one
// flight: N requests for a page nobody has cached cost one Redis read and at most one render.
func (c *Cache) fill(ctx context.Context, key string, tenant uuid.UUID, render RenderFunc) (*Page, error) {
	c.filling.Add(1)
	defer c.filling.Add(-1)
	leader := false
	v, err, shared := c.sf.Do(key, func() (any, error) {
		leader = true
		// A flight that ended just before this one began may have stored the page.
		if c.local != nil {
			if p := c.local.getString(key, c.now()); p != nil {
				c.localHits.Add(1)
				return p, nil
			}
		}
		if p := c.redisGet(ctx, key); p != nil {
			c.redisHits.Add(1)
			c.storeLocal(key, tenant, p)
			return p, nil
		}
		p, err := c.renderPage(ctx, render)
		if err != nil {
			return nil, err
		}
		if p.Status == fiber.StatusOK {
			c.storeLocal(key, tenant, p)
			c.redisSet(ctx, key, p)
		}
		return p, nil
	})
	if shared && !leader {
		c.shared.Add(1)
	}
	if err != nil {
		return nil, err
	}
	return v.(*Page), nil
}

var errNoPage = errors.New("pagecache: render returned no page and no error")

func (c *Cache) renderPage(ctx context.Context, render RenderFunc) (*Page, error) {
	p, err := render(ctx)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errNoPage
	}
	c.renders.Add(1)
	if err := p.prepare(c.opts.GzipLevel, c.opts.Brotli); err != nil {
		return nil, err
	}
	return p, nil
}

func (c *Cache) storeLocal(key string, tenant uuid.UUID, p *Page) {
	if c.local == nil {
		return
	}
	ttl := c.opts.LocalTTL
	if p.TTL > 0 && p.TTL < ttl {
		ttl = p.TTL
	}
	if n := c.local.put(key, tenant, p, c.now()+int64(ttl)); n > 0 {
		c.evictions.Add(uint64(n))
	}
}

// write sends p. Nothing here copies the body: fasthttp sends the cached slice itself, which
// is never modified.
func (c *Cache) write(fc *fiber.Ctx, p *Page, cacheable bool) error {
	resp := fc.Response()
	h := &resp.Header
	body, etag, enc := p.Body, p.ETag, ""
	if p.Gzip != nil || p.Brotli != nil {
		gz, br := acceptedEncodings(fc.Request().Header.Peek(fiber.HeaderAcceptEncoding))
		switch {
		case br && p.Brotli != nil:
			body, etag, enc = p.Brotli, p.etagBrotli, "br"
		case gz && p.Gzip != nil:
			body, etag, enc = p.Gzip, p.etagGzip, "gzip"
		}
	}
	h.SetContentType(p.ContentType)
	h.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	h.Set(fiber.HeaderETag, etag)
	if cacheable {
		h.Set(fiber.HeaderCacheControl, c.opts.CacheControl)
	} else {
		h.Set(fiber.HeaderCacheControl, "no-cache")
	}
	for k, v := range p.Header {
		h.Set(k, v)
	}
	if p.Status == fiber.StatusOK {
		if inm := fc.Request().Header.Peek(fiber.HeaderIfNoneMatch); len(inm) > 0 &&
			etagMatches(inm, p.ETag, p.etagGzip, p.etagBrotli) {
			resp.SetStatusCode(fiber.StatusNotModified)
			resp.ResetBody()
			return nil
		}
	}
	resp.SetStatusCode(p.Status)
	if enc != "" {
		h.Set(fiber.HeaderContentEncoding, enc)
	}
	resp.SetBodyRaw(body)
	return nil
}

// redisGet returns the page stored in Redis, or nil on a miss, an error or an open breaker.
func (c *Cache) redisGet(ctx context.Context, key string) *Page {
	if !c.redisUsable() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.RedisTimeout)
	defer cancel()
	s, err := c.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		c.brk.success()
		return nil
	}
	if err != nil {
		c.redisFailed("get", err)
		return nil
	}
	c.brk.success()
	p, err := decodePage(s)
	if err != nil {
		// Another binary's format, or damage: render again, and the set below replaces it.
		c.log.Warn("pagecache: unreadable page in Redis", "key", key, "err", err)
		return nil
	}
	return p
}

func (c *Cache) redisSet(ctx context.Context, key string, p *Page) {
	if !c.redisUsable() {
		return
	}
	ttl := c.opts.TTL
	if p.TTL > 0 && p.TTL < ttl {
		ttl = p.TTL
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.RedisTimeout)
	defer cancel()
	if err := c.rdb.Set(ctx, key, p.encode(), ttl).Err(); err != nil {
		c.redisFailed("set", err)
		return
	}
	c.brk.success()
}

// redisUsable reports whether to call Redis now: there is a client and the breaker is closed
// (or this caller is the one probe let through after the cool-down).
func (c *Cache) redisUsable() bool {
	if c.rdb == nil {
		return false
	}
	if !c.brk.allow(c.now()) {
		c.redisSkipped.Add(1)
		return false
	}
	return true
}

func (c *Cache) redisFailed(op string, err error) {
	c.redisErrors.Add(1)
	if c.brk.failure(c.now()) {
		c.log.Warn("pagecache: Redis failed, serving without it for a while",
			"op", op, "cooldown", c.opts.BreakerCooldown, "err", err)
	}
}

// breaker is a circuit breaker on Redis: after a failure, calls are skipped until the
// cool-down ends; then exactly one call probes, and its outcome closes or reopens it.
type breaker struct {
	cooldown  int64
	openUntil atomic.Int64 // unix nanoseconds; 0 when closed
}

func (b *breaker) allow(now int64) bool {
	u := b.openUntil.Load()
	if u == 0 {
		return true
	}
	if now < u {
		return false
	}
	// Cool-down over: the caller that wins the swap probes; the others keep skipping.
	return b.openUntil.CompareAndSwap(u, now+b.cooldown)
}

func (b *breaker) success() {
	if b.openUntil.Load() != 0 {
		b.openUntil.Store(0)
	}
}

// failure opens the breaker; it reports whether it was closed (for logging once per outage).
func (b *breaker) failure(now int64) (opened bool) {
	return b.openUntil.Swap(now+b.cooldown) == 0
}

func (b *breaker) open() bool { return b.openUntil.Load() != 0 }

// Stats are the cache's counters since New, and its current state.
type Stats struct {
	LocalHits      uint64 // pages served from the in-process level
	RedisHits      uint64 // pages read from Redis
	Renders        uint64 // pages rendered
	RedisErrors    uint64 // failed Redis calls
	RedisSkipped   uint64 // Redis calls skipped while the breaker was open
	Shared         uint64 // requests that waited for another request's fetch or render
	LocalEvictions uint64 // pages evicted from the in-process level by its bound
	VersionHits    uint64 // Versions answered from memory
	VersionLoads   uint64 // Versions loaded through the caller's function
	Invalidations  uint64 // tenants invalidated (locally or by another replica's message)
	Subscriptions  uint64 // successful (re)subscriptions to the pub/sub channel
	LocalEntries   int    // pages in the in-process level now
	LocalBytes     int64  // their bytes
	Filling        int64  // requests waiting now for a page from Redis or a render
	BreakerOpen    bool   // Redis is being skipped now
}

// Stats returns a snapshot of the counters.
func (c *Cache) Stats() Stats {
	s := Stats{
		LocalHits: c.localHits.Load(), RedisHits: c.redisHits.Load(), Renders: c.renders.Load(),
		RedisErrors: c.redisErrors.Load(), RedisSkipped: c.redisSkipped.Load(),
		Shared: c.shared.Load(), LocalEvictions: c.evictions.Load(),
		VersionHits: c.versionHits.Load(), VersionLoads: c.versionLoads.Load(),
		Invalidations: c.invalidations.Load(), Subscriptions: c.subscriptions.Load(),
		Filling: c.filling.Load(), BreakerOpen: c.brk.open(),
	}
	if c.local != nil {
		s.LocalEntries, s.LocalBytes = c.local.usage()
	}
	return s
}

// collector exposes Stats as carta_pagecache_* metrics, read at scrape time so the hot path
// only increments atomics.
type collector struct{ c *Cache }

var (
	descCounters = map[string]*prometheus.Desc{}
	descOnce     sync.Once
)

type metricDef struct {
	name, help string
	counter    bool
	value      func(Stats) float64
}

var metricDefs = []metricDef{
	{"local_hits_total", "Pages served from the in-process level.", true, func(s Stats) float64 { return float64(s.LocalHits) }},
	{"redis_hits_total", "Pages read from Redis.", true, func(s Stats) float64 { return float64(s.RedisHits) }},
	{"renders_total", "Pages rendered.", true, func(s Stats) float64 { return float64(s.Renders) }},
	{"redis_errors_total", "Failed Redis calls of the page cache.", true, func(s Stats) float64 { return float64(s.RedisErrors) }},
	{"redis_skipped_total", "Redis calls skipped while the circuit breaker was open.", true, func(s Stats) float64 { return float64(s.RedisSkipped) }},
	{"shared_total", "Requests that waited for another request's fetch or render of the same page.", true, func(s Stats) float64 { return float64(s.Shared) }},
	{"local_evictions_total", "Pages evicted from the in-process level by its size bound.", true, func(s Stats) float64 { return float64(s.LocalEvictions) }},
	{"version_hits_total", "Published versions answered from memory.", true, func(s Stats) float64 { return float64(s.VersionHits) }},
	{"version_loads_total", "Published versions loaded from the database.", true, func(s Stats) float64 { return float64(s.VersionLoads) }},
	{"invalidations_total", "Tenants whose pages were invalidated by a publication.", true, func(s Stats) float64 { return float64(s.Invalidations) }},
	{"local_entries", "Pages in the in-process level.", false, func(s Stats) float64 { return float64(s.LocalEntries) }},
	{"local_bytes", "Bytes of the pages in the in-process level.", false, func(s Stats) float64 { return float64(s.LocalBytes) }},
	{"redis_circuit_open", "1 while Redis is being skipped after a failure.", false, func(s Stats) float64 {
		if s.BreakerOpen {
			return 1
		}
		return 0
	}},
}

func descs() map[string]*prometheus.Desc {
	descOnce.Do(func() {
		for _, d := range metricDefs {
			descCounters[d.name] = prometheus.NewDesc("carta_pagecache_"+d.name, d.help, nil, nil)
		}
	})
	return descCounters
}

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range descs() {
		ch <- d
	}
}

func (m collector) Collect(ch chan<- prometheus.Metric) {
	s, ds := m.c.Stats(), descs()
	for _, d := range metricDefs {
		t := prometheus.GaugeValue
		if d.counter {
			t = prometheus.CounterValue
		}
		ch <- prometheus.MustNewConstMetric(ds[d.name], t, d.value(s))
	}
}
