package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/mail"
)

// EmailMaxAttempts is how many times an e-mail is tried before it is given up. With River's
// backoff (attempt⁴ seconds, ±10%) the tenth attempt comes about four hours after the first:
// long enough to outlast a relay's outage, short enough that a person still expects the mail.
const EmailMaxAttempts = 10

// SendEmailArgs is the job that sends one message.
type SendEmailArgs struct {
	Message mail.Message `json:"message"`
}

// Kind names the job in the queue; never change it while jobs of that kind may be waiting.
func (SendEmailArgs) Kind() string { return "send_email" }

// InsertOpts puts e-mail on its own queue with its retry budget.
func (SendEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueEmail, MaxAttempts: EmailMaxAttempts}
}

// SendEmailTx enqueues m in tx.
func (c *Client) SendEmailTx(ctx context.Context, tx pgx.Tx, m mail.Message) error {
	return c.InsertTx(ctx, tx, SendEmailArgs{Message: m}, nil)
}

// EmailWorker sends e-mail jobs through a mail.Sender; a failed delivery returns the error and
// River tries again later.
type EmailWorker struct {
	river.WorkerDefaults[SendEmailArgs]
	sender mail.Sender
}

// Work sends the message.
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	if err := w.sender.Send(ctx, job.Args.Message); err != nil {
		return fmt.Errorf("send e-mail (attempt %d): %w", job.Attempt, err)
	}
	return nil
}

// SendEmail is the registration of the e-mail worker for New.
func SendEmail(sender mail.Sender) Registration {
	return Register[SendEmailArgs](&EmailWorker{sender: sender})
}
