package quality_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time            { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) move(d time.Duration)      { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func fieldsOf(err error) map[string]string { ae, _ := apperr.As(err); return ae.Fields }

var svcID = uuid.MustParse("0c0e0000-0000-4000-8000-000000000011")

// published gives tn a published Carta with one service (/servizi/assistenza-domiciliare) and
// one office (/uffici/segretariato), written as publication writes it.
func published(t *testing.T, env *testenv.Env, tn *tenant.Tenant) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	c := catalog.Carta{Format: catalog.SnapshotFormat, Version: 1, PublishedAt: now, FirstPublishedAt: now,
		Tenant:   catalog.TenantRef{ID: tn.ID, Slug: tn.Slug, Name: tn.Name, Kind: string(tn.Kind)},
		Offices:  []catalog.Office{{ID: uuid.New(), Slug: "segretariato", Name: "Segretariato sociale"}},
		Services: []catalog.Service{{ID: svcID, Slug: "assistenza-domiciliare", Title: "Assistenza domiciliare"}}}
	snap, err := json.Marshal(c)
	require.NoError(t, err)
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		if _, err := tx.Raw.Exec(ctx, `INSERT INTO carta_versions (tenant_id, number, published_at, publisher_label, note, snapshot)
			VALUES ($1, 1, $2, 'Test', '', $3)`, tn.ID, now, snap); err != nil {
			return err
		}
		_, err := tx.Raw.Exec(ctx, `INSERT INTO carta_state (tenant_id, published_version, first_published_at, last_published_at)
			VALUES ($1, 1, $2, $2)`, tn.ID, now)
		return err
	}))
}

func newService(t *testing.T, start time.Time) (*quality.Service, *testenv.Env, *clock) {
	env := testenv.Get(t)
	c := &clock{t: start}
	return quality.New(quality.Deps{DB: env.DB, Redis: env.Redis, Log: quiet, Now: c.now}), env, c
}

func visitor() quality.Visitor {
	return quality.Visitor{IP: "203.0.113." + uuid.NewString()[:3], UserAgent: "Mozilla/5.0 prova"}
}

// TestRatingValidation: stars 1–5 only; the follow-up answer must belong to the panel the stars
// open (a positive answer after 2 stars is refused); details up to 200 characters, trimmed; the
// path must be a page the site shows with the block (query and fragment dropped), never another
// site's address or a service it does not publish.
func TestRatingValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env, _ := newService(t, time.Date(2026, 5, 4, 10, 0, 0, 0, itlang.Rome))
	tn := env.NewTenant(t, tenant.KindComune)
	published(t, env, tn)

	for _, tc := range []struct {
		name  string
		r     quality.Rating
		field string
	}{
		{"no stars", quality.Rating{Path: "/"}, "stars"},
		{"six stars", quality.Rating{Path: "/", Stars: 6}, "stars"},
		{"negative stars, positive answer", quality.Rating{Path: "/", Stars: 2, Answer: "chiare"}, "answer"},
		{"positive stars, negative answer", quality.Rating{Path: "/", Stars: 5, Answer: "non-chiare"}, "answer"},
		{"unknown answer", quality.Rating{Path: "/", Stars: 4, Answer: "boh"}, "answer"},
		{"details too long", quality.Rating{Path: "/", Stars: 3, Details: strings.Repeat("à", 201)}, "details"},
		{"another site", quality.Rating{Path: "https://example.org/", Stars: 3}, "path"},
		{"not a path", quality.Rating{Path: "servizi", Stars: 3}, "path"},
		{"unknown service", quality.Rating{Path: "/servizi/non-esiste", Stars: 3}, "path"},
		{"unknown page", quality.Rating{Path: "/admin", Stars: 3}, "path"},
		{"too long", quality.Rating{Path: "/" + strings.Repeat("a", 250), Stars: 3}, "path"},
	} {
		_, err := svc.Rate(ctx, tn, tc.r, visitor())
		require.Equal(t, apperr.Invalid, apperr.KindOf(err), tc.name)
		require.Contains(t, fieldsOf(err), tc.field, tc.name)
	}

	got, err := svc.Rate(ctx, tn, quality.Rating{Path: "/servizi/assistenza-domiciliare/?x=1#y", Stars: 2,
		Answer: "non-complete", Details: "  " + strings.Repeat("è", 200) + "  "}, visitor())
	require.NoError(t, err)
	require.Equal(t, "/servizi/assistenza-domiciliare", got.Path)
	require.Len(t, []rune(got.Details), 200)
	require.Equal(t, "A volte le indicazioni non erano complete", got.AnswerLabel())
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/uffici/segretariato", Stars: 5, Answer: "capivo"}, visitor())
	require.NoError(t, err)
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/", Stars: 4}, visitor())
	require.NoError(t, err, "the follow-up answer is optional")

	list, err := svc.Ratings(ctx, tn, 10)
	require.NoError(t, err)
	require.Len(t, list, 3)
	byPath := map[string]quality.Rating{}
	for _, r := range list {
		byPath[r.Path] = r
	}
	require.Equal(t, 2, byPath["/servizi/assistenza-domiciliare"].Stars)
	require.Equal(t, "non-complete", byPath["/servizi/assistenza-domiciliare"].Answer)
	require.Equal(t, time.Date(2026, 5, 4, 0, 0, 0, 0, itlang.Rome), byPath["/"].RatedOn)

	// A tenant with nothing published has no page to rate.
	empty := env.NewTenant(t, tenant.KindComune)
	_, err = svc.Rate(ctx, empty, quality.Rating{Path: "/", Stars: 4}, visitor())
	require.Contains(t, fieldsOf(err), "path")
}

// TestOneRatingPerVisitorPerPagePerDay against the real Redis: the same visitor (IP and user
// agent) rates a page once a day; another page, another visitor or the next day count apart;
// neither the database nor Redis holds the IP or the user agent.
func TestOneRatingPerVisitorPerPagePerDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env, clk := newService(t, time.Date(2026, 5, 4, 23, 30, 0, 0, itlang.Rome))
	tn := env.NewTenant(t, tenant.KindComune)
	published(t, env, tn)
	v := quality.Visitor{IP: "198.51.100.77", UserAgent: "Mozilla/5.0 (X11; Linux) visitatore-unico"}

	_, err := svc.Rate(ctx, tn, quality.Rating{Path: "/servizi", Stars: 4}, v)
	require.NoError(t, err)
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/servizi?ordine=1", Stars: 1}, v)
	require.Equal(t, apperr.Conflict, apperr.KindOf(err), "same page, same visitor, same day")
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/", Stars: 1}, v)
	require.NoError(t, err, "another page")
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/servizi", Stars: 1}, quality.Visitor{IP: v.IP, UserAgent: "altro browser"})
	require.NoError(t, err, "another visitor")
	// A refused rating took no mark: after an invalid one the visitor still rates.
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/carta", Stars: 9}, v)
	require.Error(t, err)
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/carta", Stars: 3}, v)
	require.NoError(t, err)

	clk.move(time.Hour) // past midnight in Rome
	_, err = svc.Rate(ctx, tn, quality.Rating{Path: "/servizi", Stars: 5}, v)
	require.NoError(t, err, "the next day")

	list, err := svc.Ratings(ctx, tn, 10)
	require.NoError(t, err)
	require.Len(t, list, 5)

	keys, err := env.Redis.Keys(ctx, "quality:*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		require.NotContains(t, k, v.IP)
		val, err := env.Redis.Get(ctx, k).Result()
		require.NoError(t, err)
		require.NotContains(t, val, v.IP)
		require.NotContains(t, val, "visitatore-unico")
		ttl, err := env.Redis.TTL(ctx, k).Result()
		require.NoError(t, err)
		require.Positive(t, ttl, "every mark expires: %s", k)
	}
	var leaks int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM page_ratings
		WHERE tenant_id = $1 AND (path || answer || details) ~ '198\.51|visitatore'`, tn.ID).Scan(&leaks))
	require.Zero(t, leaks)
}
