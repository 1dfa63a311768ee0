package quality

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Citizen paths of the questionnaire: the general one, and each shown service's under its page.
const (
	PathSurvey    = "/questionario"
	surveySuffix  = "/questionario"
	qrSuffix      = "/qr.svg"
	servicePrefix = "/servizi/"
)

// SurveyPath is the address of the questionnaire about the service at slug ("" for the
// general one), on the tenant's site.
func SurveyPath(slug string) string {
	if slug == "" {
		return PathSurvey
	}
	return servicePrefix + slug + surveySuffix
}

// RegisterSite adds the questionnaire's citizen pages (after the CSRF middleware: they are
// per-request forms with a token, never cached).
func RegisterSite(app fiber.Router, svc *Service, d HandlerDeps) {
	h := &handlers{svc: svc, d: d}
	post := []fiber.Handler{}
	if d.Redis != nil {
		post = append(post, web.RateLimit(d.Redis, "surveys", SurveyLimit, time.Hour))
	}
	app.Get(PathSurvey, h.surveyForm)
	app.Post(PathSurvey, append(post, h.surveySubmit)...)
	app.Get(PathSurvey+qrSuffix, h.surveyQR)
	app.Get("/servizi/:slug"+surveySuffix, h.surveyForm)
	app.Post("/servizi/:slug"+surveySuffix, append(post, h.surveySubmit)...)
	app.Get("/servizi/:slug"+surveySuffix+qrSuffix, h.surveyQR)
	registerKiosk(app, h)
	// The indicators as open data: aggregates of the year (?anno=), never personal data.
	app.Get(PathOpenDataCSV, func(c *fiber.Ctx) error { return h.openData(c, false) })
	app.Get(PathOpenDataJSON, func(c *fiber.Ctx) error { return h.openData(c, true) })
	// The improvement plan of a year (?anno=), public: no personal data in it.
	app.Get(PathSitePlan, h.sitePlan)
}

// RegisterStaff adds the staff pages: the questionnaire's questions and the paper entries.
func RegisterStaff(r *access.Router, svc *Service, d HandlerDeps) {
	h := &handlers{svc: svc, d: d}
	r.Get("/qualita", access.QualityWrite, h.staffHome)
	r.Get("/qualita/questionario", access.QualityWrite, h.questionsPage)
	r.Post("/qualita/questionario", access.QualityWrite, h.questionAdd)
	r.Post("/qualita/questionario/:key/nascondi", access.QualityWrite, h.questionHide)
	r.Post("/qualita/questionario/:key/mostra", access.QualityWrite, h.questionShow)
	r.Get("/qualita/cartacei", access.QualityWrite, h.paperForm)
	r.Post("/qualita/cartacei", access.QualityWrite, h.paperSubmit)
	r.Get("/qualita/sportelli", access.QualityWrite, h.kiosksList)
	r.Post("/qualita/sportelli", access.QualityWrite, h.kioskIssue)
	r.Post("/qualita/sportelli/:id/revoca", access.QualityWrite, h.kioskRevoke)
	r.Get(PathDashboard, access.ReportsRead, h.dashboard)
	r.Get(PathMeasures, access.QualityWrite, h.measuresList)
	r.Get(PathMeasures+"/:slug", access.QualityWrite, h.measuresOf)
	r.Post(PathMeasures+"/:slug", access.QualityWrite, h.measureAdd)
	registerPlan(r, h)
}

func (h *handlers) target(c *fiber.Ctx, t *tenant.Tenant) (SurveyTarget, error) {
	slug := strings.Clone(c.Params("slug"))
	if slug != "" && (len(slug) > 120 || strings.ContainsAny(slug, "/. ")) {
		return SurveyTarget{}, apperr.ErrNotFound
	}
	return h.svc.Target(c.UserContext(), t, slug)
}

// surveyPage is the questionnaire, online or typed in from paper.
type surveyPage struct {
	web.Page
	Target    SurveyTarget
	Action    string
	Questions []Question
	Areas     []Option
	AgeBands  []Option
	Channels  []Option
	Services  []SurveyTarget // paper entry: the services to choose from
	Sent      bool
	URL       string // the page's absolute address, which the QR code carries
	QR        string
	Paper     bool
	Responses []Response
}

// Scale is the 1–5 scale with its words.
func (surveyPage) Scale() []Option {
	return []Option{{"1", "1 – Per niente soddisfatto"}, {"2", "2"}, {"3", "3"}, {"4", "4"}, {"5", "5 – Del tutto soddisfatto"}}
}

// SelectField is one of the profile's choices, with the input and its error.
type SelectField struct {
	Name, ID, Label, Value, Error string
	Options                       []Option
}

// Select builds the profile's choice name.
func (p surveyPage) Select(name, label string, opts []Option) SelectField {
	return SelectField{Name: name, ID: "f-" + strings.ReplaceAll(name, "_", "-"), Label: label, Value: p.Form[name],
		Error: p.Errors[name], Options: opts}
}

// Field is the form name of question q's score.
func (surveyPage) Field(q Question) string { return "q_" + q.Key }

func (h *handlers) surveyForm(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	tg, err := h.target(c, t)
	if err != nil {
		return err
	}
	return h.showSurvey(c, t, tg, fiber.StatusOK, map[string]string{}, map[string]string{}, c.Query("inviato") == "1")
}

func (h *handlers) showSurvey(c *fiber.Ctx, t *tenant.Tenant, tg SurveyTarget, status int, errs, form map[string]string, sent bool) error {
	qs, err := h.svc.Questions(c.UserContext(), t)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	path := SurveyPath(tg.Slug)
	title := "Questionario di soddisfazione"
	p := web.NewPage(c, title).Citizen(path)
	p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}}
	if tg.ServiceID != nil {
		p.Title = title + " – " + tg.Title
		p.Breadcrumbs = append(p.Breadcrumbs, web.Crumb{Label: "Servizi", URL: "/servizi"},
			web.Crumb{Label: tg.Title, URL: servicePrefix + tg.Slug})
	}
	p.Breadcrumbs = append(p.Breadcrumbs, web.Crumb{Label: "Questionario"})
	p.Errors, p.Form = errs, form
	vm := surveyPage{Page: p, Target: tg, Action: path, Questions: Visible(qs), Areas: Areas, AgeBands: AgeBands,
		Channels: UsedChannels, Sent: sent, QR: path + qrSuffix}
	if h.d.SiteURL != nil {
		vm.URL = strings.TrimSuffix(h.d.SiteURL(t.Slug), "/") + path
	}
	return h.d.Render.Render(c, status, "quality/survey", vm)
}

// readResponse reads the questionnaire's fields (copies: they outlive the handler).
func readResponse(c *fiber.Ctx, qs []Question) (Response, map[string]string) {
	form := map[string]string{}
	r := Response{Scores: map[string]int{}}
	for _, q := range Visible(qs) {
		v := strings.Clone(c.FormValue("q_" + q.Key))
		form["q_"+q.Key] = v
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		r.Scores[q.Key] = n
	}
	for _, k := range []string{"suggestions", "area", "age_band", "used_channel", "service", "received_on"} {
		form[k] = strings.Clone(c.FormValue(k))
	}
	r.Suggestions, r.Area, r.AgeBand, r.UsedChannel = form["suggestions"], form["area"], form["age_band"], form["used_channel"]
	return r, form
}

// formErrors names the Service's errors by the form's fields.
func formErrors(errs map[string]string, qs []Question) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		out[k] = v
		for _, q := range qs {
			if q.Key == k {
				delete(out, k)
				out["q_"+k] = v
			}
		}
	}
	return out
}

func (h *handlers) surveySubmit(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	tg, err := h.target(c, t)
	if err != nil {
		return err
	}
	path := SurveyPath(tg.Slug)
	if web.Honeypot(c) {
		return c.Redirect(path+"?inviato=1", fiber.StatusSeeOther)
	}
	qs, err := h.svc.Questions(c.UserContext(), t)
	if err != nil {
		return err
	}
	r, form := readResponse(c, qs)
	err = h.svc.Answer(c.UserContext(), t, tg, r, visitor(c))
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showSurvey(c, t, tg, fiber.StatusUnprocessableEntity, formErrors(ae.Fields, qs), form, false)
	}
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Conflict {
		return h.showSurvey(c, t, tg, fiber.StatusConflict, map[string]string{"scores": ae.Message}, form, false)
	}
	if err != nil {
		return err
	}
	return c.Redirect(path+"?inviato=1", fiber.StatusSeeOther)
}

// surveyQR is the QR code of the questionnaire's page as SVG, drawn from the code's modules.
func (h *handlers) surveyQR(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	tg, err := h.target(c, t)
	if err != nil {
		return err
	}
	if h.d.SiteURL == nil {
		return apperr.ErrNotFound
	}
	svg, err := QRSVG(strings.TrimSuffix(h.d.SiteURL(t.Slug), "/") + SurveyPath(tg.Slug))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(svg)
}

// QRSVG draws the QR code of text as an SVG image: one path of unit squares, with the quiet
// zone the library's bitmap already carries.
func QRSVG(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	bm := q.Bitmap()
	n := len(bm)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes(), nil
}

// ---- staff ----

func staffTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

func (h *handlers) staffPage(c *fiber.Ctx, title string, crumbs ...web.Crumb) web.Page {
	p := web.NewPage(c, title)
	if h.d.Nav != nil {
		p.Nav = h.d.Nav(c)
	}
	p.Breadcrumbs = append([]web.Crumb{{Label: "Area riservata", URL: "/admin"}}, crumbs...)
	return p
}

// ResponsesShown is how many questionnaires the staff page lists.
const ResponsesShown = 50

func (h *handlers) staffHome(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	rs, err := h.svc.Responses(c.UserContext(), t, ResponsesShown)
	if err != nil {
		return err
	}
	qs, err := h.svc.Questions(c.UserContext(), t)
	if err != nil {
		return err
	}
	p := h.staffPage(c, "Qualità", web.Crumb{Label: "Qualità"})
	return h.d.Render.Render(c, fiber.StatusOK, "quality/staff", surveyPage{Page: p, Responses: rs, Questions: qs})
}

type questionsPage struct {
	web.Page
	Questions []Question
}

func (h *handlers) questionsPage(c *fiber.Ctx) error {
	return h.showQuestions(c, fiber.StatusOK, map[string]string{}, map[string]string{})
}

func (h *handlers) showQuestions(c *fiber.Ctx, status int, errs, form map[string]string) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	qs, err := h.svc.Questions(c.UserContext(), t)
	if err != nil {
		return err
	}
	p := h.staffPage(c, "Il questionario di soddisfazione", web.Crumb{Label: "Qualità", URL: "/admin/qualita"},
		web.Crumb{Label: "Questionario"})
	p.Errors, p.Form = errs, form
	return h.d.Render.Render(c, status, "quality/questions", questionsPage{Page: p, Questions: qs})
}

func (h *handlers) questionAdd(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	form := map[string]string{"label": strings.Clone(c.FormValue("label"))}
	err = h.svc.AddQuestion(c.UserContext(), t, form["label"])
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showQuestions(c, fiber.StatusUnprocessableEntity, ae.Fields, form)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Domanda aggiunta al questionario.")
	return c.Redirect("/admin/qualita/questionario", fiber.StatusSeeOther)
}

func (h *handlers) questionHide(c *fiber.Ctx) error { return h.setHidden(c, true) }
func (h *handlers) questionShow(c *fiber.Ctx) error { return h.setHidden(c, false) }

func (h *handlers) setHidden(c *fiber.Ctx, hidden bool) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	if err := h.svc.SetHidden(c.UserContext(), t, strings.Clone(c.Params("key")), hidden); err != nil {
		return err
	}
	msg := "La domanda è di nuovo nel questionario."
	if hidden {
		msg = "La domanda non compare più nel questionario."
	}
	web.SetFlash(c, "success", msg)
	return c.Redirect("/admin/qualita/questionario", fiber.StatusSeeOther)
}

func (h *handlers) paperForm(c *fiber.Ctx) error {
	return h.showPaper(c, fiber.StatusOK, map[string]string{}, map[string]string{})
}

func (h *handlers) showPaper(c *fiber.Ctx, status int, errs, form map[string]string) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	qs, err := h.svc.Questions(c.UserContext(), t)
	if err != nil {
		return err
	}
	services, err := h.svc.Services(c.UserContext(), t)
	if err != nil {
		return err
	}
	p := h.staffPage(c, "Registra un questionario cartaceo", web.Crumb{Label: "Qualità", URL: "/admin/qualita"},
		web.Crumb{Label: "Questionario cartaceo"})
	p.Errors, p.Form = errs, form
	return h.d.Render.Render(c, status, "quality/survey", surveyPage{Page: p, Action: "/admin/qualita/cartacei",
		Questions: Visible(qs), Areas: Areas, AgeBands: AgeBands, Channels: UsedChannels, Services: services, Paper: true})
}

func (h *handlers) paperSubmit(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	qs, err := h.svc.Questions(c.UserContext(), t)
	if err != nil {
		return err
	}
	r, form := readResponse(c, qs)
	if id, err := uuid.Parse(form["service"]); err == nil {
		r.ServiceID = &id
	} else if form["service"] != "" {
		return h.showPaper(c, fiber.StatusUnprocessableEntity, map[string]string{"service": MsgOption}, form)
	}
	if d, err := time.ParseInLocation(time.DateOnly, form["received_on"], itlang.Rome); err == nil {
		r.SubmittedOn = d
	}
	_, err = h.svc.EnterPaper(c.UserContext(), t, r)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showPaper(c, fiber.StatusUnprocessableEntity, formErrors(ae.Fields, qs), form)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Questionario cartaceo registrato.")
	return c.Redirect("/admin/qualita/cartacei", fiber.StatusSeeOther)
}
