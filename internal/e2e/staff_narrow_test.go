package e2e_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/proto"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/e2e"
)

// TestStaffTablesOnAPhone opens, on a 390×844 screen, the staff pages that hold tables (the
// services list, the service editor with its quality standards, documents, areas, people,
// closures, users, versions, a version, the audit trail): the page never scrolls sideways,
// each table scrolls inside a region that a keyboard can reach and that has an Italian name,
// and axe-core finds no violation at all.
func TestStaffTablesOnAPhone(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	const slug = "cerveteri"
	p := e2e.NewPage(t, b)
	require.NoError(t, p.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}))
	// The ente admin reads the catalogue, the users and the trail, whose login is its first entry.
	login(t, p, srv, slug, demo.Email("admin", slug))

	p.Open(srv.URL(slug, "/admin/carta/servizi"))
	var edit string
	p.JS(&edit, `() => {
		const a = [...document.querySelectorAll('main a[href^="/admin/carta/servizi/"]')]
			.find(a => a.textContent.includes('Assistenza domiciliare per anziani'));
		return a ? a.getAttribute('href') : '';
	}`)
	require.NotEmpty(t, edit, "no link to the edit form of the home care service")

	for _, tc := range []struct {
		name, path string
		tables     int // at least
	}{
		{"services", "/admin/carta/servizi", 1},
		{"service editor with standards", edit, 0},
		{"documents of a service", edit + "/documenti", 0},
		{"areas", "/admin/carta/categorie", 1},
		{"people", "/admin/carta/persone", 1},
		{"closures", "/admin/carta/uffici/chiusure", 0},
		{"users", "/admin/utenti", 1},
		{"versions", "/admin/carta/versioni", 1},
		{"version 1", "/admin/carta/versioni/1", 1},
		{"publication", "/admin/carta/pubblicazione", 0},
		{"audit trail", "/admin/registro", 1},
	} {
		p.Open(srv.URL(slug, tc.path))
		require.Equal(t, http.StatusOK, p.Status(), tc.name)
		if tc.name == "service editor with standards" {
			require.Positive(t, count(t, p, `textarea[name^="standard_description_"]`), "the editor shows quality standards")
		}
		requireFitsAPhone(t, p, tc.name, tc.tables)
	}
	p.RequireClean()
}

// TestCitizenTablesOnAPhone: the citizen pages with tables (a service's quality standards, an
// office's week, the versions of the Carta) pass the same checks on a 390×844 screen.
func TestCitizenTablesOnAPhone(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	require.NoError(t, p.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}))
	p.Open(srv.URL("cerveteri", "/uffici"))
	var office string
	p.JS(&office, `() => { const a = document.querySelector('main a[href^="/uffici/"]'); return a ? a.getAttribute('href') : ''; }`)
	require.NotEmpty(t, office, "no office page linked from /uffici")
	for _, tc := range []struct {
		name, path string
		tables     int
	}{
		{"service with standards", "/servizi/assistenza-domiciliare-anziani", 1},
		{"office", office, 1},
		{"versions", "/carta/versioni", 1},
	} {
		p.Open(srv.URL("cerveteri", tc.path))
		require.Equal(t, http.StatusOK, p.Status(), tc.name)
		requireFitsAPhone(t, p, tc.name, tc.tables)
	}
	p.RequireClean()
}

// requireFitsAPhone checks the open page on a phone: it never scrolls sideways, it holds at
// least tables tables, each scrolling inside a named region the keyboard reaches, and axe-core
// finds no violation at all.
func requireFitsAPhone(t *testing.T, p *e2e.Page, name string, tables int) {
	t.Helper()
	var width int
	p.JS(&width, `() => document.documentElement.scrollWidth`)
	require.LessOrEqual(t, width, 390, "%s: the page scrolls sideways", name)

	var found []struct{ Region, Label string }
	p.JS(&found, `() => [...document.querySelectorAll('main table')].map(t => {
		const r = t.parentElement;
		const ok = r.classList.contains('table-responsive') && r.getAttribute('tabindex') === '0' && r.getAttribute('role') === 'region';
		const by = r.getAttribute('aria-labelledby');
		return {Region: ok ? 'ok' : r.outerHTML.slice(0, 120),
			Label: (r.getAttribute('aria-label') || (by && document.getElementById(by) ? document.getElementById(by).textContent : '')).trim()};
	})`)
	require.GreaterOrEqual(t, len(found), tables, "%s: tables", name)
	for _, tb := range found {
		require.Equal(t, "ok", tb.Region, "%s: a table outside a focusable scrolling region", name)
		require.NotEmpty(t, tb.Label, "%s: a table region without a name", name)
		require.False(t, strings.ContainsAny(tb.Label, "{}"), name)
	}
	var vs []string
	for _, v := range p.Axe() {
		vs = append(vs, v.String())
	}
	require.Empty(t, vs, "%s: axe-core violations at 390px", name)
}
