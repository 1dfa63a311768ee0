package complaints

import (
	"context"
	"time"

	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/itlang"
)

// The indicators' reads (figures.go).

func (st store) figures(ctx context.Context, from, until, now time.Time) (Figures, []MonthFigures, error) {
	rows, err := st.tx.ComplaintFigures(ctx, db.ComplaintFiguresParams{Today: pgDay(dayOf(now)), ContactDays: ContactDays,
		FromAt: from, UntilAt: until})
	if err != nil {
		return Figures{}, nil, err
	}
	var total Figures
	var months []MonthFigures
	for _, r := range rows {
		f := Figures{Received: int(r.Received), ReceivedForwarded: int(r.ReceivedForwarded), ForwardedAway: int(r.ForwardedAway),
			Handled: int(r.Handled), Answered: int(r.Answered), Decided: int(r.Decided), InTime: int(r.InTime),
			DaysMean: r.DaysMean, DaysMedian: r.DaysMedian, ContactedInTime: int(r.ContactedInTime), Upheld: int(r.Upheld),
			PartlyUpheld: int(r.PartlyUpheld), Rejected: int(r.Rejected), Reopened: int(r.Reopened),
			SaidSolved: int(r.SaidSolved), Said: int(r.Said)}
		if !r.Month.Valid {
			total = f
			continue
		}
		m := r.Month.Time
		months = append(months, MonthFigures{Month: time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, itlang.Rome), Figures: f})
	}
	return total, months, nil
}

func (st store) subjects(ctx context.Context, from, until time.Time) ([]Subject, error) {
	rows, err := st.tx.ComplaintFiguresBy(ctx, db.ComplaintFiguresByParams{FromAt: from, UntilAt: until})
	if err != nil {
		return nil, err
	}
	out := make([]Subject, 0, len(rows))
	for _, r := range rows {
		out = append(out, Subject{Service: r.ServiceTitle, Standard: r.Standard, Count: int(r.N), Upheld: int(r.Upheld)})
	}
	return out, nil
}
