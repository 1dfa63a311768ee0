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
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
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

func (q *queue) InsertTx(_ context.Context, _ pgx.Tx, args river.JobArgs, _ *river.InsertOpts) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.args = append(q.args, args)
	return nil
}

func newService(t *testing.T, now time.Time) (*complaints.Service, *testenv.Env, *queue) {
	env := testenv.Get(t)
	svc := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants,
		SiteURL: func(slug string) string { return "https://" + slug + ".carta.test" }, Log: quiet,
		Now: func() time.Time { return now }})
	q := &queue{}
	svc.UseJobs(q)
	return svc, env, q
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
	require.Len(t, q.args, n, "one acknowledgement per complaint")
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

	require.Len(t, q.args, 2, "acknowledgement and reply e-mails")
	require.IsType(t, complaints.AcknowledgeArgs{}, q.args[0])
	require.IsType(t, complaints.ReplyMailArgs{}, q.args[1])
}

// TestComplaintQueriesStayInThePackage: only internal/complaints calls the Complaint*
// queries (its store), so every entry point goes through the Service. The same scan must find
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
	store := filepath.Join(root, "internal", "complaints", "store.go")
	require.NotEmpty(t, calls[store], "the scan found no query call in the store: it checks nothing")
	for path, names := range calls {
		require.Equal(t, store, path, "Complaint* queries called outside the complaints store: %v", names)
	}
}
