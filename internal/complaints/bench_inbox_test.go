package complaints_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// BenchmarkInbox times the URP's inbox on a database of its own holding many complaints across
// many comuni: CARTA_BENCH_COMPLAINTS of them (50,000 when unset), a tenth in one large comune,
// the rest spread evenly over the others (one comune per thousand complaints, at least 10).
// They are written as the superuser with INSERT … SELECT generate_series (row-level security
// does not apply to it; the owner is itself under FORCE ROW LEVEL SECURITY), over the last three
// years: the old ones closed, the last month's open, some of the previous month's overdue, most
// assigned to one of five offices, nine in ten about one of eight services; then VACUUM ANALYZE.
//
// For the large comune and a small one, each case is timed three ways:
//   - list: complaints.Service.List as the URP's page calls it (runtime role, tenant
//     transaction, row-level security, the page and the counts per status);
//   - rls: the inbox's own SQL alone, as the runtime role in the tenant's transaction;
//   - owner: the same SQL with an explicit tenant_id filter, as a role that bypasses
//     row-level security, in a transaction too: the baseline of rls (the ratio "x-owner").
//
// Each case's plan under row-level security is checked by EXPLAIN (ANALYZE, BUFFERS): a
// sequential scan of the complaints or of their assignments fails the benchmark. With
// CARTA_BENCH_PLANS=file the plans are written there.
//
//	CARTA_BENCH_COMPLAINTS=1000000 go test -run '^$' -bench Inbox -benchtime 200x -timeout 60m ./internal/complaints/
func BenchmarkInbox(b *testing.B) {
	total := 50_000
	if v := os.Getenv("CARTA_BENCH_COMPLAINTS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(b, err, "CARTA_BENCH_COMPLAINTS")
		total = n
	}
	comuni := max(10, total/1000)
	large := total / 10
	ctx := context.Background()
	env := testenv.Get(b).Isolated(b)

	start := time.Now()
	seedInbox(b, env, total, comuni, large)
	b.Logf("seeded %d complaints over %d comuni (the largest %d) in %s", total, comuni, large, time.Since(start).Round(time.Second))

	svc := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, Log: quiet,
		SiteURL: func(s string) string { return "http://" + s + ".carta.test" }})
	inboxSQL, countsSQL := generatedSQL(b, "complaintInbox"), generatedSQL(b, "complaintCounts")
	ownerInbox := strings.Replace(inboxSQL, "FROM complaints c\nWHERE ", "FROM complaints c\nWHERE c.tenant_id = $12 AND ", 1)
	ownerCounts := strings.Replace(countsSQL, "FROM complaints GROUP BY", "FROM complaints WHERE tenant_id = $1 GROUP BY", 1)
	require.NotEqual(b, inboxSQL, ownerInbox)
	require.NotEqual(b, countsSQL, ownerCounts)

	var plans *os.File
	if p := os.Getenv("CARTA_BENCH_PLANS"); p != "" {
		f, err := os.Create(p)
		require.NoError(b, err)
		defer f.Close()
		plans = f
	}

	for _, size := range []struct {
		name string
		slug string
	}{{"large", "b00001"}, {"small", "b00002"}} {
		tn, err := env.Tenants.BySlug(ctx, size.slug)
		require.NoError(b, err)
		var n int
		require.NoError(b, env.Admin.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE tenant_id = $1`, tn.ID).Scan(&n))
		var svcID, officeID uuid.UUID
		require.NoError(b, env.Admin.QueryRow(ctx, `SELECT md5($1::text || 's0')::uuid, md5($1::text || 'o0')::uuid`, tn.ID).Scan(&svcID, &officeID))
		// The next page is taken over every complaint ("tutti"): a small comune's open ones
		// fit in one page.
		first, err := svc.List(ctx, tn, complaints.Filter{Status: "tutti"})
		require.NoError(b, err)
		require.True(b, first.More, "the %s comune has more than one page", size.name)
		last := first.Complaints[len(first.Complaints)-1]
		cursor := &complaints.Cursor{SubmittedAt: last.SubmittedAt, ID: last.ID}
		open, err := svc.List(ctx, tn, complaints.Filter{})
		require.NoError(b, err)

		cases := []struct {
			name string
			f    complaints.Filter
		}{
			{"first-page", complaints.Filter{}},
			{"overdue", complaints.Filter{Overdue: true}},
			{"due-7-days", complaints.Filter{DueSoon: true}},
			{"by-service", complaints.Filter{Service: svcID.String()}},
			{"by-office", complaints.Filter{Office: &officeID}},
		}
		if open.More {
			// The default list's next page, where there is one (the large comune).
			l := open.Complaints[len(open.Complaints)-1]
			cases = append(cases, struct {
				name string
				f    complaints.Filter
			}{"next-page", complaints.Filter{After: &complaints.Cursor{SubmittedAt: l.SubmittedAt, ID: l.ID}}})
		}
		cases = append(cases, []struct {
			name string
			f    complaints.Filter
		}{
			{"all", complaints.Filter{Status: "tutti"}},
			{"all-next-page", complaints.Filter{Status: "tutti", After: cursor}},
		}...)
		for _, c := range cases {
			args := inboxArgs(c.f, svcID)
			explain(b, env, tn, plans, size.name+"/"+c.name, inboxSQL, args)
			explainOwner(b, env, plans, size.name+"/"+c.name+" (owner)", ownerInbox, append(args, tn.ID))
			prefix := fmt.Sprintf("%s-%d/%s/", size.name, n, c.name)
			owner := timeOp(b, prefix+"owner", 0, func() error {
				return ownerTx(ctx, env, func(tx pgx.Tx) error { return drain(tx.Query(ctx, ownerInbox, append(args, tn.ID)...)) })
			})
			timeOp(b, prefix+"rls", owner, func() error {
				return env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error { return drain(tx.Raw.Query(ctx, inboxSQL, args...)) })
			})
			timeOp(b, prefix+"list", 0, func() error { _, err := svc.List(ctx, tn, c.f); return err })
		}
		explain(b, env, tn, plans, size.name+"/counts", countsSQL, nil)
		explainOwner(b, env, plans, size.name+"/counts (owner)", ownerCounts, []any{tn.ID})
		prefix := fmt.Sprintf("%s-%d/counts/", size.name, n)
		owner := timeOp(b, prefix+"owner", 0, func() error {
			return ownerTx(ctx, env, func(tx pgx.Tx) error { return drain(tx.Query(ctx, ownerCounts, tn.ID)) })
		})
		timeOp(b, prefix+"rls", owner, func() error {
			return env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error { return drain(tx.Raw.Query(ctx, countsSQL)) })
		})
	}
}

// timeOp runs op b.N times in a sub-benchmark and reports its mean, p50 and p99 in ms; with a
// baseline (the owner's mean, in ns) also the ratio to it. It returns the mean in ns.
func timeOp(b *testing.B, name string, baseline float64, op func() error) float64 {
	var mean float64
	b.Run(name, func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for b.Loop() {
			t0 := time.Now()
			if err := op(); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		var sum time.Duration
		for _, l := range lat {
			sum += l
		}
		mean = float64(sum) / float64(len(lat))
		b.ReportMetric(mean/1e6, "ms/op")
		b.ReportMetric(ms(pct(lat, 50)), "p50-ms")
		b.ReportMetric(ms(pct(lat, 99)), "p99-ms")
		if baseline > 0 {
			b.ReportMetric(mean/baseline, "x-owner")
		}
	})
	return mean
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, (len(sorted)*p+99)/100-1)]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

func drain(rows pgx.Rows, err error) error {
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return rows.Err()
}

// ownerTx runs fn in a transaction of the role that bypasses row-level security (the baseline
// pays for BEGIN and COMMIT as the tenant transaction does).
func ownerTx(ctx context.Context, env *testenv.Env, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, env.Admin, fn)
}

// inboxArgs are the arguments complaints' store gives the inbox query for f (its order).
func inboxArgs(f complaints.Filter, svcID uuid.UUID) []any {
	day := func(t time.Time) pgtype.Date {
		t = t.In(itlang.Rome)
		return pgtype.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
	}
	now := time.Now()
	var dueBy pgtype.Date
	if f.DueSoon {
		dueBy = day(now.AddDate(0, 0, complaints.DueSoonDays))
	}
	var service *uuid.UUID
	if f.Service != "" {
		service = &svcID
	}
	var beforeAt *time.Time
	var beforeID *uuid.UUID
	if f.After != nil {
		beforeAt, beforeID = &f.After.SubmittedAt, &f.After.ID
	}
	return []any{f.Status, f.Overdue, day(now), dueBy, false, service, string(f.Channel), f.Office, beforeAt, beforeID,
		int32(complaints.InboxLimit + 1)}
}

// generatedSQL is the text of a query constant of the generated code, so the benchmark runs
// exactly what the store runs.
func generatedSQL(b *testing.B, name string) string {
	src, err := os.ReadFile("../db/complaints.sql.go")
	require.NoError(b, err)
	m := regexp.MustCompile("(?s)const " + name + " = `(.*?)`").FindSubmatch(src)
	require.NotNil(b, m, name)
	return string(m[1])
}

var seqScanRE = regexp.MustCompile(`Seq Scan on (complaints|complaint_assignments)\b`)

// explain checks the plan of sql under row-level security, as the runtime role.
func explain(b *testing.B, env *testenv.Env, tn *tenant.Tenant, out *os.File, name, sql string, args []any) {
	ctx := context.Background()
	var lines []string
	require.NoError(b, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		rows, err := tx.Raw.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
		if err != nil {
			return err
		}
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}))
	plan := strings.Join(lines, "\n")
	if out != nil {
		fmt.Fprintf(out, "== %s\n%s\n\n", name, plan)
	}
	if seqScanRE.MatchString(plan) {
		b.Errorf("%s: sequential scan under row-level security:\n%s", name, plan)
	}
}

// explainOwner writes the baseline's plan, as the role that bypasses row-level security.
func explainOwner(b *testing.B, env *testenv.Env, out *os.File, name, sql string, args []any) {
	if out == nil {
		return
	}
	rows, err := env.Admin.Query(context.Background(), "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
	require.NoError(b, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(b, err)
	fmt.Fprintf(out, "== %s\n%s\n\n", name, strings.Join(lines, "\n"))
}

// seedInbox writes the tenants, complaints and assignments in a few statements.
func seedInbox(b *testing.B, env *testenv.Env, total, comuni, large int) {
	ctx := context.Background()
	conn, err := env.Admin.Acquire(ctx)
	require.NoError(b, err)
	defer conn.Release()
	exec := func(sql string, args ...any) {
		_, err := conn.Exec(ctx, sql, args...)
		require.NoError(b, err, sql)
	}
	exec(`SET maintenance_work_mem = '256MB'`)
	exec(`INSERT INTO tenants (slug, kind, name, istat_code)
		SELECT 'b' || lpad(g::text, 5, '0'), 'comune', 'Comune di Prova ' || g, (900000 + g)::text
		FROM generate_series(1, $1::int) g`, comuni)
	// Sizes: the first comune holds large, the others share the rest evenly.
	exec(`WITH t AS (SELECT id, row_number() OVER (ORDER BY slug) AS rn FROM tenants WHERE slug ~ '^b[0-9]{5}$'),
	     s AS (SELECT id, CASE WHEN rn = 1 THEN $2::int
	                           ELSE ($1::int - $2::int) / ($3::int - 1) + (CASE WHEN rn - 1 <= ($1::int - $2::int) % ($3::int - 1) THEN 1 ELSE 0 END)
	                      END AS n FROM t),
	     r AS (SELECT s.id AS tenant_id, g AS number, now() - random() * interval '1095 days' AS at,
	                  random() AS r1, random() AS r2, floor(random() * 8)::int AS svc, random() AS r3
	           FROM s, LATERAL generate_series(1, s.n) g),
	     v AS (SELECT r.*, CASE
	                 WHEN at < now() - interval '60 days' THEN CASE WHEN r1 < 0.95 THEN 'chiuso' ELSE 'non_di_competenza' END
	                 WHEN at < now() - interval '30 days' THEN CASE WHEN r1 < 0.70 THEN 'chiuso' WHEN r1 < 0.85 THEN 'risposto' ELSE 'in_istruttoria' END
	                 ELSE CASE WHEN r1 < 0.30 THEN 'ricevuto' WHEN r1 < 0.55 THEN 'preso_in_carico' WHEN r1 < 0.80 THEN 'in_istruttoria' ELSE 'risposto' END
	               END AS status FROM r)
	     INSERT INTO complaints (tenant_id, year, number, channel, status, service_id, service_title, what_happened, request,
	                             first_name, last_name, email, consent_at, submitted_at, due_on, outcome, reply,
	                             replied_at, first_replied_at, closed_at, updated_at)
	     SELECT tenant_id, extract(year FROM at AT TIME ZONE 'Europe/Rome')::int, number,
	            CASE WHEN r2 < 0.70 THEN 'web' WHEN r2 < 0.80 THEN 'telefono' WHEN r2 < 0.90 THEN 'sportello' WHEN r2 < 0.95 THEN 'email' ELSE 'open311' END,
	            status,
	            CASE WHEN r3 < 0.9 THEN md5(tenant_id::text || 's' || svc)::uuid END,
	            CASE WHEN r3 < 0.9 THEN 'Servizio di prova ' || svc ELSE '' END,
	            'Ho atteso tre settimane il primo colloquio e nessuno mi ha richiamato come promesso dalla Carta.',
	            'Un colloquio entro i tempi della Carta.',
	            'Maria', 'Rossi', 'maria.rossi' || number || '@example.it', at, at,
	            (at AT TIME ZONE 'Europe/Rome')::date + 30,
	            CASE WHEN status IN ('risposto', 'chiuso') THEN 'accolto' ELSE '' END,
	            CASE WHEN status IN ('risposto', 'chiuso') THEN 'Il colloquio è fissato.' ELSE '' END,
	            CASE WHEN status IN ('risposto', 'chiuso') THEN at + interval '20 days' END,
	            CASE WHEN status IN ('risposto', 'chiuso') THEN at + interval '20 days' END,
	            CASE WHEN status IN ('chiuso', 'non_di_competenza') THEN at + interval '25 days' END,
	            at
	     FROM v`, total, large, comuni)
	// Four in five complaints taken in charge have an office, one of five per comune.
	exec(`INSERT INTO complaint_assignments (tenant_id, complaint_id, office_id, office_name, assigned_at)
	      SELECT tenant_id, id, md5(tenant_id::text || 'o' || k)::uuid, 'Ufficio di prova ' || k, submitted_at + interval '1 day'
	      FROM (SELECT tenant_id, id, submitted_at, floor(random() * 5)::int AS k, random() AS r FROM complaints WHERE status <> 'ricevuto') x
	      WHERE r < 0.8`)
	exec(`VACUUM (ANALYZE) complaints`)
	exec(`VACUUM (ANALYZE) complaint_assignments`)
	exec(`ANALYZE tenants`)
	var vis string
	require.NoError(b, conn.QueryRow(ctx, `SELECT string_agg(relname || ' ' || relallvisible || '/' || relpages, ', ')
		FROM pg_class WHERE relname IN ('complaints', 'complaint_assignments')`).Scan(&vis))
	b.Logf("pages all-visible after VACUUM: %s", vis)
}
