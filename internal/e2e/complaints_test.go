package e2e_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/input"
	"github.com/go-rod/rod/lib/proto"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/e2e"
)

// fieldState is what a person reaches and hears of one form field.
type fieldState struct {
	Invalid, DescribedBy, Message string
	Beside                        bool // the message sits in the field's own group
	Linked                        bool // the error summary links to the field
	Summary                       bool // there is a role=alert summary
}

const fieldStateJS = `(id, group) => {
	const f = document.getElementById(id);
	const ids = (f.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
	const msg = ids.map(i => document.getElementById(i)).find(e => e && e.classList.contains('invalid-feedback'));
	const alert = document.querySelector('main [role="alert"]');
	return {Invalid: f.getAttribute('aria-invalid') || '', DescribedBy: ids.join(' '),
		Message: msg ? msg.textContent.trim() : '', Beside: !!msg && f.closest(group).contains(msg),
		Linked: !!alert && !!alert.querySelector('a[href="#' + id + '"]'), Summary: !!alert};
}`

// currentStep is the text of the step indicator's current step.
func currentStep(t *testing.T, p *e2e.Page) string {
	t.Helper()
	var s string
	p.JS(&s, `() => { const li = document.querySelectorAll('main [aria-current="step"]');
		return li.length === 1 ? li[0].textContent.trim() : li.length + ' current steps'; }`)
	return s
}

// value is the current value of the form control matched by selector.
func value(t *testing.T, p *e2e.Page, selector string) string {
	t.Helper()
	return p.El(selector).MustProperty("value").String()
}

// TestComplaintJourneyInTheBrowser files a complaint on Cerveteri's site as a citizen does,
// from the footer link through the four steps (with a refused step, and going back and forth
// without losing anything typed), reads it as the URP, answers it, and reads the answer on
// the citizen's private page. Every page passes axe-core at 1280 px and, at 390 px, does not
// scroll sideways and has no axe-core violation at all.
func TestComplaintJourneyInTheBrowser(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	const slug = "cerveteri"
	wide := &proto.EmulationSetDeviceMetricsOverride{Width: 1280, Height: 900, DeviceScaleFactor: 1}
	phone := &proto.EmulationSetDeviceMetricsOverride{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}
	check := func(p *e2e.Page, what string) {
		t.Helper()
		p.RequireAccessible(what)
		require.NoError(t, p.SetViewport(phone))
		requireFitsAPhone(t, p, what, 0)
		require.NoError(t, p.SetViewport(wide))
	}

	// The citizen, from the home page, follows the footer link.
	p := e2e.NewPage(t, b)
	p.Open(srv.URL(slug, "/"))
	p.Submit(`footer a[data-element="report-inefficiency"]`)
	require.Equal(t, "/segnala-disservizio", path(t, p))
	require.Equal(t, http.StatusOK, p.Status())
	check(p, "complaint service page")

	p.Submit(`main a[href="/segnala-disservizio/reclamo"]`)
	require.Equal(t, http.StatusOK, p.Status())
	require.Equal(t, "1. Informativa", currentStep(t, p))
	check(p, "privacy step")

	// Without the consent the step comes back, its message next to the checkbox and announced.
	next := `main form button.btn-primary[type="submit"]`
	back := `main form button[type="submit"][name="back"]`
	p.Submit(next)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status())
	require.Equal(t, "1. Informativa", currentStep(t, p))
	var consent fieldState
	p.JS(&consent, fieldStateJS, "f-consent", ".form-check")
	require.True(t, consent.Summary, "no role=alert summary")
	require.True(t, consent.Linked, "the summary does not link to the checkbox")
	require.Equal(t, "true", consent.Invalid)
	require.Contains(t, consent.Message, "informativa")
	require.True(t, consent.Beside, "the message is not next to the checkbox")
	check(p, "privacy step without consent")

	// The summary's link moves the focus to the checkbox.
	require.NoError(t, p.El(`main [role="alert"] a[href="#f-consent"]`).Click(proto.InputMouseButtonLeft, 1))
	var focused string
	p.JS(&focused, `() => document.activeElement.id`)
	require.Equal(t, "f-consent", focused)

	require.NoError(t, p.El(`label[for="f-consent"]`).Click(proto.InputMouseButtonLeft, 1))
	p.Submit(next)
	require.Equal(t, http.StatusOK, p.Status())
	require.Equal(t, "2. Il reclamo", currentStep(t, p))

	// A service that promises standards, and one of them.
	var choice struct{ Service, Standard string }
	p.JS(&choice, `() => {
		const g = document.querySelector('#f-standard optgroup');
		return {Service: g ? g.label : '', Standard: g ? g.querySelector('option').textContent : ''};
	}`)
	require.NotEmpty(t, choice.Service, "no service with standards to choose from")
	require.NoError(t, p.El("#f-service").Select([]string{choice.Service}, true, rod.SelectorTypeText))
	require.NoError(t, p.El("#f-standard").Select([]string{choice.Standard}, true, rod.SelectorTypeText))
	const what = "L'operatrice non è venuta martedì 3 marzo.\nNessuno ha avvisato."
	const request = "Che le visite siano recuperate."
	p.Fill("#f-what-happened", what)
	p.Fill("#f-request", request)
	// A visible counter follows each textarea.
	require.Equal(t, "63 caratteri su 4000", strings.TrimSpace(p.Text("#f-what-happened-count")))
	require.Equal(t, "31 caratteri su 2000", strings.TrimSpace(p.Text("#f-request-count")))
	check(p, "complaint step")

	p.Submit(next)
	require.Equal(t, http.StatusOK, p.Status())
	require.Equal(t, "3. I tuoi dati", currentStep(t, p))
	p.Fill("#f-first-name", "Maria")
	p.Fill("#f-last-name", "Rossi")
	p.Fill("#f-fiscal-code", "rssmra85m41h501u")
	p.Fill("#f-email", "maria.rossi@example.org")
	check(p, "author step")

	// Back to the complaint: everything typed is there, on this step and on the next.
	p.Submit(back)
	require.Equal(t, "2. Il reclamo", currentStep(t, p))
	require.Equal(t, choice.Service, p.Text(`#f-service option:checked`))
	require.Equal(t, choice.Standard, p.Text(`#f-standard option:checked`))
	require.Equal(t, what, value(t, p, "#f-what-happened"))
	require.Equal(t, request, value(t, p, "#f-request"))
	p.Submit(next)
	require.Equal(t, "3. I tuoi dati", currentStep(t, p))
	require.Equal(t, "Maria", value(t, p, "#f-first-name"))
	require.Equal(t, "Rossi", value(t, p, "#f-last-name"))
	require.Equal(t, "RSSMRA85M41H501U", value(t, p, "#f-fiscal-code"))
	require.Equal(t, "maria.rossi@example.org", value(t, p, "#f-email"))
	// Enter in a field goes forward, never back.
	require.NoError(t, p.El("#f-email").Focus())
	p.JS(nil, `() => { window.__cartaLeft = true; }`)
	require.NoError(t, p.Keyboard.Press(input.Enter))
	waitStep(t, p, "4. Riepilogo")

	// The summary, and back and forth once more.
	summary := p.Text("main dl")
	for _, s := range []string{choice.Service, choice.Standard, "L'operatrice non è venuta martedì 3 marzo.", request, "Maria Rossi", "RSSMRA85M41H501U", "maria.rossi@example.org"} {
		require.Contains(t, summary, s)
	}
	check(p, "summary step")
	p.Submit(back)
	require.Equal(t, "3. I tuoi dati", currentStep(t, p))
	require.Equal(t, "maria.rossi@example.org", value(t, p, "#f-email"))
	p.Submit(next)
	require.Equal(t, "4. Riepilogo", currentStep(t, p))
	require.Equal(t, summary, p.Text("main dl"), "the summary changed after going back and forth")

	// The honeypot is never reached with the keyboard nor heard.
	var hp struct {
		Found, Hidden bool
		Tabbed        []string
	}
	p.JS(&hp, `() => {
		const f = document.querySelector('input[name="sito_web"]');
		return {Found: !!f, Hidden: !!f && f.tabIndex < 0 && !!f.closest('[aria-hidden="true"]')};
	}`)
	require.True(t, hp.Found, "no honeypot")
	require.True(t, hp.Hidden, "the honeypot is reachable")
	seen := map[string]bool{}
	for range 80 {
		require.NoError(t, p.Keyboard.Press(input.Tab))
		var name string
		p.JS(&name, `() => { const a = document.activeElement; return a ? (a.name || a.id || a.tagName) : ''; }`)
		require.NotEqual(t, "sito_web", name, "Tab reached the honeypot")
		seen[name] = true
	}
	require.True(t, seen["next"], "Tab never reached the send button (a button named next)")

	p.Submit(next)
	require.Equal(t, http.StatusOK, p.Status())
	require.True(t, strings.HasPrefix(path(t, p), "/reclami/segui/"), "after sending: %s", path(t, p))
	private := srv.URL(slug, path(t, p))
	protocol := regexp.MustCompile(`\d{4}/\d{6}`).FindString(p.Text(`main [role="status"]`))
	require.NotEmpty(t, protocol, "no protocol number on the confirmation")
	require.Contains(t, p.Text("main"), "Reclamo inviato")
	check(p, "private page after sending")
	p.RequireClean()

	// The URP reads it in the inbox and answers it.
	urp := e2e.NewPage(t, b)
	login(t, urp, srv, slug, demo.Email("urp", slug))
	urp.Open(srv.URL(slug, "/admin/reclami"))
	require.Equal(t, http.StatusOK, urp.Status())
	check(urp, "inbox")
	var detail string
	urp.JS(&detail, `(p) => { const a = [...document.querySelectorAll('main a[href^="/admin/reclami/"]')].find(a => a.textContent.trim() === p);
		return a ? a.getAttribute('href') : ''; }`, protocol)
	require.NotEmpty(t, detail, "the inbox does not list %s", protocol)
	urp.Submit(`main a[href="` + detail + `"]`)
	require.Equal(t, http.StatusOK, urp.Status())
	require.Contains(t, urp.Text("main"), "L'operatrice non è venuta martedì 3 marzo.")
	check(urp, "complaint detail")
	const answer = "Ci scusiamo: le visite saranno recuperate entro la settimana."
	require.NoError(t, urp.El(`label[for="f-outcome-accolto"]`).Click(proto.InputMouseButtonLeft, 1))
	urp.Fill("#f-reply", answer)
	require.Equal(t, "61 caratteri su 8000", strings.TrimSpace(urp.Text("#f-reply-count")))
	urp.Submit(`form[action$="/risposta"] button[type="submit"]`)
	require.Equal(t, http.StatusOK, urp.Status())
	require.Contains(t, urp.Text("main"), "Risposta registrata")
	check(urp, "complaint detail after the answer")
	urp.RequireClean()

	// The citizen reads the answer on the private page.
	p.Open(private)
	require.Equal(t, http.StatusOK, p.Status())
	main := p.Text("main")
	require.Contains(t, main, "La risposta")
	require.Contains(t, main, "Accolto")
	require.Contains(t, main, answer)
	check(p, "private page with the answer")
	p.RequireClean()
}

// waitStep waits for the form to arrive at step after a submission made by the keyboard.
func waitStep(t *testing.T, p *e2e.Page, step string) {
	t.Helper()
	require.NoError(t, p.Timeout(20*time.Second).Wait(rod.Eval(`(s) => !window.__cartaLeft && document.readyState === 'complete' &&
		[...document.querySelectorAll('main [aria-current="step"]')].some(li => li.textContent.trim() === s)`, step)))
}
