package complaints_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/mail/mailtest"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// queue records the jobs a submission enqueues, in the submitting transaction (a rolled-back
// submission must leave none: the test reads them back from the job's own table row count).
type queue struct {
	mu   sync.Mutex
	args []river.JobArgs
}

// count returns how many jobs of kind were enqueued.
func (q *queue) count(kind string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, a := range q.args {
		if a.Kind() == kind {
			n++
		}
	}
	return n
}

func (q *queue) InsertTx(_ context.Context, _ pgx.Tx, args river.JobArgs, _ *river.InsertOpts) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.args = append(q.args, args)
	return nil
}

func newService(t testing.TB, now time.Time) (*complaints.Service, *testenv.Env, *queue) {
	return clockedService(t, newClock(now))
}

func valid() complaints.Submission {
	return complaints.Submission{Channel: complaints.Web, Consent: true, WhatHappened: "Ho atteso tre settimane il primo colloquio.",
		Request: "Un colloquio entro i tempi della Carta.", FirstName: "Maria", LastName: "Rossi",
		FiscalCode: "RSSMRA85M41H501U", Email: "maria.rossi@example.it"}
}

// TestProtocolNumbersHaveNoGapUnderConcurrency files 50 complaints at once: the numbers are
// 1…50 of the year, each once, and each complaint is due 30 calendar days later.
func TestProtocolNumbersHaveNoGapUnderConcurrency(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, itlang.Rome)
	svc, env, q := newService(t, now)
	tn := env.NewTenant(t, tenant.KindComune)
	const n = 50
	var wg sync.WaitGroup
	numbers := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := svc.Submit(context.Background(), tn, valid())
			errs[i] = err
			if err == nil {
				numbers[i] = rec.Complaint.Number
				require.Equal(t, time.Date(2027, 1, 2, 0, 0, 0, 0, itlang.Rome), rec.Complaint.DueOn)
				require.Equal(t, 2026, rec.Complaint.Year)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	sort.Ints(numbers)
	for i, got := range numbers {
		require.Equal(t, i+1, got)
	}
	require.Equal(t, n, q.count("complaint_acknowledge"), "one acknowledgement per complaint")
	require.Equal(t, 3*n, q.count("complaint_deadline"), "reminders 7 and 2 days before and the day after the due day")
	var stored int
	require.NoError(t, env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM complaints WHERE tenant_id = $1`, tn.ID).Scan(&stored))
	require.Equal(t, n, stored)
	require.Equal(t, "2026/000007", complaints.Protocol(2026, 7))
}

// TestBadInputStoresNothing: each wrong field gets its Italian message and nothing is filed.
func TestBadInputStoresNothing(t *testing.T) {
	t.Parallel()
	svc, env, q := newService(t, time.Now())
	tn := env.NewTenant(t, tenant.KindComune)
	unknown := uuid.New()
	for name, tc := range map[string]struct {
		edit  func(*complaints.Submission)
		field string
		msg   string
	}{
		"no consent":             {func(s *complaints.Submission) { s.Consent = false }, "consent", "informativa"},
		"wrong codice fiscale":   {func(s *complaints.Submission) { s.FiscalCode = "RSSMRA85M41H501A" }, "fiscal_code", "non è valido"},
		"short codice fiscale":   {func(s *complaints.Submission) { s.FiscalCode = "RSSMRA85" }, "fiscal_code", "16 caratteri"},
		"nothing happened":       {func(s *complaints.Submission) { s.WhatHappened = "  " }, "what_happened", "Descrivi"},
		"no way to answer":       {func(s *complaints.Submission) { s.Email, s.Phone = "", "" }, "email", "almeno un modo"},
		"bad e-mail":             {func(s *complaints.Submission) { s.Email = "maria@" }, "email", ""},
		"unknown service":        {func(s *complaints.Submission) { s.ServiceID = &unknown }, "service", "Scegli il servizio"},
		"standard without one":   {func(s *complaints.Submission) { s.Standard = "Risposta in 7 giorni" }, "standard", "standard"},
		"on behalf, no relation": {func(s *complaints.Submission) { s.OnBehalfOf = "Giuseppe Rossi" }, "relation", "relazione"},
	} {
		sub := valid()
		tc.edit(&sub)
		_, err := svc.Submit(context.Background(), tn, sub)
		e, ok := apperr.As(err)
		require.True(t, ok, name)
		require.Equal(t, apperr.Invalid, e.Kind, name)
		require.Contains(t, e.Fields, tc.field, name)
		require.Contains(t, e.Fields[tc.field], tc.msg, name)
	}
	var stored int
	require.NoError(t, env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM complaints WHERE tenant_id = $1`, tn.ID).Scan(&stored))
	require.Zero(t, stored)
	require.Empty(t, q.args)
}

// TestLifecycle: take in charge, answer, close; the private link shows the public history and
// the reply; another tenant's link or id finds nothing.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	svc, env, q := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)
	rec, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	id := rec.Complaint.ID

	_, err = svc.Close(ctx, tn, id)
	require.Equal(t, apperr.Conflict, apperr.KindOf(err), "not answered yet")
	_, err = svc.TakeInCharge(ctx, tn, id, complaints.TakenInCharge)
	require.NoError(t, err)
	require.NoError(t, svc.AddNote(ctx, tn, id, "Sentito l'assistente sociale."))
	_, err = svc.Reply(ctx, tn, id, "", "")
	e, _ := apperr.As(err)
	require.Contains(t, e.Fields, "outcome")
	require.Contains(t, e.Fields, "reply")
	c, err := svc.Reply(ctx, tn, id, complaints.Upheld, "Il colloquio è fissato per lunedì.")
	require.NoError(t, err)
	require.Equal(t, complaints.Answered, c.Status)
	c, err = svc.Close(ctx, tn, id)
	require.NoError(t, err)
	require.Equal(t, complaints.Closed, c.Status)
	_, err = svc.TakeInCharge(ctx, tn, id, complaints.UnderReview)
	require.Equal(t, apperr.Conflict, apperr.KindOf(err), "closed")

	f, err := svc.ByLink(ctx, tn, rec.Link)
	require.NoError(t, err)
	require.Equal(t, "Il colloquio è fissato per lunedì.", f.Complaint.Reply)
	var kinds []string
	for _, e := range f.Events {
		kinds = append(kinds, e.Kind)
		require.NotContains(t, e.Note, "assistente sociale", "an internal note shown to the citizen")
	}
	require.Equal(t, []string{"submitted", "status", "reply", "closed"}, kinds)
	d, err := svc.Get(ctx, tn, id)
	require.NoError(t, err)
	require.Len(t, d.Events, 5, "staff see the note too")

	_, err = svc.ByLink(ctx, other, rec.Link)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.Get(ctx, other, id)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.Reply(ctx, other, id, complaints.Rejected, "Da un altro ente")
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.ByLink(ctx, tn, "non-un-token")
	require.ErrorIs(t, err, apperr.ErrNotFound)

	require.Equal(t, 1, q.count("complaint_acknowledge"))
	require.Equal(t, 1, q.count("complaint_reply_mail"))
}

// TestComplaintQueriesStayInThePackage: only internal/complaints calls the Complaint*
// queries (its store: store.go and store_*.go), so every entry point goes through the Service. The same scan must find
// the store's own calls, or it checks nothing.
func TestComplaintQueriesStayInThePackage(t *testing.T) {
	root := filepath.Join("..", "..")
	calls := map[string][]string{} // file → query names called on a transaction
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == ".git" || n == "node_modules" || n == ".data" || path == filepath.Join(root, "internal", "db")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !strings.HasPrefix(sel.Sel.Name, "Complaint") {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "complaints" {
				return true // the package's exported API, not a query
			}
			calls[path] = append(calls[path], sel.Sel.Name)
			return true
		})
		return nil
	})
	require.NoError(t, err)
	// The store is store.go and its parts, store_<topic>.go, in the package.
	dir := filepath.Join(root, "internal", "complaints")
	store := filepath.Join(dir, "store.go")
	require.NotEmpty(t, calls[store], "the scan found no query call in the store: it checks nothing")
	// The store may be split in files store_*.go of the package (methods on store).
	for path, names := range calls {
		ok := filepath.Dir(path) == dir && strings.HasPrefix(filepath.Base(path), "store")
		require.True(t, ok, "Complaint* queries called outside the complaints store, in %s: %v", path, names)
	}
}

// mailAndQueue readies env's database for a real job queue (River's tables) and starts an SMTP
// server in the test process.
func mailAndQueue(t *testing.T, env *testenv.Env) (*mailtest.Server, mail.Sender) {
	t.Helper()
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	require.NoError(t, err)
	require.NoError(t, jobs.Migrate(ctx, owner))
	owner.Close()
	smtp := mailtest.Start(t)
	sender, err := mail.NewSMTPSender(smtp.SMTP())
	require.NoError(t, err)
	return smtp, sender
}

// queueFor is a real job client working svc's jobs, handed to svc; the caller starts it.
func queueFor(t *testing.T, env *testenv.Env, svc *complaints.Service, sender mail.Sender) *jobs.Client {
	t.Helper()
	jc, err := jobs.NewWithOptions(env.Runtime, quiet, jobs.Options{FetchPollInterval: 100 * time.Millisecond},
		append([]jobs.Registration{jobs.SendEmail(sender)}, complaints.Workers(svc, sender)...)...)
	require.NoError(t, err)
	svc.UseJobs(jc)
	return jc
}

// TestDeadlineRemindersReachTheURP runs the queue for real: a complaint filed 40 days ago
// (by the Service's clock) has its three reminders due already, so the URP hears of 7 days,
// 2 days and the delay, and the responsabile of the delay; an answered one reminds nobody.
func TestDeadlineRemindersReachTheURP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := testenv.Get(t)
	smtp, sender := mailAndQueue(t, env)
	svc := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants,
		SiteURL: func(slug string) string { return "https://" + slug + ".carta.test" }, Log: quiet,
		Now: func() time.Time { return time.Now().AddDate(0, 0, -40) }})
	jc := queueFor(t, env, svc, sender)

	tn := env.NewTenant(t, tenant.KindComune)
	person := func(role string) string {
		email := role + "-" + uuid.NewString()[:8] + "@example.it"
		var id uuid.UUID
		require.NoError(t, env.Admin.QueryRow(ctx, `INSERT INTO users (email, display_name, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
			email, "Persona "+role).Scan(&id))
		_, err := env.Admin.Exec(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', $1, $2, $3)`,
			access.Subject(id), role, access.DomainOf(tn))
		require.NoError(t, err)
		return email
	}
	urp, resp := person(access.RoleURP), person(access.RoleResponsabile)

	open, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	answered, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	_, err = svc.Reply(ctx, tn, answered.Complaint.ID, complaints.Upheld, "Risolto.")
	require.NoError(t, err)

	require.NoError(t, jc.Start(ctx))
	t.Cleanup(func() { _ = jc.Stop(context.Background()) })
	subjects := func(to string) []string {
		var out []string
		for _, m := range smtp.Messages() {
			if m.To[0] == to {
				out = append(out, m.Subject)
			}
		}
		sort.Strings(out)
		return out
	}
	p := open.Complaint.Protocol()
	require.Eventually(t, func() bool { return len(subjects(urp)) >= 3 && len(subjects(resp)) >= 1 }, 30*time.Second, 100*time.Millisecond)
	require.Equal(t, []string{"Reclamo n. " + p + ": la risposta scade tra 2 giorni", "Reclamo n. " + p + ": la risposta scade tra 7 giorni",
		"Reclamo n. " + p + ": risposta in ritardo"}, subjects(urp))
	require.Equal(t, []string{"Reclamo n. " + p + ": risposta in ritardo"}, subjects(resp))
	for _, sub := range append(subjects(urp), subjects(resp)...) {
		require.NotContains(t, sub, answered.Complaint.Protocol(), "an answered complaint reminded someone")
	}
	d, err := svc.Get(ctx, tn, open.Complaint.ID)
	require.NoError(t, err)
	var notes []string
	for _, e := range d.Events {
		if strings.HasPrefix(e.Kind, "reminder:") {
			notes = append(notes, e.Note)
		}
	}
	require.Len(t, notes, 3, "each reminder is in the complaint's history")
}

// TestRetentionAnonymisesExpiredComplaints: a complaint closed longer ago than the tenant's
// retention loses its author's data, texts, notes and private links; its number, status and
// outcome stay for the indicators. A recently closed one, an open one and another tenant's
// are untouched.
func TestRetentionAnonymisesExpiredComplaints(t *testing.T) {
	t.Parallel()
	svc, env, _ := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)
	closeNow := func(tt *tenant.Tenant) *complaints.Receipt {
		rec, err := svc.Submit(ctx, tt, valid())
		require.NoError(t, err)
		require.NoError(t, svc.AddNote(ctx, tt, rec.Complaint.ID, "Parlato con la signora Rossi."))
		_, err = svc.Reply(ctx, tt, rec.Complaint.ID, complaints.Upheld, "Gentile signora Rossi, …")
		require.NoError(t, err)
		_, err = svc.Close(ctx, tt, rec.Complaint.ID)
		require.NoError(t, err)
		return rec
	}
	old, recent, elsewhere := closeNow(tn), closeNow(tn), closeNow(other)
	open, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	for _, id := range []uuid.UUID{old.Complaint.ID, elsewhere.Complaint.ID} {
		_, err := env.Admin.Exec(ctx, `UPDATE complaints SET closed_at = now() - interval '61 months' WHERE id = $1`, id)
		require.NoError(t, err)
	}

	n, err := svc.AnonymiseExpired(ctx, tn)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	d, err := svc.Get(ctx, tn, old.Complaint.ID)
	require.NoError(t, err)
	c := d.Complaint
	require.Empty(t, c.FirstName+c.LastName+c.FiscalCode+c.Email+c.Phone+c.Reply+c.Request)
	require.NotContains(t, c.WhatHappened, "tre settimane")
	require.Equal(t, complaints.Closed, c.Status)
	require.Equal(t, complaints.Upheld, c.Outcome)
	require.Equal(t, old.Complaint.Protocol(), c.Protocol())
	for _, e := range d.Events {
		require.NotContains(t, e.Note, "Rossi")
	}
	_, err = svc.ByLink(ctx, tn, old.Link)
	require.ErrorIs(t, err, apperr.ErrNotFound, "the private link still opens")

	for _, kept := range []*complaints.Receipt{recent, open} {
		d, err := svc.Get(ctx, tn, kept.Complaint.ID)
		require.NoError(t, err)
		require.Equal(t, "Maria", d.Complaint.FirstName)
	}
	d, err = svc.Get(ctx, other, elsewhere.Complaint.ID)
	require.NoError(t, err)
	require.Equal(t, "Maria", d.Complaint.FirstName, "another tenant's complaint, due but not its turn")
	n, err = svc.AnonymiseExpired(ctx, other)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = svc.AnonymiseExpired(ctx, tn)
	require.NoError(t, err)
	require.Zero(t, n, "twice is once")
	require.Len(t, complaints.Periodic(), 3, "the retention, the deadline sweep and the cleanup of pending uploads")
}

// TestFeedbackNeedsNoIdentity: a suggestion needs only its kind and text; it is stored for
// its tenant alone and counted by kind.
func TestFeedbackNeedsNoIdentity(t *testing.T) {
	t.Parallel()
	svc, env, q := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)
	_, err := svc.SubmitFeedback(ctx, tn, complaints.Feedback{Body: " ", Email: "non-valida"})
	e, ok := apperr.As(err)
	require.True(t, ok)
	require.Contains(t, e.Fields, "kind")
	require.Contains(t, e.Fields, "body")
	require.Contains(t, e.Fields, "email")
	unknown := uuid.New()
	_, err = svc.SubmitFeedback(ctx, tn, complaints.Feedback{Kind: complaints.UnmetNeed, Body: "Manca un servizio di trasporto.", ServiceID: &unknown})
	e, _ = apperr.As(err)
	require.Contains(t, e.Fields, "service")

	_, err = svc.SubmitFeedback(ctx, tn, complaints.Feedback{Kind: complaints.Suggestion, Body: "Aprite lo sportello anche il sabato."})
	require.NoError(t, err)
	_, err = svc.SubmitFeedback(ctx, tn, complaints.Feedback{Kind: complaints.UnmetNeed, Body: "Manca un servizio di trasporto.", Email: "Anna@Example.it"})
	require.NoError(t, err)
	l, err := svc.ListFeedback(ctx, tn)
	require.NoError(t, err)
	require.Len(t, l.Items, 2)
	require.Equal(t, map[complaints.FeedbackKind]int{complaints.Suggestion: 1, complaints.UnmetNeed: 1}, l.Counts)
	require.Equal(t, "Anna@example.it", l.Items[0].Email, "the domain is lower-cased, the mailbox kept")
	l, err = svc.ListFeedback(ctx, other)
	require.NoError(t, err)
	require.Empty(t, l.Items)
	require.Empty(t, q.args, "no answer is due, no job")
}

// TestExportAuthor: a data subject's request gathers every complaint of the author, by
// codice fiscale or e-mail, of this tenant only, and the trail records who exported them.
func TestExportAuthor(t *testing.T) {
	t.Parallel()
	svc, env, _ := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)
	first, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	second := valid()
	second.FiscalCode, second.WhatHappened = "", "Secondo reclamo, stessa email."
	_, err = svc.Submit(ctx, tn, second)
	require.NoError(t, err)
	stranger := valid()
	stranger.FiscalCode, stranger.Email, stranger.FirstName = "", "altra.persona@example.it", "Altra"
	_, err = svc.Submit(ctx, tn, stranger)
	require.NoError(t, err)
	_, err = svc.Submit(ctx, other, valid())
	require.NoError(t, err)

	data, err := svc.ExportAuthor(ctx, tn, first.Complaint.ID)
	require.NoError(t, err)
	require.Len(t, data.Complaints, 2)
	for _, c := range data.Complaints {
		require.Equal(t, "Maria", c.Nome)
		require.NotEmpty(t, c.Storia)
	}
	var n int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'complaint.export'`, tn.ID).Scan(&n))
	require.Equal(t, 1, n)
	_, err = svc.ExportAuthor(ctx, other, first.Complaint.ID)
	require.ErrorIs(t, err, apperr.ErrNotFound)
}

// TestCoordinationTable: a complaint assigned to two offices collects each one's contribution
// (only from an assigned office, never shown to the citizen) before the URP's single reply.
func TestCoordinationTable(t *testing.T) {
	t.Parallel()
	svc, env, _ := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	rec, err := svc.Submit(ctx, tn, valid())
	require.NoError(t, err)
	id := rec.Complaint.ID
	// A tenant that has published nothing has no offices to assign to.
	offices, err := svc.Offices(ctx, tn)
	require.NoError(t, err)
	require.Empty(t, offices)
	err = svc.Assign(ctx, tn, id, []uuid.UUID{uuid.New()})
	e, ok := apperr.As(err)
	require.True(t, ok)
	require.Contains(t, e.Fields, "offices")
	err = svc.AddContribution(ctx, tn, id, uuid.New(), "Abbiamo verificato.")
	e, _ = apperr.As(err)
	require.Contains(t, e.Fields, "office", "an office that is not assigned")
	err = svc.AddContribution(ctx, tn, id, uuid.New(), " ")
	e, _ = apperr.As(err)
	require.Contains(t, e.Fields, "contribution")
	d, err := svc.Get(ctx, tn, id)
	require.NoError(t, err)
	require.False(t, d.Coordinated())
}
