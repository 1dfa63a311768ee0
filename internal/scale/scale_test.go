package scale

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

func deps(env *testenv.Env) Deps {
	pub := publication.New(publication.Deps{DB: env.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LoadDraft: catalog.LoadDraft, Completeness: catalog.Completeness})
	return Deps{DB: env.DB, Tenants: env.Tenants, Publish: pub.Publish}
}

func TestCorpusIsValidForTheProduct(t *testing.T) {
	slugs := map[string]bool{}
	comune := 0
	for _, k := range kinds {
		require.False(t, slugs[k.slug], "duplicate kind %s", k.slug)
		slugs[k.slug] = true
		_, ok := tenant.ValidSlug(k.slug) // the same pattern as service slugs, and short
		require.True(t, ok, k.slug)
		for _, title := range append([]string{k.title}, k.variants...) {
			require.True(t, utf8.RuneCountInString(title) >= 3 && utf8.RuneCountInString(title) <= 200, title)
		}
		require.LessOrEqual(t, len(k.short), 255, k.slug)
		require.True(t, slices.ContainsFunc(catalog.NationalCategories, func(c catalog.NationalCategory) bool { return c.Code == k.category }), k.slug)
		require.Contains(t, catalog.MacroLevels, k.macro, k.slug)
		if k.natCat != "" {
			require.True(t, catalog.ValidServiceCategory(k.natCat), k.slug)
		}
		require.NotEmpty(t, k.topics, k.slug)
		for _, topic := range k.topics {
			require.True(t, catalog.ValidTopic(topic), "%s: topic %q", k.slug, topic)
		}
		require.Contains(t, []string{"gratuito", "fisso", "isee", "variabile"}, k.cost, k.slug)
		require.NotEmpty(t, costPool[k.cost])
		if !slices.Contains(ambitoKinds, k.slug) {
			comune++
		}
	}
	for _, a := range ambitoKinds {
		require.True(t, slugs[a], "ambito kind %s not in the corpus", a)
	}
	// The benchmark's 40 services per comune must be 40 different kinds of service.
	require.GreaterOrEqual(t, comune, 40)
	for _, st := range standardsPool {
		require.Contains(t, []string{"accessibilita", "tempestivita", "trasparenza", "efficacia"}, st.dim)
	}
}

func TestDraftIsDeterministicCompleteAndVaried(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := newDraft(comuneEntity(7), 40, now)
	require.Equal(t, a, newDraft(comuneEntity(7), 40, now), "the same comune must always get the same Carta")
	b := newDraft(comuneEntity(8), 40, now)
	require.NotEqual(t, a.services[0].title+a.services[0].description, b.services[0].title+b.services[0].description)

	require.Len(t, a.services, 40)
	require.Len(t, a.offices, 3)
	seen := map[string]bool{}
	for _, s := range a.services {
		require.False(t, seen[s.slug], "duplicate slug %s", s.slug)
		seen[s.slug] = true
		require.NotContains(t, ambitoKinds, s.slug, "a comune does not offer its ambito's services itself")
		require.NotContains(t, s.description+s.audience+s.howTo+s.timing, "{", "placeholder left in %s", s.slug)
		require.GreaterOrEqual(t, len(s.standards), 4)
		require.GreaterOrEqual(t, len(s.deadlines), 4)
		for _, d := range s.deadlines {
			if d.DueOn != "" {
				due, err := time.Parse(time.DateOnly, d.DueOn)
				require.NoError(t, err)
				require.False(t, due.Before(now.Truncate(24*time.Hour)), "deadline %s is in the past", d.DueOn)
			}
		}
	}
	// Beyond the corpus, kinds repeat with their own slugs.
	many := newDraft(comuneEntity(9), 60, now)
	slugs := map[string]bool{}
	for _, s := range many.services {
		require.False(t, slugs[s.slug], "duplicate slug %s", s.slug)
		slugs[s.slug] = true
	}

	amb := newDraft(ambitoEntity(3), 6, now)
	require.Len(t, amb.offices, 1)
	for _, s := range amb.services {
		require.Contains(t, ambitoKinds, s.slug)
		require.Equal(t, "ambito", s.coverage)
	}
}

func TestAmbitoOfMakesContiguousBlocksWithOneCapofila(t *testing.T) {
	for _, c := range []struct{ n, a int }{{8000, 600}, {5, 2}, {7, 7}, {10, 1}} {
		size := map[int]int{}
		capofila := map[int]int{}
		last := 0
		for i := 1; i <= c.n; i++ {
			a, cap := AmbitoOf(i, c.n, c.a)
			require.GreaterOrEqual(t, a, last, "blocks are contiguous")
			require.True(t, a >= 1 && a <= c.a)
			if a != last {
				require.True(t, cap, "the first comune of ambito %d is its capofila", a)
			}
			last = a
			size[a]++
			if cap {
				capofila[a]++
			}
		}
		require.Len(t, size, c.a, "every ambito has comuni")
		for a := 1; a <= c.a; a++ {
			require.Equal(t, 1, capofila[a], "ambito %d of %v", a, c)
			require.InDelta(t, float64(c.n)/float64(c.a), float64(size[a]), 1)
		}
	}
	a, cap := AmbitoOf(3, 10, 0)
	require.Zero(t, a)
	require.False(t, cap)
}

func TestRequireDevelopment(t *testing.T) {
	require.Error(t, RequireDevelopment(&config.Config{Env: "production"}))
	require.Error(t, RequireDevelopment(nil))
	require.NoError(t, RequireDevelopment(&config.Config{Env: "development"}))
}

func TestBatchRefusesQueriesReturningRows(t *testing.T) {
	q := db.New(&batch{})
	_, err := q.CatalogServiceInsert(context.Background(), db.CatalogServiceInsertParams{})
	require.ErrorIs(t, err, errBatchRows)
	_, err = q.CatalogCategoryList(context.Background())
	require.ErrorIs(t, err, errBatchRows)
}

func TestSeedPublishesThroughTheProductAndResumes(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	d := deps(env)
	opts := Options{Comuni: 5, Services: 50, Ambiti: 2, AmbitoServices: 3, Workers: 3}

	// An interrupted run: comune 2 exists with its draft written but not published.
	e2 := comuneEntity(2)
	t2, err := env.Tenants.Create(ctx, tenant.CreateParams{Kind: tenant.KindComune, Slug: e2.slug, Name: e2.name, IstatCode: ComuneIstat(2)})
	require.NoError(t, err)
	require.NoError(t, env.DB.InTx(ctx, t2.ID, func(tx *tenant.Tx) error { return writeDraft(ctx, tx, newDraft(e2, 50, time.Now())) }))

	var out strings.Builder
	opts.Progress, opts.Every = &out, time.Hour
	res, err := Seed(ctx, d, opts)
	require.NoError(t, err)
	require.Equal(t, Result{Tenants: 7, Created: 6, Published: 7, Skipped: 0, Elapsed: res.Elapsed}, res)
	require.Contains(t, out.String(), "carte (comuni): 5/5")

	ambiti := map[uuid.UUID]int{}
	for i := 1; i <= opts.Comuni; i++ {
		tn, err := env.Tenants.BySlug(ctx, ComuneSlug(i))
		require.NoError(t, err)
		require.Equal(t, ComuneIstat(i), tn.IstatCode)
		a, capofila := AmbitoOf(i, opts.Comuni, opts.Ambiti)
		require.NotNil(t, tn.Ambito, tn.Slug)
		require.Equal(t, AmbitoSlug(a), tn.Ambito.Slug)
		require.Equal(t, capofila, tn.IsCapofila, tn.Slug)
		if capofila {
			ambiti[tn.Ambito.ID]++
		}
		require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			v, err := catalog.LoadView(ctx, tx, tn)
			require.NoError(t, err)
			require.Equal(t, 1, v.Own.Version)
			require.Equal(t, PublishNote, v.Own.Note)
			require.Len(t, v.Own.Services, 50)
			require.Empty(t, catalog.Completeness(v.Own))
			require.Len(t, v.Own.Offices, 3)
			require.NotEmpty(t, v.Own.Offices[0].Hours)
			require.NotEmpty(t, v.Own.Offices[0].Exceptions)
			require.NotNil(t, v.Ambito, "the ambito published first")
			require.Len(t, v.Ambito.Services, 3)
			// Row-level security: the draft this transaction sees is the tenant's own.
			rows, err := tx.CatalogServiceList(ctx)
			require.NoError(t, err)
			require.Len(t, rows, 50)
			for _, r := range rows {
				require.Equal(t, tn.ID, r.TenantID)
			}
			// The search index is the product's: a service is found by its title.
			first := v.Own.Services[0]
			found, err := tx.SiteSearch(ctx, db.SiteSearchParams{Query: first.Title, TenantIds: []uuid.UUID{tn.ID, tn.Ambito.ID},
				MinSimilarity: 0.5, MaxRows: 50})
			require.NoError(t, err)
			require.True(t, slices.ContainsFunc(found, func(r db.SiteSearchRow) bool { return r.ServiceID == first.ID }), first.Title)
			return nil
		}))
	}
	require.Len(t, ambiti, 2, "one capofila in each ambito")

	// The interrupted comune kept its single draft: offices were not written twice.
	var offices int
	require.NoError(t, env.Admin.QueryRow(ctx, "SELECT count(*) FROM offices WHERE tenant_id = $1", t2.ID).Scan(&offices))
	require.Equal(t, 3, offices)
	var searchRows, tenantsWithRows int
	require.NoError(t, env.Admin.QueryRow(ctx, "SELECT count(*), count(DISTINCT tenant_id) FROM service_search").Scan(&searchRows, &tenantsWithRows))
	require.Equal(t, 5*50+2*3, searchRows)
	require.Equal(t, 7, tenantsWithRows)

	// Running again does nothing.
	res, err = Seed(ctx, d, Options{Comuni: 5, Services: 50, Ambiti: 2, AmbitoServices: 3, Workers: 2})
	require.NoError(t, err)
	require.Equal(t, Result{Tenants: 7, Created: 0, Published: 0, Skipped: 7, Elapsed: res.Elapsed}, res)
	var versions int
	require.NoError(t, env.Admin.QueryRow(ctx, "SELECT count(*) FROM carta_versions").Scan(&versions))
	require.Equal(t, 7, versions)
}

func TestSeedSearchFindsTyposAcrossTheCorpus(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	// A comune of its own (slug outside the seeded range) with every comune kind.
	e := entity{index: 90_001, slug: "c90001", name: "Comune di Prova 90001", city: "Prova 90001", where: "a Prova 90001", of: "di Prova 90001"}
	tn, err := env.Tenants.Create(ctx, tenant.CreateParams{Kind: tenant.KindComune, Slug: e.slug, Name: e.name, IstatCode: "990001"})
	require.NoError(t, err)
	did, err := seedCarta(ctx, deps(env), tn, e, len(kinds)-len(ambitoKinds), time.Now())
	require.NoError(t, err)
	require.True(t, did)
	for q, want := range map[string]string{
		"asistenza domicilare anziani":    "assistenza-domiciliare-anziani",
		"asilo nido":                      "asilo-nido",
		"contributo affitto":              "contributo-affitto",
		"perche barriere architettoniche": "contributo-barriere-architettoniche",
		"telesocorso":                     "telesoccorso",
	} {
		require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			rows, err := tx.SiteSearch(ctx, db.SiteSearchParams{Query: q, TenantIds: []uuid.UUID{tn.ID}, MinSimilarity: 0.5, MaxRows: 50})
			require.NoError(t, err)
			var slugs []string
			for _, r := range rows {
				slugs = append(slugs, r.Slug)
			}
			require.Contains(t, slugs, want, "query %q", q)
			return nil
		}))
	}
}

// BenchmarkSeedCarta measures one comune's Carta of 40 services: writing the draft, and
// publishing it through the product (snapshot, search index).
func BenchmarkSeedCarta(b *testing.B) {
	env := testenv.Get(b)
	ctx := context.Background()
	d := deps(env)
	now := time.Now()
	var draft, pub time.Duration
	n := 0
	for b.Loop() {
		n++
		tn := env.NewTenant(b, tenant.KindComune)
		e := comuneEntity(50_000 + n)
		t0 := time.Now()
		content := newDraft(e, 40, now)
		if err := env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error { return writeDraft(ctx, tx, content) }); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := d.Publish(ctx, tn, PublishNote); err != nil {
			b.Fatal(err)
		}
		draft += t1.Sub(t0)
		pub += time.Since(t1)
	}
	b.ReportMetric(float64(draft.Microseconds())/float64(n)/1000, "draft-ms/op")
	b.ReportMetric(float64(pub.Microseconds())/float64(n)/1000, "publish-ms/op")
}
