// Package e2e drives the real product in a real browser: the application runs in process on a
// loopback port, Debian's Chromium loads its pages over http://<slug>.localhost, and the tests
// check what a citizen or a member of staff actually gets — rendering, fonts, keyboard use,
// cookies, the Content-Security-Policy and accessibility (axe-core, WCAG 2.1 AA).
//
// The helpers here start the server and the browser, open pages that record every console
// error, failed request and CSP violation, and run axe-core on a page.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"
	"github.com/go-rod/rod/lib/proto"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/testenv"
)

// DemoPassword is the password of every demo account seeded by StartServer.
const DemoPassword = "password-e2e-di-prova"

// Server is the product running in process on a loopback port, with the demo tenants loaded.
type Server struct {
	App  *app.App
	Port string

	cancel context.CancelFunc
	done   chan error
}

// StartServer builds the real application on the test database, listens on 127.0.0.1 on a free
// port with BASE_DOMAIN=localhost (Chromium resolves every *.localhost name to loopback by
// itself) and seeds the demo comuni. t is used only to reach the test environment.
func StartServer(t testing.TB, log *slog.Logger) (*Server, error) {
	env := testenv.Get(t)
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	cfg := env.TestConfig(t, map[string]string{"BASE_DOMAIN": "localhost", "PUBLIC_PORT": port})

	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		_ = ln.Close()
		return nil, fmt.Errorf("app: %w", err)
	}
	if _, err := a.SeedDemo(ctx, DemoPassword); err != nil {
		cancel()
		_ = ln.Close()
		a.Close()
		return nil, fmt.Errorf("demo data: %w", err)
	}
	s := &Server{App: a, Port: port, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- a.Run(ctx, ln) }()
	return s, nil
}

// URL is the absolute address of path on the site of the tenant slug.
func (s *Server) URL(slug, path string) string {
	return "http://" + slug + ".localhost:" + s.Port + path
}

// Stop drains the server and releases its connections.
func (s *Server) Stop() error {
	s.cancel()
	var err error
	select {
	case err = <-s.done:
	case <-time.After(30 * time.Second):
		err = errors.New("server did not stop within 30s")
	}
	s.App.Close()
	return err
}

// ChromiumPath returns the browser to drive: $CARTA_CHROMIUM, else Debian's /usr/bin/chromium.
// A missing browser is an error, never a reason to skip: a skipped browser test would pass
// without having checked anything.
func ChromiumPath() (string, error) {
	if p := os.Getenv("CARTA_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CARTA_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	const debian = "/usr/bin/chromium"
	if _, err := os.Stat(debian); err != nil {
		return "", fmt.Errorf("no browser: CARTA_CHROMIUM is not set and %s does not exist "+
			"(install it with `apt-get install chromium`, or run `make test`, which does)", debian)
	}
	return debian, nil
}

// Browser is a headless Chromium started for the tests.
type Browser struct {
	*rod.Browser
	launcher *launcher.Launcher
}

// LaunchBrowser starts the browser at bin with a fresh profile in dataDir. rod never
// downloads a browser here (the binary is given) and its leakless helper is off; the browser
// runs in its own process group, which Close kills.
func LaunchBrowser(bin, dataDir string) (*Browser, error) {
	l := launcher.New().
		Bin(bin).
		Leakless(false).
		Headless(true).
		NoSandbox(true). // the tests run as root in containers
		UserDataDir(dataDir).
		Set("disable-gpu").
		Set("disable-quic").
		Set("no-first-run").
		Set("disable-background-networking").
		Set("disable-component-update").
		Set("disable-sync").
		Set("disable-extensions").
		Set("no-default-browser-check").
		Set("password-store", "basic").
		Set("lang", "it-IT")
	u, err := l.Launch()
	if err != nil {
		l.Kill()
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	b := rod.New().ControlURL(u)
	if err := b.Connect(); err != nil {
		l.Kill()
		return nil, fmt.Errorf("connecting to %s: %w", bin, err)
	}
	return &Browser{Browser: b, launcher: l}, nil
}

// Close ends the browser and every process it started.
func (b *Browser) Close() {
	_ = b.Browser.Close()
	b.launcher.Kill()
}

// Page is a browser tab in its own cookie jar that records what goes wrong while it loads
// pages: console errors, uncaught exceptions, failed subresources and CSP violations.
type Page struct {
	*rod.Page
	t testing.TB

	mu        sync.Mutex
	problems  []string
	docStatus int
	requests  map[proto.NetworkRequestID]*request
}

// request is what the tab learnt about one network request.
type request struct {
	kind   proto.NetworkResourceType
	url    string
	status int
}

// request returns the record of id, creating it; p.mu must be held.
func (p *Page) request(id proto.NetworkRequestID) *request {
	r := p.requests[id]
	if r == nil {
		r = &request{}
		p.requests[id] = r
	}
	return r
}

// watchScript collects Content-Security-Policy violations from the first script of every
// document on; the init script runs outside the page's CSP.
const watchScript = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
    ' at ' + (e.sourceFile || e.documentURI) + ':' + e.lineNumber);
});`

// tabLifetime bounds everything a tab does, so that a browser that stops answering fails the
// test instead of hanging it. Single steps have shorter limits of their own; this one is generous
// because one tab may walk through many pages, on a machine that may be busy.
const tabLifetime = 3 * time.Minute

// NewPage opens a tab in a new incognito context of b (so tests never share cookies), with a
// 1280×900 viewport. Everything ends with the test.
func NewPage(t testing.TB, b *Browser) *Page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), tabLifetime)
	t.Cleanup(cancel)
	inc, err := b.Browser.Context(ctx).Incognito()
	if err != nil {
		t.Fatalf("incognito context: %v", err)
	}
	t.Cleanup(func() { _ = inc.Close() })
	rp, err := inc.Page(proto.TargetCreateTarget{URL: "about:blank"})
	if err != nil {
		t.Fatalf("new tab: %v", err)
	}
	p := watch(t, rp.Context(ctx))
	if err := p.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 1280, Height: 900, DeviceScaleFactor: 1}); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	if _, err := p.EvalOnNewDocument(watchScript); err != nil {
		t.Fatalf("init script: %v", err)
	}
	return p
}

// OpenedBy waits for the tab that the action do opens from p (a link or a form button with a
// target of _blank), waits for its document to load and returns it. The new tab records
// problems from the moment it is found: of what its first document did before, only the
// messages the browser replays on subscription (console and log entries) are reported, and
// that document lacks the script that lists CSP violations (it runs only in documents loaded
// after it is installed). Open a page in the new tab to have it fully watched.
func (p *Page) OpenedBy(do func()) *Page {
	p.t.Helper()
	wait := p.WaitOpen()
	do()
	rp, err := wait()
	if err != nil {
		p.t.Fatalf("waiting for the new tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), tabLifetime)
	p.t.Cleanup(cancel)
	p.t.Cleanup(func() { _ = rp.Close() })
	np := watch(p.t, rp.Context(ctx))
	if _, err := np.EvalOnNewDocument(watchScript); err != nil {
		p.t.Fatalf("init script in the new tab: %v", err)
	}
	// A new tab starts on about:blank, already "complete", before it loads what it was opened
	// for: mark that document as left so that settle waits for the real one.
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := np.Timeout(5 * time.Second).Eval(`() => {
			if (location.href === 'about:blank') { window.__cartaLeft = true; return false; }
			return true;
		}`)
		if err == nil && res.Value.Bool() {
			break
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the new tab did not leave about:blank within 20s (last error: %v)", err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	np.settle()
	return np
}

// watch wraps rp and records, from now on, the problems its documents report.
func watch(t testing.TB, rp *rod.Page) *Page {
	t.Helper()
	p := &Page{Page: rp, t: t, requests: map[proto.NetworkRequestID]*request{}}
	wait := p.EachEvent(
		func(e *proto.RuntimeConsoleAPICalled) {
			if e.Type == proto.RuntimeConsoleAPICalledTypeError || e.Type == proto.RuntimeConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					if a.Value.Nil() {
						parts = append(parts, a.Description)
					} else {
						parts = append(parts, a.Value.String())
					}
				}
				p.problem("console.%s: %s", e.Type, strings.Join(parts, " "))
			}
		},
		func(e *proto.RuntimeExceptionThrown) {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			p.problem("uncaught exception: %s (%s:%d)", msg, e.ExceptionDetails.URL, e.ExceptionDetails.LineNumber)
		},
		func(e *proto.LogEntryAdded) {
			// Network failures are judged from the responses themselves (see Problems).
			if e.Entry.Level == proto.LogLogEntryLevelError && e.Entry.Source != proto.LogLogEntrySourceNetwork {
				p.problem("browser log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL)
			}
		},
		func(e *proto.NetworkRequestWillBeSent) {
			p.mu.Lock()
			defer p.mu.Unlock()
			r := p.request(e.RequestID)
			r.url = e.Request.URL
			if e.Type != "" {
				r.kind = e.Type
			}
		},
		// The status comes from the extra info too: a response the browser refuses (a
		// stylesheet sent as text/html, say) never gets a responseReceived event.
		func(e *proto.NetworkResponseReceivedExtraInfo) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.request(e.RequestID).status = e.StatusCode
		},
		func(e *proto.NetworkResponseReceived) {
			p.mu.Lock()
			defer p.mu.Unlock()
			r := p.request(e.RequestID)
			r.kind, r.url, r.status = e.Type, e.Response.URL, e.Response.Status
			if e.Type == proto.NetworkResourceTypeDocument {
				p.docStatus = e.Response.Status
			}
		},
		func(e *proto.NetworkLoadingFailed) {
			if e.Type != proto.NetworkResourceTypeDocument && !e.Canceled {
				reason := e.ErrorText
				if e.BlockedReason != "" {
					reason += " (blocked: " + string(e.BlockedReason) + ")"
				}
				p.mu.Lock()
				url := p.request(e.RequestID).url
				p.mu.Unlock()
				p.problem("%s %s failed: %s", e.Type, url, reason)
			}
		},
	)
	go wait()
	return p
}

// In makes the tab report its failures to t from now on, so that one tab can serve a series of
// sequential subtests (a fresh tab costs a new context and a cold cache). It returns p.
func (p *Page) In(t testing.TB) *Page {
	p.t = t
	return p
}

// Forget clears what the tab has recorded so far: the next Problems reports only what happens
// from now on.
func (p *Page) Forget() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = nil
	p.requests = map[proto.NetworkRequestID]*request{}
}

func (p *Page) problem(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = append(p.problems, fmt.Sprintf(format, a...))
}

// Open loads url and waits until the page, its deferred scripts and its fonts are ready.
func (p *Page) Open(url string) {
	p.t.Helper()
	p.leaving()
	if err := p.Navigate(url); err != nil {
		p.t.Fatalf("open %s: %v", url, err)
	}
	p.settle()
}

// Submit clicks the element matched by selector (a submit button) and waits for the page the
// form leads to.
func (p *Page) Submit(selector string) {
	p.t.Helper()
	el := p.El(selector)
	p.leaving()
	if err := el.Click(proto.InputMouseButtonLeft, 1); err != nil {
		p.t.Fatalf("click %s: %v", selector, err)
	}
	p.settle()
}

// leaving marks the current document, so that settle can tell when the next one has replaced
// it, and forgets the status of the current one.
func (p *Page) leaving() {
	p.t.Helper()
	p.mu.Lock()
	p.docStatus = 0
	p.mu.Unlock()
	p.JS(nil, `() => { window.__cartaLeft = true; }`)
}

// settle waits for a new document to be completely loaded (deferred scripts run) and for its
// fonts. It polls rather than waiting for a "load" event, which may fire before the wait
// starts or belong to the previous document.
func (p *Page) settle() {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := p.Timeout(5 * time.Second).Eval(`() => !window.__cartaLeft && document.readyState === 'complete'`)
		if err == nil && res.Value.Bool() {
			break
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the page did not finish loading within 20s (last error: %v)", err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	if _, err := p.Eval(`async () => { await document.fonts.ready; }`); err != nil {
		p.t.Fatalf("waiting for fonts: %v", err)
	}
}

// Status is the HTTP status of the last document loaded in the tab.
func (p *Page) Status() int {
	p.t.Helper()
	// The response event travels on its own goroutine and may trail the page by a moment.
	for range 100 {
		p.mu.Lock()
		st := p.docStatus
		p.mu.Unlock()
		if st != 0 {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("no response recorded for the document %s", p.MustInfo().URL)
	return 0
}

// El returns the first element matching selector, failing the test when there is none.
func (p *Page) El(selector string) *rod.Element {
	p.t.Helper()
	el, err := p.Timeout(5 * time.Second).Element(selector)
	if err != nil {
		p.t.Fatalf("%s on %s: %v", selector, p.MustInfo().URL, err)
	}
	return el.Timeout(10 * time.Second)
}

// Text is the visible text of the first element matching selector.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	s, err := p.El(selector).Text()
	if err != nil {
		p.t.Fatalf("text of %s: %v", selector, err)
	}
	return s
}

// Fill replaces the value of the input matched by selector.
func (p *Page) Fill(selector, value string) {
	p.t.Helper()
	el := p.El(selector)
	if err := el.SelectAllText(); err != nil {
		p.t.Fatalf("select %s: %v", selector, err)
	}
	if err := el.Input(value); err != nil {
		p.t.Fatalf("type into %s: %v", selector, err)
	}
}

// JS evaluates a function expression in the page and decodes its result into out (if not nil).
func (p *Page) JS(out any, fn string, args ...any) {
	p.t.Helper()
	res, err := p.Eval(fn, args...)
	if err != nil {
		p.t.Fatalf("eval %s: %v", fn, err)
	}
	if out != nil {
		if err := res.Value.Unmarshal(out); err != nil {
			p.t.Fatalf("decoding the result of %s: %v", fn, err)
		}
	}
}

// Problems returns what went wrong since the tab opened: console errors, exceptions, failed
// subresources and CSP violations of the current document.
func (p *Page) Problems() []string {
	p.t.Helper()
	var csp []string
	p.JS(&csp, `() => window.__cspViolations || []`)
	// Events travel on their own goroutine: give those already sent a moment to arrive.
	time.Sleep(150 * time.Millisecond)
	p.mu.Lock()
	defer p.mu.Unlock()
	out := append([]string(nil), p.problems...)
	// A document answered with 401 or 404 on purpose is not a defect, a missing stylesheet is.
	// The browser's own request for /favicon.ico is cached across contexts, so it would be
	// reported only by whichever test comes first: TestFavicon checks it instead.
	for _, r := range p.requests {
		if r.status >= 400 && r.kind != proto.NetworkResourceTypeDocument &&
			!(r.kind == proto.NetworkResourceTypeOther && strings.HasSuffix(r.url, "/favicon.ico")) {
			out = append(out, fmt.Sprintf("%s %s answered %d", r.kind, r.url, r.status))
		}
	}
	for _, v := range csp {
		out = append(out, "CSP violation: "+v)
	}
	return out
}

// RequireClean fails the test if the tab logged any problem.
func (p *Page) RequireClean() {
	p.t.Helper()
	if probs := p.Problems(); len(probs) > 0 {
		p.t.Errorf("%s: %d problems in the browser:\n  %s", p.MustInfo().URL, len(probs), strings.Join(probs, "\n  "))
	}
}

// Screenshot saves a full-page PNG named name into dir and returns its path.
func (p *Page) Screenshot(dir, name string) string {
	p.t.Helper()
	img, err := p.Page.Screenshot(true, &proto.PageCaptureScreenshot{Format: proto.PageCaptureScreenshotFormatPng})
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, img, 0o644); err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	return path
}

// ProjectRoot is the folder holding go.mod, found by walking up from the working directory.
func ProjectRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// FontReport says which fonts a page uses and whether the product served them.
type FontReport struct {
	H1, P         string   // first family of the main content's h1 and first paragraph
	NotModel      []string // h1–h6 and p whose first family is none of the site model's three
	Loaded        []string // faces loaded, as "family weight style"
	Failed        []string // faces that failed to load
	UsedNotLoaded []string // faces some visible text asks for that did not load
	Foreign       []string // resources loaded from another origin
}

// Fonts waits for the page's fonts and reports on them. Every visible text in Titillium Web,
// Lora or Roboto Mono must find its exact face (family, weight, style) loaded: otherwise the
// browser draws it with a neighbouring weight or a fallback.
func (p *Page) Fonts() FontReport {
	p.t.Helper()
	var r FontReport
	p.JS(&r, `async () => {
		await document.fonts.ready;
		const model = ['Titillium Web', 'Lora', 'Roboto Mono'];
		const first = el => getComputedStyle(el).fontFamily.split(',')[0].trim().replace(/^["']|["']$/g, '');
		const key = (family, weight, style) => family.replace(/["']/g, '') + ' ' + weight + ' ' + style;
		const faces = [...document.fonts];
		const loaded = faces.filter(f => f.status === 'loaded').map(f => key(f.family, f.weight, f.style));
		const used = new Set();
		for (const el of document.body.querySelectorAll('*')) {
			const hasText = [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
			if (!hasText || el.getClientRects().length === 0) continue;
			const cs = getComputedStyle(el);
			if (cs.visibility === 'hidden') continue;
			const fam = first(el);
			if (model.includes(fam)) used.add(key(fam, cs.fontWeight, cs.fontStyle));
		}
		const h1 = document.querySelector('main h1'), para = document.querySelector('main p');
		return {
			H1: h1 ? first(h1) : '', P: para ? first(para) : '',
			NotModel: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, p')]
				.filter(el => !model.includes(first(el))).map(el => el.tagName.toLowerCase() + ': ' + first(el)),
			Loaded: loaded,
			Failed: faces.filter(f => f.status === 'error').map(f => key(f.family, f.weight, f.style)),
			UsedNotLoaded: [...used].filter(k => !loaded.includes(k)),
			Foreign: performance.getEntriesByType('resource').map(e => e.name)
				.filter(n => !n.startsWith(location.origin + '/') && !n.startsWith('data:')),
		};
	}`)
	return r
}
