package demo_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// TestHistoryGivesTheDashboardAYear: after the demo's year of ratings, questionnaires and
// complaints, a demo comune's indicators have figures (not "n.d."), on time and late answers
// both, paper and online questionnaires; a second run adds nothing.
func TestHistoryGivesTheDashboardAYear(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := demo.Seed(ctx, env.Tenants, env.DB, nil, "")
	require.NoError(t, err)
	pub := publication.New(publication.Deps{DB: env.DB, Log: quiet, LoadDraft: catalog.LoadDraft, Completeness: catalog.Completeness})
	require.NoError(t, demo.SeedCarte(ctx, env.Tenants, env.DB, func(ctx context.Context, t *tenant.Tenant, note string) (*catalog.Carta, error) {
		return pub.Publish(publication.AsActor(ctx, "demo"), t, note)
	}))
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	require.NoError(t, demo.History(ctx, env.Tenants, env.DB, now, quiet))

	cs := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, Log: quiet, SiteURL: func(string) string { return "" }})
	qs := quality.New(quality.Deps{DB: env.DB, Log: quiet, Complaints: cs, Tenants: env.Tenants, Now: func() time.Time { return now }})
	cerveteri, err := env.Tenants.BySlug(ctx, "cerveteri")
	require.NoError(t, err)
	c, err := qs.Indicators(ctx, cerveteri, 2026)
	require.NoError(t, err)
	y := c.Now
	require.Greater(t, y.Pages.Ratings, 200)
	require.True(t, y.Pages.Stars.Known())
	require.Greater(t, y.Survey.Online.Responses, 10)
	require.Greater(t, y.Survey.Paper.Responses, 3)
	require.True(t, y.Survey.Index.Known())
	require.Greater(t, y.Complaints.Total.Received, 10)
	inTime := y.AnsweredInTime()
	require.True(t, inTime.Known())
	require.Greater(t, inTime.Num, 0)
	require.Less(t, inTime.Num, inTime.Den, "some answers came late")

	before := y.Pages.Ratings
	require.NoError(t, demo.History(ctx, env.Tenants, env.DB, now, quiet))
	again, err := qs.Indicators(ctx, cerveteri, 2026)
	require.NoError(t, err)
	require.Equal(t, before, again.Now.Pages.Ratings, "a second start adds nothing")
}
