package quality

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Question is one 1–5 item of the questionnaire: a standard one (Key is its code) or one of the
// tenant's own (Key is its id).
type Question struct {
	Key      string
	Label    string
	Standard bool
	Hidden   bool
}

// StandardQuestions are the nine items of the standard questionnaire (DOMAIN.md, seeds 002 and
// 003), in the order of the paper form of the guida sintetica (cartapdf.SurveyItems).
var StandardQuestions = []Question{
	{Key: "trovare", Label: "Facilità nel trovare le informazioni", Standard: true},
	{Key: "chiarezza", Label: "Chiarezza delle informazioni ricevute", Standard: true},
	{Key: "orari", Label: "Orari di apertura degli uffici", Standard: true},
	{Key: "attesa", Label: "Tempo di attesa", Standard: true},
	{Key: "cortesia", Label: "Cortesia del personale", Standard: true},
	{Key: "competenza", Label: "Competenza del personale", Standard: true},
	{Key: "riservatezza", Label: "Rispetto della riservatezza", Standard: true},
	{Key: "adeguatezza", Label: "Adeguatezza della risposta al bisogno", Standard: true},
	{Key: "complessiva", Label: "Soddisfazione complessiva", Standard: true},
}

// Option is a choice of the questionnaire's optional profile.
type Option struct{ Code, Label string }

// The optional profile: user area (the national categories), age band, channel used.
var (
	AgeBands = []Option{{"meno-25", "Meno di 25 anni"}, {"25-44", "Da 25 a 44 anni"}, {"45-64", "Da 45 a 64 anni"},
		{"65-74", "Da 65 a 74 anni"}, {"75-oltre", "75 anni e oltre"}}
	UsedChannels = []Option{{"sportello", "Di persona, allo sportello"}, {"telefono", "Per telefono"},
		{"email", "Per e-mail o PEC"}, {"online", "Online, dal sito"}, {"domicilio", "A domicilio"}}
	Areas = []Option{{"ACC", "Welfare d'accesso e segretariato sociale"}, {"FAM", "Famiglia e minori"},
		{"DIS", "Persone con disabilità"}, {"ELD", "Anziani"}, {"ADD", "Dipendenze"},
		{"IMMNOM", "Immigrati, Rom, Sinti e Caminanti"}, {"POV", "Povertà, disagio adulti e senza dimora"},
		{"VIOL", "Donne vittime di violenza"}, {"MULBEN", "Multiutenza"}}
)

func validOption(opts []Option, code string) bool {
	for _, o := range opts {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Channel says how a questionnaire came in.
type Channel string

// Channels of a questionnaire.
const (
	Online Channel = "online"
	Paper  Channel = "paper"
)

// Response is one filled questionnaire.
type Response struct {
	ID           uuid.UUID
	ServiceID    *uuid.UUID // nil: the general questionnaire
	ServiceTitle string
	Channel      Channel
	SubmittedOn  time.Time // online: the day sent; paper: the day the office received it
	Scores       map[string]int
	Suggestions  string
	Area         string
	AgeBand      string
	UsedChannel  string
}

// Messages next to the questionnaire's fields.
const (
	MsgScore       = "Scegli un voto da 1 a 5."
	MsgNoScore     = "Dai un voto ad almeno una voce del questionario."
	MsgSuggestions = "Puoi scrivere al massimo 2000 caratteri."
	MsgOption      = "Scegli una delle voci proposte."
	MsgReceived    = "Indica il giorno in cui l'ufficio ha ricevuto il questionario (non nel futuro)."
	MsgAnswered    = "Hai già risposto a questo questionario oggi: grazie!"
	MsgQuestion    = "Scrivi la domanda (al massimo 200 caratteri, su una riga)."
	MsgSurveyDone  = "Grazie per aver risposto al questionario: le tue risposte ci aiutano a migliorare i servizi."
)

// MaxSuggestions is the length of the free text, in characters.
const MaxSuggestions = 2000

// Questions lists t's questionnaire: the standard items then its own, each marked hidden or not.
func (s *Service) Questions(ctx context.Context, t *tenant.Tenant) ([]Question, error) {
	var out []Question
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = questions(ctx, tx)
		return err
	})
	return out, err
}

func questions(ctx context.Context, tx *tenant.Tx) ([]Question, error) {
	rows, err := store{tx}.questions(ctx)
	if err != nil {
		return nil, err
	}
	hidden := map[string]bool{}
	var own []Question
	for _, r := range rows {
		if r.StdKey != nil {
			hidden[*r.StdKey] = r.Hidden
			continue
		}
		own = append(own, Question{Key: r.ID.String(), Label: r.Label, Hidden: r.Hidden})
	}
	out := make([]Question, 0, len(StandardQuestions)+len(own))
	for _, q := range StandardQuestions {
		q.Hidden = hidden[q.Key]
		out = append(out, q)
	}
	return append(out, own...), nil
}

// Visible is what a questionnaire shows of qs.
func Visible(qs []Question) []Question {
	var out []Question
	for _, q := range qs {
		if !q.Hidden {
			out = append(out, q)
		}
	}
	return out
}

// SurveyTarget is what a questionnaire is about: the tenant in general, or one shown service.
type SurveyTarget struct {
	ServiceID *uuid.UUID
	Title     string // the service's title; "" for the general questionnaire
	Slug      string
}

// Target resolves the questionnaire of the service at slug ("" for the general one) on t's
// site; apperr.ErrNotFound when the site shows no such service.
func (s *Service) Target(ctx context.Context, t *tenant.Tenant, slug string) (SurveyTarget, error) {
	if slug == "" {
		return SurveyTarget{}, nil
	}
	var out SurveyTarget
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		svc, err := shownService(ctx, tx, t, slug)
		if err != nil {
			return err
		}
		id := svc.ID
		out = SurveyTarget{ServiceID: &id, Title: svc.Title, Slug: svc.Slug}
		return nil
	})
	return out, err
}

// validate checks r against the questions qs and normalises it; errors by field name (the
// question key for a score, "scores", "suggestions", "area", "age_band", "used_channel").
func (r *Response) validate(qs []Question) map[string]string {
	errs := map[string]string{}
	known := map[string]bool{}
	for _, q := range Visible(qs) {
		known[q.Key] = true
	}
	n := 0
	for k, v := range r.Scores {
		switch {
		case !known[k]:
			errs["scores"] = MsgOption
		case v < 1 || v > 5:
			errs[k] = MsgScore
		default:
			n++
		}
	}
	if n == 0 && len(errs) == 0 {
		errs["scores"] = MsgNoScore
	}
	sug, msg := web.Text(r.Suggestions, 0, MaxSuggestions)
	if msg != "" {
		errs["suggestions"] = MsgSuggestions
	}
	r.Suggestions = sug
	if r.Area != "" && !validOption(Areas, r.Area) {
		errs["area"] = MsgOption
	}
	if r.AgeBand != "" && !validOption(AgeBands, r.AgeBand) {
		errs["age_band"] = MsgOption
	}
	if r.UsedChannel != "" && !validOption(UsedChannels, r.UsedChannel) {
		errs["used_channel"] = MsgOption
	}
	return errs
}

// Answer stores a questionnaire filled online on t's site about target, dated today. Invalid
// fields come back as apperr.Invalid with Fields; a second answer to the same questionnaire by
// the same visitor on the same day as apperr.Conflict (MsgAnswered).
func (s *Service) Answer(ctx context.Context, t *tenant.Tenant, target SurveyTarget, r Response, v Visitor) error {
	r.Channel, r.SubmittedOn = Online, s.today()
	r.ServiceID, r.ServiceTitle = target.ServiceID, target.Title
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		qs, err := questions(ctx, tx)
		if err != nil {
			return err
		}
		if errs := r.validate(qs); len(errs) > 0 {
			return apperr.InvalidFields(errs)
		}
		subject := "generale"
		if target.ServiceID != nil {
			subject = target.ServiceID.String()
		}
		first, err := s.once(ctx, "survey", t, subject, r.SubmittedOn, v)
		if err != nil {
			return err
		}
		if !first {
			return apperr.New(apperr.Conflict, MsgAnswered)
		}
		_, err = store{tx}.addResponse(ctx, r)
		return err
	})
}

// EnterPaper stores a paper questionnaire typed in by staff, received on r.SubmittedOn (not
// after today), about the shown service r.ServiceID or none; the entry is in the audit trail.
func (s *Service) EnterPaper(ctx context.Context, t *tenant.Tenant, r Response) (uuid.UUID, error) {
	r.Channel = Paper
	var id uuid.UUID
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		qs, err := questions(ctx, tx)
		if err != nil {
			return err
		}
		errs := r.validate(qs)
		if r.SubmittedOn.IsZero() || r.SubmittedOn.After(s.today()) {
			errs["received_on"] = MsgReceived
		}
		r.ServiceTitle = ""
		if r.ServiceID != nil {
			sh, err := shown(ctx, tx, t)
			if err != nil {
				return err
			}
			if sh != nil {
				if svc := sh.ServiceByID(*r.ServiceID); svc != nil {
					r.ServiceTitle = svc.Title
				}
			}
			if r.ServiceTitle == "" {
				errs["service"] = MsgOption
			}
		}
		if len(errs) > 0 {
			return apperr.InvalidFields(errs)
		}
		if id, err = (store{tx}).addResponse(ctx, r); err != nil {
			return err
		}
		name := "Questionario generale"
		if r.ServiceTitle != "" {
			name = r.ServiceTitle
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.survey.paper", ObjectType: "survey_response",
			ObjectID: id.String(), ObjectName: name + " – ricevuto il " + r.SubmittedOn.Format("02/01/2006")})
	})
	return id, err
}

// Responses lists t's latest questionnaires, online and paper, newest first.
func (s *Service) Responses(ctx context.Context, t *tenant.Tenant, limit int) ([]Response, error) {
	var out []Response
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.responses(ctx, limit)
		return err
	})
	return out, err
}

// AddQuestion adds a 1–5 question of t's own to its questionnaire.
func (s *Service) AddQuestion(ctx context.Context, t *tenant.Tenant, label string) error {
	label, msg := web.Text(label, 1, 200)
	if msg != "" || label == "" || strings.Contains(label, "\n") {
		return apperr.InvalidFields(map[string]string{"label": MsgQuestion})
	}
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		id, err := store{tx}.addQuestion(ctx, label)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.question.create", ObjectType: "survey_question",
			ObjectID: id.String(), ObjectName: label})
	})
}

// SetHidden hides (or shows again) the question key of t's questionnaire: a standard item by
// its code, or one of t's own by its id; apperr.ErrNotFound for any other key.
func (s *Service) SetHidden(ctx context.Context, t *tenant.Tenant, key string, hidden bool) error {
	action := "quality.question.show"
	if hidden {
		action = "quality.question.hide"
	}
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		name := ""
		for _, q := range StandardQuestions {
			if q.Key == key {
				name = q.Label
			}
		}
		if name != "" {
			if err := st.setStandardHidden(ctx, key, hidden); err != nil {
				return err
			}
		} else {
			id, err := uuid.Parse(key)
			if err != nil {
				return apperr.ErrNotFound
			}
			if err := st.setCustomHidden(ctx, id, hidden); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "survey_question", ObjectID: key, ObjectName: name})
	})
}

// Services lists the services t's site shows, for the paper entry's choice.
func (s *Service) Services(ctx context.Context, t *tenant.Tenant) ([]SurveyTarget, error) {
	var out []SurveyTarget
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sh, err := shown(ctx, tx, t)
		if err != nil || sh == nil {
			return err
		}
		for _, svc := range sh.Services() {
			id := svc.ID
			out = append(out, SurveyTarget{ServiceID: &id, Title: svc.Title, Slug: svc.Slug})
		}
		return nil
	})
	return out, err
}
