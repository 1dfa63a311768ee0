package complaints

import (
	"context"
	"time"

	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// The complaints' figures for the indicators of the annual report (DOMAIN.md "Indicators";
// internal/quality composes them with ratings and questionnaires). They are counts over the
// tenant's own rows, never personal data, so that they survive the retention's anonymising.
// A complaint counts in the month it was filed. The answer's figures are over the complaints
// the tenant must answer: those it did not forward away, including the copies it received.

// ContactDays is the window of the first contact: a complaint taken in charge (or assigned,
// or answered) within this many days of its filing counts as contacted in time.
const ContactDays = 5

// Figures are the complaints' indicators of one period.
type Figures struct {
	Received          int // filed with the tenant
	ReceivedForwarded int // received from another tenant by forwarding
	ForwardedAway     int // sent to another tenant, which answers them
	Handled           int // the tenant answers them
	Answered          int
	// Decided are the handled complaints answered or past their due day: the base of InTime.
	Decided          int
	InTime           int // answered by the due day
	DaysMean         float64
	DaysMedian       float64
	ContactedInTime  int // first staff step within ContactDays
	Upheld           int
	PartlyUpheld     int
	Rejected         int
	Reopened         int
	SaidSolved, Said int // the authors who said whether the answer solved it, and yes
}

// MonthFigures are one month's.
type MonthFigures struct {
	Month time.Time // the first day, in Italian time
	Figures
}

// Subject is one service and standard the complaints of a period were about.
type Subject struct {
	Service  string // "" for none of the Carta's
	Standard string // "" when none was named
	Count    int
	Upheld   int // fully or partly
}

// PeriodFigures are a period's figures, month by month and per subject.
type PeriodFigures struct {
	From, Until time.Time // [From, Until), Italian days
	Total       Figures
	Months      []MonthFigures // only months with complaints, in order
	Subjects    []Subject
}

// Figures computes the complaints' figures of t for the complaints filed in [from, until)
// (days in Italian time).
func (s *Service) Figures(ctx context.Context, t *tenant.Tenant, from, until time.Time) (*PeriodFigures, error) {
	from, until = dayStart(from), dayStart(until)
	out := &PeriodFigures{From: from, Until: until}
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		var err error
		if out.Total, out.Months, err = st.figures(ctx, from, until, s.d.Now()); err != nil {
			return err
		}
		out.Subjects, err = st.subjects(ctx, from, until)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// YearFigures is Figures of a calendar year.
func (s *Service) YearFigures(ctx context.Context, t *tenant.Tenant, year int) (*PeriodFigures, error) {
	return s.Figures(ctx, t, time.Date(year, 1, 1, 0, 0, 0, 0, itlang.Rome), time.Date(year+1, 1, 1, 0, 0, 0, 0, itlang.Rome))
}

func dayStart(t time.Time) time.Time {
	t = t.In(itlang.Rome)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, itlang.Rome)
}
