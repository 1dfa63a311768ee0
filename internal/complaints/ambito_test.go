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

// TestAmbitoSeesMembersComplaints: the ambito sees, read-only and without the author's data,
// its current members' complaints about its own services — not their other complaints, not a
// non-member's, and none of it in its own inbox, counts or author export; a member that leaves
// takes its complaints out of sight; the view's switch grants no write.
func TestAmbitoSeesMembersComplaints(t *testing.T) {
	now := time.Now()
	svc, env, _ := newService(t, now)
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	a := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, true)
	b := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	outsider := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindAmbito)

	ambService := uuid.New() // a service of the ambito's Carta, as the members' sites show it
	file := func(tn *tenant.Tenant, owner *tenant.Tenant, what string) *complaints.Complaint {
		sub := valid()
		sub.WhatHappened = what
		rec, err := svc.Submit(ctx, tn, sub)
		require.NoError(t, err)
		if owner != nil {
			_, err = env.Admin.Exec(ctx, `UPDATE complaints SET service_id = $1, service_title = 'Assistenza domiciliare', service_owner_id = $2 WHERE tenant_id = $3 AND id = $4`,
				ambService, owner.ID, tn.ID, rec.Complaint.ID)
			require.NoError(t, err)
		}
		return rec.Complaint
	}
	a1 := file(a, amb, "L'operatrice non è venuta lunedì.")
	a2 := file(a, amb, "Orari cambiati senza avviso.")
	file(a, a, "Un servizio del comune.")
	b1 := file(b, amb, "Nessuna risposta al telefono.")
	out1 := file(outsider, amb, "Un comune di fuori.")
	own := file(amb, amb, "Reclamo presentato all'ambito.")
	require.NoError(t, svc.AddNote(ctx, a, a1.ID, "Nota interna del comune."))
	_, err := svc.TakeInCharge(ctx, a, a1.ID, complaints.TakenInCharge)
	require.NoError(t, err)

	v, err := svc.AmbitoView(ctx, amb, complaints.AmbitoFilter{})
	require.NoError(t, err)
	var got []uuid.UUID
	for _, i := range v.Items {
		got = append(got, i.ID)
		require.NotEqual(t, "", i.Comune)
	}
	require.ElementsMatch(t, []uuid.UUID{a1.ID, a2.ID, b1.ID}, got)
	counts := map[uuid.UUID][3]int{}
	for _, m := range v.Members {
		counts[m.ID] = [3]int{m.Total, m.Open, m.Overdue}
	}
	require.Equal(t, map[uuid.UUID][3]int{a.ID: {2, 2, 0}, b.ID: {1, 1, 0}}, counts)

	one, err := svc.AmbitoView(ctx, amb, complaints.AmbitoFilter{Member: &b.ID})
	require.NoError(t, err)
	require.Len(t, one.Items, 1)
	require.Equal(t, b1.ID, one.Items[0].ID)

	item, evs, err := svc.AmbitoComplaint(ctx, amb, a.ID, a1.ID)
	require.NoError(t, err)
	require.Equal(t, "L'operatrice non è venuta lunedì.", item.WhatHappened)
	require.Equal(t, complaints.TakenInCharge, item.Status)
	for _, e := range evs {
		require.NotEqual(t, "note", e.Kind, "internal notes stay with the comune")
	}
	require.Len(t, evs, 2)
	_, _, err = svc.AmbitoComplaint(ctx, amb, outsider.ID, out1.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, _, err = svc.AmbitoComplaint(ctx, amb, b.ID, a1.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the pair comune/complaint must match")

	// Nothing of the members in the ambito's own work.
	in, err := svc.List(ctx, amb, complaints.Filter{Status: "tutti"})
	require.NoError(t, err)
	require.Len(t, in.Complaints, 1)
	require.Equal(t, own.ID, in.Complaints[0].ID)
	total := 0
	for _, n := range in.Counts {
		total += n
	}
	require.Equal(t, 1, total)
	exp, err := svc.ExportAuthor(ctx, amb, own.ID)
	require.NoError(t, err)
	require.Len(t, exp.Complaints, 1, "the same author's complaints at the members are not the ambito's")
	_, err = svc.Get(ctx, amb, a1.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)

	// Only an ambito has the view; another ambito sees none of these.
	_, err = svc.AmbitoView(ctx, a, complaints.AmbitoFilter{})
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	ov, err := svc.AmbitoView(ctx, other, complaints.AmbitoFilter{})
	require.NoError(t, err)
	require.Empty(t, ov.Items)

	// The switch opens reads only: as the runtime role, no write reaches a member's rows.
	require.NoError(t, env.DB.InTx(ctx, amb.ID, func(tx *tenant.Tx) error {
		if _, err := tx.Raw.Exec(ctx, `SELECT set_config('app.ambito_view', 'on', true)`); err != nil {
			return err
		}
		var seen int
		if err := tx.Raw.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE tenant_id = $1`, a.ID).Scan(&seen); err != nil {
			return err
		}
		require.Equal(t, 2, seen)
		tag, err := tx.Raw.Exec(ctx, `UPDATE complaints SET reply = 'scritto dall''ambito' WHERE tenant_id = $1`, a.ID)
		if err != nil {
			return err
		}
		require.Zero(t, tag.RowsAffected())
		return nil
	}))

	// A member that leaves the ambito takes its complaints out of the view.
	_, err = env.Admin.Exec(ctx, `UPDATE ambito_members SET left_at = now() WHERE comune_id = $1`, b.ID)
	require.NoError(t, err)
	v, err = svc.AmbitoView(ctx, amb, complaints.AmbitoFilter{})
	require.NoError(t, err)
	got = nil
	for _, i := range v.Items {
		got = append(got, i.ID)
	}
	require.ElementsMatch(t, []uuid.UUID{a1.ID, a2.ID}, got)
}
