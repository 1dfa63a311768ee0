package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/testenv"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestServerRefusesRolesThatEscapeRLS(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	// A BYPASSRLS login role, created for this test.
	role := "carta_bypass_" + fmt.Sprint(testenv.Uint64()%1_000_000)
	_, err := env.Admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN BYPASSRLS IN ROLE carta_runtime")
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = env.Admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+role) })
	_, err = env.Admin.Exec(ctx, "GRANT CONNECT ON DATABASE "+pgx.Identifier{env.DBName}.Sanitize()+" TO "+role)
	require.NoError(t, err)

	for name, tc := range map[string]struct{ url, want string }{
		"superuser": {env.AdminURL, "superuser"},
		"bypassrls": {env.Servers.URLFor(role, env.DBName), "BYPASSRLS"},
		"owner":     {env.OwnerURL, "owns the tables"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := env.TestConfig(t, map[string]string{"DATABASE_URL": tc.url})
			a, err := app.New(ctx, cfg, quietLog())
			require.Error(t, err)
			require.Nil(t, a)
			require.Contains(t, err.Error(), tc.want)
		})
	}

	// The runtime role is accepted.
	a, err := app.New(ctx, env.Cfg, quietLog())
	require.NoError(t, err)
	a.Close()
}

func readyz(t *testing.T, a *app.App) (int, map[string]string) {
	t.Helper()
	resp, err := a.Handler().Test(httptest.NewRequest("GET", "/readyz", nil), 10_000)
	require.NoError(t, err)
	var out map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestReadinessRedisDownIsDegradedPostgresDownIsNotReady(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()

	a, err := app.New(ctx, env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	status, body := readyz(t, a)
	require.Equal(t, 200, status)
	require.Equal(t, "ok", body["status"])

	// Redis unreachable (nothing listens on port 1): still in rotation, degraded.
	noRedis := env.TestConfig(t, map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"})
	b, err := app.New(ctx, noRedis, quietLog())
	require.NoError(t, err)
	defer b.Close()
	status, body = readyz(t, b)
	require.Equal(t, 200, status)
	require.Equal(t, "degraded", body["status"])
	require.Equal(t, "down", body["redis"])

	// Healthz answers on any host, probes use the pod address.
	resp, err := a.Handler().Test(httptest.NewRequest("GET", "http://10.0.0.7:8080/healthz", nil))
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)

	// PostgreSQL refusing the runtime role: not ready.
	db := pgx.Identifier{env.DBName}.Sanitize()
	// (PUBLIC holds CONNECT on a new database too: without revoking it the pool reconnects
	// at once and the probe passes or fails by timing.)
	_, err = env.Admin.Exec(ctx, "REVOKE CONNECT ON DATABASE "+db+" FROM carta_runtime, PUBLIC")
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = env.Admin.Exec(context.Background(), "GRANT CONNECT ON DATABASE "+db+" TO carta_runtime, PUBLIC")
	})
	// With a timeout, pg_terminate_backend waits until the backends are gone: without one it
	// only signals them, and on a busy machine the probe could still find one alive.
	_, err = env.Admin.Exec(ctx, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND usename = 'carta_app'", env.DBName)
	require.NoError(t, err)
	status, body = readyz(t, a)
	require.Equal(t, 503, status)
	require.Equal(t, "down", body["postgres"])
}

func TestMetricsAreNotServedThroughTheProxy(t *testing.T) {
	env := testenv.Get(t)
	a, err := app.New(context.Background(), env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	_, err = a.Handler().Test(httptest.NewRequest("GET", "/healthz", nil))
	require.NoError(t, err)
	resp, err := a.Handler().Test(httptest.NewRequest("GET", "/metrics", nil))
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(body), `carta_http_requests_total{method="GET",route="/healthz",status="200"} 1`)
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err = a.Handler().Test(req)
	require.NoError(t, err)
	require.Equal(t, 404, resp.StatusCode)
}
