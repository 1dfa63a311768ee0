package complaints_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/tenant"
)

// TestForwardToTheAmbito forwards a comune's complaint to its ambito: the copy keeps the
// number and dates, both trails record it, the reminders follow it, the ambito's own counter
// is untouched, and the citizen's link on the comune's site shows the ambito's answer.
func TestForwardToTheAmbito(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	svc, env, q := newService(t, now)
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	com := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)

	rec, err := svc.Submit(ctx, com, valid())
	require.NoError(t, err)
	orig := rec.Complaint
	dest, err := svc.ForwardDestination(ctx, com, orig)
	require.NoError(t, err)
	require.NotNil(t, dest)
	require.Equal(t, amb.ID, dest.ID)

	before := q.count(complaints.DeadlineArgs{}.Kind())
	cp, err := svc.Forward(ctx, com, orig.ID, "Il servizio è gestito dall'ambito.")
	require.NoError(t, err)
	require.NotEqual(t, orig.ID, cp.ID)
	require.Equal(t, orig.Protocol(), cp.Protocol())
	require.True(t, orig.SubmittedAt.Equal(cp.SubmittedAt))
	require.True(t, orig.DueOn.Equal(cp.DueOn))
	require.Equal(t, complaints.Received, cp.Status)
	require.Equal(t, com.ID, *cp.OriginTenantID)

	// The reminders now belong to the ambito's copy.
	require.Equal(t, before+3, q.count(complaints.DeadlineArgs{}.Kind()))
	q.mu.Lock()
	last := q.args[len(q.args)-1].(complaints.DeadlineArgs)
	q.mu.Unlock()
	require.Equal(t, amb.ID, last.TenantID)
	require.Equal(t, cp.ID, last.ComplaintID)

	// The origin: not its competence any more, forwarded, with the step in its trail.
	od, err := svc.Get(ctx, com, orig.ID)
	require.NoError(t, err)
	require.Equal(t, complaints.NotCompetent, od.Complaint.Status)
	require.Equal(t, amb.ID, *od.Complaint.ForwardedTo)
	lastEv := od.Events[len(od.Events)-1]
	require.Equal(t, "forwarded", lastEv.Kind)
	require.True(t, lastEv.Public)
	require.Contains(t, lastEv.Note, "Inoltrato a "+amb.Name)
	// Its own reminders find it no longer open: they do nothing.
	require.False(t, od.Complaint.Status.Open())

	// The destination: in its inbox, with the history and the step received.
	in, err := svc.List(ctx, amb, complaints.Filter{})
	require.NoError(t, err)
	require.Len(t, in.Complaints, 1)
	require.Equal(t, orig.Protocol(), in.Complaints[0].Protocol())
	dd, err := svc.Get(ctx, amb, cp.ID)
	require.NoError(t, err)
	kinds := []string{}
	for _, e := range dd.Events {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []string{"submitted", "forwarded", "received"}, kinds)
	require.Contains(t, dd.Events[2].Note, "Ricevuto da "+com.Name)

	// Forwarding again, or from the ambito, is refused.
	_, err = svc.Forward(ctx, com, orig.ID, "")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err))
	_, err = svc.Forward(ctx, amb, cp.ID, "")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err))

	// The ambito's own counter did not move: its first complaint is number 1.
	own, err := svc.Submit(ctx, amb, valid())
	require.NoError(t, err)
	require.Equal(t, 1, own.Complaint.Number)

	// The ambito answers; the citizen reads it through the comune's link.
	_, err = svc.Reply(ctx, amb, cp.ID, complaints.Upheld, "Il colloquio è fissato per lunedì.")
	require.NoError(t, err)
	f, err := svc.ByLink(ctx, com, rec.Link)
	require.NoError(t, err)
	require.Equal(t, orig.Protocol(), f.Complaint.Protocol())
	require.Equal(t, complaints.Answered, f.Complaint.Status)
	require.Equal(t, "Il colloquio è fissato per lunedì.", f.Complaint.Reply)
	var notes []string
	for _, e := range f.Events {
		require.True(t, e.Public)
		notes = append(notes, e.Kind)
	}
	require.Equal(t, []string{"submitted", "forwarded", "received", "reply"}, notes)
	// The link is the comune's only: the ambito's site does not know it.
	_, err = svc.ByLink(ctx, amb, rec.Link)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

// TestForwardOnlyToTheOwnAmbito refuses a comune outside any ambito, and a note too long.
func TestForwardOnlyToTheOwnAmbito(t *testing.T) {
	svc, env, _ := newService(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	alone := env.NewTenant(t, tenant.KindComune)
	rec, err := svc.Submit(ctx, alone, valid())
	require.NoError(t, err)
	d, err := svc.ForwardDestination(ctx, alone, rec.Complaint)
	require.NoError(t, err)
	require.Nil(t, d)
	_, err = svc.Forward(ctx, alone, rec.Complaint.ID, "")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err))
	got, err := svc.Get(ctx, alone, rec.Complaint.ID)
	require.NoError(t, err)
	require.Equal(t, complaints.Received, got.Complaint.Status)
	require.Nil(t, got.Complaint.ForwardedTo)

	amb := env.NewTenant(t, tenant.KindAmbito)
	member := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	rec2, err := svc.Submit(ctx, member, valid())
	require.NoError(t, err)
	_, err = svc.Forward(ctx, member, rec2.Complaint.ID, string(make([]rune, 2001)))
	ae, ok := apperr.As(err)
	require.True(t, ok)
	require.Contains(t, ae.Fields, "forward_note")
}
