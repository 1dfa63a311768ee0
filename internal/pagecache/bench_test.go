package pagecache

import (
	"bytes"
	"context"
	"html/template"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/valyala/fasthttp"

	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// Serving a 40 KB service page through fiber, with a fasthttp client in 8 goroutines per core
// (keep-alive connections), over fasthttp's in-memory listener (mem) and loopback TCP (tcp),
// from each level:
//
//	go test -run '^$' -bench BenchmarkServe -benchtime 3s ./internal/pagecache
//
// local, local-gzip: the in-process level; redis: the in-process level disabled, so every
// request reads Redis; render: no cache at all, every request opens a tenant transaction
// (one query), executes a template and compresses the result; render-nodb: the same without
// the transaction. The figures go in the closing note of issue 3 (docs/BENCHMARKS.md).

var benchTmpl = template.Must(template.New("p").Parse(`<!doctype html><html lang="it"><head>
<title>{{.Title}}</title></head><body><main><h1>{{.Title}}</h1><ul class="list">
{{range .Items}}<li class="card" data-element="service-link"><a href="/servizi/{{.Slug}}">{{.Name}}</a>
<p>{{.Text}}</p><span class="badge">{{.Category}}</span></li>
{{end}}</ul></main></body></html>`))

type benchItem struct{ Slug, Name, Text, Category string }

// benchItems vary like real descriptions, so gzip shrinks the page about as much as a real
// one (5–6×), not 30× as it would a repeated sentence.
var benchItems = func() []benchItem {
	words := strings.Fields(`assistenza domiciliare anziani persone disabilità igiene pasti compagnia
		accompagnamento visite mediche contributo economico famiglie minori affido centro diurno
		trasporto sociale scuola mensa retta esenzione ISEE domanda ufficio servizi sociali comune
		ambito distretto residenti requisiti documenti certificato modulo scadenza graduatoria
		sportello appuntamento telefono orari segretariato sociale tutela inclusione povertà casa
		affitto emergenza abitativa lavoro tirocinio integrazione stranieri mediazione culturale`)
	rnd := rand.New(rand.NewPCG(4, 2))
	sentence := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = words[rnd.IntN(len(words))]
		}
		return strings.Join(w, " ")
	}
	items := make([]benchItem, 0, 128)
	for i := 0; ; i++ {
		items = append(items, benchItem{
			Slug: "servizio-" + strconv.Itoa(i) + "-" + words[rnd.IntN(len(words))], Name: sentence(4),
			Text: sentence(18), Category: sentence(3),
		})
		var b bytes.Buffer
		_ = benchTmpl.Execute(&b, map[string]any{"Title": "Servizi", "Items": items})
		if b.Len() >= 40<<10 {
			return items
		}
	}
}()

func renderTemplate(title string) (*Page, error) {
	var b bytes.Buffer
	b.Grow(44 << 10)
	if err := benchTmpl.Execute(&b, map[string]any{"Title": title, "Items": benchItems}); err != nil {
		return nil, err
	}
	return &Page{Body: b.Bytes()}, nil
}

func BenchmarkServe(b *testing.B) {
	env := testenv.Get(b)
	tn := env.NewTenant(b, tenant.KindComune)

	// Each client asks for a page of its own (all stored before timing starts), so concurrent
	// clients never share one Redis read through the flight.
	cached := func(c *Cache) fiber.Handler {
		return func(fc *fiber.Ctx) error {
			key := Key{Tenant: tn.ID, Own: 1, Path: fc.Path()}
			return c.Serve(fc, key, func(context.Context) (*Page, error) { return renderTemplate("Servizi") })
		}
	}
	// Every request is a miss: a path of its own, and no level to keep it in.
	var seq atomic.Int64
	rendered := func(c *Cache, withDB bool) fiber.Handler {
		return func(fc *fiber.Ctx) error {
			path := "/servizi/" + strconv.FormatInt(seq.Add(1), 10)
			return c.Serve(fc, Key{Tenant: tn.ID, Own: 1, Path: path}, func(ctx context.Context) (*Page, error) {
				if withDB {
					err := env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
						// The read a render begins with: the tenant's published version.
						_, err := tx.CartaStateGet(ctx, tn.ID)
						if tenant.IsNoRows(err) {
							return nil
						}
						return err
					})
					if err != nil {
						return nil, err
					}
				}
				return renderTemplate("Servizi")
			})
		}
	}

	rdb := testRedis(b)
	cases := []struct {
		name    string
		handler fiber.Handler
		gzip    bool
	}{
		{"local", cached(New(nil, Options{})), false},
		{"local-gzip", cached(New(nil, Options{})), true},
		{"redis", cached(New(rdb, Options{MaxBytes: -1, Channel: "bench:" + uuid.NewString()})), false},
		{"redis-gzip", cached(New(rdb, Options{MaxBytes: -1, Channel: "bench:" + uuid.NewString()})), true},
		{"render", rendered(New(nil, Options{MaxBytes: -1}), true), false},
		{"render-nodb", rendered(New(nil, Options{MaxBytes: -1}), false), false},
	}
	for _, transport := range []string{"mem", "tcp"} {
		for _, tc := range cases {
			b.Run(transport+"/"+tc.name, func(b *testing.B) {
				benchHTTP(b, transport, tc.handler, tc.gzip)
			})
		}
	}
}

// benchHTTP drives handler through a real HTTP server and client: over fasthttp's in-memory
// listener (mem: no kernel in the way) or loopback TCP (tcp: what wrk sees).
func benchHTTP(b *testing.B, transport string, handler fiber.Handler, gzip bool) {
	var srv *server
	if transport == "tcp" {
		srv = newLoopbackServer(b, handler)
	} else {
		srv = newServer(b, handler)
	}
	var size atomic.Int64
	do := func(req *fasthttp.Request, resp *fasthttp.Response) {
		if err := srv.client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
			b.Errorf("request: %v, status %d", err, resp.StatusCode())
		}
	}
	var clients atomic.Int64
	warm := func() (*fasthttp.Request, *fasthttp.Response) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI("http://carta.test/servizi/c" + strconv.FormatInt(clients.Add(1), 10))
		if gzip {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		return req, resp
	}
	// 8 clients per core, as a load generator keeps many connections busy: the Redis
	// level is bound by round trips, not by CPU, with only one request in flight per core.
	const parallelism = 8
	for range parallelism * runtime.GOMAXPROCS(0) {
		req, resp := warm()
		do(req, resp) // fills the levels
		size.Store(int64(len(resp.Body())))
	}
	clients.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	b.SetParallelism(parallelism)
	b.RunParallel(func(pb *testing.PB) {
		req, resp := warm()
		for pb.Next() {
			do(req, resp)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(size.Load()), "body-bytes")
}

// The cache alone, without HTTP: a local hit against a Redis read (the in-process level
// disabled), each with the response written into a fasthttp context.
//
//	go test -run '^$' -bench BenchmarkServeHandler ./internal/pagecache
func BenchmarkServeHandler(b *testing.B) {
	rdb := testRedis(b)
	key := Key{Tenant: uuid.New(), Own: 1, Path: "/servizi"}
	render := func(context.Context) (*Page, error) { return renderTemplate("Servizi") }
	for _, tc := range []struct {
		name string
		c    *Cache
	}{
		{"local", New(nil, Options{})},
		{"redis", New(rdb, Options{MaxBytes: -1, Channel: "bench:" + uuid.NewString()})},
		{"render", New(nil, Options{MaxBytes: -1})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			app := fiber.New()
			var fctx fasthttp.RequestCtx
			fctx.Request.Header.SetMethod(fiber.MethodGet)
			fctx.Request.SetRequestURI("/servizi")
			fctx.Request.Header.Set(fiber.HeaderAcceptEncoding, "gzip")
			serve := func() {
				fc := app.AcquireCtx(&fctx)
				if err := tc.c.Serve(fc, key, render); err != nil {
					b.Fatal(err)
				}
				app.ReleaseCtx(fc)
				fctx.Response.Reset()
			}
			serve()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve()
			}
		})
	}
}
