package site

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/csvsafe"
	"github.com/cartasociale/carta/internal/web"
)

// licenseLink is the Link header that states the licence of a data file (RFC 8288): CSV has
// no place for it inside.
const licenseLink = `<` + LicenseURL + `>; rel="license"`

type openDataPage struct {
	web.Page
	LicenseURL, LicenseLabel string
	Version                  int
	Updated                  string
	Services                 int
	Columns                  []string
}

func (h *handlers) openData(c *fiber.Ctx) error {
	return h.servePublished(c, "/opendata", nil, h.renderOpenData)
}

func (h *handlers) renderOpenData(_ context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	vm := &openDataPage{Page: r.page(s, "Dati aperti", web.Crumb{Label: "Home", URL: "/"},
		web.Crumb{Label: "Amministrazione", URL: "/amministrazione"}, web.Crumb{Label: "Dati aperti"}),
		LicenseURL: LicenseURL, LicenseLabel: LicenseLabel, Version: s.Own.Version,
		Updated: web.DateIT(s.Own.PublishedAt), Services: len(s.Services()), Columns: csvHeader}
	return h.html("site/opendata", vm, 0)
}

func (h *handlers) openDataJSONLD(c *fiber.Ctx) error {
	return h.servePublished(c, "/opendata/carta.jsonld", nil, func(_ context.Context, r *request, s *Site) (*output, error) {
		if s == nil {
			return nil, apperr.ErrNotFound
		}
		b, err := h.cartaJSONLD(r.t, s)
		if err != nil {
			return nil, err
		}
		return &output{ContentType: "application/ld+json; charset=utf-8", Body: b,
			Header: map[string]string{fiber.HeaderLink: licenseLink}}, nil
	})
}

// csvHeader names the columns of servizi.csv (Italian, snake case, stable: people script
// against them).
var csvHeader = []string{
	"id", "slug", "titolo", "descrizione_breve", "stato", "motivo_sospensione", "servizio_ambito",
	"ente_titolare", "area_utenza_codice", "area_utenza", "categoria_servizio", "livello_macro",
	"codice_nomenclatore", "argomenti", "a_chi_e_rivolto", "costo", "ufficio", "indirizzo",
	"cap", "comune", "telefono", "email", "canale_digitale", "prenotazione",
	"unita_organizzativa_responsabile", "numero_standard", "ultimo_aggiornamento", "url",
}

func (h *handlers) openDataCSV(c *fiber.Ctx) error {
	return h.servePublished(c, "/opendata/servizi.csv", nil, func(_ context.Context, r *request, s *Site) (*output, error) {
		if s == nil {
			return nil, apperr.ErrNotFound
		}
		b, err := h.servicesCSV(r, s)
		if err != nil {
			return nil, err
		}
		return &output{ContentType: "text/csv; charset=utf-8", Body: b, Header: map[string]string{
			fiber.HeaderLink:               licenseLink,
			fiber.HeaderContentDisposition: `inline; filename="servizi.csv"`,
		}}, nil
	})
}

// servicesCSV writes one row per service, RFC 4180 (CRLF line ends, quoted where needed), with
// the cells a spreadsheet would run as formulas behind an apostrophe (csvsafe): the text is
// written by staff, the file is opened by anyone.
func (h *handlers) servicesCSV(r *request, s *Site) ([]byte, error) {
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf, ',')
	if err := w.Write(csvHeader); err != nil {
		return nil, err
	}
	base := h.siteURL(r.t)
	for _, svc := range s.Services() {
		row := []string{
			svc.ID.String(), svc.Slug, svc.Title, svc.ShortDescription, svc.Status, svc.StatusReason,
			strconv.FormatBool(svc.FromAmbito), svc.Owner.Tenant.Name, svc.CategoryCode,
			s.CategoryName(svc.CategoryCode), svc.NationalCategory, "", svc.NomenclatorCode,
			strings.Join(svc.Topics, "; "), catalog.PlainText(svc.Audience), costLabel(svc.CostKind),
		}
		if svc.MacroLevel > 0 {
			row[11] = strconv.Itoa(svc.MacroLevel)
		}
		if o := s.OfficeFor(svc); o != nil {
			row = append(row, o.Name, o.Address, o.PostalCode, o.City, o.Phone, o.Email)
		} else {
			row = append(row, "", "", "", "", "", "")
		}
		updated := ""
		if !svc.LastChangedAt.IsZero() {
			updated = svc.LastChangedAt.In(rome).Format(dateLayout)
		}
		row = append(row, svc.DigitalURL, svc.BookingURL, svc.ResponsibleUnit, strconv.Itoa(len(svc.Standards)),
			updated, base+serviceURL("", svc.Slug))
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
