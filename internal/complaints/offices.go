package complaints

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/tenant"
)

// Office is an office a complaint can be assigned to: one of the offices t's published Carta
// shows (its own, then the ambito's its services send citizens to).
type Office struct {
	ID   uuid.UUID
	Name string
}

// Offices lists the offices of t's published Carta.
func (s *Service) Offices(ctx context.Context, t *tenant.Tenant) ([]Office, error) {
	var out []Office
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		v, err := catalog.LoadView(ctx, tx, t)
		if err != nil {
			return err
		}
		shown := v.Shown()
		if shown == nil {
			return nil
		}
		for _, o := range append(shown.Offices(), shown.AmbitoOffices()...) {
			if o != nil && o.Office != nil {
				out = append(out, Office{ID: o.ID, Name: o.Name})
			}
		}
		return nil
	})
	return out, err
}

const (
	msgOfficeUnknown  = "Uno degli uffici scelti non c'è più nella Carta pubblicata: ricarica la pagina e riprova."
	msgContribOffice  = "Scegli uno degli uffici a cui è assegnato il reclamo."
	msgContribText    = "Scrivi il contributo dell'ufficio (al massimo 8000 caratteri)."
	msgAssignNotOpen  = "Il reclamo non è più aperto: non si può assegnare."
	msgContribNotOpen = "Il reclamo non è più aperto: i contributi si raccolgono prima della risposta."
)

// Assign gives the complaint to these offices (replacing the previous assignment); with more
// than one, the coordination table collects each office's contribution.
func (s *Service) Assign(ctx context.Context, t *tenant.Tenant, id uuid.UUID, officeIDs []uuid.UUID) error {
	offices, err := s.Offices(ctx, t)
	if err != nil {
		return err
	}
	byID := map[uuid.UUID]string{}
	for _, o := range offices {
		byID[o.ID] = o.Name
	}
	var names []string
	for _, oid := range officeIDs {
		n, ok := byID[oid]
		if !ok {
			return apperr.InvalidFields(map[string]string{"offices": msgOfficeUnknown})
		}
		names = append(names, n)
	}
	_, err = s.change(ctx, t, id, func(st store, c *Complaint) (*Complaint, string, string, bool, error) {
		if !c.Status.Open() {
			return nil, "", "", false, apperr.New(apperr.Conflict, msgAssignNotOpen)
		}
		if err := st.assign(ctx, id, officeIDs, names); err != nil {
			return nil, "", "", false, err
		}
		note := "Nessun ufficio"
		if len(names) > 0 {
			note = strings.Join(names, ", ")
		}
		return c, "assigned", note, false, nil
	})
	return err
}

// AddContribution records an assigned office's contribution to the reply.
func (s *Service) AddContribution(ctx context.Context, t *tenant.Tenant, id, officeID uuid.UUID, text string) error {
	text = strings.TrimSpace(text)
	if text == "" || len([]rune(text)) > 8000 {
		return apperr.InvalidFields(map[string]string{"contribution": msgContribText})
	}
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.get(ctx, id, true)
		if err != nil {
			return err
		}
		if !c.Status.Open() {
			return apperr.New(apperr.Conflict, msgContribNotOpen)
		}
		as, err := st.assignments(ctx, id)
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.ID == officeID {
				return st.contribution(ctx, id, c.Status, a.Name, text, actorID(ctx))
			}
		}
		return apperr.InvalidFields(map[string]string{"office": msgContribOffice})
	})
}

// ---- pages ----

func (h *handlers) assign(c *fiber.Ctx) error {
	var ids []uuid.UUID
	for _, v := range c.Request().PostArgs().PeekMulti("offices") {
		if id, err := uuid.Parse(string(v)); err == nil {
			ids = append(ids, id)
		}
	}
	return h.act(c, audit.Entry{Action: "complaint.assign"}, "Assegnazione aggiornata.", func(t *tenant.Tenant, id uuid.UUID) error {
		return h.svc.Assign(c.UserContext(), t, id, ids)
	})
}

func (h *handlers) contribute(c *fiber.Ctx) error {
	office, _ := uuid.Parse(c.FormValue("office"))
	text := strings.Clone(c.FormValue("contribution"))
	return h.act(c, audit.Entry{Action: "complaint.contribution"}, "Contributo aggiunto.", func(t *tenant.Tenant, id uuid.UUID) error {
		return h.svc.AddContribution(c.UserContext(), t, id, office, text)
	})
}
