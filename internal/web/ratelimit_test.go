package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

// rateLimitApp serves /reclamo behind RateLimit. The tenant and the client IP come from test
// headers, set into the context the way the app's tenant resolver and origin middleware do.
func rateLimitApp(t *testing.T, rdb *redis.Client, name string, limit int, window time.Duration, tenants map[string]*tenant.Tenant) *fiber.App {
	t.Helper()
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(newRenderer(t), quiet)})
	app.Use(func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		if tn := tenants[c.Get("X-Test-Tenant")]; tn != nil {
			ctx = tenant.WithTenant(ctx, tn)
		}
		ctx = principal.WithOrigin(ctx, principal.Origin{IP: strings.Clone(c.Get("X-Test-IP"))})
		c.SetUserContext(ctx)
		return c.Next()
	})
	app.Use(web.RateLimit(rdb, name, limit, window))
	app.All("/reclamo", func(c *fiber.Ctx) error { return c.SendString("ricevuto") })
	return app
}

func send(t *testing.T, app *fiber.App, method, tenantSlug, ip string) (*http.Response, string) {
	t.Helper()
	var req *http.Request
	if method == http.MethodGet {
		req = httptest.NewRequest(method, "/reclamo", nil)
	} else {
		req = httptest.NewRequest(method, "/reclamo", strings.NewReader(url.Values{"testo": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Test-Tenant", tenantSlug)
	req.Header.Set("X-Test-IP", ip)
	return do(t, app, req)
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	rdb := testenv.Get(t).Redis
	name := "reclami-" + uuid.NewString()[:8] // a fresh window for each run
	a, b := sampleTenant(), sampleTenant()
	b.Slug = "ladispoli"
	app := rateLimitApp(t, rdb, name, 3, time.Minute, map[string]*tenant.Tenant{"a": a, "b": b})

	for i := 0; i < 3; i++ {
		res, body := send(t, app, http.MethodPost, "a", "192.0.2.10")
		require.Equal(t, http.StatusOK, res.StatusCode, "request %d", i+1)
		require.Equal(t, "ricevuto", body)
		require.Empty(t, res.Header.Get("Retry-After"))
	}
	// GET is not counted, and still passes once the limit is reached.
	for i := 0; i < 5; i++ {
		res, _ := send(t, app, http.MethodGet, "a", "192.0.2.10")
		require.Equal(t, http.StatusOK, res.StatusCode)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		res, body := send(t, app, m, "a", "192.0.2.10")
		require.Equal(t, http.StatusTooManyRequests, res.StatusCode, m)
		require.Contains(t, body, web.MsgTooManyRequests, m)
		require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
		secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
		require.NoError(t, err, "Retry-After is a number of seconds")
		require.True(t, secs >= 1 && secs <= 60, "Retry-After %d within the window", secs)
	}
	// The count lives under the documented key, with the window as its expiry.
	key := "ratelimit:" + name + ":" + a.ID.String() + ":192.0.2.10"
	n, err := rdb.Get(context.Background(), key).Int()
	require.NoError(t, err)
	require.Equal(t, 7, n, "3 accepted + 4 refused, no GET")
	ttl, err := rdb.TTL(context.Background(), key).Result()
	require.NoError(t, err)
	require.True(t, ttl > 0 && ttl <= time.Minute, "ttl %s", ttl)

	// Another IP on the same tenant, the same IP on another tenant and on the platform host
	// each have their own count.
	for _, who := range [][2]string{{"a", "192.0.2.11"}, {"b", "192.0.2.10"}, {"", "192.0.2.10"}} {
		res, body := send(t, app, http.MethodPost, who[0], who[1])
		require.Equal(t, http.StatusOK, res.StatusCode, who)
		require.Equal(t, "ricevuto", body)
	}
	require.Equal(t, int64(1), rdb.Exists(context.Background(), "ratelimit:"+name+":platform:192.0.2.10").Val())
}

func TestRateLimitWindowEnds(t *testing.T) {
	t.Parallel()
	rdb := testenv.Get(t).Redis
	app := rateLimitApp(t, rdb, "finestra-"+uuid.NewString()[:8], 1, time.Second, nil)
	res, _ := send(t, app, http.MethodPost, "", "198.51.100.7")
	require.Equal(t, http.StatusOK, res.StatusCode)
	res, _ = send(t, app, http.MethodPost, "", "198.51.100.7")
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	require.Equal(t, "1", res.Header.Get("Retry-After"))
	time.Sleep(1100 * time.Millisecond)
	res, _ = send(t, app, http.MethodPost, "", "198.51.100.7")
	require.Equal(t, http.StatusOK, res.StatusCode, "a new window starts after the old one ends")
}

// Not parallel: it reads the default logger's output, where the limiter warns.
func TestRateLimitLetsRequestsThroughWhenRedisIsDown(t *testing.T) {
	var logged bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = down.Close() })
	app := rateLimitApp(t, down, "giu", 1, time.Minute, nil)
	for i := 0; i < 3; i++ {
		res, body := send(t, app, http.MethodPost, "", "192.0.2.20")
		require.Equal(t, http.StatusOK, res.StatusCode, "request %d", i+1)
		require.Equal(t, "ricevuto", body)
	}
	require.Equal(t, 3, strings.Count(logged.String(), `level=WARN msg="rate limit skipped: redis unreachable" limiter=giu`), logged.String())
}
