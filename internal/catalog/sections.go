package catalog

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// storedSection is a section with its row id, for the staff pages.
type storedSection struct {
	ID uuid.UUID
	Section
	Default     bool // one of DefaultSections: it cannot be deleted (EnsureDefaults would add it back)
	First, Last bool
}

func isDefaultSection(key string) bool {
	return slices.ContainsFunc(DefaultSections, func(d DefaultSection) bool { return d.Key == key })
}

func loadStoredSections(ctx context.Context, tx *tenant.Tx) ([]storedSection, error) {
	rows, err := tx.CatalogSectionList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]storedSection, 0, len(rows))
	for i, r := range rows {
		out = append(out, storedSection{ID: r.ID, Section: Section{Key: r.Key, Title: r.Title, Body: r.Body, Position: int(r.Position)},
			Default: isDefaultSection(r.Key), First: i == 0, Last: i == len(rows)-1})
	}
	return out, nil
}

type sectionsPage struct {
	web.Page
	Sections []storedSection
	CanWrite bool
}

func (h *ui) sectionList(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vm := &sectionsPage{Page: h.page(c, "Parte generale", web.Crumb{Label: "Parte generale"}), CanWrite: h.canWrite(c)}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := EnsureDefaults(ctx, tx); err != nil {
			return err
		}
		vm.Sections, err = loadStoredSections(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	return h.Render.Render(c, fiber.StatusOK, "catalog/sections", vm)
}

type sectionPage struct {
	web.Page
	IsNew    bool
	Section  storedSection
	Action   string
	CanWrite bool
}

func (h *ui) renderSection(c *fiber.Ctx, status int, s *storedSection, form, errs map[string]string) error {
	title, action := "Nuova sezione", base+"/parte-generale/nuova"
	vm := &sectionPage{IsNew: s == nil, CanWrite: h.canWrite(c)}
	if s != nil {
		title, action, vm.Section = s.Title, base+"/parte-generale/"+s.ID.String(), *s
	}
	vm.Page = h.page(c, title, web.Crumb{Label: "Parte generale", URL: base + "/parte-generale"}, web.Crumb{Label: title})
	vm.Action = action
	vm.Form, vm.Errors = form, errs
	return h.Render.Render(c, status, "catalog/section", vm)
}

func sectionInput(form map[string]string) map[string]string {
	errs := map[string]string{}
	checkText(errs, "title", form["title"], 2, 200, "Scrivi il titolo della sezione.")
	checkText(errs, "body", form["body"], 0, 50000, "")
	return errs
}

func (h *ui) sectionNewForm(c *fiber.Ctx) error {
	if _, err := requestTenant(c); err != nil {
		return err
	}
	return h.renderSection(c, fiber.StatusOK, nil, map[string]string{}, nil)
}

func (h *ui) sectionCreate(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	if errs := sectionInput(form); len(errs) > 0 {
		return h.renderSection(c, fiber.StatusUnprocessableEntity, nil, form, errs)
	}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		key := ""
		if _, err := uniqueSlug(ctx, &key, form["title"], 60, "sezione", func(ctx context.Context, s string) (bool, error) {
			return tx.CatalogSectionKeyTaken(ctx, s)
		}); err != nil {
			return err
		}
		id, err := tx.CatalogSectionInsert(ctx, db.CatalogSectionInsertParams{Key: key, Title: form["title"], Body: form["body"]})
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.section.create", ObjectType: "section",
			ObjectID: id.String(), ObjectName: form["title"], Changes: audit.Created("section", form),
			Details: map[string]any{"key": key, "title": form["title"]}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Sezione «"+form["title"]+"» aggiunta alla parte generale.")
	return c.Redirect(base+"/parte-generale", fiber.StatusSeeOther)
}

func (h *ui) loadSection(c *fiber.Ctx) (*tenant.Tenant, storedSection, error) {
	t, err := requestTenant(c)
	if err != nil {
		return nil, storedSection{}, err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return nil, storedSection{}, err
	}
	ctx := c.UserContext()
	var s storedSection
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		all, err := loadStoredSections(ctx, tx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(s storedSection) bool { return s.ID == id })
		if i < 0 {
			return apperr.ErrNotFound
		}
		s = all[i]
		return nil
	})
	return t, s, err
}

func (h *ui) sectionEdit(c *fiber.Ctx) error {
	_, s, err := h.loadSection(c)
	if err != nil {
		return err
	}
	return h.renderSection(c, fiber.StatusOK, &s, map[string]string{"title": s.Title, "body": s.Body}, nil)
}

func (h *ui) sectionSave(c *fiber.Ctx) error {
	t, s, err := h.loadSection(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	if errs := sectionInput(form); len(errs) > 0 {
		return h.renderSection(c, fiber.StatusUnprocessableEntity, &s, form, errs)
	}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if _, err := tx.CatalogSectionUpdate(ctx, db.CatalogSectionUpdateParams{ID: s.ID, Title: form["title"], Body: form["body"]}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.section.update", ObjectType: "section",
			ObjectID: s.ID.String(), ObjectName: form["title"], Changes: audit.Updated("section", s, form),
			Details: map[string]any{"key": s.Key, "title": form["title"]}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Sezione «"+form["title"]+"» salvata.")
	return c.Redirect(base+"/parte-generale", fiber.StatusSeeOther)
}

func (h *ui) sectionMove(c *fiber.Ctx) error {
	t, s, err := h.loadSection(c)
	if err != nil {
		return err
	}
	delta, err := moveDelta(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		all, err := loadStoredSections(ctx, tx)
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, 0, len(all))
		for _, x := range all {
			ids = append(ids, x.ID)
		}
		order := reorder(ids, s.ID, delta)
		if order == nil {
			return nil
		}
		for i, id := range order {
			if err := tx.CatalogSectionSetPosition(ctx, db.CatalogSectionSetPositionParams{ID: id, Position: int32(i + 1)}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.section.move", ObjectType: "section",
			ObjectID: s.ID.String(), ObjectName: s.Title, Details: map[string]any{"key": s.Key, "position": slices.Index(order, s.ID) + 1}})
	})
	if err != nil {
		return err
	}
	return c.Redirect(base+"/parte-generale#sez-"+s.ID.String(), fiber.StatusSeeOther)
}

func (h *ui) sectionDelete(c *fiber.Ctx) error {
	t, s, err := h.loadSection(c)
	if err != nil {
		return err
	}
	if s.Default {
		return apperr.New(apperr.Conflict, "Le sezioni predefinite della parte generale non si possono eliminare: puoi modificarne il testo.")
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if _, err := tx.CatalogSectionDelete(ctx, s.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.section.delete", ObjectType: "section",
			ObjectID: s.ID.String(), ObjectName: s.Title, Changes: audit.Deleted("section", s),
			Details: map[string]any{"key": s.Key, "title": s.Title}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Sezione «"+s.Title+"» eliminata.")
	return c.Redirect(base+"/parte-generale", fiber.StatusSeeOther)
}
