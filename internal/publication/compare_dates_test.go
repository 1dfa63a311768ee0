package publication_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// The comparison names its versions' dates with the article elided before 8 and 11 and the
// ordinal first of the month: "del 1º marzo", "dell'8 marzo".
func TestCompareNamesDatesWithTheRightArticle(t *testing.T) {
	t.Parallel()
	f := setupHTTP(t)
	env := f.env
	tn := env.NewTenant(t, tenant.KindComune)
	red := f.staff("Rita Redattrice", access.RoleRedattore, tn)
	loc := rome(t)
	for i, at := range []time.Time{time.Date(2026, 3, 1, 10, 0, 0, 0, loc), time.Date(2026, 3, 8, 10, 0, 0, 0, loc)} {
		n := i + 1
		c := catalog.Carta{Format: catalog.SnapshotFormat, Version: n, PublishedAt: at, FirstPublishedAt: at,
			Tenant: catalog.TenantRef{ID: tn.ID, Slug: tn.Slug, Name: tn.Name, Kind: string(tn.Kind)}}
		snap, err := json.Marshal(c)
		require.NoError(t, err)
		require.NoError(t, env.DB.InTx(context.Background(), tn.ID, func(tx *tenant.Tx) error {
			_, err := tx.Raw.Exec(context.Background(), `INSERT INTO carta_versions (tenant_id, number, published_at, publisher_label, note, snapshot)
				VALUES ($1, $2, $3, 'Test', '', $4)`, tn.ID, n, at, snap)
			return err
		}))
	}
	r := f.do("GET", "/admin/carta/versioni/1/confronta/2", tn, red, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Contains(t, r.body, "</a> del 1º marzo 2026")
	require.Contains(t, r.body, "</a> dell&#39;8 marzo 2026")
	require.NotContains(t, r.body, "del 8 marzo")
}

// A scheduled publication on the 8th is never "per il 8" or "del 8": the date stands alone.
func TestScheduledPublicationNamesItsDateWithoutAWrongArticle(t *testing.T) {
	t.Parallel()
	f := setupHTTP(t)
	tn := f.env.NewTenant(t, tenant.KindComune)
	resp := f.staff("Roberto Responsabile", access.RoleResponsabile, tn)
	addService(t, f.env, tn, "Assistenza domiciliare", svcOpts{})
	now := time.Now().In(rome(t))
	at := time.Date(now.Year(), now.Month()+1, 8, 9, 0, 0, 0, rome(t)) // the 8th of next month
	r := f.do("POST", "/admin/carta/pubblicazione/programma", tn, resp, url.Values{"at": {at.Format("2006-01-02T15:04")}})
	require.Equal(t, http.StatusSeeOther, r.status, r.body)
	r = f.do("GET", "/admin/carta/pubblicazione", tn, resp, nil)
	require.Equal(t, http.StatusOK, r.status)
	day := itlang.Date(at)
	require.Contains(t, r.body, "la pubblicazione programmata ("+day+", 09:00)")
	require.NotContains(t, r.body, "il "+day)
	require.NotContains(t, r.body, "del "+day)
}
