package publication_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// event is one call of OnPublished, with what a fresh transaction saw at that moment.
type event struct {
	tenant  uuid.UUID
	version int
	visible int // the tenant's current version read in a new transaction from the callback
	visErr  error
}

// recorder collects OnPublished calls. Each call reads the current version in a transaction of
// its own: seeing the new number proves the callback ran after the commit.
type recorder struct {
	env *testenv.Env
	mu  sync.Mutex
	evs []event
}

func (r *recorder) onPublished(ctx context.Context, t *tenant.Tenant, version int) {
	ev := event{tenant: t.ID, version: version}
	ev.visErr = r.env.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		ev.visible, err = catalog.CurrentVersion(ctx, tx, t.ID)
		return err
	})
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

func (r *recorder) of(id uuid.UUID) []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event
	for _, e := range r.evs {
		if e.tenant == id {
			out = append(out, e)
		}
	}
	return out
}

// deps returns the real wiring: the catalogue's own draft loader and completeness check.
func deps(env *testenv.Env, rec *recorder) publication.Deps {
	return publication.Deps{DB: env.DB, Log: quiet, LoadDraft: catalog.LoadDraft,
		Completeness: catalog.Completeness, OnPublished: rec.onPublished}
}

// newUser creates a staff account and returns a context where it is logged in.
func newUser(t *testing.T, env *testenv.Env, name string) (uuid.UUID, context.Context) {
	t.Helper()
	var id uuid.UUID
	email := fmt.Sprintf("%s-%x@example.it", strings.ToLower(strings.ReplaceAll(name, " ", ".")), testenv.Uint64())
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		`INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id`, email, name).Scan(&id))
	ctx := principal.WithStaff(context.Background(), &principal.Staff{UserID: id, Email: email, Name: name})
	return id, ctx
}

// svcOpts tune a service inserted by addService.
type svcOpts struct {
	incomplete bool // no short description and no "Come fare"
	keywords   []string
}

// addService inserts a service in tn's draft (as the runtime role, in a tenant transaction)
// and returns its id. A complete one has every field publication requires.
func addService(t *testing.T, env *testenv.Env, tn *tenant.Tenant, title string, o svcOpts) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	short, howTo := "Breve descrizione di "+title, "Presenta la domanda allo **sportello sociale**."
	if o.incomplete {
		short, howTo = "", ""
	}
	if o.keywords == nil {
		o.keywords = []string{}
	}
	slug := strings.ToLower(strings.NewReplacer(" ", "-", "'", "-", "à", "a", "è", "e").Replace(title))
	var id uuid.UUID
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		if _, err := tx.Raw.Exec(ctx, `INSERT INTO categories (tenant_id, code, name) VALUES (app_tenant(), 'FAM', 'Famiglia e minori')
			ON CONFLICT (tenant_id, code) DO NOTHING`); err != nil {
			return err
		}
		return tx.Raw.QueryRow(ctx, `INSERT INTO services (tenant_id, slug, title, short_description, category_id,
				description, audience, how_to, needed_intro, obtained, timing, conditions_text, responsible_unit,
				topics, keywords)
			VALUES (app_tenant(), $1, $2, $3, (SELECT id FROM categories WHERE tenant_id = app_tenant() AND code = 'FAM'),
				'Un servizio *per le famiglie* e per chi è in difficoltà.', 'Famiglie residenti con figli minori.', $4,
				'Documento di identità e ISEE.', 'Un sostegno concreto.', 'Risposta entro 30 giorni.',
				'Si applica il regolamento comunale.', 'Servizio Sociale Professionale', '{Assistenza sociale}', $5)
			RETURNING id`, slug, title, short, howTo, o.keywords).Scan(&id)
	}))
	return id
}

// exec runs a statement in tn's transaction, as the runtime role.
func exec(t *testing.T, env *testenv.Env, tn *tenant.Tenant, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		_, err := tx.Raw.Exec(ctx, sql, args...)
		return err
	}))
}

// count counts rows bypassing row-level security, to see what is really stored.
func count(t *testing.T, env *testenv.Env, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, env.Admin.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func loadVersion(t *testing.T, env *testenv.Env, tn *tenant.Tenant, n int) *catalog.Carta {
	t.Helper()
	ctx := context.Background()
	var c *catalog.Carta
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		var err error
		c, err = catalog.LoadPublished(ctx, tx, tn.ID, n)
		return err
	}))
	return c
}

func serviceByID(t *testing.T, c *catalog.Carta, id uuid.UUID) catalog.Service {
	t.Helper()
	for _, s := range c.Services {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("service %s not in version %d", id, c.Version)
	return catalog.Service{}
}

var migrateOnce sync.Once

// migrateJobs creates River's tables in this package's database (once).
func migrateJobs(t *testing.T, env *testenv.Env) {
	t.Helper()
	var err error
	migrateOnce.Do(func() {
		ctx := context.Background()
		var owner *pgxpool.Pool
		owner, err = pgxpool.New(ctx, env.OwnerURL)
		if err != nil {
			return
		}
		defer owner.Close()
		err = jobs.Migrate(ctx, owner)
	})
	require.NoError(t, err)
}
