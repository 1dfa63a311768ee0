// Package app assembles the product: configuration, the database pool (as the runtime role,
// checked), Redis, the tenant resolver, every domain's routes and the operational endpoints.
// cmd/carta builds an App and runs it; tests build the same App and drive it in process.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/migrate"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// App is the running product.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	pool     *pgxpool.Pool
	redis    *redis.Client
	db       *tenant.DB
	tenants  *tenant.Store
	resolver *tenant.Resolver
	fiber    *fiber.App
	metrics  *metrics
	draining atomic.Bool
	closers  []func()
	starters []func(ctx context.Context) error
	stoppers []func(ctx context.Context) error

	render *web.Renderer
	jobs   *jobs.Client
	access *access.Enforcer
	auth   *auth.Service
	routes *access.Registry
	pages  *pagecache.Cache

	publisher *publication.Service
}

// New connects to PostgreSQL and Redis and builds the HTTP application. It refuses a database
// role that escapes row-level security and a database whose schema is older than the binary.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()

	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	pcfg.ConnConfig.RuntimeParams["application_name"] = "carta"
	if a.pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	a.closers = append(a.closers, a.pool.Close)
	a.db = tenant.NewDB(a.pool)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.pool.Ping(pingCtx); err != nil {
		return nil, fmt.Errorf("database: cannot connect: %w", err)
	}
	if err := a.db.CheckRuntimeRole(ctx); err != nil {
		return nil, err
	}
	want, err := migrate.Version()
	if err != nil {
		return nil, err
	}
	have, err := a.db.SchemaVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("database schema: %w (has `carta migrate` run?)", err)
	}
	if have < want {
		return nil, fmt.Errorf("database schema is at version %d, this binary needs %d: run `carta migrate` first", have, want)
	}

	ropts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	// Short timeouts: a dead Redis must cost milliseconds, not the client's default seconds.
	ropts.DialTimeout, ropts.ReadTimeout, ropts.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond
	ropts.MaxRetries = 1
	a.redis = redis.NewClient(ropts)
	a.closers = append(a.closers, func() { _ = a.redis.Close() })

	a.tenants = tenant.NewStore(a.db)
	a.resolver = tenant.NewResolver(a.tenants, cfg.BaseDomain)
	a.metrics = newMetrics(a.pool)
	if err := a.buildHTTP(ctx); err != nil {
		return nil, err
	}
	ok = true
	return a, nil
}

func (a *App) buildHTTP(ctx context.Context) error {
	fcfg := fiber.Config{
		AppName:                 "carta",
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: true,
		TrustedProxies:          a.cfg.TrustedProxies,
		ProxyHeader:             fiber.HeaderXForwardedFor,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            60 * time.Second,
		IdleTimeout:             120 * time.Second,
		// A complaint carries 3 attachments of 5 MB (15 MB) and its texts in one multipart form.
		BodyLimit:      16 << 20,
		ReadBufferSize: 16 << 10,
		// A 40 KB page in one write instead of two (measured +13-26% on cached pages).
		WriteBufferSize: 64 << 10,
	}
	if len(a.cfg.TrustedProxies) == 0 {
		// No proxy is trusted: client IPs come from the connection, never from a header.
		fcfg.ProxyHeader = ""
	}
	mods, err := a.modules(ctx)
	if err != nil {
		return err
	}
	fcfg.ErrorHandler = mods.errorHandler
	a.fiber = fiber.New(fcfg)
	f := a.fiber
	f.Use(recover.New(recover.Config{EnableStackTrace: true}))
	f.Use(oneHost)
	f.Use(requestid.New())
	f.Use(func(c *fiber.Ctx) error {
		rid, _ := c.Locals(requestid.ConfigDefault.ContextKey).(string)
		// The origin travels with the context into audit records and jobs: copies, not the
		// request's reused bytes.
		c.SetUserContext(principal.WithOrigin(c.UserContext(), principal.Origin{
			IP: strings.Clone(c.IP()), UserAgent: strings.Clone(c.Get(fiber.HeaderUserAgent)), RequestID: rid,
		}))
		return c.Next()
	})
	f.Use(a.observe())
	// Operational endpoints answer on any host: probes and scrapers use the pod's address.
	f.Get("/healthz", a.health)
	f.Get("/readyz", a.ready)
	f.Get("/metrics", a.metricsHandler())
	mods.mount(f)
	return nil
}

// Handler returns the HTTP application, for tests.
func (a *App) Handler() *fiber.App { return a.fiber }

// Routes returns the registry of guarded staff routes, for the route-coverage test.
func (a *App) Routes() *access.Registry { return a.routes }

// Resolver returns the tenant resolver, for tests and admin commands.
func (a *App) Resolver() *tenant.Resolver { return a.resolver }

// Run serves on ln until ctx ends, then drains: readiness turns 503, in-flight requests finish
// within SHUTDOWN_WAIT, background workers stop.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	// Workers get their own context: they stop in order at shutdown, not when ctx ends.
	for _, s := range a.starters {
		if err := s(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- a.fiber.Listener(ln) }()
	a.log.Info("serving", "addr", ln.Addr().String(), "base_domain", a.cfg.BaseDomain, "env", a.cfg.Env)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.draining.Store(true)
	a.log.Info("shutting down", "wait", a.cfg.ShutdownWait)
	if err := a.fiber.ShutdownWithTimeout(a.cfg.ShutdownWait); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		a.log.Warn("shutdown", "err", err)
	}
	// Running jobs finish (or are retried later by another replica) before connections close.
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownWait)
	defer cancel()
	for _, s := range a.stoppers {
		if err := s(sctx); err != nil {
			a.log.Warn("stopping workers", "err", err)
		}
	}
	return nil
}

// Close releases connections and stops workers, in reverse order of creation.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// RefuseDemoData stops a production server that finds demo accounts: they exist only in
// development mode, with a password printed on the console.
func (a *App) RefuseDemoData(ctx context.Context) error {
	return a.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		n, err := tx.DemoUserCount(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("the database holds %d demo accounts from `carta dev`: a production server will not run on it", n)
		}
		return nil
	})
}
