package complaints

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// store is the only caller of the Complaint* queries; it works in the caller's tenant
// transaction and turns "no rows" into apperr.ErrNotFound.
type store struct{ tx *tenant.Tx }

func notFound(err error) error {
	if tenant.IsNoRows(err) {
		return apperr.ErrNotFound
	}
	return err
}

func dayOf(t time.Time) time.Time {
	t = t.In(itlang.Rome)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, itlang.Rome)
}

// romeDay is a date column as the calendar day it names, in Italian time.
func romeDay(d pgtype.Date) time.Time {
	return time.Date(d.Time.Year(), d.Time.Month(), d.Time.Day(), 0, 0, 0, 0, itlang.Rome)
}

// pgDay is the calendar day of t (in Italian time) as a date parameter.
func pgDay(t time.Time) pgtype.Date {
	t = dayOf(t)
	return pgtype.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
}

func fromRow(r db.Complaint) *Complaint {
	c := &Complaint{ID: r.ID, Year: int(r.Year), Number: int(r.Number), Channel: Channel(r.Channel),
		Status: Status(r.Status), ServiceID: r.ServiceID, ServiceTitle: r.ServiceTitle, Standard: r.Standard,
		WhatHappened: r.WhatHappened, Request: r.Request, FirstName: r.FirstName, LastName: r.LastName,
		FiscalCode: r.FiscalCode, Email: r.Email, Phone: r.Phone, OnBehalfOf: r.OnBehalfOf, Relation: r.Relation,
		SubmittedAt: r.SubmittedAt, Outcome: Outcome(r.Outcome), Reply: r.Reply, RepliedAt: r.RepliedAt, ClosedAt: r.ClosedAt,
		OriginTenantID: r.OriginTenantID, OriginID: r.OriginID, ForwardedTo: r.ForwardedTo, ServiceOwnerID: r.ServiceOwnerID}
	if r.DueOn.Valid {
		c.DueOn = romeDay(r.DueOn)
	}
	c.FirstRepliedAt, c.Solved, c.SolvedAt, c.ReopenedAt, c.ReopenCount = r.FirstRepliedAt, r.Solved, r.SolvedAt, r.ReopenedAt, int(r.ReopenCount)
	c.OfficialProtocol = r.OfficialProtocol
	if r.OfficialProtocolOn.Valid {
		d := romeDay(r.OfficialProtocolOn)
		c.OfficialProtocolOn = &d
	}
	return c
}

// create files s with the next protocol number of now's year, due after the tenant's days.
func (st store) create(ctx context.Context, s *Submission, now time.Time) (*Complaint, error) {
	year := now.In(itlang.Rome).Year()
	n, err := st.tx.ComplaintNextNumber(ctx, int32(year))
	if err != nil {
		return nil, fmt.Errorf("protocol number: %w", err)
	}
	days, err := st.tx.ComplaintDueDays(ctx)
	if err != nil {
		return nil, fmt.Errorf("due days: %w", err)
	}
	due := dayOf(now).AddDate(0, 0, int(days))
	r, err := st.tx.ComplaintCreate(ctx, db.ComplaintCreateParams{
		Year: int32(year), Number: n, Channel: string(s.Channel), ServiceID: s.ServiceID, ServiceOwnerID: s.serviceOwner,
		ServiceTitle: s.ServiceTitle, Standard: s.Standard, WhatHappened: s.WhatHappened, Request: s.Request,
		FirstName: s.FirstName, LastName: s.LastName, FiscalCode: s.FiscalCode, Email: s.Email, Phone: s.Phone,
		OnBehalfOf: s.OnBehalfOf, Relation: s.Relation, ConsentAt: now, SubmittedAt: now,
		DueOn: pgtype.Date{Time: time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC), Valid: true},
	})
	if err != nil {
		return nil, fmt.Errorf("file complaint: %w", err)
	}
	return fromRow(r), nil
}

func (st store) event(ctx context.Context, id uuid.UUID, kind string, status Status, note string, public bool, actor *uuid.UUID) error {
	return st.tx.ComplaintEventAdd(ctx, db.ComplaintEventAddParams{ComplaintID: id, Kind: kind,
		Status: string(status), Note: note, Public: public, ActorID: actor})
}

// newLink stores a new private link to complaint id and returns its token; only its hash is
// kept.
func (st store) newLink(ctx context.Context, id uuid.UUID, via string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	raw := base64.RawURLEncoding.EncodeToString(b)
	if err := st.tx.ComplaintLinkAdd(ctx, db.ComplaintLinkAddParams{TokenHash: linkHash(raw), ComplaintID: id, Via: via}); err != nil {
		return "", fmt.Errorf("complaint link: %w", err)
	}
	return raw, nil
}

func linkHash(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// validLink says whether raw has the shape of a link token (43 base64url characters).
func validLink(raw string) bool {
	if len(raw) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(raw)
	return err == nil
}

func (st store) byLink(ctx context.Context, raw string) (*Complaint, error) {
	if !validLink(raw) {
		return nil, apperr.ErrNotFound
	}
	r, err := st.tx.ComplaintByLink(ctx, linkHash(raw))
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

func (st store) get(ctx context.Context, id uuid.UUID, lock bool) (*Complaint, error) {
	var r db.Complaint
	var err error
	if lock {
		r, err = st.tx.ComplaintLock(ctx, id)
	} else {
		r, err = st.tx.ComplaintGet(ctx, id)
	}
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

func (st store) events(ctx context.Context, id uuid.UUID) ([]Event, error) {
	rows, err := st.tx.ComplaintEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Event, 0, len(rows))
	for _, r := range rows {
		out = append(out, Event{At: r.At, Kind: r.Kind, Status: Status(r.Status), Note: r.Note, Public: r.Public,
			ActorName: r.ActorName, Office: r.OfficeName})
	}
	return out, nil
}

func (st store) setStatus(ctx context.Context, id uuid.UUID, s Status) (*Complaint, error) {
	r, err := st.tx.ComplaintSetStatus(ctx, db.ComplaintSetStatusParams{ID: id, Status: string(s)})
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

func (st store) setReply(ctx context.Context, id uuid.UUID, o Outcome, reply string, at time.Time) (*Complaint, error) {
	r, err := st.tx.ComplaintSetReply(ctx, db.ComplaintSetReplyParams{ID: id, Outcome: string(o), Reply: reply, At: at})
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

// Filter selects the inbox: Status empty means every complaint not closed, "tutti" every one.
type Filter struct {
	Status  string
	Overdue bool
	// DueSoon keeps the open complaints due within DueSoonDays.
	DueSoon bool
	// Service is a service's id, "altro" for none, or empty for any.
	Service string
	Channel Channel
	Office  *uuid.UUID
	// After is the last complaint of the previous page (newest first).
	After *Cursor
	// Limit is the page's size: InboxLimit when 0, at most MaxLimit.
	Limit int
}

// MaxLimit caps a page of the list (Open311's GET /requests answers up to 1000).
const MaxLimit = 1000

// Cursor is where a page of the inbox ends.
type Cursor struct {
	SubmittedAt time.Time
	ID          uuid.UUID
}

// DueSoonDays is the inbox's "due within" window.
const DueSoonDays = 7

func (st store) inbox(ctx context.Context, f Filter, today time.Time, limit int) ([]*Complaint, error) {
	p := db.ComplaintInboxParams{Status: f.Status, Overdue: f.Overdue, Today: pgDay(today),
		Channel: string(f.Channel), OfficeID: f.Office, Lim: int32(limit)}
	if f.DueSoon {
		p.DueBy = pgDay(dayOf(today).AddDate(0, 0, DueSoonDays))
	}
	switch f.Service {
	case "":
	case serviceOther:
		p.OtherService = true
	default:
		if id, err := uuid.Parse(f.Service); err == nil {
			p.ServiceID = &id
		}
	}
	if f.After != nil {
		p.BeforeAt, p.BeforeID = &f.After.SubmittedAt, &f.After.ID
	}
	rows, err := st.tx.ComplaintInbox(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]*Complaint, 0, len(rows))
	for _, r := range rows {
		out = append(out, fromRow(r))
	}
	return out, nil
}

func (st store) counts(ctx context.Context) (map[Status]int, error) {
	rows, err := st.tx.ComplaintCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := map[Status]int{}
	for _, r := range rows {
		out[Status(r.Status)] = int(r.N)
	}
	return out, nil
}

// anonymiseExpired blanks the personal data, notes, attachments and links of the complaints closed before
// the tenant's retention, as seen at now.
func (st store) anonymiseExpired(ctx context.Context, now time.Time) (int, error) {
	months, err := st.tx.ComplaintRetentionMonths(ctx)
	if err != nil {
		return 0, err
	}
	ids, err := st.tx.ComplaintAnonymiseClosedBefore(ctx, now.AddDate(0, -int(months), 0))
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	if err := st.tx.ComplaintEventNotesClear(ctx, ids); err != nil {
		return 0, err
	}
	if err := st.tx.ComplaintAttachmentsDelete(ctx, ids); err != nil {
		return 0, err
	}
	return len(ids), st.tx.ComplaintLinksDelete(ctx, ids)
}

// The feedback's queries (suggestions and unmet needs) live here too.

func (st store) addFeedback(ctx context.Context, f Feedback) (*Feedback, error) {
	r, err := st.tx.ComplaintFeedbackCreate(ctx, db.ComplaintFeedbackCreateParams{Kind: string(f.Kind), ServiceID: f.ServiceID,
		ServiceTitle: f.ServiceTitle, Body: f.Body, Email: f.Email})
	if err != nil {
		return nil, err
	}
	out := feedbackOf(r)
	return &out, nil
}

func (st store) feedback(ctx context.Context, limit int) ([]Feedback, map[FeedbackKind]int, error) {
	rows, err := st.tx.ComplaintFeedbackList(ctx, int32(limit))
	if err != nil {
		return nil, nil, err
	}
	items := make([]Feedback, 0, len(rows))
	for _, r := range rows {
		items = append(items, feedbackOf(r))
	}
	cs, err := st.tx.ComplaintFeedbackCounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	counts := map[FeedbackKind]int{}
	for _, c := range cs {
		counts[FeedbackKind(c.Kind)] = int(c.N)
	}
	return items, counts, nil
}

func (st store) byAuthor(ctx context.Context, c *Complaint) ([]*Complaint, error) {
	rows, err := st.tx.ComplaintsByAuthor(ctx, db.ComplaintsByAuthorParams{FiscalCode: c.FiscalCode, Email: c.Email})
	if err != nil {
		return nil, err
	}
	out := make([]*Complaint, 0, len(rows))
	for _, r := range rows {
		out = append(out, fromRow(r))
	}
	if len(out) == 0 {
		out = append(out, c) // neither codice fiscale nor e-mail: this complaint alone
	}
	return out, nil
}

// The offices a complaint is assigned to, and their contributions.

func (st store) assign(ctx context.Context, id uuid.UUID, offices []uuid.UUID, names []string) error {
	if err := st.tx.ComplaintAssignmentsClear(ctx, id); err != nil {
		return err
	}
	for i, o := range offices {
		if err := st.tx.ComplaintAssign(ctx, db.ComplaintAssignParams{ComplaintID: id, OfficeID: o, OfficeName: names[i]}); err != nil {
			return err
		}
	}
	return nil
}

func (st store) assignments(ctx context.Context, id uuid.UUID) ([]Office, error) {
	rows, err := st.tx.ComplaintAssignmentsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Office, 0, len(rows))
	for _, r := range rows {
		out = append(out, Office{ID: r.OfficeID, Name: r.OfficeName})
	}
	return out, nil
}

func (st store) contribution(ctx context.Context, id uuid.UUID, status Status, office, note string, actor *uuid.UUID) error {
	return st.tx.ComplaintContributionAdd(ctx, db.ComplaintContributionAddParams{ComplaintID: id, Status: string(status),
		Note: note, ActorID: actor, OfficeName: office})
}

// Reply templates.

func (st store) templates(ctx context.Context) ([]ReplyTemplate, error) {
	rows, err := st.tx.ComplaintTemplates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ReplyTemplate, 0, len(rows))
	for _, r := range rows {
		out = append(out, ReplyTemplate{ID: r.ID, Title: r.Title, Body: r.Body})
	}
	return out, nil
}

func (st store) addTemplate(ctx context.Context, title, body string) (ReplyTemplate, error) {
	r, err := st.tx.ComplaintTemplateAdd(ctx, db.ComplaintTemplateAddParams{Title: title, Body: body})
	if err != nil {
		return ReplyTemplate{}, err
	}
	return ReplyTemplate{ID: r.ID, Title: r.Title, Body: r.Body}, nil
}

func (st store) deleteTemplate(ctx context.Context, id uuid.UUID) error {
	n, err := st.tx.ComplaintTemplateDelete(ctx, id)
	if err == nil && n == 0 {
		return apperr.ErrNotFound
	}
	return err
}

// Forwarding between a comune and its ambito (forward.go).

func (st store) ambito(ctx context.Context) (uuid.UUID, error) {
	return st.tx.ComplaintForwardAmbito(ctx)
}

// useTenant moves the transaction to tenant id (app.tenant_id, transaction-local).
func (st store) useTenant(ctx context.Context, id uuid.UUID) error {
	return st.tx.ComplaintForwardUseTenant(ctx, id.String())
}

func (st store) markForwarded(ctx context.Context, id, to uuid.UUID) (db.Complaint, error) {
	r, err := st.tx.ComplaintForwardMark(ctx, db.ComplaintForwardMarkParams{ID: id, ForwardedTo: &to})
	return r, notFound(err)
}

// receive stores, in the current tenant, the copy of o (of tenant origin) with its history;
// a copy this tenant once sent back is received anew, with what the origin wrote meanwhile.
func (st store) receive(ctx context.Context, origin uuid.UUID, o db.Complaint, history []db.ComplaintEvent) (*Complaint, error) {
	oid := o.ID
	prev, err := st.tx.ComplaintForwardedCopy(ctx, db.ComplaintForwardedCopyParams{OriginTenantID: &origin, OriginID: &oid})
	switch err = notFound(err); {
	case err == nil:
		since := prev.UpdatedAt // when it was sent back
		r, err := st.tx.ComplaintForwardRevive(ctx, db.ComplaintForwardReviveParams{OriginTenantID: &origin, OriginID: &oid})
		if err != nil {
			return nil, fmt.Errorf("forwarded again: %w", notFound(err))
		}
		var later []db.ComplaintEvent
		for _, e := range history {
			if e.At.After(since) {
				later = append(later, e)
			}
		}
		return fromRow(r), st.copyEvents(ctx, r.ID, later)
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	}
	r, err := st.tx.ComplaintForwardCopy(ctx, db.ComplaintForwardCopyParams{Year: o.Year, Number: o.Number, Channel: o.Channel,
		ServiceID: o.ServiceID, ServiceOwnerID: o.ServiceOwnerID, ServiceTitle: o.ServiceTitle, Standard: o.Standard,
		WhatHappened: o.WhatHappened, Request: o.Request, FirstName: o.FirstName, LastName: o.LastName,
		FiscalCode: o.FiscalCode, Email: o.Email, Phone: o.Phone, OnBehalfOf: o.OnBehalfOf, Relation: o.Relation,
		ConsentAt: o.ConsentAt, SubmittedAt: o.SubmittedAt, DueOn: o.DueOn, OriginTenantID: &origin, OriginID: &oid})
	if err != nil {
		return nil, fmt.Errorf("forwarded copy: %w", err)
	}
	return fromRow(r), st.copyEvents(ctx, r.ID, history)
}

// takeBack opens again, in the current tenant, the original id that went to tenant from, and
// adds to its history what from wrote while it held the complaint.
func (st store) takeBack(ctx context.Context, id, from uuid.UUID, done []db.ComplaintEvent) (*Complaint, error) {
	status, err := st.tx.ComplaintForwardStatusBefore(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("status before forwarding: %w", err)
	}
	r, err := st.tx.ComplaintForwardBack(ctx, db.ComplaintForwardBackParams{ID: id, Status: status, FromTenant: from})
	if err != nil {
		return nil, fmt.Errorf("forwarded back: %w", notFound(err))
	}
	return fromRow(r), st.copyEvents(ctx, id, done)
}

// copyEvents adds history rows of the other side to complaint id, as they were.
func (st store) copyEvents(ctx context.Context, id uuid.UUID, evs []db.ComplaintEvent) error {
	for _, e := range evs {
		if err := st.tx.ComplaintForwardEventCopy(ctx, db.ComplaintForwardEventCopyParams{ComplaintID: id, At: e.At,
			Kind: e.Kind, Status: e.Status, Note: e.Note, Public: e.Public, ActorID: e.ActorID, OfficeName: e.OfficeName}); err != nil {
			return fmt.Errorf("forwarded history: %w", err)
		}
	}
	return nil
}

// eventsAfter are the rows of the current tenant's history of id after a moment, less the
// step of receiving.
func (st store) eventsAfter(ctx context.Context, id uuid.UUID, after time.Time) ([]db.ComplaintEvent, error) {
	return st.tx.ComplaintForwardEventsAfter(ctx, db.ComplaintForwardEventsAfterParams{ComplaintID: id, After: after})
}

func (st store) receivedCopy(ctx context.Context, origin, id uuid.UUID) (*Complaint, error) {
	r, err := st.tx.ComplaintForwardedCopy(ctx, db.ComplaintForwardedCopyParams{OriginTenantID: &origin, OriginID: &id})
	if err != nil {
		return nil, notFound(err)
	}
	return fromRow(r), nil
}

// rawEvents are the rows of the current tenant's history of id, to be copied as they are.
func (st store) rawEvents(ctx context.Context, id uuid.UUID) ([]db.ComplaintEvent, error) {
	return st.tx.ComplaintForwardEvents(ctx, id)
}
