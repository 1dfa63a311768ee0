package complaints

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
)

// AuthorData is everything t holds about the author of one complaint, for their request to
// access their data: every complaint they filed (found by codice fiscale or e-mail) with its
// public history.
type AuthorData struct {
	Ente       string            `json:"ente"`
	ExportedAt time.Time         `json:"esportato_il"`
	Complaints []ExportComplaint `json:"reclami"`
}

// ExportComplaint is one complaint in an export, with Italian field names.
type ExportComplaint struct {
	Protocollo       string        `json:"protocollo"`
	Canale           string        `json:"canale"`
	Stato            string        `json:"stato"`
	Servizio         string        `json:"servizio"`
	Standard         string        `json:"standard,omitempty"`
	CheCosaEAccaduto string        `json:"che_cosa_e_accaduto"`
	Richiesta        string        `json:"richiesta,omitempty"`
	Nome             string        `json:"nome"`
	Cognome          string        `json:"cognome"`
	CodiceFiscale    string        `json:"codice_fiscale,omitempty"`
	Email            string        `json:"email,omitempty"`
	Telefono         string        `json:"telefono,omitempty"`
	PerContoDi       string        `json:"per_conto_di,omitempty"`
	Relazione        string        `json:"relazione,omitempty"`
	Ricevuto         time.Time     `json:"ricevuto"`
	Scadenza         string        `json:"scadenza"`
	Esito            string        `json:"esito,omitempty"`
	Risposta         string        `json:"risposta,omitempty"`
	Allegati         []ExportFile  `json:"allegati,omitempty"`
	Storia           []ExportEvent `json:"storia"`
}

// ExportFile is an attachment of a complaint in an export: its name, type and size.
type ExportFile struct {
	Nome       string `json:"nome"`
	Tipo       string `json:"tipo"`
	Dimensione int    `json:"dimensione_byte"`
}

// ExportEvent is a public step of a complaint's history.
type ExportEvent struct {
	Quando time.Time `json:"quando"`
	Cosa   string    `json:"cosa"`
	Stato  string    `json:"stato,omitempty"`
}

// ExportAuthor returns the data of the author of complaint id.
func (s *Service) ExportAuthor(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (*AuthorData, error) {
	out := &AuthorData{Ente: t.Name, ExportedAt: s.d.Now()}
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.get(ctx, id, false)
		if err != nil {
			return err
		}
		all, err := st.byAuthor(ctx, c)
		if err != nil {
			return err
		}
		for _, x := range all {
			evs, err := st.events(ctx, x.ID)
			if err != nil {
				return err
			}
			e := ExportComplaint{Protocollo: x.Protocol(), Canale: x.Channel.Label(), Stato: x.Status.Label(), Servizio: orOther(x.ServiceTitle),
				Standard: x.Standard, CheCosaEAccaduto: x.WhatHappened, Richiesta: x.Request, Nome: x.FirstName, Cognome: x.LastName,
				CodiceFiscale: x.FiscalCode, Email: x.Email, Telefono: x.Phone, PerContoDi: x.OnBehalfOf, Relazione: x.Relation,
				Ricevuto: x.SubmittedAt, Scadenza: x.DueOn.Format(time.DateOnly), Esito: x.Outcome.Label(), Risposta: x.Reply}
			files, err := st.attachments(ctx, x.ID)
			if err != nil {
				return err
			}
			for _, f := range files {
				e.Allegati = append(e.Allegati, ExportFile{Nome: f.Name, Tipo: f.ContentType, Dimensione: f.Size})
			}
			for _, ev := range evs {
				if ev.Public {
					e.Storia = append(e.Storia, ExportEvent{Quando: ev.At, Cosa: ev.Label(), Stato: ev.Status.Label()})
				}
			}
			out.Complaints = append(out.Complaints, e)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.export", ObjectType: "complaint", ObjectID: id.String(),
			ObjectName: c.Protocol(), Details: map[string]any{"complaints": len(all)}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (h *handlers) export(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	data, err := h.svc.ExportAuthor(c.UserContext(), t, id)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	privatePage(c)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="dati-autore-reclamo.json"`)
	return c.Send(b)
}
