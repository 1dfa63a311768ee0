package auth

import (
	"context"
	"fmt"
	"net/url"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/tenant"
)

// Enqueuer inserts a job in the caller's transaction (*jobs.Client implements it).
type Enqueuer interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// SendLinkArgs is the job that e-mails a one-time link (password reset or invitation). It
// carries the token's id alone: the worker gives the token its secret and builds the message
// when it runs, so the job table never holds a usable link, and a link spent or expired
// meanwhile is not sent at all.
type SendLinkArgs struct {
	TokenID uuid.UUID `json:"token_id"`
}

// Kind names the job in the queue; never change it while jobs of that kind may be waiting.
func (SendLinkArgs) Kind() string { return "auth_send_link" }

// InsertOpts puts the job on the e-mail queue with the e-mail retry budget.
func (SendLinkArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueEmail, MaxAttempts: jobs.EmailMaxAttempts}
}

// enqueueLink enqueues the e-mail of token id in tx.
func (s *Service) enqueueLink(ctx context.Context, tx *tenant.Tx, id uuid.UUID) error {
	if s.jobs == nil {
		return fmt.Errorf("auth: no job queue to send the link")
	}
	return s.jobs.InsertTx(ctx, tx.Raw, SendLinkArgs{TokenID: id}, nil)
}

// Workers is the registration of the link worker for jobs.New. The Service is built first
// (without a queue), then the queue with this registration, then UseJobs gives the Service
// the queue: one Service serves the pages and the worker.
func Workers(s *Service, sender mail.Sender) jobs.Registration {
	return jobs.Register[SendLinkArgs](&linkWorker{svc: s, sender: sender})
}

// UseJobs gives the Service the queue it enqueues its e-mails on.
func (s *Service) UseJobs(j Enqueuer) { s.jobs = j }

type linkWorker struct {
	river.WorkerDefaults[SendLinkArgs]
	svc    *Service
	sender mail.Sender
}

// Work arms the token and sends its message. A failed delivery returns the error and River
// tries again later, with a new secret: only the link of the last message sent works.
func (w *linkWorker) Work(ctx context.Context, job *river.Job[SendLinkArgs]) error {
	m, ok, err := w.svc.linkMessage(ctx, job.Args.TokenID)
	if err != nil {
		return fmt.Errorf("link e-mail: %w", err)
	}
	if !ok {
		w.svc.log.InfoContext(ctx, "link not sent: token spent, expired or withdrawn", "token_id", job.Args.TokenID)
		return nil
	}
	if err := w.sender.Send(ctx, m); err != nil {
		return fmt.Errorf("send link e-mail (attempt %d): %w", job.Attempt, err)
	}
	return nil
}

// linkMessage arms the token and composes its e-mail, in the transaction of the tenant the
// token is for (an invitation is a row of that tenant), committed before the message leaves.
func (s *Service) linkMessage(ctx context.Context, id uuid.UUID) (mail.Message, bool, error) {
	var tok db.UserToken
	err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) (err error) {
		tok, err = tx.UserTokenByID(ctx, id)
		return err
	})
	if tenant.IsNoRows(err) {
		return mail.Message{}, false, nil
	}
	if err != nil {
		return mail.Message{}, false, err
	}
	var t *tenant.Tenant
	if tok.InvitedTo != nil {
		if t, err = s.tenantByID(ctx, *tok.InvitedTo); err != nil {
			return mail.Message{}, false, err
		}
		if t == nil {
			return mail.Message{}, false, nil
		}
	}
	var m mail.Message
	ok := false
	err = s.hostTx(ctx, t, func(tx *tenant.Tx) error {
		raw, tok, live, err := armToken(ctx, tx, id)
		if err != nil || !live {
			return err
		}
		u, err := tx.UserGetByID(ctx, tok.UserID)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return nil
		}
		switch tok.Purpose {
		case purposeReset:
			m, err = mail.PasswordReset(u.Email, mail.ResetData{
				Name: u.DisplayName, TenantName: tenantName(t), ValidFor: "un'ora",
				URL: s.baseURL(t) + "/admin" + pathReset + "?token=" + url.QueryEscape(raw),
			})
		case purposeInvite:
			m, ok, err = s.invitationMessage(ctx, tx, tok, u, t, raw)
			if !ok {
				return err
			}
		default:
			return fmt.Errorf("token purpose %q", tok.Purpose)
		}
		ok = err == nil
		return err
	})
	return m, ok, err
}

// tenantByID returns the tenant, or nil when it no longer exists.
func (s *Service) tenantByID(ctx context.Context, id uuid.UUID) (*tenant.Tenant, error) {
	var t *tenant.Tenant
	err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		r, err := tx.TenantGetByID(ctx, id)
		if err != nil {
			return err
		}
		t = &tenant.Tenant{ID: r.ID, Slug: r.Slug, Name: r.Name}
		return nil
	})
	if tenant.IsNoRows(err) {
		return nil, nil
	}
	return t, err
}
