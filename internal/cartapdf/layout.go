package cartapdf

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW   = 210.0
	pageH   = 297.0
	marginL = 20.0
	marginR = 20.0
	marginT = 18.0
	marginB = 20.0
	bodyW   = pageW - marginL - marginR
	family  = "titillium"
)

type rgb struct{ r, g, b int }

// Bootstrap Italia's palette, so that the paper Carta looks like the site.
var (
	colPrimary = rgb{0, 102, 204}   // #0066CC
	colDark    = rgb{23, 50, 77}    // #17324D
	colText    = rgb{25, 25, 25}    // #191919
	colMuted   = rgb{92, 111, 130}  // #5C6F82
	colRule    = rgb{204, 214, 223} // light grey-blue for rules and table borders
	colTint    = rgb{229, 240, 250} // light primary for table headers and boxes
	colWarn    = rgb{166, 69, 0}    // suspended services
)

// meta is what the PDF's document information says.
type meta struct {
	Title, Subject, Author string
	Created                time.Time
	Footer                 string
}

// doc wraps fpdf with the house style. Layout is run twice (see twoPass): the first run
// learns the page count and where each chapter lands, the second prints them.
type doc struct {
	pdf    *fpdf.Fpdf
	cov    glyphs
	footer string
	// footerFrom is the first page with a footer (the Carta's cover has none).
	footerFrom int
	// header, when set, draws the top of every page.
	header func()
	total  int   // pages of the previous run, 0 on the first
	pages  []int // page of each table-of-contents entry, in order of marking
	links  []int // internal link of each entry (created before the table of contents)

	size         float64 // current font size, pt
	bold, italic int     // nesting of Markdown emphasis
}

func newDoc(fonts Fonts, m meta, total int) (*doc, error) {
	if !fonts.ok() {
		return nil, fmt.Errorf("cartapdf: fonts missing")
	}
	cov, err := newGlyphs(fonts)
	if err != nil {
		return nil, fmt.Errorf("cartapdf: %w", err)
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	// Byte-identical output for the same version: fixed dates, sorted catalogues, and no
	// random document ID (fpdf writes none).
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(m.Created)
	pdf.SetModificationDate(m.Created)
	pdf.SetLang("it-IT")
	// fpdf's UTF-16 conversion panics on invalid UTF-8: metadata is cleaned like the text.
	pdf.SetTitle(cov.clean(m.Title), true)
	pdf.SetSubject(cov.clean(m.Subject), true)
	pdf.SetAuthor(cov.clean(m.Author), true)
	pdf.SetCreator("Carta dei Servizi Sociali", true)
	pdf.SetProducer("Carta dei Servizi Sociali (go-pdf/fpdf)", true)
	pdf.SetDisplayMode("fullpage", "single")
	pdf.AddUTF8FontFromBytes(family, "", fonts.Regular)
	pdf.AddUTF8FontFromBytes(family, "B", fonts.Bold)
	pdf.AddUTF8FontFromBytes(family, "I", fonts.Italic)
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, marginB)
	pdf.SetCellMargin(0)
	d := &doc{pdf: pdf, cov: cov, footer: cov.clean(m.Footer), footerFrom: 1, total: total}
	pdf.SetFooterFunc(d.drawFooter)
	pdf.SetHeaderFunc(func() {
		if d.header != nil {
			d.header()
		}
	})
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("cartapdf: %w", err)
	}
	d.font("", 10)
	d.color(colText)
	return d, nil
}

func (d *doc) output() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("cartapdf: %w", err)
	}
	return buf.Bytes(), nil
}

// drawFooter prints the tenant and version on the left and
// "Pagina X di Y" on the right.
func (d *doc) drawFooter() {
	p := d.pdf
	if p.PageNo() < d.footerFrom {
		return
	}
	saveSize, saveB, saveI := d.size, d.bold, d.italic
	d.bold, d.italic = 0, 0
	y := pageH - 13
	p.SetDrawColor(colRule.r, colRule.g, colRule.b)
	p.SetLineWidth(0.2)
	p.Line(marginL, y, pageW-marginR, y)
	d.font("", 8)
	d.color(colMuted)
	p.SetXY(marginL, y+1.5)
	page := fmt.Sprintf("Pagina %d di %d", p.PageNo(), d.total)
	if d.total == 0 {
		page = fmt.Sprintf("Pagina %d", p.PageNo())
	}
	pw := p.GetStringWidth(page) + 1
	p.CellFormat(bodyW-pw, 5, d.fit(d.footer, bodyW-pw-4), "", 0, "L", false, 0, "")
	p.CellFormat(pw, 5, page, "", 0, "R", false, 0, "")
	d.bold, d.italic = saveB, saveI
	d.font("", saveSize)
	d.color(colText)
}

// font sets the family's style ("", "B", "I") and size; Markdown emphasis in progress wins.
func (d *doc) font(style string, size float64) {
	if style == "" {
		switch {
		case d.bold > 0:
			style = "B"
		case d.italic > 0:
			style = "I"
		}
	}
	d.size = size
	d.pdf.SetFont(family, style, size)
}

func (d *doc) color(c rgb) { d.pdf.SetTextColor(c.r, c.g, c.b) }

// lh is the line height in mm for a font size in pt (1.35 leading).
func lh(size float64) float64 { return size * 0.3528 * 1.35 }

// t cleans text for the font.
func (d *doc) t(s string) string { return d.cov.clean(s) }

// fit shortens s with an ellipsis to fit width w at the current font. fpdf does not kern, so
// a string's width is the sum of its runes' widths: one pass, whatever the length.
func (d *doc) fit(s string, w float64) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if d.pdf.GetStringWidth(s) <= w {
		return s
	}
	room := w - d.pdf.GetStringWidth("...")
	used, cut := 0.0, 0
	for i, r := range s {
		used += d.pdf.GetStringWidth(string(r))
		if used > room {
			cut = i
			break
		}
	}
	return strings.TrimRight(s[:cut], " ,.;:") + "..."
}

// write flows s from the current position like fpdf's Write, wrapping at the margins, as a
// link to target when target is set. fpdf's Write converts the whole string to runes again for
// every character, which takes seconds on a long paragraph; fed in short pieces cut after a
// space it is linear and lays out the same.
func (d *doc) write(h float64, s, target string) {
	const soft, hard = 64, 256 // runes: cut at the first space after soft, anyway at hard
	for s != "" {
		n, cut := 0, len(s)
		for i, r := range s {
			if (n >= soft && (r == ' ' || r == '\n')) || n >= hard {
				cut = i
				if r == ' ' || r == '\n' {
					cut = i + 1
				}
				break
			}
			n++
		}
		piece := s[:cut]
		s = s[cut:]
		if target != "" {
			d.pdf.WriteLinkString(h, piece, target)
		} else {
			d.pdf.Write(h, piece)
		}
	}
}

// spaceLeft is the room before the bottom margin.
func (d *doc) spaceLeft() float64 { return pageH - marginB - d.pdf.GetY() }

// need starts a new page unless h mm are left, so that a heading never ends a page alone.
func (d *doc) need(h float64) {
	if d.spaceLeft() < h {
		d.pdf.AddPage()
	}
}

// lines splits s into the lines it takes at width w with the current font.
func (d *doc) lines(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		out = append(out, d.pdf.SplitText(para, w)...)
	}
	return out
}

// text prints s (already cleaned or not) as a block of width w at the left margin.
func (d *doc) text(s string, size float64, style string, c rgb) {
	s = strings.TrimRight(d.t(s), "\n ")
	if s == "" {
		return
	}
	d.font(style, size)
	d.color(c)
	d.pdf.SetX(d.leftMargin())
	d.pdf.MultiCell(0, lh(size), s, "", "L", false)
	d.color(colText)
}

func (d *doc) leftMargin() float64 {
	l, _, _, _ := d.pdf.GetMargins()
	return l
}

// indent runs fn with the left margin moved right by w.
func (d *doc) indent(w float64, fn func()) {
	l := d.leftMargin()
	d.pdf.SetLeftMargin(l + w)
	d.pdf.SetX(l + w)
	fn()
	d.pdf.SetLeftMargin(l)
	d.pdf.SetX(l)
}

// rule draws a thin horizontal line across the body.
func (d *doc) rule(c rgb, width float64) {
	y := d.pdf.GetY()
	d.pdf.SetDrawColor(c.r, c.g, c.b)
	d.pdf.SetLineWidth(width)
	d.pdf.Line(d.leftMargin(), y, pageW-marginR, y)
}

// mark records the next table-of-contents entry here: its page, its outline bookmark, and
// the target of its link in the table of contents.
func (d *doc) mark(title string, level int) {
	i := len(d.pages)
	d.pages = append(d.pages, d.pdf.PageNo())
	d.pdf.Bookmark(d.t(title), level, -1)
	if i < len(d.links) {
		d.pdf.SetLink(d.links[i], d.pdf.GetY(), -1)
	}
}

// bullets prints a list with a bullet per item.
func (d *doc) bullets(items []string, size float64) {
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		d.bulletItem(size, func() {
			d.font("", size)
			d.pdf.MultiCell(0, lh(size), d.t(it), "", "L", false)
		})
	}
}

// bulletItem prints a bullet and runs body with the margin at the item's text.
func (d *doc) bulletItem(size float64, body func()) {
	const w = 5.0
	x := d.leftMargin()
	d.need(lh(size))
	y := d.pdf.GetY()
	d.pdf.SetFillColor(colPrimary.r, colPrimary.g, colPrimary.b)
	d.pdf.Circle(x+1.5, y+lh(size)/2, 0.7, "F")
	d.indent(w, body)
}

// labelValue prints "Label" on a line of its own in the accent colour, then body.
func (d *doc) label(s string, size float64) {
	d.need(lh(size) * 3)
	d.pdf.Ln(1.2)
	d.text(s, size, "B", colDark)
}

// table prints rows under a tinted header row, repeating the header after a page break.
// Cells wrap; a row never splits across pages.
func (d *doc) table(head []string, widths []float64, rows [][]string, size float64) {
	const pad = 1.5
	line := lh(size)
	measure := func(cells []string, style string) (float64, [][]string) {
		d.font(style, size)
		h := 0.0
		wrapped := make([][]string, len(widths))
		for i := range widths {
			var s string
			if i < len(cells) {
				s = d.t(cells[i])
			}
			wrapped[i] = d.lines(s, widths[i]-2*pad)
			h = max(h, float64(len(wrapped[i]))*line)
		}
		return h + 2*pad, wrapped
	}
	var headH float64
	var headLines [][]string
	if len(head) > 0 {
		headH, headLines = measure(head, "B")
		first := 0.0
		if len(rows) > 0 {
			first, _ = measure(rows[0], "")
		}
		d.need(headH + first)
		d.drawRow(widths, headLines, headH, line, pad, size, true)
	}
	for _, row := range rows {
		h, wrapped := measure(row, "")
		if d.spaceLeft() < h {
			d.pdf.AddPage()
			if len(head) > 0 {
				d.drawRow(widths, headLines, headH, line, pad, size, true)
			}
		}
		d.drawRow(widths, wrapped, h, line, pad, size, false)
	}
	d.font("", size)
	d.pdf.Ln(1)
}

func (d *doc) drawRow(widths []float64, wrapped [][]string, h, line, pad, size float64, header bool) {
	p := d.pdf
	// A row taller than a page is clipped rather than torn across pages by fpdf's automatic
	// break, which would scatter its cells.
	p.SetAutoPageBreak(false, 0)
	defer p.SetAutoPageBreak(true, marginB)
	x0, y := d.leftMargin(), p.GetY()
	p.SetDrawColor(colRule.r, colRule.g, colRule.b)
	p.SetLineWidth(0.2)
	style := "D"
	if header {
		p.SetFillColor(colTint.r, colTint.g, colTint.b)
		style = "FD"
		d.font("B", size)
		d.color(colDark)
	} else {
		d.font("", size)
		d.color(colText)
	}
	x := x0
	for i, w := range widths {
		p.Rect(x, y, w, h, style)
		for j, l := range wrapped[i] {
			p.SetXY(x+pad, y+pad+float64(j)*line)
			p.CellFormat(w-2*pad, line, l, "", 0, "L", false, 0, "")
		}
		x += w
	}
	d.color(colText)
	p.SetXY(x0, y+h)
}
