package admin

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// AuditPageSize is how many entries the trail shows at a time.
const AuditPageSize = 50

type auditPage struct {
	web.Page
	Rows     []audit.Row
	Actors   []audit.Actor
	Groups   []audit.Group
	Query    audit.Query
	Filtered bool
	Older    bool   // this is not the newest page
	NextURL  string // the next (older) page, "" when there is nothing older
	FirstURL string // the newest page with the same filter
}

// GroupValue is the action filter's value for every action of g.
func (auditPage) GroupValue(g audit.Group) string { return audit.GroupValue(g) }

func (h *handlers) auditList(c *fiber.Ctx) error {
	t, err := requireTenant(c)
	if err != nil {
		return err
	}
	q := audit.QueryFrom(func(k string) string { return strings.Clone(c.Query(k)) })
	f, errs := q.Parse()
	if msg := errs[audit.ParamBefore]; msg != "" {
		return apperr.New(apperr.Invalid, msg)
	}
	ctx := c.UserContext()
	var trail audit.Page
	var actors []audit.Actor
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if actors, err = audit.Actors(ctx, tx); err != nil {
			return err
		}
		if len(errs) > 0 {
			return nil
		}
		trail, err = audit.Trail(ctx, tx, f, AuditPageSize)
		return err
	})
	if err != nil {
		return err
	}
	vm := &auditPage{Page: h.page(c, "Registro attività", web.Crumb{Label: "Registro attività"}),
		Actors: actors, Groups: audit.Groups, Query: q, Filtered: q.Filtered(), Older: f.Before > 0}
	vm.Errors = errs
	// A day typed as 1/3/2026 is shown back as the date field expects it.
	vm.Form = map[string]string{audit.ParamFrom: q.From, audit.ParamTo: q.To}
	if f.Since != nil {
		vm.Form[audit.ParamFrom] = f.Since.Format(time.DateOnly)
	}
	if f.Until != nil {
		vm.Form[audit.ParamTo] = f.Until.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	filter := q.Values()
	vm.FirstURL = "/admin/registro"
	if enc := filter.Encode(); enc != "" {
		vm.FirstURL += "?" + enc
	}
	if trail.NextBefore > 0 {
		filter.Set(audit.ParamBefore, strconv.FormatInt(trail.NextBefore, 10))
		vm.NextURL = "/admin/registro?" + filter.Encode()
	}
	vm.Rows = trail.Rows
	status := fiber.StatusOK
	if len(errs) > 0 {
		status = fiber.StatusUnprocessableEntity
	}
	return h.Render.Render(c, status, "admin/audit", vm)
}
