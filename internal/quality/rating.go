package quality

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Choice is one answer of a follow-up panel: a stable code stored, the label shown.
type Choice = web.RatingChoice

// The follow-up panels, those the block in the page frame renders (internal/web).
var (
	NegativeChoices = web.RatingNegative
	PositiveChoices = web.RatingPositive
)

// ChoicesFor is the follow-up panel that follows stars.
func ChoicesFor(stars int) []Choice {
	if stars >= 4 {
		return PositiveChoices
	}
	return NegativeChoices
}

// MaxDetails is the length of the details, in characters.
const MaxDetails = 200

// MaxPath bounds a rated page's path.
const MaxPath = 200

// Messages next to the rating block's fields.
const (
	MsgStars       = "Scegli da 1 a 5 stelle."
	MsgAnswer      = "Scegli una delle risposte proposte."
	MsgDetails     = "Puoi scrivere al massimo 200 caratteri."
	MsgPath        = "Questa pagina non si può valutare."
	MsgAlreadyRate = "Hai già valutato questa pagina oggi: grazie!"
)

// Rating is one answer to the block.
type Rating struct {
	ID      uuid.UUID
	Path    string
	Stars   int
	Answer  string // a code of ChoicesFor(Stars), or ""
	Details string
	RatedOn time.Time
}

// AnswerLabel is the label of the chosen follow-up answer.
func (r Rating) AnswerLabel() string {
	for _, c := range ChoicesFor(r.Stars) {
		if c.Code == r.Answer {
			return c.Label
		}
	}
	return ""
}

// NormalizePath turns what the block sent into the path it rates: no query, no fragment, no
// trailing slash, at most MaxPath bytes; "" when it is not a path of this site.
func NormalizePath(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return ""
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.Contains(p, "/.") {
		return ""
	}
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	if len(p) > MaxPath {
		return ""
	}
	return p
}

// firstLevel are the pages of the citizen site that carry the block besides the second-level
// ones (a service, an office).
var firstLevel = map[string]bool{"/": true, "/servizi": true, "/uffici": true, "/carta": true,
	"/amministrazione": true, "/argomenti": true, "/opendata": true, "/cerca": true}

// RatedPage tells whether path is a page the site shows with the block: the home, a first-level
// page, a shown service or one of the tenant's own offices.
func RatedPage(s *catalog.Shown, path string) bool {
	if s == nil {
		return false
	}
	if firstLevel[path] {
		return true
	}
	if slug, ok := strings.CutPrefix(path, "/servizi/"); ok {
		return s.ServiceBySlug(slug) != nil
	}
	if slug, ok := strings.CutPrefix(path, "/uffici/"); ok {
		for _, o := range s.Offices() {
			if o.Slug == slug {
				return true
			}
		}
	}
	return false
}

// Validate checks r and normalises it (the path, the trimmed details); errors by field name
// (stars, answer, details, path).
func (r *Rating) Validate() map[string]string {
	errs := map[string]string{}
	if r.Stars < 1 || r.Stars > 5 {
		errs["stars"] = MsgStars
	} else if r.Answer != "" && (Rating{Stars: r.Stars, Answer: r.Answer}).AnswerLabel() == "" {
		errs["answer"] = MsgAnswer
	}
	d, msg := web.Text(r.Details, 0, MaxDetails)
	if msg != "" {
		errs["details"] = MsgDetails
	}
	r.Details = d
	if p := NormalizePath(r.Path); p == "" {
		errs["path"] = MsgPath
	} else {
		r.Path = p
	}
	return errs
}

// Rate stores a rating of a page of t's site. Invalid fields, or a page the site does not show,
// come back as apperr.Invalid with Fields; a second rating of the same page by the same visitor
// on the same day as apperr.Conflict (MsgAlreadyRate), with nothing stored.
func (s *Service) Rate(ctx context.Context, t *tenant.Tenant, r Rating, v Visitor) (*Rating, error) {
	if errs := r.Validate(); len(errs) > 0 {
		return nil, apperr.InvalidFields(errs)
	}
	day := s.today()
	r.RatedOn = day
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sh, err := shown(ctx, tx, t)
		if err != nil {
			return err
		}
		if !RatedPage(sh, r.Path) {
			return apperr.InvalidFields(map[string]string{"path": MsgPath})
		}
		// The mark is taken inside the transaction, so a refused rating leaves none, and a
		// rating stored is marked: at worst a failed commit after the mark costs the visitor
		// their rating of the day.
		first, err := s.once(ctx, "rating", t, r.Path, day, v)
		if err != nil {
			return err
		}
		if !first {
			return apperr.New(apperr.Conflict, MsgAlreadyRate)
		}
		out, err := store{tx}.addRating(ctx, r)
		if err == nil {
			r = out
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Ratings lists t's latest ratings, newest first.
func (s *Service) Ratings(ctx context.Context, t *tenant.Tenant, limit int) ([]Rating, error) {
	var out []Rating
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.ratings(ctx, limit)
		return err
	})
	return out, err
}
