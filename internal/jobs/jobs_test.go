package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/mail/mailtest"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

type bundle struct {
	env    *testenv.Env
	smtp   *mailtest.Server
	client *jobs.Client
}

func setup(t *testing.T) *bundle {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	require.NoError(t, err)
	defer owner.Close()
	require.NoError(t, jobs.Migrate(ctx, owner))

	srv := mailtest.Start(t)
	sender, err := mail.NewSMTPSender(srv.SMTP())
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	c, err := jobs.NewWithOptions(env.Runtime, log, jobs.Options{FetchPollInterval: 100 * time.Millisecond}, jobs.SendEmail(sender))
	require.NoError(t, err)
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, c.Stop(sctx))
	})
	return &bundle{env: env, smtp: srv, client: c}
}

// One test runs the River client: two clients on one schema would share (and steal) the jobs
// of the other's SMTP server.
func TestSendEmail(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	tn := b.env.NewTenant(t, tenant.KindComune)

	t.Run("retried until the relay accepts it", func(t *testing.T) {
		b.smtp.RefuseNext(1)
		msg := mail.Message{To: "anna.verdi@example.it", Subject: "Reimposta la password – Prova",
			Text: "Apri https://x.carta.test/admin/password/nuova?token=abc", HTML: "<p>ciao</p>"}
		require.NoError(t, b.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			return b.client.SendEmailTx(ctx, tx.Raw, msg)
		}))
		got := b.smtp.WaitFor(t, "anna.verdi@example.it", 30*time.Second)
		require.Equal(t, msg.Subject, got.Subject)
		require.Equal(t, msg.Text, strings.TrimRight(got.Text, "\n"))
		require.Contains(t, got.HTML, "<p>ciao</p>")
		require.GreaterOrEqual(t, b.smtp.Attempts(), 2)

		var state string
		var attempt int
		require.Eventually(t, func() bool {
			err := b.env.Admin.QueryRow(ctx, `SELECT state, attempt FROM river.river_job
				WHERE args->'message'->>'to' = 'anna.verdi@example.it'`).Scan(&state, &attempt)
			return err == nil && state == "completed"
		}, 10*time.Second, 50*time.Millisecond)
		require.Equal(t, 2, attempt)
	})

	t.Run("a rolled-back change sends nothing", func(t *testing.T) {
		errBoom := errors.New("boom")
		err := b.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			if err := b.client.SendEmailTx(ctx, tx.Raw, mail.Message{To: "ghost@example.it", Subject: "x", Text: "y"}); err != nil {
				return err
			}
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		var n int
		require.NoError(t, b.env.Admin.QueryRow(ctx, `SELECT count(*) FROM river.river_job
			WHERE args->'message'->>'to' = 'ghost@example.it'`).Scan(&n))
		require.Zero(t, n)
	})
}

func TestMigrateIsRepeatableAndGrantsRuntime(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	require.NoError(t, err)
	defer owner.Close()
	require.NoError(t, jobs.Migrate(ctx, owner))
	require.NoError(t, jobs.Migrate(ctx, owner))
	var ok bool
	require.NoError(t, env.Runtime.QueryRow(ctx,
		`SELECT has_table_privilege('river.river_job', 'INSERT, UPDATE, DELETE, SELECT')
		    AND has_table_privilege('river.river_leader', 'INSERT, UPDATE, DELETE, SELECT')
		    AND has_schema_privilege('river', 'USAGE')
		    AND NOT has_schema_privilege('river', 'CREATE')`).Scan(&ok))
	require.True(t, ok)
}
