package catalog

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

type categoryRow struct {
	Category
	Services int
}

type categoriesPage struct {
	web.Page
	National []categoryRow
	Own      []categoryRow
	CanWrite bool
}

type categoryPage struct {
	web.Page
	Category Category
	Services int
	CanWrite bool
}

const msgCodeTaken = "Un'altra area di utenza usa già questo codice: scegline un altro."

func (h *ui) renderCategories(c *fiber.Ctx, status int, t *tenant.Tenant, form, errs map[string]string) error {
	ctx := c.UserContext()
	vm := &categoriesPage{Page: h.page(c, "Aree di utenza", web.Crumb{Label: "Aree di utenza"}), CanWrite: h.canWrite(c)}
	vm.Form, vm.Errors = form, errs
	err := h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := EnsureDefaults(ctx, tx); err != nil {
			return err
		}
		cats, err := loadCategories(ctx, tx)
		if err != nil {
			return err
		}
		services, err := loadServices(ctx, tx)
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, s := range services {
			count[s.CategoryCode]++
		}
		for _, cat := range cats {
			r := categoryRow{Category: cat, Services: count[cat.Code]}
			if cat.National {
				vm.National = append(vm.National, r)
			} else {
				vm.Own = append(vm.Own, r)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return h.Render.Render(c, status, "catalog/categories", vm)
}

func (h *ui) categoryList(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	return h.renderCategories(c, fiber.StatusOK, t, nil, nil)
}

// categoryInput validates the category form; the code is derived from the name when empty.
func categoryInput(form map[string]string) (code string, errs map[string]string) {
	errs = map[string]string{}
	checkText(errs, "name", form["name"], 2, 120, "Scrivi il nome dell'area di utenza, per esempio «Giovani».")
	checkText(errs, "description", form["description"], 0, 500, "")
	code = strings.ToUpper(form["code"])
	if code != "" && !ValidCategoryCode(code) {
		errs["code"] = "Il codice può avere da 2 a 20 caratteri: lettere maiuscole senza accenti, cifre, trattini e trattini bassi. Lascialo vuoto per ricavarlo dal nome."
	}
	return code, errs
}

func categoryCodeTaken(tx *tenant.Tx, exclude uuid.UUID) func(context.Context, string) (bool, error) {
	return func(ctx context.Context, s string) (bool, error) {
		return tx.CatalogCategoryCodeTaken(ctx, db.CatalogCategoryCodeTakenParams{Code: s, ExcludeID: exclude})
	}
}

// uniqueCode is uniqueSlug for category codes (upper case, at most 20 characters).
func uniqueCode(ctx context.Context, code *string, name string, taken func(context.Context, string) (bool, error)) (bool, error) {
	if *code != "" {
		return taken(ctx, *code)
	}
	b := CategoryCodeFrom(name)
	cand := b
	for n := 2; n < 1000; n++ {
		t, err := taken(ctx, cand)
		if err != nil {
			return false, err
		}
		if !t {
			*code = cand
			return false, nil
		}
		cand = strings.ToUpper(withSuffix(strings.ToLower(b), n, 20))
	}
	return false, apperr.New(apperr.Conflict, "Non è stato possibile ricavare un codice libero: scrivine uno.")
}

func (h *ui) categoryCreate(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	code, errs := categoryInput(form)
	if len(errs) > 0 {
		return h.renderCategories(c, fiber.StatusUnprocessableEntity, t, form, errs)
	}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		taken, err := uniqueCode(ctx, &code, form["name"], categoryCodeTaken(tx, uuid.Nil))
		if err != nil {
			return err
		}
		if taken {
			errs["code"] = msgCodeTaken
			return nil
		}
		id, err := tx.CatalogCategoryInsert(ctx, db.CatalogCategoryInsertParams{Code: code, Name: form["name"], Description: form["description"]})
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.category.create", ObjectType: "category",
			ObjectID: id.String(), ObjectName: form["name"],
			Changes: audit.Created("category", map[string]string{"code": code, "name": form["name"], "description": form["description"]}),
			Details: map[string]any{"code": code, "name": form["name"]}})
	})
	if isUnique(err) {
		errs["code"], err = msgCodeTaken, nil
	}
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderCategories(c, fiber.StatusUnprocessableEntity, t, form, errs)
	}
	web.SetFlash(c, "success", "Area di utenza «"+form["name"]+"» aggiunta con il codice "+code+".")
	return c.Redirect(base+"/categorie", fiber.StatusSeeOther)
}

func (h *ui) loadCategory(c *fiber.Ctx) (*tenant.Tenant, Category, int, error) {
	t, err := requestTenant(c)
	if err != nil {
		return nil, Category{}, 0, err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return nil, Category{}, 0, err
	}
	ctx := c.UserContext()
	var cat Category
	var used int64
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		r, err := tx.CatalogCategoryGet(ctx, id)
		if tenant.IsNoRows(err) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		cat = categoryFromRow(r)
		used, err = tx.CatalogCategoryUsage(ctx, &id)
		return err
	})
	return t, cat, int(used), err
}

func (h *ui) renderCategory(c *fiber.Ctx, status int, cat Category, used int, form, errs map[string]string) error {
	vm := &categoryPage{Page: h.page(c, cat.Name, web.Crumb{Label: "Aree di utenza", URL: base + "/categorie"}, web.Crumb{Label: cat.Name}),
		Category: cat, Services: used, CanWrite: h.canWrite(c) && !cat.National}
	if form == nil {
		form = map[string]string{"code": cat.Code, "name": cat.Name, "description": cat.Description}
	}
	vm.Form, vm.Errors = form, errs
	return h.Render.Render(c, status, "catalog/category", vm)
}

func (h *ui) categoryEdit(c *fiber.Ctx) error {
	_, cat, used, err := h.loadCategory(c)
	if err != nil {
		return err
	}
	return h.renderCategory(c, fiber.StatusOK, cat, used, nil, nil)
}

var errNational = apperr.New(apperr.Forbidden, "Le aree di utenza nazionali non si possono modificare né eliminare.")

func (h *ui) categorySave(c *fiber.Ctx) error {
	t, cat, used, err := h.loadCategory(c)
	if err != nil {
		return err
	}
	if cat.National {
		return errNational
	}
	ctx := c.UserContext()
	form := single(posted(c))
	code, errs := categoryInput(form)
	if code == "" {
		code = cat.Code
	}
	if len(errs) == 0 {
		err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			taken, err := categoryCodeTaken(tx, cat.ID)(ctx, code)
			if err != nil {
				return err
			}
			if taken {
				errs["code"] = msgCodeTaken
				return nil
			}
			if _, err := tx.CatalogCategoryUpdate(ctx, db.CatalogCategoryUpdateParams{ID: cat.ID, Code: code,
				Name: form["name"], Description: form["description"]}); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Action: "catalog.category.update", ObjectType: "category",
				ObjectID: cat.ID.String(), ObjectName: form["name"],
				Changes: audit.Updated("category", cat, map[string]string{"code": code, "name": form["name"], "description": form["description"]}),
				Details: map[string]any{"code": code, "name": form["name"]}})
		})
		if isUnique(err) {
			errs["code"], err = msgCodeTaken, nil
		}
		if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return h.renderCategory(c, fiber.StatusUnprocessableEntity, cat, used, form, errs)
	}
	web.SetFlash(c, "success", "Area di utenza «"+form["name"]+"» aggiornata.")
	return c.Redirect(base+"/categorie", fiber.StatusSeeOther)
}

// categoryDelete removes one of the tenant's own categories; its services keep existing,
// without a category until one is chosen.
func (h *ui) categoryDelete(c *fiber.Ctx) error {
	t, cat, used, err := h.loadCategory(c)
	if err != nil {
		return err
	}
	if cat.National {
		return errNational
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if _, err := tx.CatalogCategoryDelete(ctx, cat.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.category.delete", ObjectType: "category",
			ObjectID: cat.ID.String(), ObjectName: cat.Name, Changes: audit.Deleted("category", cat),
			Details: map[string]any{"code": cat.Code, "name": cat.Name, "services": used}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Area di utenza «"+cat.Name+"» eliminata.")
	return c.Redirect(base+"/categorie", fiber.StatusSeeOther)
}
