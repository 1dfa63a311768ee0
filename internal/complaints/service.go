package complaints

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// Enqueuer inserts a job in the caller's transaction (*jobs.Client implements it).
type Enqueuer interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Deps are what the Service needs.
type Deps struct {
	DB      *tenant.DB
	Tenants interface {
		ByID(ctx context.Context, id uuid.UUID) (*tenant.Tenant, error)
		List(ctx context.Context) ([]*tenant.Tenant, error)
		Members(ctx context.Context, ambitoID uuid.UUID) ([]tenant.Member, error)
	}
	// SiteURL is the absolute address of a tenant's citizen site (config.TenantURL).
	SiteURL func(slug string) string
	Log     *slog.Logger
	// Now is the clock (time.Now when nil): tests move it.
	Now func() time.Time
	// MaxPendingBytes bounds the tenant's uploads waiting for their complaint (0:
	// MaxPendingBytes).
	MaxPendingBytes int64
}

// Service is the complaints' use cases, one for every entry point.
type Service struct {
	d    Deps
	jobs Enqueuer
}

// New builds the Service; UseJobs gives it the queue, which is built after it (the queue works
// the Service's own jobs).
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// UseJobs gives the Service the queue its e-mails go on.
func (s *Service) UseJobs(j Enqueuer) { s.jobs = j }

// Today is the Service's current day.
func (s *Service) Today() time.Time { return dayOf(s.d.Now()) }

// Choice is a service a complaint can be about, with the standards it promises.
type Choice struct {
	ID        uuid.UUID
	Title     string
	Standards []string
	// OwnerID is the tenant whose Carta publishes the service: t itself or its ambito.
	OwnerID uuid.UUID
}

// Choices lists the services t's citizen site shows (catalog's one rule: its own and its
// ambito's, less those it hides), in the citizen order.
func (s *Service) Choices(ctx context.Context, t *tenant.Tenant) ([]Choice, error) {
	var out []Choice
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		v, err := catalog.LoadView(ctx, tx, t)
		if err != nil {
			return err
		}
		shown := v.Shown()
		if shown == nil {
			return nil
		}
		for _, sv := range shown.Services() {
			ch := Choice{ID: sv.ID, Title: sv.Title, OwnerID: t.ID}
			if sv.FromAmbito && t.Ambito != nil {
				ch.OwnerID = t.Ambito.ID
			}
			for _, st := range sv.Standards {
				ch.Standards = append(ch.Standards, st.Description)
			}
			out = append(out, ch)
		}
		return nil
	})
	return out, err
}

// Receipt is what the citizen gets back: the complaint and the private link to follow it.
type Receipt struct {
	Complaint *Complaint
	Link      string // the token of the private link; shown once, only its hash is stored
}

// Submit files a complaint in one transaction: protocol number, due date, history and the
// acknowledgement e-mail's job. When it returns without error the complaint is committed.
// Invalid fields come back as apperr.Invalid with Fields; the service must be one of Choices.
// The pending uploads of sub.Uploads (at most MaxAttachments, each still valid) become the
// complaint's attachments in the same transaction.
func (s *Service) Submit(ctx context.Context, t *tenant.Tenant, sub Submission) (*Receipt, error) {
	sub.Normalize()
	if sub.Channel == "" {
		sub.Channel = Web
	}
	f := sub.Validate()
	if sub.ServiceID != nil {
		choices, err := s.Choices(ctx, t)
		if err != nil {
			return nil, err
		}
		var found *Choice
		for i := range choices {
			if choices[i].ID == *sub.ServiceID {
				found = &choices[i]
			}
		}
		switch {
		case found == nil:
			f["service"] = msgService
		case sub.Standard != "" && !slices.Contains(found.Standards, sub.Standard):
			f["standard"] = msgStandard
		default:
			sub.ServiceTitle, sub.serviceOwner = found.Title, &found.OwnerID
		}
	} else if sub.Standard != "" {
		f["standard"] = msgStandard
	}
	uploads := checkUploads(sub.Uploads, f)
	if len(f) > 0 {
		return nil, apperr.InvalidFields(f)
	}
	var rec Receipt
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.create(ctx, &sub, s.d.Now())
		if err != nil {
			return err
		}
		if err := st.event(ctx, c.ID, "submitted", Received, "", true, actorID(ctx)); err != nil {
			return err
		}
		if err := st.attach(ctx, c.ID, uploads, s.d.Now().Add(-UploadTTL)); err != nil {
			return err
		}
		if rec.Link, err = st.newLink(ctx, c.ID, "conferma"); err != nil {
			return err
		}
		if s.jobs == nil {
			return errors.New("complaints: no job queue")
		}
		if c.Email != "" {
			if err := s.jobs.InsertTx(ctx, tx.Raw, AcknowledgeArgs{TenantID: t.ID, ComplaintID: c.ID}, nil); err != nil {
				return err
			}
		}
		for _, r := range reminders(t, c, s.d.Now()) {
			if err := s.jobs.InsertTx(ctx, tx.Raw, r.Args, r.InsertOpts); err != nil {
				return err
			}
		}
		set, err := st.settings(ctx)
		if err != nil {
			return err
		}
		if set.ProtocolMailbox != "" {
			if err := s.jobs.InsertTx(ctx, tx.Raw, ProtocolMailArgs{TenantID: t.ID, ComplaintID: c.ID, To: set.ProtocolMailbox}, nil); err != nil {
				return err
			}
		}
		rec.Complaint = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.d.Log.InfoContext(ctx, "complaint filed", "tenant", t.Slug, "protocol", rec.Complaint.Protocol())
	return &rec, nil
}

func actorID(ctx context.Context) *uuid.UUID {
	if st := principal.StaffFrom(ctx); st != nil && st.UserID != uuid.Nil {
		id := st.UserID
		return &id
	}
	return nil
}

// Followed is a complaint as its author sees it through the private link.
type Followed struct {
	Complaint   *Complaint
	Events      []Event  // the public ones
	Attachments []Upload // the files the author attached (names and sizes)
}

// ByLink returns the complaint of a private link on t's site; apperr.ErrNotFound otherwise.
func (s *Service) ByLink(ctx context.Context, t *tenant.Tenant, raw string) (*Followed, error) {
	var out Followed
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.byLink(ctx, raw)
		if err != nil {
			return err
		}
		evs, err := st.events(ctx, c.ID)
		if err != nil {
			return err
		}
		out.Complaint = c
		if out.Attachments, err = st.attachments(ctx, c.ID); err != nil {
			return err
		}
		for _, e := range evs {
			if e.Public {
				out.Events = append(out.Events, e)
			}
		}
		return nil
	})
	if err == nil {
		err = s.forwardedProgress(ctx, t, &out)
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Inbox is one page of the URP's list with the counts per status.
type Inbox struct {
	Complaints []*Complaint
	Counts     map[Status]int
	More       bool // a next page follows
	// Partners names the tenants the listed complaints came from or went to (forward.go).
	Partners map[uuid.UUID]string
}

// Forwarding says where c came from or went, for the list: "" when never forwarded.
func (in *Inbox) Forwarding(c *Complaint) string {
	switch {
	case c.ForwardedTo != nil:
		return "inoltrato a " + in.Partners[*c.ForwardedTo]
	case c.OriginTenantID != nil:
		return "inoltrato da " + in.Partners[*c.OriginTenantID]
	}
	return ""
}

// InboxLimit is the size of one page of the list.
const InboxLimit = 50

// List returns t's complaints that f selects, newest first.
func (s *Service) List(ctx context.Context, t *tenant.Tenant, f Filter) (*Inbox, error) {
	var out Inbox
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		var err error
		limit := f.Limit
		if limit <= 0 {
			limit = InboxLimit
		}
		limit = min(limit, MaxLimit)
		if out.Complaints, err = st.inbox(ctx, f, s.d.Now(), limit+1); err != nil {
			return err
		}
		if len(out.Complaints) > limit {
			out.Complaints, out.More = out.Complaints[:limit], true
		}
		out.Counts, err = st.counts(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Partners = map[uuid.UUID]string{}
	for _, c := range out.Complaints {
		for _, id := range []*uuid.UUID{c.ForwardedTo, c.OriginTenantID} {
			if id == nil {
				continue
			}
			if _, ok := out.Partners[*id]; ok {
				continue
			}
			p, err := s.d.Tenants.ByID(ctx, *id)
			switch {
			case err == nil:
				out.Partners[*id] = p.Name
			case apperr.KindOf(err) == apperr.NotFound || tenant.IsNoRows(err):
				out.Partners[*id] = "un ente non più attivo"
			default:
				return nil, err
			}
		}
	}
	return &out, nil
}

// Detail is one complaint with its whole history and its offices, for staff.
type Detail struct {
	Complaint   *Complaint
	Attachments []Upload
	Events      []Event
	Assigned    []Office
	Offices     []Office // those it can be assigned to
}

// Coordinated reports whether the complaint involves several offices (the coordination
// table: the URP composes one reply from their contributions).
func (d *Detail) Coordinated() bool { return len(d.Assigned) > 1 }

// IsAssigned reports whether the office is among the assigned ones.
func (d *Detail) IsAssigned(id uuid.UUID) bool {
	for _, o := range d.Assigned {
		if o.ID == id {
			return true
		}
	}
	return false
}

// Get returns one complaint of t; apperr.ErrNotFound when t has none with that id.
func (s *Service) Get(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*Detail, error) {
	var out Detail
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		var err error
		if out.Complaint, err = st.get(ctx, id, false); err != nil {
			return err
		}
		if out.Assigned, err = st.assignments(ctx, id); err != nil {
			return err
		}
		if out.Attachments, err = st.attachments(ctx, id); err != nil {
			return err
		}
		out.Events, err = st.events(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Offices, err = s.Offices(ctx, t); err != nil {
		return nil, err
	}
	return &out, nil
}

// Messages of the staff actions.
const (
	msgNotOpen    = "Il reclamo non è più aperto: non si può cambiare il suo stato."
	msgReplyText  = "Scrivi la risposta per il cittadino (al massimo 8000 caratteri)."
	msgOutcome    = "Scegli l'esito: accolto, parzialmente accolto o respinto."
	msgNotAnswerd = "Si può chiudere un reclamo solo dopo averlo risposto, o se non è di competenza."
)

// change runs fn on the locked complaint in a transaction of t and records the event.
func (s *Service) change(ctx context.Context, t *tenant.Tenant, id uuid.UUID, fn func(st store, c *Complaint) (*Complaint, string, string, bool, error)) (*Complaint, error) {
	var out *Complaint
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.get(ctx, id, true)
		if err != nil {
			return err
		}
		next, kind, note, public, err := fn(st, c)
		if err != nil {
			return err
		}
		out = next
		return st.event(ctx, id, kind, next.Status, note, public, actorID(ctx))
	})
	return out, err
}

// TakeInCharge moves a received complaint to "preso in carico" (or "in istruttoria").
func (s *Service) TakeInCharge(ctx context.Context, t *tenant.Tenant, id uuid.UUID, to Status) (*Complaint, error) {
	if to != TakenInCharge && to != UnderReview && to != NotCompetent {
		return nil, apperr.New(apperr.Invalid, "Stato non valido.")
	}
	return s.change(ctx, t, id, func(st store, c *Complaint) (*Complaint, string, string, bool, error) {
		if !c.Status.Open() {
			return nil, "", "", false, apperr.New(apperr.Conflict, msgNotOpen)
		}
		n, err := st.setStatus(ctx, id, to)
		return n, "status", "", true, err
	})
}

// AddNote records an internal note (never shown to the citizen).
func (s *Service) AddNote(ctx context.Context, t *tenant.Tenant, id uuid.UUID, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || len([]rune(note)) > 8000 {
		return apperr.InvalidFields(map[string]string{"note": "Scrivi la nota (al massimo 8000 caratteri)."})
	}
	_, err := s.change(ctx, t, id, func(_ store, c *Complaint) (*Complaint, string, string, bool, error) {
		return c, "note", note, false, nil
	})
	return err
}

// Reply records the answer and its outcome; the reply is shown on the private page at once
// and e-mailed to the author when they gave an address.
func (s *Service) Reply(ctx context.Context, t *tenant.Tenant, id uuid.UUID, o Outcome, text string) (*Complaint, error) {
	text = strings.TrimSpace(text)
	f := map[string]string{}
	if o.Label() == "" {
		f["outcome"] = msgOutcome
	}
	if text == "" || len([]rune(text)) > 8000 {
		f["reply"] = msgReplyText
	}
	if len(f) > 0 {
		return nil, apperr.InvalidFields(f)
	}
	return s.change(ctx, t, id, func(st store, c *Complaint) (*Complaint, string, string, bool, error) {
		if !c.Status.Open() {
			return nil, "", "", false, apperr.New(apperr.Conflict, msgNotOpen)
		}
		n, err := st.setReply(ctx, id, o, text, s.d.Now())
		if err == nil && n.Email != "" && s.jobs != nil {
			err = s.jobs.InsertTx(ctx, st.tx.Raw, ReplyMailArgs{TenantID: t.ID, ComplaintID: id}, nil)
		}
		return n, "reply", "Esito: " + o.Label(), true, err
	})
}

// Close closes an answered complaint (or one not within the tenant's competence).
func (s *Service) Close(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*Complaint, error) {
	return s.change(ctx, t, id, func(st store, c *Complaint) (*Complaint, string, string, bool, error) {
		if c.ForwardedTo != nil {
			return nil, "", "", false, apperr.New(apperr.Conflict, msgForwardedAway)
		}
		if c.Status != Answered && c.Status != NotCompetent {
			return nil, "", "", false, apperr.New(apperr.Conflict, msgNotAnswerd)
		}
		n, err := st.setStatus(ctx, id, Closed)
		return n, "closed", "", true, err
	})
}

// AcknowledgeArgs is the job that e-mails the acknowledgement of a complaint: it carries ids
// only, and the worker makes a private link of its own for the e-mail when it runs.
type AcknowledgeArgs struct {
	TenantID    uuid.UUID `json:"tenant_id"`
	ComplaintID uuid.UUID `json:"complaint_id"`
}

// Kind names the job; never change it while jobs of that kind may be waiting.
func (AcknowledgeArgs) Kind() string { return "complaint_acknowledge" }

// InsertOpts puts the job on the e-mail queue with its retry budget.
func (AcknowledgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueEmail, MaxAttempts: jobs.EmailMaxAttempts}
}

// ReplyMailArgs is the job that e-mails the answer to a complaint.
type ReplyMailArgs struct {
	TenantID    uuid.UUID `json:"tenant_id"`
	ComplaintID uuid.UUID `json:"complaint_id"`
}

// Kind names the job.
func (ReplyMailArgs) Kind() string { return "complaint_reply_mail" }

// InsertOpts puts the job on the e-mail queue.
func (ReplyMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueEmail, MaxAttempts: jobs.EmailMaxAttempts}
}

// Workers registers the complaints' jobs for jobs.New, over the same Service.
func Workers(s *Service, sender mail.Sender) []jobs.Registration {
	return []jobs.Registration{
		jobs.Register[AcknowledgeArgs](&ackWorker{svc: s, sender: sender}),
		jobs.Register[ReplyMailArgs](&replyWorker{svc: s, sender: sender}),
		jobs.Register[DeadlineArgs](&deadlineWorker{svc: s}),
		jobs.Register[RetentionArgs](&retentionWorker{svc: s}),
		jobs.Register[SweepArgs](&sweepWorker{svc: s}),
		jobs.Register[ProtocolMailArgs](&protocolWorker{svc: s, sender: sender}),
		jobs.Register[UploadCleanupArgs](&uploadCleanupWorker{svc: s}),
	}
}

type ackWorker struct {
	river.WorkerDefaults[AcknowledgeArgs]
	svc    *Service
	sender mail.Sender
}

// Work makes a private link for the e-mail and sends it; a failed delivery is retried (with
// another link: each one made stays valid, so a message that did leave keeps working).
func (w *ackWorker) Work(ctx context.Context, job *river.Job[AcknowledgeArgs]) error {
	return w.svc.mailAbout(ctx, job.Args.TenantID, job.Args.ComplaintID, "acknowledgement", w.sender)
}

type replyWorker struct {
	river.WorkerDefaults[ReplyMailArgs]
	svc    *Service
	sender mail.Sender
}

// Work e-mails the reply with a private link to the complaint.
func (w *replyWorker) Work(ctx context.Context, job *river.Job[ReplyMailArgs]) error {
	return w.svc.mailAbout(ctx, job.Args.TenantID, job.Args.ComplaintID, "reply", w.sender)
}

func (s *Service) mailAbout(ctx context.Context, tenantID, id uuid.UUID, which string, sender mail.Sender) error {
	t, err := s.d.Tenants.ByID(ctx, tenantID)
	if apperr.KindOf(err) == apperr.NotFound || tenant.IsNoRows(err) {
		return nil // the tenant is gone: nothing to say
	}
	if err != nil {
		return fmt.Errorf("complaint mail: %w", err)
	}
	var m mail.Message
	var c *Complaint
	var raw string
	site := t // whose site the citizen follows the complaint on
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		var err error
		if c, err = st.get(ctx, id, false); err != nil {
			return err
		}
		if c.Email == "" {
			return apperr.ErrNotFound
		}
		if c.OriginTenantID == nil {
			raw, err = st.newLink(ctx, id, "email")
			return err
		}
		// A copy received by forwarding: the citizen knows the original, on the site where
		// they filed it, which shows this copy's progress.
		if err := st.useTenant(ctx, *c.OriginTenantID); err != nil {
			return err
		}
		if raw, err = st.newLink(ctx, *c.OriginID, "email"); err != nil {
			return err
		}
		return st.useTenant(ctx, t.ID)
	})
	if err == nil && c.OriginTenantID != nil {
		site, err = s.d.Tenants.ByID(ctx, *c.OriginTenantID)
	}
	if err == nil {
		m, err = composeMail(which, c, t, s.d.SiteURL(site.Slug)+PathFollow+raw)
	}
	if err == nil && which == "reply" {
		// The answer goes as the ente's letter too, rendered outside the transaction.
		var pdf []byte
		if _, pdf, err = s.letter(t, c); err == nil {
			m.Attachments = []mail.Attachment{{Name: LetterFilename(c), ContentType: "application/pdf", Data: pdf}}
		}
	}
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // anonymised or without e-mail meanwhile
	}
	if err != nil {
		return fmt.Errorf("complaint mail: %w", err)
	}
	if err := sender.Send(ctx, m); err != nil {
		return fmt.Errorf("send complaint mail: %w", err)
	}
	return nil
}
