package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-rod/rod/lib/proto"
)

// AxeTags are the rule sets checked: WCAG 2.0 and 2.1, levels A and AA, what AgID requires of
// public administrations' sites.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe-core rule failed by a page.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target         []any  `json:"target"`
		HTML           string `json:"html"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// Blocking reports whether the violation is serious or critical: those fail the tests.
func (v Violation) Blocking() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n      %v  %s", n.Target, n.HTML)
		if n.FailureSummary != "" {
			fmt.Fprintf(&b, "\n        %s", strings.ReplaceAll(n.FailureSummary, "\n", "\n        "))
		}
	}
	return b.String()
}

var (
	axeOnce sync.Once
	axeSrc  string
	axeErr  error
)

// axeSource reads node_modules/axe-core/axe.min.js of the project (installed by `npm ci`).
func axeSource() (string, error) {
	axeOnce.Do(func() {
		root, err := ProjectRoot()
		if err != nil {
			axeErr = err
			return
		}
		b, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			axeErr = fmt.Errorf("axe-core: %w (run `make assets`, which runs npm ci)", err)
			return
		}
		axeSrc = string(b)
	})
	return axeSrc, axeErr
}

// Axe runs axe-core with AxeTags on the page as it is now and returns every violation. The
// script is evaluated through the DevTools protocol, which the page's CSP does not govern.
func (p *Page) Axe() []Violation {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		p.t.Fatal(err)
	}
	var present bool
	p.JS(&present, `() => typeof window.axe !== 'undefined'`)
	if !present {
		res, err := proto.RuntimeEvaluate{Expression: src}.Call(p.Page)
		if err != nil {
			p.t.Fatalf("injecting axe-core: %v", err)
		}
		if res.ExceptionDetails != nil {
			p.t.Fatalf("injecting axe-core: %s", res.ExceptionDetails.Text)
		}
	}
	var out []Violation
	p.JS(&out, `async (tags) => {
		const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
		return r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary || ''}))}));
	}`, AxeTags)
	return out
}

// RequireAccessible fails the test for every serious or critical axe-core violation of the page
// (named what in the message), printing the rule, its impact, its help and the elements.
func (p *Page) RequireAccessible(what string) {
	p.t.Helper()
	var blocking []string
	for _, v := range p.Axe() {
		if v.Blocking() {
			blocking = append(blocking, v.String())
		} else {
			p.t.Logf("%s: axe (not blocking) %s: %s", what, v.Impact, v.ID)
		}
	}
	if len(blocking) > 0 {
		p.t.Errorf("%s (%s): %d serious or critical accessibility violations:\n  %s",
			what, p.MustInfo().URL, len(blocking), strings.Join(blocking, "\n  "))
	}
}
