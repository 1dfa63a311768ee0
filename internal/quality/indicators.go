package quality

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// The indicators of the annual report (DOMAIN.md "Indicators"), per tenant and year, with last
// year's for the change: the complaints' (computed by the complaints' Service over its own
// data), the questionnaires' (online and paper together and apart) and the page ratings'.
// Every figure is an aggregate; a rate or mean over fewer than MinCases cases is "n.d.".

// SurveyFigures are the questionnaires of a period.
type SurveyFigures struct {
	Responses int
	// Index is the satisfaction index: the mean item score (1–5) of every answer; High the
	// share of answers scoring 4 or 5.
	Index Mean
	High  Rate
	// Online and Paper are the same figures per channel (paper: typed in by staff).
	Online, Paper ChannelFigures
	// Services are the figures per service ("" for the general questionnaire).
	Services []ServiceSurvey
	// Items are the figures per question.
	Items []ItemFigures
	// Months are the responses and index month by month.
	Months []MonthSurvey
}

// ChannelFigures are one channel's questionnaires.
type ChannelFigures struct {
	Responses int
	Index     Mean
	High      Rate
}

// ServiceSurvey is one service's questionnaires.
type ServiceSurvey struct {
	Service string
	ChannelFigures
}

// ItemFigures are one question's answers.
type ItemFigures struct {
	Key, Label string
	Index      Mean
	High       Rate
}

// MonthSurvey is one month's questionnaires.
type MonthSurvey struct {
	Month     time.Time
	Responses int
	Index     Mean
}

// PageFigures are the page ratings of a period.
type PageFigures struct {
	Ratings int
	Stars   Mean // mean stars, 1–5
	High    Rate // 4 or 5 stars
	Pages   []PageRatings
	// Negative and Positive are how often each follow-up answer was chosen.
	Negative, Positive []AnswerCount
	Months             []MonthRatings
}

// PageRatings are one page's.
type PageRatings struct {
	Path  string
	Stars Mean
	High  Rate
}

// AnswerCount is one follow-up answer's count.
type AnswerCount struct {
	Code, Label string
	Count       int
}

// MonthRatings is one month's ratings.
type MonthRatings struct {
	Month   time.Time
	Ratings int
	Stars   Mean
}

// KioskFigures are the counter kiosks' faces of a period.
type KioskFigures struct{ Satisfied, Neutral, Dissatisfied int }

// Total is every touch of the period.
func (k KioskFigures) Total() int { return k.Satisfied + k.Neutral + k.Dissatisfied }

// NetShare is the three-face net share: satisfied minus dissatisfied, in points of the
// total, "n.d." under MinCases touches.
func (k KioskFigures) NetShare() (float64, bool) {
	if k.Total() < MinCases {
		return 0, false
	}
	return 100 * float64(k.Satisfied-k.Dissatisfied) / float64(k.Total()), true
}

// NetShareText is NetShare as the table shows it: "+42 punti", "−5 punti" or "n.d.".
func (k KioskFigures) NetShareText() string {
	v, ok := k.NetShare()
	if !ok {
		return NotAvailable
	}
	c := Change{Delta: v, Known: true, Unit: "punti"}
	if s := c.String(); s != "invariato" {
		return s
	}
	return "0 punti"
}

// Year is one tenant's indicators of a calendar year.
type Year struct {
	Year       int
	Tenant     *tenant.Tenant
	Complaints *complaints.PeriodFigures
	Survey     SurveyFigures
	Pages      PageFigures
	Kiosk      KioskFigures
}

// AnsweredInTime is the share of complaints answered by their due day (over those answered
// or past due).
func (y *Year) AnsweredInTime() Rate {
	return Rate{Num: y.Complaints.Total.InTime, Den: y.Complaints.Total.Decided}
}

// ContactedInTime is the share of handled complaints with a first staff step within
// complaints.ContactDays.
func (y *Year) ContactedInTime() Rate {
	return Rate{Num: y.Complaints.Total.ContactedInTime, Den: y.Complaints.Total.Handled}
}

// UpheldShare is the share of answered complaints upheld in full or in part.
func (y *Year) UpheldShare() Rate {
	t := y.Complaints.Total
	return Rate{Num: t.Upheld + t.PartlyUpheld, Den: t.Answered}
}

// DaysToAnswer is the mean number of days to the first answer.
func (y *Year) DaysToAnswer() Mean {
	t := y.Complaints.Total
	return Mean{Sum: t.DaysMean * float64(t.Answered), N: t.Answered}
}

// MedianDaysToAnswer is the median number of days to the first answer, "n.d." under
// MinCases answers.
func (y *Year) MedianDaysToAnswer() string {
	if y.Complaints.Total.Answered < MinCases {
		return NotAvailable
	}
	return decimal(y.Complaints.Total.DaysMedian, 1)
}

// Indicator is one line of the indicators' table: this year's figure with its sample, last
// year's, and the change.
type Indicator struct {
	Key, Label  string
	Value, Prev string
	Sample      int
	Change      Change
	known       bool
	value       float64
}

// Known reports whether this year's figure has enough cases.
func (i Indicator) Known() bool { return i.known }

// Number is this year's figure as a number (for charts and open data); meaningful only when
// Known.
func (i Indicator) Number() float64 { return i.value }

// Comparison is a tenant's year beside the year before.
type Comparison struct {
	Now, Before *Year
}

// Lines are the indicators in the report's order.
func (c *Comparison) Lines() []Indicator {
	n, b := c.Now, c.Before
	rate := func(key, label string, now, before Rate) Indicator {
		return Indicator{Key: key, Label: label, Value: now.String(), Prev: before.String(), Sample: now.Den,
			Change: RateChange(now, before), known: now.Known(), value: now.Value()}
	}
	mean := func(key, label string, now, before Mean) Indicator {
		return Indicator{Key: key, Label: label, Value: now.String(), Prev: before.String(), Sample: now.N,
			Change: MeanChange(now, before), known: now.Known(), value: now.Value()}
	}
	count := func(key, label string, now, before int) Indicator {
		return Indicator{Key: key, Label: label, Value: itoa(now), Prev: itoa(before), Sample: now,
			Change: CountChange(now, before), known: true, value: float64(now)}
	}
	return []Indicator{
		count("reclami_ricevuti", "Reclami ricevuti", n.Complaints.Total.Received, b.Complaints.Total.Received),
		rate("reclami_risposti_in_tempo", "Reclami con risposta entro la scadenza", n.AnsweredInTime(), b.AnsweredInTime()),
		mean("reclami_giorni_risposta", "Giorni medi per la risposta", n.DaysToAnswer(), b.DaysToAnswer()),
		{Key: "reclami_giorni_mediana", Label: "Giorni per la risposta (mediana)", Value: n.MedianDaysToAnswer(),
			Prev: b.MedianDaysToAnswer(), Sample: n.Complaints.Total.Answered,
			Change: Change{Delta: n.Complaints.Total.DaysMedian - b.Complaints.Total.DaysMedian,
				Known: n.Complaints.Total.Answered >= MinCases && b.Complaints.Total.Answered >= MinCases},
			known: n.Complaints.Total.Answered >= MinCases, value: n.Complaints.Total.DaysMedian},
		rate("reclami_presa_in_carico", "Reclami presi in carico entro "+itoa(complaints.ContactDays)+" giorni", n.ContactedInTime(), b.ContactedInTime()),
		rate("reclami_accolti", "Reclami accolti in tutto o in parte", n.UpheldShare(), b.UpheldShare()),
		count("questionari", "Questionari di soddisfazione ricevuti", n.Survey.Responses, b.Survey.Responses),
		mean("indice_soddisfazione", "Indice di soddisfazione (media da 1 a 5)", n.Survey.Index, b.Survey.Index),
		rate("risposte_4_5", "Risposte con voto 4 o 5", n.Survey.High, b.Survey.High),
		mean("indice_soddisfazione_online", "Indice di soddisfazione, questionari online", n.Survey.Online.Index, b.Survey.Online.Index),
		mean("indice_soddisfazione_cartacei", "Indice di soddisfazione, questionari cartacei", n.Survey.Paper.Index, b.Survey.Paper.Index),
		count("valutazioni_pagine", "Valutazioni delle pagine del sito", n.Pages.Ratings, b.Pages.Ratings),
		mean("chiarezza_pagine", "Chiarezza delle pagine (media delle stelle da 1 a 5)", n.Pages.Stars, b.Pages.Stars),
		rate("pagine_4_5", "Valutazioni con 4 o 5 stelle", n.Pages.High, b.Pages.High),
		kiosk(n.Kiosk, b.Kiosk),
	}
}

// kiosk is the three-face net share's line: points of satisfied minus dissatisfied.
func kiosk(now, before KioskFigures) Indicator {
	v, known := now.NetShare()
	p, knownBefore := before.NetShare()
	return Indicator{Key: "sportello_saldo", Label: "Giudizi allo sportello: soddisfatti meno insoddisfatti",
		Value: now.NetShareText(), Prev: before.NetShareText(), Sample: now.Total(),
		Change: Change{Delta: v - p, Known: known && knownBefore, Unit: "punti"}, known: known, value: v}
}

// itoa writes a count as Italian readers do: 12.345.
func itoa(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	if neg {
		s = "−" + s
	}
	return s
}

var (
	errNoComplaints = errors.New("quality: the indicators need the complaints' Service (Deps.Complaints)")
	errNotAmbito    = apperr.New(apperr.NotFound, "Il confronto tra i comuni è dell'ambito.")
)

// Indicators computes t's indicators of year and of the year before.
func (s *Service) Indicators(ctx context.Context, t *tenant.Tenant, year int) (*Comparison, error) {
	now, err := s.year(ctx, t, year)
	if err != nil {
		return nil, err
	}
	before, err := s.year(ctx, t, year-1)
	if err != nil {
		return nil, err
	}
	return &Comparison{Now: now, Before: before}, nil
}

func (s *Service) year(ctx context.Context, t *tenant.Tenant, year int) (*Year, error) {
	if s.d.Complaints == nil {
		return nil, errNoComplaints
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, itlang.Rome)
	until := from.AddDate(1, 0, 0)
	cf, err := s.d.Complaints.Figures(ctx, t, from, until)
	if err != nil {
		return nil, err
	}
	y := &Year{Year: year, Tenant: t, Complaints: cf}
	questions, err := s.Questions(ctx, t)
	if err != nil {
		return nil, err
	}
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		if y.Survey, err = st.surveyFigures(ctx, from, until, questions); err != nil {
			return err
		}
		if y.Pages, err = st.pageFigures(ctx, from, until); err != nil {
			return err
		}
		y.Kiosk, err = st.kioskFigures(ctx, from, until)
		return err
	})
	if err != nil {
		return nil, err
	}
	return y, nil
}

// MemberYear is one member comune's comparison in its ambito's dashboard.
type MemberYear struct {
	Member tenant.Member
	*Comparison
}

// AmbitoIndicators computes, for an ambito, its own indicators and each current member
// comune's, side by side. Each member's figures are read in that member's own transaction
// (aggregates only, never a row of theirs), after the membership check here.
func (s *Service) AmbitoIndicators(ctx context.Context, t *tenant.Tenant, year int) (*Comparison, []MemberYear, error) {
	if t.Kind != tenant.KindAmbito || s.d.Tenants == nil {
		return nil, nil, errNotAmbito
	}
	own, err := s.Indicators(ctx, t, year)
	if err != nil {
		return nil, nil, err
	}
	ms, err := s.d.Tenants.Members(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	out := make([]MemberYear, 0, len(ms))
	for _, m := range ms {
		mt, err := s.d.Tenants.ByID(ctx, m.ID)
		if err != nil {
			return nil, nil, err
		}
		c, err := s.Indicators(ctx, mt, year)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, MemberYear{Member: m, Comparison: c})
	}
	slices.SortStableFunc(out, func(a, b MemberYear) int {
		if a.Member.IsCapofila != b.Member.IsCapofila {
			if a.Member.IsCapofila {
				return -1
			}
			return 1
		}
		return 0
	})
	return own, out, nil
}

// The open data of the indicators is public: a year's figures cost the database some
// hundreds of milliseconds on a large comune (docs/BENCHMARKS.md), so the citizen site serves
// them from a short-lived copy per tenant and year rather than per request.

// OpenDataTTL is how long the open data of a tenant-year is served from memory.
const OpenDataTTL = 10 * time.Minute

const openDataEntries = 4096

type cachedComparison struct {
	c  *Comparison
	at time.Time
}

type comparisonCache struct {
	mu sync.Mutex
	m  map[string]cachedComparison
}

// PublicIndicators is Indicators through a per-process copy of at most OpenDataTTL.
func (s *Service) PublicIndicators(ctx context.Context, t *tenant.Tenant, year int) (*Comparison, error) {
	key := t.ID.String() + ":" + strconv.Itoa(year)
	now := s.d.Now()
	s.public.mu.Lock()
	if e, ok := s.public.m[key]; ok && now.Sub(e.at) < OpenDataTTL {
		s.public.mu.Unlock()
		return e.c, nil
	}
	s.public.mu.Unlock()
	c, err := s.Indicators(ctx, t, year)
	if err != nil {
		return nil, err
	}
	s.public.mu.Lock()
	defer s.public.mu.Unlock()
	if s.public.m == nil || len(s.public.m) >= openDataEntries {
		s.public.m = map[string]cachedComparison{} // bounded: start over rather than grow
	}
	s.public.m[key] = cachedComparison{c: c, at: now}
	return c, nil
}
