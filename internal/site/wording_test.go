package site_test

import (
	"encoding/json"
	"html"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// An earlier version is named with the article its date takes: "del 1º marzo", "dell'8 marzo".
func TestOldVersionDatesTakeTheirArticle(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := env.NewTenant(t, tenant.KindComune)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 10, 0, 0, 0, site.Rome()) }
	publish(t, env, tn, demoCarta(), day(1), "")
	publish(t, env, tn, demoCarta(), day(8), "")
	publish(t, env, tn, demoCarta(), day(10), "")
	for path, want := range map[string]string{
		"/carta/versioni/1": "Versione 1 del 1º marzo 2026 — non è la versione in vigore",
		"/carta/versioni/2": "Versione 2 dell&#39;8 marzo 2026 — non è la versione in vigore",
		"/carta/versioni/2/servizi/assistenza-domiciliare-anziani": "Versione 2 dell&#39;8 marzo 2026 — non è la versione in vigore",
	} {
		res, body := get(t, app, host(tn), path)
		require.Equal(t, 200, res.StatusCode, path)
		require.Contains(t, body, want, path)
		require.NotContains(t, body, "del 8 marzo", path)
	}
}

// The ente's and the ambito's names take the articulated preposition: "Gli uffici del Comune
// di …", "I servizi dell'Ambito di …", never "di Comune di …" or "dell'ambito Ambito di …".
func TestEnteNamesTakeTheArticulatedPreposition(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	amb := env.NewTenant(t, tenant.KindAmbito)
	member := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	ambCarta := demoCarta()
	ambCarta.Services = nil
	publish(t, env, amb, ambCarta, publishedAt, "")
	publish(t, env, member, demoCarta(), publishedAt, "")
	esc := html.EscapeString

	_, body := get(t, app, host(member), "/uffici")
	require.Contains(t, body, "Gli uffici del "+member.Name+"</h2>")
	require.NotContains(t, body, "di "+member.Name+"</h2>")
	require.NotContains(t, body, "dell'ambito "+amb.Name)

	_, body = get(t, app, host(member), "/")
	require.Contains(t, body, "agli altri Comuni <a href=\""+env.Cfg.TenantURL(amb.Slug)+"\">"+esc("dell'"+amb.Name)+"</a>.")

	publish(t, env, member, demoCarta(), publishedAt.AddDate(0, 0, 1), "")
	_, body = get(t, app, host(member), "/carta/versioni/1")
	require.Contains(t, body, "I servizi "+esc("dell'"+amb.Name)+" sono consultabili")

	_, body = get(t, app, host(member), "/opendata")
	require.Contains(t, body, "I dati del "+member.Name+" sono pubblicati con licenza")

	_, body = get(t, app, host(member), "/opendata/carta.jsonld")
	var doc struct {
		Graph []map[string]any `json:"@graph"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	require.Equal(t, "I servizi sociali pubblicati nella Carta dei Servizi del "+member.Name+
		", con canali di accesso, costi e autorità competente.", doc.Graph[0]["description"])
}

// A closure over several days reads "dal 1º maggio 2026 all'11 maggio 2026".
func TestExceptionRangesTakeTheirArticles(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := env.NewTenant(t, tenant.KindComune)
	c := demoCarta()
	c.Offices[0].Exceptions = append(c.Offices[0].Exceptions,
		catalog.Exception{From: "2026-05-01", To: "2026-05-11", Closed: true, Reason: "Lavori"},
		catalog.Exception{From: "2026-08-08", To: "2026-08-21", Closed: true})
	publish(t, env, tn, c, publishedAt, "")
	_, body := get(t, app, host(tn), "/uffici/sportello-polivalente")
	require.Contains(t, body, "dal 1º maggio 2026 all&#39;11 maggio 2026: chiuso (Lavori)")
	require.Contains(t, body, "dall&#39;8 agosto 2026 al 21 agosto 2026: chiuso")
}
