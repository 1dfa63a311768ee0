package tenant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartasociale/carta/internal/db"
)

// DB is the only way application code reaches a query. Every transaction it opens carries the
// tenant in app.tenant_id (transaction-local, so it can never leak into the next user of the
// pooled connection) or, for the platform's global tables, no tenant at all — in which case every
// row-level-security policy matches nothing.
type DB struct {
	pool             *pgxpool.Pool
	statementTimeout time.Duration
}

// NewDB wraps a pool connected as the runtime role.
func NewDB(pool *pgxpool.Pool) *DB { return &DB{pool: pool, statementTimeout: 10 * time.Second} }

// Tx is what a use case sees inside a transaction: the typed queries and, for code that must
// enqueue jobs in the same transaction, the raw transaction.
type Tx struct {
	*db.Queries
	Raw      pgx.Tx
	TenantID uuid.UUID // uuid.Nil in a system transaction
}

// InTx runs fn in one transaction scoped to tenantID. BEGIN, the tenant and a statement timeout
// travel in a single round trip (one simple-protocol message); the uuid type makes the
// interpolation safe. The transaction commits when fn returns nil and rolls back otherwise,
// also when the request was cancelled meanwhile.
func (d *DB) InTx(ctx context.Context, tenantID uuid.UUID, fn func(tx *Tx) error) error {
	if tenantID == uuid.Nil {
		return errors.New("tenant.InTx: no tenant")
	}
	return d.run(ctx, tenantID, fn)
}

// InSystemTx runs fn in a transaction with no tenant set: only the global tables (tenants,
// users, casbin rules) are visible; tenant tables return zero rows and refuse writes.
func (d *DB) InSystemTx(ctx context.Context, fn func(tx *Tx) error) error {
	return d.run(ctx, uuid.Nil, fn)
}

func (d *DB) run(ctx context.Context, tenantID uuid.UUID, fn func(tx *Tx) error) (err error) {
	begin := fmt.Sprintf("BEGIN; SET LOCAL statement_timeout = %d", d.statementTimeout.Milliseconds())
	if tenantID != uuid.Nil {
		begin += fmt.Sprintf("; SELECT set_config('app.tenant_id', '%s', true)", tenantID.String())
	}
	ptx, err := d.pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			// The request may have been cancelled: roll back regardless, or the connection
			// goes back to the pool mid-transaction.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = ptx.Rollback(rctx)
		}
	}()
	if err = fn(&Tx{Queries: db.New(ptx), Raw: ptx, TenantID: tenantID}); err != nil {
		return err
	}
	if err = ptx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Pool returns the underlying pool for infrastructure that is not application code (health
// checks, the job queue's driver). Handlers never call it.
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// IsNoRows reports whether err means the row does not exist or is not visible.
func IsNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// CheckRuntimeRole refuses a connection whose role escapes row-level security: a superuser, a
// BYPASSRLS role or the tables' owner would see every tenant's rows.
func (d *DB) CheckRuntimeRole(ctx context.Context) error {
	return d.InSystemTx(ctx, func(tx *Tx) error {
		r, err := tx.RuntimeRoleCheck(ctx)
		if err != nil {
			return fmt.Errorf("checking the database role: %w", err)
		}
		switch {
		case r.IsSuperuser == nil || *r.IsSuperuser:
			return fmt.Errorf("database role %q is a superuser: row-level security would not apply; connect DATABASE_URL as the runtime role (see docs/DEPLOY.md)", r.RoleName)
		case r.BypassesRls == nil || *r.BypassesRls:
			return fmt.Errorf("database role %q has BYPASSRLS: row-level security would not apply; use a NOBYPASSRLS runtime role", r.RoleName)
		case r.OwnsTables:
			return fmt.Errorf("database role %q owns the tables (or is a member of their owner): use the runtime role in DATABASE_URL and the owner only in MIGRATE_DATABASE_URL", r.RoleName)
		}
		return nil
	})
}

// SchemaVersion returns the newest applied migration.
func (d *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := d.InSystemTx(ctx, func(tx *Tx) error {
		var err error
		v, err = tx.SchemaVersion(ctx)
		return err
	})
	return v, err
}
