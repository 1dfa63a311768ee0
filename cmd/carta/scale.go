package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/devenv"
	"github.com/cartasociale/carta/internal/migrate"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/scale"
)

// devDatabase is the database `carta dev` uses; the seeder never writes into it.
const devDatabase = "carta"

// ScaleSeed runs `carta scale-seed`: a development tool that loads the database named by
// DATABASE_URL with synthetic comuni, ambiti and their published Carte, for benchmarks at
// national scale (scripts/bench-carta.sh). It connects as the runtime role, like the other
// admin commands, and publishes through the product's publication use case.
func (m *Main) ScaleSeed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("scale-seed", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	comuni := fs.Int("comuni", 8000, "number of synthetic comuni (c00001…)")
	services := fs.Int("services", 40, "services in each comune's Carta")
	ambiti := fs.Int("ambiti", -1, "number of ambiti grouping the comuni (default: the national ratio, 600 per 8000 comuni; 0 for none)")
	ambitoServices := fs.Int("ambito-services", 6, "services in each ambito's Carta")
	workers := fs.Int("workers", 3, "tenants seeded at the same time")
	createDB := fs.Bool("create-db", false, "first create the database of DATABASE_URL on the private development servers and apply the migrations (MIGRATE_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *ambiti < 0 {
		*ambiti = max(1, (*comuni*600+4000)/8000)
	}
	cfg, err := m.config()
	if err != nil {
		return err
	}
	if err := scale.RequireDevelopment(cfg); err != nil {
		return err
	}
	pc, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if pc.Database == devDatabase || pc.Database == "" {
		return fmt.Errorf("scale-seed refuses the database %q: give it a database of its own in DATABASE_URL, e.g. carta_scale", pc.Database)
	}
	log := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if *createDB {
		if err := m.createScaleDB(ctx, pc, log); err != nil {
			return err
		}
	}

	env, done, err := m.openCLI(ctx)
	if err != nil {
		return err
	}
	defer done()
	pub := publication.New(publication.Deps{DB: env.db, Log: log,
		LoadDraft: catalog.LoadDraft, Completeness: catalog.Completeness})
	fmt.Fprintf(m.Stdout, "scale-seed: %d comuni × %d servizi, %d ambiti × %d servizi, %d in parallelo, database %s\n",
		*comuni, *services, *ambiti, *ambitoServices, *workers, pc.Database)
	res, err := scale.Seed(publication.AsActor(ctx, "scale-seed"),
		scale.Deps{DB: env.db, Tenants: env.tenants, Publish: pub.Publish},
		scale.Options{Comuni: *comuni, Services: *services, Ambiti: *ambiti, AmbitoServices: *ambitoServices,
			Workers: *workers, Progress: m.Stdout})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(m.Stdout, "scale-seed: %d enti (%d creati), %d Carte pubblicate, %d già pubblicate, in %s\n",
		res.Tenants, res.Created, res.Published, res.Skipped, res.Elapsed.Round(time.Second))
	return nil
}

// createScaleDB creates the seeder's database on the private development servers (never on
// another server) and migrates it as the owner role.
func (m *Main) createScaleDB(ctx context.Context, pc *pgx.ConnConfig, log *slog.Logger) error {
	srv, err := devenv.Ensure(ctx, devenv.Options{Log: log})
	if err != nil {
		return err
	}
	if pc.Host != srv.PGHost || int(pc.Port) != srv.PGPort {
		return fmt.Errorf("--create-db works only on the private development PostgreSQL (%s:%d), not %s:%d",
			srv.PGHost, srv.PGPort, pc.Host, pc.Port)
	}
	if _, err := devenv.CreateDatabase(ctx, srv.PGAdminURL, pc.Database, ""); err != nil {
		return fmt.Errorf("create database %s: %w", pc.Database, err)
	}
	url := m.Getenv("MIGRATE_DATABASE_URL")
	if url == "" {
		url = srv.URLFor(devenv.OwnerRole, pc.Database)
	}
	mc, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("MIGRATE_DATABASE_URL: %w", err)
	}
	if mc.Database != pc.Database {
		return fmt.Errorf("MIGRATE_DATABASE_URL names database %q, DATABASE_URL %q: they must be the same", mc.Database, pc.Database)
	}
	return migrate.Up(ctx, url, log)
}
