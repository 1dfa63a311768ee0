package complaints_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
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
	dest, err := svc.ForwardTargets(ctx, com, orig)
	require.NoError(t, err)
	require.Len(t, dest, 1)
	require.Equal(t, amb.ID, dest[0].ID)

	before := q.count(complaints.DeadlineArgs{}.Kind())
	cp, err := svc.Forward(ctx, com, orig.ID, amb.ID, "Il servizio è gestito dall'ambito.")
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

	// Forwarding again is refused; the ambito may only send it back to the comune.
	_, err = svc.Forward(ctx, com, orig.ID, amb.ID, "")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err))
	back, err := svc.ForwardTargets(ctx, amb, cp)
	require.NoError(t, err)
	require.Len(t, back, 1)
	require.Equal(t, com.ID, back[0].ID)
	// The original, handled elsewhere now, cannot be closed at the comune.
	_, err = svc.Close(ctx, com, orig.ID)
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
	d, err := svc.ForwardTargets(ctx, alone, rec.Complaint)
	require.NoError(t, err)
	require.Empty(t, d)
	_, err = svc.Forward(ctx, alone, rec.Complaint.ID, uuid.New(), "")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err))
	got, err := svc.Get(ctx, alone, rec.Complaint.ID)
	require.NoError(t, err)
	require.Equal(t, complaints.Received, got.Complaint.Status)
	require.Nil(t, got.Complaint.ForwardedTo)

	amb := env.NewTenant(t, tenant.KindAmbito)
	member := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	rec2, err := svc.Submit(ctx, member, valid())
	require.NoError(t, err)
	_, err = svc.Forward(ctx, member, rec2.Complaint.ID, amb.ID, string(make([]rune, 2001)))
	ae, ok := apperr.As(err)
	require.True(t, ok)
	require.Contains(t, ae.Fields, "forward_note")
	// Another ambito is not a destination.
	other := env.NewTenant(t, tenant.KindAmbito)
	_, err = svc.Forward(ctx, member, rec2.Complaint.ID, other.ID, "")
	require.Contains(t, fieldOf(err), "forward_to")
	got, err = svc.Get(ctx, member, rec2.Complaint.ID)
	require.NoError(t, err)
	require.Nil(t, got.Complaint.ForwardedTo)
}

// TestForwardBackAndAgain: the ambito sends a comune's complaint back; the original opens
// again at the status it had, with the ambito's steps in its history, fresh reminders and the
// citizen's link showing it; forwarded once more, the ambito's same copy is received anew.
func TestForwardBackAndAgain(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	svc, env, q := newService(t, now)
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	com := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)

	rec, err := svc.Submit(ctx, com, valid())
	require.NoError(t, err)
	orig := rec.Complaint
	_, err = svc.TakeInCharge(ctx, com, orig.ID, complaints.TakenInCharge)
	require.NoError(t, err)
	cp, err := svc.Forward(ctx, com, orig.ID, amb.ID, "")
	require.NoError(t, err)
	require.NoError(t, svc.AddNote(ctx, amb, cp.ID, "Il servizio è del comune: il trasporto non è associato."))

	before := q.count(complaints.DeadlineArgs{}.Kind())
	got, err := svc.Forward(ctx, amb, cp.ID, com.ID, "Il trasporto scolastico è del comune.")
	require.NoError(t, err)
	require.Equal(t, orig.ID, got.ID)
	require.Equal(t, complaints.TakenInCharge, got.Status, "back at the status it had")
	require.Nil(t, got.ForwardedTo)
	require.Equal(t, before+3, q.count(complaints.DeadlineArgs{}.Kind()), "the comune's reminders are renewed")
	q.mu.Lock()
	last := q.args[len(q.args)-1].(complaints.DeadlineArgs)
	q.mu.Unlock()
	require.Equal(t, com.ID, last.TenantID)
	require.Equal(t, orig.ID, last.ComplaintID)

	od, err := svc.Get(ctx, com, orig.ID)
	require.NoError(t, err)
	var kinds []string
	for _, e := range od.Events {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []string{"submitted", "status", "forwarded", "note", "forwarded", "returned"}, kinds)
	require.Contains(t, od.Events[3].Note, "il trasporto non è associato")
	require.False(t, od.Events[3].Public, "an internal note stays internal")
	require.Contains(t, od.Events[4].Note, "Restituito a "+com.Name+": non è di competenza di "+amb.Name+": Il trasporto scolastico è del comune.")
	require.Contains(t, od.Events[5].Note, "Restituito da "+amb.Name)

	// The ambito's copy is closed to it, and out of its open inbox.
	ad, err := svc.Get(ctx, amb, cp.ID)
	require.NoError(t, err)
	require.Equal(t, complaints.NotCompetent, ad.Complaint.Status)
	require.Equal(t, com.ID, *ad.Complaint.ForwardedTo)
	in, err := svc.List(ctx, amb, complaints.Filter{})
	require.NoError(t, err)
	require.Empty(t, in.Complaints)
	_, err = svc.Reply(ctx, amb, cp.ID, complaints.Upheld, "No.")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err))

	// The citizen's link shows the comune's complaint again.
	f, err := svc.ByLink(ctx, com, rec.Link)
	require.NoError(t, err)
	require.Equal(t, orig.ID, f.Complaint.ID)
	require.Equal(t, complaints.TakenInCharge, f.Complaint.Status)

	// The inbox names the other side.
	cin, err := svc.List(ctx, com, complaints.Filter{})
	require.NoError(t, err)
	require.Len(t, cin.Complaints, 1)
	require.Empty(t, cin.Forwarding(cin.Complaints[0]))

	// Forwarded again: the same copy, received anew, with what the comune did meanwhile.
	require.NoError(t, svc.AddNote(ctx, com, orig.ID, "Sentito l'ufficio: è dell'ambito."))
	again, err := svc.Forward(ctx, com, orig.ID, amb.ID, "")
	require.NoError(t, err)
	require.Equal(t, cp.ID, again.ID)
	require.Equal(t, complaints.Received, again.Status)
	ad, err = svc.Get(ctx, amb, cp.ID)
	require.NoError(t, err)
	kinds = nil
	for _, e := range ad.Events {
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []string{"submitted", "status", "forwarded", "received", "note", "forwarded", "note", "forwarded", "received"}, kinds)
	ain, err := svc.List(ctx, amb, complaints.Filter{})
	require.NoError(t, err)
	require.Len(t, ain.Complaints, 1)
	require.Equal(t, "inoltrato da "+com.Name, ain.Forwarding(ain.Complaints[0]))
	cin, err = svc.List(ctx, com, complaints.Filter{Status: "tutti"})
	require.NoError(t, err)
	require.Equal(t, "inoltrato a "+amb.Name, cin.Forwarding(cin.Complaints[0]))
}

// TestAmbitoForwardsToAMember: a complaint filed at the ambito about a comune's own service
// goes to that member comune, chosen among the current members only, and can come back.
func TestAmbitoForwardsToAMember(t *testing.T) {
	svc, env, _ := newService(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	a := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, true)
	b := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	outsider := env.NewTenant(t, tenant.KindComune)

	rec, err := svc.Submit(ctx, amb, valid())
	require.NoError(t, err)
	targets, err := svc.ForwardTargets(ctx, amb, rec.Complaint)
	require.NoError(t, err)
	var ids []uuid.UUID
	for _, d := range targets {
		ids = append(ids, d.ID)
	}
	require.ElementsMatch(t, []uuid.UUID{a.ID, b.ID}, ids)
	_, err = svc.Forward(ctx, amb, rec.Complaint.ID, outsider.ID, "")
	require.Contains(t, fieldOf(err), "forward_to")

	cp, err := svc.Forward(ctx, amb, rec.Complaint.ID, b.ID, "")
	require.NoError(t, err)
	require.Equal(t, amb.ID, *cp.OriginTenantID)
	require.Equal(t, rec.Complaint.Protocol(), cp.Protocol())
	_, err = svc.Reply(ctx, b, cp.ID, complaints.Upheld, "Il comune provvede.")
	require.NoError(t, err)
	f, err := svc.ByLink(ctx, amb, rec.Link)
	require.NoError(t, err)
	require.Equal(t, "Il comune provvede.", f.Complaint.Reply)
	_, err = svc.Get(ctx, a, cp.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the other member sees nothing of it")
}
