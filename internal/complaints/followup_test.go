package complaints_test

import (
	"context"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// clock is a Service clock the test moves.
type clock struct{ at atomic.Int64 }

func (c *clock) now() time.Time           { return time.Unix(0, c.at.Load()) }
func (c *clock) set(t time.Time)          { c.at.Store(t.UnixNano()) }
func (c *clock) move(d time.Duration)     { c.set(c.now().Add(d)) }
func newClock(t time.Time) *clock         { c := &clock{}; c.set(t); return c }
func days(n int) time.Duration            { return time.Duration(n) * 24 * time.Hour }
func fieldOf(err error) map[string]string { ae, _ := apperr.As(err); return ae.Fields }

func clockedService(t testing.TB, c *clock) (*complaints.Service, *testenv.Env, *queue) {
	env := testenv.Get(t)
	svc := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants,
		SiteURL: func(slug string) string { return "https://" + slug + ".carta.test" }, Log: quiet, Now: c.now})
	q := &queue{}
	svc.UseJobs(q)
	return svc, env, q
}

// TestReopenWithinThirtyDays: after the answer the author says it did not solve the problem
// and reopens the complaint with a reason: the same number, a new due date after the tenant's
// days, new reminders, the first answer kept for the indicators; a reason is required; once
// answered again the author confirms it is solved, and cannot say it twice. Past 30 days from
// the answer, "not solved" is recorded but the complaint stays as it was.
func TestReopenWithinThirtyDays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, itlang.Rome)
	c := newClock(start)
	svc, env, q := clockedService(t, c)
	tn := env.NewTenant(t, tenant.KindComune)

	rec, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	_, err = svc.AnswerSolved(ctx, tn, rec.Link, true, false, "")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err), "no answer yet: nothing to say")

	c.move(days(10))
	_, err = svc.Reply(ctx, tn, rec.Complaint.ID, complaints.Rejected, "Il colloquio è stato fissato nei tempi.")
	require.NoError(t, err)
	firstReply := c.now()

	c.move(days(5))
	_, err = svc.AnswerSolved(ctx, tn, rec.Link, false, true, "   ")
	require.Contains(t, fieldOf(err), "reason", "a reopening needs its reason")
	reminders := q.count(complaints.DeadlineArgs{}.Kind())
	got, err := svc.AnswerSolved(ctx, tn, rec.Link, false, true, "Il colloquio non c'è stato.")
	require.NoError(t, err)
	require.Equal(t, complaints.UnderReview, got.Status)
	require.Equal(t, rec.Complaint.Protocol(), got.Protocol(), "the same number")
	require.Equal(t, 1, got.ReopenCount)
	require.Equal(t, time.Date(2026, 4, 16, 0, 0, 0, 0, itlang.Rome), got.DueOn, "30 days from the reopening (17 March)")
	require.WithinDuration(t, firstReply, *got.FirstRepliedAt, time.Second, "the first answer stays for the indicators")
	require.Greater(t, q.count(complaints.DeadlineArgs{}.Kind()), reminders, "the new due date has its reminders")

	f, err := svc.ByLink(ctx, tn, rec.Link)
	require.NoError(t, err)
	require.Equal(t, "reopened", f.Events[len(f.Events)-1].Kind, "the citizen sees the reopening")
	require.False(t, f.Complaint.CanAnswerSolved(), "nothing to say until answered again")

	c.move(days(3))
	_, err = svc.Reply(ctx, tn, rec.Complaint.ID, complaints.Upheld, "Il colloquio è fissato per lunedì.")
	require.NoError(t, err)
	got, err = svc.AnswerSolved(ctx, tn, rec.Link, true, false, "")
	require.NoError(t, err)
	require.True(t, got.SaidSolved())
	require.Equal(t, complaints.Answered, got.Status)
	_, err = svc.AnswerSolved(ctx, tn, rec.Link, false, true, "Ci ho ripensato.")
	require.Equal(t, apperr.Conflict, apperr.KindOf(err), "said once")

	// Another one answered and left for 31 days: too late to reopen.
	late, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	_, err = svc.Reply(ctx, tn, late.Complaint.ID, complaints.Rejected, "Non dipende da noi.")
	require.NoError(t, err)
	c.move(days(31))
	f, err = svc.ByLink(ctx, tn, late.Link)
	require.NoError(t, err)
	require.False(t, f.Complaint.CanReopen(c.now()))
	got, err = svc.AnswerSolved(ctx, tn, late.Link, false, true, "Non è cambiato niente.")
	require.NoError(t, err)
	require.Equal(t, complaints.Answered, got.Status, "past the time the complaint is not reopened")
	require.True(t, got.SaidNotSolved())

	// Another tenant's site does not know the link.
	other := env.NewTenant(t, tenant.KindComune)
	_, err = svc.AnswerSolved(ctx, other, late.Link, true, false, "")
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

// TestReplyLetter: the letter exists once the complaint is answered, on the author's own
// comune only, and carries the ente, the number with the filing date, the date of the answer,
// the addressee, the outcome and the text.
func TestReplyLetter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClock(time.Date(2026, 5, 4, 9, 30, 0, 0, itlang.Rome))
	svc, env, _ := clockedService(t, c)
	tn := env.NewTenant(t, tenant.KindComune)
	rec, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	_, _, err = svc.LetterByLink(ctx, tn, rec.Link)
	require.ErrorIs(t, err, apperr.ErrNotFound, "no answer, no letter")

	long := "Abbiamo verificato con il servizio sociale professionale. "
	for range 7 {
		long += long
	}
	_, err = svc.Reply(ctx, tn, rec.Complaint.ID, complaints.PartiallyUpheld, "Gentile signora, il primo colloquio è fissato.\n\n"+long[:7000])
	require.NoError(t, err)
	cm, pdf, err := svc.LetterByLink(ctx, tn, rec.Link)
	require.NoError(t, err)
	require.Equal(t, "risposta-reclamo-2026-"+rec.Complaint.Protocol()[5:]+".pdf", complaints.LetterFilename(cm))
	text := flatText(t, pdf)
	for _, want := range []string{tn.Name, "Ufficio Relazioni con il Pubblico", "Gentile Maria Rossi",
		"Oggetto: risposta al reclamo n. " + rec.Complaint.Protocol() + " del 4 maggio 2026",
		"Esito: Parzialmente accolto", "il primo colloquio è fissato", "Distinti saluti"} {
		require.Contains(t, text, want)
	}
	require.NotContains(t, text, "RSSMRA85M41H501U", "no codice fiscale on the letter")
	require.NotEqual(t, "1", pdfPages(t, pdf), "a long answer flows onto more pages")
	require.Contains(t, text, "pagina 1 di "+pdfPages(t, pdf))

	_, _, err = svc.LetterByLink(ctx, env.NewTenant(t, tenant.KindComune), rec.Link)
	require.ErrorIs(t, err, apperr.ErrNotFound, "another comune's site")
	_, staffPDF, err := svc.Letter(ctx, tn, rec.Complaint.ID)
	require.NoError(t, err)
	require.Equal(t, pdf, staffPDF, "staff and citizen read the same letter")
}

// TestInboxFilters: the inbox keeps what each filter asks (service or none, channel, assigned
// office, due within 7 days, overdue) and pages newest first without losing or repeating one.
func TestInboxFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClock(time.Now().AddDate(0, 0, -40))
	svc, env, _ := clockedService(t, c)
	tn := env.NewTenant(t, tenant.KindComune)

	old, err := svc.Submit(ctx, tn, valid()) // due 10 days ago
	require.NoError(t, err)
	c.set(time.Now().AddDate(0, 0, -25))
	soon := valid()
	soon.Channel = complaints.Phone
	soonRec, err := svc.Submit(ctx, tn, soon) // due in 5 days
	require.NoError(t, err)
	c.set(time.Now())
	var fresh []*complaints.Complaint
	for range 3 {
		r, err := svc.Submit(ctx, tn, valid())
		require.NoError(t, err)
		fresh = append(fresh, r.Complaint)
		c.move(time.Second)
	}
	office := uuid.New()
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		_, err := tx.Raw.Exec(ctx, `INSERT INTO complaint_assignments (tenant_id, complaint_id, office_id, office_name) VALUES ($1, $2, $3, 'Segretariato')`,
			tn.ID, fresh[1].ID, office)
		return err
	}))

	ids := func(f complaints.Filter) []uuid.UUID {
		in, err := svc.List(ctx, tn, f)
		require.NoError(t, err)
		var out []uuid.UUID
		for _, c := range in.Complaints {
			out = append(out, c.ID)
		}
		return out
	}
	all := []uuid.UUID{fresh[2].ID, fresh[1].ID, fresh[0].ID, soonRec.Complaint.ID, old.Complaint.ID}
	require.Equal(t, all, ids(complaints.Filter{}))
	require.Equal(t, []uuid.UUID{soonRec.Complaint.ID}, ids(complaints.Filter{Channel: complaints.Phone}))
	require.Equal(t, []uuid.UUID{soonRec.Complaint.ID}, ids(complaints.Filter{DueSoon: true}))
	require.Equal(t, []uuid.UUID{old.Complaint.ID}, ids(complaints.Filter{Overdue: true}))
	require.Equal(t, []uuid.UUID{fresh[1].ID}, ids(complaints.Filter{Office: &office}))
	require.Len(t, ids(complaints.Filter{Service: "altro"}), 5, "none is about a service of the Carta")
	require.Empty(t, ids(complaints.Filter{Service: uuid.NewString()}))

	// Pages of two, newest first: every complaint once.
	var paged []uuid.UUID
	f := complaints.Filter{Limit: 2}
	for range 5 {
		in, err := svc.List(ctx, tn, f)
		require.NoError(t, err)
		for _, c := range in.Complaints {
			paged = append(paged, c.ID)
		}
		if !in.More {
			break
		}
		last := in.Complaints[len(in.Complaints)-1]
		f.After = &complaints.Cursor{SubmittedAt: last.SubmittedAt, ID: last.ID}
	}
	require.Equal(t, all, paged)
}

// TestSweepCatchesMissedReminders: complaints whose reminder jobs never ran (lost, or filed
// before reminders) get the latest passed one from the sweep, which the queue then delivers
// and records; a second sweep finds nothing to do, and the earlier moments are not sent late.
func TestSweepCatchesMissedReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := testenv.Get(t)
	smtp, sender := mailAndQueue(t, env)
	c := newClock(time.Now().AddDate(0, 0, -40))
	svc, _, lost := clockedService(t, c)
	tn := env.NewTenant(t, tenant.KindComune)
	urp := "urp-" + uuid.NewString()[:8] + "@example.it"
	var uid uuid.UUID
	require.NoError(t, env.Admin.QueryRow(ctx, `INSERT INTO users (email, display_name, password_hash) VALUES ($1, 'URP', 'x') RETURNING id`, urp).Scan(&uid))
	_, err := env.Admin.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', $1, $2, $3)`, access.Subject(uid), access.RoleURP, access.DomainOf(tn))
	require.NoError(t, err)

	// Filed with a queue that loses everything.
	overdue, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	c.set(time.Now().AddDate(0, 0, -25))
	week, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	c.set(time.Now())
	_, err = svc.Submit(ctx, tn, valid()) // due in 30 days: nothing yet
	require.NoError(t, err)
	require.NotZero(t, lost.count(complaints.DeadlineArgs{}.Kind()))

	jc, err := jobs.NewWithOptions(env.Runtime, quiet, jobs.Options{FetchPollInterval: 100 * time.Millisecond},
		append([]jobs.Registration{jobs.SendEmail(sender)}, complaints.Workers(svc, sender)...)...)
	require.NoError(t, err)
	svc.UseJobs(jc)
	require.NoError(t, jc.Start(ctx))
	t.Cleanup(func() { _ = jc.Stop(context.Background()) })

	n, err := svc.SweepDeadlines(ctx, tn)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	want := map[string]bool{
		"Reclamo n. " + overdue.Complaint.Protocol() + ": risposta in ritardo":         true,
		"Reclamo n. " + week.Complaint.Protocol() + ": la risposta scade tra 7 giorni": true,
	}
	require.Eventually(t, func() bool {
		seen := 0
		for _, m := range smtp.Messages() {
			if m.To[0] == urp && want[m.Subject] {
				seen++
			}
		}
		return seen == 2
	}, 30*time.Second, 100*time.Millisecond)
	require.Eventually(t, func() bool {
		n, err := svc.SweepDeadlines(ctx, tn)
		return err == nil && n == 0
	}, 10*time.Second, 100*time.Millisecond, "once recorded, the sweep leaves them")
	for _, m := range smtp.Messages() {
		require.NotEqual(t, "Reclamo n. "+overdue.Complaint.Protocol()+": la risposta scade tra 7 giorni", m.Subject, "no late reminder of an earlier moment")
	}
}

// TestSettingsAndOfficialProtocol: the tenant's settings are checked field by field; a due-day
// count applies to the next complaint; a protocol mailbox makes each new complaint queue its
// message to it; staff record the register's number and day, and a day in the future is refused.
func TestSettingsAndOfficialProtocol(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := newClock(time.Date(2026, 6, 1, 12, 0, 0, 0, itlang.Rome))
	svc, env, q := clockedService(t, c)
	tn := env.NewTenant(t, tenant.KindComune)

	s, err := svc.Settings(ctx, tn)
	require.NoError(t, err)
	require.Equal(t, complaints.Settings{DueDays: 30, RetentionMonths: 60}, s)
	err = svc.SaveSettings(ctx, tn, complaints.Settings{DueDays: 0, RetentionMonths: 3, ProtocolMailbox: "non una mail"})
	require.Equal(t, []string{"due_days", "protocol_mailbox", "retention_months"}, keys(fieldOf(err)))
	require.NoError(t, svc.SaveSettings(ctx, tn, complaints.Settings{DueDays: 20, RetentionMonths: 24, ProtocolMailbox: " protocollo@pec.comune.example.it "}))
	s, err = svc.Settings(ctx, tn)
	require.NoError(t, err)
	require.Equal(t, complaints.Settings{DueDays: 20, RetentionMonths: 24, ProtocolMailbox: "protocollo@pec.comune.example.it"}, s)

	rec, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 6, 21, 0, 0, 0, 0, itlang.Rome), rec.Complaint.DueOn)
	require.Equal(t, 1, q.count(complaints.ProtocolMailArgs{}.Kind()))

	_, err = svc.SetOfficialProtocol(ctx, tn, rec.Complaint.ID, "12345/2026", "02/06/2026")
	require.Contains(t, fieldOf(err), "official_protocol_on", "tomorrow is refused")
	_, err = svc.SetOfficialProtocol(ctx, tn, rec.Complaint.ID, "12345/2026", "")
	require.Contains(t, fieldOf(err), "official_protocol_on", "a number needs its day")
	got, err := svc.SetOfficialProtocol(ctx, tn, rec.Complaint.ID, "12345/2026", "2026-06-01")
	require.NoError(t, err)
	require.Equal(t, "12345/2026", got.OfficialProtocol)
	require.Equal(t, time.Date(2026, 6, 1, 0, 0, 0, 0, itlang.Rome), *got.OfficialProtocolOn)
	d, err := svc.Get(ctx, tn, rec.Complaint.ID)
	require.NoError(t, err)
	require.Equal(t, "protocol", d.Events[len(d.Events)-1].Kind)
	require.False(t, d.Events[len(d.Events)-1].Public, "the register's number is internal")

	// Without a mailbox, no message.
	require.NoError(t, svc.SaveSettings(ctx, tn, complaints.Settings{DueDays: 30, RetentionMonths: 60}))
	_, err = svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	require.Equal(t, 1, q.count(complaints.ProtocolMailArgs{}.Kind()))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
