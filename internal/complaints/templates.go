package complaints

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// ReplyTemplate is a reply the URP starts from and adapts.
type ReplyTemplate struct {
	ID    uuid.UUID
	Title string
	Body  string
}

const (
	msgTemplateTitle = "Dai un titolo al modello (al massimo 200 caratteri)."
	msgTemplateBody  = "Scrivi il testo del modello (al massimo 8000 caratteri)."
)

// Templates lists t's reply templates by title.
func (s *Service) Templates(ctx context.Context, t *tenant.Tenant) ([]ReplyTemplate, error) {
	var out []ReplyTemplate
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.templates(ctx)
		return err
	})
	return out, err
}

// AddTemplate stores a reply template of t.
func (s *Service) AddTemplate(ctx context.Context, t *tenant.Tenant, title, body string) (ReplyTemplate, error) {
	f := map[string]string{}
	title, msg := web.Text(title, 1, 200)
	if msg != "" || title == "" || strings.Contains(title, "\n") {
		f["title"] = msgTemplateTitle
	}
	body, msg = web.Text(body, 1, 8000)
	if msg != "" || body == "" {
		f["body"] = msgTemplateBody
	}
	if len(f) > 0 {
		return ReplyTemplate{}, apperr.InvalidFields(f)
	}
	var out ReplyTemplate
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		if out, err = (store{tx}).addTemplate(ctx, title, body); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.template.create", ObjectType: "complaint_template",
			ObjectID: out.ID.String(), ObjectName: title})
	})
	return out, err
}

// DeleteTemplate removes one of t's templates; apperr.ErrNotFound when it has none with id.
func (s *Service) DeleteTemplate(ctx context.Context, t *tenant.Tenant, id uuid.UUID) error {
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := (store{tx}).deleteTemplate(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.template.delete", ObjectType: "complaint_template", ObjectID: id.String()})
	})
}

// ---- pages ----

type templatesPage struct {
	web.Page
	Templates []ReplyTemplate
}

func (h *handlers) templatesList(c *fiber.Ctx) error {
	return h.showTemplates(c, fiber.StatusOK, nil, nil)
}

func (h *handlers) showTemplates(c *fiber.Ctx, status int, errs, form map[string]string) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	ts, err := h.svc.Templates(c.UserContext(), t)
	if err != nil {
		return err
	}
	p := h.staffPage(c, "Modelli di risposta", web.Crumb{Label: "Reclami", URL: "/admin/reclami"}, web.Crumb{Label: "Modelli di risposta"})
	p.Errors, p.Form = errs, form
	return h.d.Render.Render(c, status, "complaints/templates", templatesPage{Page: p, Templates: ts})
}

func (h *handlers) templateAdd(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	form := map[string]string{"title": strings.Clone(c.FormValue("title")), "body": strings.Clone(c.FormValue("body"))}
	_, err = h.svc.AddTemplate(c.UserContext(), t, form["title"], form["body"])
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showTemplates(c, fiber.StatusUnprocessableEntity, ae.Fields, form)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Modello salvato.")
	return c.Redirect("/admin/reclami/modelli", fiber.StatusSeeOther)
}

func (h *handlers) templateDelete(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTemplate(c.UserContext(), t, id); err != nil {
		return err
	}
	web.SetFlash(c, "success", "Modello eliminato.")
	return c.Redirect("/admin/reclami/modelli", fiber.StatusSeeOther)
}
