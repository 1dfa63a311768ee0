package publication

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// Schedule statuses, as stored.
const (
	StatusPending   = "pending"
	StatusDone      = "done"
	StatusCancelled = "cancelled"
	StatusFailed    = "failed"
)

// ScheduleMaxAttempts bounds the retries of a scheduled publication that fails for a technical
// reason (database unreachable). An incomplete draft is not retried: it is recorded as failed
// at once, since waiting will not complete it.
const ScheduleMaxAttempts = 5

// PublishScheduledArgs is the job that runs one scheduled publication.
type PublishScheduledArgs struct {
	TenantID   uuid.UUID `json:"tenant_id"`
	ScheduleID uuid.UUID `json:"schedule_id"`
}

// Kind names the job in the queue; never change it while such jobs may be waiting.
func (PublishScheduledArgs) Kind() string { return "carta_publish_scheduled" }

// InsertOpts bounds the retries.
func (PublishScheduledArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueDefault, MaxAttempts: ScheduleMaxAttempts}
}

// ScheduleLatest is the latest moment a publication scheduled at now may be planned for: one
// year ahead. A Carta planned further out is a typing mistake (the year 9999) rather than a
// plan, and would leave a job waiting for ever.
func ScheduleLatest(now time.Time) time.Time { return now.AddDate(1, 0, 0) }

// Schedule plans the publication of the draft as it will be at time at, with a change note.
// The schedule row and its job are written in one transaction, so neither exists without the
// other. at must be in the future, and no later than ScheduleLatest.
func (s *Service) Schedule(ctx context.Context, t *tenant.Tenant, at time.Time, note string) (uuid.UUID, error) {
	note, err := validNote(note)
	if err != nil {
		return uuid.Nil, err
	}
	if now := s.now(); !at.After(now) || at.After(ScheduleLatest(now)) {
		return uuid.Nil, apperr.InvalidFields(map[string]string{"at": "Scegli una data e un'ora future, entro un anno."})
	}
	if s.d.Jobs == nil {
		return uuid.Nil, apperr.New(apperr.Unavailable, "La pubblicazione programmata non è disponibile in questo momento.")
	}
	var createdBy *uuid.UUID
	if st := principal.StaffFrom(ctx); st != nil {
		id := st.UserID
		createdBy = &id
	}
	at = at.UTC().Truncate(time.Microsecond)
	var id uuid.UUID
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		id, err = tx.PublicationScheduleInsert(ctx, db.PublicationScheduleInsertParams{PublishAt: at, Note: note, CreatedBy: createdBy})
		if err != nil {
			return fmt.Errorf("insert schedule: %w", err)
		}
		if err := s.d.Jobs.InsertTx(ctx, tx.Raw, PublishScheduledArgs{TenantID: t.ID, ScheduleID: id},
			&river.InsertOpts{ScheduledAt: at}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{
			Action: "carta.schedule", ObjectType: "carta_schedule", ObjectID: id.String(), ObjectName: "Pubblicazione " + itlang.DatePrep("del", at),
			Changes: audit.Changes(nil, map[string]string{"Data e ora": itlang.DateTime(at), "Nota": note}),
			Details: map[string]any{"publish_at": at.Format(time.RFC3339), "note": note},
		})
	})
	return id, err
}

// ErrNotPending is returned by Cancel for a schedule that already ran or was cancelled.
var ErrNotPending = apperr.New(apperr.Conflict, "Questa pubblicazione programmata non è più in attesa: è già stata eseguita o annullata.")

// Cancel stops a pending scheduled publication. Its job still runs at the time and does
// nothing. A schedule being published right now is waited for, then reported as ErrNotPending.
func (s *Service) Cancel(ctx context.Context, t *tenant.Tenant, id uuid.UUID) error {
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		n, err := tx.PublicationScheduleCancel(ctx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			if _, err := tx.PublicationScheduleGet(ctx, id); tenant.IsNoRows(err) {
				return apperr.ErrNotFound
			} else if err != nil {
				return err
			}
			return ErrNotPending
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "carta.schedule.cancel", ObjectType: "carta_schedule", ObjectID: id.String()})
	})
}

// Scheduled is a scheduled publication as listed.
type Scheduled struct {
	ID            uuid.UUID
	At            time.Time
	Note          string
	CreatedBy     string
	Status        string
	ResultVersion int
	ResultNote    string
}

// StatusLabel is the Italian status.
func (s Scheduled) StatusLabel() string {
	switch s.Status {
	case StatusPending:
		return "In attesa"
	case StatusDone:
		return "Pubblicata"
	case StatusCancelled:
		return "Annullata"
	case StatusFailed:
		return "Non eseguita"
	}
	return s.Status
}

// Schedules lists the tenant's pending scheduled publications, soonest first, and the most
// recent ones that ran, failed or were cancelled.
func (s *Service) Schedules(ctx context.Context, tx *tenant.Tx, recent int) (pending, past []Scheduled, err error) {
	pr, err := tx.PublicationSchedulePending(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range pr {
		pending = append(pending, scheduledOf(db.CartaSchedule{ID: r.ID, PublishAt: r.PublishAt, Note: r.Note,
			Status: r.Status, ResultVersion: r.ResultVersion, ResultNote: r.ResultNote}, r.CreatedByName))
	}
	rr, err := tx.PublicationScheduleRecent(ctx, int32(recent))
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rr {
		past = append(past, scheduledOf(db.CartaSchedule{ID: r.ID, PublishAt: r.PublishAt, Note: r.Note,
			Status: r.Status, ResultVersion: r.ResultVersion, ResultNote: r.ResultNote}, r.CreatedByName))
	}
	return pending, past, nil
}

func scheduledOf(r db.CartaSchedule, by string) Scheduled {
	sc := Scheduled{ID: r.ID, At: r.PublishAt, Note: r.Note, CreatedBy: by, Status: r.Status, ResultNote: r.ResultNote}
	if r.ResultVersion != nil {
		sc.ResultVersion = int(*r.ResultVersion)
	}
	return sc
}

// Workers is the registration of the scheduled-publication worker, for jobs.New. svc needs no
// Jobs client of its own: build it with New before the client, then give the client to the
// service that schedules.
func Workers(svc *Service) jobs.Registration {
	return jobs.Register[PublishScheduledArgs](&scheduleWorker{svc: svc})
}

type scheduleWorker struct {
	river.WorkerDefaults[PublishScheduledArgs]
	svc *Service
}

// Work publishes the draft as it is now, unless the schedule was cancelled meanwhile. An
// incomplete draft marks the schedule failed, with the missing fields in Italian, and is not
// retried; a technical error is retried and, at the last attempt, marks it failed.
func (w *scheduleWorker) Work(ctx context.Context, job *river.Job[PublishScheduledArgs]) error {
	s := w.svc
	ctx = AsActor(ctx, ActorScheduled)
	t, err := s.tenants.ByID(ctx, job.Args.TenantID)
	if apperr.KindOf(err) == apperr.NotFound || tenant.IsNoRows(err) {
		// The tenant is gone: nothing to publish, and retrying will not bring it back.
		s.d.Log.WarnContext(ctx, "scheduled publication of an unknown tenant", "tenant_id", job.Args.TenantID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("scheduled publication: tenant: %w", err)
	}
	var published *catalog.Carta
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sc, err := tx.PublicationScheduleLock(ctx, job.Args.ScheduleID)
		if tenant.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if sc.Status != StatusPending {
			return nil // cancelled (or already run by an earlier attempt)
		}
		c, err := s.publishTx(ctx, tx, t, sc.Note, publisherFrom(ctx))
		var inc *Incomplete
		if errors.As(err, &inc) {
			// publishTx refused before writing anything: record why and stop.
			msg := "Non pubblicata: la Carta era incompleta."
			if ae, ok := apperr.As(err); ok {
				msg = ae.Message
			}
			return tx.PublicationScheduleFinish(ctx, db.PublicationScheduleFinishParams{
				ID: sc.ID, Status: StatusFailed, ResultNote: msg,
			})
		}
		if err != nil {
			return err
		}
		v := int32(c.Version)
		if err := tx.PublicationScheduleFinish(ctx, db.PublicationScheduleFinishParams{
			ID: sc.ID, Status: StatusDone, ResultVersion: &v, ResultNote: fmt.Sprintf("Pubblicata la versione %d.", c.Version),
		}); err != nil {
			return err
		}
		published = c
		return nil
	})
	if err != nil {
		if job.Attempt >= job.MaxAttempts {
			w.giveUp(ctx, t, job.Args.ScheduleID, err)
		}
		return fmt.Errorf("scheduled publication (attempt %d): %w", job.Attempt, err)
	}
	if published != nil {
		s.published(ctx, t, published.Version)
	}
	return nil
}

// giveUp records a schedule that failed at every attempt, so staff see it did not happen.
func (w *scheduleWorker) giveUp(ctx context.Context, t *tenant.Tenant, id uuid.UUID, cause error) {
	s := w.svc
	s.d.Log.ErrorContext(ctx, "scheduled publication abandoned", "tenant", t.Slug, "schedule_id", id, "err", cause)
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return tx.PublicationScheduleFinish(ctx, db.PublicationScheduleFinishParams{
			ID: id, Status: StatusFailed,
			ResultNote: "Non pubblicata per un errore tecnico dopo più tentativi: pubblica di nuovo o contatta l'assistenza.",
		})
	})
	if err != nil {
		s.d.Log.ErrorContext(ctx, "recording an abandoned scheduled publication", "schedule_id", id, "err", err)
	}
}

// parseRomeLocal reads a datetime-local value ("2026-03-01T09:30") as Europe/Rome time.
func parseRomeLocal(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, rome); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()
