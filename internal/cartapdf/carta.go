// Package cartapdf prints a tenant's published Carta dei Servizi Sociali as PDF: the whole
// Carta (cover, contents, general part, services by user category, offices, people
// responsible, useful websites) and the guida sintetica (a page or two per user category, the
// offices, how to complain, a paper questionnaire to tear off and, when there is an online
// survey, its QR code). Both are built from the published catalog.View only, with Titillium Web embedded
// so that accents print, and are byte-identical for the same version, so they cache by
// version. Register serves them on the citizen site.
package cartapdf

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
)

// Options are what the caller adds to the published Carta.
type Options struct {
	// TenantURL is the base address of the tenant's citizen site, printed on the cover and in
	// the guida ("https://cerveteri.example.it").
	TenantURL string
	// SurveyURL is the address of the online satisfaction survey, printed in the guida with a
	// QR code; "" (no online survey yet) prints neither.
	SurveyURL string
	Fonts     Fonts
}

// tocEntry is a line of the table of contents; the layout marks them in the same order.
type tocEntry struct {
	Title string
	Level int // 0 chapter, 1 section, 2 service
}

// Chapter titles, numbered in the table of contents and on their pages.
const (
	chGeneral  = "Parte generale"
	chServices = "I servizi"
	chOffices  = "Uffici e orari di apertura"
	chPeople   = "Responsabili"
	chSites    = "Siti istituzionali utili"
)

// Carta prints the whole Carta of v. It returns catalog.ErrNotPublished when the tenant has
// published nothing.
func Carta(v *catalog.View, opts Options) ([]byte, error) {
	b := newBook(v)
	if b == nil {
		return nil, catalog.ErrNotPublished
	}
	toc := b.contents()
	m := meta{
		Title:   "Carta dei Servizi Sociali - " + b.Name,
		Subject: "Carta dei Servizi Sociali, " + versionOf(b.Version, b.PublishedAt),
		Author:  b.Name,
		Created: b.PublishedAt,
		Footer:  b.Name + " · Carta dei Servizi Sociali · " + versionOf(b.Version, b.PublishedAt),
	}
	return twoPass(opts.Fonts, m, func(d *doc, pages []int) {
		d.footerFrom = 2
		c := &cartaLayout{d: d, b: b, opts: opts, toc: toc, pages: pages}
		c.render()
	})
}

// twoPass lays the document out twice: the first run counts pages and finds where each
// contents entry lands, the second prints those numbers. Page numbers are printed in
// fixed-width cells, so the second run flows exactly like the first; a difference is a bug.
func twoPass(fonts Fonts, m meta, layout func(d *doc, pages []int)) ([]byte, error) {
	first, err := newDoc(fonts, m, 0)
	if err != nil {
		return nil, err
	}
	layout(first, nil)
	if err := first.pdf.Error(); err != nil {
		return nil, fmt.Errorf("cartapdf: %w", err)
	}
	total := first.pdf.PageNo()
	second, err := newDoc(fonts, m, total)
	if err != nil {
		return nil, err
	}
	layout(second, first.pages)
	if err := second.pdf.Error(); err != nil {
		return nil, fmt.Errorf("cartapdf: %w", err)
	}
	if second.pdf.PageNo() != total || !slices.Equal(first.pages, second.pages) {
		return nil, fmt.Errorf("cartapdf: layout changed between passes (%d/%d pages)", total, second.pdf.PageNo())
	}
	return second.output()
}

// contents lists the table of contents in the order render marks it.
func (b *book) contents() []tocEntry {
	var out []tocEntry
	n := 0
	chapter := func(title string) {
		n++
		out = append(out, tocEntry{Title: fmt.Sprintf("%d. %s", n, title)})
	}
	if len(b.Sections) > 0 {
		chapter(chGeneral)
		for _, s := range b.Sections {
			out = append(out, tocEntry{Title: s.Title, Level: 1})
		}
	}
	chapter(chServices)
	for _, g := range b.Groups {
		out = append(out, tocEntry{Title: g.Name, Level: 1})
		for _, s := range g.Services {
			out = append(out, tocEntry{Title: s.Title, Level: 2})
		}
	}
	chapter(chOffices)
	chapter(chPeople)
	if b.Sites != nil {
		chapter(chSites)
	}
	return out
}

type cartaLayout struct {
	d     *doc
	b     *book
	opts  Options
	toc   []tocEntry
	pages []int // from the first pass; nil during it
	next  int   // index of the next contents entry to mark
}

func (c *cartaLayout) render() {
	c.cover()
	c.contents()
	if len(c.b.Sections) > 0 {
		c.chapter()
		for _, s := range c.b.Sections {
			c.section(s.Title)
			c.d.markdown(s.Body, 10)
		}
	}
	c.services()
	c.offices()
	c.people()
	if c.b.Sites != nil {
		c.chapter()
		c.d.markdown(c.b.Sites.Body, 10)
	}
}

// chapter starts the next level-0 entry on a new page.
func (c *cartaLayout) chapter() {
	d := c.d
	e := c.toc[c.next]
	d.pdf.AddPage()
	d.mark(e.Title, 0)
	c.next++
	d.text(e.Title, 20, "B", colPrimary)
	d.pdf.Ln(1)
	d.rule(colPrimary, 0.6)
	d.pdf.Ln(5)
}

// section prints the next level-1 entry as a heading.
func (c *cartaLayout) section(title string) {
	d := c.d
	d.need(30)
	d.pdf.Ln(2)
	d.mark(title, 1)
	c.next++
	d.text(title, 14, "B", colDark)
	d.pdf.Ln(1.5)
}

func (c *cartaLayout) cover() {
	d, b, p := c.d, c.b, c.d.pdf
	p.AddPage()
	p.SetFillColor(colPrimary.r, colPrimary.g, colPrimary.b)
	p.Rect(0, 0, pageW, 62, "F")
	p.SetXY(marginL, 24)
	d.font("B", 22)
	p.SetTextColor(255, 255, 255)
	p.MultiCell(bodyW, 9, d.t(b.Name), "", "L", false)
	if b.AmbitoName != "" {
		d.font("", 12)
		p.SetX(marginL)
		p.MultiCell(bodyW, 6, d.t(b.AmbitoName), "", "L", false)
	}

	p.SetXY(marginL, 92)
	d.text("Carta dei Servizi Sociali", 32, "B", colPrimary)
	p.Ln(4)
	d.text(fmt.Sprintf("Versione %d, pubblicata %s", b.Version, datePrep("il", b.PublishedAt)), 15, "", colDark)
	p.Ln(1)
	d.text("Prima pubblicazione: "+dateIT(b.FirstPublishedAt), 11, "", colMuted)
	if b.AmbitoName != "" {
		p.Ln(5)
		d.text(fmt.Sprintf("Comprende i servizi %s (versione %d della sua Carta).", itlang.Of(b.AmbitoName), b.AmbitoVersion), 11, "", colText)
	}
	if strings.TrimSpace(b.Note) != "" {
		p.Ln(5)
		d.text("Novità di questa versione", 11, "B", colDark)
		d.text(b.Note, 10.5, "I", colText)
	}

	p.SetY(pageH - 62)
	d.rule(colRule, 0.3)
	p.Ln(4)
	d.text("La Carta è un documento sempre in aggiornamento: ogni modifica viene pubblicata come nuova versione e le versioni precedenti restano consultabili sul sito.", 10, "", colMuted)
	if c.opts.TenantURL != "" {
		p.Ln(2)
		d.font("", 10)
		d.color(colMuted)
		p.SetX(marginL)
		p.Write(lh(10), "Versione aggiornata: ")
		d.color(colPrimary)
		p.WriteLinkString(lh(10), d.t(c.opts.TenantURL), c.opts.TenantURL)
		d.color(colText)
		p.Ln(lh(10))
	}
}

// contents prints the table of contents with page numbers (blank in the first pass) and
// links to each entry.
func (c *cartaLayout) contents() {
	d, p := c.d, c.d.pdf
	p.AddPage()
	d.text("Indice", 20, "B", colPrimary)
	p.Ln(1)
	d.rule(colPrimary, 0.6)
	p.Ln(4)
	d.links = make([]int, len(c.toc))
	for i := range c.toc {
		d.links[i] = p.AddLink()
	}
	const numW = 12.0
	for i, e := range c.toc {
		size, style, indent, col := 10.0, "", 6.0, colText
		switch e.Level {
		case 0:
			size, style, indent, col = 11.5, "B", 0, colDark
		case 2:
			size, indent, col = 9.5, 12, colMuted
		}
		d.font(style, size)
		line := lh(size)
		w := bodyW - indent - numW - 4
		lines := d.lines(d.t(e.Title), w)
		if e.Level == 0 {
			d.need(line*float64(len(lines)) + 3)
			p.Ln(2)
		} else {
			d.need(line * float64(len(lines)))
		}
		y0 := p.GetY()
		d.color(col)
		for j, l := range lines {
			p.SetXY(marginL+indent, y0+float64(j)*line)
			p.CellFormat(w, line, l, "", 0, "L", false, 0, "")
		}
		yl := y0 + float64(len(lines)-1)*line
		// A dotted leader from the end of the title to the page number.
		endX := marginL + indent + p.GetStringWidth(lines[len(lines)-1]) + 2
		numX := pageW - marginR - numW
		if endX < numX-2 {
			p.SetDrawColor(colRule.r, colRule.g, colRule.b)
			p.SetLineWidth(0.3)
			p.SetDashPattern([]float64{0.4, 1.2}, 0)
			p.Line(endX, yl+line*0.75, numX-1, yl+line*0.75)
			p.SetDashPattern([]float64{}, 0)
		}
		num := ""
		if c.pages != nil && i < len(c.pages) {
			num = fmt.Sprint(c.pages[i])
		}
		p.SetXY(numX, yl)
		p.CellFormat(numW, line, num, "", 0, "R", false, 0, "")
		p.Link(marginL+indent, y0, bodyW-indent, float64(len(lines))*line, d.links[i])
		p.SetXY(marginL, y0+float64(len(lines))*line)
	}
	d.color(colText)
}

func (c *cartaLayout) services() {
	d, b := c.d, c.b
	c.chapter()
	d.text("I servizi sono raggruppati per area di utenza. Per ciascuno trovi a chi è rivolto, come fare a richiederlo, cosa serve, tempi, costi, dove andare e gli standard di qualità che l'ente si impegna a rispettare.", 10, "", colText)
	if b.AmbitoName != "" {
		d.pdf.Ln(1.5)
		d.text(fmt.Sprintf("I servizi indicati come «Servizio dell'ambito» sono gestiti %s per tutti i comuni che ne fanno parte.", itlang.Prep("da", b.AmbitoName)), 10, "", colText)
	}
	if len(b.Groups) == 0 {
		d.pdf.Ln(3)
		d.text("Nessun servizio pubblicato.", 10, "I", colMuted)
	}
	for gi, g := range b.Groups {
		if gi > 0 {
			d.pdf.AddPage()
		} else {
			d.pdf.Ln(4)
		}
		c.section(g.Name)
		if g.Description != "" {
			d.text(g.Description, 10, "I", colMuted)
			d.pdf.Ln(2)
		}
		for si, s := range g.Services {
			if si > 0 {
				d.pdf.Ln(3)
				d.rule(colRule, 0.3)
				d.pdf.Ln(4)
			}
			c.service(s)
		}
	}
}

func (c *cartaLayout) service(s service) {
	d, p := c.d, c.d.pdf
	d.need(40)
	d.mark(s.Title, 2)
	c.next++
	d.text(s.Title, 13, "B", colPrimary)
	p.Ln(0.5)

	status := statusLabel(s.Service)
	statusCol := colDark
	if s.Status == "sospeso" {
		statusCol = colWarn
	}
	d.font("B", 9)
	d.color(statusCol)
	p.SetX(d.leftMargin())
	d.write(lh(9), d.t("Stato: "+status), "")
	d.font("", 9)
	d.color(colMuted)
	var extra []string
	if s.FromAmbito {
		extra = append(extra, "Servizio dell'ambito")
	}
	if !s.LastChangedAt.IsZero() {
		extra = append(extra, "Ultimo aggiornamento: "+dateIT(s.LastChangedAt))
	}
	if len(extra) > 0 {
		d.write(lh(9), d.t(" · "+strings.Join(extra, " · ")), "")
	}
	p.Ln(lh(9) + 1)
	d.color(colText)
	if s.ShortDescription != "" {
		d.text(s.ShortDescription, 10.5, "I", colText)
		p.Ln(1)
	}

	field := func(label, md string) {
		// A field holding only what the site's sanitiser drops (raw HTML) prints nothing, not
		// even its label.
		if catalog.PlainText(md) == "" {
			return
		}
		d.label(label, 10)
		d.markdown(md, 10)
	}
	field("Cos'è", s.Description)
	field("A chi è rivolto", s.Audience)
	field("Come fare", s.HowTo)
	if catalog.PlainText(s.NeededIntro) != "" || len(s.NeededItems) > 0 {
		d.label("Cosa serve", 10)
		d.markdown(s.NeededIntro, 10)
		d.bullets(s.NeededItems, 10)
	}
	field("Cosa si ottiene", s.Obtained)
	if catalog.PlainText(s.Timing) != "" || len(s.Deadlines) > 0 {
		d.label("Tempi e scadenze", 10)
		d.markdown(s.Timing, 10)
		var items []string
		for _, dl := range s.Deadlines {
			items = append(items, joinNonEmpty(": ", joinNonEmpty(", ", dl.Label, dayIT(dl.DueOn)), dl.Description))
		}
		d.bullets(items, 10)
	}
	if cost := costLabel(s.CostKind); cost != "" || catalog.PlainText(s.CostText) != "" {
		d.label("Quanto costa", 10)
		if cost != "" {
			d.text(cost, 10, "B", colText)
		}
		d.markdown(s.CostText, 10)
	}
	c.access(s)
	field("Vincoli", s.Constraints)
	field("Casi particolari", s.SpecialCases)
	field("Condizioni di servizio", s.Conditions)
	if len(s.Documents) > 0 {
		d.label("Documenti", 10)
		var items []string
		for _, doc := range s.Documents {
			items = append(items, joinNonEmpty(" - ", doc.Title, doc.Filename))
		}
		d.bullets(items, 10)
		d.text("I documenti sono scaricabili dalla pagina del servizio sul sito.", 9, "I", colMuted)
	}
	field("Enti erogatori", s.Providers)
	field("Ulteriori informazioni", s.MoreInfo)
	field("Contatti", s.Contacts)
	if s.ResponsibleUnit != "" || s.Responsible != nil {
		d.label("Responsabile", 10)
		if s.ResponsibleUnit != "" {
			c.kv("Unità organizzativa", s.ResponsibleUnit)
		}
		if r := s.Responsible; r != nil {
			c.kv("Responsabile", joinNonEmpty(" · ", personLine(*r), contactLine(r.Phone, r.Email, "")))
		}
	}
	if len(s.Standards) > 0 {
		// The label, the table's header and its first row stay together.
		d.need(lh(10)*2 + 20)
		d.label("Standard di qualità", 10)
		rows := make([][]string, 0, len(s.Standards))
		for _, st := range s.Standards {
			ind := st.Indicator
			if st.Formula != "" {
				ind = joinNonEmpty("\n", ind, "Calcolo: "+st.Formula)
			}
			rows = append(rows, []string{catalog.DimensionLabel(st.Dimension), st.Description, ind, target(st)})
		}
		w := bodyW - d.leftMargin() + marginL
		d.table([]string{"Dimensione", "Standard", "Indicatore", "Obiettivo"},
			[]float64{w * 0.17, w * 0.36, w * 0.27, w * 0.20}, rows, 9)
	}
}

// access prints where to go: the office with its weekly hours, the online channel, booking.
func (c *cartaLayout) access(s service) {
	d := c.d
	if s.Office == nil && s.DigitalURL == "" && s.BookingURL == "" && s.BookingText == "" {
		return
	}
	d.label("Accedi al servizio", 10)
	if o := s.Office; o != nil {
		c.kv("Dove andare", joinNonEmpty(", ", o.Name, address(*o.Office)))
		if hours := weeklyHours(o.Hours); len(hours) > 0 {
			c.kv("Orari", strings.Join(hours, "; "))
		}
		if cl := contactLine(o.Phone, o.Email, o.PEC); cl != "" {
			c.kv("Contatti", cl)
		}
	}
	if s.DigitalURL != "" {
		c.kvLink("Online", s.DigitalLabel, s.DigitalURL)
	}
	if s.BookingURL != "" || s.BookingText != "" {
		c.kvLink("Prenotazione", s.BookingText, s.BookingURL)
	}
}

// kv prints "Label: value" as a flowing line with the label in bold.
func (c *cartaLayout) kv(label, value string) {
	c.kvLink(label, value, "")
}

func (c *cartaLayout) kvLink(label, value, link string) {
	d, p := c.d, c.d.pdf
	d.need(lh(10))
	p.SetX(d.leftMargin())
	d.font("B", 10)
	d.color(colText)
	d.write(lh(10), d.t(label+": "), "")
	d.font("", 10)
	if value != "" {
		d.write(lh(10), d.t(value), "")
	}
	if target, shown, ok := linkTarget(link); ok {
		if value != "" {
			p.Write(lh(10), " ")
		}
		d.color(colPrimary)
		d.write(lh(10), d.t(shown), target)
		d.color(colText)
	}
	p.Ln(lh(10) + 0.4)
}

func (c *cartaLayout) offices() {
	d, b := c.d, c.b
	c.chapter()
	if len(b.Offices) == 0 {
		d.text("Nessun ufficio indicato.", 10, "I", colMuted)
		return
	}
	for i, o := range b.Offices {
		if i > 0 {
			d.pdf.Ln(3)
		}
		hours := weeklyHours(o.Hours)
		d.need(lh(12) + lh(10)*float64(3+len(hours)))
		title := o.Name
		if o.FromAmbito {
			title += " (" + b.AmbitoName + ")"
		}
		d.text(title, 12, "B", colDark)
		d.pdf.Ln(0.5)
		if a := address(*o.Office); a != "" {
			c.kv("Indirizzo", a)
		}
		if cl := contactLine(o.Phone, o.Email, o.PEC); cl != "" {
			c.kv("Contatti", cl)
		}
		if len(hours) > 0 {
			c.kv("Orari di apertura", "")
			d.indent(5, func() {
				for _, h := range hours {
					d.text(h, 10, "", colText)
				}
			})
		} else {
			c.kv("Orari di apertura", "su appuntamento o non indicati")
		}
		if ex := b.upcoming(*o.Office); len(ex) > 0 {
			c.kv("Chiusure e orari straordinari", "")
			items := make([]string, 0, len(ex))
			for _, e := range ex {
				items = append(items, exceptionText(e))
			}
			d.bullets(items, 10)
		}
		if o.Notes != "" {
			d.text(o.Notes, 10, "I", colMuted)
		}
		d.markdown(o.Description, 10)
	}
}

func (c *cartaLayout) people() {
	d, b := c.d, c.b
	c.chapter()
	if len(b.People) == 0 {
		d.text("Nessun responsabile indicato.", 10, "I", colMuted)
		return
	}
	rows := make([][]string, 0, len(b.People))
	for _, p := range b.People {
		role := joinNonEmpty("\n", p.RoleTitle, p.Area)
		office := p.OfficeName
		if p.Ambito {
			office = joinNonEmpty(" - ", office, b.AmbitoName)
		}
		contacts := joinNonEmpty("\n", p.Phone, p.Email)
		rows = append(rows, []string{p.Name, role, contacts, office})
	}
	d.table([]string{"Nome", "Ruolo e area", "Contatti", "Ufficio"},
		[]float64{bodyW * 0.22, bodyW * 0.30, bodyW * 0.26, bodyW * 0.22}, rows, 9.5)
}
