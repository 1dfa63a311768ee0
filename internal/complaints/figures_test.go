package complaints_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// TestFiguresAgainstHandCounts files a small year by the Service's clock and compares the
// indicators with the figures counted by hand: two complaints in January (one answered in 10
// days, upheld, taken in charge on day 2; one answered in 40 days, rejected, taken in charge
// on day 7), two in February (one never answered and now overdue, one forwarded to the
// ambito), one in the next year (outside).
func TestFiguresAgainstHandCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 10, 0, 0, 0, itlang.Rome) }
	c := newClock(day(1, 7))
	svc, env, _ := clockedService(t, c)
	amb := env.NewTenant(t, tenant.KindAmbito)
	tn := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	stepAt := func(id any, kind string, at time.Time) {
		_, err := env.Admin.Exec(ctx, `UPDATE complaint_events SET at = $1 WHERE tenant_id = $2 AND complaint_id = $3 AND kind = $4`, at, tn.ID, id, kind)
		require.NoError(t, err)
	}

	c1, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	_, err = svc.TakeInCharge(ctx, tn, c1.Complaint.ID, complaints.TakenInCharge)
	require.NoError(t, err)
	stepAt(c1.Complaint.ID, "status", day(1, 9))
	c.set(day(1, 17))
	_, err = svc.Reply(ctx, tn, c1.Complaint.ID, complaints.Upheld, "Fatto.")
	require.NoError(t, err)
	stepAt(c1.Complaint.ID, "reply", day(1, 17))

	c.set(day(1, 20))
	c2, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	_, err = svc.TakeInCharge(ctx, tn, c2.Complaint.ID, complaints.UnderReview)
	require.NoError(t, err)
	stepAt(c2.Complaint.ID, "status", day(1, 27))
	c.set(day(3, 1)) // 40 days later
	_, err = svc.Reply(ctx, tn, c2.Complaint.ID, complaints.Rejected, "No.")
	require.NoError(t, err)
	stepAt(c2.Complaint.ID, "reply", day(3, 1))

	c.set(day(2, 3))
	_, err = svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	c4, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	_, err = svc.Forward(ctx, tn, c4.Complaint.ID, amb.ID, "")
	require.NoError(t, err)
	c.set(time.Date(2026, 1, 2, 10, 0, 0, 0, itlang.Rome))
	_, err = svc.Submit(ctx, tn, valid())
	require.NoError(t, err)

	c.set(day(12, 31))
	f, err := svc.YearFigures(ctx, tn, 2025)
	require.NoError(t, err)
	require.Equal(t, complaints.Figures{Received: 4, ForwardedAway: 1, Handled: 3, Answered: 2, Decided: 3, InTime: 1,
		DaysMean: 25, DaysMedian: 25, ContactedInTime: 1, Upheld: 1, Rejected: 1}, f.Total)
	require.Len(t, f.Months, 2)
	require.Equal(t, time.January, f.Months[0].Month.Month())
	require.Equal(t, 2, f.Months[0].Received)
	require.Equal(t, 1, f.Months[0].InTime)
	require.Equal(t, time.February, f.Months[1].Month.Month())
	require.Equal(t, 2, f.Months[1].Received)
	require.Equal(t, 1, f.Months[1].Handled)
	require.Equal(t, []complaints.Subject{{Count: 3, Upheld: 1}}, f.Subjects, "all three about no service of the Carta")

	// The ambito counts the copy it received, not as filed with it.
	af, err := svc.YearFigures(ctx, amb, 2025)
	require.NoError(t, err)
	require.Equal(t, 0, af.Total.Received)
	require.Equal(t, 1, af.Total.ReceivedForwarded)
	require.Equal(t, 1, af.Total.Handled)
	require.Equal(t, 1, af.Total.Decided, "overdue by the end of the year")
}
