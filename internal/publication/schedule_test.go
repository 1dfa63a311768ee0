package publication_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

type schedule struct {
	status  string
	version *int32
	note    string
}

func scheduleRow(t *testing.T, env *testenv.Env, tn *tenant.Tenant, id uuid.UUID) schedule {
	t.Helper()
	var s schedule
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		`SELECT status, result_version, result_note FROM carta_schedules WHERE tenant_id = $1 AND id = $2`, tn.ID, id).
		Scan(&s.status, &s.version, &s.note))
	return s
}

func jobState(t *testing.T, env *testenv.Env, id uuid.UUID) string {
	t.Helper()
	var state string
	err := env.Admin.QueryRow(context.Background(),
		`SELECT state FROM river.river_job WHERE kind = $1 AND args->>'schedule_id' = $2`,
		publication.PublishScheduledArgs{}.Kind(), id.String()).Scan(&state)
	require.NoError(t, err)
	return state
}

// The only test of the package that works the queue: one River client per database.
func TestScheduledPublication(t *testing.T) {
	env := testenv.Get(t)
	migrateJobs(t, env)
	ctx := context.Background()
	rec := &recorder{env: env}

	// The worker's service needs no jobs client; the scheduling one gets the client after.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	client, err := jobs.NewWithOptions(env.Runtime, log, jobs.Options{FetchPollInterval: 100 * time.Millisecond},
		publication.Workers(publication.New(deps(env, rec))))
	require.NoError(t, err)
	require.NoError(t, client.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, client.Stop(sctx))
	})
	d := deps(env, rec)
	d.Jobs = client
	svc := publication.New(d)
	_, staffCtx := newUser(t, env, "Paola Gialli")

	// Three tenants scheduled at once, so the scheduler's interval is waited for only once.
	okT := env.NewTenant(t, tenant.KindComune)
	addService(t, env, okT, "Segretariato sociale", svcOpts{})
	badT := env.NewTenant(t, tenant.KindComune)
	addService(t, env, badT, "Contributo affitto", svcOpts{incomplete: true})
	cancelT := env.NewTenant(t, tenant.KindComune)
	addService(t, env, cancelT, "Segretariato sociale", svcOpts{})

	at := time.Now().Add(3 * time.Second)
	okID, err := svc.Schedule(staffCtx, okT, at, "Aggiornamento di marzo")
	require.NoError(t, err)
	badID, err := svc.Schedule(staffCtx, badT, at, "")
	require.NoError(t, err)
	cancelID, err := svc.Schedule(staffCtx, cancelT, at, "")
	require.NoError(t, err)
	require.Equal(t, 1, count(t, env, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'carta.schedule' AND object_id = $2`,
		okT.ID, okID.String()))

	require.NoError(t, svc.Cancel(staffCtx, cancelT, cancelID))
	require.Equal(t, "cancelled", scheduleRow(t, env, cancelT, cancelID).status)
	require.ErrorIs(t, svc.Cancel(staffCtx, cancelT, cancelID), publication.ErrNotPending)
	require.Equal(t, apperr.NotFound, apperr.KindOf(svc.Cancel(staffCtx, cancelT, uuid.New())))
	require.Equal(t, apperr.NotFound, apperr.KindOf(svc.Cancel(staffCtx, okT, cancelID)), "another tenant's schedule")

	// Nothing happens before the time.
	require.Equal(t, "pending", scheduleRow(t, env, okT, okID).status)
	require.Zero(t, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, okT.ID))

	t.Run("runs at its time", func(t *testing.T) {
		require.Eventually(t, func() bool { return scheduleRow(t, env, okT, okID).status != "pending" },
			45*time.Second, 100*time.Millisecond)
		s := scheduleRow(t, env, okT, okID)
		require.Equal(t, "done", s.status)
		require.NotNil(t, s.version)
		require.EqualValues(t, 1, *s.version)
		var label, note string
		var publishedAt time.Time
		var by *uuid.UUID
		require.NoError(t, env.Admin.QueryRow(ctx, `SELECT publisher_label, note, published_at, published_by
			FROM carta_versions WHERE tenant_id = $1 AND number = 1`, okT.ID).Scan(&label, &note, &publishedAt, &by))
		require.Equal(t, publication.ActorScheduled, label)
		require.Nil(t, by)
		require.Equal(t, "Aggiornamento di marzo", note)
		require.False(t, publishedAt.Before(at.Truncate(time.Second)), "published before its time")
		require.Equal(t, 1, count(t, env, `SELECT count(*) FROM audit_log WHERE tenant_id = $1
			AND action = 'carta.publish' AND actor_label = $2`, okT.ID, publication.ActorScheduled))
		evs := rec.of(okT.ID)
		require.Len(t, evs, 1)
		require.Equal(t, 1, evs[0].visible)
	})

	t.Run("an incomplete draft is recorded as failed, once", func(t *testing.T) {
		require.Eventually(t, func() bool { return scheduleRow(t, env, badT, badID).status != "pending" },
			45*time.Second, 100*time.Millisecond)
		s := scheduleRow(t, env, badT, badID)
		require.Equal(t, "failed", s.status)
		require.Nil(t, s.version)
		require.Contains(t, s.note, "«Contributo affitto»: Descrizione breve")
		require.Zero(t, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, badT.ID))
		require.Empty(t, rec.of(badT.ID))
		require.Eventually(t, func() bool { return jobState(t, env, badID) == "completed" }, 10*time.Second, 50*time.Millisecond,
			"an incomplete draft is final, not retried")
	})

	t.Run("a cancelled schedule does nothing", func(t *testing.T) {
		require.Eventually(t, func() bool { return jobState(t, env, cancelID) == "completed" }, 45*time.Second, 100*time.Millisecond)
		require.Equal(t, "cancelled", scheduleRow(t, env, cancelT, cancelID).status)
		require.Zero(t, count(t, env, `SELECT count(*) FROM carta_versions WHERE tenant_id = $1`, cancelT.ID))
		require.Empty(t, rec.of(cancelT.ID))
		require.ErrorIs(t, svc.Cancel(staffCtx, okT, okID), publication.ErrNotPending, "a schedule already run cannot be cancelled")
	})

	t.Run("a time in the past is refused", func(t *testing.T) {
		_, err := svc.Schedule(staffCtx, okT, time.Now().Add(-time.Minute), "")
		ae, ok := apperr.As(err)
		require.True(t, ok)
		require.Equal(t, apperr.Invalid, ae.Kind)
		require.Contains(t, ae.Fields, "at")
	})

	t.Run("the page data lists pending and past schedules", func(t *testing.T) {
		var pending, past []publication.Scheduled
		require.NoError(t, env.DB.InTx(ctx, cancelT.ID, func(tx *tenant.Tx) error {
			var err error
			pending, past, err = svc.Schedules(ctx, tx, 10)
			return err
		}))
		require.Empty(t, pending)
		require.Len(t, past, 1)
		require.Equal(t, "Annullata", past[0].StatusLabel())
		require.Equal(t, "Paola Gialli", past[0].CreatedBy)
	})
}

func TestScheduleWithoutJobsIsUnavailable(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	svc := publication.New(deps(env, &recorder{env: env}))
	tn := env.NewTenant(t, tenant.KindComune)
	_, err := svc.Schedule(context.Background(), tn, time.Now().Add(time.Hour), "")
	require.Equal(t, apperr.Unavailable, apperr.KindOf(err))
	require.Zero(t, count(t, env, `SELECT count(*) FROM carta_schedules WHERE tenant_id = $1`, tn.ID))
}
