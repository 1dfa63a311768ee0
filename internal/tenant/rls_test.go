package tenant_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// fixtures insert one row of a tenant table for the transaction's tenant, as the runtime role.
// Every table with a tenant_id column must have one: TestEveryTenantTableIsIsolated fails for
// a table without, so a new table cannot be forgotten.
var fixtures = map[string]string{
	"tenant_profiles":   `INSERT INTO tenant_profiles (tenant_id, city) VALUES ($1, 'Prova') ON CONFLICT (tenant_id) DO UPDATE SET city = 'Prova'`,
	"audit_log":         `INSERT INTO audit_log (tenant_id, actor_label, action) VALUES ($1, 'test', 'test.fixture')`,
	"categories":        `INSERT INTO categories (tenant_id, code, name) VALUES ($1, 'T' || floor(random() * 1e9)::bigint, 'Categoria di prova')`,
	"offices":           `INSERT INTO offices (tenant_id, slug, name) VALUES ($1, 'u' || floor(random() * 1e12)::bigint, 'Ufficio di prova')`,
	"office_exceptions": `INSERT INTO office_exceptions (tenant_id, date_from, date_to, reason) VALUES ($1, '2026-12-25', '2026-12-26', 'Natale')`,
	"people":            `INSERT INTO people (tenant_id, name) VALUES ($1, 'Maria Rossi')`,
	"services":          `INSERT INTO services (tenant_id, slug, title) VALUES ($1, 's' || floor(random() * 1e12)::bigint, 'Servizio di prova')`,
	"documents": `INSERT INTO documents (tenant_id, title, filename, content_type, size_bytes, sha256, data)
		VALUES ($1, 'Modulo', 'modulo.pdf', 'application/pdf', 4, 'x', '\x25504446')`,
	"carta_sections":       `INSERT INTO carta_sections (tenant_id, key, title) VALUES ($1, 'k' || floor(random() * 1e12)::bigint, 'Sezione')`,
	"ambito_service_hides": `INSERT INTO ambito_service_hides (tenant_id, ambito_service_id, reason) VALUES ($1, gen_random_uuid(), 'Non offerto qui')`,
	"carta_schedules":      `INSERT INTO carta_schedules (tenant_id, publish_at) VALUES ($1, now() + interval '1 day')`,
	"carta_versions": `INSERT INTO carta_versions (tenant_id, number, snapshot)
		VALUES ($1, (SELECT coalesce(max(number), 0) + 1 FROM carta_versions WHERE tenant_id = $1), '{}')`,
	"carta_state": `INSERT INTO carta_state (tenant_id, published_version) VALUES ($1, 1)
		ON CONFLICT (tenant_id) DO UPDATE SET published_version = carta_state.published_version + 1`,
	"service_search": `INSERT INTO service_search (tenant_id, service_id, version, slug, title, document, plain)
		VALUES ($1, gen_random_uuid(), 1, 'servizio', 'Servizio', to_tsvector('carta_it', 'Servizio'), 'servizio')`,
	"office_hours": `WITH o AS (INSERT INTO offices (tenant_id, slug, name) VALUES ($1, 'u' || floor(random() * 1e12)::bigint, 'Ufficio')
		RETURNING tenant_id, id) INSERT INTO office_hours (tenant_id, office_id, weekday, opens, closes) SELECT tenant_id, id, 1, '09:00', '12:00' FROM o`,
	"service_deadlines": `WITH s AS (INSERT INTO services (tenant_id, slug, title) VALUES ($1, 's' || floor(random() * 1e12)::bigint, 'Servizio')
		RETURNING tenant_id, id) INSERT INTO service_deadlines (tenant_id, service_id, label) SELECT tenant_id, id, 'Domande entro' FROM s`,
	"service_standards": `WITH s AS (INSERT INTO services (tenant_id, slug, title) VALUES ($1, 's' || floor(random() * 1e12)::bigint, 'Servizio')
		RETURNING tenant_id, id) INSERT INTO service_standards (tenant_id, service_id, dimension, description)
		SELECT tenant_id, id, 'tempestivita', 'Primo colloquio entro 7 giorni' FROM s`,
	"complaint_counters": `INSERT INTO complaint_counters (tenant_id, year, last) VALUES ($1, 2000 + floor(random() * 200)::int, 1)
		ON CONFLICT (tenant_id, year) DO UPDATE SET last = complaint_counters.last + 1`,
	"complaints": `INSERT INTO complaints (tenant_id, year, number, channel, what_happened, first_name, last_name, consent_at, due_on)
		VALUES ($1, 2026, 1 + floor(random() * 1e9)::int, 'web', 'Attesa troppo lunga', 'Maria', 'Rossi', now(), current_date + 30)`,
	"complaint_events": `WITH c AS (INSERT INTO complaints (tenant_id, year, number, channel, what_happened, first_name, last_name, consent_at, due_on)
		VALUES ($1, 2026, 1 + floor(random() * 1e9)::int, 'web', 'Attesa', 'Maria', 'Rossi', now(), current_date + 30) RETURNING tenant_id, id)
		INSERT INTO complaint_events (tenant_id, complaint_id, kind) SELECT tenant_id, id, 'submitted' FROM c`,
	"complaint_links": `WITH c AS (INSERT INTO complaints (tenant_id, year, number, channel, what_happened, first_name, last_name, consent_at, due_on)
		VALUES ($1, 2026, 1 + floor(random() * 1e9)::int, 'web', 'Attesa', 'Maria', 'Rossi', now(), current_date + 30) RETURNING tenant_id, id)
		INSERT INTO complaint_links (tenant_id, token_hash, complaint_id, via) SELECT tenant_id, sha256(gen_random_uuid()::text::bytea), id, 'conferma' FROM c`,
	"complaint_reply_templates": `INSERT INTO complaint_reply_templates (tenant_id, title, body) VALUES ($1, 'Scuse', 'Ci scusiamo.')`,
	"complaint_assignments": `WITH c AS (INSERT INTO complaints (tenant_id, year, number, channel, what_happened, first_name, last_name, consent_at, due_on)
		VALUES ($1, 2026, 1 + floor(random() * 1e9)::int, 'web', 'Attesa', 'Maria', 'Rossi', now(), current_date + 30) RETURNING tenant_id, id)
		INSERT INTO complaint_assignments (tenant_id, complaint_id, office_id, office_name) SELECT tenant_id, id, gen_random_uuid(), 'Sportello' FROM c`,
	"complaint_uploads": `INSERT INTO complaint_uploads (tenant_id, token_hash, filename, content_type, size_bytes, data)
		VALUES ($1, sha256(gen_random_uuid()::text::bytea), 'foto.png', 'image/png', 4, '\x89504e47')`,
	"complaint_attachments": `WITH c AS (INSERT INTO complaints (tenant_id, year, number, channel, what_happened, first_name, last_name, consent_at, due_on)
		VALUES ($1, 2026, 1 + floor(random() * 1e9)::int, 'web', 'Attesa', 'Maria', 'Rossi', now(), current_date + 30) RETURNING tenant_id, id)
		INSERT INTO complaint_attachments (tenant_id, complaint_id, n, filename, content_type, size_bytes, data)
		SELECT tenant_id, id, 1, 'verbale.pdf', 'application/pdf', 4, '\x25504446' FROM c`,
	"feedback":         `INSERT INTO feedback (tenant_id, kind, body) VALUES ($1, 'suggerimento', 'Più orari al pomeriggio')`,
	"page_ratings":     `INSERT INTO page_ratings (tenant_id, path, stars, rated_on) VALUES ($1, '/servizi', 4, current_date)`,
	"survey_questions": `INSERT INTO survey_questions (tenant_id, label) VALUES ($1, 'Pulizia dei locali')`,
	"survey_responses": `INSERT INTO survey_responses (tenant_id, channel, submitted_on) VALUES ($1, 'online', current_date)`,
	"survey_answers": `WITH r AS (INSERT INTO survey_responses (tenant_id, channel, submitted_on) VALUES ($1, 'paper', current_date)
		RETURNING tenant_id, id) INSERT INTO survey_answers (tenant_id, response_id, question, score) SELECT tenant_id, id, 'cortesia', 5 FROM r`,
	"standard_measures": `INSERT INTO standard_measures (tenant_id, service_id, standard_id, period_from, period_to, value)
		VALUES ($1, gen_random_uuid(), gen_random_uuid(), '2026-01-01', '2026-06-30', 7)`,
	"kiosks": `INSERT INTO kiosks (tenant_id, office_id, office_name, token_hash)
		VALUES ($1, gen_random_uuid(), 'Sportello', sha256(gen_random_uuid()::text::bytea))`,
	"kiosk_ratings": `WITH k AS (INSERT INTO kiosks (tenant_id, office_id, office_name, token_hash)
		VALUES ($1, gen_random_uuid(), 'Sportello', sha256(gen_random_uuid()::text::bytea)) RETURNING tenant_id, id, office_id)
		INSERT INTO kiosk_ratings (tenant_id, kiosk_id, office_id, office_name, face, rated_on)
		SELECT tenant_id, id, office_id, 'Sportello', 'soddisfatto', current_date FROM k`,
	"improvement_actions": `INSERT INTO improvement_actions (tenant_id, year, title, indicator, owner, due_on)
		VALUES ($1, 2026, 'Risposte più rapide ai reclami', 'reclami_risposti_in_tempo', 'Ufficio relazioni con il pubblico', '2026-12-31')`,
	"open311_keys": `INSERT INTO open311_keys (tenant_id, key_hash, label) VALUES ($1, sha256(gen_random_uuid()::text::bytea), 'App di prova')`,
	"invitations": `WITH u AS (INSERT INTO users (email, display_name) VALUES ('invito-' || gen_random_uuid() || '@example.it', 'Invitato')
		RETURNING id) INSERT INTO invitations (tenant_id, user_id, email, name, roles, expires_at)
		SELECT $1, id, 'invitato@example.it', 'Invitato', '{urp}', now() + interval '7 days' FROM u`,
}

// ownOnly are the tables an ambito does not read even for its member comuni: who a comune
// invites into its staff area is that comune's alone.
var ownOnly = map[string]bool{"invitations": true,
	"complaint_counters": true, "complaints": true, "complaint_events": true, "complaint_links": true, "feedback": true,
	"open311_keys": true, "complaint_assignments": true, "complaint_reply_templates": true,
	"complaint_uploads": true, "complaint_attachments": true,
	"page_ratings": true, "survey_questions": true, "survey_responses": true, "survey_answers": true,
	"kiosks": true, "kiosk_ratings": true, "improvement_actions": true}

// published are the tables of published content: a member comune reads its ambito's rows
// there (the ambito's services appear in its Carta), and nowhere else.
var published = map[string]bool{"carta_versions": true, "carta_state": true, "service_search": true,
	"standard_measures": true}

// tenantTables lists the tables of the public schema that have a tenant_id column.
func tenantTables(t *testing.T, env *testenv.Env) []string {
	t.Helper()
	rows, err := env.Admin.Query(context.Background(), `
		SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
		ORDER BY 1`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, names)
	return names
}

func insertFixture(ctx context.Context, tx *tenant.Tx, table string, tenantID uuid.UUID) error {
	_, err := tx.Raw.Exec(ctx, fixtures[table], tenantID)
	return err
}

func count(ctx context.Context, tx *tenant.Tx, table string, tenantID uuid.UUID) (int, error) {
	var n int
	err := tx.Raw.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE tenant_id = $1", pgx.Identifier{table}.Sanitize()), tenantID).Scan(&n)
	return n, err
}

// adminCount counts rows bypassing RLS (superuser), to check what really is in the table.
func adminCount(t *testing.T, env *testenv.Env, table string, tenantID uuid.UUID) int {
	var n int
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		fmt.Sprintf("SELECT count(*) FROM %s WHERE tenant_id = $1", pgx.Identifier{table}.Sanitize()), tenantID).Scan(&n))
	return n
}

func requireFixture(t *testing.T, table string) {
	t.Helper()
	_, ok := fixtures[table]
	require.True(t, ok, "table %s has tenant_id but no fixture in rls_test.go: add one so its isolation is tested", table)
}

// requireNoCrossTenantChange tries, as tenant actor, to update and to delete the rows of
// tenant victim: each statement either touches nothing (the rows are invisible) or is refused
// outright (no privilege, for append-only tables).
func requireNoCrossTenantChange(t *testing.T, env *testenv.Env, actor uuid.UUID, table string, victim uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	q := pgx.Identifier{table}.Sanitize()
	for _, stmt := range []string{
		"UPDATE " + q + " SET tenant_id = tenant_id WHERE tenant_id = $1",
		"DELETE FROM " + q + " WHERE tenant_id = $1",
	} {
		var affected int64
		err := env.DB.InTx(ctx, actor, func(tx *tenant.Tx) error {
			tag, err := tx.Raw.Exec(ctx, stmt, victim)
			affected = tag.RowsAffected()
			return err
		})
		if err != nil {
			requireRLSViolation(t, err, stmt)
			continue
		}
		require.Zero(t, affected, "%s touched another tenant's rows", stmt)
	}
}

func requireRLSViolation(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	var pe *pgconn.PgError
	require.True(t, errors.As(err, &pe), "%s: %v", what, err)
	// 42501: row-level security violation or missing privilege — either way, refused.
	require.Equal(t, "42501", pe.Code, "%s: %v", what, err)
}

func TestEveryTenantTableHasRLSEnabledAndForced(t *testing.T) {
	env := testenv.Get(t)
	for _, table := range tenantTables(t, env) {
		var enabled, forced bool
		require.NoError(t, env.Admin.QueryRow(context.Background(),
			`SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1::regclass`, table).Scan(&enabled, &forced))
		require.True(t, enabled, "%s: row-level security not enabled", table)
		require.True(t, forced, "%s: row-level security not forced", table)
		var policies int
		require.NoError(t, env.Admin.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = $1`, table).Scan(&policies))
		require.Positive(t, policies, "%s: no policy", table)
	}
}

func TestEveryTenantTableIsIsolated(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a := env.NewTenant(t, tenant.KindComune)
	b := env.NewTenant(t, tenant.KindComune)

	for _, table := range tenantTables(t, env) {
		t.Run(table, func(t *testing.T) {
			requireFixture(t, table)

			// Each tenant writes its own row, through the normal path.
			for _, tn := range []*tenant.Tenant{a, b} {
				require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
					return insertFixture(ctx, tx, table, tn.ID)
				}))
			}
			beforeB := adminCount(t, env, table, b.ID)
			require.Positive(t, beforeB)

			// A reads none of B's rows, and sees its own.
			require.NoError(t, env.DB.InTx(ctx, a.ID, func(tx *tenant.Tx) error {
				n, err := count(ctx, tx, table, b.ID)
				require.NoError(t, err)
				require.Zero(t, n, "tenant A reads tenant B's rows")
				n, err = count(ctx, tx, table, a.ID)
				require.NoError(t, err)
				require.Positive(t, n, "tenant A does not see its own rows")
				return nil
			}))

			// A cannot insert a row for B.
			err := env.DB.InTx(ctx, a.ID, func(tx *tenant.Tx) error { return insertFixture(ctx, tx, table, b.ID) })
			requireRLSViolation(t, err, "insert for another tenant")

			// A cannot update or delete B's rows: they are invisible, so nothing is touched.
			requireNoCrossTenantChange(t, env, a.ID, table, b.ID)
			q := pgx.Identifier{table}.Sanitize()
			// Nor move its own rows into B.
			err = env.DB.InTx(ctx, a.ID, func(tx *tenant.Tx) error {
				_, err := tx.Raw.Exec(ctx, "UPDATE "+q+" SET tenant_id = $1 WHERE tenant_id = $2", b.ID, a.ID)
				return err
			})
			requireRLSViolation(t, err, "moving a row to another tenant")
			require.Equal(t, beforeB, adminCount(t, env, table, b.ID), "tenant B's rows changed")

			// With no tenant set, nothing is visible and nothing can be written.
			require.NoError(t, env.DB.InSystemTx(ctx, func(tx *tenant.Tx) error {
				var n int
				require.NoError(t, tx.Raw.QueryRow(ctx, "SELECT count(*) FROM "+q).Scan(&n))
				require.Zero(t, n, "rows visible without a tenant")
				return nil
			}))
			err = env.DB.InSystemTx(ctx, func(tx *tenant.Tx) error { return insertFixture(ctx, tx, table, a.ID) })
			requireRLSViolation(t, err, "insert without a tenant")
		})
	}
}

func TestAmbitoReadsMembersButWritesOnlyItsOwn(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	member := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	other := env.NewTenant(t, tenant.KindComune)
	otherAmb := env.NewTenant(t, tenant.KindAmbito)

	for _, table := range tenantTables(t, env) {
		t.Run(table, func(t *testing.T) {
			requireFixture(t, table)
			for _, tn := range []*tenant.Tenant{amb, member, other, otherAmb} {
				require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error { return insertFixture(ctx, tx, table, tn.ID) }))
			}
			// The ambito reads its member comune, not a comune outside it, nor another ambito.
			require.NoError(t, env.DB.InTx(ctx, amb.ID, func(tx *tenant.Tx) error {
				n, err := count(ctx, tx, table, member.ID)
				require.NoError(t, err)
				if ownOnly[table] {
					require.Zero(t, n, "ambito reads its member's rows of a table kept to each tenant")
				} else {
					require.Positive(t, n, "ambito cannot read its member's rows")
				}
				for _, tn := range []*tenant.Tenant{other, otherAmb} {
					n, err = count(ctx, tx, table, tn.ID)
					require.NoError(t, err)
					require.Zero(t, n, "ambito reads rows of a tenant outside it")
				}
				return nil
			}))
			// ... but cannot write the member's rows.
			before := adminCount(t, env, table, member.ID)
			err := env.DB.InTx(ctx, amb.ID, func(tx *tenant.Tx) error { return insertFixture(ctx, tx, table, member.ID) })
			requireRLSViolation(t, err, "ambito inserting for a member")
			requireNoCrossTenantChange(t, env, amb.ID, table, member.ID)
			require.Equal(t, before, adminCount(t, env, table, member.ID))

			// A comune reads its ambito's published content, never its drafts, and nothing of
			// another comune or of another ambito.
			require.NoError(t, env.DB.InTx(ctx, member.ID, func(tx *tenant.Tx) error {
				n, err := count(ctx, tx, table, amb.ID)
				require.NoError(t, err)
				if published[table] {
					require.Positive(t, n, "comune cannot read its ambito's published rows")
				} else {
					require.Zero(t, n, "comune reads its ambito's draft rows")
				}
				for _, tn := range []*tenant.Tenant{other, otherAmb} {
					n, err := count(ctx, tx, table, tn.ID)
					require.NoError(t, err)
					require.Zero(t, n, "comune reads rows of another %s", tn.Kind)
				}
				return nil
			}))
			// A comune outside the ambito sees none of its published content.
			require.NoError(t, env.DB.InTx(ctx, other.ID, func(tx *tenant.Tx) error {
				n, err := count(ctx, tx, table, amb.ID)
				require.NoError(t, err)
				require.Zero(t, n, "comune reads the published rows of an ambito it is not in")
				return nil
			}))
		})
	}
}

func TestLeavingTheAmbitoEndsReadDown(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	amb2 := env.NewTenant(t, tenant.KindAmbito)
	c := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	require.NoError(t, env.DB.InTx(ctx, c.ID, func(tx *tenant.Tx) error { return insertFixture(ctx, tx, "audit_log", c.ID) }))
	seen := func(ambID uuid.UUID) int {
		var n int
		require.NoError(t, env.DB.InTx(ctx, ambID, func(tx *tenant.Tx) error {
			var err error
			n, err = count(ctx, tx, "audit_log", c.ID)
			return err
		}))
		return n
	}
	require.Positive(t, seen(amb.ID))
	// Moving to another ambito: the old one loses sight, the new one gains it.
	env.Join(t, c, amb2, false)
	require.Zero(t, seen(amb.ID))
	require.Positive(t, seen(amb2.ID))
}

// TestTenantKeysAndIndexesLeadWithTenantID checks the conventions that keep unique keys and
// foreign keys — which PostgreSQL checks without row-level security — from revealing another
// tenant's rows: every unique key, index and foreign key between tenant tables starts with
// tenant_id.
func TestTenantKeysAndIndexesLeadWithTenantID(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	tables := tenantTables(t, env)
	isTenant := map[string]bool{}
	for _, tb := range tables {
		isTenant[tb] = true
	}
	// Indexes (unique or not, primary keys included): the first column is tenant_id.
	rows, err := env.Admin.Query(ctx, `
		SELECT t.relname, i.relname, a.attname
		FROM pg_index x
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
		WHERE n.nspname = 'public' AND t.relname = ANY($1)`, tables)
	require.NoError(t, err)
	var bad []string
	for rows.Next() {
		var table, index string
		var first *string
		require.NoError(t, rows.Scan(&table, &index, &first))
		if first == nil || *first != "tenant_id" {
			bad = append(bad, table+"."+index)
		}
	}
	require.NoError(t, rows.Err())
	sort.Strings(bad)
	require.Empty(t, bad, "indexes of tenant tables must lead with tenant_id")

	// Foreign keys from one tenant table to another are composite and start with tenant_id
	// on both sides.
	rows, err = env.Admin.Query(ctx, `
		SELECT c.conname, s.relname, d.relname,
		       (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]),
		       (SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = c.confkey[1]),
		       array_length(c.conkey, 1)
		FROM pg_constraint c
		JOIN pg_class s ON s.oid = c.conrelid
		JOIN pg_class d ON d.oid = c.confrelid
		WHERE c.contype = 'f' AND s.relname = ANY($1) AND d.relname = ANY($1)`, tables)
	require.NoError(t, err)
	for rows.Next() {
		var name, src, dst, srcFirst, dstFirst string
		var n int
		require.NoError(t, rows.Scan(&name, &src, &dst, &srcFirst, &dstFirst, &n))
		if srcFirst != "tenant_id" || dstFirst != "tenant_id" || n < 2 {
			bad = append(bad, fmt.Sprintf("%s (%s -> %s)", name, src, dst))
		}
	}
	require.NoError(t, rows.Err())
	require.Empty(t, bad, "foreign keys between tenant tables must be composite (tenant_id, id)")
}

// TestCompositeKeysRevealNothing demonstrates on two small tables, built with the product's
// conventions inside this package's private database, why the conventions matter: a
// composite foreign key refuses a reference to another tenant's row exactly as it refuses a
// reference to a row that does not exist, and a per-tenant unique slug lets two tenants pick
// the same slug without either learning about the other.
func TestCompositeKeysRevealNothing(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	// Built as the owner (not superuser), like a migration would.
	owner, err := pgx.Connect(ctx, env.OwnerURL)
	require.NoError(t, err)
	defer owner.Close(ctx)
	for _, s := range []string{
		`CREATE TABLE IF NOT EXISTS probe_parent (tenant_id uuid NOT NULL REFERENCES tenants (id), id uuid NOT NULL DEFAULT gen_random_uuid(),
			slug text NOT NULL, PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, slug))`,
		`CREATE TABLE IF NOT EXISTS probe_child (tenant_id uuid NOT NULL, id bigint GENERATED ALWAYS AS IDENTITY, parent_id uuid NOT NULL,
			PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, parent_id) REFERENCES probe_parent (tenant_id, id))`,
	} {
		_, err := owner.Exec(ctx, s)
		require.NoError(t, err)
	}
	for _, tb := range []string{"probe_parent", "probe_child"} {
		for _, s := range []string{
			"ALTER TABLE " + tb + " ENABLE ROW LEVEL SECURITY",
			"ALTER TABLE " + tb + " FORCE ROW LEVEL SECURITY",
			"DROP POLICY IF EXISTS own ON " + tb,
			"CREATE POLICY own ON " + tb + " USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()))",
			"GRANT SELECT, INSERT ON " + tb + " TO carta_runtime",
		} {
			_, err := owner.Exec(ctx, s)
			require.NoError(t, err, s)
		}
	}
	a := env.NewTenant(t, tenant.KindComune)
	b := env.NewTenant(t, tenant.KindComune)
	var parentA uuid.UUID
	require.NoError(t, env.DB.InTx(ctx, a.ID, func(tx *tenant.Tx) error {
		return tx.Raw.QueryRow(ctx, "INSERT INTO probe_parent (tenant_id, slug) VALUES ($1, 'assistenza-domiciliare') RETURNING id", a.ID).Scan(&parentA)
	}))

	// B references A's parent, then a parent that exists nowhere: the same refusal.
	refuse := func(parent uuid.UUID) *pgconn.PgError {
		err := env.DB.InTx(ctx, b.ID, func(tx *tenant.Tx) error {
			_, err := tx.Raw.Exec(ctx, "INSERT INTO probe_child (tenant_id, parent_id) VALUES ($1, $2)", b.ID, parent)
			return err
		})
		var pe *pgconn.PgError
		require.True(t, errors.As(err, &pe), "expected a database error, got %v", err)
		return pe
	}
	other, missing := refuse(parentA), refuse(uuid.New())
	require.Equal(t, "23503", other.Code)
	require.Equal(t, missing.Code, other.Code)
	require.Equal(t, missing.ConstraintName, other.ConstraintName)
	// Under RLS PostgreSQL leaves the key out of the detail: both errors read the same.
	require.Equal(t, missing.Message, other.Message)
	require.Equal(t, missing.Detail, other.Detail, "the error must not tell another tenant's row from no row")
	require.NotContains(t, other.Detail, parentA.String())

	// B picks the slug A uses: accepted, nothing learned.
	require.NoError(t, env.DB.InTx(ctx, b.ID, func(tx *tenant.Tx) error {
		_, err := tx.Raw.Exec(ctx, "INSERT INTO probe_parent (tenant_id, slug) VALUES ($1, 'assistenza-domiciliare')", b.ID)
		return err
	}))
}

func TestTenantSettingDoesNotLeakAcrossPooledConnections(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a := env.NewTenant(t, tenant.KindComune)
	// Many transactions for A, then transactions without a tenant on the same small pool: the
	// setting is transaction-local, so none of the later ones sees A.
	for range 20 {
		require.NoError(t, env.DB.InTx(ctx, a.ID, func(tx *tenant.Tx) error { return insertFixture(ctx, tx, "audit_log", a.ID) }))
	}
	for range 20 {
		require.NoError(t, env.DB.InSystemTx(ctx, func(tx *tenant.Tx) error {
			var setting *string
			require.NoError(t, tx.Raw.QueryRow(ctx, "SELECT nullif(current_setting('app.tenant_id', true), '')").Scan(&setting))
			require.Nil(t, setting, "a previous transaction's tenant is still set")
			return nil
		}))
	}
	// A failed transaction rolls back and leaves nothing behind either.
	boom := errors.New("boom")
	err := env.DB.InTx(ctx, a.ID, func(tx *tenant.Tx) error { return boom })
	require.ErrorIs(t, err, boom)
	require.NoError(t, env.DB.InSystemTx(ctx, func(tx *tenant.Tx) error {
		var setting *string
		require.NoError(t, tx.Raw.QueryRow(ctx, "SELECT nullif(current_setting('app.tenant_id', true), '')").Scan(&setting))
		require.Nil(t, setting)
		return nil
	}))
}

func TestRuntimeRoleIsBoundByRLS(t *testing.T) {
	env := testenv.Get(t)
	require.NoError(t, env.DB.CheckRuntimeRole(context.Background()))
}
