package site_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// doc is a parsed page with the few queries the national validator makes: elements by
// data-element, their text, attributes and children.
type doc struct{ root *html.Node }

func parse(t *testing.T, body string) doc {
	t.Helper()
	n, err := html.Parse(strings.NewReader(body))
	require.NoError(t, err)
	return doc{n}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func walk(n *html.Node, f func(*html.Node) bool) {
	if !f(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func findAll(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) bool {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		return true
	})
	return out
}

// all returns the elements with data-element="de".
func (d doc) all(de string) []*html.Node {
	return findAll(d.root, func(n *html.Node) bool { return attr(n, "data-element") == de })
}

// one returns the only element with data-element="de", failing otherwise.
func (d doc) one(t *testing.T, de string) *html.Node {
	t.Helper()
	got := d.all(de)
	require.Len(t, got, 1, "data-element=%q", de)
	return got[0]
}

func (d doc) tag(name string) []*html.Node {
	return findAll(d.root, func(n *html.Node) bool { return n.Data == name })
}

// text is an element's text with runs of white space folded, as a reader sees it.
func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		return true
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

func texts(ns []*html.Node) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, text(n))
	}
	return out
}

// children returns the element children of n with the given tag.
func children(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == tag {
			out = append(out, c)
		}
	}
	return out
}

func within(n *html.Node, tag string) []*html.Node {
	return findAll(n, func(c *html.Node) bool { return c.Data == tag })
}

// footer is the page's <footer>.
func (d doc) footer(t *testing.T) *html.Node {
	t.Helper()
	f := d.tag("footer")
	require.Len(t, f, 1)
	return f[0]
}

// relativeOrder reports whether want's items appear in got in want's order (other items may
// sit between them), as the validator's order check reads the page index.
func relativeOrder(got, want []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
