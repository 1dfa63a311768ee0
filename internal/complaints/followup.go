package complaints

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// After the answer. The author says on the private page whether the problem was solved; when
// it was not, within ReopenDays of the answer they may reopen the complaint with a reason,
// and the URP owes a new answer under the same number, due after the tenant's days from the
// reopening (with its reminders). Later than that, a new complaint is the way.

// ReopenDays is how long after the answer the author may reopen a complaint.
const ReopenDays = 30

// MaxReopen caps the reopenings of one complaint.
const MaxReopen = 3

// Messages of the author's answer.
const (
	msgSolvedChoice = "Indica se il problema è stato risolto."
	msgReopenReason = "Spiega perché il problema non è risolto (al massimo 2000 caratteri)."
	msgNotAnswered  = "Il reclamo non ha ancora una risposta: potrai dire se il problema è risolto dopo averla ricevuta."
	msgAlreadySaid  = "Hai già detto se il problema è stato risolto."
)

// CanAnswerSolved reports whether the author may say now whether the answer solved it.
func (c *Complaint) CanAnswerSolved() bool {
	return (c.Status == Answered || c.Status == Closed) && c.RepliedAt != nil &&
		(c.SolvedAt == nil || c.SolvedAt.Before(*c.RepliedAt))
}

// CanReopen reports whether, at now, the author may still reopen the complaint.
func (c *Complaint) CanReopen(now time.Time) bool {
	return c.CanAnswerSolved() && c.ReopenCount < MaxReopen && c.OutcomeSet() &&
		!dayOf(now).After(dayOf(*c.RepliedAt).AddDate(0, 0, ReopenDays))
}

// SaidSolved reports whether the author said the answer solved it.
func (c *Complaint) SaidSolved() bool { return c.Solved != nil && *c.Solved }

// SaidNotSolved reports whether the author said it did not (and the complaint is not reopened).
func (c *Complaint) SaidNotSolved() bool { return c.Solved != nil && !*c.Solved && !c.Status.Open() }

// OutcomeSet reports whether the answer decided the complaint (a complaint closed as "non di
// competenza" has no outcome and cannot be reopened here).
func (c *Complaint) OutcomeSet() bool { return c.Outcome != "" }

// ReopenUntil is the last day the author may reopen the complaint.
func (c *Complaint) ReopenUntil() time.Time {
	if c.RepliedAt == nil {
		return time.Time{}
	}
	return dayOf(*c.RepliedAt).AddDate(0, 0, ReopenDays)
}

// AnswerSolved records, for the complaint of a private link on t's site, whether the answer
// solved the problem. solved false with a reason reopens it when CanReopen; without a reason,
// or past the time, it is only recorded (and counted). It returns the complaint as it stands.
func (s *Service) AnswerSolved(ctx context.Context, t *tenant.Tenant, raw string, solved bool, reopen bool, reason string) (*Complaint, error) {
	reason = strings.TrimSpace(reason)
	if reopen {
		if n, msg := web.Text(reason, 1, 2000); msg != "" || n == "" {
			return nil, apperr.InvalidFields(map[string]string{"reason": msgReopenReason})
		} else {
			reason = n
		}
	}
	var out *Complaint
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		c, err := st.byLink(ctx, raw)
		if err != nil {
			return err
		}
		if c, err = st.get(ctx, c.ID, true); err != nil {
			return err
		}
		if !c.CanAnswerSolved() {
			if c.RepliedAt == nil {
				return apperr.New(apperr.Conflict, msgNotAnswered)
			}
			return apperr.New(apperr.Conflict, msgAlreadySaid)
		}
		now := s.d.Now()
		if solved || !reopen || !c.CanReopen(now) {
			if out, err = st.setSolved(ctx, c.ID, solved, now); err != nil {
				return err
			}
			kind := "solved"
			if !solved {
				kind = "not_solved"
			}
			return st.event(ctx, c.ID, kind, out.Status, reason, true, nil)
		}
		days, err := st.dueDays(ctx)
		if err != nil {
			return err
		}
		if out, err = st.reopen(ctx, c.ID, dayOf(now).AddDate(0, 0, days), now); err != nil {
			return err
		}
		if err := st.event(ctx, c.ID, "reopened", out.Status, reason, true, nil); err != nil {
			return err
		}
		for _, r := range reminders(t, out, now) {
			if err := s.jobs.InsertTx(ctx, tx.Raw, r.Args, r.InsertOpts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Status.Open() {
		s.d.Log.InfoContext(ctx, "complaint reopened", "tenant", t.Slug, "protocol", out.Protocol())
	}
	return out, nil
}

// Messages of the official protocol.
const (
	msgOfficialNumber = "Scrivi il numero di protocollo dato dal registro dell'ente (al massimo 60 caratteri)."
	msgOfficialDate   = "Scrivi la data di protocollo nel formato gg/mm/aaaa, non nel futuro."
)

// SetOfficialProtocol records the number and day the tenant's official protocol register gave
// the complaint; an empty number clears them.
func (s *Service) SetOfficialProtocol(ctx context.Context, t *tenant.Tenant, id uuid.UUID, number, day string) (*Complaint, error) {
	number, day = strings.TrimSpace(number), strings.TrimSpace(day)
	f := map[string]string{}
	var on *time.Time
	if number != "" {
		if n, msg := web.Text(number, 1, 60); msg != "" || strings.ContainsAny(n, "\n\r") {
			f["official_protocol"] = msgOfficialNumber
		} else {
			number = n
		}
		d, ok := parseDay(day)
		if !ok || d.After(s.Today()) {
			f["official_protocol_on"] = msgOfficialDate
		}
		on = &d
	}
	if len(f) > 0 {
		return nil, apperr.InvalidFields(f)
	}
	return s.change(ctx, t, id, func(st store, c *Complaint) (*Complaint, string, string, bool, error) {
		n, err := st.setOfficialProtocol(ctx, id, number, on)
		note := "Protocollo dell'ente: " + number
		if on != nil {
			note += " del " + on.Format("02/01/2006")
		}
		if number == "" {
			note = "Protocollo dell'ente rimosso"
		}
		return n, "protocol", note, false, err
	})
}

// parseDay reads a day as staff write it: 31/12/2026, 31-12-2026 or 2026-12-31 (the date
// input's value).
func parseDay(s string) (time.Time, bool) {
	for _, layout := range []string{"02/01/2006", "2/1/2006", "02-01-2006", "2006-01-02"} {
		if d, err := time.ParseInLocation(layout, s, itlang.Rome); err == nil {
			return dayOf(d), true
		}
	}
	return time.Time{}, false
}

// Settings are a tenant's complaint settings.
type Settings struct {
	DueDays         int    // calendar days to answer
	RetentionMonths int    // after closing, before the author's data are removed
	ProtocolMailbox string // a PEC address every new complaint is sent to; empty for none
}

// Messages of the settings.
const (
	msgDueDays   = "Indica in quanti giorni di calendario si risponde: un numero da 1 a 90 (la Carta dice 30)."
	msgRetention = "Indica per quanti mesi conservare i dati dopo la chiusura: un numero da 6 a 240."
	msgMailbox   = "Scrivi un indirizzo email valido per la casella del protocollo, oppure lascia vuoto."
)

// Settings returns t's complaint settings.
func (s *Service) Settings(ctx context.Context, t *tenant.Tenant) (Settings, error) {
	var out Settings
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.settings(ctx)
		return err
	})
	return out, err
}

// SaveSettings validates and stores t's complaint settings. A new due-day count applies to the
// complaints filed from now on.
func (s *Service) SaveSettings(ctx context.Context, t *tenant.Tenant, in Settings) error {
	f := map[string]string{}
	if in.DueDays < 1 || in.DueDays > 90 {
		f["due_days"] = msgDueDays
	}
	if in.RetentionMonths < 6 || in.RetentionMonths > 240 {
		f["retention_months"] = msgRetention
	}
	if in.ProtocolMailbox = strings.TrimSpace(in.ProtocolMailbox); in.ProtocolMailbox != "" {
		var msg string
		if in.ProtocolMailbox, msg = web.Email(in.ProtocolMailbox); msg != "" {
			f["protocol_mailbox"] = msgMailbox
		}
	}
	if len(f) > 0 {
		return apperr.InvalidFields(f)
	}
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return store{tx}.saveSettings(ctx, in)
	})
}
