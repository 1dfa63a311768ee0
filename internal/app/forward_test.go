package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
)

// TestForwardOverHTTP: a member comune's URP forwards a complaint to its ambito, whose URP
// finds it with the original number and answers it; the comune's page shows where it went.
func TestForwardOverHTTP(t *testing.T) {
	a, _, _ := mailApp(t)
	urp := &client{t: t, a: a, host: "noci.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "noci"), pw).StatusCode)
	_, page := urp.do("GET", "/admin/reclami/nuovo", nil)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	resp, body := urp.do("POST", "/admin/reclami/nuovo", url.Values{"_csrf": {csrf}, "channel": {"sportello"}, "consent": {"1"},
		"service": {"altro"}, "what_happened": {"L'assistenza domiciliare non è arrivata."}, "first_name": {"Anna"}, "last_name": {"Neri"},
		"email": {"anna.neri@example.it"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, regexp.MustCompile(`invalid-feedback[^>]*>[^<]*`).FindAllString(body, -1))
	detailURL := resp.Header.Get("Location")
	_, page = urp.do("GET", detailURL, nil)
	require.Contains(t, page, "Inoltra a Ambito Territoriale Sociale di Putignano")
	protocol := regexp.MustCompile(`Reclamo n\. (\d{4}/\d{6})`).FindStringSubmatch(page)[1]
	resp, _ = urp.do("POST", detailURL+"/inoltra", url.Values{"_csrf": {csrf}, "forward_note": {"Servizio dell'ambito."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = urp.do("GET", detailURL, nil)
	require.Contains(t, page, "Inoltrato a Ambito Territoriale Sociale di Putignano per competenza: Servizio dell&#39;ambito.")
	require.NotContains(t, page, "Inoltra a Ambito", "a forwarded complaint is not forwarded again")

	amb := &client{t: t, a: a, host: "ambito-putignano.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, amb.login(demo.Email("urp", "ambito-putignano"), pw).StatusCode)
	_, page = amb.do("GET", "/admin/reclami", nil)
	require.Contains(t, page, protocol)
	link := regexp.MustCompile(`href="(/admin/reclami/[0-9a-f-]{36})"`).FindStringSubmatch(page)
	require.NotNil(t, link)
	_, page = amb.do("GET", link[1], nil)
	require.Contains(t, page, "Ricevuto da Comune di Noci, reclamo n. "+protocol)
	csrf = csrfRE.FindStringSubmatch(page)[1]
	resp, _ = amb.do("POST", link[1]+"/risposta", url.Values{"_csrf": {csrf}, "outcome": {"accolto"}, "reply": {"Il servizio riprende lunedì."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}
