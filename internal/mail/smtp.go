package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/cartasociale/carta/internal/config"
)

// SMTPSender delivers messages to an SMTP relay, one connection per message: staff mail is
// rare (resets, invitations, reminders) and a fresh connection never inherits a broken one.
type SMTPSender struct {
	from string
	opts []gomail.Option
	host string
}

// SendTimeout bounds one delivery attempt, dial to QUIT; the job retries after it.
const SendTimeout = 30 * time.Second

// NewSMTPSender checks the settings and returns a sender. TLS "starttls" requires STARTTLS
// (never falls back to clear text), "tls" is implicit TLS (port 465 style), "none" is for a
// relay on the same host or network only. Authentication is attempted only when a username is
// set, with the strongest mechanism the server offers.
func NewSMTPSender(c config.SMTP) (*SMTPSender, error) {
	if c.Host == "" {
		return nil, errors.New("mail: SMTP host is empty")
	}
	opts := []gomail.Option{
		gomail.WithPort(c.Port),
		gomail.WithTimeout(SendTimeout),
		gomail.WithTLSConfig(&tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}),
	}
	switch c.TLS {
	case "", "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("mail: unknown SMTP TLS mode %q", c.TLS)
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	// Validate the options once now, so a bad setting fails at start and not at the first mail.
	if _, err := gomail.NewClient(c.Host, opts...); err != nil {
		return nil, fmt.Errorf("mail: SMTP settings: %w", err)
	}
	from := c.From
	if err := gomail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("mail: SMTP_FROM %q is not an address: %w", from, err)
	}
	return &SMTPSender{from: from, opts: opts, host: c.Host}, nil
}

// Send delivers m, giving up after SendTimeout.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return err
	}
	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send to %s: %w", m.To, err)
	}
	return nil
}

func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	return msg, nil
}
