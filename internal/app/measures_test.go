package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
)

// TestStandardMeasuresOverHTTP: staff record a measured value of a standard, with Italian
// messages next to the wrong fields first; the service page, cached before, shows the new
// value and whether the target was met at once; the ambito's measure of its own service shows
// on a member comune's page of it.
func TestStandardMeasuresOverHTTP(t *testing.T) {
	a, _, _ := mailApp(t)
	amb := &client{t: t, a: a, host: "ambito-putignano.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, amb.login(demo.Email("redattore", "ambito-putignano"), pw).StatusCode)
	resp, page := amb.do("GET", "/admin/qualita/standard", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	link := regexp.MustCompile(`href="/admin/qualita/standard/(assistenza-domiciliare-integrata)"`).FindStringSubmatch(page)
	require.NotNil(t, link, "the ambito measures its own services")

	citizen := &client{t: t, a: a, host: "noci.carta.test", cookies: map[string]string{}}
	resp, before := citizen.do("GET", "/servizi/assistenza-domiciliare-integrata", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, before, "Valutazione a domicilio entro 15 giorni dalla domanda")
	_, again := citizen.do("GET", "/servizi/assistenza-domiciliare-integrata", nil)
	require.Equal(t, before, again, "served from the cache")

	resp, page = amb.do("GET", "/admin/qualita/standard/assistenza-domiciliare-integrata", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	std := regexp.MustCompile(`<option value="([0-9a-f-]{36})"[^>]*>Valutazione a domicilio`).FindStringSubmatch(page)
	require.NotNil(t, std)
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	resp, body := amb.do("POST", "/admin/qualita/standard/assistenza-domiciliare-integrata", url.Values{"_csrf": {csrf},
		"standard": {std[1]}, "from": {"2026-01-01"}, "to": {tomorrow}, "value": {"molti"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-to-error"`)
	require.Contains(t, body, "Indica l&#39;ultimo giorno del periodo")
	require.Contains(t, body, `id="f-value-error"`)
	require.Contains(t, body, `value="molti"`, "what was typed is kept")

	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	resp, _ = amb.do("POST", "/admin/qualita/standard/assistenza-domiciliare-integrata", url.Values{"_csrf": {csrf},
		"standard": {std[1]}, "from": {time.Now().AddDate(0, -6, 0).Format(time.DateOnly)}, "to": {yesterday}, "value": {"78,5"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = amb.do("GET", "/admin/qualita/standard/assistenza-domiciliare-integrata", nil)
	require.Contains(t, page, "78,5 %")
	require.Contains(t, page, "non rispettato", "below the 85% target")

	_, after := citizen.do("GET", "/servizi/assistenza-domiciliare-integrata", nil)
	require.Contains(t, after, "78,5 %")
	require.Contains(t, after, "non rispettato")
	require.NotEqual(t, before, after, "the cached page gave way at once")
}
