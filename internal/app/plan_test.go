package app_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/quality"
)

var planEditRE = regexp.MustCompile(`href="/admin/qualita/piano/([0-9a-f-]{36})"[^>]*>Modifica<span class="visually-hidden"> l'azione «([^»]+)»`)

// TestImprovementPlanOverHTTP: the responsabile adds an action (a refused form comes back with
// the messages next to the fields and the input kept), edits it and completes it, which
// measures its effect; the URP reads the plan but gets 403 on every write; the citizen site
// shows the year's actions but the cancelled ones.
func TestImprovementPlanOverHTTP(t *testing.T) {
	a, _, _ := mailApp(t)
	host := "cerveteri.carta.test"
	year := strconv.Itoa(time.Now().Year())
	planURL := "/admin/qualita/piano?anno=" + year
	resp := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, resp.login(demo.Email("responsabile", "cerveteri"), pw).StatusCode)

	r, page := resp.do("GET", planURL, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, page, "Nuova azione per il "+year)
	token := csrfRE.FindStringSubmatch(page)[1]
	_, ind := resp.do("GET", "/admin/qualita/indicatori", nil)
	require.Contains(t, ind, `href="/admin/qualita/piano?anno=`+year+`"`, "linked from the indicators")

	r, page = resp.do("POST", planURL, url.Values{"_csrf": {token}, "title": {""}, "owner": {"Ufficio relazioni con il pubblico"},
		"indicator": {"inventato"}, "due": {"domani"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	for _, m := range []string{quality.MsgActionTitle, quality.MsgActionIndicator, quality.MsgActionDue} {
		require.Contains(t, page, html.EscapeString(m))
	}
	require.Contains(t, page, `id="f-title-error"`)
	require.Contains(t, page, `value="Ufficio relazioni con il pubblico"`, "input kept")
	require.Contains(t, page, `value="domani"`)

	r, _ = resp.do("POST", planURL, url.Values{"_csrf": {token}, "title": {"Risposte ai reclami entro la scadenza"},
		"description": {"Un promemoria settimanale delle scadenze."}, "owner": {"Ufficio relazioni con il pubblico"},
		"indicator": {"reclami_risposti_in_tempo"}, "due": {year + "-11-30"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r, _ = resp.do("POST", planURL, url.Values{"_csrf": {token}, "title": {"Azione ritirata dal piano"},
		"owner": {"Ufficio di piano"}, "indicator": {"questionari"}, "due": {year + "-12-15"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	_, page = resp.do("GET", planURL, nil)
	require.Contains(t, page, "Risposte ai reclami entro la scadenza")
	require.Contains(t, page, "Reclami con risposta entro la scadenza", "the indicator's label")
	require.Contains(t, page, "30 novembre "+year)
	ids := map[string]string{}
	for _, m := range planEditRE.FindAllStringSubmatch(page, -1) {
		ids[html.UnescapeString(m[2])] = m[1]
	}
	id, gone := ids["Risposte ai reclami entro la scadenza"], ids["Azione ritirata dal piano"]
	require.NotEmpty(t, id, page)
	require.NotEmpty(t, gone)

	r, page = resp.do("GET", "/admin/qualita/piano/"+id, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, page, `value="Risposte ai reclami entro la scadenza"`)
	require.Contains(t, page, `value="`+year+`-11-30"`)
	r, page = resp.do("POST", "/admin/qualita/piano/"+id, url.Values{"_csrf": {token}, "title": {"Risposte più rapide"},
		"owner": {""}, "indicator": {"reclami_risposti_in_tempo"}, "due": {year + "-11-30"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Contains(t, page, html.EscapeString(quality.MsgActionOwner))
	require.Contains(t, page, `value="Risposte più rapide"`, "input kept")
	r, _ = resp.do("POST", "/admin/qualita/piano/"+id, url.Values{"_csrf": {token}, "title": {"Risposte più rapide ai reclami"},
		"owner": {"URP e Segretariato sociale"}, "indicator": {"reclami_risposti_in_tempo"}, "due": {year + "-12-01"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r, _ = resp.do("POST", "/admin/qualita/piano/"+id+"/stato", url.Values{"_csrf": {token}, "status": {"completata"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r, _ = resp.do("POST", "/admin/qualita/piano/"+gone+"/stato", url.Values{"_csrf": {token}, "status": {"annullata"}})
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	r, page = resp.do("POST", "/admin/qualita/piano/"+id+"/stato", url.Values{"_csrf": {token}, "status": {"sospesa"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.StatusCode)
	require.Contains(t, page, html.EscapeString(quality.MsgActionStatus))
	_, page = resp.do("GET", planURL, nil)
	require.Contains(t, page, "Risposte più rapide ai reclami")
	require.Contains(t, page, "URP e Segretariato sociale")
	require.Contains(t, page, `<option value="completata" selected>Completata</option>`)
	require.Regexp(t, `\(variazione [^)]+\)<br><small>misurato il`, page, "the effect measured at completion")

	urp := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	r, page = urp.do("GET", planURL, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, "reports:read")
	require.Contains(t, page, "Risposte più rapide ai reclami")
	require.NotContains(t, page, "Nuova azione per il", "no form for who only reads")
	// The URP's own token (from a form it may use), so that a 403 is the permission's.
	_, complaint := urp.do("GET", "/admin/reclami/nuovo", nil)
	csrf := csrfRE.FindStringSubmatch(complaint)[1]
	for _, w := range []struct{ method, path string }{{"POST", planURL}, {"GET", "/admin/qualita/piano/" + id},
		{"POST", "/admin/qualita/piano/" + id}, {"POST", "/admin/qualita/piano/" + id + "/stato"}, {"POST", "/admin/qualita/piano/" + id + "/effetto"}} {
		r, _ = urp.do(w.method, w.path, url.Values{"_csrf": {csrf}, "title": {"Dall'URP"}, "owner": {"URP"},
			"indicator": {"questionari"}, "due": {year + "-12-01"}, "status": {"annullata"}})
		require.Equal(t, http.StatusForbidden, r.StatusCode, w.method+" "+w.path)
	}

	citizen := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	r, page = citizen.do("GET", "/piano-di-miglioramento?anno="+year, nil)
	require.Equal(t, http.StatusOK, r.StatusCode)
	require.Contains(t, page, "Piano di miglioramento "+year)
	require.Contains(t, page, "Risposte più rapide ai reclami")
	require.Contains(t, page, "Reclami con risposta entro la scadenza")
	require.Contains(t, page, "URP e Segretariato sociale")
	require.Contains(t, page, "Completata")
	require.NotContains(t, page, "Azione ritirata dal piano", "cancelled actions are not published")
	require.NotContains(t, page, "Dall&#39;URP")
	r, _ = citizen.do("GET", "/piano-di-miglioramento?anno=1999", nil)
	require.Equal(t, http.StatusNotFound, r.StatusCode)
	other := &client{t: t, a: a, host: "ambito-putignano.carta.test", cookies: map[string]string{}}
	_, page = other.do("GET", "/piano-di-miglioramento?anno="+year, nil)
	require.NotContains(t, page, "Risposte più rapide ai reclami", "another tenant's site")
}
