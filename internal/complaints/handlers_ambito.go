package complaints

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// The ambito's read-only view of its members' complaints about its services (ambito.go).

type ambitoPage struct {
	web.Page
	View   *AmbitoPage
	Filter AmbitoFilter
	Today  time.Time
	Next   string
}

// MemberIs reports whether the filter selects member id.
func (f AmbitoFilter) MemberIs(id uuid.UUID) bool { return f.Member != nil && *f.Member == id }

func (f AmbitoFilter) query() url.Values {
	v := url.Values{}
	if f.Member != nil {
		v.Set("comune", f.Member.String())
	}
	if f.OpenOnly {
		v.Set("aperti", "1")
	}
	if f.Overdue {
		v.Set("ritardo", "1")
	}
	return v
}

func (h *handlers) ambitoView(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	f := AmbitoFilterFrom(func(k string) string { return strings.Clone(c.Query(k)) })
	v, err := h.svc.AmbitoView(c.UserContext(), t, f)
	if err != nil {
		return err
	}
	p := ambitoPage{Page: h.staffPage(c, "Reclami sui servizi dell'ambito", web.Crumb{Label: "Reclami", URL: "/admin/reclami"},
		web.Crumb{Label: "Servizi dell'ambito nei comuni"}), View: v, Filter: f, Today: h.svc.Today()}
	if v.More {
		last := v.Items[len(v.Items)-1]
		q := f.query()
		q.Set("dopo", last.SubmittedAt.UTC().Format(time.RFC3339Nano)+"_"+last.ID.String())
		p.Next = "/admin/reclami/ambito?" + q.Encode()
	}
	privatePage(c)
	return h.d.Render.Render(c, fiber.StatusOK, "complaints/ambito", p)
}

type ambitoDetailPage struct {
	web.Page
	Item   *AmbitoItem
	Events []Event
	Today  time.Time
}

func (h *handlers) ambitoDetail(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	comune, err := uuid.Parse(c.Params("comune"))
	if err != nil {
		return apperr.ErrNotFound
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	item, evs, err := h.svc.AmbitoComplaint(ctx, t, comune, id)
	if err != nil {
		return err
	}
	if err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.ambito.view", ObjectType: "complaint",
			ObjectID: id.String(), ObjectName: item.Comune + ", n. " + item.Protocol()})
	}); err != nil {
		return err
	}
	privatePage(c)
	p := h.staffPage(c, "Reclamo n. "+item.Protocol()+" – "+item.Comune, web.Crumb{Label: "Reclami", URL: "/admin/reclami"},
		web.Crumb{Label: "Servizi dell'ambito nei comuni", URL: "/admin/reclami/ambito"}, web.Crumb{Label: item.Protocol()})
	return h.d.Render.Render(c, fiber.StatusOK, "complaints/ambito_detail", ambitoDetailPage{Page: p, Item: item, Events: evs, Today: h.svc.Today()})
}
