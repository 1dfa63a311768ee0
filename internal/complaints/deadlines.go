package complaints

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/tenant"
)

// Deadline reminders. Each complaint gets, in its submitting transaction, three jobs scheduled
// in the queue's own table (so they survive restarts): a reminder to the URP 7 and 2 days
// before the due day, and a notice to the responsabile (and the URP) the morning after it
// when no answer was given. A job finding the complaint answered or closed does nothing.
const (
	remindWeek    = "7"
	remindTwoDays = "2"
	remindOverdue = "scaduto"
)

// reminderHour is when, in Italian time, the reminders go out.
const reminderHour = 9

// DeadlineArgs is a reminder of a complaint's due day.
type DeadlineArgs struct {
	TenantID    uuid.UUID `json:"tenant_id"`
	ComplaintID uuid.UUID `json:"complaint_id"`
	Which       string    `json:"which"` // "7", "2" or "scaduto"
	// Due is the due day the reminder was scheduled for (2026-12-31); a complaint reopened
	// since has another, and the job then does nothing. Empty in jobs queued before it existed.
	Due string `json:"due,omitempty"`
}

// Kind names the job; never change it while jobs of that kind may be waiting.
func (DeadlineArgs) Kind() string { return "complaint_deadline" }

// InsertOpts keeps reminders on the default queue with a retry budget.
func (DeadlineArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

type reminderMoment struct {
	which string
	when  time.Time
}

// moments are the reminders of a complaint due on due, in order.
func moments(due time.Time) []reminderMoment {
	at := func(days int) time.Time {
		d := due.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), reminderHour, 0, 0, 0, itlang.Rome)
	}
	return []reminderMoment{{remindWeek, at(-7)}, {remindTwoDays, at(-2)}, {remindOverdue, at(1)}}
}

// reminders are the deadline jobs of c, filed at now: those whose moment has not passed yet.
func reminders(t *tenant.Tenant, c *Complaint, now time.Time) []river.InsertManyParams {
	var out []river.InsertManyParams
	for _, r := range moments(c.DueOn) {
		if !r.when.After(now) {
			continue
		}
		out = append(out, river.InsertManyParams{Args: DeadlineArgs{TenantID: t.ID, ComplaintID: c.ID, Which: r.which, Due: isoDay(c.DueOn)},
			InsertOpts: &river.InsertOpts{ScheduledAt: r.when, MaxAttempts: 10}})
	}
	return out
}

func isoDay(d time.Time) string { return d.Format(time.DateOnly) }

func reminderKind(which string) string { return "reminder:" + which }

type deadlineWorker struct {
	river.WorkerDefaults[DeadlineArgs]
	svc *Service
}

// Work tells the URP (and, once late, the responsabile) about an open complaint's due day,
// with one e-mail job per person, and records the reminder in the complaint's history.
func (w *deadlineWorker) Work(ctx context.Context, job *river.Job[DeadlineArgs]) error {
	s := w.svc
	t, err := s.d.Tenants.ByID(ctx, job.Args.TenantID)
	if apperr.KindOf(err) == apperr.NotFound || tenant.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("complaint deadline: %w", err)
	}
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.get(ctx, job.Args.ComplaintID, true)
		if err != nil {
			return err
		}
		if !c.Status.Open() || (job.Args.Due != "" && job.Args.Due != isoDay(c.DueOn)) {
			return nil
		}
		// The sweep may have sent it already (or the queue ran it twice): once is enough.
		if sent, err := st.reminderSent(ctx, c.ID, reminderKind(job.Args.Which)); err != nil || sent {
			return err
		}
		roles := []string{access.RoleURP}
		if job.Args.Which == remindOverdue {
			roles = append(roles, access.RoleResponsabile)
		}
		seen := map[string]bool{}
		for _, role := range roles {
			to, err := access.Recipients(ctx, tx, t, role)
			if err != nil {
				return err
			}
			for _, addr := range to {
				if seen[addr] {
					continue
				}
				seen[addr] = true
				m := reminderMail(job.Args.Which, c, t, addr, s.d.SiteURL(t.Slug)+"/admin/reclami/"+c.ID.String())
				if err := s.jobs.InsertTx(ctx, tx.Raw, jobs.SendEmailArgs{Message: m}, nil); err != nil {
					return err
				}
			}
		}
		note := "Promemoria: scadenza tra " + job.Args.Which + " giorni"
		if job.Args.Which == remindOverdue {
			note = "Avviso: risposta in ritardo"
		}
		return st.event(ctx, c.ID, reminderKind(job.Args.Which), c.Status, note, false, nil)
	})
	if apperr.KindOf(err) == apperr.NotFound {
		return nil
	}
	return err
}

func reminderMail(which string, c *Complaint, t *tenant.Tenant, to, link string) mail.Message {
	due := itlang.Date(c.DueOn)
	subject := "Reclamo n. " + c.Protocol() + ": la risposta scade il " + due
	lead := "Il reclamo n. " + c.Protocol() + " " + itlang.Of(t.Name) + " attende ancora una risposta, che va data entro " + itlang.The(c.DueOn) + "."
	if which == remindOverdue {
		subject = "Reclamo n. " + c.Protocol() + ": risposta in ritardo"
		lead = "Il reclamo n. " + c.Protocol() + " " + itlang.Of(t.Name) + " doveva ricevere risposta entro " + itlang.The(c.DueOn) + " e non l'ha ancora avuta."
	}
	if which == remindWeek || which == remindTwoDays {
		subject = "Reclamo n. " + c.Protocol() + ": la risposta scade tra " + which + " giorni"
	}
	body := lead + "\n\nServizio: " + orOther(c.ServiceTitle) + "\nStato: " + c.Status.Label() +
		"\n\nApri il reclamo nell'area riservata:\n\n" + link + "\n\nQuesto messaggio è stato inviato automaticamente: non rispondere.\n"
	return mail.Message{To: to, Subject: subject, Text: body}
}

func orOther(s string) string {
	if s == "" {
		return "Altro"
	}
	return s
}

// SweepDeadlines catches the reminders the queue missed (a job lost in a restore, a complaint
// filed before reminders existed): for each open complaint of t due within a week, the latest
// moment already passed is queued now unless its reminder was recorded. Earlier moments are
// not sent late: a "7 days" reminder two days before is noise. It returns how many it queued.
func (s *Service) SweepDeadlines(ctx context.Context, t *tenant.Tenant) (int, error) {
	now := s.d.Now()
	n := 0
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		open, err := st.openDueBy(ctx, dayOf(now).AddDate(0, 0, 7))
		if err != nil {
			return err
		}
		for _, c := range open {
			var last *reminderMoment
			for _, m := range moments(c.DueOn) {
				if !m.when.After(now) {
					last = &m
				}
			}
			if last == nil {
				continue
			}
			sent, err := st.reminderSent(ctx, c.ID, reminderKind(last.which))
			if err != nil {
				return err
			}
			if sent {
				continue
			}
			args := DeadlineArgs{TenantID: t.ID, ComplaintID: c.ID, Which: last.which, Due: isoDay(c.DueOn)}
			if err := s.jobs.InsertTx(ctx, tx.Raw, args, nil); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sweep deadlines of %s: %w", t.Slug, err)
	}
	if n > 0 {
		s.d.Log.InfoContext(ctx, "missed complaint reminders queued", "tenant", t.Slug, "count", n)
	}
	return n, nil
}
