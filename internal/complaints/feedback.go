package complaints

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Feedback is a suggestion or a report of an unmet need (seed 002): no identity is asked, no
// answer is due; the office concerned reads it and the indicators count it.
type Feedback struct {
	ID           uuid.UUID
	Kind         FeedbackKind
	ServiceID    *uuid.UUID
	ServiceTitle string
	Body         string
	Email        string // optional, to be contacted back
	CreatedAt    time.Time
}

// FeedbackKind says what the feedback is.
type FeedbackKind string

// Kinds of feedback.
const (
	Suggestion FeedbackKind = "suggerimento"
	UnmetNeed  FeedbackKind = "bisogno"
)

// Label is the kind in Italian.
func (k FeedbackKind) Label() string {
	switch k {
	case Suggestion:
		return "Suggerimento"
	case UnmetNeed:
		return "Bisogno non soddisfatto"
	}
	return ""
}

// FeedbackKinds lists the kinds in order.
var FeedbackKinds = []FeedbackKind{Suggestion, UnmetNeed}

const (
	msgFeedbackKind = "Scegli se è un suggerimento o la segnalazione di un bisogno non soddisfatto."
	msgFeedbackBody = "Scrivi il tuo suggerimento o la tua segnalazione (al massimo 2000 caratteri)."
)

// SubmitFeedback stores a suggestion or a report of an unmet need of t's site.
func (s *Service) SubmitFeedback(ctx context.Context, t *tenant.Tenant, f Feedback) (*Feedback, error) {
	errs := map[string]string{}
	if f.Kind.Label() == "" {
		errs["kind"] = msgFeedbackKind
	}
	body, msg := web.Text(f.Body, 1, 2000)
	if msg != "" || body == "" {
		errs["body"] = msgFeedbackBody
	}
	f.Body = body
	if strings.TrimSpace(f.Email) != "" {
		if f.Email, msg = web.Email(f.Email); msg != "" {
			errs["email"] = msg
		}
	}
	if f.ServiceID != nil {
		choices, err := s.Choices(ctx, t)
		if err != nil {
			return nil, err
		}
		for _, c := range choices {
			if c.ID == *f.ServiceID {
				f.ServiceTitle = c.Title
			}
		}
		if f.ServiceTitle == "" {
			errs["service"] = msgService
		}
	}
	if len(errs) > 0 {
		return nil, apperr.InvalidFields(errs)
	}
	var out *Feedback
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		r, err := store{tx}.addFeedback(ctx, f)
		out = r
		return err
	})
	return out, err
}

// FeedbackList is the staff's list with the counts per kind.
type FeedbackList struct {
	Items  []Feedback
	Counts map[FeedbackKind]int
}

// ListFeedback returns t's latest feedback.
func (s *Service) ListFeedback(ctx context.Context, t *tenant.Tenant) (*FeedbackList, error) {
	var out FeedbackList
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out.Items, out.Counts, err = store{tx}.feedback(ctx, InboxLimit)
		return err
	})
	return &out, err
}

func feedbackOf(r db.Feedback) Feedback {
	return Feedback{ID: r.ID, Kind: FeedbackKind(r.Kind), ServiceID: r.ServiceID, ServiceTitle: r.ServiceTitle,
		Body: r.Body, Email: r.Email, CreatedAt: r.CreatedAt}
}

// ---- pages ----

// PathFeedback is the citizen's form for suggestions and unmet needs.
const PathFeedback = "/segnala-disservizio/suggerimento"

type feedbackPage struct {
	web.Page
	Kinds   []FeedbackKind
	Choices []Choice
	Sent    bool
}

func (h *handlers) feedbackForm(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	return h.showFeedback(c, t, fiber.StatusOK, nil, map[string]string{}, c.Query("inviato") == "1")
}

func (h *handlers) showFeedback(c *fiber.Ctx, t *tenant.Tenant, status int, errs, form map[string]string, sent bool) error {
	choices, err := h.svc.Choices(c.UserContext(), t)
	if err != nil {
		return err
	}
	privatePage(c)
	p := web.NewPage(c, "Suggerimenti e bisogni non soddisfatti").Citizen(PathService)
	p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Segnala un disservizio", URL: PathService}, {Label: "Suggerimento"}}
	p.Errors, p.Form = errs, form
	return h.d.Render.Render(c, status, "complaints/feedback", feedbackPage{Page: p, Kinds: FeedbackKinds, Choices: choices, Sent: sent})
}

func (h *handlers) feedbackSubmit(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"kind", "service", "body", "email"} {
		form[k] = strings.Clone(c.FormValue(k))
	}
	if web.Honeypot(c) {
		return c.Redirect(PathFeedback+"?inviato=1", fiber.StatusSeeOther)
	}
	f := Feedback{Kind: FeedbackKind(form["kind"]), Body: form["body"], Email: form["email"]}
	if id, err := uuid.Parse(form["service"]); err == nil {
		f.ServiceID = &id
	}
	_, err = h.svc.SubmitFeedback(c.UserContext(), t, f)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showFeedback(c, t, fiber.StatusUnprocessableEntity, ae.Fields, form, false)
	}
	if err != nil {
		return err
	}
	return c.Redirect(PathFeedback+"?inviato=1", fiber.StatusSeeOther)
}

type feedbackListPage struct {
	web.Page
	List  *FeedbackList
	Kinds []FeedbackKind
}

func (h *handlers) feedbackList(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	l, err := h.svc.ListFeedback(c.UserContext(), t)
	if err != nil {
		return err
	}
	privatePage(c)
	p := h.staffPage(c, "Suggerimenti e bisogni segnalati", web.Crumb{Label: "Reclami", URL: "/admin/reclami"}, web.Crumb{Label: "Suggerimenti"})
	return h.d.Render.Render(c, fiber.StatusOK, "complaints/feedback_list", feedbackListPage{Page: p, List: l, Kinds: FeedbackKinds})
}
