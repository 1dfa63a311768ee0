package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod/lib/proto"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/e2e"
)

// clickAt clicks the middle of the element matched by selector with the mouse, through the
// DevTools protocol only: with the page's scripts off, rod's own click (which waits on script
// callbacks) would hang.
func clickAt(t *testing.T, p *e2e.Page, selector string) {
	t.Helper()
	el := p.El(selector)
	require.NoError(t, proto.DOMScrollIntoViewIfNeeded{ObjectID: el.Object.ObjectID}.Call(p.Page))
	quads, err := proto.DOMGetContentQuads{ObjectID: el.Object.ObjectID}.Call(p.Page)
	require.NoError(t, err)
	require.NotEmpty(t, quads.Quads, selector)
	c := quads.Quads[0].Center()
	require.NoError(t, p.Mouse.MoveTo(c))
	require.NoError(t, p.Mouse.Click(proto.InputMouseButtonLeft, 1))
}

// visible reports whether the element matched by selector is rendered.
func visible(t *testing.T, p *e2e.Page, selector string) bool {
	t.Helper()
	var v bool
	p.JS(&v, `(s) => { const e = document.querySelector(s); return !!e && e.checkVisibility(); }`, selector)
	return v
}

const (
	negativePanel = `[data-element="feedback-rating-negative"]`
	positivePanel = `[data-element="feedback-rating-positive"]`
	thanksText    = "Grazie, il tuo parere ci aiuterà a migliorare il servizio!"
)

// TestRatingBlockInTheBrowser rates Noci's home with the script: before a star nothing but the
// stars shows; 2 stars show the negative panel and hide the positive one, 5 stars the reverse;
// sending shows the thanks in place, with a clean console under the CSP and no axe-core
// violation. Then, with JavaScript off, the same block is a plain form: both panels show, the
// choice is sent, and the page comes back at its thanks.
func TestRatingBlockInTheBrowser(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	const slug = "noci"

	p := e2e.NewPage(t, b)
	p.Open(srv.URL(slug, "/"))
	require.Equal(t, http.StatusOK, p.Status())
	require.True(t, visible(t, p, `[data-element="feedback-rate-1"]`))
	require.False(t, visible(t, p, negativePanel), "no panel before a star is chosen")
	require.False(t, visible(t, p, positivePanel))

	p.El(`[data-element="feedback-rate-2"]`).MustClick()
	require.True(t, visible(t, p, negativePanel), "2 stars: the negative panel")
	require.False(t, visible(t, p, positivePanel))
	require.Equal(t, "Dove hai incontrato le maggiori difficoltà?", p.Text(negativePanel+` [data-element="feedback-rating-question"]`))

	p.El(`[data-element="feedback-rate-5"]`).MustClick()
	require.False(t, visible(t, p, negativePanel))
	require.True(t, visible(t, p, positivePanel), "5 stars: the positive panel")
	require.False(t, visible(t, p, ".rating-thanks"))
	p.RequireAccessible("rating block open")

	p.El(positivePanel + ` label[for="rating-pos-1"]`).MustClick()
	p.Fill(`[data-element="feedback-input-text"]`, "Tutto chiaro, grazie.")
	p.El(`.rating-submit`).MustClick()
	p.El(`.rating-thanks.is-shown`)
	require.True(t, visible(t, p, ".rating-thanks"))
	require.Equal(t, thanksText, p.Text(".rating-thanks"))
	require.False(t, visible(t, p, "form.rating-form"))
	require.True(t, strings.HasSuffix(p.MustInfo().URL, "/"), "the page stayed where it was")
	p.RequireClean()

	// Without JavaScript.
	q := e2e.NewPage(t, b)
	require.NoError(t, proto.EmulationSetScriptExecutionDisabled{Value: true}.Call(q.Page))
	q.Open(srv.URL(slug, "/uffici"))
	require.Equal(t, http.StatusOK, q.Status())
	require.True(t, visible(t, q, negativePanel), "without JavaScript both panels show")
	require.True(t, visible(t, q, positivePanel))
	require.False(t, visible(t, q, ".rating-thanks"))
	clickAt(t, q, `[data-element="feedback-rate-3"]`)
	clickAt(t, q, negativePanel+` label[for="rating-neg-0"]`)
	q.JS(nil, `() => { window.__cartaLeft = true; }`)
	clickAt(t, q, `.rating-submit`)
	q.El(`#valutazione-grazie`) // the new page
	var left bool
	for range 200 {
		q.JS(&left, `() => !window.__cartaLeft && document.readyState === 'complete'`)
		if left {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	require.True(t, left, "the form did not lead to a new page")
	require.True(t, strings.HasSuffix(q.MustInfo().URL, "/uffici#valutazione-grazie"), q.MustInfo().URL)
	require.True(t, visible(t, q, ".rating-thanks"))
	require.Equal(t, thanksText, q.Text(".rating-thanks"))
}
