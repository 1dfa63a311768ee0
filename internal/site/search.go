package site

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

const (
	// maxQuery bounds what a citizen may type (runes).
	maxQuery = 200
	// maxResults is the longest list of results: a comune has tens of services.
	maxResults = 50
	// minSimilarity of the unaccented query to a service's title and keywords for a match by
	// trigrams. Measured on Italian service titles: one or two typos in "assistenza
	// domiciliare" stay above 0.6, an unrelated service sharing one word stays below 0.4.
	minSimilarity = 0.5
)

type searchPage struct {
	web.Page
	Search  searchForm
	Query   string
	Results []serviceCard
	Done    bool // a query was run (otherwise only the form shows)
}

// searchForm is what the search form shows: the query typed and, when it could not be run, why.
type searchForm struct {
	Query, Error string
}

// errBadQuery is shown under the search field when ?q= holds what no one types: bytes that
// are not UTF-8, or control characters (NUL and the like).
const errBadQuery = "La ricerca contiene caratteri non validi: scrivi le parole da cercare usando lettere, numeri e punteggiatura."

// search is /cerca?q=: the tenant's and its ambito's published services, ranked. Results
// depend on free text, so the page is rendered for each request and never cached.
func (h *handlers) search(c *fiber.Ctx) error {
	t := activeTenant(c)
	if t == nil {
		return apperr.ErrNotFound
	}
	q, bad := normalizeQuery(c.Query("q"))
	ctx := c.UserContext()
	r := &request{c: c, t: t, path: "/cerca", now: h.now()}
	var (
		v    *catalog.View
		rows []db.SiteSearchRow
	)
	err := h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		if v, err = catalog.LoadView(ctx, tx, t); err != nil {
			return err
		}
		if q == "" || bad || v.Own == nil {
			return nil
		}
		rows, err = searchRows(ctx, tx, t, q)
		return err
	})
	if err != nil {
		return err
	}
	s := NewSite(v)
	if s == nil {
		return apperr.ErrNotFound
	}
	title := "Cerca"
	switch {
	case bad:
		title = "Errore nella ricerca"
	case q != "":
		title = "Risultati della ricerca per «" + q + "»"
	}
	vm := &searchPage{Page: r.page(s, title, web.Crumb{Label: "Home", URL: "/"}, web.Crumb{Label: "Cerca"}),
		Search: searchForm{Query: q}, Query: q, Done: q != "" && !bad}
	if bad {
		vm.Search.Error = errBadQuery
	}
	for _, svc := range matchResults(s, rows) {
		vm.Results = append(vm.Results, h.card(s, svc, ""))
	}
	out, err := h.html("site/search", vm, 0)
	if err != nil {
		return err
	}
	if bad {
		out.Status = fiber.StatusBadRequest
	}
	return send(c, out)
}

// searchRows runs the search over the tenant's index and its ambito's.
func searchRows(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, q string) ([]db.SiteSearchRow, error) {
	ids := []uuid.UUID{t.ID}
	if t.Ambito != nil {
		ids = append(ids, t.Ambito.ID)
	}
	return tx.SiteSearch(ctx, db.SiteSearchParams{Query: q, TenantIds: ids,
		MinSimilarity: minSimilarity, MaxRows: maxResults})
}

// matchResults keeps the rows of services this site shows (an ambito service the comune hides
// is indexed by the ambito but never listed here), in rank order, at the site's own slugs.
func matchResults(s *Site, rows []db.SiteSearchRow) []*Service {
	var out []*Service
	seen := map[uuid.UUID]bool{}
	for _, row := range rows {
		svc := s.ServiceByID(row.ServiceID)
		if svc == nil || seen[svc.ID] {
			continue
		}
		if (svc.FromAmbito && row.TenantID != svc.Owner.Tenant.ID) || (!svc.FromAmbito && row.TenantID != s.Own.Tenant.ID) {
			continue
		}
		seen[svc.ID] = true
		out = append(out, svc)
	}
	return out
}

// normalizeQuery trims the query, folds runs of spaces (tabs and line breaks included), drops
// invisible formatting characters (zero-width spaces, byte order marks, direction marks) and
// cuts it to maxQuery runes. bad reports a query that cannot be searched: bytes that are not
// UTF-8, or control characters such as NUL, which PostgreSQL refuses in a text. q is then what
// can be shown of it back in the form.
func normalizeQuery(raw string) (q string, bad bool) {
	if !utf8.ValidString(raw) {
		raw, bad = strings.ToValidUTF8(raw, " "), true
	}
	raw = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r):
			bad = true
			return ' '
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, raw)
	q = strings.Join(strings.Fields(raw), " ")
	if utf8.RuneCountInString(q) > maxQuery {
		q = strings.TrimSpace(string([]rune(q)[:maxQuery]))
	}
	return strings.Clone(q), bad
}
