package app_test

import (
	"context"
	"html"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/mail/mailtest"
	"github.com/cartasociale/carta/internal/testenv"
)

var (
	hiddenRE  = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)
	serviceRE = regexp.MustCompile(`<option value="([0-9a-f-]{36})"[^>]*>([^<]+)</option>`)
	followRE  = regexp.MustCompile(`https?://[^/\s]+(/reclami/segui/[A-Za-z0-9_-]{43})`)
)

// step posts the form of page with its hidden fields and the given ones.
func step(t *testing.T, c *client, page string, fields url.Values) (*http.Response, string) {
	t.Helper()
	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	for k, v := range fields {
		form[k] = v
	}
	return c.do("POST", "/segnala-disservizio/reclamo", form)
}

// TestComplaintJourneyOverHTTP walks a complaint on the real application, its job queue and an
// SMTP server: a citizen finds "Segnala disservizio" in the footer, goes through the form's
// steps (a missing consent is refused next to its field), gets a protocol number and a private
// link, and an acknowledgement by e-mail whose job holds no link; the URP answers it in the
// staff area; the citizen reads the answer on the private page and by e-mail.
// mailApp starts the real application with its job queue and an SMTP server in the test,
// seeded with the demo comuni (password pw).
func mailApp(t *testing.T) (*app.App, *mailtest.Server, *testenv.Env) {
	t.Helper()
	env := testenv.Get(t)
	ctx, cancel := context.WithCancel(context.Background())
	smtp := mailtest.Start(t)
	s := smtp.SMTP()
	cfg := env.TestConfig(t, map[string]string{"SMTP_HOST": s.Host, "SMTP_PORT": strconv.Itoa(s.Port),
		"SMTP_TLS": "none", "SMTP_FROM": s.From})
	a, err := app.New(ctx, cfg, quietLog())
	require.NoError(t, err)
	_, err = a.SeedDemo(ctx, pw)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }() // starts the job queue
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	return a, smtp, env
}

const pw = "password-di-prova-lunga"

func TestComplaintJourneyOverHTTP(t *testing.T) {
	a, smtp, env := mailApp(t)
	ctx := context.Background()
	const host = "cerveteri.carta.test"
	citizen := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	_, home := citizen.do("GET", "/", nil)
	require.Contains(t, home, `<a href="/segnala-disservizio" data-element="report-inefficiency">Segnala disservizio</a>`)
	resp, page := citizen.do("GET", "/segnala-disservizio", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, `href="/segnala-disservizio/reclamo"`)

	_, page = citizen.do("GET", "/segnala-disservizio/reclamo", nil)
	require.Contains(t, page, "Informativa sul trattamento dei dati personali")
	resp, page = step(t, citizen, page, nil)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "without consent")
	require.Contains(t, page, `id="f-consent-error">Per presentare il reclamo devi dichiarare`)
	resp, page = step(t, citizen, page, url.Values{"consent": {"1"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	svc := serviceRE.FindStringSubmatch(page)
	require.NotNil(t, svc, "the form lists the published services")
	resp, page = step(t, citizen, page, url.Values{"service": {svc[1]}, "what_happened": {"Ho atteso tre settimane il primo colloquio."},
		"request": {"Un colloquio entro i tempi promessi."}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, `name="first_name"`)
	const email = "maria.rossi@example.it"
	resp, page = step(t, citizen, page, url.Values{"first_name": {"Maria"}, "last_name": {"Rossi"},
		"fiscal_code": {"rssmra85m41h501u"}, "email": {email}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, "Le informazioni che hai fornito hanno valore di dichiarazione")
	require.Contains(t, page, "RSSMRA85M41H501U")
	resp, _ = step(t, citizen, page, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.Regexp(t, `^/reclami/segui/[A-Za-z0-9_-]{43}\?nuovo=1$`, loc)
	resp, page = citizen.do("GET", loc, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "private, no-store", resp.Header.Get("Cache-Control"))
	require.Contains(t, page, "Reclamo inviato")
	protocol := regexp.MustCompile(`\d{4}/\d{6}`).FindString(page)
	require.NotEmpty(t, protocol)

	// The acknowledgement arrives; its job held ids only.
	msg := smtp.WaitFor(t, email, 30*time.Second)
	require.Contains(t, msg.Subject, protocol)
	link := followRE.FindStringSubmatch(msg.Text)
	require.NotNil(t, link, msg.Text)
	var leaked int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE strpos(args::text, $1) > 0`,
		link[1][len("/reclami/segui/"):]).Scan(&leaked))
	require.Zero(t, leaked, "a private link in the job table")
	resp, page = (&client{t: t, a: a, host: host, cookies: map[string]string{}}).do("GET", link[1], nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, protocol)
	resp, _ = (&client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}).do("GET", link[1], nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "the link opens on its comune's site only")

	// The URP answers it.
	urp := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	_, inbox := urp.do("GET", "/admin/reclami", nil)
	id := regexp.MustCompile(`href="/admin/reclami/([0-9a-f-]{36})">` + regexp.QuoteMeta(protocol)).FindStringSubmatch(inbox)
	require.NotNil(t, id, inbox)
	_, detail := urp.do("GET", "/admin/reclami/"+id[1], nil)
	require.Contains(t, detail, "Ho atteso tre settimane")
	csrf := csrfRE.FindStringSubmatch(detail)[1]
	resp, body := urp.do("POST", "/admin/reclami/"+id[1]+"/risposta", url.Values{"_csrf": {csrf}, "outcome": {"accolto"}, "reply": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-reply-error">Scrivi la risposta`)
	resp, body = urp.do("POST", "/admin/reclami/"+id[1]+"/risposta", url.Values{"_csrf": {csrf}, "outcome": {"accolto"},
		"reply": {"Il colloquio è fissato per lunedì alle 10."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)

	_, page = citizen.do("GET", loc[:len(loc)-len("?nuovo=1")], nil)
	require.Contains(t, page, "Il colloquio è fissato per lunedì alle 10.")
	require.Contains(t, page, "Accolto")
	require.Eventually(t, func() bool {
		for _, m := range smtp.Messages() {
			if m.To[0] == email && regexp.MustCompile(`Risposta al reclamo`).MatchString(m.Subject) {
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "the reply by e-mail")

	// Another tenant's URP cannot open it.
	other := &client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, other.login(demo.Email("urp", "grandate"), pw).StatusCode)
	resp, _ = other.do("GET", "/admin/reclami/"+id[1], nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestStaffRecordsAPhoneComplaint: the URP enters a complaint made by phone; it gets its
// number and due date like one from the site, with its channel.
func TestStaffRecordsAPhoneComplaint(t *testing.T) {
	a, _, _ := mailApp(t)
	urp := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	_, page := urp.do("GET", "/admin/reclami", nil)
	require.Contains(t, page, `href="/admin/reclami/nuovo"`)
	_, page = urp.do("GET", "/admin/reclami/nuovo", nil)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	svc := serviceRE.FindStringSubmatch(page)
	require.NotNil(t, svc)
	form := url.Values{"_csrf": {csrf}, "service": {svc[1]}, "what_happened": {"Nessuno risponde al numero dello sportello."},
		"first_name": {"Giuseppe"}, "last_name": {"Verdi"}, "phone": {"333 123 4567"}}
	resp, body := urp.do("POST", "/admin/reclami/nuovo", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-channel-error">Indica come è arrivato il reclamo`)
	form.Set("channel", "telefono")
	resp, body = urp.do("POST", "/admin/reclami/nuovo", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-consent-error">Conferma di aver dato al cittadino l&#39;informativa`)
	require.Contains(t, body, "Nessuno risponde al numero dello sportello.", "what was typed is kept")
	form.Set("consent", "1")
	resp, body = urp.do("POST", "/admin/reclami/nuovo", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	_, page = urp.do("GET", resp.Header.Get("Location"), nil)
	require.Contains(t, page, "Reclamo registrato con il numero")
	require.Contains(t, page, "(telefono)")
	require.Contains(t, page, "&#43;393331234567", "the phone number normalised")

	// A revisore reads but does not record.
	rev := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, rev.login(demo.Email("revisore", "cerveteri"), pw).StatusCode)
	resp, _ = rev.do("GET", "/admin/reclami/nuovo", nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	_, page = rev.do("GET", "/admin/reclami", nil)
	require.NotContains(t, page, `href="/admin/reclami/nuovo"`)
}

// TestFeedbackOverHTTP: a suggestion from the complaint service page reaches the URP's list.
func TestFeedbackOverHTTP(t *testing.T) {
	a, _, _ := mailApp(t)
	citizen := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	_, page := citizen.do("GET", "/segnala-disservizio", nil)
	require.Contains(t, page, `href="/segnala-disservizio/suggerimento"`)
	_, page = citizen.do("GET", "/segnala-disservizio/suggerimento", nil)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	resp, body := citizen.do("POST", "/segnala-disservizio/suggerimento", url.Values{"_csrf": {csrf}, "body": {"Servirebbe un orario serale."}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-kind-error">Scegli se è un suggerimento`)
	require.Contains(t, body, "Servirebbe un orario serale.", "the text is kept")
	resp, _ = citizen.do("POST", "/segnala-disservizio/suggerimento", url.Values{"_csrf": {csrf}, "kind": {"suggerimento"},
		"body": {"Servirebbe un orario serale."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = citizen.do("GET", resp.Header.Get("Location"), nil)
	require.Contains(t, page, "Grazie: la tua segnalazione è arrivata")

	urp := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	_, page = urp.do("GET", "/admin/reclami/segnalazioni", nil)
	require.Contains(t, page, "Servirebbe un orario serale.")
	other := &client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, other.login(demo.Email("urp", "grandate"), pw).StatusCode)
	_, page = other.do("GET", "/admin/reclami/segnalazioni", nil)
	require.NotContains(t, page, "Servirebbe un orario serale.")
}

// TestCoordinationTableOverHTTP: the URP assigns a phone complaint to two offices of the
// published Carta; each adds its contribution, which the citizen never sees, and the URP
// answers once.
func TestCoordinationTableOverHTTP(t *testing.T) {
	a, _, _ := mailApp(t)
	urp := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	_, page := urp.do("GET", "/admin/reclami/nuovo", nil)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	resp, _ := urp.do("POST", "/admin/reclami/nuovo", url.Values{"_csrf": {csrf}, "channel": {"sportello"}, "consent": {"1"},
		"service": {"altro"}, "what_happened": {"Informazioni diverse da due uffici."}, "first_name": {"Anna"}, "last_name": {"Neri"},
		"email": {"anna.neri@example.it"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	detailURL := resp.Header.Get("Location")
	_, page = urp.do("GET", detailURL, nil)
	offices := regexp.MustCompile(`name="offices" value="([0-9a-f-]{36})"`).FindAllStringSubmatch(page, -1)
	require.GreaterOrEqual(t, len(offices), 2, "the demo comune publishes two offices or more")
	csrf = csrfRE.FindStringSubmatch(page)[1]
	resp, _ = urp.do("POST", detailURL+"/uffici", url.Values{"_csrf": {csrf}, "offices": {offices[0][1], offices[1][1]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = urp.do("GET", detailURL, nil)
	require.Contains(t, page, "Tavolo di coordinamento")
	for i, text := range []string{"Il primo ufficio ha dato l'informazione corretta.", "Il secondo ufficio correggerà il volantino."} {
		resp, body := urp.do("POST", detailURL+"/contributo", url.Values{"_csrf": {csrf}, "office": {offices[i][1]}, "contribution": {text}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	}
	resp, body := urp.do("POST", detailURL+"/contributo", url.Values{"_csrf": {csrf}, "office": {offices[0][1]}, "contribution": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-contribution-error">Scrivi il contributo`)
	_, page = urp.do("GET", detailURL, nil)
	require.Contains(t, page, "Il secondo ufficio correggerà il volantino.")
	require.Contains(t, page, "Contributo di un ufficio")
	// A reply template: refused without text, then saved, then offered on the complaint and
	// poured into the reply field.
	resp, body = urp.do("POST", "/admin/reclami/modelli", url.Values{"_csrf": {csrf}, "title": {"Chiarimento"}, "body": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="f-body-error">Scrivi il testo del modello`)
	resp, _ = urp.do("POST", "/admin/reclami/modelli", url.Values{"_csrf": {csrf}, "title": {"Chiarimento"},
		"body": {"Gentile cittadino, abbiamo verificato con gli uffici coinvolti."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = urp.do("GET", detailURL, nil)
	tpl := regexp.MustCompile(`<option value="([0-9a-f-]{36})">Chiarimento</option>`).FindStringSubmatch(page)
	require.NotNil(t, tpl, "the template is offered on the complaint")
	_, page = urp.do("GET", detailURL+"?modello="+tpl[1], nil)
	require.Regexp(t, `name="reply"[^>]*>Gentile cittadino, abbiamo verificato`, page)
	resp, _ = urp.do("POST", detailURL+"/risposta", url.Values{"_csrf": {csrf}, "outcome": {"parzialmente_accolto"},
		"reply": {"Abbiamo chiarito con entrambi gli uffici."}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = urp.do("GET", detailURL, nil)
	require.Contains(t, page, "Parzialmente accolto")
}
