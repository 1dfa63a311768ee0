package complaints

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"

	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// Receipt returns the complaint of a private link on t's site, for its receipt:
// apperr.ErrNotFound for a link of another tenant or none.
func (s *Service) Receipt(ctx context.Context, t *tenant.Tenant, raw string) (*Complaint, error) {
	f, err := s.ByLink(ctx, t, raw)
	if err != nil {
		return nil, err
	}
	return f.Complaint, nil
}

// ReceiptFilename is the name the receipt downloads under: "ricevuta-reclamo-2026-000123.pdf".
func ReceiptFilename(c *Complaint) string {
	return fmt.Sprintf("ricevuta-reclamo-%d-%06d.pdf", c.Year, c.Number)
}

// ReceiptFonts are the TrueType files the receipt embeds (Titillium Web, as the Carta's PDF).
type ReceiptFonts struct {
	Regular, Bold []byte
}

// Receipt geometry, in millimetres (A4 portrait), and the Bootstrap Italia colours of the
// Carta's PDF.
const (
	rcptPageW   = 210.0
	rcptPageH   = 297.0
	rcptMargin  = 20.0
	rcptBodyW   = rcptPageW - 2*rcptMargin
	rcptLabelW  = 55.0
	rcptFamily  = "titillium"
	rcptMinSize = 6.0 // pt: the smallest the complaint's text gets to stay on one page
)

// RenderReceipt is the one-page PDF a citizen keeps as proof of filing: the ente, the protocol
// number, when it was received, the due date, the service, the text of the complaint and the
// author's name. No other personal data (codice fiscale, contacts, the person represented)
// is printed, nor the private link. The output depends only on its input.
func RenderReceipt(fonts ReceiptFonts, ente string, c *Complaint) ([]byte, error) {
	if len(fonts.Regular) == 0 || len(fonts.Bold) == 0 {
		return nil, errors.New("complaints: receipt fonts missing")
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(c.SubmittedAt)
	pdf.SetModificationDate(c.SubmittedAt)
	pdf.SetLang("it-IT")
	title := "Ricevuta del reclamo n. " + c.Protocol()
	pdf.SetTitle(receiptText(title), true)
	pdf.SetSubject(receiptText("Reclamo presentato a "+ente), true)
	pdf.SetAuthor(receiptText(ente), true)
	pdf.SetCreator("Carta dei Servizi Sociali", true)
	pdf.SetProducer("Carta dei Servizi Sociali (go-pdf/fpdf)", true)
	pdf.AddUTF8FontFromBytes(rcptFamily, "", fonts.Regular)
	pdf.AddUTF8FontFromBytes(rcptFamily, "B", fonts.Bold)
	pdf.SetMargins(rcptMargin, rcptMargin, rcptMargin)
	// One page, always: the text shrinks to fit rather than flowing onto a second.
	pdf.SetAutoPageBreak(false, rcptMargin)
	pdf.SetCellMargin(0)
	pdf.AddPage()

	lh := func(size float64) float64 { return size * 0.3528 * 1.35 }
	font := func(style string, size float64) { pdf.SetFont(rcptFamily, style, size) }
	color := func(r, g, b int) { pdf.SetTextColor(r, g, b) }

	font("B", 11)
	color(0, 102, 204)
	pdf.MultiCell(rcptBodyW, lh(11), receiptText(ente), "", "L", false)
	pdf.Ln(2)
	font("B", 18)
	color(23, 50, 77)
	pdf.MultiCell(rcptBodyW, lh(18), receiptText("Ricevuta di presentazione del reclamo"), "", "L", false)
	pdf.Ln(4)

	service := c.ServiceTitle
	if service == "" {
		service = "Altro"
	}
	rows := [][2]string{
		{"Numero di protocollo", c.Protocol()},
		{"Ricevuto il", itlang.DateTime(c.SubmittedAt)},
		{"Scadenza della risposta", itlang.Date(c.DueOn)},
		{"Servizio", service},
		{"Presentato da", c.Author()},
	}
	if c.Standard != "" {
		rows = append(rows, [2]string{"Impegno non rispettato", c.Standard})
	}
	for _, r := range rows {
		y := pdf.GetY()
		font("B", 10)
		color(92, 111, 130)
		pdf.MultiCell(rcptLabelW, lh(10), receiptText(r[0]), "", "L", false)
		after := pdf.GetY()
		pdf.SetXY(rcptMargin+rcptLabelW, y)
		font("", 10)
		color(25, 25, 25)
		pdf.MultiCell(rcptBodyW-rcptLabelW, lh(10), receiptText(r[1]), "", "L", false)
		pdf.SetY(max(after, pdf.GetY()) + 1)
	}
	pdf.Ln(3)
	pdf.SetDrawColor(204, 214, 223)
	pdf.SetLineWidth(0.3)
	pdf.Line(rcptMargin, pdf.GetY(), rcptPageW-rcptMargin, pdf.GetY())
	pdf.Ln(4)

	closing := "Conserva questa ricevuta. L'ente risponde per iscritto entro " + itlang.The(c.DueOn) +
		"; puoi seguire il reclamo con il collegamento privato che hai ricevuto quando lo hai presentato."
	sections := [][2]string{{"Che cosa è successo", c.WhatHappened}}
	if c.Request != "" {
		sections = append(sections, [2]string{"Che cosa chiede", c.Request})
	}
	// The largest size at which the texts and the closing note fit above the bottom margin.
	room := rcptPageH - rcptMargin - pdf.GetY()
	size := 10.0
	for ; size > rcptMinSize; size -= 0.5 {
		if receiptHeight(pdf, sections, closing, size, lh) <= room {
			break
		}
	}
	// Should even the smallest size not do (a text far beyond the form's limits), each text
	// keeps a fair share of the lines and ends with "[...]".
	pdf.SetFont(rcptFamily, "", 9)
	fixed := float64(len(receiptWrap(pdf, closing)))*lh(9) + 2
	pdf.SetFont(rcptFamily, "", size)
	lines := make([][]string, len(sections))
	counts := make([]int, len(sections))
	for i, s := range sections {
		lines[i] = receiptWrap(pdf, s[1])
		counts[i] = len(lines[i])
		fixed += lh(size+1) + 1 + 3
	}
	for i, n := range fairShare(counts, int((room-fixed)/lh(size))) {
		if n < len(lines[i]) {
			lines[i] = append(lines[i][:max(n-1, 0):max(n-1, 0)], "[...]")
		}
	}
	for i, s := range sections {
		font("B", size+1)
		color(23, 50, 77)
		pdf.MultiCell(rcptBodyW, lh(size+1), receiptText(s[0]), "", "L", false)
		pdf.Ln(1)
		font("", size)
		color(25, 25, 25)
		for _, line := range lines[i] {
			pdf.CellFormat(rcptBodyW, lh(size), line, "", 2, "L", false, 0, "")
		}
		pdf.Ln(3)
	}
	font("", 9)
	color(92, 111, 130)
	if y := rcptPageH - rcptMargin - 3*lh(9); pdf.GetY() < y {
		pdf.SetY(y)
	}
	pdf.MultiCell(rcptBodyW, lh(9), receiptText(closing), "", "L", false)

	if pdf.PageNo() != 1 {
		return nil, errors.New("complaints: the receipt does not fit one page")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("complaints: receipt: %w", err)
	}
	return buf.Bytes(), nil
}

// receiptHeight is how tall the sections and the closing note are at size.
func receiptHeight(pdf *fpdf.Fpdf, sections [][2]string, closing string, size float64, lh func(float64) float64) float64 {
	h := 0.0
	for _, s := range sections {
		pdf.SetFont(rcptFamily, "", size)
		h += lh(size+1) + 1 + float64(len(receiptWrap(pdf, s[1])))*lh(size) + 3
	}
	pdf.SetFont(rcptFamily, "", 9)
	return h + float64(len(receiptWrap(pdf, closing)))*lh(9) + 2
}

// receiptWrap splits s into the lines it takes at the current font, keeping its own line breaks.
func receiptWrap(pdf *fpdf.Fpdf, s string) []string {
	var out []string
	for _, para := range strings.Split(receiptText(s), "\n") {
		if strings.TrimSpace(para) == "" {
			out = append(out, "")
			continue
		}
		out = append(out, pdf.SplitText(para, rcptBodyW)...)
	}
	return out
}

// fairShare divides total lines among texts of counts lines: a short text keeps all of its
// own, the longer ones share the rest equally; each keeps at least one line.
func fairShare(counts []int, total int) []int {
	out := append([]int(nil), counts...)
	sum := 0
	for _, n := range counts {
		sum += n
	}
	if sum <= total {
		return out
	}
	left, open := total, len(counts)
	done := make([]bool, len(counts))
	for open > 0 {
		share := max(left/open, 1)
		changed := false
		for i, n := range counts {
			if !done[i] && n <= share {
				done[i], changed = true, true
				left -= n
				open--
			}
		}
		if !changed {
			for i := range counts {
				if !done[i] {
					out[i] = share
				}
			}
			break
		}
	}
	return out
}

// receiptFallbacks spell out characters the font may lack.
var receiptFallbacks = map[rune]string{'…': "...", '−': "-", '•': "-", '€': "EUR", '\u00a0': " "}

// receiptText makes s printable with the embedded font: composed accents, no control or invisible
// characters, nothing beyond the Basic Multilingual Plane (fpdf cannot print it; emoji carry
// no words).
func receiptText(s string) string {
	s = norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n"))
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			sb.WriteRune(r)
		case r == '\t' || r == '\r' || r == '\u2028' || r == '\u2029':
			sb.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u00ad' || (r >= 0x200b && r <= 0x200f) || r == '\ufeff':
		case r > 0xFFFF || (r >= 0x2600 && r <= 0x27BF) || (r >= 0xFE00 && r <= 0xFE0F):
		default:
			if fb, ok := receiptFallbacks[r]; ok {
				sb.WriteString(fb)
			} else {
				sb.WriteRune(r)
			}
		}
	}
	return sb.String()
}
