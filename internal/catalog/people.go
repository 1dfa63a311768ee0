package catalog

import (
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

type personRow struct {
	Person
	OfficeName string
	Services   int
}

type peoplePage struct {
	web.Page
	People   []personRow
	CanWrite bool
}

func (h *ui) personList(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vm := &peoplePage{Page: h.page(c, "Persone responsabili", web.Crumb{Label: "Persone responsabili"}), CanWrite: h.canWrite(c)}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		people, err := loadPeople(ctx, tx)
		if err != nil {
			return err
		}
		offices, err := loadOffices(ctx, tx)
		if err != nil {
			return err
		}
		services, err := loadServices(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range people {
			r := personRow{Person: p}
			for _, o := range offices {
				if p.OfficeID != nil && o.ID == *p.OfficeID {
					r.OfficeName = o.Name
				}
			}
			for _, s := range services {
				if s.ResponsiblePersonID != nil && *s.ResponsiblePersonID == p.ID {
					r.Services++
				}
			}
			vm.People = append(vm.People, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return h.Render.Render(c, fiber.StatusOK, "catalog/people", vm)
}

type personPage struct {
	web.Page
	IsNew    bool
	Person   Person
	Action   string
	Offices  []Option
	CanWrite bool
}

func personForm(p Person) map[string]string {
	f := map[string]string{"name": p.Name, "role_title": p.RoleTitle, "area": p.Area, "email": p.Email, "phone": p.Phone}
	if p.OfficeID != nil {
		f["office"] = p.OfficeID.String()
	}
	return f
}

func personInput(form map[string]string, offices []Office) (Person, map[string]string) {
	errs := map[string]string{}
	p := Person{Name: form["name"], RoleTitle: form["role_title"], Area: form["area"], Email: form["email"], Phone: form["phone"]}
	checkText(errs, "name", p.Name, 2, 200, "Scrivi nome e cognome.")
	checkText(errs, "role_title", p.RoleTitle, 0, 200, "")
	checkText(errs, "area", p.Area, 0, 200, "")
	checkEmail(errs, "email", p.Email)
	checkPhone(errs, "phone", p.Phone)
	if v := form["office"]; v != "" {
		u, err := uuid.Parse(v)
		if err != nil || !slices.ContainsFunc(offices, func(o Office) bool { return o.ID == u }) {
			errs["office"] = "Scegli un ufficio dall'elenco."
		} else {
			p.OfficeID = &u
		}
	}
	return p, errs
}

func (h *ui) renderPerson(c *fiber.Ctx, status int, t *tenant.Tenant, p *Person, offices []Office, form, errs map[string]string) error {
	title, action := "Nuova persona responsabile", base+"/persone/nuova"
	vm := &personPage{IsNew: p == nil, CanWrite: h.canWrite(c)}
	if p != nil {
		title, action, vm.Person = p.Name, base+"/persone/"+p.ID.String(), *p
	}
	if offices == nil {
		ctx := c.UserContext()
		if err := h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			var err error
			offices, err = loadOffices(ctx, tx)
			return err
		}); err != nil {
			return err
		}
	}
	vm.Page = h.page(c, title, web.Crumb{Label: "Persone responsabili", URL: base + "/persone"}, web.Crumb{Label: title})
	vm.Action = action
	vm.Form, vm.Errors = form, errs
	vm.Offices = options(offices, func(o Office) (string, string) { return o.ID.String(), o.Name }, form["office"])
	return h.Render.Render(c, status, "catalog/person", vm)
}

func (h *ui) personNewForm(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	return h.renderPerson(c, fiber.StatusOK, t, nil, nil, map[string]string{}, nil)
}

func (h *ui) loadPerson(c *fiber.Ctx) (*tenant.Tenant, Person, error) {
	t, err := requestTenant(c)
	if err != nil {
		return nil, Person{}, err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return nil, Person{}, err
	}
	ctx := c.UserContext()
	var p Person
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		r, err := tx.CatalogPersonGet(ctx, id)
		if tenant.IsNoRows(err) {
			return apperr.ErrNotFound
		}
		p = personFromRow(r)
		return err
	})
	return t, p, err
}

func (h *ui) personEdit(c *fiber.Ctx) error {
	t, p, err := h.loadPerson(c)
	if err != nil {
		return err
	}
	return h.renderPerson(c, fiber.StatusOK, t, &p, nil, personForm(p), nil)
}

func (h *ui) personCreate(c *fiber.Ctx) error { return h.personSubmit(c, nil) }

func (h *ui) personSave(c *fiber.Ctx) error {
	_, p, err := h.loadPerson(c)
	if err != nil {
		return err
	}
	return h.personSubmit(c, &p)
}

func (h *ui) personSubmit(c *fiber.Ctx, stored *Person) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	var offices []Office
	var errs map[string]string
	var p Person
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		if offices, err = loadOffices(ctx, tx); err != nil {
			return err
		}
		if p, errs = personInput(form, offices); len(errs) > 0 {
			return nil
		}
		action := "catalog.person.update"
		if stored == nil {
			action = "catalog.person.create"
			p.ID, err = tx.CatalogPersonInsert(ctx, db.CatalogPersonInsertParams{Name: p.Name, RoleTitle: p.RoleTitle,
				Area: p.Area, Email: p.Email, Phone: p.Phone, OfficeID: p.OfficeID})
		} else {
			p.ID = stored.ID
			_, err = tx.CatalogPersonUpdate(ctx, db.CatalogPersonUpdateParams{ID: p.ID, Name: p.Name, RoleTitle: p.RoleTitle,
				Area: p.Area, Email: p.Email, Phone: p.Phone, OfficeID: p.OfficeID})
		}
		if err != nil {
			return err
		}
		changes := audit.Created("person", p, offices)
		if stored != nil {
			changes = audit.Updated("person", *stored, p, offices)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "person", ObjectID: p.ID.String(),
			ObjectName: p.Name, Changes: changes,
			Details: map[string]any{"name": p.Name, "role_title": p.RoleTitle}})
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderPerson(c, fiber.StatusUnprocessableEntity, t, stored, offices, form, errs)
	}
	web.SetFlash(c, "success", "Dati di «"+p.Name+"» salvati.")
	return c.Redirect(base+"/persone", fiber.StatusSeeOther)
}

func (h *ui) personDelete(c *fiber.Ctx) error {
	t, p, err := h.loadPerson(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if _, err := tx.CatalogPersonDelete(ctx, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.person.delete", ObjectType: "person",
			ObjectID: p.ID.String(), ObjectName: p.Name, Changes: audit.Deleted("person", p),
			Details: map[string]any{"name": p.Name}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "«"+p.Name+"» eliminata dalle persone responsabili.")
	return c.Redirect(base+"/persone", fiber.StatusSeeOther)
}
