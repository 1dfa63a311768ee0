package quality

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/web"
)

// The staff's pages of the standards' measured values (measures.go).

// PathMeasures is the section's root under /admin.
const PathMeasures = "/qualita/standard"

type measuresPage struct {
	web.Page
	Services []MeasuredService
	Service  *MeasuredService
}

func (h *handlers) measuresList(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	ss, err := h.svc.MeasurableServices(c.UserContext(), t)
	if err != nil {
		return err
	}
	p := h.staffPage(c, "Standard di qualità: valori misurati", web.Crumb{Label: "Qualità", URL: "/admin/qualita"}, web.Crumb{Label: "Standard"})
	return h.d.Render.Render(c, fiber.StatusOK, "quality/measures", measuresPage{Page: p, Services: ss})
}

func (h *handlers) measuresOf(c *fiber.Ctx) error {
	return h.showMeasures(c, fiber.StatusOK, nil, nil)
}

func (h *handlers) showMeasures(c *fiber.Ctx, status int, errs, form map[string]string) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	slug := strings.Clone(c.Params("slug"))
	svc, err := h.svc.Measured(c.UserContext(), t, slug)
	if err != nil {
		return err
	}
	p := h.staffPage(c, svc.Title+": valori misurati", web.Crumb{Label: "Qualità", URL: "/admin/qualita"},
		web.Crumb{Label: "Standard", URL: "/admin" + PathMeasures}, web.Crumb{Label: svc.Title})
	p.Errors, p.Form = errs, form
	return h.d.Render.Render(c, status, "quality/measures_service", measuresPage{Page: p, Service: svc})
}

func (h *handlers) measureAdd(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"standard", "from", "to", "value", "met", "note"} {
		form[k] = strings.Clone(c.FormValue(k))
	}
	slug := strings.Clone(c.Params("slug"))
	_, err = h.svc.AddMeasure(c.UserContext(), t, slug, MeasureInput{StandardID: form["standard"], From: form["from"], To: form["to"],
		Value: form["value"], Met: form["met"], Note: form["note"]})
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showMeasures(c, fiber.StatusUnprocessableEntity, ae.Fields, form)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Valore misurato registrato: la pagina del servizio lo mostra.")
	return c.Redirect("/admin"+PathMeasures+"/"+slug, fiber.StatusSeeOther)
}
