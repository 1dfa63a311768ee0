// Package testenv gives each test package a real, freshly migrated PostgreSQL database and a
// Redis database of its own. It uses the servers named by CARTA_TEST_PG_ADMIN_URL and
// CARTA_TEST_REDIS_URL when set, and otherwise starts the project's private servers
// (internal/devenv). Nothing is mocked: application code connects as the runtime role, so
// row-level security applies exactly as in production.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/db/schema"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/devenv"
	"github.com/cartasociale/carta/internal/migrate"
	"github.com/cartasociale/carta/internal/tenant"
)

// Env is one test package's database and Redis.
type Env struct {
	Runtime *pgxpool.Pool // as the runtime role: what application code uses
	Admin   *pgxpool.Pool // superuser: fixtures and inspection only, never application code
	DB      *tenant.DB
	Tenants *tenant.Store
	Redis   *redis.Client
	Cfg     *config.Config

	DBName     string
	RuntimeURL string
	OwnerURL   string
	AdminURL   string // superuser on this package's database
	RedisURL   string // with this package's database number
	Servers    *devenv.Servers
}

var (
	once   sync.Once
	shared *Env
	errEnv error
)

// Get returns the package's environment, creating it on first use. A failure to reach or
// start the servers fails the test: a test that cannot reach its database must not pass.
func Get(t testing.TB) *Env {
	t.Helper()
	once.Do(func() { shared, errEnv = setup() })
	if errEnv != nil {
		t.Fatalf("testenv: %v", errEnv)
	}
	return shared
}

func setup() (*Env, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	adminURL := os.Getenv("CARTA_TEST_PG_ADMIN_URL")
	redisURL := os.Getenv("CARTA_TEST_REDIS_URL")
	var srv *devenv.Servers
	if adminURL == "" || redisURL == "" {
		var err error
		if srv, err = devenv.Ensure(ctx, devenv.Options{Log: log}); err != nil {
			return nil, err
		}
		adminURL, redisURL = srv.PGAdminURL, srv.RedisURL
	} else {
		cfg, err := pgx.ParseConfig(adminURL)
		if err != nil {
			return nil, fmt.Errorf("CARTA_TEST_PG_ADMIN_URL: %w", err)
		}
		srv = &devenv.Servers{PGAdminURL: adminURL, PGHost: cfg.Host, PGPort: int(cfg.Port), RedisURL: redisURL}
		if err := devenv.Bootstrap(ctx, adminURL); err != nil {
			return nil, err
		}
	}

	tmpl, err := templateDB(ctx, srv, log)
	if err != nil {
		return nil, fmt.Errorf("template database: %w", err)
	}
	dropStale(ctx, adminURL)
	name := fmt.Sprintf("carta_t_%d_%s", time.Now().Unix(), randHex(4))
	if _, err := devenv.CreateDatabase(ctx, adminURL, name, tmpl); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}

	e := &Env{DBName: name, Servers: srv,
		RuntimeURL: srv.URLFor(devenv.AppRole, name),
		OwnerURL:   srv.URLFor(devenv.OwnerRole, name),
		AdminURL:   srv.URLFor("postgres", name),
	}
	if e.Runtime, err = pgxpool.New(ctx, e.RuntimeURL); err != nil {
		return nil, err
	}
	if e.Admin, err = pgxpool.New(ctx, e.AdminURL); err != nil {
		return nil, err
	}
	e.DB = tenant.NewDB(e.Runtime)
	e.Tenants = tenant.NewStore(e.DB)

	dbn, err := redisDB(ctx, redisURL)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	e.RedisURL = fmt.Sprintf("%s/%d", strings.TrimSuffix(redisURL, "/"), dbn)
	opts, err := redis.ParseURL(e.RedisURL)
	if err != nil {
		return nil, err
	}
	e.Redis = redis.NewClient(opts)
	if err := e.Redis.FlushDB(ctx).Err(); err != nil {
		return nil, err
	}

	e.Cfg, err = config.Load(mapEnv(map[string]string{
		"CARTA_ENV":    "development",
		"BASE_DOMAIN":  "carta.test",
		"LISTEN_ADDR":  "127.0.0.1:0",
		"PUBLIC_PORT":  "8080",
		"DATABASE_URL": e.RuntimeURL,
		"REDIS_URL":    e.RedisURL,
	}))
	return e, err
}

// Isolated returns an environment on a database of its own, freshly copied from the migrated
// template and dropped when t ends; it shares e's servers and Redis. Benchmarks that load
// large data sets use it so that the package's own database (and other tests) stay small.
func (e *Env) Isolated(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	tmpl, err := templateDB(ctx, e.Servers, nil)
	if err != nil {
		t.Fatalf("testenv: template database: %v", err)
	}
	// Named like the package databases, so that dropStale removes one left by a killed run.
	name := fmt.Sprintf("carta_t_%d_%s", time.Now().Unix(), randHex(4))
	if _, err := devenv.CreateDatabase(ctx, e.Servers.PGAdminURL, name, tmpl); err != nil {
		t.Fatalf("testenv: create %s: %v", name, err)
	}
	i := *e
	i.DBName = name
	i.RuntimeURL = e.Servers.URLFor(devenv.AppRole, name)
	i.OwnerURL = e.Servers.URLFor(devenv.OwnerRole, name)
	i.AdminURL = e.Servers.URLFor("postgres", name)
	if i.Runtime, err = pgxpool.New(ctx, i.RuntimeURL); err != nil {
		t.Fatal(err)
	}
	if i.Admin, err = pgxpool.New(ctx, i.AdminURL); err != nil {
		t.Fatal(err)
	}
	i.DB = tenant.NewDB(i.Runtime)
	i.Tenants = tenant.NewStore(i.DB)
	i.Cfg = i.TestConfig(t, nil)
	t.Cleanup(func() {
		i.Runtime.Close()
		i.Admin.Close()
		if c, err := pgx.Connect(context.Background(), e.Servers.PGAdminURL); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			_ = c.Close(context.Background())
		}
	})
	return &i
}

// TestConfig returns a configuration for this environment with the given overrides.
func (e *Env) TestConfig(t testing.TB, overrides map[string]string) *config.Config {
	t.Helper()
	m := map[string]string{
		"CARTA_ENV": "development", "BASE_DOMAIN": "carta.test", "LISTEN_ADDR": "127.0.0.1:0",
		"PUBLIC_PORT": "8080", "DATABASE_URL": e.RuntimeURL, "REDIS_URL": e.RedisURL,
	}
	for k, v := range overrides {
		m[k] = v
	}
	cfg, err := config.Load(mapEnv(m))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func mapEnv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// templateDB returns a database migrated to the current schema, created once per schema
// version (named by a hash of the migration files) and then copied for each package.
func templateDB(ctx context.Context, srv *devenv.Servers, log *slog.Logger) (string, error) {
	name := "carta_tmpl_" + schemaHash()
	c, err := pgx.Connect(ctx, srv.PGAdminURL)
	if err != nil {
		return "", err
	}
	defer c.Close(context.Background())
	// Packages run in parallel: one builds the template, the others wait.
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock(7244011)"); err != nil {
		return "", err
	}
	defer c.Exec(context.Background(), "SELECT pg_advisory_unlock(7244011)") //nolint:errcheck
	var ready bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready); err != nil {
		return "", err
	}
	if ready {
		return name, nil
	}
	// A half-built template from an interrupted run is dropped and built again.
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	if _, err := devenv.CreateDatabase(ctx, srv.PGAdminURL, name, ""); err != nil {
		return "", err
	}
	if err := migrate.Up(ctx, srv.URLFor(devenv.OwnerRole, name), nil); err != nil {
		return "", err
	}
	if _, err := c.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return "", err
	}
	// Older templates are of no further use.
	rows, err := c.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'carta\\_tmpl\\_%' AND datname <> $1", name)
	if err == nil {
		olds, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, o := range olds {
			_, _ = c.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{o}.Sanitize()+" WITH IS_TEMPLATE false")
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{o}.Sanitize())
		}
	}
	_ = log
	return name, nil
}

// schemaHash identifies the migrations (and the migrate code's extras) of this build.
func schemaHash() string {
	h := sha256.New()
	names, _ := fs.Glob(schema.FS, "*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(schema.FS, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	fmt.Fprintf(h, "queue:%s", migrate.QueueSchemaVersion)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// dropStale removes test databases left by runs that ended more than two hours ago.
func dropStale(ctx context.Context, adminURL string) {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return
	}
	defer c.Close(context.Background())
	rows, err := c.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'carta\\_t\\_%'")
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	cutoff := time.Now().Add(-2 * time.Hour).Unix()
	for _, n := range names {
		parts := strings.Split(n, "_")
		if len(parts) < 4 {
			continue
		}
		if ts, err := strconv.ParseInt(parts[2], 10, 64); err == nil && ts < cutoff {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
		}
	}
}

// redisDB hands each test package its own database number on the shared server.
func redisDB(ctx context.Context, base string) (int, error) {
	opts, err := redis.ParseURL(strings.TrimSuffix(base, "/") + "/0")
	if err != nil {
		return 0, err
	}
	c := redis.NewClient(opts)
	defer c.Close()
	n, err := c.Incr(ctx, "testenv:seq").Result()
	if err != nil {
		return 0, err
	}
	max := 16
	if v, err := c.ConfigGet(ctx, "databases").Result(); err == nil {
		if s, ok := v["databases"]; ok {
			if m, err := strconv.Atoi(s); err == nil && m > 1 {
				max = m
			}
		}
	}
	return int(n%int64(max-1)) + 1, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Slug returns a fresh tenant slug.
func Slug() string { return "t-" + randHex(5) }

// istat returns a random six-digit code.
func istat() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// NewTenant creates an active tenant of the given kind with unique slug and codes.
func (e *Env) NewTenant(t testing.TB, kind tenant.Kind) *tenant.Tenant {
	t.Helper()
	for range 5 {
		p := tenant.CreateParams{Kind: kind, Slug: Slug(), Name: "Ente di prova " + randHex(2)}
		if kind == tenant.KindComune {
			p.Name = "Comune di Prova " + randHex(2)
			p.IstatCode = istat()
		} else {
			p.Name = "Ambito di Prova " + randHex(2)
			p.IstatCode = "AMB" + randHex(2)
		}
		tn, err := e.Tenants.Create(context.Background(), p)
		if err == nil {
			return tn
		}
		if !strings.Contains(err.Error(), "ISTAT") {
			t.Fatalf("create tenant: %v", err)
		}
	}
	t.Fatal("create tenant: ISTAT code collisions")
	return nil
}

// Join makes comune a member of ambito and returns the comune reloaded.
func (e *Env) Join(t testing.TB, comune, ambito *tenant.Tenant, capofila bool) *tenant.Tenant {
	t.Helper()
	ctx := context.Background()
	if err := e.Tenants.JoinAmbito(ctx, comune.Slug, ambito.Slug, capofila); err != nil {
		t.Fatalf("join ambito: %v", err)
	}
	c, err := e.Tenants.ByID(ctx, comune.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Uint64 is a helper for tests that need a random number.
func Uint64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}
