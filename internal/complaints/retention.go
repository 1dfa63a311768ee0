package complaints

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/tenant"
)

// AnonymiseExpired removes the personal data of t's complaints closed longer ago than its
// retention (complaint_retention_months, 60 by default): the author, contacts, texts, reply,
// internal notes, attachments and private links go; number, dates, service, status and outcome stay, so
// the indicators keep counting them. It returns how many it anonymised.
func (s *Service) AnonymiseExpired(ctx context.Context, t *tenant.Tenant) (int, error) {
	n := 0
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		n, err = store{tx}.anonymiseExpired(ctx, s.d.Now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("anonymise complaints of %s: %w", t.Slug, err)
	}
	if n > 0 {
		s.d.Log.InfoContext(ctx, "complaints anonymised", "tenant", t.Slug, "count", n)
	}
	return n, nil
}

// RetentionArgs is the daily job that anonymises expired complaints of every tenant.
type RetentionArgs struct{}

// Kind names the job.
func (RetentionArgs) Kind() string { return "complaint_retention" }

type retentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	svc *Service
}

// Work goes through every tenant; one tenant's failure does not stop the others, and the job
// is retried when any failed.
func (w *retentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	return w.svc.eachTenant(ctx, "complaint retention", func(t *tenant.Tenant) error {
		_, err := w.svc.AnonymiseExpired(ctx, t)
		return err
	})
}

// eachTenant runs fn for every tenant; one tenant's failure is logged under what and does not
// stop the others, and the last failure is returned so that the job is retried.
func (s *Service) eachTenant(ctx context.Context, what string, fn func(t *tenant.Tenant) error) error {
	ts, err := s.d.Tenants.List(ctx)
	if err != nil {
		return err
	}
	var failed error
	for _, t := range ts {
		if err := fn(t); err != nil {
			s.d.Log.ErrorContext(ctx, what, "tenant", t.Slug, "err", err)
			failed = err
		}
	}
	return failed
}

// SweepArgs is the periodic job that queues the deadline reminders the queue missed.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "complaint_deadline_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	svc *Service
}

// Work sweeps every tenant; one tenant's failure does not stop the others.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	return w.svc.eachTenant(ctx, "complaint deadline sweep", func(t *tenant.Tenant) error {
		_, err := w.svc.SweepDeadlines(ctx, t)
		return err
	})
}

// Periodic are the complaints' periodic jobs, for jobs.Options.Periodic: the retention and
// the deletion of pending uploads never filed once a day, the deadline sweep every hour (all
// at start too, so a long-stopped deployment catches up).
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return UploadCleanupArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}),
	}
}
