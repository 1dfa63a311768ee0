package site

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
)

// Preview returns the staff's preview of a service: svc (possibly unsaved) rendered inside the
// draft Carta exactly as the citizen page would show it, under the banner "Anteprima — non
// pubblicata". It is never cached (no-store) and links only what the draft holds.
func Preview(d Deps) func(c *fiber.Ctx, svc catalog.Service, draft *catalog.Carta) error {
	h := newHandlers(d)
	return func(c *fiber.Ctx, svc catalog.Service, draft *catalog.Carta) error {
		t := activeTenant(c)
		if t == nil || draft == nil {
			return apperr.ErrNotFound
		}
		// The service joins a copy of the draft (replacing its saved self), so neither the
		// caller's Carta nor any other request sees the change.
		cp := *draft
		cp.Services = make([]catalog.Service, 0, len(draft.Services)+1)
		for _, s := range draft.Services {
			if s.ID != svc.ID && s.Slug != svc.Slug {
				cp.Services = append(cp.Services, s)
			}
		}
		if svc.Status == "" || svc.Status == catalog.StatusArchived {
			svc.Status = catalog.StatusActive
		}
		if svc.Slug == "" {
			svc.Slug = "anteprima"
		}
		cp.Services = append(cp.Services, svc)
		s := NewSite(&catalog.View{Own: &cp})
		r := &request{c: c, t: t, path: c.Path(), now: h.now()}
		vm, _ := h.servicePage(r, s, s.Service(svc.Slug), "")
		vm.Preview = true
		vm.Title = "Anteprima: " + svc.Title
		// Draft documents are not downloadable yet: their links would answer 404.
		vm.Documents = nil
		for _, d := range svc.Documents {
			vm.Documents = append(vm.Documents, documentView{Title: d.Title, Type: typeLabel(d.ContentType),
				Size: sizeLabel(d.Size), Kind: catalog.DocumentKindLabel(d.Kind)})
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set("X-Robots-Tag", "noindex")
		return h.Render.Render(c, fiber.StatusOK, "site/service", vm)
	}
}
