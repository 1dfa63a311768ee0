package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/devenv"
	"github.com/cartasociale/carta/internal/migrate"
)

// Dev runs the whole product locally: private PostgreSQL and Redis unless DATABASE_URL and
// REDIS_URL name others, migrations, the demo comuni with one staff account per role, and the
// server on http://<slug>.localhost:PORT (browsers resolve *.localhost to this machine).
func (m *Main) Dev(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	port := fs.Int("port", 8080, "HTTP port")
	// Demo accounts share one printed password: by default only this machine can reach them.
	host := fs.String("host", "127.0.0.1", "address to listen on (0.0.0.0 or :: to accept other machines)")
	serversOnly := fs.Bool("servers-only", false, "start the private PostgreSQL and Redis, print their addresses and exit")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	env := map[string]string{
		"CARTA_ENV":   "development",
		"BASE_DOMAIN": "localhost",
		"LISTEN_ADDR": net.JoinHostPort(*host, strconv.Itoa(*port)),
		"LOG_FORMAT":  "text",
	}
	getenv := func(k string) string {
		if v := m.Getenv(k); v != "" {
			return v
		}
		return env[k]
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, nil))

	dataDir := m.Getenv("CARTA_DATA_DIR")
	if dataDir == "" {
		root, err := devenv.ProjectRoot()
		if err != nil {
			return err
		}
		dataDir = filepath.Join(root, ".data")
	}
	if m.Getenv("DATABASE_URL") == "" || m.Getenv("REDIS_URL") == "" {
		srv, err := devenv.Ensure(ctx, devenv.Options{Dir: dataDir, Log: log})
		if err != nil {
			return err
		}
		if *serversOnly {
			fmt.Fprintf(m.Stdout, "CARTA_TEST_PG_ADMIN_URL=%s\nCARTA_TEST_REDIS_URL=%s\n", srv.PGAdminURL, srv.RedisURL)
			return nil
		}
		if _, err := devenv.CreateDatabase(ctx, srv.PGAdminURL, "carta", ""); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
		env["DATABASE_URL"] = srv.URLFor(devenv.AppRole, "carta")
		env["MIGRATE_DATABASE_URL"] = srv.URLFor(devenv.OwnerRole, "carta")
		env["REDIS_URL"] = srv.RedisURL + "/0"
	} else if *serversOnly {
		return usageError{"dev --servers-only: DATABASE_URL and REDIS_URL are set, nothing to start"}
	}
	if getenv("MIGRATE_DATABASE_URL") == "" {
		return fmt.Errorf("with DATABASE_URL set, MIGRATE_DATABASE_URL (the owner role) is needed too")
	}
	if err := migrate.Up(ctx, getenv("MIGRATE_DATABASE_URL"), log); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if !cfg.IsDev() {
		return fmt.Errorf("carta dev runs only with CARTA_ENV=development: it creates demo accounts")
	}
	password, err := demo.Password(dataDir)
	if err != nil {
		return err
	}
	return m.serveDev(ctx, cfg, log, password, getenv)
}

func (m *Main) serveDev(ctx context.Context, cfg *config.Config, log *slog.Logger, password string, getenv func(string) string) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	logins, err := a.SeedDemo(ctx, password)
	if err != nil {
		return err
	}
	if err := a.SeedHistory(ctx); err != nil {
		return err
	}
	return m.serveApp(ctx, a, cfg, func(addr string) {
		m.printBanner(cfg, addr, logins, password, getenv)
	})
}

func (m *Main) printBanner(cfg *config.Config, addr string, logins []demo.Login, password string, getenv func(string) string) {
	w := m.Stdout
	_, port, _ := strings.Cut(addr, "]:")
	if port == "" {
		port = addr[strings.LastIndex(addr, ":")+1:]
	}
	fmt.Fprintf(w, "\nCarta dei Servizi Sociali — ambiente di sviluppo\n\n")
	fmt.Fprintf(w, "Siti degli enti:\n")
	for _, e := range demo.Enti {
		note := ""
		if e.Capofila {
			note = " (capofila dell'ambito)"
		} else if e.Ambito != "" {
			note = " (membro dell'ambito)"
		}
		fmt.Fprintf(w, "  http://%s.%s:%s%s\n", e.Slug, cfg.BaseDomain, port, note)
	}
	fmt.Fprintf(w, "  http://admin.%s:%s (piattaforma)\n\n", cfg.BaseDomain, port)
	if h, _, _ := net.SplitHostPort(addr); net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback() {
		fmt.Fprintf(w, "In ascolto su %s: raggiungibile solo da questo computer (--host 0.0.0.0 per aprirlo alla rete).\n", addr)
	} else {
		fmt.Fprintf(w, "In ascolto su %s: raggiungibile da altri computer, con gli account demo e la loro password.\n", addr)
	}
	fmt.Fprintf(w, "Area riservata: http://<ente>.%s:%s/admin — password di tutti gli account demo: %s\n", cfg.BaseDomain, port, password)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, l := range logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Email, l.Role, l.Tenant)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nComandi di amministrazione su questo ambiente:\n  export CARTA_ENV=development BASE_DOMAIN=%s DATABASE_URL='%s' REDIS_URL='%s'\n  go run ./cmd/carta tenant list\n\n",
		cfg.BaseDomain, cfg.DatabaseURL, cfg.RedisURL)
	_ = os.Stdout.Sync()
}
