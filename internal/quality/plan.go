package quality

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// The improvement plan (Piano di miglioramento): each year's actions, each meant to move one
// of the indicators. The indicator's value of the year before is taken when the action is
// created, so the plan says where it started from; the effect is the indicator of the action's
// own year and its change, measured when the action is completed or when staff ask.

// ActionStatus is where an action of the plan stands.
type ActionStatus string

// The statuses of an action.
const (
	ActionToStart   ActionStatus = "da_avviare"
	ActionOngoing   ActionStatus = "in_corso"
	ActionDone      ActionStatus = "completata"
	ActionCancelled ActionStatus = "annullata"
)

// ActionStatuses in their order.
var ActionStatuses = []ActionStatus{ActionToStart, ActionOngoing, ActionDone, ActionCancelled}

// Label is the status in Italian.
func (s ActionStatus) Label() string {
	switch s {
	case ActionToStart:
		return "Da avviare"
	case ActionOngoing:
		return "In corso"
	case ActionDone:
		return "Completata"
	case ActionCancelled:
		return "Annullata"
	}
	return ""
}

func (s ActionStatus) valid() bool { return s.Label() != "" }

// Limits of an action's texts, in characters.
const (
	MaxActionTitle       = 200
	MaxActionDescription = 2000
	MaxActionOwner       = 200
)

// Messages of the plan's form.
const (
	MsgActionTitle       = "Scrivi il titolo dell'azione (al massimo 200 caratteri)."
	MsgActionDescription = "La descrizione può avere al massimo 2000 caratteri."
	MsgActionIndicator   = "Scegli l'indicatore che l'azione deve migliorare."
	MsgActionOwner       = "Scrivi chi è responsabile dell'azione (al massimo 200 caratteri)."
	MsgActionDue         = "Indica la scadenza con una data valida."
	MsgActionYear        = "Scegli un anno del piano valido."
	MsgActionStatus      = "Scegli uno stato dell'azione."
)

// Action is one action of the improvement plan.
type Action struct {
	ID          uuid.UUID
	Year        int
	Title       string
	Description string
	Indicator   string // the key of one of Comparison.Lines()
	Owner       string
	Due         time.Time
	Status      ActionStatus
	// StartValue is the indicator's value of the year before, as the indicators show it.
	StartValue string
	// EffectValue and EffectChange are the indicator of the action's year and its change over
	// the year before; empty until measured.
	EffectValue, EffectChange string
	MeasuredAt                *time.Time
}

// IndicatorLabel is the label of the action's indicator.
func (a Action) IndicatorLabel() string { return IndicatorLabel(a.Indicator) }

// Measured reports whether the effect has been measured.
func (a Action) Measured() bool { return a.MeasuredAt != nil }

// ActionInput is what staff write of an action; Due is the day as a form sends it (2026-09-30).
type ActionInput struct {
	Year                                 int
	Title, Description, Indicator, Owner string
	Due                                  string
}

// IndicatorOptions are the indicators an action may aim at, keys and labels in the report's
// order: those of Comparison.Lines().
func IndicatorOptions() []Option {
	empty := &Year{Complaints: &complaints.PeriodFigures{}}
	lines := (&Comparison{Now: empty, Before: empty}).Lines()
	out := make([]Option, 0, len(lines))
	for _, l := range lines {
		out = append(out, Option{l.Key, l.Label})
	}
	return out
}

// IndicatorLabel is the label of the indicator key ("" when there is none).
func IndicatorLabel(key string) string {
	for _, o := range IndicatorOptions() {
		if o.Code == key {
			return o.Label
		}
	}
	return ""
}

// clean validates in and returns it trimmed, with its due day.
func (s *Service) cleanAction(in ActionInput) (ActionInput, time.Time, error) {
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	in.Owner, in.Indicator = strings.TrimSpace(in.Owner), strings.TrimSpace(in.Indicator)
	errs := map[string]string{}
	if in.Title == "" || utf8.RuneCountInString(in.Title) > MaxActionTitle {
		errs["title"] = MsgActionTitle
	}
	if utf8.RuneCountInString(in.Description) > MaxActionDescription {
		errs["description"] = MsgActionDescription
	}
	if IndicatorLabel(in.Indicator) == "" {
		errs["indicator"] = MsgActionIndicator
	}
	if in.Owner == "" || utf8.RuneCountInString(in.Owner) > MaxActionOwner {
		errs["owner"] = MsgActionOwner
	}
	due, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Due), itlang.Rome)
	if err != nil || due.Year() < 2000 || due.Year() > 2100 {
		errs["due"] = MsgActionDue
	}
	if now := s.d.Now().Year(); in.Year < 2000 || in.Year > now+1 {
		errs["year"] = MsgActionYear
	}
	if len(errs) > 0 {
		return in, time.Time{}, apperr.InvalidFields(errs)
	}
	return in, due, nil
}

// indicatorValue is the indicator key of t's year, as the indicators' table shows it, and its
// change over the year before.
func (s *Service) indicatorValue(ctx context.Context, t *tenant.Tenant, year int, key string) (value, change string, err error) {
	c, err := s.Indicators(ctx, t, year)
	if err != nil {
		return "", "", err
	}
	for _, l := range c.Lines() {
		if l.Key == key {
			return l.Value, l.Change.String(), nil
		}
	}
	return "", "", nil
}

// Plan is t's improvement plan of year, by due day.
func (s *Service) Plan(ctx context.Context, t *tenant.Tenant, year int) ([]Action, error) {
	var out []Action
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.plan(ctx, year)
		return err
	})
	return out, err
}

// PublishedPlan is what the citizen site shows of t's plan of year: every action but the
// cancelled ones.
func (s *Service) PublishedPlan(ctx context.Context, t *tenant.Tenant, year int) ([]Action, error) {
	all, err := s.Plan(ctx, t, year)
	if err != nil {
		return nil, err
	}
	out := make([]Action, 0, len(all))
	for _, a := range all {
		if a.Status != ActionCancelled {
			out = append(out, a)
		}
	}
	return out, nil
}

// Action is t's action id; apperr.ErrNotFound when t has none such.
func (s *Service) Action(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (Action, error) {
	var out Action
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.action(ctx, id)
		return err
	})
	return out, err
}

// AddAction adds an action to t's plan of in.Year, "da avviare", with the indicator's value of
// the year before as its start. In the audit trail.
func (s *Service) AddAction(ctx context.Context, t *tenant.Tenant, in ActionInput) (Action, error) {
	in, due, err := s.cleanAction(in)
	if err != nil {
		return Action{}, err
	}
	start, _, err := s.indicatorValue(ctx, t, in.Year-1, in.Indicator)
	if err != nil {
		return Action{}, err
	}
	var out Action
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		out, err = store{tx}.addAction(ctx, in, due, start)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.plan.create", ObjectType: "improvement_action",
			ObjectID: out.ID.String(), ObjectName: out.Title})
	})
	return out, err
}

// UpdateAction rewrites t's action id (its year stays); a new indicator takes its own start
// value. In the audit trail.
func (s *Service) UpdateAction(ctx context.Context, t *tenant.Tenant, id uuid.UUID, in ActionInput) (Action, error) {
	cur, err := s.Action(ctx, t, id)
	if err != nil {
		return Action{}, err
	}
	in.Year = cur.Year
	in, due, err := s.cleanAction(in)
	if err != nil {
		return Action{}, err
	}
	start := cur.StartValue
	if in.Indicator != cur.Indicator {
		if start, _, err = s.indicatorValue(ctx, t, cur.Year-1, in.Indicator); err != nil {
			return Action{}, err
		}
	}
	var out Action
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		out, err = store{tx}.updateAction(ctx, id, in, due, start)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.plan.update", ObjectType: "improvement_action",
			ObjectID: out.ID.String(), ObjectName: out.Title})
	})
	return out, err
}

// SetStatus moves t's action id to status; a completed action gets its effect measured. In the
// audit trail.
func (s *Service) SetStatus(ctx context.Context, t *tenant.Tenant, id uuid.UUID, status ActionStatus) (Action, error) {
	if !status.valid() {
		return Action{}, apperr.InvalidFields(map[string]string{"status": MsgActionStatus})
	}
	cur, err := s.Action(ctx, t, id)
	if err != nil {
		return Action{}, err
	}
	var value, change string
	if status == ActionDone {
		if value, change, err = s.indicatorValue(ctx, t, cur.Year, cur.Indicator); err != nil {
			return Action{}, err
		}
	}
	var out Action
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		if out, err = st.setStatus(ctx, id, status); err != nil {
			return err
		}
		if status == ActionDone {
			if out, err = st.setEffect(ctx, id, value, change); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.plan.status", ObjectType: "improvement_action",
			ObjectID: out.ID.String(), ObjectName: out.Title + " – " + status.Label()})
	})
	return out, err
}

// MeasureEffect measures again the effect of t's action id from the indicators of its year. In
// the audit trail.
func (s *Service) MeasureEffect(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (Action, error) {
	cur, err := s.Action(ctx, t, id)
	if err != nil {
		return Action{}, err
	}
	value, change, err := s.indicatorValue(ctx, t, cur.Year, cur.Indicator)
	if err != nil {
		return Action{}, err
	}
	var out Action
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if out, err = (store{tx}).setEffect(ctx, id, value, change); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.plan.effect", ObjectType: "improvement_action",
			ObjectID: out.ID.String(), ObjectName: out.Title})
	})
	return out, err
}
