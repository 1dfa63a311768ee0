package complaints

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/go-pdf/fpdf"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// The reply letter: the answer as the ente's written reply, with the complaint's number and
// the date of the answer, downloaded by the author from the private page, attached to the
// reply e-mail and kept by staff. It is rendered from the stored answer whenever asked, so it
// always says what the complaint's page says.

// LetterFilename is the name the letter downloads under: "risposta-reclamo-2026-000123.pdf".
func LetterFilename(c *Complaint) string {
	return fmt.Sprintf("risposta-reclamo-%d-%06d.pdf", c.Year, c.Number)
}

// LetterByLink returns the letter of the complaint of a private link on t's site;
// apperr.ErrNotFound when the link is not t's or the complaint has no answer yet.
func (s *Service) LetterByLink(ctx context.Context, t *tenant.Tenant, raw string) (*Complaint, []byte, error) {
	f, err := s.ByLink(ctx, t, raw)
	if err != nil {
		return nil, nil, err
	}
	return s.letter(t, f.Complaint)
}

// Letter returns the reply letter of one of t's complaints, for staff.
func (s *Service) Letter(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*Complaint, []byte, error) {
	var c *Complaint
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		c, err = store{tx}.get(ctx, id, false)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return s.letter(t, c)
}

func (s *Service) letter(t *tenant.Tenant, c *Complaint) (*Complaint, []byte, error) {
	if c.RepliedAt == nil || c.Reply == "" {
		return nil, nil, apperr.ErrNotFound
	}
	regular, bold, _, err := web.PDFFonts()
	if err != nil {
		return nil, nil, err
	}
	pdf, err := RenderLetter(ReceiptFonts{Regular: regular, Bold: bold}, t.Name, c)
	return c, pdf, err
}

// RenderLetter is the reply letter of an answered complaint: the ente, the date, the
// addressee, the subject with the protocol number and the filing date, the outcome, the text
// of the answer and the signature of the URP, on as many A4 pages as the answer takes, each
// numbered. The output depends only on its input.
func RenderLetter(fonts ReceiptFonts, ente string, c *Complaint) ([]byte, error) {
	if len(fonts.Regular) == 0 || len(fonts.Bold) == 0 {
		return nil, errors.New("complaints: letter fonts missing")
	}
	if c.RepliedAt == nil {
		return nil, errors.New("complaints: no answer to print")
	}
	at := *c.RepliedAt
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetLang("it-IT")
	title := "Risposta al reclamo n. " + c.Protocol()
	pdf.SetTitle(receiptText(title), true)
	pdf.SetSubject(receiptText("Risposta "+itlang.Of(ente)), true)
	pdf.SetAuthor(receiptText(ente), true)
	pdf.SetCreator("Carta dei Servizi Sociali", true)
	pdf.SetProducer("Carta dei Servizi Sociali (go-pdf/fpdf)", true)
	pdf.AddUTF8FontFromBytes(rcptFamily, "", fonts.Regular)
	pdf.AddUTF8FontFromBytes(rcptFamily, "B", fonts.Bold)
	pdf.SetMargins(rcptMargin, rcptMargin, rcptMargin)
	pdf.SetAutoPageBreak(true, rcptMargin+8)
	pdf.SetCellMargin(0)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-rcptMargin)
		pdf.SetFont(rcptFamily, "", 8)
		pdf.SetTextColor(92, 111, 130)
		pdf.CellFormat(rcptBodyW, 4, receiptText(title+" – pagina "+fmt.Sprint(pdf.PageNo())+" di {nb}"), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	lh := func(size float64) float64 { return size * 0.3528 * 1.4 }
	font := func(style string, size float64) { pdf.SetFont(rcptFamily, style, size) }
	color := func(r, g, b int) { pdf.SetTextColor(r, g, b) }
	para := func(style string, size float64, s string) {
		font(style, size)
		pdf.MultiCell(rcptBodyW, lh(size), receiptText(s), "", "L", false)
	}

	color(0, 102, 204)
	para("B", 12, ente)
	color(92, 111, 130)
	para("", 10, "Ufficio Relazioni con il Pubblico")
	pdf.Ln(8)
	color(25, 25, 25)
	font("", 10)
	pdf.CellFormat(rcptBodyW, lh(10), receiptText(itlang.Date(at)), "", 1, "R", false, 0, "")
	pdf.Ln(4)
	if name := c.Author(); name != " " {
		para("", 10, "Gentile "+name)
		pdf.Ln(4)
	}
	para("B", 11, "Oggetto: risposta al reclamo n. "+c.Protocol()+" del "+itlang.Date(c.SubmittedAt))
	pdf.Ln(3)
	color(25, 25, 25)
	service := "Altro"
	if c.ServiceTitle != "" {
		service = c.ServiceTitle
	}
	para("", 10, "Servizio: "+service)
	if c.Outcome != "" {
		para("B", 10, "Esito: "+c.Outcome.Label())
	}
	pdf.Ln(4)
	para("", 10, c.Reply)
	pdf.Ln(8)
	para("", 10, "Distinti saluti.")
	pdf.Ln(2)
	para("B", 10, "L'Ufficio Relazioni con il Pubblico")
	para("", 10, ente)
	pdf.Ln(6)
	color(92, 111, 130)
	para("", 8.5, "Se il problema non è stato risolto, entro "+fmt.Sprint(ReopenDays)+
		" giorni da questa risposta puoi riaprire il reclamo dalla pagina con cui lo segui, indicandone il motivo.")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("complaints: letter: %w", err)
	}
	return buf.Bytes(), nil
}
