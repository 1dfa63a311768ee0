package complaints

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// The official protocol. Many comuni must register incoming mail in their protocol register:
// a tenant that sets a protocol mailbox (its PEC address, under the complaint settings) gets
// every new complaint there, after the commit, with its receipt as a PDF and its attachments; a failed delivery is
// retried by the queue. Staff then record the register's number and day on the complaint,
// next to the product's own number.

// ProtocolMailArgs is the job that sends a new complaint to the tenant's protocol mailbox.
type ProtocolMailArgs struct {
	TenantID    uuid.UUID `json:"tenant_id"`
	ComplaintID uuid.UUID `json:"complaint_id"`
	To          string    `json:"to"`
}

// Kind names the job.
func (ProtocolMailArgs) Kind() string { return "complaint_protocol_mail" }

// InsertOpts puts the job on the e-mail queue with its retry budget.
func (ProtocolMailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueEmail, MaxAttempts: jobs.EmailMaxAttempts}
}

type protocolWorker struct {
	river.WorkerDefaults[ProtocolMailArgs]
	svc    *Service
	sender mail.Sender
}

// Work composes the message from the stored complaint (the job holds ids only) and sends it;
// once it left, the complaint's history says so.
func (w *protocolWorker) Work(ctx context.Context, job *river.Job[ProtocolMailArgs]) error {
	s := w.svc
	t, err := s.d.Tenants.ByID(ctx, job.Args.TenantID)
	if apperr.KindOf(err) == apperr.NotFound || tenant.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("protocol mail: %w", err)
	}
	var c *Complaint
	var files []*AttachmentFile
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		var err error
		if c, err = st.get(ctx, job.Args.ComplaintID, false); err != nil {
			return err
		}
		list, err := st.attachments(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, a := range list {
			f, err := st.attachment(ctx, c.ID, a.N)
			if err != nil {
				return err
			}
			files = append(files, f)
		}
		return nil
	})
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("protocol mail: %w", err)
	}
	m, err := protocolMail(t, c, job.Args.To)
	if err != nil {
		return err
	}
	for _, f := range files {
		m.Attachments = append(m.Attachments, mail.Attachment{Name: fmt.Sprintf("allegato-%d-%s", f.N, f.Name), ContentType: f.ContentType, Data: f.Data})
	}
	if err := w.sender.Send(ctx, m); err != nil {
		return fmt.Errorf("send protocol mail: %w", err)
	}
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return store{tx}.event(ctx, c.ID, "protocol_pec", c.Status, "Inviato a "+job.Args.To, false, nil)
	})
}

// protocolMail is the message to the protocol mailbox: the whole complaint, author included
// (the register needs it), and its receipt; the worker adds the citizen's attachments.
func protocolMail(t *tenant.Tenant, c *Complaint, to string) (mail.Message, error) {
	var b strings.Builder
	line := func(label, v string) {
		if v != "" {
			b.WriteString(label + ": " + v + "\n")
		}
	}
	b.WriteString("Reclamo presentato " + itlang.Of(t.Name) + " da registrare al protocollo.\n\n")
	line("Numero del reclamo", c.Protocol())
	line("Ricevuto il", itlang.DateTime(c.SubmittedAt))
	line("Canale", c.Channel.Label())
	line("Scadenza della risposta", itlang.Date(c.DueOn))
	line("Servizio", orOther(c.ServiceTitle))
	line("Impegno non rispettato", c.Standard)
	b.WriteString("\nPresentato da\n")
	line("Nome e cognome", c.Author())
	line("Codice fiscale", c.FiscalCode)
	line("Email", c.Email)
	line("Telefono", c.Phone)
	line("Per conto di", c.OnBehalfOf)
	line("Relazione", c.Relation)
	b.WriteString("\nChe cosa è successo\n" + c.WhatHappened + "\n")
	if c.Request != "" {
		b.WriteString("\nChe cosa chiede\n" + c.Request + "\n")
	}
	b.WriteString("\nRegistrato il numero di protocollo, riportalo sul reclamo nell'area riservata.\n")
	regular, bold, _, err := web.PDFFonts()
	if err != nil {
		return mail.Message{}, err
	}
	receipt, err := RenderReceipt(ReceiptFonts{Regular: regular, Bold: bold}, t.Name, c)
	if err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: to, Subject: "Reclamo n. " + c.Protocol() + " " + itlang.Of(t.Name) + " – per il protocollo",
		Text:        b.String(),
		Attachments: []mail.Attachment{{Name: ReceiptFilename(c), ContentType: "application/pdf", Data: receipt}}}, nil
}
