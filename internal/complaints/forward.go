package complaints

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
)

// Forwarding. A complaint that is not the receiving tenant's competence goes to the tenant
// whose it is, within one ambito: a comune's URP forwards one about an ambito service to its
// ambito (run by the capofila), an ambito's URP forwards one about a comune's own service to
// that member comune, and the receiving side may send it back ("restituisci") when it is not
// its competence after all.
//
// The original stays where it was filed: it keeps its protocol number, the citizen's private
// links and its history, gets the status "non di competenza" with a pointer to the destination
// (so its reminders and actions stop), and the follow page on the origin's site shows the
// destination's progress. The destination receives a copy with the same number and dates —
// the number the citizen knows; it takes none of the destination's counter, whose own numbers
// stay gapless — its history, and fresh deadline reminders. Sent back, the copy becomes "non di
// competenza" in its turn and the original opens again at the status it had, with what the
// other side wrote meanwhile in its history and its reminders renewed; forwarded once more,
// the same copy is received anew. Everything happens in one transaction that writes one side,
// then moves app.tenant_id to the other and writes there, under that tenant's row-level
// security; a restrictive policy (00014) lets a copy come only from the tenant's ambito or a
// current member, and a complaint go only to them.

// Messages of forwarding.
const (
	msgForwardNotOpen = "Il reclamo non è aperto o è già stato inoltrato: non si può inoltrare."
	msgForwardNoDest  = "Non c'è un ente a cui inoltrare il reclamo: l'inoltro è possibile solo tra il comune e il suo ambito."
	msgForwardDest    = "Scegli a quale ente inoltrare il reclamo."
	msgForwardNote    = "La nota per l'inoltro può avere al massimo 2000 caratteri."
	msgForwardedAway  = "Il reclamo è stato inoltrato per competenza: lo tratta l'ente che l'ha ricevuto."
)

// ForwardTargets are the tenants complaint c of t can be forwarded to, none when it cannot:
// for a copy received from another tenant, only that tenant (sending it back); for a
// complaint filed at a comune, its current ambito; at an ambito, its current member comuni.
func (s *Service) ForwardTargets(ctx context.Context, t *tenant.Tenant, c *Complaint) ([]*tenant.Tenant, error) {
	if c.ForwardedTo != nil || !c.Status.Open() {
		return nil, nil
	}
	var ids []uuid.UUID
	switch {
	case c.OriginTenantID != nil:
		ids = []uuid.UUID{*c.OriginTenantID}
	case t.Kind == tenant.KindComune:
		var amb uuid.UUID
		if err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			var err error
			amb, err = store{tx}.ambito(ctx)
			return err
		}); err != nil {
			return nil, err
		}
		if amb != uuid.Nil {
			ids = []uuid.UUID{amb}
		}
	case t.Kind == tenant.KindAmbito:
		ms, err := s.d.Tenants.Members(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
	}
	var out []*tenant.Tenant
	for _, id := range ids {
		d, err := s.d.Tenants.ByID(ctx, id)
		if apperr.KindOf(err) == apperr.NotFound || tenant.IsNoRows(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if d.Status == tenant.StatusActive {
			out = append(out, d)
		}
	}
	return out, nil
}

// Forward sends complaint id of t to tenant to, one of ForwardTargets, with an optional note
// for the citizen and the destination. It returns what the destination now holds: the copy, or
// the original when the complaint went back where it was filed.
func (s *Service) Forward(ctx context.Context, t *tenant.Tenant, id, to uuid.UUID, note string) (*Complaint, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return nil, apperr.InvalidFields(map[string]string{"forward_note": msgForwardNote})
	}
	current, err := s.Get(ctx, t, id)
	if err != nil {
		return nil, err
	}
	c := current.Complaint
	targets, err := s.ForwardTargets(ctx, t, c)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		if !c.Status.Open() || c.ForwardedTo != nil {
			return nil, apperr.New(apperr.Conflict, msgForwardNotOpen)
		}
		return nil, apperr.New(apperr.Conflict, msgForwardNoDest)
	}
	i := slices.IndexFunc(targets, func(d *tenant.Tenant) bool { return d.ID == to })
	if i < 0 {
		return nil, apperr.InvalidFields(map[string]string{"forward_to": msgForwardDest})
	}
	dest := targets[i]
	back := c.OriginTenantID != nil && *c.OriginTenantID == dest.ID
	var out *Complaint
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.get(ctx, id, true)
		if err != nil {
			return err
		}
		if !c.Status.Open() || c.ForwardedTo != nil {
			return apperr.New(apperr.Conflict, msgForwardNotOpen)
		}
		actor := actorID(ctx)
		text := "Inoltrato a " + dest.Name + " per competenza"
		if back {
			text = "Restituito a " + dest.Name + ": non è di competenza di " + t.Name
		}
		if note != "" {
			text += ": " + note
		}
		if err := st.event(ctx, id, "forwarded", NotCompetent, text, true, actor); err != nil {
			return err
		}
		orig, err := st.markForwarded(ctx, id, dest.ID)
		if err != nil {
			return err
		}
		if back {
			// What this side wrote while it held the complaint goes back with it.
			since := time.Time{}
			if orig.ArrivedAt != nil {
				since = *orig.ArrivedAt
			}
			done, err := st.eventsAfter(ctx, id, since)
			if err != nil {
				return err
			}
			if err := st.useTenant(ctx, dest.ID); err != nil {
				return err
			}
			if out, err = st.takeBack(ctx, *c.OriginID, t.ID, done); err != nil {
				return err
			}
			if err := st.event(ctx, out.ID, "returned", out.Status, "Restituito da "+t.Name+", reclamo n. "+out.Protocol(), true, actor); err != nil {
				return err
			}
		} else {
			history, err := st.rawEvents(ctx, id)
			if err != nil {
				return err
			}
			if err := st.useTenant(ctx, dest.ID); err != nil {
				return err
			}
			if out, err = st.receive(ctx, t.ID, orig, history); err != nil {
				return err
			}
			if err := st.event(ctx, out.ID, "received", Received, "Ricevuto da "+t.Name+", reclamo n. "+out.Protocol(), true, actor); err != nil {
				return err
			}
		}
		for _, r := range reminders(dest, out, s.d.Now()) {
			if err := s.jobs.InsertTx(ctx, tx.Raw, r.Args, r.InsertOpts); err != nil {
				return err
			}
		}
		return st.useTenant(ctx, t.ID)
	})
	if err != nil {
		return nil, err
	}
	s.d.Log.InfoContext(ctx, "complaint forwarded", "tenant", t.Slug, "to", dest.Slug, "back", back, "protocol", out.Protocol())
	return out, nil
}

// forwardedProgress replaces f with what the destination holds when the complaint of origin
// went there: the citizen, who knows only the origin's link, follows the answer.
func (s *Service) forwardedProgress(ctx context.Context, origin *tenant.Tenant, f *Followed) error {
	c := f.Complaint
	if c.ForwardedTo == nil {
		return nil
	}
	return s.d.DB.InTx(ctx, *c.ForwardedTo, func(tx *tenant.Tx) error {
		st := store{tx}
		cp, err := st.receivedCopy(ctx, origin.ID, c.ID)
		if err != nil {
			return err
		}
		evs, err := st.events(ctx, cp.ID)
		if err != nil {
			return err
		}
		f.Complaint, f.Events = cp, nil
		for _, e := range evs {
			if e.Public {
				f.Events = append(f.Events, e)
			}
		}
		return nil
	})
}

// Partner is the other tenant of a forwarding for the staff's page: where the original came
// from, for a copy, or where it went; nil for a complaint never forwarded.
func (s *Service) Partner(ctx context.Context, c *Complaint) (*tenant.Tenant, error) {
	id := c.ForwardedTo
	if id == nil {
		id = c.OriginTenantID
	}
	if id == nil {
		return nil, nil
	}
	p, err := s.d.Tenants.ByID(ctx, *id)
	if apperr.KindOf(err) == apperr.NotFound || tenant.IsNoRows(err) {
		return nil, nil
	}
	return p, err
}
