package catalog

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// missingGroup is what one service lacks, for the completeness summary.
type missingGroup struct {
	ServiceID    uuid.UUID
	ServiceTitle string
	Fields       []missingField
}

type missingField struct{ Label, URL string }

type overviewPage struct {
	web.Page
	Version        int
	Services       int
	Active         int
	Suspended      int
	Archived       int
	Offices        int
	OfficesNoHours int
	People         int
	Categories     int
	OwnCategories  int
	Sections       int
	Hidden         int
	IsAmbito       bool
	Member         bool
	AmbitoName     string
	MissingCount   int
	Missing        []missingGroup
	CanWrite       bool
}

func (h *ui) overview(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vm := &overviewPage{Page: h.page(c, "Carta dei Servizi"), IsAmbito: t.IsAmbito(), Member: t.Ambito != nil,
		CanWrite: h.canWrite(c)}
	if t.Ambito != nil {
		vm.AmbitoName = t.Ambito.Name
	}
	var all []Service
	var draft *Carta
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := EnsureDefaults(ctx, tx); err != nil {
			return err
		}
		if vm.Version, err = CurrentVersion(ctx, tx, t.ID); err != nil {
			return err
		}
		if all, err = loadServices(ctx, tx); err != nil {
			return err
		}
		draft, err = LoadDraft(ctx, tx, t)
		return err
	})
	if err != nil {
		return err
	}
	vm.Services = len(all)
	for _, s := range all {
		switch s.Status {
		case StatusActive:
			vm.Active++
		case StatusSuspended:
			vm.Suspended++
		case StatusArchived:
			vm.Archived++
		}
	}
	vm.Offices, vm.People, vm.Sections = len(draft.Offices), len(draft.People), len(draft.Sections)
	for _, o := range draft.Offices {
		if len(o.Hours) == 0 {
			vm.OfficesNoHours++
		}
	}
	vm.Categories = len(draft.Categories)
	for _, cat := range draft.Categories {
		if !cat.National {
			vm.OwnCategories++
		}
	}
	vm.Hidden = len(draft.HiddenAmbitoServices)
	missing := Completeness(draft)
	vm.MissingCount = len(missing)
	ids := map[string]uuid.UUID{}
	for _, s := range draft.Services {
		ids[s.Slug] = s.ID
	}
	for _, m := range missing {
		id := ids[m.ServiceSlug]
		mf := missingField{Label: m.Label, URL: ServiceFieldURL(id, m.Field)}
		if n := len(vm.Missing); n > 0 && vm.Missing[n-1].ServiceID == id {
			vm.Missing[n-1].Fields = append(vm.Missing[n-1].Fields, mf)
			continue
		}
		vm.Missing = append(vm.Missing, missingGroup{ServiceID: id, ServiceTitle: m.ServiceTitle, Fields: []missingField{mf}})
	}
	return h.Render.Render(c, fiber.StatusOK, "catalog/overview", vm)
}
