package publication_test

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/e2e"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

type allowAll struct{}

func (allowAll) Require(access.Perm) fiber.Handler {
	return func(c *fiber.Ctx) error { return c.Next() }
}

// overlapJS lists, for every visible label in main, the boxes it covers: its own field, the
// headings, legends and paragraphs around it, and the other labels and fields. Bootstrap
// Italia's floating label, moved up by "active" (or always, for a select), covered the field's
// top edge and the heading or text above the form.
const overlapJS = `() => {
	const out = [];
	const box = e => e.getBoundingClientRect();
	const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
	const others = [...document.querySelectorAll('main :is(h1, h2, h3, h4, h5, h6, legend, p, label, input, select, textarea, button)')]
		.filter(e => e.getClientRects().length && e.type !== 'hidden');
	let labels = 0;
	for (const l of document.querySelectorAll('main label')) {
		if (!l.getClientRects().length) continue;
		labels++;
		const lb = box(l);
		for (const o of others) {
			if (o === l || o.contains(l) || l.contains(o)) continue;
			if (meets(lb, box(o))) {
				const ob = box(o);
				out.push('«' + l.textContent.trim() + '» covers ' + o.tagName.toLowerCase() + (o.id ? '#' + o.id : '') +
					' «' + (o.textContent || '').trim().slice(0, 40) + '»: label ' + Math.round(lb.top) + '–' + Math.round(lb.bottom) +
					', other ' + Math.round(ob.top) + '–' + Math.round(ob.bottom));
			}
		}
	}
	return {labels, out};
}`

// TestLabelsDoNotCoverHeadingsOrFields opens the publication page and the versions page (with
// the form comparing two versions) in Chromium, with the real Bootstrap Italia assets, on a
// wide and on a narrow screen, and measures that no label's box meets its field, a heading or
// any other text; also after a failed submission, when every field has a value.
func TestLabelsDoNotCoverHeadingsOrFields(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	tn := env.NewTenant(t, tenant.KindComune)
	_, ctx := newUser(t, env, "Lara Etichette")
	staff := principal.StaffFrom(ctx)
	addService(t, env, tn, "Assistenza domiciliare", svcOpts{})
	svc := publication.New(deps(env, &recorder{env: env}))
	for _, note := range []string{"Prima versione", "Seconda versione"} {
		_, err := svc.Publish(ctx, tn, note)
		require.NoError(t, err)
	}

	rend, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{publication.Templates}, Log: quiet,
		TenantURL: func(slug string) string { return "https://" + slug + ".carta.test" }})
	require.NoError(t, err, "Bootstrap Italia must be embedded (make assets)")
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(rend, quiet), DisableStartupMessage: true})
	app.Use(web.SecurityHeaders())
	app.Get(web.StaticPrefix+"*", rend.StaticHandler())
	app.Use(func(c *fiber.Ctx) error {
		c.SetUserContext(principal.WithStaff(tenant.WithTenant(c.UserContext(), tn), staff))
		return c.Next()
	}, web.CSRF())
	d := deps(env, &recorder{env: env})
	d.Render = rend
	d.Can = func(context.Context, access.Perm) bool { return true }
	publication.Register(access.NewRouter(app.Group("/admin"), "/admin", allowAll{}, access.NewRegistry()), publication.New(d))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithContext(context.Background()) })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	base := "http://localhost:" + port

	bin, err := e2e.ChromiumPath()
	require.NoError(t, err)
	b, err := e2e.LaunchBrowser(bin, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(b.Close)
	p := e2e.NewPage(t, b)

	check := func(name string, minLabels int) {
		t.Helper()
		var res struct {
			Labels int
			Out    []string
		}
		p.JS(&res, overlapJS)
		require.GreaterOrEqual(t, res.Labels, minLabels, "%s: labels measured", name)
		require.Empty(t, res.Out, "%s: labels over other boxes", name)
	}
	for _, w := range []int{1280, 390} {
		p.MustSetViewport(w, 900, 1, w < 500)
		p.Open(base + "/admin/carta/pubblicazione")
		require.Equal(t, 200, p.Status())
		check(fmt.Sprintf("publication page at %dpx", w), 3)

		// Values in every field, and an error under the date: the labels stay clear.
		p.JS(nil, `() => {
			document.querySelector('#f-note').value = 'Una nota';
			document.querySelector('#f-at').value = '9999-12-31T23:59';
			document.querySelector('#f-schedule-note').value = 'Troppo avanti';
		}`)
		p.Submit(`form[action="/admin/carta/pubblicazione/programma"] button[type="submit"]`)
		require.Equal(t, 422, p.Status())
		require.Contains(t, p.Text("#f-at-error"), "entro un anno")
		check(fmt.Sprintf("publication page with an error at %dpx", w), 3)

		p.Open(base + "/admin/carta/versioni")
		require.Equal(t, 200, p.Status())
		check(fmt.Sprintf("versions page at %dpx", w), 2)
	}
	p.RequireAccessible("versions")
	p.RequireClean()
}
