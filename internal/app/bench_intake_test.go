package app_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/mail/mailtest"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// BenchmarkIntakeSustained files complaints over HTTP as citizens' browsers do, for a fixed
// time, against the whole application (its job queue running, acknowledgements sent to an SMTP
// server in the test) on a real listener and a database of its own:
//
//   - get-baseline: the same clients GET the complaint service page of the same app
//     (/segnala-disservizio: tenant resolution, page frame, template), the run's baseline;
//   - comuni-10: the clients spread over 10 comuni;
//   - comuni-1: every client on one comune (its submissions serialise on its year's counter row);
//   - one-address: every citizen from the same address, for at most 5 s: complaints.SubmitLimit
//     are acknowledged, the rest refused with 429 and not stored (the limit is not bypassed).
//
// Each submission is a new citizen: no cookie, its own client address, a GET of the form (which
// sets the CSRF cookie and carries the token), then the form's final step (riepilogo, the
// multipart form with every field, as the summary page posts it) which files the complaint and
// answers 303 to the private page. Only that POST is timed. Anything else is a refusal, counted
// by status. After each run the database must hold exactly the acknowledged complaints, or the
// benchmark fails.
//
// The per-IP limit (complaints.SubmitLimit POSTs per client address, comune and hour) stays as
// it is: the server trusts the loopback address as its proxy (TRUSTED_PROXIES=127.0.0.1, as
// production trusts its ingress) and each citizen comes with its own X-Forwarded-For address
// from 198.18.0.0/15 (the benchmarking range), as they would through the ingress.
//
// CARTA_BENCH_INTAKE_SECONDS sets each run's length (3 when unset), CARTA_BENCH_INTAKE_CLIENTS
// the concurrent clients (16). The figures of docs/BENCHMARKS.md:
//
//	CARTA_BENCH_INTAKE_SECONDS=60 go test -run '^$' -bench IntakeSustained -benchtime 1x -timeout 30m ./internal/app/
func BenchmarkIntakeSustained(b *testing.B) {
	secs, clients := 3, 16
	if v := os.Getenv("CARTA_BENCH_INTAKE_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(b, err, "CARTA_BENCH_INTAKE_SECONDS")
		secs = n
	}
	if v := os.Getenv("CARTA_BENCH_INTAKE_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(b, err, "CARTA_BENCH_INTAKE_CLIENTS")
		clients = n
	}
	dur := time.Duration(secs) * time.Second

	env := testenv.Get(b).Isolated(b)
	smtp := mailtest.Start(b)
	s := smtp.SMTP()
	cfg := env.TestConfig(b, map[string]string{"SMTP_HOST": s.Host, "SMTP_PORT": strconv.Itoa(s.Port),
		"SMTP_TLS": "none", "SMTP_FROM": s.From, "TRUSTED_PROXIES": "127.0.0.1"})
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, quietLog())
	require.NoError(b, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }() // with the job queue, as in production
	b.Cleanup(func() { cancel(); <-done; a.Close() })
	addr := "http://" + ln.Addr().String()

	var ten []*tenant.Tenant
	for range 12 {
		ten = append(ten, env.NewTenant(b, tenant.KindComune))
	}
	l := &load{addr: addr, clients: clients, dur: dur}

	var baseline result
	b.Run("get-baseline", func(b *testing.B) {
		baseline = l.run(b, ten[:10], false)
		baseline.report(b, nil)
	})
	for _, run := range []struct {
		name    string
		tenants []*tenant.Tenant
	}{{"comuni-10", ten[:10]}, {"comuni-1", ten[10:11]}} {
		b.Run(run.name, func(b *testing.B) {
			ids := make([]uuid.UUID, len(run.tenants))
			var before int64
			for i, t := range run.tenants {
				ids[i] = t.ID
			}
			require.NoError(b, env.Admin.QueryRow(context.Background(),
				`SELECT count(*) FROM complaints WHERE tenant_id = ANY($1)`, ids).Scan(&before))
			r := l.run(b, run.tenants, true)
			var stored int64
			require.NoError(b, env.Admin.QueryRow(context.Background(),
				`SELECT count(*) FROM complaints WHERE tenant_id = ANY($1)`, ids).Scan(&stored))
			require.Equal(b, r.ok, stored-before, "complaints acknowledged but not in the database (or stored but not acknowledged)")
			r.report(b, &baseline)
		})
	}
	// The limit holds: every citizen from one address, the form's POSTs past the limit are
	// refused with 429 and nothing of theirs is stored (5 s at most).
	b.Run("one-address", func(b *testing.B) {
		one := &load{addr: addr, clients: clients, dur: min(dur, 5*time.Second), fixedIP: "198.18.255.254"}
		r := one.run(b, ten[11:], true)
		var stored int64
		require.NoError(b, env.Admin.QueryRow(context.Background(),
			`SELECT count(*) FROM complaints WHERE tenant_id = $1`, ten[11].ID).Scan(&stored))
		require.Equal(b, int64(complaints.SubmitLimit), r.ok, "acknowledged from one address")
		require.Equal(b, r.ok, stored)
		require.Positive(b, r.refused[http.StatusTooManyRequests])
		r.report(b, nil)
	})
}

type load struct {
	addr    string
	clients int
	dur     time.Duration
	ip      atomic.Uint32
	fixedIP string // every citizen's address, when set
}

type result struct {
	elapsed time.Duration
	ok      int64
	lat     []time.Duration // of the acknowledged ones, sorted
	refused map[int]int64   // by status; 0 for a transport error
}

func (r *result) rate() float64 { return float64(r.ok) / r.elapsed.Seconds() }

func (r *result) report(b *testing.B, baseline *result) {
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(r.rate(), "ok/s")
	b.ReportMetric(ms(pct(r.lat, 50)), "p50-ms")
	b.ReportMetric(ms(pct(r.lat, 99)), "p99-ms")
	b.ReportMetric(float64(r.ok), "ok")
	var refused int64
	var by []string
	for st, n := range r.refused {
		refused += n
		by = append(by, fmt.Sprintf("%d×%d", n, st))
	}
	sort.Strings(by)
	b.ReportMetric(float64(refused), "refused")
	if len(by) > 0 {
		b.Logf("refused by status (0: transport error): %s", strings.Join(by, ", "))
	}
	if baseline != nil && baseline.ok > 0 {
		b.ReportMetric(r.rate()/baseline.rate(), "x-get-rate")
		b.ReportMetric(ms(pct(r.lat, 99))/ms(pct(baseline.lat, 99)), "x-get-p99")
	}
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, (len(sorted)*p+99)/100-1)]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// run drives l.clients clients for l.dur, client i on tenants[i%len(tenants)]: submissions when
// submit, else GETs of the complaint service page.
func (l *load) run(b *testing.B, tenants []*tenant.Tenant, submit bool) result {
	var mu sync.Mutex
	out := result{refused: map[int]int64{}}
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(l.dur)
	for i := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One keep-alive connection per client, as a browser (or the ingress) keeps.
			tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr, Timeout: 30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			host := tenants[i%len(tenants)].Slug + ".carta.test"
			var lat []time.Duration
			refused := map[int]int64{}
			for time.Now().Before(deadline) {
				var d time.Duration
				var status int
				var err error
				if submit {
					d, status, err = l.citizen(hc, host)
				} else {
					d, status, err = l.get(hc, host)
				}
				switch {
				case err != nil:
					refused[0]++
					b.Log(err)
				case (submit && status == http.StatusSeeOther) || (!submit && status == http.StatusOK):
					lat = append(lat, d)
				default:
					refused[status]++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			out.lat = append(out.lat, lat...)
			for k, v := range refused {
				out.refused[k] += v
			}
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	out.ok = int64(len(out.lat))
	slices.Sort(out.lat)
	return out
}

// nextIP is a new citizen's address in 198.18.0.0/15.
func (l *load) nextIP() string {
	if l.fixedIP != "" {
		return l.fixedIP
	}
	n := l.ip.Add(1) % (1 << 17)
	return fmt.Sprintf("198.%d.%d.%d", 18+n>>16, (n>>8)&0xff, n&0xff)
}

func (l *load) get(hc *http.Client, host string) (time.Duration, int, error) {
	req, _ := http.NewRequest("GET", l.addr+"/segnala-disservizio", nil)
	req.Host = host
	req.Header.Set("X-Forwarded-For", l.nextIP())
	t0 := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(t0), resp.StatusCode, nil
}

var (
	csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	followLoc = regexp.MustCompile(`^/reclami/segui/[A-Za-z0-9_-]{43}\?nuovo=1$`)
)

// citizen is one new citizen filing one complaint; it returns the final POST's time and status.
func (l *load) citizen(hc *http.Client, host string) (time.Duration, int, error) {
	ip := l.nextIP()
	req, _ := http.NewRequest("GET", l.addr+"/segnala-disservizio/reclamo", nil)
	req.Host = host
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, resp.StatusCode, nil
	}
	// The browser keeps the cookies the form set (the CSRF cookie is __Host-: kept by hand, as
	// the test server speaks plain HTTP behind its "proxy").
	var cookies []string
	for _, c := range resp.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return 0, 0, fmt.Errorf("form without CSRF token")
	}

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, f := range [][2]string{
		{"_csrf", html.UnescapeString(string(m[1]))}, {"step", "riepilogo"}, {"consent", "1"},
		{"service", "altro"}, {"standard", ""},
		{"what_happened", "Ho atteso tre settimane il primo colloquio e nessuno mi ha richiamato."},
		{"request", "Un colloquio entro i tempi della Carta."},
		{"first_name", "Maria"}, {"last_name", "Rossi"}, {"fiscal_code", "RSSMRA85M41H501U"},
		{"email", "maria.rossi@example.it"}, {"phone", ""}, {"on_behalf_of", ""}, {"relation", ""},
		{"sito_web", ""},
	} {
		_ = w.WriteField(f[0], f[1])
	}
	_ = w.Close()
	req, _ = http.NewRequest("POST", l.addr+"/segnala-disservizio/reclamo", &body)
	req.Host = host
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("X-Forwarded-For", ip)
	req.Header.Set("Cookie", strings.Join(cookies, "; "))
	t0 := time.Now()
	resp, err = hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if resp.StatusCode == http.StatusSeeOther && !followLoc.MatchString(resp.Header.Get("Location")) {
		// A 303 elsewhere (the honeypot's) is no acknowledgement.
		return d, -resp.StatusCode, nil
	}
	return d, resp.StatusCode, nil
}
