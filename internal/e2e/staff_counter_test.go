package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/e2e"
)

// counterState is what a person sees and hears of the short description and its counter.
type counterState struct {
	Length      int
	Counter     string
	CounterLive string // aria-live of the visible counter: none, so it does not speak on each key
	Live        string // the polite live region's text
	Invalid     string // aria-invalid of the field
	InvalidCSS  bool
	Error       string // the message next to the field, when shown
	DescribedBy string
	MaxLength   string
}

const counterStateJS = `() => {
	const f = document.querySelector('#f-short-description');
	const e = document.querySelector('#f-short-description-length-error');
	const l = document.querySelector('#f-short-description-count-status');
	return {Length: [...f.value].length, Counter: document.querySelector('#f-short-description-count').textContent.trim(),
		CounterLive: document.querySelector('#f-short-description-count').getAttribute('aria-live') || '',
		Live: l && l.getAttribute('aria-live') === 'polite' ? l.textContent : 'no polite live region',
		Invalid: f.getAttribute('aria-invalid') || '', InvalidCSS: f.classList.contains('is-invalid'),
		Error: e && !e.hidden && e.getClientRects().length ? e.textContent : '',
		DescribedBy: f.getAttribute('aria-describedby') || '', MaxLength: f.getAttribute('maxlength') || ''};
}`

// paste sends the field a paste event and then inserts text as the browser does for a paste
// (through the editing pipeline, which applies a maxlength).
func paste(t *testing.T, p *e2e.Page, selector, text string) {
	t.Helper()
	p.JS(nil, `(s, text) => {
		const f = document.querySelector(s);
		f.focus();
		f.select();
		const dt = new DataTransfer();
		dt.setData('text/plain', text);
		f.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
	}`, selector, text)
	require.NoError(t, p.El(selector).Input(text))
}

// TestCharacterCounterInTheBrowser types and pastes into the short description of a service:
// the counter follows every change, screen readers hear it politely and only near the limit,
// a longer paste is kept whole and marked invalid with its message (not cut silently), and the
// server refuses it next to the field. A field without a counter says when it cut a paste.
func TestCharacterCounterInTheBrowser(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	const slug = "cerveteri"
	p := e2e.NewPage(t, b)
	login(t, p, srv, slug, demo.Email("redattore", slug))
	p.Open(srv.URL(slug, "/admin/carta/servizi"))
	var edit string
	p.JS(&edit, `() => {
		const a = [...document.querySelectorAll('main a[href^="/admin/carta/servizi/"]')]
			.find(a => a.textContent.includes('Assistenza domiciliare per anziani'));
		return a ? a.getAttribute('href') : '';
	}`)
	require.NotEmpty(t, edit)
	p.Open(srv.URL(slug, edit))
	require.Equal(t, http.StatusOK, p.Status())

	state := func() counterState {
		t.Helper()
		var s counterState
		p.JS(&s, counterStateJS)
		return s
	}
	// settled waits past the pause after which the count is announced.
	settled := func() counterState {
		t.Helper()
		time.Sleep(1200 * time.Millisecond)
		return state()
	}

	s := state()
	require.Empty(t, s.CounterLive, "the visible counter is not a live region")
	require.Empty(t, s.Live)
	require.Empty(t, s.MaxLength, "the field does not cut a longer text")

	// Typing far from the limit: the counter follows, nothing is announced.
	p.Fill("#f-short-description", "Aiuto a casa")
	s = settled()
	require.Equal(t, "12 caratteri su 255", s.Counter)
	require.Empty(t, s.Live, "far from the limit nothing is announced")
	require.NoError(t, p.El("#f-short-description").Input(" per anziani"))
	require.Equal(t, "24 caratteri su 255", state().Counter, "the counter follows each key")

	// Within 20 characters of the limit the count is announced, once typing pauses.
	p.Fill("#f-short-description", strings.Repeat("a", 240))
	require.Empty(t, state().Live, "not announced on the keystroke itself")
	s = settled()
	require.Equal(t, "240 caratteri su 255", s.Counter)
	require.Equal(t, "Restano 15 caratteri su 255.", s.Live)
	require.Empty(t, s.Invalid)

	// A longer paste goes in whole and is marked invalid, at once.
	long := strings.TrimSpace(strings.Repeat("Testo incollato. ", 18)) // 305 characters
	paste(t, p, "#f-short-description", long)
	s = state()
	require.Equal(t, 305, s.Length, "the paste was cut")
	require.Equal(t, "305 caratteri su 255: 50 caratteri in più", s.Counter)
	require.Equal(t, "true", s.Invalid)
	require.True(t, s.InvalidCSS)
	require.Equal(t, "Il testo supera il massimo di 255 caratteri: accorcialo prima di salvare.", s.Error)
	require.Contains(t, strings.Fields(s.DescribedBy), "f-short-description-length-error")
	require.Contains(t, s.Live, "Il testo supera il massimo di 255 caratteri", "a paste past the limit is announced at once")
	p.RequireAccessible("service form with a text too long")

	// Shortened, the field is valid again.
	p.Fill("#f-short-description", "Aiuto a casa per le persone anziane.")
	s = state()
	require.Empty(t, s.Invalid)
	require.False(t, s.InvalidCSS)
	require.Empty(t, s.Error)
	require.NotContains(t, s.DescribedBy, "length-error")

	// Saved too long anyway, the server refuses it next to the field and keeps the text.
	paste(t, p, "#f-short-description", long)
	p.Submit(`main form[action="` + edit + `"] button.btn-primary[type="submit"]:not([formaction])`)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status())
	require.Equal(t, "Al massimo 255 caratteri (ora sono 305).", p.Text("#f-short-description-error"))
	s = state()
	require.Equal(t, 305, s.Length, "the text came back whole")
	require.Equal(t, "true", s.Invalid)
	require.Contains(t, strings.Fields(s.DescribedBy), "f-short-description-error")

	// A field with a maximum and no counter still cuts a paste, and says so.
	paste(t, p, "#f-title", strings.Repeat("Titolo lungo ", 20))
	require.Equal(t, "Hai incollato un testo più lungo del massimo (200 caratteri): è stato accorciato.", p.Text("#f-title-paste-notice"))
	var desc string
	p.JS(&desc, `() => document.querySelector('#f-title').getAttribute('aria-describedby')`)
	require.Contains(t, strings.Fields(desc), "f-title-paste-notice")
	p.RequireClean()
}
