package mail

import (
	"context"
	"log/slog"
)

// LogSender prints every message, links included, to the log at INFO instead of sending it: in
// development the reset and invitation links are one click away in the terminal.
type LogSender struct{ log *slog.Logger }

// NewLogSender returns a sender that writes to log.
func NewLogSender(log *slog.Logger) *LogSender { return &LogSender{log: log} }

// Send logs m and never fails.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	s.log.InfoContext(ctx, "e-mail (not sent: development mode)",
		"to", m.To, "subject", m.Subject, "text", "\n"+m.Text)
	return nil
}
