package pagecache

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
)

// pageHandler serves every path of one tenant at fixed versions, counting renders.
func pageHandler(c *Cache, tenant uuid.UUID, size int, renders *atomic.Int64) fiber.Handler {
	return func(fc *fiber.Ctx) error {
		key := Key{Tenant: tenant, Own: 3, Ambito: 1, Path: fc.Path()}
		return c.Serve(fc, key, func(context.Context) (*Page, error) {
			if renders != nil {
				renders.Add(1)
			}
			return htmlPage(key, size), nil
		})
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	tenant := uuid.New()
	var rendersA, rendersB atomic.Int64
	a := newCache(t, rdb, Options{}, nil)
	b := newCache(t, rdb, Options{}, nil) // another replica
	srvA := newServer(t, pageHandler(a, tenant, 40<<10, &rendersA))
	srvB := newServer(t, pageHandler(b, tenant, 40<<10, &rendersB))

	first := srvA.get(t, "/servizi/assistenza")
	require.Equal(t, 200, first.status)
	require.Contains(t, string(first.body), "Pagina /servizi/assistenza v3.1")
	require.Equal(t, "text/html; charset=utf-8", first.header["Content-Type"])
	require.Equal(t, "public, no-cache", first.header["Cache-Control"])
	require.Equal(t, "Accept-Encoding", first.header["Vary"])
	require.NotEmpty(t, first.header["Etag"])
	require.EqualValues(t, 1, rendersA.Load())
	s := a.Stats()
	require.EqualValues(t, 1, s.Renders)
	require.EqualValues(t, 0, s.LocalHits+s.RedisHits)

	// The versioned key is in Redis, with the tenant between braces.
	key := Key{Tenant: tenant, Own: 3, Ambito: 1, Path: "/servizi/assistenza"}.String()
	require.Equal(t, "page:{"+tenant.String()+"}:v3.1:/servizi/assistenza", key)
	ttl, err := rdb.TTL(context.Background(), key).Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 23*time.Hour)

	again := srvA.get(t, "/servizi/assistenza")
	require.Equal(t, first.body, again.body)
	require.Equal(t, first.header["Etag"], again.header["Etag"])
	require.EqualValues(t, 1, a.Stats().LocalHits)
	require.EqualValues(t, 1, rendersA.Load())

	// Replica B has nothing in memory: it reads Redis, then its own memory.
	fromRedis := srvB.get(t, "/servizi/assistenza")
	require.Equal(t, first.body, fromRedis.body)
	require.Equal(t, first.header["Etag"], fromRedis.header["Etag"])
	require.EqualValues(t, 0, rendersB.Load())
	require.EqualValues(t, 1, b.Stats().RedisHits)
	srvB.get(t, "/servizi/assistenza")
	require.EqualValues(t, 1, b.Stats().LocalHits)
	require.EqualValues(t, 1, b.Stats().RedisHits)
	require.EqualValues(t, 0, b.Stats().Renders)
}

func TestEncodings(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	tenant := uuid.New()
	c := newCache(t, rdb, Options{Brotli: true}, nil)
	srv := newServer(t, pageHandler(c, tenant, 40<<10, nil))

	identity := srv.get(t, "/p")
	require.Empty(t, identity.header["Content-Encoding"])
	require.Greater(t, len(identity.body), 40<<10)

	for _, ae := range []string{"gzip", "gzip, deflate", "deflate, gzip;q=0.8", "GZIP", "x-gzip", "br;q=0, *"} {
		gz := srv.get(t, "/p", "Accept-Encoding", ae)
		require.Equal(t, "gzip", gz.header["Content-Encoding"], ae)
		require.Less(t, len(gz.body), len(identity.body)/3, ae)
		require.Equal(t, identity.body, gunzip(t, gz.body), ae)
		require.Equal(t, "Accept-Encoding", gz.header["Vary"])
		require.NotEqual(t, identity.header["Etag"], gz.header["Etag"], "each coding has its own validator")
	}
	for _, ae := range []string{"", "identity", "gzip;q=0", "gzip;q=0.000, deflate", "*;q=0", "deflate"} {
		r := srv.get(t, "/p", "Accept-Encoding", ae)
		require.Empty(t, r.header["Content-Encoding"], ae)
		require.Equal(t, identity.body, r.body, ae)
	}
	require.Equal(t, "br", srv.get(t, "/p", "Accept-Encoding", "*").header["Content-Encoding"])
	br := srv.get(t, "/p", "Accept-Encoding", "gzip, deflate, br")
	require.Equal(t, "br", br.header["Content-Encoding"])
	plain, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br.body)))
	require.NoError(t, err)
	require.Equal(t, identity.body, plain)
	require.EqualValues(t, 1, c.Stats().Renders, "compressed once, at render time")

	// The compressed variants also come back from Redis.
	other := newCache(t, rdb, Options{}, nil)
	srv2 := newServer(t, pageHandler(other, tenant, 40<<10, nil))
	gz := srv2.get(t, "/p", "Accept-Encoding", "gzip")
	require.Equal(t, "gzip", gz.header["Content-Encoding"])
	require.Equal(t, identity.body, gunzip(t, gz.body))
	require.EqualValues(t, 1, other.Stats().RedisHits)
	require.EqualValues(t, 0, other.Stats().Renders)

	// A tiny page is not compressed.
	tiny := newServer(t, pageHandler(c, tenant, 100, nil))
	r := tiny.get(t, "/tiny", "Accept-Encoding", "gzip")
	require.Empty(t, r.header["Content-Encoding"])
	require.Contains(t, string(r.body), "Pagina /tiny")
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

func TestETagAnd304(t *testing.T) {
	t.Parallel()
	c := newCache(t, testRedis(t), Options{}, nil)
	srv := newServer(t, pageHandler(c, uuid.New(), 40<<10, nil))

	first := srv.get(t, "/servizi")
	etag := first.header["Etag"]
	require.Regexp(t, `^"[A-Za-z0-9_-]{22}"$`, etag, "a strong validator")

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		r := srv.get(t, "/servizi", "If-None-Match", inm)
		require.Equal(t, 304, r.status, inm)
		require.Empty(t, r.body, inm)
		require.Equal(t, etag, r.header["Etag"], inm)
	}
	gz := srv.get(t, "/servizi", "Accept-Encoding", "gzip")
	r := srv.get(t, "/servizi", "Accept-Encoding", "gzip", "If-None-Match", gz.header["Etag"])
	require.Equal(t, 304, r.status)
	require.Empty(t, r.body)

	r = srv.get(t, "/servizi", "If-None-Match", `"stale"`)
	require.Equal(t, 200, r.status)
	require.Equal(t, first.body, r.body)

	// A different page (another version's content) has another validator.
	other := srv.get(t, "/altro")
	require.NotEqual(t, etag, other.header["Etag"])
	require.EqualValues(t, 2, c.Stats().Renders)
}

func TestSingleflight(t *testing.T) {
	t.Parallel()
	// No local level: only the flight can keep 100 concurrent misses from rendering 100 times.
	c := newCache(t, testRedis(t), Options{MaxBytes: -1}, nil)
	tenant := uuid.New()
	release := make(chan struct{})
	var renders atomic.Int64
	srv := newServer(t, func(fc *fiber.Ctx) error {
		key := Key{Tenant: tenant, Own: 1, Path: "/lento"}
		return c.Serve(fc, key, func(context.Context) (*Page, error) {
			renders.Add(1)
			<-release
			return htmlPage(key, 40<<10), nil
		})
	})

	const n = 100
	var wg sync.WaitGroup
	bodies := make([][]byte, n)
	statuses := make([]int, n)
	for i := range n {
		wg.Go(func() {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://carta.test/lento")
			if err := srv.client.Do(req, resp); err == nil {
				statuses[i], bodies[i] = resp.StatusCode(), append([]byte(nil), resp.Body()...)
			}
		})
	}
	// Every request is waiting for the page before the one render may finish.
	require.Eventually(t, func() bool { return c.Stats().Filling == n }, 20*time.Second, 5*time.Millisecond)
	close(release)
	wg.Wait()

	require.EqualValues(t, 1, renders.Load())
	for i := range n {
		require.Equal(t, 200, statuses[i], i)
		require.Equal(t, bodies[0], bodies[i], i)
	}
	require.Contains(t, string(bodies[0]), "Pagina /lento")
	s := c.Stats()
	require.EqualValues(t, 1, s.Renders)
	require.EqualValues(t, n-1, s.Shared)
}

func TestPublishedChangesTheKey(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	db := newFakeDB()
	comune := db.tenant(uuid.Nil)
	other := db.tenant(uuid.Nil)
	c := newCache(t, rdb, Options{VersionsTTL: time.Hour}, nil)
	srv := newServer(t, siteHandler(c, db, 8<<10))
	get := func(id uuid.UUID, path string) string {
		r := srv.get(t, path, "X-Tenant", id.String())
		require.Equal(t, 200, r.status)
		return string(r.body)
	}

	require.Contains(t, get(comune, "/servizi"), "v1.0")
	require.Contains(t, get(other, "/servizi"), "v1.0")
	require.EqualValues(t, 2, db.loads.Load())
	require.Contains(t, get(comune, "/servizi"), "v1.0")
	require.EqualValues(t, 2, db.loads.Load(), "versions come from memory, not the database")
	require.EqualValues(t, 2, c.Stats().Renders)

	// The publication commits; until it is announced this replica trusts what it knows.
	db.publish(comune)
	require.Contains(t, get(comune, "/servizi"), "v1.0")
	c.Published(context.Background(), comune)
	body := get(comune, "/servizi")
	require.Contains(t, body, "v2.0")
	require.NotContains(t, body, "v1.0")
	require.EqualValues(t, 3, c.Stats().Renders)
	require.EqualValues(t, 3, db.loads.Load())
	require.Contains(t, get(comune, "/servizi"), "v2.0")
	require.EqualValues(t, 3, c.Stats().Renders)

	// The old version's memory is freed; the other tenant's page is untouched.
	require.Equal(t, 2, c.Stats().LocalEntries)
	require.Contains(t, get(other, "/servizi"), "v1.0")
	require.EqualValues(t, 3, c.Stats().Renders)

	// The old page is still in Redis under its own key until its TTL, never under the new one.
	old, err := rdb.Get(context.Background(), Key{Tenant: comune, Own: 1, Path: "/servizi"}.String()).Result()
	require.NoError(t, err)
	require.Contains(t, old, "v1.0")
	cur, err := rdb.Get(context.Background(), Key{Tenant: comune, Own: 2, Path: "/servizi"}.String()).Result()
	require.NoError(t, err)
	require.Contains(t, cur, "v2.0")
}

func TestAmbitoPublicationReachesMembers(t *testing.T) {
	t.Parallel()
	db := newFakeDB()
	ambito := db.tenant(uuid.Nil)
	member := db.tenant(ambito)
	outsider := db.tenant(uuid.Nil)
	c := newCache(t, testRedis(t), Options{VersionsTTL: time.Hour}, nil)
	srv := newServer(t, siteHandler(c, db, 4<<10))
	get := func(id uuid.UUID) string {
		return string(srv.get(t, "/", "X-Tenant", id.String()).body)
	}
	require.Contains(t, get(member), "v1.1")
	require.Contains(t, get(outsider), "v1.0")

	db.publish(ambito)
	// The caller forgot the member: the remembered membership still reaches it.
	c.Published(context.Background(), ambito)
	require.Contains(t, get(member), "v1.2")
	require.Contains(t, get(outsider), "v1.0")
	require.EqualValues(t, 3, db.loads.Load(), "only the member reloaded")
}

func TestPublishedReachesOtherReplicas(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	db := newFakeDB()
	comune := db.tenant(uuid.Nil)
	opts := Options{VersionsTTL: time.Hour, Channel: "carta:pages:test:" + uuid.NewString()}
	a := newCache(t, rdb, opts, nil)
	b := newCache(t, rdb, opts, nil)
	ctx := context.Background()
	require.NoError(t, a.Start(ctx))
	require.NoError(t, b.Start(ctx))
	<-a.Ready()
	<-b.Ready()

	own, _, err := b.Versions(ctx, comune, uuid.Nil, db.load(comune))
	require.NoError(t, err)
	require.Equal(t, 1, own)
	db.publish(comune)
	own, _, err = b.Versions(ctx, comune, uuid.Nil, db.load(comune))
	require.NoError(t, err)
	require.Equal(t, 1, own, "remembered until announced")
	require.EqualValues(t, 1, db.loads.Load())

	a.Published(ctx, comune)
	require.Eventually(t, func() bool {
		own, _, err := b.Versions(ctx, comune, uuid.Nil, db.load(comune))
		return err == nil && own == 2
	}, 10*time.Second, 5*time.Millisecond)
	require.EqualValues(t, 2, db.loads.Load())
	require.EqualValues(t, 1, b.Stats().Invalidations)

	// A ignores its own announcement: once B's later one has reached A, A has counted only its
	// own local invalidation and B's.
	b.Published(ctx, uuid.New())
	require.Eventually(t, func() bool { return a.Stats().Invalidations >= 2 }, 10*time.Second, 5*time.Millisecond)
	require.EqualValues(t, 2, a.Stats().Invalidations)
}

func TestLocalBoundEvicts(t *testing.T) {
	t.Parallel()
	const maxBytes = 256 << 10
	c := newCache(t, testRedis(t), Options{MaxBytes: maxBytes}, nil)
	tenant := uuid.New()
	srv := newServer(t, func(fc *fiber.Ctx) error {
		return c.Serve(fc, Key{Tenant: tenant, Own: 1, Path: fc.Path()}, func(context.Context) (*Page, error) {
			return randomPage(40 << 10), nil
		})
	})
	for i := range 10 {
		require.Equal(t, 200, srv.get(t, fmt.Sprintf("/doc/%d", i)).status)
		require.LessOrEqual(t, c.Stats().LocalBytes, int64(maxBytes))
	}
	s := c.Stats()
	require.EqualValues(t, 10, s.Renders)
	require.Greater(t, s.LocalEvictions, uint64(0))
	require.Less(t, s.LocalEntries, 10)
	require.Greater(t, s.LocalEntries, 3)

	// The least recently used page left memory: it comes back from Redis, not from a render.
	srv.get(t, "/doc/0")
	s = c.Stats()
	require.EqualValues(t, 1, s.RedisHits)
	require.EqualValues(t, 10, s.Renders)
	// The most recent one is still in memory.
	srv.get(t, "/doc/9")
	require.EqualValues(t, 1, c.Stats().LocalHits)
}

func TestLocalTTL(t *testing.T) {
	t.Parallel()
	clk := newClock()
	c := newCache(t, testRedis(t), Options{LocalTTL: time.Minute}, clk)
	srv := newServer(t, pageHandler(c, uuid.New(), 2<<10, nil))
	srv.get(t, "/x")
	srv.get(t, "/x")
	require.EqualValues(t, 1, c.Stats().LocalHits)
	clk.advance(61 * time.Second)
	srv.get(t, "/x")
	s := c.Stats()
	require.EqualValues(t, 1, s.LocalHits)
	require.EqualValues(t, 1, s.RedisHits)
	require.EqualValues(t, 1, s.Renders)
}

func TestOnlyOKPagesAreStored(t *testing.T) {
	t.Parallel()
	c := newCache(t, testRedis(t), Options{}, nil)
	var renders atomic.Int64
	fail := errors.New("database down")
	srv := newServer(t, func(fc *fiber.Ctx) error {
		key := Key{Tenant: uuid.Nil, Own: 1, Path: fc.Path()}
		return c.Serve(fc, key, func(context.Context) (*Page, error) {
			renders.Add(1)
			switch key.Path {
			case "/missing":
				return &Page{Status: 404, Body: []byte("Pagina non trovata")}, nil
			case "/broken":
				return nil, fail
			}
			return &Page{Body: []byte("ok")}, nil
		})
	})
	for range 2 {
		r := srv.get(t, "/missing")
		require.Equal(t, 404, r.status)
		require.Equal(t, "Pagina non trovata", string(r.body))
		require.Equal(t, "no-cache", r.header["Cache-Control"])
	}
	for range 2 {
		require.Equal(t, 500, srv.get(t, "/broken").status)
	}
	require.EqualValues(t, 4, renders.Load())
	require.Equal(t, 0, c.Stats().LocalEntries)
}

func TestPageHeaders(t *testing.T) {
	t.Parallel()
	c := newCache(t, testRedis(t), Options{}, nil)
	srv := newServer(t, func(fc *fiber.Ctx) error {
		return c.Serve(fc, Key{Tenant: uuid.New(), Own: 4, Path: "/carta.pdf"}, func(context.Context) (*Page, error) {
			return &Page{ContentType: "application/pdf", Body: []byte("%PDF-1.7 …"),
				Header: map[string]string{"Content-Disposition": `inline; filename="carta-v4.pdf"`}}, nil
		})
	})
	r := srv.get(t, "/carta.pdf")
	require.Equal(t, "application/pdf", r.header["Content-Type"])
	require.Equal(t, `inline; filename="carta-v4.pdf"`, r.header["Content-Disposition"])
}

func TestUnreadableRedisValueIsRenderedAgain(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	tenant := uuid.New()
	key := Key{Tenant: tenant, Own: 3, Ambito: 1, Path: "/rotto"}
	require.NoError(t, rdb.Set(context.Background(), key.String(), "not a page", time.Minute).Err())
	c := newCache(t, rdb, Options{}, nil)
	srv := newServer(t, pageHandler(c, tenant, 2<<10, nil))
	r := srv.get(t, "/rotto")
	require.Contains(t, string(r.body), "Pagina /rotto")
	require.EqualValues(t, 1, c.Stats().Renders)
	require.EqualValues(t, 0, c.Stats().RedisErrors, "a bad value is not a Redis failure")
	v, err := rdb.Get(context.Background(), key.String()).Result()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(v, blobMagic), "replaced by the rendered page")
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := newCache(t, nil, Options{Registerer: reg}, nil)
	srv := newServer(t, pageHandler(c, uuid.New(), 2<<10, nil))
	srv.get(t, "/a")
	srv.get(t, "/a")
	mfs, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		if mf.GetType().String() == "COUNTER" {
			got[mf.GetName()] = m.GetCounter().GetValue()
		} else {
			got[mf.GetName()] = m.GetGauge().GetValue()
		}
	}
	require.Equal(t, 1.0, got["carta_pagecache_renders_total"])
	require.Equal(t, 1.0, got["carta_pagecache_local_hits_total"])
	require.Equal(t, 0.0, got["carta_pagecache_redis_hits_total"])
	require.Equal(t, 0.0, got["carta_pagecache_redis_errors_total"])
	require.Equal(t, 1.0, got["carta_pagecache_local_entries"])
	require.Contains(t, got, "carta_pagecache_redis_circuit_open")
}

// The hot path of a local hit allocates nothing: not the key, not a copy of the body.
func TestLocalHitAllocatesNothing(t *testing.T) {
	c := newCache(t, nil, Options{}, nil)
	app := fiber.New()
	key := Key{Tenant: uuid.New(), Own: 12, Ambito: 3, Path: "/servizi/assistenza-domiciliare"}
	render := func(context.Context) (*Page, error) { return htmlPage(key, 40<<10), nil }
	serve := func(gzip bool) *fasthttp.RequestCtx {
		var fctx fasthttp.RequestCtx
		fctx.Request.SetRequestURI("/servizi/assistenza-domiciliare")
		fctx.Request.Header.SetMethod(fiber.MethodGet) // as parsed by the server
		if gzip {
			fctx.Request.Header.Set("Accept-Encoding", "gzip, deflate, br")
		}
		return &fctx
	}
	fctx := serve(false)
	gctx := serve(true)
	do := func(fctx *fasthttp.RequestCtx) {
		fc := app.AcquireCtx(fctx)
		if err := c.Serve(fc, key, render); err != nil {
			t.Fatal(err)
		}
		app.ReleaseCtx(fc)
	}
	do(fctx)
	do(gctx)
	// A garbage collection empties the sync.Pools the response path borrows buffers from, and
	// the next call then allocates one: not the hit path's own allocation. On a loaded machine
	// other goroutines trigger collections during the runs (once seen in the full suite), so
	// collections are off while measuring.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	require.Zero(t, testing.AllocsPerRun(200, func() { do(fctx) }))
	require.Zero(t, testing.AllocsPerRun(200, func() { do(gctx) }))
	require.Equal(t, "gzip", string(gctx.Response.Header.Peek("Content-Encoding")))
	require.EqualValues(t, 1, c.Stats().Renders)
}
