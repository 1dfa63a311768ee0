package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/migrate"
)

// Main holds what every command needs: the environment and the standard streams.
type Main struct {
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Listening is called with the bound address once the server listens (tests use it).
	Listening func(addr string)
}

func (m *Main) config() (*config.Config, error) { return config.Load(m.Getenv) }

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Serve runs the HTTP server until ctx ends.
func (m *Main) Serve(ctx context.Context) error {
	cfg, err := m.config()
	if err != nil {
		return err
	}
	return m.serve(ctx, cfg, newLogger(cfg, m.Stderr), nil)
}

func (m *Main) serve(ctx context.Context, cfg *config.Config, log *slog.Logger, ready func(addr string)) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if !cfg.IsDev() {
		if err := a.RefuseDemoData(ctx); err != nil {
			return err
		}
	}
	return m.serveApp(ctx, a, cfg, ready)
}

func (m *Main) serveApp(ctx context.Context, a *app.App, cfg *config.Config, ready func(addr string)) error {
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.ListenAddr, err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}
	return a.Run(ctx, ln)
}

// Migrate applies pending migrations as the owner role.
func (m *Main) Migrate(ctx context.Context) error {
	url := m.Getenv("MIGRATE_DATABASE_URL")
	if url == "" {
		return fmt.Errorf("MIGRATE_DATABASE_URL is required: the owner role's connection (see docs/DEPLOY.md)")
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := migrate.Up(ctx, url, log); err != nil {
		return err
	}
	v, _ := migrate.Version()
	fmt.Fprintf(m.Stdout, "database at schema version %d\n", v)
	return nil
}
