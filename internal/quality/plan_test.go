package quality_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

func planService(t *testing.T, now time.Time) (*quality.Service, *testenv.Env) {
	env := testenv.Get(t)
	cs := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, Log: quiet,
		SiteURL: func(slug string) string { return "https://" + slug + ".carta.test" }})
	return quality.New(quality.Deps{DB: env.DB, Redis: env.Redis, Log: quiet, Complaints: cs, Tenants: env.Tenants,
		Now: func() time.Time { return now }}), env
}

func auditCount(t *testing.T, env *testenv.Env, tn *tenant.Tenant, action string) int {
	t.Helper()
	var n int
	require.NoError(t, env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = $2`,
		tn.ID, action).Scan(&n))
	return n
}

func validAction(year int) quality.ActionInput {
	return quality.ActionInput{Year: year, Title: "Pagine dei servizi più chiare", Description: "Riscrivere le pagine con i cittadini.",
		Indicator: "chiarezza_pagine", Owner: "Ufficio di piano", Due: "2026-10-31"}
}

// TestPlanValidation: every field is checked with its own Italian message, and nothing is
// stored when one is wrong.
func TestPlanValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env := planService(t, time.Date(2026, 6, 10, 9, 0, 0, 0, itlang.Rome))
	tn := env.NewTenant(t, tenant.KindComune)

	_, err := svc.AddAction(ctx, tn, quality.ActionInput{Year: 1999, Title: "  ", Description: strings.Repeat("a", 2001),
		Indicator: "soddisfazione_inventata", Owner: strings.Repeat("è", 201), Due: "31/10/2026"})
	require.Equal(t, apperr.Invalid, apperr.KindOf(err))
	require.Equal(t, map[string]string{"title": quality.MsgActionTitle, "description": quality.MsgActionDescription,
		"indicator": quality.MsgActionIndicator, "owner": quality.MsgActionOwner, "due": quality.MsgActionDue,
		"year": quality.MsgActionYear}, fieldsOf(err))
	in := validAction(2026)
	in.Title = strings.Repeat("é", 201)
	require.Equal(t, map[string]string{"title": quality.MsgActionTitle}, fieldsOf(func() error { _, err := svc.AddAction(ctx, tn, in); return err }()))
	in.Title, in.Indicator = strings.Repeat("é", 200), ""
	require.Equal(t, map[string]string{"indicator": quality.MsgActionIndicator}, fieldsOf(func() error { _, err := svc.AddAction(ctx, tn, in); return err }()))
	in.Year = 2028
	in.Indicator = "reclami_ricevuti"
	require.Equal(t, map[string]string{"year": quality.MsgActionYear}, fieldsOf(func() error { _, err := svc.AddAction(ctx, tn, in); return err }()), "only up to next year")
	plan, err := svc.Plan(ctx, tn, 2026)
	require.NoError(t, err)
	require.Empty(t, plan)

	// Every indicator of the table can be aimed at, and nothing else.
	var keys []string
	for _, o := range quality.IndicatorOptions() {
		keys = append(keys, o.Code)
		require.NotEmpty(t, o.Label)
	}
	require.Contains(t, keys, "indice_soddisfazione")
	require.Contains(t, keys, "reclami_risposti_in_tempo")
	require.Len(t, keys, 15)
	require.Contains(t, keys, "sportello_saldo", "the counter kiosk's net share")

	a, err := svc.AddAction(ctx, tn, validAction(2026))
	require.NoError(t, err)
	_, err = svc.SetStatus(ctx, tn, a.ID, quality.ActionStatus("sospesa"))
	require.Equal(t, map[string]string{"status": quality.MsgActionStatus}, fieldsOf(err))
	_, err = svc.UpdateAction(ctx, tn, a.ID, quality.ActionInput{Title: "Nuovo", Indicator: "chiarezza_pagine", Owner: "", Due: "2026-11-30"})
	require.Equal(t, map[string]string{"owner": quality.MsgActionOwner}, fieldsOf(err))
}

// TestPlanStartValueAndEffect: the start value is the indicator of the year before, taken when
// the action is created (hand-counted ratings: 2025 mean 2,2); completing the action measures
// the indicator of its own year (2026: 4,4) and its change over the year before; a cancelled action is not
// published; each change is in the audit trail.
func TestPlanStartValueAndEffect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env := planService(t, time.Date(2026, 12, 20, 9, 0, 0, 0, itlang.Rome))
	tn := env.NewTenant(t, tenant.KindComune)
	for i, s := range []int{2, 2, 2, 2, 3} { // 11 / 5 = 2,2
		seedRating(t, env, tn, []string{"2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01"}[i], "/", s, "")
	}

	a, err := svc.AddAction(ctx, tn, validAction(2026))
	require.NoError(t, err)
	require.Equal(t, "2,2", a.StartValue, "the 2025 figure, as the indicators show it")
	require.Equal(t, quality.ActionToStart, a.Status)
	require.False(t, a.Measured())
	require.Equal(t, "Chiarezza delle pagine (media delle stelle da 1 a 5)", a.IndicatorLabel())
	require.Equal(t, time.Date(2026, 10, 31, 0, 0, 0, 0, itlang.Rome), a.Due)

	// Ratings after the start do not move the start value.
	for i, s := range []int{4, 4, 4, 5, 5} { // 22 / 5 = 4,4
		seedRating(t, env, tn, []string{"2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"}[i], "/", s, "")
	}
	seedRating(t, env, tn, "2025-07-01", "/", 1, "")
	a, err = svc.SetStatus(ctx, tn, a.ID, quality.ActionOngoing)
	require.NoError(t, err)
	require.Equal(t, quality.ActionOngoing, a.Status)
	require.False(t, a.Measured(), "measured only when completed or asked")
	require.Equal(t, "2,2", a.StartValue)

	a, err = svc.SetStatus(ctx, tn, a.ID, quality.ActionDone)
	require.NoError(t, err)
	require.True(t, a.Measured())
	require.Equal(t, "4,4", a.EffectValue)
	require.Equal(t, "+2,4", a.EffectChange, "4,4 over 2025 now at 2,0 (12 / 6: the late 1-star rating counts)")

	// On demand: measured again from the indicators as they are now.
	seedRating(t, env, tn, "2026-07-01", "/", 1, "") // 23 / 6 = 3,8
	a, err = svc.MeasureEffect(ctx, tn, a.ID)
	require.NoError(t, err)
	require.Equal(t, "3,8", a.EffectValue)

	// A new indicator takes its own start value; the same one keeps it.
	b, err := svc.AddAction(ctx, tn, quality.ActionInput{Year: 2026, Title: "Questionari allo sportello", Indicator: "questionari",
		Owner: "Segretariato sociale", Due: "2026-09-30"})
	require.NoError(t, err)
	require.Equal(t, "0", b.StartValue)
	b, err = svc.UpdateAction(ctx, tn, b.ID, quality.ActionInput{Title: "Più valutazioni delle pagine", Indicator: "valutazioni_pagine",
		Owner: "Redazione del sito", Due: "2026-11-30", Year: 1990})
	require.NoError(t, err)
	require.Equal(t, "6", b.StartValue, "the six 2025 ratings")
	require.Equal(t, 2026, b.Year, "the year stays")
	require.Equal(t, "Redazione del sito", b.Owner)

	c, err := svc.AddAction(ctx, tn, quality.ActionInput{Year: 2026, Title: "Azione ritirata", Indicator: "questionari",
		Owner: "Ufficio di piano", Due: "2026-08-31"})
	require.NoError(t, err)
	_, err = svc.SetStatus(ctx, tn, c.ID, quality.ActionCancelled)
	require.NoError(t, err)

	plan, err := svc.Plan(ctx, tn, 2026)
	require.NoError(t, err)
	require.Len(t, plan, 3)
	require.Equal(t, []string{"Azione ritirata", "Pagine dei servizi più chiare", "Più valutazioni delle pagine"},
		[]string{plan[0].Title, plan[1].Title, plan[2].Title}, "by due day")
	pub, err := svc.PublishedPlan(ctx, tn, 2026)
	require.NoError(t, err)
	require.Len(t, pub, 2)
	for _, p := range pub {
		require.NotEqual(t, quality.ActionCancelled, p.Status)
	}
	other, err := svc.Plan(ctx, tn, 2025)
	require.NoError(t, err)
	require.Empty(t, other)

	require.Equal(t, 3, auditCount(t, env, tn, "quality.plan.create"))
	require.Equal(t, 1, auditCount(t, env, tn, "quality.plan.update"))
	require.Equal(t, 3, auditCount(t, env, tn, "quality.plan.status"))
	require.Equal(t, 1, auditCount(t, env, tn, "quality.plan.effect"))
}

// TestPlanIsEachTenantsOwn: comune B neither sees nor changes comune A's actions, and an
// ambito does not read its member's plan.
func TestPlanIsEachTenantsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env := planService(t, time.Date(2026, 6, 10, 9, 0, 0, 0, itlang.Rome))
	a := env.NewTenant(t, tenant.KindComune)
	b := env.NewTenant(t, tenant.KindComune)
	act, err := svc.AddAction(ctx, a, validAction(2026))
	require.NoError(t, err)

	plan, err := svc.Plan(ctx, b, 2026)
	require.NoError(t, err)
	require.Empty(t, plan)
	_, err = svc.Action(ctx, b, act.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.UpdateAction(ctx, b, act.ID, validAction(2026))
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.SetStatus(ctx, b, act.ID, quality.ActionCancelled)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.MeasureEffect(ctx, b, act.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.Action(ctx, a, uuid.New())
	require.ErrorIs(t, err, apperr.ErrNotFound)

	got, err := svc.Action(ctx, a, act.ID)
	require.NoError(t, err)
	require.Equal(t, quality.ActionToStart, got.Status, "B changed nothing")
	require.Equal(t, act.Title, got.Title)
}
