// Package jobs owns the background job queue (River on the runtime pool, tables in the "river"
// schema) and the jobs every domain shares, starting with sending e-mail. A job is enqueued with
// InsertTx in the same transaction as the change that needs it: if the change commits the job
// will run (and be retried until it succeeds), if it rolls back no job exists.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Schema is the PostgreSQL schema holding River's tables, apart from the product's own so that
// the runtime role's grants on it are easy to read and River's upgrades touch nothing else.
const Schema = "river"

// RuntimeGroup is the NOLOGIN group the runtime role belongs to (db/schema/00001).
const RuntimeGroup = "carta_runtime"

// Queues. E-mail has its own queue so that slow jobs (report builds) never delay a password
// reset.
const (
	QueueDefault = river.QueueDefault
	QueueEmail   = "email"
)

// Registration adds one worker to the client; build it with Register.
type Registration func(*river.Workers)

// Register wraps a River worker for New.
func Register[T river.JobArgs](w river.Worker[T]) Registration {
	return func(ws *river.Workers) { river.AddWorker(ws, w) }
}

// Client is the job queue of the application: it inserts jobs and, when started, works them.
type Client struct {
	river *river.Client[pgx.Tx]
	works bool
}

// Options tune the client; the zero value is what production uses.
type Options struct {
	// FetchPollInterval is how often queues are polled when no notification arrives
	// (River's default, 1 s, when zero).
	FetchPollInterval time.Duration
	// Periodic are jobs enqueued on a schedule by the replica that holds River's leadership
	// (so once per deployment, not once per replica).
	Periodic []*river.PeriodicJob
}

// New returns a client on pool (the runtime role's). With no workers it can only insert jobs
// (the CLI uses it that way); with workers, Start makes it work the queues.
func New(pool *pgxpool.Pool, log *slog.Logger, workers ...Registration) (*Client, error) {
	return NewWithOptions(pool, log, Options{}, workers...)
}

// NewWithOptions is New with tuning, for tests that must not wait for the default intervals.
func NewWithOptions(pool *pgxpool.Pool, log *slog.Logger, o Options, workers ...Registration) (*Client, error) {
	cfg := &river.Config{
		Schema: Schema,
		Logger: log.With("component", "jobs"),
		// Completed jobs are evidence of nothing the product needs, and e-mail jobs carry
		// personal data in their arguments (never one-time links: those jobs hold a token id
		// and build the link when they run): keep them only briefly. Discarded jobs (mail that
		// never left after every attempt) stay a week for the operators to look at.
		CompletedJobRetentionPeriod: time.Hour,
		// REINDEX needs the table owner; the runtime role is not. Reindexing River's tables is
		// an operator's task (as the owner), so the runtime client never tries.
		ReindexerIndexNames: []string{},
		FetchPollInterval:   o.FetchPollInterval,
		JobTimeout:          2 * time.Minute,
		ErrorHandler:        &errorLogger{log: log.With("component", "jobs")},
	}
	if len(workers) > 0 {
		ws := river.NewWorkers()
		for _, w := range workers {
			w(ws)
		}
		cfg.Workers = ws
		cfg.PeriodicJobs = o.Periodic
		cfg.Queues = map[string]river.QueueConfig{
			QueueDefault: {MaxWorkers: 10},
			QueueEmail:   {MaxWorkers: 5},
		}
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Client{river: rc, works: len(workers) > 0}, nil
}

// Start begins working the queues until ctx ends or Stop is called. An insert-only client
// does nothing.
func (c *Client) Start(ctx context.Context) error {
	if !c.works {
		return nil
	}
	return c.river.Start(ctx)
}

// Stop lets running jobs finish (within ctx) and stops fetching new ones.
func (c *Client) Stop(ctx context.Context) error {
	if !c.works {
		return nil
	}
	err := c.river.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Jobs still running are cancelled; River retries them later.
		return c.river.StopAndCancel(context.WithoutCancel(ctx))
	}
	return err
}

// InsertTx enqueues a job in tx: it becomes visible to workers when tx commits.
func (c *Client) InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := c.river.InsertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// River exposes the underlying client, for tests and administration commands.
func (c *Client) River() *river.Client[pgx.Tx] { return c.river }

type errorLogger struct{ log *slog.Logger }

func (e *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	e.log.WarnContext(ctx, "job failed", "kind", job.Kind, "id", job.ID, "attempt", job.Attempt,
		"max_attempts", job.MaxAttempts, "err", err)
	return nil
}

func (e *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, v any, trace string) *river.ErrorHandlerResult {
	e.log.ErrorContext(ctx, "job panicked", "kind", job.Kind, "id", job.ID, "attempt", job.Attempt,
		"panic", fmt.Sprint(v), "trace", trace)
	return nil
}

// migrateLock serialises River migrations of replicas starting at the same time.
const migrateLock = 7244012

// Migrate brings River's tables in schema "river" up to date, as the owner role, then grants
// the runtime group what River needs at run time: the schema, read/write on its tables, its
// sequences and functions. LISTEN/NOTIFY needs no grant. Safe to run again and concurrently.
func Migrate(ctx context.Context, ownerPool *pgxpool.Pool) error {
	conn, err := ownerPool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLock); err != nil {
		return fmt.Errorf("jobs migrate: lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLock)
	}()
	schema := pgx.Identifier{Schema}.Sanitize()
	group := pgx.Identifier{RuntimeGroup}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		return fmt.Errorf("jobs migrate: schema: %w", err)
	}
	m, err := rivermigrate.New(riverpgxv5.New(ownerPool), &rivermigrate.Config{
		Schema: Schema,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return fmt.Errorf("jobs migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs migrate: %w", err)
	}
	for _, q := range []string{
		"GRANT USAGE ON SCHEMA " + schema + " TO " + group,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + group,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + group,
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA " + schema + " TO " + group,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("jobs migrate: %s: %w", q, err)
		}
	}
	return nil
}
