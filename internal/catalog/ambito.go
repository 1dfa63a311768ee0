package catalog

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// HiddenService is an ambito service a member comune hides, as staff see it.
type HiddenService struct {
	ServiceID     uuid.UUID
	Reason        string
	HiddenAt      time.Time
	HiddenByName  string
	HiddenByEmail string
}

type ambitoRow struct {
	ID           uuid.UUID
	Title        string
	Summary      string
	CategoryName string
	StatusLabel  string
	Suspended    bool
	Hidden       *HiddenService
	ReasonName   string
	ReasonID     string
	ReasonValue  string
	ReasonErr    string
}

type ambitoPage struct {
	web.Page
	IsAmbito   bool
	AmbitoName string
	Member     bool
	Published  bool
	Version    int
	Services   []ambitoRow
	Orphans    []HiddenService // hidden services the ambito no longer publishes
	CanWrite   bool
}

func reasonField(id uuid.UUID) string { return "reason_" + id.String() }

func (h *ui) renderAmbito(c *fiber.Ctx, status int, t *tenant.Tenant, form, errs map[string]string) error {
	ctx := c.UserContext()
	vm := &ambitoPage{Page: h.page(c, "Servizi dell'ambito", web.Crumb{Label: "Servizi dell'ambito"}),
		IsAmbito: t.IsAmbito(), Member: t.Ambito != nil, CanWrite: h.canWrite(c)}
	vm.Form, vm.Errors = form, errs
	if t.Ambito != nil {
		vm.AmbitoName = t.Ambito.Name
	}
	if !vm.Member {
		return h.Render.Render(c, status, "catalog/ambito", vm)
	}
	var view *View
	var hides []HiddenService
	err := h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		if view, err = LoadView(ctx, tx, t); err != nil {
			return err
		}
		hides, err = loadHides(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	byID := map[uuid.UUID]*HiddenService{}
	for i := range hides {
		byID[hides[i].ServiceID] = &hides[i]
	}
	seen := map[uuid.UUID]bool{}
	if a := view.Ambito; a != nil {
		vm.Published, vm.Version = true, a.Version
		names := map[string]string{}
		for _, cat := range a.Categories {
			names[cat.Code] = cat.Name
		}
		for _, s := range a.Services {
			if s.Status == StatusArchived {
				continue
			}
			seen[s.ID] = true
			name := reasonField(s.ID)
			vm.Services = append(vm.Services, ambitoRow{ID: s.ID, Title: s.Title, Summary: s.ShortDescription,
				CategoryName: names[s.CategoryCode], StatusLabel: StatusLabel(s.Status), Suspended: s.Status == StatusSuspended,
				Hidden: byID[s.ID], ReasonName: name, ReasonID: "f-" + name, ReasonValue: form[name], ReasonErr: errs[name]})
		}
	}
	for _, hd := range hides {
		if !seen[hd.ServiceID] {
			vm.Orphans = append(vm.Orphans, hd)
		}
	}
	return h.Render.Render(c, status, "catalog/ambito", vm)
}

func loadHides(ctx context.Context, tx *tenant.Tx) ([]HiddenService, error) {
	rows, err := tx.CatalogHideList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]HiddenService, 0, len(rows))
	for _, r := range rows {
		out = append(out, HiddenService{ServiceID: r.AmbitoServiceID, Reason: r.Reason, HiddenAt: r.HiddenAt,
			HiddenByName: r.HiddenByName, HiddenByEmail: r.HiddenByEmail})
	}
	return out, nil
}

func (h *ui) ambitoList(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	return h.renderAmbito(c, fiber.StatusOK, t, nil, nil)
}

// ambitoService finds a service in the ambito's current published Carta.
func ambitoService(c *fiber.Ctx, tx *tenant.Tx, t *tenant.Tenant, id uuid.UUID) (Service, error) {
	if t.Ambito == nil {
		return Service{}, apperr.ErrNotFound
	}
	view, err := LoadView(c.UserContext(), tx, t)
	if err != nil {
		return Service{}, err
	}
	if view.Ambito != nil {
		for _, s := range view.Ambito.Services {
			if s.ID == id {
				return s, nil
			}
		}
	}
	return Service{}, apperr.ErrNotFound
}

// ambitoHide hides one of the ambito's services from the comune's Carta, with a reason staff
// see next to it.
func (h *ui) ambitoHide(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	name := reasonField(id)
	reason := form["reason"]
	if reason == "" {
		reason = form[name]
	}
	form[name] = reason
	errs := map[string]string{}
	checkText(errs, name, reason, 3, 500, "Spiega perché il comune non offre questo servizio (almeno 3 caratteri).")
	var s Service
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if s, err = ambitoService(c, tx, t, id); err != nil {
			return err
		}
		if len(errs) > 0 {
			return nil
		}
		if err := tx.CatalogHideSet(ctx, db.CatalogHideSetParams{AmbitoServiceID: id, Reason: reason, HiddenBy: staffID(ctx)}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.ambito.hide", ObjectType: "ambito_service",
			ObjectID: id.String(), ObjectName: s.Title, Changes: audit.Changes(nil, map[string]string{"Motivo": reason}),
			Details: map[string]any{"title": s.Title, "reason": reason}})
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderAmbito(c, fiber.StatusUnprocessableEntity, t, form, errs)
	}
	web.SetFlash(c, "success", "«"+s.Title+"» non comparirà nella Carta del comune dalla prossima pubblicazione.")
	return c.Redirect(base+"/ambito", fiber.StatusSeeOther)
}

// ambitoShow shows again a hidden ambito service. It works also for a service the ambito no
// longer publishes, so that stale hides can be cleared.
func (h *ui) ambitoShow(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		n, err := tx.CatalogHideDelete(ctx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.ErrNotFound
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.ambito.show", ObjectType: "ambito_service", ObjectID: id.String()})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Il servizio dell'ambito tornerà nella Carta del comune dalla prossima pubblicazione.")
	return c.Redirect(base+"/ambito", fiber.StatusSeeOther)
}
