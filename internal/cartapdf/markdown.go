package cartapdf

import (
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Rich text fields are Markdown (catalog.Markdown renders them for the site). Here the same
// syntax tree is printed: paragraphs, bold and italic, lists, headings, quotes, tables, and
// links as their text followed by the address, since paper cannot be clicked. Raw HTML is
// dropped, as the site's sanitiser would.
var (
	mdOnce   sync.Once
	mdParser goldmark.Markdown
)

func parseMarkdown(src string) (ast.Node, []byte) {
	mdOnce.Do(func() {
		mdParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	})
	b := []byte(src)
	return mdParser.Parser().Parse(text.NewReader(b)), b
}

// markdown prints src at the given font size.
func (d *doc) markdown(src string, size float64) {
	if strings.TrimSpace(src) == "" {
		return
	}
	root, source := parseMarkdown(src)
	r := &mdRender{d: d, src: source, size: size}
	r.blocks(root)
}

type mdRender struct {
	d    *doc
	src  []byte
	size float64
}

func (r *mdRender) blocks(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		r.block(n)
	}
}

func (r *mdRender) block(n ast.Node) {
	d, size := r.d, r.size
	switch n := n.(type) {
	case *ast.Paragraph:
		r.inlineBlock(n, size)
		d.pdf.Ln(1.6)
	case *ast.TextBlock:
		r.inlineBlock(n, size)
		if n.NextSibling() != nil {
			d.pdf.Ln(1)
		}
	case *ast.Heading:
		d.need(lh(size) * 3)
		d.pdf.Ln(1)
		d.bold++
		d.color(colDark)
		r.inlineBlock(n, size+1)
		d.color(colText)
		d.bold--
		d.pdf.Ln(1)
	case *ast.List:
		num := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			if n.IsOrdered() {
				r.numbered(num, item)
				num++
			} else {
				d.bulletItem(size, func() { r.blocks(item) })
			}
		}
		d.pdf.Ln(1)
	case *ast.Blockquote:
		d.italic++
		d.indent(5, func() { r.blocks(n) })
		d.italic--
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		var sb strings.Builder
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			sb.Write(seg.Value(r.src))
		}
		d.indent(5, func() { d.text(sb.String(), size-0.5, "", colText) })
		d.pdf.Ln(1.6)
	case *ast.ThematicBreak:
		d.pdf.Ln(1.5)
		d.rule(colRule, 0.3)
		d.pdf.Ln(2.5)
	case *east.Table:
		r.table(n)
		d.pdf.Ln(1.6)
	case *ast.HTMLBlock, *ast.LinkReferenceDefinition:
		// Raw HTML is never printed; reference definitions have no text.
	default:
		r.blocks(n)
	}
}

func (r *mdRender) numbered(num int, item ast.Node) {
	d := r.d
	label := strconv.Itoa(num) + "."
	d.need(lh(r.size))
	x, y := d.leftMargin(), d.pdf.GetY()
	d.font("", r.size)
	d.color(colPrimary)
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(6, lh(r.size), label, "", 0, "L", false, 0, "")
	d.color(colText)
	d.pdf.SetXY(x, y)
	d.indent(6, func() { r.blocks(item) })
}

// inlineBlock writes n's inline content as one flowing paragraph and ends the line.
func (r *mdRender) inlineBlock(n ast.Node, size float64) {
	d := r.d
	saved := r.size
	r.size = size
	d.need(lh(size))
	d.pdf.SetX(d.leftMargin())
	d.font("", size)
	r.inlines(n)
	d.pdf.Ln(lh(size))
	r.size = saved
}

func (r *mdRender) write(s string) {
	s = r.d.t(s)
	if s == "" {
		return
	}
	r.d.write(lh(r.size), s, "")
}

func (r *mdRender) writeLink(label, target string) {
	d := r.d
	d.color(colPrimary)
	d.write(lh(r.size), d.t(label), target)
	d.color(colText)
}

func (r *mdRender) inlines(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		r.inline(n)
	}
}

func (r *mdRender) inline(n ast.Node) {
	d := r.d
	switch n := n.(type) {
	case *ast.Text:
		r.write(string(unescape(n.Value(r.src))))
		switch {
		case n.HardLineBreak():
			r.write("\n")
		case n.SoftLineBreak():
			r.write(" ")
		}
	case *ast.String:
		if n.IsRaw() {
			r.write(string(n.Value))
		} else {
			r.write(string(unescape(n.Value)))
		}
	case *ast.CodeSpan:
		r.write(plain(n, r.src))
	case *ast.Emphasis:
		if n.Level >= 2 {
			d.bold++
		} else {
			d.italic++
		}
		d.font("", r.size)
		r.inlines(n)
		if n.Level >= 2 {
			d.bold--
		} else {
			d.italic--
		}
		d.font("", r.size)
	case *ast.Link:
		label := plain(n, r.src)
		r.inlines(n)
		target, shown, ok := linkTarget(string(n.Destination))
		if ok && shown != label {
			r.write(" (")
			r.writeLink(shown, target)
			r.write(")")
		}
	case *ast.AutoLink:
		raw := string(n.URL(r.src))
		if target, shown, ok := linkTarget(raw); ok {
			r.writeLink(shown, target)
		} else {
			r.write(string(n.Label(r.src)))
		}
	case *ast.Image:
		r.inlines(n) // the alternative text
	case *ast.RawHTML:
		// dropped, as on the site
	default:
		r.inlines(n)
	}
}

// linkTarget returns the clickable target and the address to print for a Markdown link, and
// false for a scheme the site's sanitiser would drop (javascript:, data:, ...).
func linkTarget(raw string) (target, shown string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.String(), u.String(), true
	case "mailto":
		return u.String(), u.Opaque, u.Opaque != ""
	case "tel":
		return u.String(), u.Opaque, u.Opaque != ""
	case "":
		if strings.Contains(raw, "@") && !strings.Contains(raw, "/") {
			return "mailto:" + raw, raw, true
		}
		if strings.HasPrefix(raw, "www.") {
			return "https://" + raw, raw, true
		}
	}
	return "", "", false
}

func unescape(b []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(b)))
}

// plain is the text of n's inline children.
func plain(n ast.Node, src []byte) string {
	var sb strings.Builder
	var walk func(ast.Node)
	walk = func(p ast.Node) {
		for c := p.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				sb.Write(unescape(c.Value(src)))
				if c.SoftLineBreak() || c.HardLineBreak() {
					sb.WriteByte(' ')
				}
			case *ast.String:
				sb.Write(c.Value)
			case *ast.RawHTML:
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return strings.TrimSpace(sb.String())
}

func (r *mdRender) table(t *east.Table) {
	var head []string
	var rows [][]string
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, plain(c, r.src))
		}
		if _, ok := row.(*east.TableHeader); ok {
			head = cells
		} else {
			rows = append(rows, cells)
		}
	}
	cols := len(head)
	for _, row := range rows {
		cols = max(cols, len(row))
	}
	if cols == 0 {
		return
	}
	avail := pageW - marginR - r.d.leftMargin()
	widths := make([]float64, cols)
	for i := range widths {
		widths[i] = avail / float64(cols)
	}
	r.d.table(head, widths, rows, r.size-1)
}
