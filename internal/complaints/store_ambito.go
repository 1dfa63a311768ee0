package complaints

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/db"
)

// The ambito's read-only view of its members' complaints (ambito.go): every read first turns
// on the transaction-local switch of the view's row-level security policy.

type ambitoCount struct{ Total, Open, Overdue int }

func (st store) ambitoOn(ctx context.Context) error { return st.tx.ComplaintAmbitoViewOn(ctx) }

func (st store) ambitoCounts(ctx context.Context, now time.Time) (map[uuid.UUID]ambitoCount, error) {
	if err := st.ambitoOn(ctx); err != nil {
		return nil, err
	}
	rows, err := st.tx.ComplaintAmbitoViewCounts(ctx, pgDay(dayOf(now)))
	if err != nil {
		return nil, err
	}
	out := map[uuid.UUID]ambitoCount{}
	for _, r := range rows {
		out[r.TenantID] = ambitoCount{Total: int(r.Total), Open: int(r.Open), Overdue: int(r.Overdue)}
	}
	return out, nil
}

func (st store) ambitoList(ctx context.Context, f AmbitoFilter, now time.Time, limit int) ([]*AmbitoItem, error) {
	if err := st.ambitoOn(ctx); err != nil {
		return nil, err
	}
	p := db.ComplaintAmbitoViewListParams{Member: f.Member, OpenOnly: f.OpenOnly, Overdue: f.Overdue,
		Today: pgDay(dayOf(now)), Lim: int32(limit)}
	if f.After != nil {
		p.BeforeAt, p.BeforeID = &f.After.SubmittedAt, &f.After.ID
	}
	rows, err := st.tx.ComplaintAmbitoViewList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]*AmbitoItem, 0, len(rows))
	for _, r := range rows {
		i := &AmbitoItem{TenantID: r.TenantID, ID: r.ID, Year: int(r.Year), Number: int(r.Number),
			Channel: Channel(r.Channel), Status: Status(r.Status), ServiceTitle: r.ServiceTitle, Standard: r.Standard,
			SubmittedAt: r.SubmittedAt, Outcome: Outcome(r.Outcome), RepliedAt: r.RepliedAt, ClosedAt: r.ClosedAt,
			Forwarded: r.ForwardedTo != nil}
		if r.DueOn.Valid {
			i.DueOn = romeDay(r.DueOn)
		}
		out = append(out, i)
	}
	return out, nil
}

func (st store) ambitoGet(ctx context.Context, comune, id uuid.UUID) (*AmbitoItem, error) {
	if err := st.ambitoOn(ctx); err != nil {
		return nil, err
	}
	r, err := st.tx.ComplaintAmbitoViewGet(ctx, db.ComplaintAmbitoViewGetParams{TenantID: comune, ID: id})
	if err != nil {
		return nil, notFound(err)
	}
	i := &AmbitoItem{TenantID: r.TenantID, ID: r.ID, Year: int(r.Year), Number: int(r.Number),
		Channel: Channel(r.Channel), Status: Status(r.Status), ServiceTitle: r.ServiceTitle, Standard: r.Standard,
		SubmittedAt: r.SubmittedAt, Outcome: Outcome(r.Outcome), RepliedAt: r.RepliedAt, ClosedAt: r.ClosedAt,
		Forwarded: r.ForwardedTo != nil, WhatHappened: r.WhatHappened, Request: r.Request, Reply: r.Reply}
	if r.DueOn.Valid {
		i.DueOn = romeDay(r.DueOn)
	}
	return i, nil
}

func (st store) ambitoEvents(ctx context.Context, comune, id uuid.UUID) ([]Event, error) {
	if err := st.ambitoOn(ctx); err != nil {
		return nil, err
	}
	rows, err := st.tx.ComplaintAmbitoViewEvents(ctx, db.ComplaintAmbitoViewEventsParams{TenantID: comune, ComplaintID: id})
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		out = append(out, Event{At: r.At, Kind: r.Kind, Status: Status(r.Status), Note: r.Note, Public: true})
	}
	return out, nil
}
