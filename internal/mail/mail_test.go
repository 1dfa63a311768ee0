package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/mail/mailtest"
)

func TestSMTPSenderDelivers(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	s, err := mail.NewSMTPSender(srv.SMTP())
	require.NoError(t, err)

	m, err := mail.PasswordReset("mario.rossi@example.it", mail.ResetData{
		Name: "Mario Rossi", TenantName: "Comune di Cerveteri",
		URL: "https://cerveteri.carta.test/admin/password/nuova?token=abc_DEF-123", ValidFor: "un'ora",
	})
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), m))

	got := srv.WaitFor(t, "mario.rossi@example.it", 5*time.Second)
	require.Equal(t, []string{"mario.rossi@example.it"}, got.To)
	require.Equal(t, "noreply@carta.test", got.From)
	require.Equal(t, "Reimposta la password – Comune di Cerveteri", got.Subject)
	require.Contains(t, got.Text, "Gentile Mario Rossi,")
	require.Contains(t, got.Text, "https://cerveteri.carta.test/admin/password/nuova?token=abc_DEF-123")
	require.Contains(t, got.HTML, `href="https://cerveteri.carta.test/admin/password/nuova?token=abc_DEF-123"`)
	require.Contains(t, got.Header.Get("Content-Type"), "multipart/alternative")
}

func TestSMTPSenderReportsRefusal(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	srv.RefuseNext(1)
	s, err := mail.NewSMTPSender(srv.SMTP())
	require.NoError(t, err)
	m := mail.Message{To: "a@example.it", Subject: "Prova", Text: "Testo"}
	require.Error(t, s.Send(context.Background(), m))
	require.NoError(t, s.Send(context.Background(), m))
	require.Equal(t, 2, srv.Attempts())
	require.Len(t, srv.Messages(), 1)
	require.Equal(t, "Testo\n", srv.Messages()[0].Text)
}

func TestSMTPSenderRejectsBadSettings(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	c := srv.SMTP()
	c.TLS = "sometimes"
	_, err := mail.NewSMTPSender(c)
	require.Error(t, err)
	c = srv.SMTP()
	c.From = "not an address"
	_, err = mail.NewSMTPSender(c)
	require.Error(t, err)
}

func TestSMTPSenderRequiresSTARTTLS(t *testing.T) {
	t.Parallel()
	// The test server offers no STARTTLS: the default policy must refuse to send in clear text.
	srv := mailtest.Start(t)
	c := srv.SMTP()
	c.TLS = "starttls"
	s, err := mail.NewSMTPSender(c)
	require.NoError(t, err)
	require.Error(t, s.Send(context.Background(), mail.Message{To: "a@example.it", Subject: "x", Text: "y"}))
	require.Empty(t, srv.Messages())
}

func TestInvitationTemplates(t *testing.T) {
	t.Parallel()
	m, err := mail.Invitation("new@example.it", mail.InviteData{
		Name: "Anna <Bianchi>", TenantName: "Comune di Ladispoli",
		URL: "https://ladispoli.carta.test/admin/invito?token=t1&x=1", ValidFor: "7 giorni",
	})
	require.NoError(t, err)
	require.Equal(t, "Invito all'area riservata – Comune di Ladispoli", m.Subject)
	require.Contains(t, m.Text, "Gentile Anna <Bianchi>,")
	require.Contains(t, m.Text, "scegliere la password")
	require.Contains(t, m.HTML, "Anna &lt;Bianchi&gt;")
	require.Contains(t, m.HTML, `href="https://ladispoli.carta.test/admin/invito?token=t1&amp;x=1"`)

	m, err = mail.Invitation("old@example.it", mail.InviteData{
		Name: "Luca", TenantName: "Comune di Ladispoli", URL: "https://ladispoli.carta.test/admin/login", HasAccount: true,
	})
	require.NoError(t, err)
	require.Contains(t, m.Text, "Hai già un account")
	require.NotContains(t, m.Text, "scegliere la password")
}

func TestLogSenderPrintsLink(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	s := mail.NewLogSender(slog.New(slog.NewTextHandler(&buf, nil)))
	require.NoError(t, s.Send(context.Background(), mail.Message{To: "a@example.it", Subject: "Oggetto",
		Text: "apri https://x.carta.test/admin/invito?token=zzz"}))
	out := buf.String()
	require.Contains(t, out, "level=INFO")
	require.Contains(t, out, "a@example.it")
	require.True(t, strings.Contains(out, "https://x.carta.test/admin/invito?token=zzz"), out)
}
