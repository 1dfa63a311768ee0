package site

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/web"
)

// officeView is an office as pages show it, with everything precomputed (templates get no
// clock and no model).
type officeView struct {
	Name, URL                    string
	Address, PostalCode, City    string
	Phone, Email, PEC            string
	Description                  template.HTML
	Notes                        string
	MainDesk, FromAmbito         bool
	OwnerName                    string
	Open                         bool
	Today                        string // "9:00–12:00, 15:30–17:30", or "chiuso"
	TodayReason                  string // why today is exceptional
	TodaySpecial                 bool
	NextOpening                  string // "oggi alle 15:30", "domani alle 9:00", "lunedì 9 marzo alle 9:00", when closed
	Weekly                       []weekRow
	Upcoming                     []exceptionView
	Services                     []serviceCard
	MapQuery                     string
	HasContacts, HasFullTimeable bool
}

type weekRow struct {
	Day, Hours string
	Today      bool
}

type exceptionView struct {
	When, What, Reason string
}

// serviceCard is a service in a list.
type serviceCard struct {
	Title, URL, Summary, Category string
	FromAmbito, Suspended         bool
}

// clock turns "09:00" into "9:00", as Italians write times.
func clock(s string) string {
	if m := minutesOf(s); m >= 0 {
		return fmt.Sprintf("%d:%02d", m/60, m%60)
	}
	return s
}

func intervalsText(ivs []catalog.Interval) string {
	parts := make([]string, 0, len(ivs))
	for _, iv := range ivs {
		parts = append(parts, clock(iv.Opens)+"–"+clock(iv.Closes))
	}
	return strings.Join(parts, ", ")
}

var giorni = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}

// dayIT is "lunedì 2 marzo 2026".
func dayIT(t time.Time) string {
	t = t.In(rome)
	return giorni[t.Weekday()] + " " + web.DateIT(t)
}

func dateOnlyIT(s string) string {
	t, err := time.ParseInLocation(dateLayout, s, rome)
	if err != nil {
		return s
	}
	return web.DateIT(t)
}

// datePrepIT is a "2006-01-02" date after an articulated preposition: "dal 1º maggio 2026",
// "all'11 maggio 2026".
func datePrepIT(prep, s string) string {
	t, err := time.ParseInLocation(dateLayout, s, rome)
	if err != nil {
		return prep + " " + s
	}
	return itlang.DatePrep(prep, t)
}

// officeURL is the page of an office: on this site, or on the ambito's own site.
func (h *handlers) officeURL(o *Office) string {
	if o.FromAmbito {
		return h.Cfg.TenantURL(o.Owner.Tenant.Slug) + "/uffici/" + url.PathEscape(o.Slug)
	}
	return "/uffici/" + url.PathEscape(o.Slug)
}

// officeView builds the view of o at the request's time; full adds the weekly timetable, the
// coming exceptions and the services handled there.
func (h *handlers) officeView(r *request, s *Site, o *Office, full bool) officeView {
	v := officeView{
		Name: o.Name, URL: h.officeURL(o), Address: o.Address, PostalCode: o.PostalCode, City: o.City,
		Phone: o.Phone, Email: o.Email, PEC: o.PEC, Notes: o.Notes, MainDesk: o.MainDesk,
		FromAmbito: o.FromAmbito, OwnerName: o.Owner.Tenant.Name,
		Open: OpenNow(o.Office, r.now),
	}
	v.HasContacts = v.Phone != "" || v.Email != "" || v.PEC != ""
	today := HoursOn(o.Office, r.now)
	if today.Closed() {
		v.Today = "chiuso"
	} else {
		v.Today = intervalsText(today.Intervals)
	}
	v.TodayReason, v.TodaySpecial = today.Reason(), today.Special()
	if !v.Open {
		if at, ok := NextOpening(o.Office, r.now); ok {
			v.NextOpening = itlang.When(at, r.now)
		}
	}
	if v.Address != "" {
		v.MapQuery = url.QueryEscape(strings.TrimSpace(v.Address + ", " + v.PostalCode + " " + v.City))
	}
	if !full {
		return v
	}
	v.Description = catalog.Markdown(o.Description)
	wd := isoWeekday(r.now.In(rome))
	for _, w := range WeeklyHours(o.Office) {
		row := weekRow{Day: w.Name, Hours: "chiuso", Today: w.Weekday == wd}
		if len(w.Intervals) > 0 {
			row.Hours = intervalsText(w.Intervals)
			v.HasFullTimeable = true
		}
		v.Weekly = append(v.Weekly, row)
	}
	for _, e := range UpcomingExceptions(o.Office, r.now) {
		ev := exceptionView{Reason: e.Reason}
		if e.From == e.To {
			ev.When = dateOnlyIT(e.From)
		} else {
			ev.When = datePrepIT("dal", e.From) + " " + datePrepIT("al", e.To)
		}
		if e.Closed {
			ev.What = "chiuso"
		} else {
			ev.What = "aperto " + clock(e.Opens) + "–" + clock(e.Closes)
		}
		v.Upcoming = append(v.Upcoming, ev)
	}
	if s != nil {
		for _, svc := range s.ServicesAt(o) {
			v.Services = append(v.Services, h.card(s, svc, ""))
		}
	}
	return v
}

// serviceURL is the page of a service on this site; base is "" for the current version or
// "/carta/versioni/N" for an earlier one.
func serviceURL(base, slug string) string { return base + "/servizi/" + url.PathEscape(slug) }

func (h *handlers) card(s *Site, svc *Service, base string) serviceCard {
	return serviceCard{Title: svc.Title, URL: serviceURL(base, svc.Slug), Summary: svc.ShortDescription,
		Category: s.CategoryName(svc.CategoryCode), FromAmbito: svc.FromAmbito,
		Suspended: svc.Status == catalog.StatusSuspended}
}

// categoryParam is a user category's value in ?categoria=; "-" stands for the services whose
// category the model does not name.
func categoryParam(code string) string {
	if code == otherCategory {
		return "-"
	}
	return code
}

// servicesURL is /servizi with the given filters, in a fixed order (the same page always has the
// same URL, and so one cache entry).
func servicesURL(q url.Values) string {
	enc := encodeQuery(q)
	if enc == "" {
		return "/servizi"
	}
	return "/servizi?" + enc
}

// queryOrder is the fixed order of the services page's parameters.
var queryOrder = []string{"tipologia", "categoria", "argomento", "pagina"}

func encodeQuery(q url.Values) string {
	var b strings.Builder
	for _, k := range queryOrder {
		v := q.Get(k)
		if v == "" || (k == "pagina" && v == "1") {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	return b.String()
}

// sizeLabel is a file size as people read it ("1,2 MB").
func sizeLabel(n int) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".", ",", 1) + " MB"
	case n >= 1<<10:
		return strconv.Itoa((n+512)>>10) + " kB"
	}
	return strconv.Itoa(n) + " byte"
}

// typeLabel is a document's format as people read it.
func typeLabel(contentType string) string {
	switch contentType {
	case "application/pdf":
		return "PDF"
	case "application/vnd.oasis.opendocument.text":
		return "ODT"
	case "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
		return "DOCX"
	}
	return "file"
}

type documentView struct {
	Title, URL, Type, Size, Kind string
}

// documentURL is where a document of owner's Carta is downloaded: from owner's own host, so an
// ambito's file is served (and its publication checked) by the ambito's site.
func (h *handlers) documentURL(siteTenant string, owner *catalog.Carta, d catalog.Document) string {
	p := "/documenti/" + d.ID.String() + "/" + url.PathEscape(d.Filename)
	if owner != nil && owner.Tenant.Slug != "" && owner.Tenant.Slug != siteTenant {
		return h.Cfg.TenantURL(owner.Tenant.Slug) + p
	}
	return p
}

func (h *handlers) documentViews(siteTenant string, owner *catalog.Carta, docs []catalog.Document) []documentView {
	out := make([]documentView, 0, len(docs))
	for _, d := range docs {
		out = append(out, documentView{Title: d.Title, URL: h.documentURL(siteTenant, owner, d),
			Type: typeLabel(d.ContentType), Size: sizeLabel(d.Size), Kind: catalog.DocumentKindLabel(d.Kind)})
	}
	return out
}

func costLabel(kind string) string {
	for _, c := range catalog.CostKinds {
		if c.Key == kind {
			return c.Label
		}
	}
	return kind
}

// formatTarget is a standard's target with its unit ("90 %", "7 giorni lavorativi").
func formatTarget(target *float64, unit string) string {
	if target == nil {
		return unit
	}
	v := strconv.FormatFloat(*target, 'f', -1, 64)
	v = strings.Replace(v, ".", ",", 1)
	if unit == "" {
		return v
	}
	return v + " " + unit
}
