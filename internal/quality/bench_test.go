package quality_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// BenchmarkIndicators times one tenant-year's indicators (this year and last, as the
// dashboard asks) on a database of its own holding, for that comune, 100,000 page ratings,
// 10,000 questionnaires of nine items and 10,000 complaints over two years, written as the
// superuser with INSERT … SELECT generate_series and analysed; and an ambito of 20 comuni of
// 5,000 ratings, 500 questionnaires and 500 complaints each. The baseline is an empty tenant
// transaction in the same run (the ratio "x-tx").
//
//	go test -run '^$' -bench Indicators -benchtime 20x ./internal/quality/
func BenchmarkIndicators(b *testing.B) {
	ctx := context.Background()
	env := testenv.Get(b).Isolated(b)
	svc := indicatorService(b, env)
	big := env.NewTenant(b, tenant.KindComune)
	amb := env.NewTenant(b, tenant.KindAmbito)
	seed := func(tn *tenant.Tenant, ratings, surveys, complaints int) {
		_, err := env.Admin.Exec(ctx, `INSERT INTO page_ratings (tenant_id, path, stars, answer, rated_on)
			SELECT $1, (ARRAY['/', '/servizi', '/uffici', '/carta'])[1 + i % 4], 1 + i % 5, '', date '2025-01-01' + (i % 700)
			FROM generate_series(1, $2::int) i`, tn.ID, ratings)
		require.NoError(b, err)
		_, err = env.Admin.Exec(ctx, `WITH r AS (
				INSERT INTO survey_responses (tenant_id, service_title, channel, submitted_on)
				SELECT $1, 'Servizio ' || (i % 8), (ARRAY['online', 'paper'])[1 + (i % 4 = 0)::int], date '2025-01-01' + (i % 700)
				FROM generate_series(1, $2::int) i RETURNING id)
			INSERT INTO survey_answers (tenant_id, response_id, question, score)
			SELECT $1, r.id, q, 1 + (abs(hashtext(r.id::text || q)) % 5) FROM r,
				unnest(ARRAY['trovare', 'chiarezza', 'orari', 'attesa', 'cortesia', 'competenza', 'riservatezza', 'adeguatezza', 'complessiva']) q`,
			tn.ID, surveys)
		require.NoError(b, err)
		_, err = env.Admin.Exec(ctx, `INSERT INTO complaints (tenant_id, year, number, channel, status, service_title, what_happened,
				first_name, last_name, consent_at, submitted_at, due_on, outcome, replied_at, first_replied_at)
			SELECT $1, 2025 + (i > $2::int / 2)::int, i, 'web', 'risposto', 'Servizio ' || (i % 8), 'Testo.', 'A', 'B',
				ts, ts, (ts + interval '30 days')::date, 'accolto', ts + (i % 40) * interval '1 day', ts + (i % 40) * interval '1 day'
			FROM generate_series(1, $2::int) i, LATERAL (SELECT timestamptz '2025-01-01 10:00+01' + (i % 700) * interval '1 day' AS ts) t`,
			tn.ID, complaints)
		require.NoError(b, err)
	}
	seed(big, 100_000, 10_000, 10_000)
	for range 20 {
		m := env.Join(b, env.NewTenant(b, tenant.KindComune), amb, false)
		seed(m, 5_000, 500, 500)
	}
	_, err := env.Admin.Exec(ctx, `ANALYZE`)
	require.NoError(b, err)

	b.Run("tenant-year", func(b *testing.B) {
		for b.Loop() {
			_, err := svc.Indicators(ctx, big, 2026)
			require.NoError(b, err)
		}
	})
	b.Run("ambito-20-comuni", func(b *testing.B) {
		for b.Loop() {
			_, ms, err := svc.AmbitoIndicators(ctx, amb, 2026)
			require.NoError(b, err)
			require.Len(b, ms, 20)
		}
	})
	// The complaints' share of it, alone.
	cs := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, Log: quiet, SiteURL: func(string) string { return "" }})
	b.Run("complaints-year", func(b *testing.B) {
		for b.Loop() {
			_, err := cs.YearFigures(ctx, big, 2026)
			require.NoError(b, err)
		}
	})
	b.Run("baseline-empty-tx", func(b *testing.B) {
		for b.Loop() {
			require.NoError(b, env.DB.InTx(ctx, big.ID, func(*tenant.Tx) error { return nil }))
		}
	})
}
