package app_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
)

// TestAfterTheAnswerOverHTTP walks what follows a complaint on the real application with its
// queue and an SMTP server: the URP sets the complaint settings (bad values refused next to
// their fields) with a protocol mailbox, which receives the next complaint with its receipt;
// staff record the register's number (a day in the future refused); the inbox filters by
// channel; the answer reaches the author with the letter attached and as a download on the
// private page only on its comune's site; the author reopens it, with a reason required.
func TestAfterTheAnswerOverHTTP(t *testing.T) {
	a, smtp, _ := mailApp(t)
	const host = "cerveteri.carta.test"
	urp := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)

	_, page := urp.do("GET", "/admin/reclami/impostazioni", nil)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	require.Contains(t, page, `value="30"`, "the Carta's 30 days by default")
	resp, body := urp.do("POST", "/admin/reclami/impostazioni", url.Values{"_csrf": {csrf}, "due_days": {"trenta"},
		"retention_months": {"60"}, "protocol_mailbox": {"protocollo@"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-due-days-error">Indica in quanti giorni`)
	require.Contains(t, body, `id="f-protocol-mailbox-error">Scrivi un indirizzo email valido`)
	require.Contains(t, body, `value="trenta"`, "what was typed is kept")
	const pec = "protocollo@pec.comune.cerveteri.example.it"
	resp, _ = urp.do("POST", "/admin/reclami/impostazioni", url.Values{"_csrf": {csrf}, "due_days": {"30"},
		"retention_months": {"60"}, "protocol_mailbox": {pec}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// A phone complaint with the author's e-mail: the author and the protocol mailbox hear of it.
	_, page = urp.do("GET", "/admin/reclami/nuovo", nil)
	const email = "anna.bianchi@example.it"
	resp, body = urp.do("POST", "/admin/reclami/nuovo", url.Values{"_csrf": {csrfRE.FindStringSubmatch(page)[1]},
		"channel": {"telefono"}, "consent": {"1"}, "service": {serviceRE.FindStringSubmatch(page)[1]},
		"what_happened": {"Il trasporto non è passato."}, "first_name": {"Anna"}, "last_name": {"Bianchi"}, "email": {email}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	detailPath := resp.Header.Get("Location")
	id := regexp.MustCompile(`^/admin/reclami/([0-9a-f-]{36})`).FindStringSubmatch(detailPath)
	require.NotNil(t, id, detailPath)
	_, page = urp.do("GET", detailPath, nil)
	protocol := regexp.MustCompile(`Reclamo n\. (\d{4}/\d{6})`).FindStringSubmatch(page)[1]
	toProtocol := smtp.WaitFor(t, pec, 30*time.Second)
	require.Contains(t, toProtocol.Subject, protocol)
	require.Contains(t, toProtocol.Text, "Anna Bianchi")
	receipt := toProtocol.Attachments["ricevuta-reclamo-"+protocol[:4]+"-"+protocol[5:]+".pdf"]
	require.True(t, bytes.HasPrefix(receipt, []byte("%PDF-")), "the receipt goes with it")

	csrf = csrfRE.FindStringSubmatch(page)[1]
	tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	resp, body = urp.do("POST", "/admin/reclami/"+id[1]+"/protocollo", url.Values{"_csrf": {csrf},
		"official_protocol": {"4567/2026"}, "official_protocol_on": {tomorrow}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-official-protocol-on-error">Scrivi la data di protocollo`)
	resp, _ = urp.do("POST", "/admin/reclami/"+id[1]+"/protocollo", url.Values{"_csrf": {csrf},
		"official_protocol": {"4567/2026"}, "official_protocol_on": {time.Now().Format(time.DateOnly)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = urp.do("GET", detailPath, nil)
	require.Contains(t, page, "4567/2026 del")

	_, inbox := urp.do("GET", "/admin/reclami?canale=telefono", nil)
	require.Contains(t, inbox, protocol)
	_, inbox = urp.do("GET", "/admin/reclami?canale=web", nil)
	require.NotContains(t, inbox, protocol, "filtered by channel")

	// The answer, with its letter.
	resp, body = urp.do("POST", "/admin/reclami/"+id[1]+"/risposta", url.Values{"_csrf": {csrf}, "outcome": {"respinto"},
		"reply": {"Il trasporto è passato alle 8:10, come da registro."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	var reply []byte
	var link string
	require.Eventually(t, func() bool {
		for _, m := range smtp.Messages() {
			if m.To[0] == email && regexp.MustCompile(`^Risposta al reclamo`).MatchString(m.Subject) {
				reply = m.Attachments["risposta-reclamo-"+protocol[:4]+"-"+protocol[5:]+".pdf"]
				if l := followRE.FindStringSubmatch(m.Text); l != nil {
					link = l[1]
				}
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "the reply by e-mail")
	require.True(t, bytes.HasPrefix(reply, []byte("%PDF-")), "the letter is attached")
	require.NotEmpty(t, link)

	citizen := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	resp, pdf := citizen.do("GET", link+"/risposta.pdf", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
	require.Equal(t, "private, no-store", resp.Header.Get("Cache-Control"))
	require.Equal(t, reply, []byte(pdf), "the same letter as the e-mail's")
	resp, _ = (&client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}).do("GET", link+"/risposta.pdf", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "on its comune's site only")
	resp, _ = urp.do("GET", "/admin/reclami/"+id[1]+"/lettera.pdf", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	_, page = citizen.do("GET", link, nil)
	require.Contains(t, page, "Il problema è stato risolto?")
	require.Contains(t, page, "No, riapri il reclamo")
	csrf = csrfRE.FindStringSubmatch(page)[1]
	resp, body = citizen.do("POST", link+"/esito", url.Values{"_csrf": {csrf}, "solved": {"riapri"}, "reason": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-reason-error">Spiega perché il problema non è risolto`)
	resp, _ = citizen.do("POST", link+"/esito", url.Values{"_csrf": {csrf}, "solved": {"riapri"}, "reason": {"Il trasporto non è passato, ho la testimonianza della vicina."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = citizen.do("GET", resp.Header.Get("Location"), nil)
	require.Contains(t, page, "Il reclamo è stato riaperto")
	require.Contains(t, page, "Reclamo riaperto dal cittadino")
	_, page = urp.do("GET", detailPath, nil)
	require.Contains(t, page, "In istruttoria")
	require.Contains(t, page, "ho la testimonianza della vicina", "the reason reaches the URP")
}
