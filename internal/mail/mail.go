// Package mail owns outgoing e-mail: the Message type, the Sender that delivers it (SMTP in
// production, the log in development) and the Italian templates of the messages the product
// sends to staff (password reset, invitation). Delivery is never done inside a request: the
// jobs package enqueues a message in the transaction that needs it and retries until it leaves.
package mail

import (
	"context"
	"log/slog"

	"github.com/cartasociale/carta/internal/config"
)

// Message is one e-mail to one recipient. Text is required; HTML, when set, is sent as the
// alternative part so that every client shows something readable.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html,omitempty"`
	// Attachments are files sent with the message. Jobs that carry a Message keep it in the
	// queue's table: a message with large attachments is composed by its worker instead.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file of a message.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Sender delivers a message. An error means the message did not leave and the caller (the job
// worker) should try again later.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// NewSender returns the sender the configuration asks for: SMTP when SMTP_HOST is set, the log
// otherwise (allowed only in development: config.Load refuses production without SMTP_HOST).
func NewSender(cfg *config.Config, log *slog.Logger) (Sender, error) {
	if cfg.SMTP.Host == "" {
		return NewLogSender(log), nil
	}
	return NewSMTPSender(cfg.SMTP)
}
