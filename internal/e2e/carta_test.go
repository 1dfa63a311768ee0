package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/input"
	"github.com/go-rod/rod/lib/proto"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/e2e"
)

// The published Carta in the browser. Cerveteri and Noci are only read here; Grandate is the
// tenant whose Carta TestPublishJourney changes (TestProfileEditReachesTheSite reads only its
// footer).

// citizenPage loads url in p, an anonymous tab, and checks what every page of the citizen
// site owes a visitor: the expected status (and final path, after redirects), Bootstrap
// Italia's JavaScript, no cookie, a clean console under the CSP, and no serious or critical
// axe-core violation. Problems recorded before are forgotten, so each page answers for its own.
func citizenPage(t *testing.T, p *e2e.Page, url string, status int, finalPath string) {
	t.Helper()
	p.In(t).Forget()
	p.Open(url)
	require.Equal(t, status, p.Status(), url)
	if finalPath != "" {
		require.Equal(t, finalPath, path(t, p), "where %s leads", url)
	}
	var version string
	p.JS(&version, `() => String(window.BOOTSTRAP_ITALIA_VERSION || '')`)
	require.NotEmpty(t, version, "%s: window.BOOTSTRAP_ITALIA_VERSION is not set", url)

	cs, err := p.Cookies(nil)
	require.NoError(t, err)
	var names []string
	for _, c := range cs {
		names = append(names, c.Name+" ("+c.Domain+")")
	}
	require.Empty(t, names, "%s: a citizen page set cookies", url)
	var docCookie string
	p.JS(&docCookie, `() => document.cookie`)
	require.Empty(t, docCookie, "%s: document.cookie", url)

	p.RequireAccessible(url)
	p.RequireClean()
}

// TestCartaCitizenPages runs the citizen checks on every page of a published Carta.
func TestCartaCitizenPages(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	for _, tc := range []struct {
		name, slug, path string
		finalPath        string // where the address leads, when it redirects
		status           int
		want             string // a text the main content holds
	}{
		{"home", "cerveteri", "/", "", http.StatusOK, "Cerca un servizio"},
		{"services", "cerveteri", "/servizi", "", http.StatusOK, "Centro estivo per ragazzi"},
		{"services of a category", "cerveteri", "/servizi?categoria=ELD", "", http.StatusOK, "Assistenza domiciliare per anziani (SAD)"},
		{"service", "cerveteri", "/servizi/assistenza-domiciliare-anziani", "", http.StatusOK, "Assistenza domiciliare per anziani (SAD)"},
		{"search", "cerveteri", "/cerca?q=assistenza", "", http.StatusOK, "Assistenza domiciliare per anziani (SAD)"},
		{"search without results", "cerveteri", "/cerca?q=zqxwvkj", "", http.StatusOK, "Nessun servizio trovato per «zqxwvkj»"},
		{"offices", "cerveteri", "/uffici", "", http.StatusOK, "Sportello di Cerenova"},
		{"office", "cerveteri", "/uffici/servizi-sociali", "", http.StatusOK, "Servizi Sociali — Piazza Risorgimento"},
		{"general part", "cerveteri", "/carta", "", http.StatusOK, "La Carta dei Servizi Sociali"},
		{"versions", "cerveteri", "/carta/versioni", "", http.StatusOK, "Versione 1"},
		// Version 1 is the one in force at Cerveteri: its number leads to the current Carta.
		// The page of a past version is checked by TestPublishJourney, after a second one.
		{"version in force", "cerveteri", "/carta/versioni/1", "/carta", http.StatusOK, "La Carta dei Servizi Sociali"},
		{"management", "cerveteri", "/amministrazione", "", http.StatusOK, "Servizi Sociali — Piazza Risorgimento"},
		{"topics", "cerveteri", "/argomenti", "", http.StatusOK, "Assistenza sociale"},
		{"open data", "cerveteri", "/opendata", "", http.StatusOK, "/opendata/servizi.csv"},
		{"ambito service in a member comune", "noci", "/servizi/centro-antiviolenza", "", http.StatusOK, "Servizio dell'ambito"},
		{"unknown service", "cerveteri", "/servizi/non-esiste", "", http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			citizenPage(t, p, srv.URL(tc.slug, tc.path), tc.status, tc.finalPath)
			if tc.status == http.StatusOK {
				require.Equal(t, 1, count(t, p, "main h1"), "one h1 per page")
			}
			if tc.want != "" {
				var main string
				// Text and link targets: open data is named by its addresses.
				p.JS(&main, `() => { const m = document.querySelector('main');
					return m.innerText + ' ' + [...m.querySelectorAll('a')].map(a => a.getAttribute('href')).join(' '); }`)
				require.Contains(t, main, tc.want)
			}
		})
	}
}

func count(t *testing.T, p *e2e.Page, selector string) int {
	t.Helper()
	var n int
	p.JS(&n, `(s) => document.querySelectorAll(s).length`, selector)
	return n
}

// TestCartaStaffPages runs axe-core on the staff pages of the Carta, as a responsabile sees
// them (every button of writing and publishing shown).
func TestCartaStaffPages(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	login(t, p, srv, "cerveteri", demo.Email("responsabile", "cerveteri"))

	check := func(name, path string) {
		t.Helper()
		p.Open(srv.URL("cerveteri", path))
		require.Equal(t, http.StatusOK, p.Status(), name)
		p.RequireAccessible(name)
	}
	check("catalogue overview", "/admin/carta")
	check("services", "/admin/carta/servizi")
	var edit string
	p.JS(&edit, `() => {
		const a = [...document.querySelectorAll('main a[href^="/admin/carta/servizi/"]')]
			.find(a => a.textContent.includes('Assistenza domiciliare per anziani'));
		return a ? a.getAttribute('href') : '';
	}`)
	require.NotEmpty(t, edit, "no link to the edit form of the home care service")
	check("service edit form", edit)
	check("offices", "/admin/carta/uffici")
	check("publication", "/admin/carta/pubblicazione")
	check("versions", "/admin/carta/versioni")
	check("import", "/admin/carta/importa")
	p.RequireClean()
}

// TestServicePageContract checks, in the browser, the HTML the national site model reads on a
// service page (CONTRACT.md "Every page" and "A service page").
func TestServicePageContract(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/servizi/assistenza-domiciliare-anziani"))
	require.Equal(t, http.StatusOK, p.Status())

	// The header menu: only the pages that exist, each once, inside the site, in the model's
	// order. Novità (news) and Vivere (live) do not exist yet, so they must not be linked.
	var menu struct {
		Counts     map[string]int
		InHeader   map[string]bool
		SameOrigin map[string]bool
		Labels     map[string]string
		Order      []string
	}
	p.JS(&menu, `() => {
		const names = ['management', 'news', 'all-services', 'live', 'all-topics'];
		const r = {Counts: {}, InHeader: {}, SameOrigin: {}, Labels: {}, Order: []};
		for (const n of names) {
			const els = document.querySelectorAll('[data-element="' + n + '"]');
			r.Counts[n] = els.length;
			if (els.length) {
				r.InHeader[n] = !!els[0].closest('header');
				r.SameOrigin[n] = new URL(els[0].href, location.href).origin === location.origin;
				r.Labels[n] = els[0].textContent.trim();
			}
		}
		r.Order = [...document.querySelectorAll('header [data-element]')].map(e => e.dataset.element)
			.filter(n => names.includes(n));
		return r;
	}`)
	for _, n := range []string{"management", "all-services", "all-topics"} {
		require.Equal(t, 1, menu.Counts[n], "data-element=%s on the page", n)
		require.True(t, menu.InHeader[n], "data-element=%s is not in the header", n)
		require.True(t, menu.SameOrigin[n], "data-element=%s links outside the site", n)
	}
	require.Equal(t, "Amministrazione", menu.Labels["management"])
	require.Equal(t, "Servizi", menu.Labels["all-services"])
	require.Zero(t, menu.Counts["news"], "a Novità link, but the page does not exist yet")
	require.Zero(t, menu.Counts["live"], "a Vivere link, but the page does not exist yet")
	require.Equal(t, []string{"management", "all-services", "all-topics"}, menu.Order, "order of the header menu")

	// Breadcrumb: li items, "Servizi" then the service.
	var crumbs []string
	p.JS(&crumbs, `() => [...document.querySelectorAll('[data-element="breadcrumb"] li')]
		.map(li => li.textContent.replace('/', '').trim())`)
	require.NotEmpty(t, crumbs, "no breadcrumb li items")
	iServ := indexOf(crumbs, "Servizi")
	require.GreaterOrEqual(t, iServ, 0, "the breadcrumb has no \"Servizi\" item: %q", crumbs)
	require.Equal(t, "Assistenza domiciliare per anziani (SAD)", crumbs[len(crumbs)-1], "last breadcrumb item")
	require.Less(t, iServ, len(crumbs)-1, "\"Servizi\" comes before the service: %q", crumbs)

	require.Equal(t, "Assistenza domiciliare per anziani (SAD)", p.Text(`h1[data-element="service-title"]`))
	for _, el := range []string{"service-description", "service-status", "service-topic", "service-addressed",
		"service-how-to", "service-needed", "service-achieved", "service-calendar-text", "service-generic-access", "service-area"} {
		require.GreaterOrEqual(t, count(t, p, `[data-element="`+el+`"]`), 1, "data-element=%s", el)
	}
	require.GreaterOrEqual(t, len([]rune(strings.TrimSpace(p.Text(`[data-element="service-area"]`)))), 3, "service-area")

	// The page index: a ul of li > a whose labels keep the model's relative order.
	var index []string
	p.JS(&index, `() => [...document.querySelectorAll('ul[data-element="page-index"] > li > a')].map(a => a.textContent.trim())`)
	last := -1
	for _, want := range []string{"A chi è rivolto", "Come fare", "Cosa serve", "Cosa si ottiene", "Tempi e scadenze",
		"Accedi al servizio", "Condizioni di servizio", "Contatti"} {
		i := indexOf(index, want)
		require.GreaterOrEqual(t, i, 0, "page index without %q: %q", want, index)
		require.Greater(t, i, last, "%q out of order in the page index: %q", want, index)
		last = i
	}
	// Every entry leads to a section of the page.
	var dangling []string
	p.JS(&dangling, `() => [...document.querySelectorAll('ul[data-element="page-index"] a')]
		.filter(a => !document.getElementById(a.getAttribute('href').slice(1))).map(a => a.getAttribute('href'))`)
	require.Empty(t, dangling, "page index entries without their section")

	// The JSON-LD metatag parses, in the browser, and names the operator and where to go.
	var ld struct {
		Count      int
		Error      string
		Type       any    `json:"type"`
		Name       string `json:"name"`
		Operator   string `json:"operator"`
		Location   string `json:"location"`
		Street     string `json:"street"`
		PostalCode string `json:"postalCode"`
		Locality   string `json:"locality"`
		InHead     bool   `json:"inHead"`
	}
	p.JS(&ld, `() => {
		const s = document.querySelectorAll('script[type="application/ld+json"][data-element="metatag"]');
		const r = {Count: s.length, Error: ''};
		if (!s.length) return r;
		r.inHead = !!s[0].closest('head');
		let d;
		try { d = JSON.parse(s[0].textContent); } catch (e) { r.Error = String(e); return r; }
		const ch = [].concat(d.availableChannel || [])[0] || {};
		const loc = [].concat(ch.serviceLocation || [])[0] || {};
		const addr = loc.address || {};
		return Object.assign(r, {type: d['@type'], name: d.name || '', operator: (d.serviceOperator || {}).name || '',
			location: loc.name || '', street: addr.streetAddress || '', postalCode: addr.postalCode || '',
			locality: addr.addressLocality || ''});
	}`)
	require.Equal(t, 1, ld.Count, "JSON-LD scripts with data-element=metatag")
	require.Empty(t, ld.Error, "the JSON-LD does not parse")
	require.True(t, ld.InHead, "the JSON-LD is not in the head")
	require.Equal(t, "Assistenza domiciliare per anziani (SAD)", ld.Name)
	require.NotEmpty(t, ld.Operator, "serviceOperator.name")
	require.NotEmpty(t, ld.Location, "availableChannel.serviceLocation.name")
	require.Equal(t, "Piazza Risorgimento 1", ld.Street, "availableChannel.serviceLocation.address.streetAddress")
	require.NotEmpty(t, ld.PostalCode, "availableChannel.serviceLocation.address.postalCode")
	require.NotEmpty(t, ld.Locality, "availableChannel.serviceLocation.address.addressLocality")
	p.RequireClean()
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestPageIndexKeyboard: a keyboard user reaches the page index with Tab, and Enter on an entry
// moves to its section: the section is scrolled into view and the next Tab continues from it.
func TestPageIndexKeyboard(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/servizi/assistenza-domiciliare-anziani"))
	_, err := p.Activate()
	require.NoError(t, err)

	const target = "Come fare"
	var reached bool
	for range 80 {
		require.NoError(t, p.Keyboard.Press(input.Tab))
		var at struct {
			InIndex bool
			Text    string
		}
		p.JS(&at, `() => { const el = document.activeElement;
			return {InIndex: !!el.closest('[data-element="page-index"]'), Text: el.textContent.trim()}; }`)
		if at.InIndex && at.Text == target {
			reached = true
			break
		}
	}
	require.True(t, reached, "Tab never reached %q in the page index", target)
	var visible bool
	p.JS(&visible, `() => {
		const el = document.activeElement, r = el.getBoundingClientRect(), cs = getComputedStyle(el);
		return r.width > 0 && r.height > 0 && (cs.outlineStyle !== 'none' || cs.boxShadow !== 'none');
	}`)
	require.True(t, visible, "the focused page index link shows no focus indicator")

	require.NoError(t, p.Keyboard.Press(input.Enter))
	var moved struct {
		Hash       string
		Top        float64
		Viewport   float64
		NextInside bool
		NextText   string
	}
	p.JS(&moved, `async () => {
		// Give a smooth scroll time to end.
		for (let i = 0; i < 40; i++) {
			const before = window.scrollY;
			await new Promise(r => setTimeout(r, 50));
			if (window.scrollY === before && i > 2) break;
		}
		const sec = document.getElementById('come-fare');
		return {Hash: location.hash, Top: sec.getBoundingClientRect().top, Viewport: window.innerHeight};
	}`)
	require.Equal(t, "#come-fare", moved.Hash, "Enter on %q did not follow the link", target)
	require.GreaterOrEqual(t, moved.Top, -5.0, "the section scrolled past the top")
	require.Less(t, moved.Top, moved.Viewport/2, "the section is not brought into view")

	// The focus starting point moved with it: the next Tab lands in or after the section, not
	// back in the index.
	require.NoError(t, p.Keyboard.Press(input.Tab))
	p.JS(&moved, `() => {
		const sec = document.getElementById('come-fare'), el = document.activeElement;
		return {NextInside: sec.contains(el) || !!(sec.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
			NextText: el.textContent.trim()};
	}`)
	require.True(t, moved.NextInside, "after Enter on the index, Tab went to %q, before the section", moved.NextText)
	p.RequireClean()
}

// TestSearchFromHome types a query with two typos into the home's search box.
func TestSearchFromHome(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/"))
	p.Fill(`main form[role="search"] input[name="q"]`, "asistenza domicliare")
	p.Submit(`main form[role="search"] button[type="submit"]`)
	require.Equal(t, http.StatusOK, p.Status())
	require.Equal(t, "/cerca", path(t, p))
	var hrefs []string
	p.JS(&hrefs, `() => [...document.querySelectorAll('main a[href^="/servizi/"]')].map(a => a.getAttribute('href'))`)
	require.Contains(t, hrefs, "/servizi/assistenza-domiciliare-anziani", "the search for \"asistenza domicliare\" missed the service")
	require.Equal(t, "/servizi/assistenza-domiciliare-anziani", hrefs[0], "the best match is not first")
	require.Equal(t, "asistenza domicliare", p.El(`main input[name="q"]`).MustProperty("value").String(),
		"the results page keeps the query in the box")
	p.RequireClean()
}

// TestCartaPDF: the Carta's PDF answers as a PDF (fetched by the page, as a click would).
func TestCartaPDF(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("cerveteri", "/carta"))
	for _, u := range []string{"/carta.pdf", "/guida-sintetica.pdf"} {
		var got struct {
			Status      int
			Type, Magic string
			Size        int
		}
		p.JS(&got, `async (u) => {
			const r = await fetch(u);
			const b = new Uint8Array(await r.arrayBuffer());
			return {Status: r.status, Type: r.headers.get('Content-Type') || '', Size: b.length,
				Magic: String.fromCharCode(...b.slice(0, 5))};
		}`, u)
		require.Equal(t, http.StatusOK, got.Status, u)
		require.Equal(t, "application/pdf", strings.TrimSpace(strings.Split(got.Type, ";")[0]), u)
		require.Equal(t, "%PDF-", got.Magic, u)
		require.Greater(t, got.Size, 1000, u)
	}
	p.RequireClean()
}

// TestPublishJourney: a redattore changes a service's short description, previews it and
// saves it; citizens keep seeing the published text until a responsabile publishes, and then
// see the new one at once; the previous version stays readable by its number. Grandate only.
func TestPublishJourney(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	const (
		slug    = "grandate"
		svcPath = "/servizi/pasti-a-domicilio"
		oldText = "Consegna a casa del pranzo per persone anziane o in difficoltà che non possono prepararlo."
		newText = "Pranzo consegnato a casa, dal lunedì al venerdì, a chi non può prepararlo da sé."
		note    = "Riscritta la descrizione breve dei pasti a domicilio."
	)

	// A citizen reads the service page: its tab stays open through the journey, so a page
	// kept by the browser or by a cache would show.
	citizen := e2e.NewPage(t, b)
	citizen.Open(srv.URL(slug, svcPath))
	require.Equal(t, http.StatusOK, citizen.Status())
	require.Equal(t, oldText, citizen.Text(`[data-element="service-description"]`))

	// The redattore edits the draft.
	red := e2e.NewPage(t, b)
	login(t, red, srv, slug, demo.Email("redattore", slug))
	red.Open(srv.URL(slug, "/admin/carta/servizi"))
	var edit string
	red.JS(&edit, `() => {
		const a = [...document.querySelectorAll('main a[href^="/admin/carta/servizi/"]')]
			.find(a => a.textContent.trim() === 'Pasti a domicilio');
		return a ? a.getAttribute('href') : '';
	}`)
	require.NotEmpty(t, edit, "no link to the edit form of \"Pasti a domicilio\"")
	red.Open(srv.URL(slug, edit))
	require.Equal(t, http.StatusOK, red.Status())
	require.Equal(t, oldText, red.El(`textarea[name="short_description"]`).MustProperty("value").String())
	red.Fill(`textarea[name="short_description"]`, newText)

	// (b) Anteprima opens, in a new tab, the unsaved text as citizens would see it.
	preview := red.OpenedBy(func() {
		require.NoError(t, red.El(`form button[formaction$="/anteprima"]`).Click(proto.InputMouseButtonLeft, 1))
	})
	require.Contains(t, preview.Text(`main [role="status"]`), "Anteprima — non pubblicata")
	require.Equal(t, newText, preview.Text(`[data-element="service-description"]`))
	require.Equal(t, "Pasti a domicilio", preview.Text(`[data-element="service-title"]`))
	preview.RequireAccessible("service preview")
	preview.RequireClean()
	require.NoError(t, preview.Close())

	// Saving changes the draft only.
	red.Submit(`main form[action="` + edit + `"] button.btn-primary[type="submit"]:not([formaction])`)
	require.Equal(t, http.StatusOK, red.Status())
	require.Equal(t, newText, red.El(`textarea[name="short_description"]`).MustProperty("value").String(),
		"after saving, the form shows the saved text")
	red.RequireClean()

	citizen.Open(srv.URL(slug, svcPath))
	require.Equal(t, http.StatusOK, citizen.Status())
	require.Equal(t, oldText, citizen.Text(`[data-element="service-description"]`), "a saved draft reached citizens")

	// The responsabile publishes, with a note.
	resp := e2e.NewPage(t, b)
	login(t, resp, srv, slug, demo.Email("responsabile", slug))
	resp.Open(srv.URL(slug, "/admin/carta/pubblicazione"))
	require.Equal(t, http.StatusOK, resp.Status())
	require.Contains(t, resp.Text("main"), "Pasti a domicilio", "the changes to publish name the service")
	resp.Fill(`textarea[name="note"]`, note)
	resp.Submit(`form[action="/admin/carta/pubblicazione"] button[type="submit"]`)
	require.Equal(t, http.StatusOK, resp.Status())
	require.Contains(t, resp.Text("main"), note)
	resp.RequireAccessible("publication page after publishing")
	resp.RequireClean()

	// At once, without waiting for any cache to expire, citizens get the new text.
	citizen.Open(srv.URL(slug, svcPath))
	require.Equal(t, http.StatusOK, citizen.Status())
	require.Equal(t, newText, citizen.Text(`[data-element="service-description"]`), "the published text did not reach citizens")
	citizen.RequireClean()

	p := e2e.NewPage(t, b)
	citizenPage(t, p, srv.URL(slug, "/carta/versioni"), http.StatusOK, "")
	var rows []struct{ Head, Href, Note string }
	p.JS(&rows, `() => [...document.querySelectorAll('main tbody tr')].map(tr => ({
		Head: tr.querySelector('th').textContent.replace(/\s+/g, ' ').trim(),
		Href: (tr.querySelector('a') || {getAttribute: () => ''}).getAttribute('href'),
		Note: tr.querySelector('td:last-child').textContent.trim()}))`)
	require.Len(t, rows, 2, "versions listed: %+v", rows)
	require.Equal(t, "Versione 2 in vigore", rows[0].Head, "the newest version comes first, in force")
	require.Equal(t, note, rows[0].Note)
	require.Equal(t, "Versione 1", rows[1].Head)
	require.Equal(t, "/carta/versioni/1", rows[1].Href, "the versions page links the previous version")

	// The previous version keeps the old text, and says it is not the one in force.
	citizenPage(t, p, srv.URL(slug, "/carta/versioni/1"), http.StatusOK, "/carta/versioni/1")
	main := p.Text("main")
	require.Contains(t, main, "non è la versione in vigore")
	require.Contains(t, main, oldText, "version 1 no longer shows the text it published")
	require.NotContains(t, main, newText, "version 1 shows the text of version 2")
	var old string
	p.JS(&old, `() => { const a = [...document.querySelectorAll('main a')].find(a => a.textContent.includes('Pasti a domicilio'));
		return a ? a.getAttribute('href') : ''; }`)
	require.Equal(t, "/carta/versioni/1"+svcPath, old, "version 1 links its own service page")

	citizenPage(t, p, srv.URL(slug, old), http.StatusOK, "")
	require.Equal(t, oldText, p.Text(`[data-element="service-description"]`), "the service page of version 1")
	require.Contains(t, p.Text("main"), "non è la versione in vigore")
}
