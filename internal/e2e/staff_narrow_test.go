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
		var width int
		p.JS(&width, `() => document.documentElement.scrollWidth`)
		require.LessOrEqual(t, width, 390, "%s: the page scrolls sideways", tc.name)

		var tables []struct{ Region, Label string }
		p.JS(&tables, `() => [...document.querySelectorAll('main table')].map(t => {
			const r = t.parentElement;
			const ok = r.classList.contains('table-responsive') && r.getAttribute('tabindex') === '0' && r.getAttribute('role') === 'region';
			const by = r.getAttribute('aria-labelledby');
			return {Region: ok ? 'ok' : r.outerHTML.slice(0, 120),
				Label: (r.getAttribute('aria-label') || (by && document.getElementById(by) ? document.getElementById(by).textContent : '')).trim()};
		})`)
		require.GreaterOrEqual(t, len(tables), tc.tables, "%s: tables", tc.name)
		for _, tb := range tables {
			require.Equal(t, "ok", tb.Region, "%s: a table outside a focusable scrolling region", tc.name)
			require.NotEmpty(t, tb.Label, "%s: a table region without a name", tc.name)
			require.False(t, strings.ContainsAny(tb.Label, "{}"), tc.name)
		}

		var vs []string
		for _, v := range p.Axe() {
			vs = append(vs, v.String())
		}
		require.Empty(t, vs, "%s: axe-core violations at 390px", tc.name)
	}
	p.RequireClean()
}
