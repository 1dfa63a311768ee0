package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/google/uuid"
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
	to := regexp.MustCompile(`name="forward_to" value="([0-9a-f-]{36})"`).FindStringSubmatch(page)
	require.NotNil(t, to, "the only destination travels in the form")
	resp, _ = urp.do("POST", detailURL+"/inoltra", url.Values{"_csrf": {csrf}, "forward_to": {uuid.NewString()}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "an unknown destination is refused")
	resp, _ = urp.do("POST", detailURL+"/inoltra", url.Values{"_csrf": {csrf}, "forward_to": {to[1]}, "forward_note": {"Servizio dell'ambito."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = urp.do("GET", detailURL, nil)
	require.Contains(t, page, "Inoltrato a Ambito Territoriale Sociale di Putignano per competenza: Servizio dell&#39;ambito.")
	require.NotContains(t, page, "Inoltra a Ambito", "a forwarded complaint is not forwarded again")
	require.NotContains(t, page, "Chiudi il reclamo", "nor closed where it was filed")
	require.Contains(t, page, "Inoltrato per competenza a Ambito Territoriale Sociale di Putignano")

	// A complaint about the ambito's own service, kept at the comune: the ambito sees it.
	_, page = urp.do("GET", "/admin/reclami/nuovo", nil)
	adi := regexp.MustCompile(`<option value="([0-9a-f-]{36})"[^>]*>Assistenza domiciliare integrata`).FindStringSubmatch(page)
	require.NotNil(t, adi, "the ambito's service is among the comune's choices")
	resp, body = urp.do("POST", "/admin/reclami/nuovo", url.Values{"_csrf": {csrf}, "channel": {"telefono"}, "consent": {"1"},
		"service": {adi[1]}, "what_happened": {"L'operatrice ADI non è venuta per due settimane."}, "first_name": {"Bruno"}, "last_name": {"Verdi"}, "phone": {"080 4950111"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, regexp.MustCompile(`invalid-feedback[^>]*>[^<]*`).FindAllString(body, -1))
	kept := resp.Header.Get("Location")
	keptID := kept[len("/admin/reclami/"):]
	resp, _ = urp.do("GET", "/admin/reclami/ambito", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "the view is the ambito's")
	amb := &client{t: t, a: a, host: "ambito-putignano.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, amb.login(demo.Email("urp", "ambito-putignano"), pw).StatusCode)
	_, page = amb.do("GET", "/admin/reclami", nil)
	require.Contains(t, page, protocol)
	link := regexp.MustCompile(`href="(/admin/reclami/[0-9a-f-]{36})"`).FindStringSubmatch(page)
	require.NotNil(t, link)
	require.NotContains(t, page, keptID, "a complaint kept by the comune is not in the ambito's inbox")
	_, page = amb.do("GET", link[1], nil)
	require.Contains(t, page, "Ricevuto da Comune di Noci, reclamo n. "+protocol)
	require.Contains(t, page, "Restituisci a Comune di Noci")

	_, page = amb.do("GET", "/admin/reclami/ambito", nil)
	require.Contains(t, page, keptID)
	require.Contains(t, page, "Comune di Noci, n. ")
	_, page = amb.do("GET", "/admin/reclami/ambito/"+regexp.MustCompile(`/admin/reclami/ambito/([0-9a-f-]{36})/` + keptID).FindStringSubmatch(page)[1]+"/"+keptID, nil)
	require.Contains(t, page, "L&#39;operatrice ADI non è venuta per due settimane.")
	require.NotContains(t, page, "Verdi", "the author's data stay with the comune")
	csrf = csrfRE.FindStringSubmatch(page)[1]
	resp, _ = amb.do("POST", link[1]+"/risposta", url.Values{"_csrf": {csrf}, "outcome": {"accolto"}, "reply": {"Il servizio riprende lunedì."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}
