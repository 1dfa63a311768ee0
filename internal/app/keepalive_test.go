package app_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// serve runs a over a real listener, as in production, until the test ends.
func serve(t *testing.T, a *app.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return "http://" + ln.Addr().String()
}

// oneConnection is a client that sends every request on the same keep-alive connection, so
// that the server reuses its request buffers between tenants, as it does for a browser or a
// proxy that keeps connections open.
func oneConnection(t *testing.T) (*http.Client, *int) {
	dials := 0
	tr := &http.Transport{
		MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials++
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, &dials
}

// title is the page's <title>.
func title(body string) string {
	_, rest, _ := strings.Cut(body, "<title>")
	t, _, _ := strings.Cut(rest, "</title>")
	return t
}

func newNamedTenant(t *testing.T, env *testenv.Env, slug, name string) *tenant.Tenant {
	t.Helper()
	tn, err := env.Tenants.Create(context.Background(), tenant.CreateParams{
		Kind: tenant.KindComune, Slug: slug, Name: name, IstatCode: fmt.Sprintf("%06d", testenv.Uint64()%1_000_000),
	})
	require.NoError(t, err)
	return tn
}

// A keep-alive connection that visits several comuni in turn must get each comune's own site
// every time: the tenant resolver once kept the host's bytes as its cache key, and the next
// request on the connection rewrote them, so one comune's host served another's site.
func TestKeepAliveConnectionServesEachHostItsOwnTenant(t *testing.T) {
	env := testenv.Get(t)
	a, err := app.New(context.Background(), env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	base := serve(t, a)

	// Slugs of equal length: their bytes overwrite each other exactly in a reused buffer. More
	// of them than a small map holds, so that the resolver's cache grows and rehashes its keys
	// while they alias the connection's buffer.
	sfx := testenv.Slug()[2:]
	type site struct{ host, name string }
	var sites []site
	for i := range 24 {
		slug := fmt.Sprintf("c%02d%s", i, sfx)
		name := fmt.Sprintf("Comune di Prova %02d", i)
		newNamedTenant(t, env, slug, name)
		sites = append(sites, site{slug + ".carta.test", name})
	}
	for i := range 6 { // same length, naming no tenant
		sites = append(sites, site{fmt.Sprintf("x%02d%s.carta.test", i, sfx), ""})
	}

	client, dials := oneConnection(t)
	get := func(host string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, base+"/", nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	for round := range 3 {
		for i := range sites {
			s := sites[(i*7+round)%len(sites)] // a different order each round
			status, body := get(s.host)
			if s.name == "" {
				require.Equal(t, http.StatusNotFound, status, "round %d: %s names no tenant", round, s.host)
				require.NotContains(t, body, "Comune di Prova", "an unknown host must name no tenant")
				continue
			}
			require.Equal(t, http.StatusOK, status, "round %d: %s must be found", round, s.host)
			if got := title(body); got != s.name {
				t.Fatalf("round %d: %s must serve %q, served %q", round, s.host, s.name, got)
			}
			for _, o := range sites {
				if o.name != "" && o.name != s.name {
					require.NotContains(t, body, o.name+"<", "round %d: %s served another comune's site", round, s.host)
				}
			}
		}
	}
	require.Equal(t, 1, *dials, "every request went over one keep-alive connection")
}

// Mixed methods, hosts and paths on one connection, then a scrape of /metrics: every series
// must carry clean labels (the method label once kept the request's bytes and was rewritten
// by later requests, so the registry held duplicate series and /metrics answered 500).
func TestMetricsAfterMixedTrafficOnOneConnection(t *testing.T) {
	env := testenv.Get(t)
	a, err := app.New(context.Background(), env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	base := serve(t, a)
	tn := env.NewTenant(t, tenant.KindComune)
	host := tn.Slug + ".carta.test"

	client, _ := oneConnection(t)
	methods := []string{"GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "GET", "HEAD", "POST"}
	paths := []string{"/", "/healthz", "/servizi", "/non-esiste", "/admin/accesso", "/cerca?q=x"}
	for i := range 60 {
		m, p := methods[i%len(methods)], paths[i%len(paths)]
		req, err := http.NewRequest(m, base+p, nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	req, err := http.NewRequest("GET", base+"/metrics", nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	known := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "DELETE": true,
		"PATCH": true, "OPTIONS": true, "CONNECT": true, "TRACE": true, "other": true}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "carta_http_requests_total{") {
			continue
		}
		_, rest, _ := strings.Cut(line, `method="`)
		m, _, _ := strings.Cut(rest, `"`)
		require.True(t, known[m], "method label %q in %s", m, line)
		seen[m] = true
		require.NotContains(t, line, "\x00")
	}
	for _, m := range []string{"GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		require.True(t, seen[m], "a series for %s", m)
	}
}

// rawRequest writes req as is on a new connection and returns the status line.
func rawRequest(t *testing.T, base, req string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(conn, req)
	require.NoError(t, err)
	b, err := io.ReadAll(conn)
	if len(b) == 0 {
		require.NoError(t, err)
	}
	line, _, _ := strings.Cut(string(b), "\r\n")
	return line
}

// A request with two Host headers could be read as addressed to two comuni (a proxy or cache
// in front may take the first, the server the last): it is refused.
func TestTwoHostHeadersAreRefused(t *testing.T) {
	env := testenv.Get(t)
	a, err := app.New(context.Background(), env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	base := serve(t, a)
	x, y := env.NewTenant(t, tenant.KindComune), env.NewTenant(t, tenant.KindComune)

	one := "GET / HTTP/1.1\r\nHost: " + x.Slug + ".carta.test\r\nConnection: close\r\n\r\n"
	require.Equal(t, "HTTP/1.1 200 OK", rawRequest(t, base, one))
	for _, second := range []string{"Host: ", "host: ", "HOST:"} {
		two := "GET / HTTP/1.1\r\nHost: " + x.Slug + ".carta.test\r\nAccept: */*\r\n" + second +
			y.Slug + ".carta.test\r\nConnection: close\r\n\r\n"
		require.Equal(t, "HTTP/1.1 400 Bad Request", rawRequest(t, base, two), second)
	}
	// A header whose name merely starts with "Host" is not a second host.
	other := "GET / HTTP/1.1\r\nHost: " + x.Slug + ".carta.test\r\nHostile: yes\r\nConnection: close\r\n\r\n"
	require.Equal(t, "HTTP/1.1 200 OK", rawRequest(t, base, other))
}
