package cartapdf

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/cartasociale/carta/internal/catalog"
)

// SurveyCaption is printed with the QR code of the guida sintetica.
const SurveyCaption = "Valuta i nostri servizi: inquadra il codice"

// SurveyItems are the standard questionnaire's items (DOMAIN.md, "Satisfaction surveys"), in
// order, each scored 1 to 5. The paper form prints them numbered so that staff can type paper
// answers in the same order as the online survey.
var SurveyItems = []string{
	"Facilità nel trovare le informazioni",
	"Chiarezza delle informazioni ricevute",
	"Orari di apertura degli uffici",
	"Tempo di attesa",
	"Cortesia del personale",
	"Competenza del personale",
	"Rispetto della riservatezza",
	"Adeguatezza della risposta al bisogno",
	"Soddisfazione complessiva",
}

// Guida prints the guida sintetica of v: a page or two per user category with each service in
// a compact block, then the offices and their hours, how to complain, the QR code to
// opts.SurveyURL when there is one and a paper questionnaire to tear off. It returns catalog.ErrNotPublished when
// the tenant has published nothing.
func Guida(v *catalog.View, opts Options) ([]byte, error) {
	b := newBook(v)
	if b == nil {
		return nil, catalog.ErrNotPublished
	}
	var qr []byte
	if opts.SurveyURL != "" {
		var err error
		// Medium error correction survives a smudged print; 512 px is crisp at 36 mm.
		if qr, err = qrcode.Encode(opts.SurveyURL, qrcode.Medium, 512); err != nil {
			return nil, fmt.Errorf("cartapdf: QR code: %w", err)
		}
	}
	m := meta{
		Title:   "Guida sintetica ai servizi sociali - " + b.Name,
		Subject: "Guida sintetica della Carta dei Servizi Sociali, " + versionOf(b.Version, b.PublishedAt),
		Author:  b.Name,
		Created: b.PublishedAt,
		Footer:  b.Name + " · Guida sintetica · Carta dei Servizi Sociali, " + versionOf(b.Version, b.PublishedAt),
	}
	return twoPass(opts.Fonts, m, func(d *doc, _ []int) {
		g := &guidaLayout{d: d, b: b, opts: opts, qr: qr}
		g.render()
	})
}

type guidaLayout struct {
	d    *doc
	b    *book
	opts Options
	qr   []byte
	cur  string // the category in progress, repeated on its continuation page
}

const guidaTop = 30.0 // below the header band

func (g *guidaLayout) render() {
	d := g.d
	d.header = g.header
	for i, grp := range g.b.Groups {
		g.category(grp, i == 0)
	}
	if len(g.b.Groups) == 0 {
		d.pdf.AddPage()
		g.intro()
		d.text("Nessun servizio pubblicato.", 11, "I", colMuted)
	}
	g.cur = ""
	g.final()
}

// header draws the band at the top of every page: tenant, title, and the category in progress.
func (g *guidaLayout) header() {
	d, p := g.d, g.d.pdf
	saveSize, saveB, saveI := d.size, d.bold, d.italic
	d.bold, d.italic = 0, 0
	p.SetFillColor(colPrimary.r, colPrimary.g, colPrimary.b)
	p.Rect(0, 0, pageW, 20, "F")
	p.SetTextColor(255, 255, 255)
	d.font("B", 13)
	p.SetXY(marginL, 5)
	p.CellFormat(bodyW*0.6, 6, d.fit(d.t(g.b.Name), bodyW*0.6), "", 0, "L", false, 0, "")
	d.font("", 10)
	p.SetXY(marginL, 11)
	p.CellFormat(bodyW*0.6, 5, "Guida sintetica ai servizi sociali", "", 0, "L", false, 0, "")
	d.font("", 9)
	right := "Carta dei Servizi Sociali\n" + versionOf(g.b.Version, g.b.PublishedAt)
	p.SetXY(marginL+bodyW*0.6, 6)
	p.MultiCell(bodyW*0.4, 4.5, right, "", "R", false)
	d.bold, d.italic = saveB, saveI
	d.font("", saveSize)
	d.color(colText)
	p.SetXY(marginL, guidaTop)
	if g.cur != "" {
		d.text(g.cur+" (segue)", 12, "B", colMuted)
		p.Ln(2)
	}
}

// intro opens the guida: what it is, and where the whole Carta is.
func (g *guidaLayout) intro() {
	d, p := g.d, g.d.pdf
	d.font("", 10)
	d.color(colText)
	p.SetX(marginL)
	p.Write(lh(10), d.t("In breve, per ogni area: i servizi sociali, dove andare, quando e chi chiamare. Requisiti, documenti, tempi, costi e standard di qualità sono nella Carta dei Servizi completa"))
	if g.opts.TenantURL != "" {
		p.Write(lh(10), d.t(", su "))
		d.color(colPrimary)
		u := strings.TrimRight(g.opts.TenantURL, "/") + CartaPath
		p.WriteLinkString(lh(10), d.t(u), u)
		d.color(colText)
	}
	p.Write(lh(10), ".")
	p.Ln(lh(10) + 5)
}

func (g *guidaLayout) category(grp group, first bool) {
	d, p := g.d, g.d.pdf
	g.cur = ""
	p.AddPage()
	if first {
		g.intro()
	}
	d.mark(grp.Name, 0)
	d.text(grp.Name, 18, "B", colPrimary)
	if grp.Description != "" {
		d.text(grp.Description, 10, "I", colMuted)
	}
	p.Ln(1)
	d.rule(colPrimary, 0.5)
	p.Ln(3)
	g.cur = grp.Name
	for i, s := range grp.Services {
		g.serviceBlock(s, i > 0)
	}
}

// serviceBlock prints a service in a few lines: title, one-line summary, where and when,
// phone. A block never splits across pages.
func (g *guidaLayout) serviceBlock(s service, separator bool) {
	d, p := g.d, g.d.pdf
	const size, titleSize = 10, 12
	line := lh(size)

	d.font("", size)
	summary := d.t(strings.TrimSpace(s.ShortDescription))
	summaryLines := d.lines(summary, bodyW)
	if len(summaryLines) > 2 {
		summaryLines = summaryLines[:2]
		summaryLines[1] = d.fit(summaryLines[1]+" ...", bodyW)
	}
	// Where and when, each on labelled lines: the office, its hours, the online channel, the
	// phone.
	type row struct {
		label string
		lines []string
	}
	var rows []row
	d.font("", size)
	for _, r := range g.whereWhen(s) {
		if r[1] != "" {
			rows = append(rows, row{r[0], d.lines(d.t(r[1]), bodyW-labelW)})
		}
	}
	h := lh(titleSize) + float64(len(summaryLines))*line + 4
	for _, r := range rows {
		h += float64(len(r.lines)) * line
	}
	if separator {
		h += 4
	}
	if d.spaceLeft() < h {
		p.AddPage()
		separator = false
	}
	if separator {
		p.Ln(1.5)
		d.rule(colRule, 0.3)
		p.Ln(2.5)
	}

	// Title, with the service's standing on the same line.
	d.font("B", titleSize)
	d.color(colDark)
	p.SetX(marginL)
	d.write(lh(titleSize), d.t(s.Title), "")
	var tags []string
	if s.Status == "sospeso" {
		tags = append(tags, "SOSPESO")
	}
	if s.FromAmbito {
		tags = append(tags, "servizio dell'ambito")
	}
	if len(tags) > 0 {
		d.font("", 8.5)
		d.color(colMuted)
		if s.Status == "sospeso" {
			d.color(colWarn)
		}
		p.Write(lh(titleSize), "  "+d.t(strings.Join(tags, " · ")))
	}
	p.Ln(lh(titleSize))
	d.font("", size)
	d.color(colText)
	for _, l := range summaryLines {
		p.SetX(marginL)
		p.CellFormat(bodyW, line, l, "", 1, "L", false, 0, "")
	}
	for _, r := range rows {
		g.labelled(r.label, r.lines, size)
	}
}

// labelW is the width of the guida's label column.
const labelW = 22.0

// labelled prints a bold label in its column and the lines beside it.
func (g *guidaLayout) labelled(label string, lines []string, size float64) {
	d, p := g.d, g.d.pdf
	line := lh(size)
	if len(lines) == 0 {
		lines = []string{"-"}
	}
	y := p.GetY()
	d.font("B", size)
	d.color(colDark)
	p.SetXY(marginL, y)
	p.CellFormat(labelW, line, d.t(label), "", 0, "L", false, 0, "")
	d.font("", size)
	d.color(colText)
	for i, l := range lines {
		p.SetXY(marginL+labelW, y+float64(i)*line)
		p.CellFormat(bodyW-labelW, line, l, "", 0, "L", false, 0, "")
	}
	p.SetXY(marginL, y+float64(len(lines))*line)
}

// whereWhen lists, as label and text, where to go (the office and its address), when (its
// hours), online (the digital channel) and the phone to call: the office's, or the
// responsible person's when the office has none. Empty texts are left out by the caller.
func (g *guidaLayout) whereWhen(s service) [4][2]string {
	var where, when, phone string
	if o := s.Office; o != nil {
		where = joinNonEmpty(", ", o.Name, address(*o.Office))
		when = compactHours(o.Hours)
		phone = o.Phone
	}
	if where == "" && s.DigitalURL == "" {
		where = "rivolgersi al Servizio Sociale"
	}
	if phone == "" && s.Responsible != nil {
		phone = s.Responsible.Phone
	}
	return [4][2]string{{"Dove", where}, {"Quando", when}, {"Online", s.DigitalURL}, {"Telefono", phone}}
}

func (g *guidaLayout) final() {
	d, p, b := g.d, g.d.pdf, g.b
	p.AddPage()
	d.mark("Uffici, reclami e valutazione", 0)
	d.text("Uffici e orari", 16, "B", colPrimary)
	p.Ln(1)
	d.rule(colPrimary, 0.5)
	p.Ln(2)
	for _, o := range b.Offices {
		name := o.Name
		if o.FromAmbito {
			name += " (" + b.AmbitoName + ")"
		}
		d.font("", 9.5)
		lines := []string{}
		if a := address(*o.Office); a != "" {
			lines = append(lines, d.t(a))
		}
		if h := compactHours(o.Hours); h != "" {
			lines = append(lines, d.lines(d.t("Orari: "+h), bodyW)...)
		}
		if cl := contactLine(o.Phone, o.Email, ""); cl != "" {
			lines = append(lines, d.t(cl))
		}
		d.need(lh(10.5) + float64(len(lines))*lh(9.5) + 2)
		d.text(name, 10.5, "B", colDark)
		d.font("", 9.5)
		for _, l := range lines {
			p.SetX(marginL)
			p.CellFormat(bodyW, lh(9.5), l, "", 1, "L", false, 0, "")
		}
		p.Ln(1.5)
	}
	if len(b.Offices) == 0 {
		d.text("Rivolgersi al Servizio Sociale del Comune.", 9.5, "I", colMuted)
	}

	p.Ln(2)
	d.need(30)
	d.text("Come presentare un reclamo", 13, "B", colPrimary)
	p.Ln(1)
	g.complaints()

	if len(g.qr) > 0 {
		g.qrBlock()
	}
	g.form()
}

// complaints says how to complain: the Carta's own "reclami" section, else the rule every
// Carta states (seed 000).
func (g *guidaLayout) complaints() {
	for _, s := range g.b.Sections {
		if s.Key == "reclami" && catalog.PlainText(s.Body) != "" {
			g.d.markdown(s.Body, 9.5)
			return
		}
	}
	g.d.text("Chiunque può presentare un reclamo scritto e firmato all'Ufficio Relazioni con il Pubblico o al Servizio Sociale, di persona, per posta o per e-mail. L'ente risponde entro trenta giorni dalla presentazione.", 9.5, "", colText)
}

func (g *guidaLayout) qrBlock() {
	d, p := g.d, g.d.pdf
	const side = 34.0
	d.need(side + 16)
	p.Ln(4)
	y := p.GetY()
	x := marginL
	p.RegisterImageOptionsReader("survey-qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(g.qr))
	p.ImageOptions("survey-qr", x, y, side, side, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, g.opts.SurveyURL)
	tx := x + side + 6
	p.SetXY(tx, y+6)
	d.font("B", 13)
	d.color(colPrimary)
	p.MultiCell(bodyW-side-6, lh(13), SurveyCaption, "", "L", false)
	p.SetX(tx)
	d.font("", 9.5)
	d.color(colText)
	p.MultiCell(bodyW-side-6, lh(9.5), "Il questionario è anonimo e richiede pochi minuti. Puoi anche compilare il questionario su carta in fondo a questa guida e consegnarlo all'ufficio.", "", "L", false)
	// The address under the code, for those who cannot scan it.
	p.SetXY(x, y+side+1)
	d.font("", 9)
	d.color(colPrimary)
	p.CellFormat(bodyW, lh(9), d.fit(d.t(g.opts.SurveyURL), bodyW), "", 1, "L", false, 0, g.opts.SurveyURL)
	d.color(colText)
}

// formStyle sizes the paper questionnaire: compact under the QR code when it fits there, larger
// (easier to fill in by hand) on a page of its own.
type formStyle struct {
	row, box, gap, text, small float64
	lines                      int // ruled lines for suggestions
}

var (
	formCompact = formStyle{row: 6.2, box: 4.2, gap: 8.5, text: 9, small: 8.5, lines: 2}
	formLarge   = formStyle{row: 9, box: 5.5, gap: 11, text: 11, small: 10, lines: 4}
)

const formIntro = "Per ogni voce indica un voto da 1 (per niente soddisfatto) a 5 (del tutto soddisfatto). Il questionario è anonimo: consegnalo all'ufficio o imbucalo nell'apposita cassetta."

// formHeight is the height of the questionnaire's box in style st.
func (g *guidaLayout) formHeight(st formStyle) float64 {
	d := g.d
	d.font("", st.small)
	intro := len(d.lines(d.t(formIntro), bodyW))
	return 3 + lh(14) + float64(intro)*lh(st.small) + 2 + // title and instructions
		7 + 1 + 5 + // service and date, the 1-5 scale
		float64(len(SurveyItems))*st.row + 2 +
		6 + float64(st.lines)*7 + 4 + // suggestions
		2*(lh(st.small)+3) + 5 + 3 // profile, note, bottom padding
}

// form prints the paper questionnaire inside a dashed border to cut along: under the QR code
// when it fits, else on a page of its own.
func (g *guidaLayout) form() {
	d, p := g.d, g.d.pdf
	const boxes = 5
	st := formCompact
	height := g.formHeight(st)
	if d.spaceLeft() < height+8 {
		p.AddPage()
		st = formLarge
		height = g.formHeight(st)
	} else {
		p.Ln(6)
	}
	y0 := p.GetY()
	p.SetDrawColor(colMuted.r, colMuted.g, colMuted.b)
	p.SetLineWidth(0.3)
	p.SetDashPattern([]float64{2, 1.5}, 0)
	p.Rect(marginL-3, y0, bodyW+6, height, "D")
	p.SetDashPattern([]float64{}, 0)
	d.font("", 7.5)
	d.color(colMuted)
	p.SetXY(marginL, y0-3.2)
	p.CellFormat(bodyW, 3, "stacca lungo la linea tratteggiata", "", 0, "R", false, 0, "")

	p.SetXY(marginL, y0+3)
	d.text("Questionario di gradimento", 14, "B", colPrimary)
	d.text(formIntro, st.small, "", colText)
	p.Ln(2)
	d.font("", st.text)
	d.color(colText)
	y := p.GetY()
	p.SetXY(marginL, y)
	p.CellFormat(bodyW*0.62, 7, "Servizio utilizzato: "+strings.Repeat("_", int(bodyW*0.62/p.GetStringWidth("_"))-22), "", 0, "L", false, 0, "")
	p.CellFormat(bodyW*0.38, 7, "Data: ____ / ____ / ________", "", 1, "R", false, 0, "")
	p.Ln(1)

	boxesX := pageW - marginR - float64(boxes-1)*st.gap - st.box
	y = p.GetY()
	d.font("B", st.small)
	d.color(colDark)
	for k := 1; k <= boxes; k++ {
		p.SetXY(boxesX+float64(k-1)*st.gap-2, y)
		p.CellFormat(st.box+4, 4, fmt.Sprint(k), "", 0, "C", false, 0, "")
	}
	y += 5
	p.SetDrawColor(colDark.r, colDark.g, colDark.b)
	p.SetLineWidth(0.25)
	for i, item := range SurveyItems {
		ry := y + float64(i)*st.row
		if i%2 == 0 {
			p.SetFillColor(colTint.r, colTint.g, colTint.b)
			p.Rect(marginL-1, ry, bodyW+2, st.row, "F")
		}
		d.font("", st.text)
		d.color(colText)
		p.SetXY(marginL, ry)
		p.CellFormat(boxesX-marginL-4, st.row, d.t(fmt.Sprintf("%d. %s", i+1, item)), "", 0, "L", false, 0, "")
		for k := 0; k < boxes; k++ {
			p.Rect(boxesX+float64(k)*st.gap, ry+(st.row-st.box)/2, st.box, st.box, "D")
		}
	}
	y += float64(len(SurveyItems))*st.row + 2
	p.SetXY(marginL, y)
	d.font("B", st.text)
	p.CellFormat(bodyW, 6, "Suggerimenti e segnalazioni", "", 1, "L", false, 0, "")
	p.SetDrawColor(colRule.r, colRule.g, colRule.b)
	for k := 1; k <= st.lines; k++ {
		ly := y + 6 + float64(k)*7
		p.Line(marginL, ly, pageW-marginR, ly)
	}
	y += 6 + float64(st.lines)*7 + 4
	p.SetXY(marginL, y)
	g.choices("Età", []string{"fino a 34 anni", "35-64 anni", "65 anni e oltre"}, st.small)
	g.choices("Ti sei rivolto a noi", []string{"di persona", "per telefono", "online"}, st.small)
	d.font("I", 7.5)
	d.color(colMuted)
	p.SetX(marginL)
	p.CellFormat(bodyW, 5, "Le risposte sono raccolte in forma anonima per il Rapporto annuale di valutazione della Carta.", "", 1, "L", false, 0, "")
	d.color(colText)
	p.SetY(y0 + height + 2)
}

// choices prints a row of tick boxes after a label.
func (g *guidaLayout) choices(label string, options []string, size float64) {
	d, p := g.d, g.d.pdf
	y := p.GetY()
	h := lh(size) + 1
	box := size * 0.42
	d.font("B", size)
	p.SetXY(marginL, y)
	p.CellFormat(42, h, d.t(label+":"), "", 0, "L", false, 0, "")
	d.font("", size)
	x := marginL + 42
	p.SetDrawColor(colDark.r, colDark.g, colDark.b)
	for _, o := range options {
		p.Rect(x, y+(h-box)/2, box, box, "D")
		p.SetXY(x+box+1.5, y)
		w := p.GetStringWidth(d.t(o)) + 8
		p.CellFormat(w, h, d.t(o), "", 0, "L", false, 0, "")
		x += box + 1.5 + w
	}
	p.SetXY(marginL, y+h+2)
}
