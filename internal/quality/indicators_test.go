package quality_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

func indicatorService(_ testing.TB, env *testenv.Env) *quality.Service {
	cs := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, Log: quiet,
		SiteURL: func(slug string) string { return "https://" + slug + ".carta.test" }})
	return quality.New(quality.Deps{DB: env.DB, Redis: env.Redis, Log: quiet, Complaints: cs, Tenants: env.Tenants})
}

// seedAnswers stores questionnaires and ratings as the table owner, so that the figures can be
// counted by hand: scores of one questionnaire per entry.
func seedAnswers(t *testing.T, env *testenv.Env, tn *tenant.Tenant, on string, channel, service string, scores map[string]int) {
	t.Helper()
	ctx := context.Background()
	var id string
	require.NoError(t, env.Admin.QueryRow(ctx, `INSERT INTO survey_responses (tenant_id, service_title, channel, submitted_on)
		VALUES ($1, $2, $3, $4) RETURNING id`, tn.ID, service, channel, on).Scan(&id))
	for q, s := range scores {
		_, err := env.Admin.Exec(ctx, `INSERT INTO survey_answers (tenant_id, response_id, question, score) VALUES ($1, $2, $3, $4)`, tn.ID, id, q, s)
		require.NoError(t, err)
	}
}

func seedRating(t *testing.T, env *testenv.Env, tn *tenant.Tenant, on, path string, stars int, answer string) {
	t.Helper()
	_, err := env.Admin.Exec(context.Background(), `INSERT INTO page_ratings (tenant_id, path, stars, answer, rated_on) VALUES ($1, $2, $3, $4, $5)`,
		tn.ID, path, stars, answer, on)
	require.NoError(t, err)
}

// TestIndicatorsAgainstHandCounts: a fixed year of questionnaires and ratings, the figures
// counted by hand, "n.d." under 5 cases, online and paper apart, and last year's change.
func TestIndicatorsAgainstHandCounts(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	svc := indicatorService(t, env)
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)

	for i, s := range []int{5, 4, 4, 3, 2, 5} { // online, general: 23 over 6, four of 4–5
		seedAnswers(t, env, tn, []string{"2025-01-10", "2025-01-20", "2025-02-01", "2025-03-05", "2025-03-06", "2025-12-31"}[i],
			"online", "", map[string]int{"complessiva": s})
	}
	seedAnswers(t, env, tn, "2025-04-01", "paper", "Assistenza domiciliare", map[string]int{"complessiva": 5, "cortesia": 5})
	seedAnswers(t, env, tn, "2025-04-02", "paper", "Assistenza domiciliare", map[string]int{"complessiva": 4, "cortesia": 1})
	seedAnswers(t, env, tn, "2026-01-01", "online", "", map[string]int{"complessiva": 1}) // next year
	seedAnswers(t, env, other, "2025-05-01", "online", "", map[string]int{"complessiva": 1})
	for _, r := range []struct {
		on, path string
		stars    int
		answer   string
	}{{"2025-02-01", "/", 5, "chiare"}, {"2025-02-02", "/", 4, "complete"}, {"2025-02-03", "/", 4, "chiare"},
		{"2025-03-01", "/", 2, "non_chiare"}, {"2025-03-02", "/", 1, ""}, {"2025-06-01", "/servizi", 5, ""}, {"2025-06-02", "/servizi", 5, ""},
		{"2024-06-01", "/", 1, ""}, {"2024-06-02", "/", 2, ""}, {"2024-06-03", "/", 3, ""}, {"2024-06-04", "/", 3, ""}, {"2024-06-05", "/", 1, ""}} {
		seedRating(t, env, tn, r.on, r.path, r.stars, r.answer)
	}

	// Counter kiosk: 4 satisfied, 1 neutral, 2 dissatisfied in 2025 → (4 − 2) / 7 = +28,6
	// points; 3 touches in 2024 → n.d.
	var kiosk string
	require.NoError(t, env.Admin.QueryRow(ctx, `INSERT INTO kiosks (tenant_id, office_id, office_name, token_hash)
		VALUES ($1, gen_random_uuid(), 'Sportello', sha256(gen_random_uuid()::text::bytea)) RETURNING id`, tn.ID).Scan(&kiosk))
	for i, face := range []string{"soddisfatto", "soddisfatto", "soddisfatto", "soddisfatto", "neutro", "insoddisfatto", "insoddisfatto",
		"soddisfatto", "neutro", "insoddisfatto"} {
		day, reason := "2025-07-01", ""
		if i >= 7 {
			day = "2024-07-01"
		}
		if face == "insoddisfatto" {
			reason = "attesa"
		}
		_, err := env.Admin.Exec(ctx, `INSERT INTO kiosk_ratings (tenant_id, kiosk_id, office_id, office_name, face, reason, rated_on)
			VALUES ($1, $2, gen_random_uuid(), 'Sportello', $3, $4, $5)`, tn.ID, kiosk, face, reason, day)
		require.NoError(t, err)
	}

	c, err := svc.Indicators(ctx, tn, 2025)
	require.NoError(t, err)
	require.Equal(t, quality.KioskFigures{Satisfied: 4, Neutral: 1, Dissatisfied: 2}, c.Now.Kiosk)
	s := c.Now.Survey
	require.Equal(t, 8, s.Responses)
	require.Equal(t, quality.Mean{Sum: 38, N: 10}, s.Index)
	require.Equal(t, "3,8", s.Index.String())
	require.Equal(t, "70%", s.High.String())
	require.Equal(t, "3,8", s.Online.Index.String(), "23 / 6 = 3.83")
	require.Equal(t, "66,7%", s.Online.High.String())
	require.Equal(t, 2, s.Paper.Responses)
	require.Equal(t, "n.d.", s.Paper.Index.String(), "4 answers: under 5 cases")
	require.Len(t, s.Services, 2)
	require.Len(t, s.Months, 5)
	var items []string
	for _, it := range s.Items {
		items = append(items, it.Key+"="+it.Index.String())
	}
	require.Equal(t, []string{"complessiva=4", "cortesia=n.d."}, items, "complessiva: 23 online + 9 on paper over 8")

	p := c.Now.Pages
	require.Equal(t, 7, p.Ratings)
	require.Equal(t, "3,7", p.Stars.String(), "26 / 7")
	require.Equal(t, quality.Rate{Num: 5, Den: 7}, p.High)
	require.Equal(t, "/", p.Pages[0].Path)
	require.Equal(t, "3,2", p.Pages[0].Stars.String())
	require.Equal(t, "n.d.", p.Pages[1].Stars.String(), "two ratings only")
	require.Equal(t, []quality.AnswerCount{{Code: "chiare", Label: p.Positive[0].Label, Count: 2}, {Code: "complete", Label: p.Positive[1].Label, Count: 1}}, p.Positive)
	require.NotEmpty(t, p.Positive[0].Label)
	require.Len(t, p.Negative, 1)

	lines := map[string]quality.Indicator{}
	for _, l := range c.Lines() {
		lines[l.Key] = l
	}
	require.Equal(t, "3,7", lines["chiarezza_pagine"].Value)
	require.Equal(t, "2", lines["chiarezza_pagine"].Prev)
	require.Equal(t, "+1,7", lines["chiarezza_pagine"].Change.String(), "3.71 − 2.0")
	require.Equal(t, "n.d.", lines["indice_soddisfazione"].Prev, "no questionnaire in 2024")
	require.Equal(t, "n.d.", lines["indice_soddisfazione"].Change.String())
	require.Equal(t, "n.d.", lines["reclami_risposti_in_tempo"].Value, "no complaint: no rate")
	require.Equal(t, "0", lines["reclami_ricevuti"].Value)
	require.Equal(t, "+28,6 punti", lines["sportello_saldo"].Value)
	require.Equal(t, 7, lines["sportello_saldo"].Sample)
	require.Equal(t, "n.d.", lines["sportello_saldo"].Prev, "3 touches in 2024")
}

// TestAmbitoIndicatorsShowOnlyItsMembers: the ambito's dashboard has its own figures and each
// current member's, capofila first; a comune outside, or one that left, is not there; only an
// ambito has the comparison.
func TestAmbitoIndicatorsShowOnlyItsMembers(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	svc := indicatorService(t, env)
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	a := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	capofila := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, true)
	gone := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	outsider := env.NewTenant(t, tenant.KindComune)
	_, err := env.Admin.Exec(ctx, `UPDATE ambito_members SET left_at = now() WHERE comune_id = $1`, gone.ID)
	require.NoError(t, err)
	for _, tn := range []*tenant.Tenant{a, capofila, outsider} {
		for range 5 {
			seedRating(t, env, tn, "2025-05-05", "/", 4, "")
		}
	}
	own, members, err := svc.AmbitoIndicators(ctx, amb, 2025)
	require.NoError(t, err)
	require.Equal(t, 0, own.Now.Pages.Ratings)
	require.Len(t, members, 2)
	require.Equal(t, capofila.ID, members[0].Member.ID)
	require.Equal(t, a.ID, members[1].Member.ID)
	require.Equal(t, "4", members[1].Now.Pages.Stars.String())

	_, _, err = svc.AmbitoIndicators(ctx, a, 2025)
	require.Error(t, err)
}

// TestPublicIndicatorsAreKeptTenMinutes: the open data's figures come from a copy for ten
// minutes, then are computed again.
func TestPublicIndicatorsAreKeptTenMinutes(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	c := &clock{t: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	cs := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, Log: quiet, SiteURL: func(string) string { return "" }})
	svc := quality.New(quality.Deps{DB: env.DB, Log: quiet, Complaints: cs, Tenants: env.Tenants, Now: c.now})
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	first, err := svc.PublicIndicators(ctx, tn, 2026)
	require.NoError(t, err)
	seedRating(t, env, tn, "2026-05-05", "/", 5, "")
	c.move(9 * time.Minute)
	again, err := svc.PublicIndicators(ctx, tn, 2026)
	require.NoError(t, err)
	require.Same(t, first, again)
	c.move(2 * time.Minute)
	fresh, err := svc.PublicIndicators(ctx, tn, 2026)
	require.NoError(t, err)
	require.Equal(t, 1, fresh.Now.Pages.Ratings)
}
