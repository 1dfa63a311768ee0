package demo_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// promises are phrases of features that do not exist yet (page ratings, an online survey): no
// demo Carta may print them.
var promises = []string{"valutare ogni pagina", "pagina di questo sito", "questionario online", "rispondere al questionario"}

func section(c *catalog.Carta, key string) string {
	for _, s := range c.Sections {
		if s.Key == key {
			return s.Body
		}
	}
	return ""
}

// The demo Carte are published through the real import and publication, promising nothing
// the service does not offer; a demo database published before the general part's text was
// corrected gets the corrected text and a new version, once.
func TestSeedCarte(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	_, err := demo.Seed(ctx, env.Tenants, env.DB, nil, "")
	require.NoError(t, err)
	pub := publication.New(publication.Deps{DB: env.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LoadDraft: catalog.LoadDraft, Completeness: catalog.Completeness})
	publish := func(ctx context.Context, t *tenant.Tenant, note string) (*catalog.Carta, error) {
		return pub.Publish(publication.AsActor(ctx, "demo"), t, note)
	}
	require.NoError(t, demo.SeedCarte(ctx, env.Tenants, env.DB, publish))

	cerveteri, err := env.Tenants.BySlug(ctx, "cerveteri")
	require.NoError(t, err)
	current := func() *catalog.Carta {
		t.Helper()
		var c *catalog.Carta
		require.NoError(t, env.DB.InTx(ctx, cerveteri.ID, func(tx *tenant.Tx) error {
			n, err := catalog.CurrentVersion(ctx, tx, cerveteri.ID)
			if err != nil {
				return err
			}
			c, err = catalog.LoadPublished(ctx, tx, cerveteri.ID, n)
			return err
		}))
		return c
	}
	for _, e := range demo.Enti {
		tn, err := env.Tenants.BySlug(ctx, e.Slug)
		require.NoError(t, err)
		require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			n, err := catalog.CurrentVersion(ctx, tx, tn.ID)
			require.NoError(t, err)
			require.Positive(t, n, e.Slug)
			c, err := catalog.LoadPublished(ctx, tx, tn.ID, n)
			require.NoError(t, err)
			for _, s := range c.Sections {
				for _, p := range promises {
					require.NotContains(t, s.Body, p, "%s: section %s", e.Slug, s.Key)
				}
			}
			return nil
		}))
	}
	first := current()
	require.Equal(t, catalog.DefaultSections[3].Body, section(first, "qualita"))

	// A demo published with the old text: the draft's section still holds it.
	var old string
	require.NoError(t, env.DB.InTx(ctx, cerveteri.ID, func(tx *tenant.Tx) error {
		secs, err := tx.CatalogSectionList(ctx)
		if err != nil {
			return err
		}
		for _, s := range secs {
			if s.Key == "qualita" {
				old = strings.Replace(s.Body, "Il tuo parere conta: puoi compilare il questionario di gradimento che trovi in fondo alla guida sintetica della Carta e consegnarlo all'ufficio, e presentare in ogni momento suggerimenti e segnalazioni.",
					"Il tuo parere conta: puoi valutare ogni pagina di questo sito e rispondere al questionario di soddisfazione.", 1)
				require.NotEqual(t, s.Body, old)
				_, err = tx.CatalogSectionUpdate(ctx, db.CatalogSectionUpdateParams{ID: s.ID, Title: s.Title, Body: old})
				return err
			}
		}
		return nil
	}))
	_, err = publish(ctx, cerveteri, "Versione con il vecchio testo")
	require.NoError(t, err)
	stale := current()
	require.Equal(t, first.Version+1, stale.Version)
	require.Contains(t, section(stale, "qualita"), "valutare ogni pagina")

	require.NoError(t, demo.SeedCarte(ctx, env.Tenants, env.DB, publish))
	fixed := current()
	require.Equal(t, stale.Version+1, fixed.Version)
	require.Equal(t, catalog.DefaultSections[3].Body, section(fixed, "qualita"))
	require.Equal(t, "Parte generale aggiornata: Come misuriamo e miglioriamo la qualità", fixed.Note)

	// Once only.
	require.NoError(t, demo.SeedCarte(ctx, env.Tenants, env.DB, publish))
	require.Equal(t, fixed.Version, current().Version)
}
