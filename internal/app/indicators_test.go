package app_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
)

// TestIndicatorsOverHTTP: the responsabile reads the year's indicators with their charts; the
// ambito's dashboard sets its member comuni side by side; the citizen site publishes the same
// figures as CSV and JSON, aggregated, with no personal data of the complaint just filed.
func TestIndicatorsOverHTTP(t *testing.T) {
	a, _, _ := mailApp(t)
	urp := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	_, page := urp.do("GET", "/admin/reclami/nuovo", nil)
	resp, body := urp.do("POST", "/admin/reclami/nuovo", url.Values{"_csrf": {csrfRE.FindStringSubmatch(page)[1]},
		"channel": {"telefono"}, "consent": {"1"}, "service": {"altro"}, "what_happened": {"Nessuno ha risposto allo sportello."},
		"first_name": {"Giulia"}, "last_name": {"Ferraresi"}, "phone": {"06 9943 1111"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)

	resp_ := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, resp_.login(demo.Email("responsabile", "cerveteri"), pw).StatusCode)
	resp, page = resp_.do("GET", "/admin/qualita/indicatori", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "Reclami ricevuti")
	require.Contains(t, page, "Indice di soddisfazione (media da 1 a 5)")
	require.Contains(t, page, `role="img"`, "the charts are there, each with a title")
	require.Contains(t, page, "<desc>gen: ")
	require.Regexp(t, `Reclami ricevuti</th><td>[1-9]`, page)
	resp, _ = resp_.do("GET", "/admin/qualita/indicatori?anno=1999", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	amb := &client{t: t, a: a, host: "ambito-putignano.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, amb.login(demo.Email("responsabile", "ambito-putignano"), pw).StatusCode)
	_, page = amb.do("GET", "/admin/qualita/indicatori", nil)
	require.Contains(t, page, "I comuni dell'ambito a confronto")
	require.Contains(t, page, "Comune di Noci")
	require.NotContains(t, page, "Comune di Cerveteri", "only the ambito's members")

	citizen := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	resp, body = citizen.do("GET", "/opendata/indicatori.csv", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"ente", "anno", "indicatore", "descrizione", "valore", "valore_testo", "casi", "anno_precedente", "variazione"}, rows[0])
	require.Greater(t, len(rows), 10)
	require.NotContains(t, body, "Ferraresi")
	resp, body = citizen.do("GET", "/opendata/indicatori.json", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc struct {
		Ente       string `json:"ente"`
		Indicatori []struct {
			Indicatore string   `json:"indicatore"`
			Valore     *float64 `json:"valore"`
			Testo      string   `json:"valore_testo"`
			Casi       int      `json:"casi"`
		} `json:"indicatori"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	require.Equal(t, "Comune di Cerveteri", doc.Ente)
	for _, i := range doc.Indicatori {
		if i.Testo == "n.d." {
			require.Nil(t, i.Valore, "%s: no value under 5 cases", i.Indicatore)
		}
	}
	require.False(t, regexp.MustCompile(`Ferraresi|9943`).MatchString(body))
}
