// Package migrate brings a database to the schema this binary expects: the product's goose
// migrations (db/schema) and the job queue's tables. It runs as the owner role; the runtime
// role only ever receives grants.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/cartasociale/carta/db/schema"
	"github.com/cartasociale/carta/internal/jobs"
)

// QueueSchemaVersion changes whenever the job queue's migrations change (a River upgrade), so
// that test databases built from a template are rebuilt with them.
const QueueSchemaVersion = "river-v0.51.1"

// Up applies every pending migration using ownerURL.
func Up(ctx context.Context, ownerURL string, log *slog.Logger) error {
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", err)
	}
	defer pool.Close()
	sqlDB := stdlib.OpenDBFromPool(pool)
	defer sqlDB.Close()
	if err := gooseUp(ctx, sqlDB, log); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, pool); err != nil {
		return err
	}
	return nil
}

func gooseUp(ctx context.Context, sqlDB *sql.DB, log *slog.Logger) error {
	// Two replicas or a Job retried while the first still runs: a session-level advisory
	// lock lets one migrate while the other waits.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, schema.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("goose: %w", err)
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		if log != nil {
			log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Version returns the newest migration version embedded in this binary.
func Version() (int64, error) {
	names, err := fs.Glob(schema.FS, "*.sql")
	if err != nil {
		return 0, err
	}
	var newest int64
	for _, n := range names {
		prefix, _, _ := strings.Cut(n, "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migration %s: name must start with a number", n)
		}
		newest = max(newest, v)
	}
	return newest, nil
}
