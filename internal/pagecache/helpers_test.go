package pagecache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/cartasociale/carta/internal/testenv"
)

// testRedis returns a fail-fast client on the package's test Redis database.
func testRedis(t testing.TB) *redis.Client {
	t.Helper()
	env := testenv.Get(t)
	opts, err := RedisOptions(env.RedisURL)
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// newCache builds a cache on a channel of its own (pub/sub ignores database numbers, and other
// packages' tests share the server) with the given clock.
func newCache(t testing.TB, rdb *redis.Client, opts Options, clk *clock) *Cache {
	t.Helper()
	if opts.Channel == "" {
		opts.Channel = "carta:pages:test:" + t.Name()
	}
	if opts.RedisTimeout == 0 {
		// The production bound (200 ms) is about a dead Redis; on a loaded test machine a live
		// one can take longer, and a dropped write would fail a test about something else.
		// Tests of a stopped Redis get refused connections at once, whatever the bound.
		opts.RedisTimeout = 2 * time.Second
	}
	c := New(rdb, opts)
	if clk != nil {
		c.now = clk.now
	}
	c.sub.minBackoff, c.sub.maxBackoff = 10*time.Millisecond, 100*time.Millisecond
	t.Cleanup(c.Close)
	return c
}

// clock is a test clock moved by hand, so expiry and the breaker's cool-down are tested without
// sleeping.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() int64              { return c.t.Load() }
func (c *clock) advance(d time.Duration) { c.t.Add(int64(d)) }

// server serves a fiber app on an in-memory listener; client requests go through real HTTP
// parsing on both sides.
type server struct {
	app    *fiber.App
	client *fasthttp.HostClient
}

func newServer(t testing.TB, handler fiber.Handler) *server {
	t.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", handler)
	ln := fasthttputil.NewInmemoryListener()
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return &server{app: app, client: &fasthttp.HostClient{
		Addr: "carta.test", Dial: func(string) (net.Conn, error) { return ln.Dial() },
		MaxConns: 1024, ReadTimeout: 20 * time.Second, WriteTimeout: 20 * time.Second,
	}}
}

// newLoopbackServer serves on a real TCP listener on 127.0.0.1 (the kernel's loopback path, as
// a load generator such as wrk sees it).
func newLoopbackServer(t testing.TB, handler fiber.Handler) *server {
	t.Helper()
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/*", handler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return &server{app: app, client: &fasthttp.HostClient{
		Addr: ln.Addr().String(), MaxConns: 1024, ReadTimeout: 20 * time.Second, WriteTimeout: 20 * time.Second,
	}}
}

type response struct {
	status int
	header map[string]string
	body   []byte
}

// get requests path with headers given as name, value pairs.
func (s *server) get(t testing.TB, path string, headers ...string) response {
	t.Helper()
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://carta.test" + path)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	require.NoError(t, s.client.Do(req, resp))
	r := response{status: resp.StatusCode(), header: map[string]string{}, body: append([]byte(nil), resp.Body()...)}
	resp.Header.VisitAll(func(k, v []byte) { r.header[string(k)] = string(v) })
	return r
}

// fakeDB plays the database: tenants, their ambito and their published versions. Its maps are
// filled before serving and only read after, the versions are atomics.
type fakeDB struct {
	version map[uuid.UUID]*atomic.Int64
	ambito  map[uuid.UUID]uuid.UUID
	loads   atomic.Int64
}

func newFakeDB() *fakeDB {
	return &fakeDB{version: map[uuid.UUID]*atomic.Int64{}, ambito: map[uuid.UUID]uuid.UUID{}}
}

// tenant adds a tenant at version 1, in ambito amb (uuid.Nil: none).
func (d *fakeDB) tenant(amb uuid.UUID) uuid.UUID {
	id := uuid.New()
	d.version[id] = &atomic.Int64{}
	d.version[id].Store(1)
	d.ambito[id] = amb
	return id
}

func (d *fakeDB) publish(id uuid.UUID) { d.version[id].Add(1) }

func (d *fakeDB) load(id uuid.UUID) func(context.Context) (int, int, error) {
	return func(context.Context) (int, int, error) {
		d.loads.Add(1)
		own, amb := int(d.version[id].Load()), 0
		if a := d.ambito[id]; a != uuid.Nil {
			amb = int(d.version[a].Load())
		}
		return own, amb, nil
	}
}

// siteHandler is what a citizen-site handler does: versions, then Serve. The tenant comes from
// the X-Tenant header (the real site resolves it from the host).
func siteHandler(c *Cache, d *fakeDB, size int) fiber.Handler {
	return func(fc *fiber.Ctx) error {
		id, err := uuid.Parse(fc.Get("X-Tenant"))
		if err != nil {
			return fiber.ErrBadRequest
		}
		own, amb, err := c.Versions(fc.UserContext(), id, d.ambito[id], d.load(id))
		if err != nil {
			return err
		}
		key := Key{Tenant: id, Own: own, Ambito: amb, Path: fc.Path()}
		return c.Serve(fc, key, func(context.Context) (*Page, error) { return htmlPage(key, size), nil })
	}
}

// htmlPage renders a compressible page of about size bytes naming the key it was rendered for.
func htmlPage(key Key, size int) *Page {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=\"it\"><head><title>%s</title></head><body><h1>Pagina %s v%d.%d</h1>",
		key.Path, key.Path, key.Own, key.Ambito)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "<p class=\"card\">Servizio %d: assistenza domiciliare per anziani e persone con disabilità, %d.</p>\n", i, i*7)
	}
	b.WriteString("</body></html>")
	return &Page{Body: []byte(b.String())}
}

// randomPage is incompressible: gzip is not kept, so its size in the local level is its body.
func randomPage(size int) *Page {
	b := make([]byte, size)
	_, _ = rand.Read(b)
	return &Page{ContentType: "application/octet-stream", Body: b}
}

// counter counts the Redis commands a client sends, by name.
type counter struct{ get, set, other atomic.Int64 }

func (h *counter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		switch cmd.Name() {
		case "get":
			h.get.Add(1)
		case "set":
			h.set.Add(1)
		default:
			h.other.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (h *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *counter) calls() int64 { return h.get.Load() + h.set.Load() }

// redisServer is a redis-server of the test's own, so the test can stop and restart it.
type redisServer struct {
	t    testing.TB
	port int
	dir  string
	cmd  *exec.Cmd
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startRedisServer(t testing.TB) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	require.NoError(t, err, "redis-server is needed (Debian package redis-server)")
	_ = bin
	r := &redisServer{t: t, port: freePort(t), dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir, "--protected-mode", "no")
	log, err := os.Create(filepath.Join(r.dir, "redis-"+randHex()+".log"))
	require.NoError(r.t, err)
	r.cmd.Stdout, r.cmd.Stderr = log, log
	require.NoError(r.t, r.cmd.Start())
	c := redis.NewClient(&redis.Options{Addr: r.addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	require.Eventually(r.t, func() bool { return c.Ping(context.Background()).Err() == nil },
		10*time.Second, 20*time.Millisecond, "redis-server on %s did not start", r.addr())
}

func (r *redisServer) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

func randHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
