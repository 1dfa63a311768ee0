package complaints

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
)

// Forwarding. A comune's URP forwards a complaint that is not its competence (typically one
// about an ambito service) to its current ambito, run by the capofila. The original stays in
// the comune: it keeps its protocol number, the citizen's private links and its history, gets
// the status "non di competenza" with a pointer to the destination (so the comune's reminders
// and actions stop), and the follow page on the comune's site shows the destination's
// progress. The ambito receives a copy with the same number and dates — the number the citizen
// knows; it takes none of the ambito's counter, whose own numbers stay gapless — its history,
// and fresh deadline reminders. Everything happens in one transaction that writes the origin,
// then moves app.tenant_id to the destination and writes there, under the destination's
// row-level security; a restrictive policy (00014) lets a copy come only from the tenant's
// ambito or a current member, and a complaint go only to them.

// Messages of forwarding.
const (
	msgForwardNotOpen = "Il reclamo non è aperto o è già stato inoltrato: non si può inoltrare."
	msgForwardNoDest  = "Non c'è un ente a cui inoltrare il reclamo: l'inoltro è possibile solo dal comune al suo ambito."
	msgForwardNote    = "La nota per l'inoltro può avere al massimo 2000 caratteri."
)

// ForwardDestination is the tenant a complaint of t can be forwarded to, or nil: a comune's
// current ambito. (A complaint received by the ambito is answered there.)
func (s *Service) ForwardDestination(ctx context.Context, t *tenant.Tenant, c *Complaint) (*tenant.Tenant, error) {
	if t.Kind != tenant.KindComune || c.ForwardedTo != nil || c.OriginTenantID != nil || !c.Status.Open() {
		return nil, nil
	}
	var amb uuid.UUID
	if err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		amb, err = store{tx}.ambito(ctx)
		return err
	}); err != nil || amb == uuid.Nil {
		return nil, err
	}
	return s.d.Tenants.ByID(ctx, amb)
}

// Forward sends complaint id of t to its only legal destination (ForwardDestination), with
// an optional note for the citizen and the destination; it returns the copy the destination
// now holds.
func (s *Service) Forward(ctx context.Context, t *tenant.Tenant, id uuid.UUID, note string) (*Complaint, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 2000 {
		return nil, apperr.InvalidFields(map[string]string{"forward_note": msgForwardNote})
	}
	current, err := s.Get(ctx, t, id)
	if err != nil {
		return nil, err
	}
	dest, err := s.ForwardDestination(ctx, t, current.Complaint)
	if err != nil {
		return nil, err
	}
	if dest == nil {
		if !current.Complaint.Status.Open() || current.Complaint.ForwardedTo != nil {
			return nil, apperr.New(apperr.Conflict, msgForwardNotOpen)
		}
		return nil, apperr.New(apperr.Conflict, msgForwardNoDest)
	}
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
		history, err := st.rawEvents(ctx, id)
		if err != nil {
			return err
		}
		// The destination's side, in the same transaction.
		if err := st.useTenant(ctx, dest.ID); err != nil {
			return err
		}
		cp, err := st.copyFrom(ctx, t.ID, orig, history)
		if err != nil {
			return err
		}
		if err := st.event(ctx, cp.ID, "received", Received, "Ricevuto da "+t.Name+", reclamo n. "+cp.Protocol(), true, actor); err != nil {
			return err
		}
		for _, r := range reminders(dest, cp, s.d.Now()) {
			if err := s.jobs.InsertTx(ctx, tx.Raw, r.Args, r.InsertOpts); err != nil {
				return err
			}
		}
		out = cp
		return st.useTenant(ctx, t.ID)
	})
	if err != nil {
		return nil, err
	}
	s.d.Log.InfoContext(ctx, "complaint forwarded", "tenant", t.Slug, "to", dest.Slug, "protocol", out.Protocol())
	return out, nil
}

// forwardedProgress replaces f with the copy the destination holds when the complaint of
// origin went there: the citizen, who knows only the origin's link, follows the answer.
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
