package scale

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

// Profiles of the citizen site's hot paths on seeded Carte of 40 services (four comuni of an
// ambito), for `go test -cpuprofile`; the figures of issue 3 come from scripts/bench-carta.sh.
// BenchmarkSitePage calls the handlers without the network:
//
//	go test -run '^$' -bench 'SitePage/' -benchtime 3s -cpuprofile /tmp/cpu.out ./internal/scale/
//	go tool pprof -top -cum /tmp/cpu.out
//
// cached-identity, cached-gzip: the whole application (every middleware) answering from the
// in-process level of the page cache; healthz: the same application's cheapest route, the
// floor of its middleware; render: the citizen site with no cache at all, so every request
// reads the published versions and renders (the cost of a cache miss before compression);
// search: /cerca, rendered on every request.

func profileSeed(b testing.TB) (*testenv.Env, []*tenant.Tenant, [][]string) {
	env := testenv.Get(b)
	ctx := context.Background()
	// Slugs of their own, so that the tests' c00001… are left alone.
	var ts []*tenant.Tenant
	amb := env.NewTenant(b, tenant.KindAmbito)
	d := deps(env)
	if _, err := seedCarta(ctx, d, amb, ambitoEntity(9_001), 6, time.Now()); err != nil {
		b.Fatal(err)
	}
	for i := range 4 {
		tn := env.Join(b, env.NewTenant(b, tenant.KindComune), amb, i == 0)
		if _, err := seedCarta(ctx, d, tn, comuneEntity(9_001+i), 40, time.Now()); err != nil {
			b.Fatal(err)
		}
		ts = append(ts, tn)
	}
	slugs := make([][]string, len(ts))
	for i, tn := range ts {
		if err := env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			c, err := catalog.LoadPublished(ctx, tx, tn.ID, 0)
			if err != nil {
				return err
			}
			for _, s := range c.Services {
				slugs[i] = append(slugs[i], s.Slug)
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	return env, ts, slugs
}

// quiet logs only warnings, like the benchmark script's server (LOG_LEVEL=warn).
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// request serves one GET through h into fctx and checks the status.
func request(b testing.TB, h fasthttp.RequestHandler, fctx *fasthttp.RequestCtx, host, uri, enc string) {
	// What fasthttp's server does between two requests of a connection.
	fctx.ResetUserValues()
	fctx.Request.Reset()
	fctx.Response.Reset()
	fctx.Request.Header.SetMethod(fiber.MethodGet)
	fctx.Request.SetRequestURI(uri)
	fctx.Request.Header.SetHost(host)
	if enc != "" {
		fctx.Request.Header.Set(fiber.HeaderAcceptEncoding, enc)
	}
	h(fctx)
	if sc := fctx.Response.StatusCode(); sc != fiber.StatusOK {
		b.Fatalf("%s%s: status %d", host, uri, sc)
	}
}

func BenchmarkSitePage(b *testing.B) {
	env, ts, slugs := profileSeed(b)
	ctx := context.Background()
	cfg := env.TestConfig(b, nil)
	a, err := app.New(ctx, cfg, quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	full := a.Handler().Handler()
	host := ts[0].Slug + "." + cfg.BaseDomain
	page := "/servizi/" + slugs[0][0]

	for _, tc := range []struct{ name, uri, enc string }{
		{"cached-identity", page, ""},
		{"cached-gzip", page, "gzip"},
		{"healthz", "/healthz", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var fctx fasthttp.RequestCtx
			request(b, full, &fctx, host, tc.uri, tc.enc)
			b.ReportAllocs()
			for b.Loop() {
				request(b, full, &fctx, host, tc.uri, tc.enc)
			}
		})
	}

	// The site alone, uncached: what a miss costs before the page is compressed and stored.
	render, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{site.Templates}, Dev: true, TenantURL: cfg.TenantURL, Log: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	f := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(render, quiet())})
	f.Use(tenant.NewResolver(env.Tenants, cfg.BaseDomain).Middleware())
	f.Use(web.LoadProfile(env.Tenants))
	site.Register(f, site.Deps{Render: render, Tenants: env.Tenants, DB: env.DB, Log: quiet(), Cfg: cfg})
	bare := f.Handler()
	b.Run("render", func(b *testing.B) {
		var fctx fasthttp.RequestCtx
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			k := i % len(ts)
			request(b, bare, &fctx, ts[k].Slug+"."+cfg.BaseDomain, "/servizi/"+slugs[k][i/len(ts)%len(slugs[k])], "")
			i++
		}
	})
	queries := []string{"asistenza domicilare", "perché", "asilo nido", "contributo affitto", "disabilità trasporto"}
	b.Run("search", func(b *testing.B) {
		var fctx fasthttp.RequestCtx
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			t := ts[i%len(ts)]
			i++
			request(b, full, &fctx, t.Slug+"."+cfg.BaseDomain, "/cerca?q="+url.QueryEscape(queries[i%len(queries)]), "")
		}
	})
}

// BenchmarkSitePageLoopback serves a cached service page on a loopback port of the test process
// and loads it with wrk (2 threads, 32 connections, 5 s), so that -cpuprofile shows where the
// time goes on the wire (fasthttp's writes, system calls) and not only in the handlers:
//
//	go test -run '^$' -bench SitePageLoopback -benchtime 1x -cpuprofile /tmp/cpu.out ./internal/scale/
//
// app is the whole application; site is the citizen site with the page cache behind only the
// middleware a page needs (security headers, tenant, profile), with fiber's default 4 KB write
// buffer; site-wbuf64k the same with a 64 KB write buffer, which sends a 40 KB page with its
// headers in one write instead of two.
func BenchmarkSitePageLoopback(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Fatal("wrk is needed: apt-get install wrk")
	}
	env, ts, slugs := profileSeed(b)
	ctx := context.Background()
	cfg := env.TestConfig(b, nil)
	a, err := app.New(ctx, cfg, quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	render, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{site.Templates}, Dev: true, TenantURL: cfg.TenantURL, Log: quiet()})
	if err != nil {
		b.Fatal(err)
	}
	siteOnly := func(writeBuffer int) *fiber.App {
		f := fiber.New(fiber.Config{WriteBufferSize: writeBuffer, ReadBufferSize: 16 << 10, DisableStartupMessage: true})
		f.Use(web.SecurityHeaders())
		f.Use(tenant.NewResolver(env.Tenants, cfg.BaseDomain).Middleware())
		f.Use(web.LoadProfile(env.Tenants))
		site.Register(f, site.Deps{Render: render, Tenants: env.Tenants, DB: env.DB, Log: quiet(), Cfg: cfg,
			Cache: pagecache.New(nil, pagecache.Options{Log: quiet()})})
		return f
	}
	host := "Host: " + ts[0].Slug + "." + cfg.BaseDomain
	rps := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	for _, srv := range []struct {
		name string
		f    *fiber.App
	}{{"app", a.Handler()}, {"site", siteOnly(0)}, {"site-wbuf64k", siteOnly(64 << 10)}} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = srv.f.Listener(ln) }()
		url := "http://" + ln.Addr().String() + "/servizi/" + slugs[0][0]
		for _, enc := range []string{"identity", "gzip"} {
			b.Run(srv.name+"-"+enc, func(b *testing.B) {
				args := []string{"-t2", "-c32", "-d5s", "-H", host, "-H", "Accept-Encoding: " + enc, url}
				for b.Loop() {
					out, err := exec.Command(wrk, args...).CombinedOutput()
					if err != nil {
						b.Fatalf("wrk: %v\n%s", err, out)
					}
					m := rps.FindSubmatch(out)
					if m == nil || bytes.Contains(out, []byte("Non-2xx")) {
						b.Fatalf("wrk: %s", out)
					}
					v, _ := strconv.ParseFloat(string(m[1]), 64)
					b.ReportMetric(v, "req/s")
				}
			})
		}
		_ = srv.f.Shutdown()
	}
}
