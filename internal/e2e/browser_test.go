package e2e_test

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/input"
	"github.com/go-rod/rod/lib/proto"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/e2e"
	"github.com/cartasociale/carta/internal/web"
)

// login signs in on the staff area of slug through its form and waits for the dashboard.
func login(t *testing.T, p *e2e.Page, srv *e2e.Server, slug, email string) {
	t.Helper()
	p.Open(srv.URL(slug, "/admin/login"))
	p.Fill(`input[name="email"]`, email)
	p.Fill(`input[name="password"]`, e2e.DemoPassword)
	p.Submit(`form[action="/admin/login"] button[type="submit"]`)
	require.Equal(t, "/admin", path(t, p), "after logging in as %s", email)
}

func path(t *testing.T, p *e2e.Page) string {
	t.Helper()
	u, err := url.Parse(p.MustInfo().URL)
	require.NoError(t, err)
	return u.Path
}

// TestCitizenHome loads a comune's home as a citizen does and checks the national site model's
// basics: language, names, Bootstrap Italia's JavaScript, fonts served by the product, the
// footer contacts, and a clean console under the Content-Security-Policy.
func TestCitizenHome(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/"))

	require.Equal(t, http.StatusOK, p.Status())
	var lang string
	p.JS(&lang, `() => document.documentElement.lang`)
	require.Equal(t, "it", lang)
	require.Contains(t, p.MustInfo().Title, "Comune di Cerveteri")
	require.Contains(t, p.Text("main h1"), "Comune di Cerveteri")

	var version string
	p.JS(&version, `() => String(window.BOOTSTRAP_ITALIA_VERSION || '')`)
	require.NotEmpty(t, version, "window.BOOTSTRAP_ITALIA_VERSION is not set: Bootstrap Italia's JavaScript did not run")
	t.Logf("Bootstrap Italia %s", version)

	fonts := p.Fonts()
	t.Logf("faces loaded: %v", fonts.Loaded)
	require.Equal(t, "Titillium Web", fonts.H1, "first font family of h1")
	require.Equal(t, "Titillium Web", fonts.P, "first font family of p")
	require.Empty(t, fonts.NotModel, "headings and paragraphs outside the site model's fonts")
	require.Empty(t, fonts.Failed, "font faces that failed to load")
	require.Empty(t, fonts.UsedNotLoaded, "text drawn without its font face (loaded: %v)", fonts.Loaded)
	require.Empty(t, fonts.Foreign, "resources loaded from another origin")

	footer := p.Text("footer")
	require.Contains(t, footer, "Piazza Risorgimento 1")
	p.RequireClean()
}

// TestAccessibility runs axe-core (WCAG 2.1 A and AA) on the citizen and staff pages and fails
// on every serious or critical violation.
func TestAccessibility(t *testing.T) {
	srv, b := env(t)
	t.Parallel()

	t.Run("citizen", func(t *testing.T) {
		t.Parallel()
		p := e2e.NewPage(t, b)
		for _, tc := range []struct {
			name, url string
			status    int
		}{
			{"home of a comune in an ambito", srv.URL("putignano", "/"), http.StatusOK},
			{"home of the ambito", srv.URL("ambito-putignano", "/"), http.StatusOK},
			{"unknown host", srv.URL("sconosciuto", "/"), http.StatusNotFound},
		} {
			p.Open(tc.url)
			require.Equal(t, tc.status, p.Status(), tc.name)
			p.RequireAccessible(tc.name)
		}
		p.RequireClean()
	})

	t.Run("staff public pages", func(t *testing.T) {
		t.Parallel()
		p := e2e.NewPage(t, b)
		p.Open(srv.URL("putignano", "/admin/login"))
		require.Equal(t, http.StatusOK, p.Status())
		p.RequireAccessible("login")
		p.Open(srv.URL("putignano", "/admin/password/dimenticata"))
		require.Equal(t, http.StatusOK, p.Status())
		p.RequireAccessible("password forgotten")
		p.RequireClean()
	})

	t.Run("staff area", func(t *testing.T) {
		t.Parallel()
		p := e2e.NewPage(t, b)
		login(t, p, srv, "putignano", demo.Email("admin", "putignano"))
		p.RequireAccessible("dashboard")

		p.Open(srv.URL("putignano", "/admin/ente"))
		require.Equal(t, http.StatusOK, p.Status())
		p.RequireAccessible("ente profile")

		// An invalid e-mail: the form comes back with the message next to its field.
		p.Fill(`input[name="email"]`, "non-è-una-email")
		p.Submit(`form[action="/admin/ente"] button[type="submit"]`)
		require.GreaterOrEqual(t, p.Status(), 400)
		var field struct {
			Invalid, DescribedBy, Message string
			Beside                        bool
		}
		p.JS(&field, `() => {
			const input = document.querySelector('input[name="email"]');
			const msg = document.getElementById(input.id + '-error');
			return {Invalid: input.getAttribute('aria-invalid') || '', DescribedBy: input.getAttribute('aria-describedby') || '',
				Message: msg ? msg.textContent.trim() : '', Beside: !!msg && input.closest('.form-group').contains(msg)};
		}`)
		require.NotEmpty(t, field.Message, "no error message for the e-mail field")
		require.True(t, field.Beside, "the error message is not next to its field")
		require.Equal(t, "true", field.Invalid)
		require.Contains(t, field.DescribedBy, "f-email-error")
		p.RequireAccessible("ente profile with an invalid e-mail")

		p.Open(srv.URL("putignano", "/admin/utenti"))
		require.Equal(t, http.StatusOK, p.Status())
		require.Contains(t, p.Text("main"), demo.Email("redattore", "putignano"))
		p.RequireAccessible("users")
		p.RequireClean()
	})
}

// TestSkipLink checks keyboard users reach the content first: the first Tab lands on the skip
// link, which shows itself, and Enter moves the focus into the main content.
func TestSkipLink(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/"))
	_, err := p.Activate()
	require.NoError(t, err)

	require.NoError(t, p.Keyboard.Press(input.Tab))
	var focused struct {
		Text, Href string
		Width      float64
	}
	p.JS(&focused, `() => {
		const el = document.activeElement;
		return {Text: el.textContent.trim(), Href: el.getAttribute('href') || '', Width: el.getBoundingClientRect().width};
	}`)
	require.Equal(t, "Vai al contenuto principale", focused.Text, "first element reached with Tab")
	require.Greater(t, focused.Width, 10.0, "the focused skip link is not visible")

	require.NoError(t, p.Keyboard.Press(input.Enter))
	var active struct{ ID, Tag, Hash string }
	p.JS(&active, `async () => {
		await new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)));
		return {ID: document.activeElement.id, Tag: document.activeElement.tagName, Hash: location.hash};
	}`)
	require.Equal(t, "#main-container", active.Hash)
	require.Equal(t, "MAIN", active.Tag, "focus after the skip link (id %q)", active.ID)
	p.RequireClean()
}

// TestLoginJourney walks the staff login as a person does: redirect, wrong password, right
// password, the session cookie's attributes, logout.
func TestLoginJourney(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	base := srv.URL("cerveteri", "")

	p.Open(base + "/admin")
	require.Equal(t, "/admin/login", path(t, p), "an anonymous visit to /admin")
	require.Equal(t, http.StatusOK, p.Status())

	// Chromium treats http://*.localhost as a secure context and keeps __Host- Secure cookies
	// there: the login form's CSRF cookie must be stored.
	cookies := cookieMap(t, p, base)
	require.Contains(t, cookies, web.CSRFCookie, "Chromium refused the __Host- Secure CSRF cookie on http://*.localhost")

	p.Fill(`input[name="email"]`, demo.Email("admin", "cerveteri"))
	p.Fill(`input[name="password"]`, "password-sbagliata")
	p.Submit(`form[action="/admin/login"] button[type="submit"]`)
	require.Equal(t, "/admin/login", path(t, p))
	var bad struct {
		Text       string
		BesideForm bool
	}
	p.JS(&bad, `() => {
		const a = document.querySelector('main [role="alert"]'), f = document.querySelector('form[action="/admin/login"]');
		return {Text: a ? a.textContent.trim() : '', BesideForm: !!a && !!f && a.parentElement === f.parentElement};
	}`)
	require.Equal(t, "Email o password non corretti.", bad.Text)
	require.True(t, bad.BesideForm, "the error is not shown next to the form")
	require.NotContains(t, cookieMap(t, p, base), auth.SessionCookie)

	p.Fill(`input[name="email"]`, demo.Email("admin", "cerveteri"))
	p.Fill(`input[name="password"]`, e2e.DemoPassword)
	p.Submit(`form[action="/admin/login"] button[type="submit"]`)
	require.Equal(t, "/admin", path(t, p))
	require.Equal(t, http.StatusOK, p.Status())
	require.Contains(t, p.Text("main"), "Amministratore Cerveteri")
	require.Contains(t, p.Text("header"), "Amministratore Cerveteri")

	sess, ok := cookieMap(t, p, base)[auth.SessionCookie]
	require.True(t, ok, "no session cookie after logging in")
	require.True(t, sess.HTTPOnly, "session cookie not HttpOnly")
	require.True(t, sess.Secure, "session cookie not Secure")
	require.Equal(t, "/", sess.Path)
	require.Equal(t, "cerveteri.localhost", sess.Domain, "a __Host- cookie belongs to its host alone")
	require.True(t, sess.Session, "the session cookie should die with the browser")
	p.RequireClean()

	p.Submit(`header form[action="/admin/logout"] button[type="submit"]`)
	require.Equal(t, "/admin/login", path(t, p), "after logging out")
	require.NotContains(t, cookieMap(t, p, base), auth.SessionCookie)
	p.Open(base + "/admin")
	require.Equal(t, "/admin/login", path(t, p), "/admin after logging out")
	p.RequireClean()
}

func cookieMap(t *testing.T, p *e2e.Page, base string) map[string]*proto.NetworkCookie {
	t.Helper()
	cs, err := p.Cookies([]string{base + "/"})
	require.NoError(t, err)
	m := map[string]*proto.NetworkCookie{}
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

// TestProfileEditReachesTheSite has an ente admin change the phone number in the staff area and
// finds it in the footer of the citizen site. Grandate is used here and nowhere else.
func TestProfileEditReachesTheSite(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	const phone = "031 4567890"

	p.Open(srv.URL("grandate", "/"))
	require.NotContains(t, p.Text("footer"), phone)

	login(t, p, srv, "grandate", demo.Email("admin", "grandate"))
	p.Open(srv.URL("grandate", "/admin/ente"))
	p.Fill(`input[name="phone"]`, phone)
	p.Submit(`form[action="/admin/ente"] button[type="submit"]`)
	require.Equal(t, http.StatusOK, p.Status())
	require.Equal(t, "/admin/ente", path(t, p))
	require.Contains(t, p.Text("main"), "Profilo aggiornato.")

	p.Open(srv.URL("grandate", "/"))
	require.Contains(t, p.Text("footer"), "Telefono: "+phone)
	var href string
	p.JS(&href, `() => { const a = document.querySelector('footer a[href^="tel:"]'); return a ? a.getAttribute('href') : ''; }`)
	require.Equal(t, "tel:"+strings.ReplaceAll(phone, " ", ""), href)
	p.RequireClean()
}

// TestScreenshots saves the citizen home and the dashboard as PNG files, into
// $CARTA_E2E_SCREENSHOTS when set (for people to look at) or a temporary folder.
func TestScreenshots(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	dir := os.Getenv("CARTA_E2E_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/"))
	t.Logf("citizen home: %s", p.Screenshot(dir, "cerveteri-home.png"))
	login(t, p, srv, "cerveteri", demo.Email("admin", "cerveteri"))
	t.Logf("dashboard: %s", p.Screenshot(dir, "cerveteri-dashboard.png"))
	p.RequireClean()
}

// TestFavicon: browsers ask every site for an icon; a missing one shows a generic tab icon and
// logs a 404 for every page a citizen opens.
func TestFavicon(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	for _, u := range []string{srv.URL("cerveteri", "/"), srv.URL("cerveteri", "/admin/login")} {
		p.Open(u)
		var icon struct {
			URL, Type string
			Status    int
		}
		p.JS(&icon, `async () => {
			const link = document.querySelector('link[rel~="icon"]');
			const url = link ? link.href : location.origin + '/favicon.ico';
			const r = await fetch(url);
			return {URL: url, Status: r.status, Type: r.headers.get('Content-Type') || ''};
		}`)
		require.Equal(t, http.StatusOK, icon.Status, "%s: the icon %s", u, icon.URL)
		require.True(t, strings.HasPrefix(icon.Type, "image/"), "%s: the icon %s is %q", u, icon.URL, icon.Type)
	}
	p.RequireClean()
}

// TestTheChecksCatchProblems proves the watchers and axe-core would notice a broken page: a
// console error, an uncaught exception, a missing stylesheet, an inline script refused by the
// Content-Security-Policy, an image without a text alternative and unreadable grey text are all
// reported.
func TestTheChecksCatchProblems(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/"))
	p.JS(nil, `() => {
		console.error('errore di prova');
		setTimeout(() => { throw new Error('eccezione di prova'); }, 0);
		const link = document.createElement('link');
		link.rel = 'stylesheet'; link.href = '/static/non-esiste.css';
		document.head.appendChild(link);
		const s = document.createElement('script');
		s.textContent = 'window.inlineRan = true';
		document.body.appendChild(s);
		const img = document.createElement('img');
		img.src = '/static/non-esiste.png';
		document.querySelector('main').appendChild(img);
		// Setting style properties from a script is allowed by the CSP; a style attribute is not.
		const faint = document.createElement('p');
		faint.textContent = 'testo poco leggibile';
		faint.style.color = '#d0d0d0';
		document.querySelector('main').appendChild(faint);
		return new Promise(r => setTimeout(r, 300));
	}`)
	all := strings.Join(p.Problems(), "\n")
	for _, want := range []string{"errore di prova", "eccezione di prova", "non-esiste.css answered 404", "CSP violation: script-src"} {
		require.Contains(t, all, want)
	}
	var ran bool
	p.JS(&ran, `() => !!window.inlineRan`)
	require.False(t, ran, "an inline script ran despite the Content-Security-Policy")

	var ids []string
	for _, v := range p.Axe() {
		if v.Blocking() {
			ids = append(ids, v.ID)
		}
	}
	require.Contains(t, ids, "image-alt", "axe-core missed an image without alt (WCAG A)")
	require.Contains(t, ids, "color-contrast", "axe-core missed grey text on white (WCAG AA)")
}
