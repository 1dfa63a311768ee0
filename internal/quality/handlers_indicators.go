package quality

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// The indicators: the staff dashboard (with an ambito's members side by side) and the same
// figures as open data on the citizen site, CSV and JSON, aggregated.

// Paths of the indicators.
const (
	PathDashboard    = "/qualita/indicatori" // under /admin
	PathOpenDataCSV  = "/opendata/indicatori.csv"
	PathOpenDataJSON = "/opendata/indicatori.json"
)

// yearParam reads ?anno=, defaulting to the current year; years outside the product's life
// are refused.
func (h *handlers) yearParam(c *fiber.Ctx) (int, error) {
	now := h.svc.d.Now().Year()
	q := c.Query("anno")
	if q == "" {
		return now, nil
	}
	y, err := strconv.Atoi(q)
	if err != nil || y < 2000 || y > now {
		return 0, apperr.New(apperr.NotFound, "Anno non disponibile.")
	}
	return y, nil
}

type dashboardPage struct {
	web.Page
	Year    int
	Years   []int
	C       *Comparison
	Members []MemberYear
	Charts  []template.HTML
}

// MemberLines are the members' lines, indicator by indicator, for the side-by-side table.
func (p dashboardPage) MemberLines() [][]Indicator {
	out := make([][]Indicator, 0, len(p.Members))
	for _, m := range p.Members {
		out = append(out, m.Lines())
	}
	return out
}

func (h *handlers) dashboard(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	year, err := h.yearParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p := dashboardPage{Page: h.staffPage(c, "Indicatori di qualità", web.Crumb{Label: "Indicatori"}), Year: year}
	for y := h.svc.d.Now().Year(); y >= h.svc.d.Now().Year()-5; y-- {
		p.Years = append(p.Years, y)
	}
	if t.Kind == tenant.KindAmbito {
		p.C, p.Members, err = h.svc.AmbitoIndicators(ctx, t, year)
	} else {
		p.C, err = h.svc.Indicators(ctx, t, year)
	}
	if err != nil {
		return err
	}
	p.Charts = charts(p.C.Now)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return h.d.Render.Render(c, fiber.StatusOK, "quality/indicators", p)
}

// charts are the month-by-month charts of a year.
func charts(y *Year) []template.HTML {
	byMonth := map[time.Month]complaints.MonthFigures{}
	for _, m := range y.Complaints.Months {
		byMonth[m.Month.Month()] = m
	}
	survey := map[time.Month]MonthSurvey{}
	for _, m := range y.Survey.Months {
		survey[m.Month.Month()] = m
	}
	ratings := map[time.Month]MonthRatings{}
	for _, m := range y.Pages.Months {
		ratings[m.Month.Month()] = m
	}
	year := strconv.Itoa(y.Year)
	return []template.HTML{
		BarChart("Reclami ricevuti per mese, "+year, MonthBars(func(m time.Month) (float64, string) {
			n := byMonth[m].Received
			return float64(n), strconv.Itoa(n)
		}), 0),
		BarChart("Indice di soddisfazione per mese (da 1 a 5), "+year, MonthBars(func(m time.Month) (float64, string) {
			i := survey[m].Index
			if !i.Known() {
				return 0, NotAvailable
			}
			return i.Value(), i.String()
		}), 5),
		BarChart("Chiarezza delle pagine per mese (stelle da 1 a 5), "+year, MonthBars(func(m time.Month) (float64, string) {
			s := ratings[m].Stars
			if !s.Known() {
				return 0, NotAvailable
			}
			return s.Value(), s.String()
		}), 5),
	}
}

// openRow is one indicator of the open data.
type openRow struct {
	Ente        string   `json:"ente"`
	Anno        int      `json:"anno"`
	Indicatore  string   `json:"indicatore"`
	Descrizione string   `json:"descrizione"`
	Valore      *float64 `json:"valore"` // null when not available (under 5 cases)
	Testo       string   `json:"valore_testo"`
	Casi        int      `json:"casi"`
	AnnoPrec    string   `json:"anno_precedente"`
	Variazione  string   `json:"variazione"`
}

func openRows(t *tenant.Tenant, c *Comparison) []openRow {
	var out []openRow
	for _, l := range c.Lines() {
		r := openRow{Ente: t.Name, Anno: c.Now.Year, Indicatore: l.Key, Descrizione: l.Label, Testo: l.Value,
			Casi: l.Sample, AnnoPrec: l.Prev, Variazione: l.Change.String()}
		if l.Known() {
			v := l.Number()
			r.Valore = &v
		}
		out = append(out, r)
	}
	return out
}

func (h *handlers) openData(c *fiber.Ctx, asJSON bool) error {
	t := tenant.FromContext(c.UserContext())
	if t == nil || t.Status != tenant.StatusActive {
		return apperr.ErrNotFound
	}
	year, err := h.yearParam(c)
	if err != nil {
		return err
	}
	cmp, err := h.svc.PublicIndicators(c.UserContext(), t, year)
	if err != nil {
		return err
	}
	rows := openRows(t, cmp)
	c.Set(fiber.HeaderCacheControl, "public, max-age=600")
	name := "indicatori-" + t.Slug + "-" + strconv.Itoa(year)
	if asJSON {
		c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`.json"`)
		b, err := json.MarshalIndent(map[string]any{"ente": t.Name, "anno": year, "indicatori": rows,
			"nota": "Valori aggregati; un valore su meno di 5 casi non è disponibile (n.d.)."}, "", "  ")
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(b)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"ente", "anno", "indicatore", "descrizione", "valore", "valore_testo", "casi", "anno_precedente", "variazione"})
	for _, r := range rows {
		v := ""
		if r.Valore != nil {
			v = strconv.FormatFloat(*r.Valore, 'f', 2, 64)
		}
		_ = w.Write([]string{r.Ente, strconv.Itoa(r.Anno), r.Indicatore, r.Descrizione, v, r.Testo, strconv.Itoa(r.Casi), r.AnnoPrec, r.Variazione})
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
	return c.Send(buf.Bytes())
}
