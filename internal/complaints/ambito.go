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

// The ambito's view. A member comune's citizen may complain about a service the ambito runs;
// the complaint is filed, numbered and answered at the comune unless the comune forwards it
// (forward.go). The ambito, which runs the service, sees these complaints read-only, side by
// side per member comune: what they are about, where they stand, the answer and the public
// history — never who filed them, which stays with the comune (data minimisation: the ambito
// gets the author's data only when the comune forwards the complaint). The rows are opened by
// a transaction-local switch of row-level security (00016) that only these reads set.

// AmbitoItem is one member comune's complaint as the ambito sees it.
type AmbitoItem struct {
	TenantID     uuid.UUID
	Comune       string
	ID           uuid.UUID
	Year, Number int
	Channel      Channel
	Status       Status
	ServiceTitle string
	Standard     string
	SubmittedAt  time.Time
	DueOn        time.Time
	Outcome      Outcome
	RepliedAt    *time.Time
	ClosedAt     *time.Time
	// Forwarded reports that the comune forwarded it to the ambito, whose inbox holds it.
	Forwarded bool
	// Only in AmbitoComplaint:
	WhatHappened, Request, Reply string
}

// Protocol is the comune's number of the complaint.
func (i *AmbitoItem) Protocol() string { return Protocol(i.Year, i.Number) }

// Overdue reports whether the comune's answer is late on day today.
func (i *AmbitoItem) Overdue(today time.Time) bool {
	return i.Status.Open() && i.DueOn.Before(dayOf(today))
}

// AmbitoMember is one member comune's figures about the ambito's services.
type AmbitoMember struct {
	ID                   uuid.UUID
	Name                 string
	Total, Open, Overdue int
}

// AmbitoFilter selects the ambito's view.
type AmbitoFilter struct {
	Member   *uuid.UUID // one member comune, or all
	OpenOnly bool
	Overdue  bool
	After    *Cursor
}

// AmbitoPage is one page of the ambito's view.
type AmbitoPage struct {
	Members []AmbitoMember // the current members, in the ambito's order, with their counts
	Items   []*AmbitoItem
	More    bool
}

// msgAmbitoOnly is the answer to a comune asking for the ambito's view.
const msgAmbitoOnly = "La vista dei reclami dei comuni è dell'ambito."

func (s *Service) ambitoMembers(ctx context.Context, t *tenant.Tenant) ([]tenant.Member, error) {
	if t.Kind != tenant.KindAmbito {
		return nil, apperr.New(apperr.NotFound, msgAmbitoOnly)
	}
	return s.d.Tenants.Members(ctx, t.ID)
}

// AmbitoView lists the member comuni's complaints about t's services (t an ambito), newest
// first in pages of InboxLimit, with each member's counts.
func (s *Service) AmbitoView(ctx context.Context, t *tenant.Tenant, f AmbitoFilter) (*AmbitoPage, error) {
	ms, err := s.ambitoMembers(ctx, t)
	if err != nil {
		return nil, err
	}
	out := &AmbitoPage{}
	names := map[uuid.UUID]string{}
	for _, m := range ms {
		names[m.ID] = m.Name
		out.Members = append(out.Members, AmbitoMember{ID: m.ID, Name: m.Name})
	}
	if f.Member != nil && names[*f.Member] == "" {
		f.Member = nil // not (or no longer) a member: the whole ambito
	}
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		counts, err := st.ambitoCounts(ctx, s.d.Now())
		if err != nil {
			return err
		}
		for i := range out.Members {
			c := counts[out.Members[i].ID]
			out.Members[i].Total, out.Members[i].Open, out.Members[i].Overdue = c.Total, c.Open, c.Overdue
		}
		out.Items, err = st.ambitoList(ctx, f, s.d.Now(), InboxLimit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A comune that left the ambito keeps its complaints, out of the ambito's sight.
	out.Items = slices.DeleteFunc(out.Items, func(i *AmbitoItem) bool { return names[i.TenantID] == "" })
	if len(out.Items) > InboxLimit {
		out.Items, out.More = out.Items[:InboxLimit], true
	}
	for _, i := range out.Items {
		i.Comune = names[i.TenantID]
	}
	return out, nil
}

// AmbitoComplaint is one member comune's complaint about t's services, with its public
// history.
func (s *Service) AmbitoComplaint(ctx context.Context, t *tenant.Tenant, comune, id uuid.UUID) (*AmbitoItem, []Event, error) {
	ms, err := s.ambitoMembers(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(ms, func(m tenant.Member) bool { return m.ID == comune })
	if i < 0 {
		return nil, nil, apperr.ErrNotFound
	}
	var item *AmbitoItem
	var evs []Event
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		var err error
		if item, err = st.ambitoGet(ctx, comune, id); err != nil {
			return err
		}
		evs, err = st.ambitoEvents(ctx, comune, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	item.Comune = ms[i].Name
	return item, evs, nil
}

// AmbitoFilterFrom reads the view's filter from a query string's values.
func AmbitoFilterFrom(get func(string) string) AmbitoFilter {
	var f AmbitoFilter
	if id, err := uuid.Parse(get("comune")); err == nil {
		f.Member = &id
	}
	f.OpenOnly = get("aperti") == "1"
	f.Overdue = get("ritardo") == "1"
	f.After = parseCursor(strings.TrimSpace(get("dopo")))
	return f
}
