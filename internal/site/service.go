package site

import (
	"context"
	"html/template"
	"net/url"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/web"
)

// servicePage is the view model of a service's page (scheda servizio): the current version, an
// earlier one, or the staff's preview of a draft.
type servicePage struct {
	web.Page
	ServiceTitle, Summary string
	Status                string // Attivo, Sospeso
	StatusReason          string
	Suspended             bool
	Category              string
	CategoryURL           string
	FromAmbito            bool
	AmbitoName, AmbitoURL string
	Topics                []topicLink
	Index                 []indexItem

	Description, Audience, HowTo, NeededIntro, Obtained, Timing template.HTML
	NeededItems                                                 []string
	CoverageAmbito                                              bool
	Deadlines                                                   []deadlineView // dated: the calendar
	Phases                                                      []deadlineView // undated phases
	CostLabel                                                   string
	Cost                                                        template.HTML
	DigitalURL, DigitalLabel                                    string
	BookingURL, BookingText                                     string
	SurveyURL                                                   string
	Constraints, SpecialCases, MoreInfo, Providers              template.HTML
	HasMoreInfo                                                 bool
	Conditions                                                  template.HTML
	Documents                                                   []documentView
	Standards                                                   []standardView
	Office                                                      *officeView
	Contacts                                                    template.HTML
	Person                                                      *personView
	ResponsibleUnit                                             string
	Updated, UpdatedISO                                         string

	JSONLD template.JS
	// Preview marks the staff's preview of a draft ("Anteprima — non pubblicata").
	Preview bool
	// Old marks a page of an earlier version.
	Old *oldVersion
}

type topicLink struct{ Name, URL string }

type indexItem struct{ ID, Label string }

type deadlineView struct {
	Label, Date, ISO, Description string
	Day, Month, Year              string
}

type standardView struct {
	Dimension, Description, Indicator, Target string
	// Last is the last measured value ("n.d." when none), Met whether it met the standard
	// ("rispettato", "non rispettato" or "").
	Last, Met, Period string
}

// Measured is a standard's last measured value, as the quality package keeps it.
type Measured struct {
	Text, Met, Period string
}

type personView struct {
	Name, Role, Area, Email, Phone string
}

type oldVersion struct {
	Number      int
	Date        string
	PublishedAt time.Time
	Note        string
	CurrentURL  string
	VersionsURL string
}

var slugParamRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func validSlugParam(s string) bool { return len(s) <= 140 && slugParamRE.MatchString(s) }

func (h *handlers) service(c *fiber.Ctx) error {
	slug := c.Params("slug")
	if !validSlugParam(slug) {
		return apperr.ErrNotFound
	}
	return h.servePublished(c, "/servizi/"+slug, nil, h.renderService)
}

func (h *handlers) renderService(ctx context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	svc := s.Service(r.params["slug"])
	if svc == nil {
		return nil, apperr.ErrNotFound
	}
	vm, office := h.servicePage(r, s, svc, "")
	if err := h.lastMeasures(ctx, r, svc, vm); err != nil {
		return nil, err
	}
	var offices []*catalog.Office
	if office != nil {
		offices = append(offices, office.Office)
	}
	return h.html("site/service", vm, ttlUntil(r.now, NextChange(offices, r.now)))
}

var mesiBrevi = [...]string{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"}

// servicePage builds the page of svc; base is "" for the current version, or the earlier
// version's prefix ("/carta/versioni/3") for its links.
func (h *handlers) servicePage(r *request, s *Site, svc *Service, base string) (*servicePage, *Office) {
	vm := &servicePage{Page: r.page(s, svc.Title,
		web.Crumb{Label: "Home", URL: "/"}, web.Crumb{Label: "Servizi", URL: "/servizi"}, web.Crumb{Label: svc.Title})}
	vm.ServiceTitle, vm.Summary = svc.Title, svc.ShortDescription
	// The current page of the service (not an old version, not the staff's preview) links to
	// its satisfaction questionnaire (internal/quality).
	if base == "" && vm.Rating != "" {
		vm.SurveyURL = "/servizi/" + svc.Slug + "/questionario"
	}
	vm.Status, vm.Suspended = "Attivo", svc.Status == catalog.StatusSuspended
	if vm.Suspended {
		vm.Status, vm.StatusReason = "Sospeso", svc.StatusReason
	}
	vm.Category = s.CategoryName(svc.CategoryCode)
	if base == "" {
		vm.CategoryURL = servicesURL(url.Values{"categoria": {categoryParam(svc.CategoryCode)}})
	}
	if svc.FromAmbito {
		vm.FromAmbito = true
		vm.AmbitoName = svc.Owner.Tenant.Name
		vm.AmbitoURL = h.Cfg.TenantURL(svc.Owner.Tenant.Slug)
	}
	for _, t := range svc.Topics {
		vm.Topics = append(vm.Topics, topicLink{Name: t, URL: servicesURL(url.Values{"argomento": {t}})})
	}

	vm.Description = catalog.Markdown(svc.Description)
	vm.Audience = catalog.Markdown(svc.Audience)
	vm.CoverageAmbito = svc.Coverage == "ambito"
	vm.HowTo = catalog.Markdown(svc.HowTo)
	vm.NeededIntro = catalog.Markdown(svc.NeededIntro)
	vm.NeededItems = svc.NeededItems
	vm.Obtained = catalog.Markdown(svc.Obtained)
	vm.Timing = catalog.Markdown(svc.Timing)
	for _, d := range svc.Deadlines {
		dv := deadlineView{Label: d.Label, Description: d.Description}
		if t, err := time.ParseInLocation(dateLayout, d.DueOn, rome); err == nil && d.DueOn != "" {
			dv.Date, dv.ISO = web.DateIT(t), d.DueOn
			dv.Day, dv.Month, dv.Year = t.Format("02"), mesiBrevi[t.Month()-1], t.Format("2006")
			vm.Deadlines = append(vm.Deadlines, dv)
		} else {
			vm.Phases = append(vm.Phases, dv)
		}
	}
	vm.CostLabel, vm.Cost = costLabel(svc.CostKind), catalog.Markdown(svc.CostText)
	vm.DigitalURL, vm.DigitalLabel = svc.DigitalURL, svc.DigitalLabel
	if vm.DigitalURL != "" && vm.DigitalLabel == "" {
		vm.DigitalLabel = "Accedi al servizio online"
	}
	vm.BookingURL, vm.BookingText = svc.BookingURL, svc.BookingText
	vm.Constraints = catalog.Markdown(svc.Constraints)
	vm.SpecialCases = catalog.Markdown(svc.SpecialCases)
	vm.MoreInfo = catalog.Markdown(svc.MoreInfo)
	vm.Providers = catalog.Markdown(svc.Providers)
	vm.HasMoreInfo = vm.Constraints != "" || vm.SpecialCases != "" || vm.MoreInfo != "" || vm.Providers != ""
	vm.Conditions = catalog.Markdown(svc.Conditions)
	vm.Documents = h.documentViews(r.t.Slug, svc.Owner, svc.Documents)
	for _, st := range svc.Standards {
		vm.Standards = append(vm.Standards, standardView{Dimension: catalog.DimensionLabel(st.Dimension),
			Description: st.Description, Indicator: st.Indicator, Target: formatTarget(st.Target, st.Unit), Last: "n.d."})
	}
	office := s.OfficeFor(svc)
	if office != nil {
		ov := h.officeView(r, s, office, false)
		vm.Office = &ov
	}
	vm.Contacts = catalog.Markdown(svc.Contacts)
	if p := s.Responsible(svc); p != nil {
		vm.Person = &personView{Name: p.Name, Role: p.RoleTitle, Area: p.Area, Email: p.Email, Phone: p.Phone}
	}
	vm.ResponsibleUnit = svc.ResponsibleUnit
	if !svc.LastChangedAt.IsZero() {
		vm.Updated, vm.UpdatedISO = web.DateIT(svc.LastChangedAt), svc.LastChangedAt.In(rome).Format(dateLayout)
	}
	vm.Index = serviceIndex(vm)
	vm.JSONLD = h.serviceJSONLD(r.t, s, svc, office)
	return vm, office
}

// serviceIndex is the page index: the municipal site model's eight entries always, in its
// order ("A chi è rivolto" … "Contatti"), with the optional ones where they do not break it.
func serviceIndex(vm *servicePage) []indexItem {
	var idx []indexItem
	if vm.Description != "" {
		idx = append(idx, indexItem{"cos-e", "Cos'è"})
	}
	idx = append(idx,
		indexItem{"a-chi-e-rivolto", "A chi è rivolto"},
		indexItem{"come-fare", "Come fare"},
		indexItem{"cosa-serve", "Cosa serve"},
		indexItem{"cosa-si-ottiene", "Cosa si ottiene"},
		indexItem{"tempi-e-scadenze", "Tempi e scadenze"},
		indexItem{"quanto-costa", "Quanto costa"},
		indexItem{"accedi-al-servizio", "Accedi al servizio"})
	if vm.HasMoreInfo {
		idx = append(idx, indexItem{"ulteriori-informazioni", "Ulteriori informazioni"})
	}
	idx = append(idx, indexItem{"condizioni-di-servizio", "Condizioni di servizio"})
	if len(vm.Standards) > 0 {
		idx = append(idx, indexItem{"standard-di-qualita", "Standard di qualità"})
	}
	return append(idx, indexItem{"contatti", "Contatti"})
}

// lastMeasures fills the standards of the current page of svc with their last measured
// values, from the tenant that publishes the service (its ambito for an ambito service).
func (h *handlers) lastMeasures(ctx context.Context, r *request, svc *Service, vm *servicePage) error {
	if h.Measures == nil || len(svc.Standards) == 0 {
		return nil
	}
	owner := r.t.ID
	if svc.FromAmbito && svc.Owner != nil {
		owner = svc.Owner.Tenant.ID
	}
	ids := make([]uuid.UUID, 0, len(svc.Standards))
	for _, st := range svc.Standards {
		ids = append(ids, st.ID)
	}
	last, err := h.Measures(ctx, r.t, owner, ids)
	if err != nil {
		return err
	}
	for i, st := range svc.Standards {
		if m, ok := last[st.ID]; ok && i < len(vm.Standards) {
			vm.Standards[i].Last, vm.Standards[i].Met, vm.Standards[i].Period = m.Text, m.Met, m.Period
		}
	}
	return nil
}
