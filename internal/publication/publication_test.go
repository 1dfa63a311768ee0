package publication_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

func TestPublishMakesVersionsAndKeepsOldOnes(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	rec := &recorder{env: env}
	svc := publication.New(deps(env, rec))
	tn := env.NewTenant(t, tenant.KindComune)
	userID, ctx := newUser(t, env, "Maria Rossi")

	pasti := addService(t, env, tn, "Pasti a domicilio", svcOpts{keywords: []string{"mensa", "anziani"}})
	sad := addService(t, env, tn, "Assistenza domiciliare", svcOpts{})

	// Version 1.
	v1, err := svc.Publish(ctx, tn, "  Prima pubblicazione  ")
	require.NoError(t, err)
	require.Equal(t, 1, v1.Version)
	require.Equal(t, "Prima pubblicazione", v1.Note)
	require.Equal(t, catalog.SnapshotFormat, v1.Format)
	require.Equal(t, tn.ID, v1.Tenant.ID)
	require.Len(t, v1.Services, 2)
	require.True(t, v1.FirstPublishedAt.Equal(v1.PublishedAt))
	for _, s := range v1.Services {
		require.Equal(t, 1, s.LastChangedVersion)
		require.True(t, s.LastChangedAt.Equal(v1.PublishedAt))
	}

	// The state, the version row, the snapshot as the citizen site reads it.
	var st struct {
		ver         int
		first, last time.Time
	}
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		`SELECT published_version, first_published_at, last_published_at FROM carta_state WHERE tenant_id = $1`, tn.ID).
		Scan(&st.ver, &st.first, &st.last))
	require.Equal(t, 1, st.ver)
	require.True(t, st.first.Equal(v1.PublishedAt))
	require.True(t, st.last.Equal(v1.PublishedAt))

	var by *uuid.UUID
	var label, note string
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		`SELECT published_by, publisher_label, note FROM carta_versions WHERE tenant_id = $1 AND number = 1`, tn.ID).
		Scan(&by, &label, &note))
	require.NotNil(t, by)
	require.Equal(t, userID, *by)
	require.Equal(t, "Maria Rossi", label)
	require.Equal(t, "Prima pubblicazione", note)

	got := loadVersion(t, env, tn, 0)
	require.Equal(t, 1, got.Version)
	require.Equal(t, "Pasti a domicilio", serviceByID(t, got, pasti).Title)
	require.True(t, serviceByID(t, got, pasti).LastChangedAt.Equal(v1.PublishedAt))

	// The search index: one row per service, weighted, accent-insensitive, with the plain
	// text the trigram search reads.
	require.Equal(t, 2, count(t, env, `SELECT count(*) FROM service_search WHERE tenant_id = $1 AND version = 1`, tn.ID))
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM service_search WHERE tenant_id = $1
		AND document @@ plainto_tsquery('carta_it', 'mensa') AND service_id = $2`, tn.ID, pasti))
	require.Equal(t, 2, count(t, env, `SELECT count(*) FROM service_search WHERE tenant_id = $1
		AND document @@ plainto_tsquery('carta_it', 'difficolta')`, tn.ID), "description text, accents ignored")
	var plain string
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		`SELECT plain FROM service_search WHERE tenant_id = $1 AND service_id = $2`, tn.ID, pasti).Scan(&plain))
	require.Equal(t, "pasti a domicilio mensa anziani", plain)
	var titleRank, kwRank float64
	require.NoError(t, env.Admin.QueryRow(context.Background(), `SELECT
		ts_rank(document, plainto_tsquery('carta_it', 'pasti')), ts_rank(document, plainto_tsquery('carta_it', 'mensa'))
		FROM service_search WHERE tenant_id = $1 AND service_id = $2`, tn.ID, pasti).Scan(&titleRank, &kwRank))
	require.Greater(t, titleRank, kwRank, "the title weighs more than the keywords")

	// The audit trail.
	var details []byte
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		`SELECT details FROM audit_log WHERE tenant_id = $1 AND action = 'carta.publish' AND actor_id = $2`, tn.ID, userID).
		Scan(&details))
	var d map[string]any
	require.NoError(t, json.Unmarshal(details, &d))
	require.EqualValues(t, 1, d["version"])
	require.Equal(t, "Prima pubblicazione", d["note"])

	// OnPublished ran after the commit: a fresh transaction already saw version 1.
	evs := rec.of(tn.ID)
	require.Len(t, evs, 1)
	require.Equal(t, 1, evs[0].version)
	require.NoError(t, evs[0].visErr)
	require.Equal(t, 1, evs[0].visible)

	// Version 2: one service changed, the other not.
	exec(t, env, tn, `UPDATE services SET how_to = 'Prenota un colloquio al numero 06 1234567.' WHERE tenant_id = app_tenant() AND id = $1`, sad)
	svc2 := publication.New(deps(env, rec))
	v2, err := svc2.Publish(ctx, tn, "")
	require.NoError(t, err)
	require.Equal(t, 2, v2.Version)
	require.True(t, v2.FirstPublishedAt.Equal(v1.PublishedAt), "first publication date kept")
	require.True(t, v2.PublishedAt.After(v1.PublishedAt))
	require.Equal(t, 2, serviceByID(t, v2, sad).LastChangedVersion)
	require.True(t, serviceByID(t, v2, sad).LastChangedAt.Equal(v2.PublishedAt))
	require.Equal(t, 1, serviceByID(t, v2, pasti).LastChangedVersion, "unchanged service keeps its date")
	require.True(t, serviceByID(t, v2, pasti).LastChangedAt.Equal(v1.PublishedAt))

	// Stored as returned.
	stored2 := loadVersion(t, env, tn, 2)
	require.Equal(t, 1, serviceByID(t, stored2, pasti).LastChangedVersion)
	require.Equal(t, 2, serviceByID(t, stored2, sad).LastChangedVersion)

	// Version 1 is still there, unchanged, by number.
	old := loadVersion(t, env, tn, 1)
	require.Equal(t, 1, old.Version)
	require.Equal(t, "Presenta la domanda allo **sportello sociale**.", serviceByID(t, old, sad).HowTo)
	require.Equal(t, 2, loadVersion(t, env, tn, 0).Version)

	// Version 3: a service archived leaves the Carta and the search index; reordering the
	// other does not count as a change.
	exec(t, env, tn, `UPDATE services SET status = 'archiviato' WHERE tenant_id = app_tenant() AND id = $1`, sad)
	exec(t, env, tn, `UPDATE services SET position = 7 WHERE tenant_id = app_tenant() AND id = $1`, pasti)
	v3, err := svc.Publish(ctx, tn, "Servizio archiviato")
	require.NoError(t, err)
	require.Len(t, v3.Services, 1)
	require.Equal(t, 1, serviceByID(t, v3, pasti).LastChangedVersion)
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM service_search WHERE tenant_id = $1`, tn.ID))
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM service_search WHERE tenant_id = $1 AND version = 3`, tn.ID))

	// The history, newest first, with who published.
	var vs []catalog.VersionInfo
	require.NoError(t, env.DB.InTx(context.Background(), tn.ID, func(tx *tenant.Tx) error {
		vs, err = catalog.Versions(context.Background(), tx, tn.ID)
		return err
	}))
	require.Len(t, vs, 3)
	require.Equal(t, []int{3, 2, 1}, []int{vs[0].Number, vs[1].Number, vs[2].Number})
	require.Equal(t, "Maria Rossi", vs[2].Publisher)
	require.Len(t, rec.of(tn.ID), 3)
}

func TestPublishRefusesAnIncompleteDraftAndWritesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	rec := &recorder{env: env}
	svc := publication.New(deps(env, rec))
	_, ctx := newUser(t, env, "Luca Bianchi")

	t.Run("first publication", func(t *testing.T) {
		tn := env.NewTenant(t, tenant.KindComune)
		addService(t, env, tn, "Segretariato sociale", svcOpts{})
		addService(t, env, tn, "Contributo affitto", svcOpts{incomplete: true})

		c, err := svc.Publish(ctx, tn, "Prova")
		require.Nil(t, c)
		require.Equal(t, apperr.Invalid, apperr.KindOf(err))
		ae, _ := apperr.As(err)
		require.Contains(t, ae.Message, "non può essere pubblicata")
		require.Contains(t, ae.Message, "«Contributo affitto»: Descrizione breve, Come fare")
		var inc *publication.Incomplete
		require.True(t, errors.As(err, &inc))
		require.Len(t, inc.Missing, 2)
		require.Equal(t, "contributo-affitto", inc.Missing[0].ServiceSlug)

		require.Zero(t, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, tn.ID))
		require.Zero(t, count(t, env, `SELECT count(*) FROM carta_state WHERE tenant_id = $1`, tn.ID))
		require.Zero(t, count(t, env, `SELECT count(*) FROM service_search WHERE tenant_id = $1`, tn.ID))
		require.Zero(t, count(t, env, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'carta.publish'`, tn.ID))
		require.Empty(t, rec.of(tn.ID), "OnPublished must not run for a refused publication")
	})

	t.Run("after a published version", func(t *testing.T) {
		tn := env.NewTenant(t, tenant.KindComune)
		addService(t, env, tn, "Segretariato sociale", svcOpts{})
		_, err := svc.Publish(ctx, tn, "")
		require.NoError(t, err)
		addService(t, env, tn, "Contributo affitto", svcOpts{incomplete: true})

		_, err = svc.Publish(ctx, tn, "")
		require.Equal(t, apperr.Invalid, apperr.KindOf(err))
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, tn.ID))
		require.Equal(t, 1, count(t, env, `SELECT published_version FROM carta_state WHERE tenant_id = $1`, tn.ID))
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM service_search WHERE tenant_id = $1`, tn.ID))
		require.Len(t, rec.of(tn.ID), 1)
	})

	t.Run("a note too long", func(t *testing.T) {
		tn := env.NewTenant(t, tenant.KindComune)
		addService(t, env, tn, "Segretariato sociale", svcOpts{})
		long := make([]rune, publication.MaxNoteLength+1)
		for i := range long {
			long[i] = 'è'
		}
		_, err := svc.Publish(ctx, tn, string(long))
		ae, ok := apperr.As(err)
		require.True(t, ok)
		require.Contains(t, ae.Fields, "note")
		require.Zero(t, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, tn.ID))
	})
}

func TestConcurrentPublicationsGetConsecutiveNumbers(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	rec := &recorder{env: env}
	svc := publication.New(deps(env, rec))
	tn := env.NewTenant(t, tenant.KindComune)
	addService(t, env, tn, "Segretariato sociale", svcOpts{})
	_, ctx := newUser(t, env, "Anna Verdi")

	// Several rounds: the first publication of a tenant (no state row yet) is the racy one.
	const n = 4
	var wg sync.WaitGroup
	versions := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := svc.Publish(ctx, tn, "")
			errs[i] = err
			if c != nil {
				versions[i] = c.Version
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	slices.Sort(versions)
	require.Equal(t, []int{1, 2, 3, 4}, versions)
	require.Equal(t, n, count(t, env, `SELECT published_version FROM carta_state WHERE tenant_id = $1`, tn.ID))
	require.Len(t, rec.of(tn.ID), n)
}

func TestAmbitoPublicationReachesItsMembersOnly(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	rec := &recorder{env: env}
	svc := publication.New(deps(env, rec))
	ambito := env.NewTenant(t, tenant.KindAmbito)
	member := env.Join(t, env.NewTenant(t, tenant.KindComune), ambito, true)
	outsider := env.NewTenant(t, tenant.KindComune)
	_, ctx := newUser(t, env, "Giulia Neri")
	ctx = context.WithoutCancel(ctx)

	shared := addService(t, env, ambito, "Servizio affidi", svcOpts{keywords: []string{"affido"}})
	c, err := svc.Publish(ctx, ambito, "Servizi dell'ambito")
	require.NoError(t, err)
	require.Equal(t, "ambito", c.Tenant.Kind)
	require.Len(t, rec.of(ambito.ID), 1)

	// The member comune reads the ambito's published Carta (and its search rows) from its own
	// transaction.
	require.NoError(t, env.DB.InTx(ctx, member.ID, func(tx *tenant.Tx) error {
		v, err := catalog.LoadView(ctx, tx, member)
		require.NoError(t, err)
		require.Nil(t, v.Own)
		require.NotNil(t, v.Ambito)
		require.Equal(t, 1, v.Ambito.Version)
		require.Equal(t, "Servizio affidi", serviceByID(t, v.Ambito, shared).Title)
		var n int
		require.NoError(t, tx.Raw.QueryRow(ctx, `SELECT count(*) FROM service_search WHERE tenant_id = $1`, ambito.ID).Scan(&n))
		require.Equal(t, 1, n)
		return nil
	}))

	// A comune outside the ambito sees none of it.
	require.NoError(t, env.DB.InTx(ctx, outsider.ID, func(tx *tenant.Tx) error {
		v, err := catalog.LoadView(ctx, tx, outsider)
		require.NoError(t, err)
		require.Nil(t, v.Ambito)
		_, err = catalog.LoadPublished(ctx, tx, ambito.ID, 1)
		require.Equal(t, apperr.NotFound, apperr.KindOf(err))
		var n int
		require.NoError(t, tx.Raw.QueryRow(ctx, `SELECT count(*) FROM service_search WHERE tenant_id = $1`, ambito.ID).Scan(&n))
		require.Zero(t, n)
		return nil
	}))
}

func TestServiceHashIgnoresStampsOrderAndEmptyLists(t *testing.T) {
	t.Parallel()
	a := catalog.Service{ID: uuid.New(), Title: "Pasti a domicilio", Topics: []string{}, Keywords: nil, Position: 1}
	b := a
	b.LastChangedVersion, b.LastChangedAt, b.Position = 4, time.Now(), 9
	b.Topics, b.Keywords = nil, []string{}
	require.Equal(t, publication.ServiceHash(a), publication.ServiceHash(b))
	b.Title = "Pasti a domicilio per anziani"
	require.NotEqual(t, publication.ServiceHash(a), publication.ServiceHash(b))
	c := a
	c.Keywords = []string{"mensa"}
	require.NotEqual(t, publication.ServiceHash(a), publication.ServiceHash(c))
}
