package quality

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Paths of the improvement plan.
const (
	PathPlan     = "/qualita/piano" // under /admin
	PathSitePlan = "/piano-di-miglioramento"
)

// Who writes the plan: the responsabile, who also publishes the Carta it belongs to.
var planWrite = access.CatalogPublish

func registerPlan(r *access.Router, h *handlers) {
	r.Get(PathPlan, access.ReportsRead, h.planPage)
	r.Post(PathPlan, planWrite, h.planAdd)
	r.Get(PathPlan+"/:id", planWrite, h.planEdit)
	r.Post(PathPlan+"/:id", planWrite, h.planUpdate)
	r.Post(PathPlan+"/:id/stato", planWrite, h.planStatus)
	r.Post(PathPlan+"/:id/effetto", planWrite, h.planMeasure)
}

// planYear reads ?anno= (or the form's year): from 2000 to next year, the current one by
// default.
func (h *handlers) planYear(c *fiber.Ctx, v string) (int, error) {
	now := h.svc.d.Now().Year()
	if v == "" {
		return now, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > now+1 {
		return 0, apperr.New(apperr.NotFound, "Anno non disponibile.")
	}
	return y, nil
}

func (h *handlers) planYears() []int {
	now := h.svc.d.Now().Year()
	var out []int
	for y := now + 1; y >= now-5; y-- {
		out = append(out, y)
	}
	return out
}

// planPage is the staff's plan of a year, with the form to add an action (or to edit one).
type planPage struct {
	web.Page
	Year       int
	Years      []int
	Actions    []Action
	Indicators []Option
	Statuses   []ActionStatus
	CanWrite   bool
	Edit       *Action // the action being edited, nil on the list
}

// FormAction is where the form posts.
func (p planPage) FormAction() string {
	if p.Edit != nil {
		return "/admin" + PathPlan + "/" + p.Edit.ID.String()
	}
	return "/admin" + PathPlan + "?anno=" + strconv.Itoa(p.Year)
}

var planFields = []string{"title", "description", "indicator", "owner", "due"}

func planForm(c *fiber.Ctx) (map[string]string, ActionInput) {
	form := map[string]string{}
	for _, k := range planFields {
		form[k] = strings.Clone(c.FormValue(k))
	}
	return form, ActionInput{Title: form["title"], Description: form["description"], Indicator: form["indicator"],
		Owner: form["owner"], Due: form["due"]}
}

func (h *handlers) showPlan(c *fiber.Ctx, t *tenant.Tenant, status, year int, edit *Action, errs, form map[string]string) error {
	ctx := c.UserContext()
	title := "Piano di miglioramento"
	crumbs := []web.Crumb{{Label: "Indicatori", URL: "/admin" + PathDashboard}, {Label: "Piano di miglioramento"}}
	if edit != nil {
		title = "Modifica l'azione del piano"
		crumbs = []web.Crumb{{Label: "Indicatori", URL: "/admin" + PathDashboard},
			{Label: "Piano di miglioramento", URL: "/admin" + PathPlan + "?anno=" + strconv.Itoa(edit.Year)}, {Label: "Modifica"}}
	}
	p := planPage{Page: h.staffPage(c, title, crumbs...), Year: year, Years: h.planYears(), Indicators: IndicatorOptions(),
		Statuses: ActionStatuses, CanWrite: h.d.Can == nil || h.d.Can(ctx, planWrite), Edit: edit}
	if edit == nil {
		var err error
		if p.Actions, err = h.svc.Plan(ctx, t, year); err != nil {
			return err
		}
	}
	p.Errors, p.Form = errs, form
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return h.d.Render.Render(c, status, "quality/plan", p)
}

func (h *handlers) planPage(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	year, err := h.planYear(c, c.Query("anno"))
	if err != nil {
		return err
	}
	return h.showPlan(c, t, fiber.StatusOK, year, nil, map[string]string{}, map[string]string{})
}

func (h *handlers) planAdd(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	year, err := h.planYear(c, c.Query("anno"))
	if err != nil {
		return err
	}
	form, in := planForm(c)
	in.Year = year
	_, err = h.svc.AddAction(c.UserContext(), t, in)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showPlan(c, t, fiber.StatusUnprocessableEntity, year, nil, ae.Fields, form)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Azione aggiunta al piano di miglioramento.")
	return c.Redirect("/admin"+PathPlan+"?anno="+strconv.Itoa(year), fiber.StatusSeeOther)
}

func (h *handlers) planAction(c *fiber.Ctx) (*tenant.Tenant, Action, error) {
	t, err := staffTenant(c)
	if err != nil {
		return nil, Action{}, err
	}
	id, err := uuid.Parse(strings.Clone(c.Params("id")))
	if err != nil {
		return nil, Action{}, apperr.ErrNotFound
	}
	a, err := h.svc.Action(c.UserContext(), t, id)
	return t, a, err
}

func (h *handlers) planEdit(c *fiber.Ctx) error {
	t, a, err := h.planAction(c)
	if err != nil {
		return err
	}
	form := map[string]string{"title": a.Title, "description": a.Description, "indicator": a.Indicator,
		"owner": a.Owner, "due": a.Due.Format("2006-01-02")}
	return h.showPlan(c, t, fiber.StatusOK, a.Year, &a, map[string]string{}, form)
}

func (h *handlers) planUpdate(c *fiber.Ctx) error {
	t, a, err := h.planAction(c)
	if err != nil {
		return err
	}
	form, in := planForm(c)
	_, err = h.svc.UpdateAction(c.UserContext(), t, a.ID, in)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showPlan(c, t, fiber.StatusUnprocessableEntity, a.Year, &a, ae.Fields, form)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Azione modificata.")
	return c.Redirect("/admin"+PathPlan+"?anno="+strconv.Itoa(a.Year), fiber.StatusSeeOther)
}

func (h *handlers) planStatus(c *fiber.Ctx) error {
	t, a, err := h.planAction(c)
	if err != nil {
		return err
	}
	_, err = h.svc.SetStatus(c.UserContext(), t, a.ID, ActionStatus(strings.Clone(c.FormValue("status"))))
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showPlan(c, t, fiber.StatusUnprocessableEntity, a.Year, nil,
			map[string]string{"status-" + a.ID.String(): ae.Fields["status"]}, map[string]string{})
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Stato dell'azione aggiornato.")
	return c.Redirect("/admin"+PathPlan+"?anno="+strconv.Itoa(a.Year), fiber.StatusSeeOther)
}

func (h *handlers) planMeasure(c *fiber.Ctx) error {
	t, a, err := h.planAction(c)
	if err != nil {
		return err
	}
	if _, err := h.svc.MeasureEffect(c.UserContext(), t, a.ID); err != nil {
		return err
	}
	web.SetFlash(c, "success", "Effetto misurato sugli indicatori del "+strconv.Itoa(a.Year)+".")
	return c.Redirect("/admin"+PathPlan+"?anno="+strconv.Itoa(a.Year), fiber.StatusSeeOther)
}

// sitePlanPage is the plan of a year on the citizen site.
type sitePlanPage struct {
	web.Page
	Year    int
	Years   []int
	Actions []Action
}

func (h *handlers) sitePlan(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	year, err := h.planYear(c, c.Query("anno"))
	if err != nil {
		return err
	}
	as, err := h.svc.PublishedPlan(c.UserContext(), t, year)
	if err != nil {
		return err
	}
	p := web.NewPage(c, "Piano di miglioramento "+strconv.Itoa(year)).Citizen(PathSitePlan)
	p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Piano di miglioramento"}}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return h.d.Render.Render(c, fiber.StatusOK, "quality/site_plan", sitePlanPage{Page: p, Year: year, Years: h.planYears(), Actions: as})
}
