package complaints

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
)

// The store's part for what follows the answer: the author's word on it, reopening, the
// official protocol, the tenant's settings and the deadline sweep.

func (st store) setSolved(ctx context.Context, id uuid.UUID, solved bool, at time.Time) (*Complaint, error) {
	r, err := st.tx.ComplaintSetSolved(ctx, db.ComplaintSetSolvedParams{ID: id, Solved: &solved, At: at})
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

func (st store) reopen(ctx context.Context, id uuid.UUID, due, at time.Time) (*Complaint, error) {
	r, err := st.tx.ComplaintReopen(ctx, db.ComplaintReopenParams{ID: id, DueOn: pgDay(due), At: at})
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

func (st store) setOfficialProtocol(ctx context.Context, id uuid.UUID, number string, on *time.Time) (*Complaint, error) {
	p := db.ComplaintSetOfficialProtocolParams{ID: id, OfficialProtocol: number}
	if on != nil && number != "" {
		p.OfficialProtocolOn = pgDay(*on)
	}
	r, err := st.tx.ComplaintSetOfficialProtocol(ctx, p)
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

func (st store) settings(ctx context.Context) (Settings, error) {
	r, err := st.tx.ComplaintSettings(ctx)
	if err != nil {
		if notFound(err) == apperr.ErrNotFound {
			return Settings{DueDays: 30, RetentionMonths: 60}, nil // no profile yet: the defaults
		}
		return Settings{}, err
	}
	return Settings{DueDays: int(r.ComplaintDueDays), RetentionMonths: int(r.ComplaintRetentionMonths),
		ProtocolMailbox: r.ComplaintProtocolMailbox}, nil
}

func (st store) saveSettings(ctx context.Context, in Settings) error {
	return st.tx.ComplaintSettingsUpdate(ctx, db.ComplaintSettingsUpdateParams{DueDays: int32(in.DueDays),
		RetentionMonths: int32(in.RetentionMonths), ProtocolMailbox: in.ProtocolMailbox})
}

// reminderSent reports whether the reminder kind went out for the complaint's current due day.
func (st store) reminderSent(ctx context.Context, id uuid.UUID, kind string) (bool, error) {
	return st.tx.ComplaintReminderSent(ctx, db.ComplaintReminderSentParams{ComplaintID: id, Kind: kind})
}

// openDueBy lists the open complaints due by the day until, with their due day.
func (st store) openDueBy(ctx context.Context, until time.Time) ([]*Complaint, error) {
	rows, err := st.tx.ComplaintOpenDueBy(ctx, pgDay(until))
	if err != nil {
		return nil, err
	}
	out := make([]*Complaint, 0, len(rows))
	for _, r := range rows {
		out = append(out, &Complaint{ID: r.ID, DueOn: romeDay(r.DueOn)})
	}
	return out, nil
}

func (st store) dueDays(ctx context.Context) (int, error) {
	n, err := st.tx.ComplaintDueDays(ctx)
	return int(n), err
}
