package quality_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/tenant"
)

// TestStandardQuestionsAreThoseOfThePaperForm: the online questionnaire asks the nine items the
// guida sintetica prints on paper, in the same order, so the two can be counted together.
func TestStandardQuestionsAreThoseOfThePaperForm(t *testing.T) {
	t.Parallel()
	var labels []string
	for _, q := range quality.StandardQuestions {
		labels = append(labels, q.Label)
	}
	require.Equal(t, cartapdf.SurveyItems, labels)
}

// TestSurveyAnswers: a tenant hides a standard item and adds its own; the questionnaire asks
// exactly the visible ones, refuses a hidden or unknown item, a score outside 1–5, an empty
// questionnaire, too long suggestions and profile values off the lists; an answer is stored with
// channel online, today's date and its service; the same visitor answers the same questionnaire
// once a day, the general and a service's apart; another tenant sees none of it.
func TestSurveyAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env, clk := newService(t, time.Date(2026, 6, 10, 9, 0, 0, 0, itlang.Rome))
	tn := env.NewTenant(t, tenant.KindComune)
	published(t, env, tn)

	require.NoError(t, svc.SetHidden(ctx, tn, "riservatezza", true))
	require.NoError(t, svc.AddQuestion(ctx, tn, "Pulizia e comfort della sala d'attesa"))
	require.Equal(t, apperr.Invalid, apperr.KindOf(svc.AddQuestion(ctx, tn, "  ")))
	require.Equal(t, apperr.Invalid, apperr.KindOf(svc.AddQuestion(ctx, tn, "Due\nrighe")))
	require.Equal(t, apperr.NotFound, apperr.KindOf(svc.SetHidden(ctx, tn, "inesistente", true)))
	qs, err := svc.Questions(ctx, tn)
	require.NoError(t, err)
	require.Len(t, qs, 10)
	visible := quality.Visible(qs)
	require.Len(t, visible, 9)
	own := qs[9]
	require.False(t, own.Standard)
	require.Equal(t, "Pulizia e comfort della sala d'attesa", own.Label)
	for _, q := range visible {
		require.NotEqual(t, "riservatezza", q.Key)
	}

	general, err := svc.Target(ctx, tn, "")
	require.NoError(t, err)
	service, err := svc.Target(ctx, tn, "assistenza-domiciliare")
	require.NoError(t, err)
	require.Equal(t, svcID, *service.ServiceID)
	_, err = svc.Target(ctx, tn, "non-esiste")
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))

	v := visitor()
	for _, tc := range []struct {
		name  string
		r     quality.Response
		field string
	}{
		{"nothing scored", quality.Response{}, "scores"},
		{"hidden item", quality.Response{Scores: map[string]int{"riservatezza": 4}}, "scores"},
		{"unknown item", quality.Response{Scores: map[string]int{"colore": 4}}, "scores"},
		{"score 6", quality.Response{Scores: map[string]int{"cortesia": 6}}, "cortesia"},
		{"score 0", quality.Response{Scores: map[string]int{"attesa": 0}}, "attesa"},
		{"long suggestions", quality.Response{Scores: map[string]int{"attesa": 3}, Suggestions: strings.Repeat("x", 2001)}, "suggestions"},
		{"area", quality.Response{Scores: map[string]int{"attesa": 3}, Area: "XYZ"}, "area"},
		{"age", quality.Response{Scores: map[string]int{"attesa": 3}, AgeBand: "100"}, "age_band"},
		{"channel", quality.Response{Scores: map[string]int{"attesa": 3}, UsedChannel: "piccione"}, "used_channel"},
	} {
		err := svc.Answer(ctx, tn, general, tc.r, v)
		require.Equal(t, apperr.Invalid, apperr.KindOf(err), tc.name)
		require.Contains(t, fieldsOf(err), tc.field, tc.name)
	}

	answer := quality.Response{Scores: map[string]int{"cortesia": 5, "attesa": 2, own.Key: 4},
		Suggestions: "  Più orari il pomeriggio.  ", Area: "ELD", AgeBand: "65-74", UsedChannel: "sportello"}
	require.NoError(t, svc.Answer(ctx, tn, service, answer, v))
	err = svc.Answer(ctx, tn, service, answer, v)
	require.Equal(t, apperr.Conflict, apperr.KindOf(err), "once a day per questionnaire")
	require.NoError(t, svc.Answer(ctx, tn, general, answer, v), "the general questionnaire is another")
	clk.move(24 * time.Hour)
	require.NoError(t, svc.Answer(ctx, tn, service, quality.Response{Scores: map[string]int{"complessiva": 3}}, v), "the next day")

	rs, err := svc.Responses(ctx, tn, 10)
	require.NoError(t, err)
	require.Len(t, rs, 3)
	last := rs[2] // the first one, on 10 June
	require.Equal(t, quality.Online, last.Channel)
	require.Equal(t, time.Date(2026, 6, 10, 0, 0, 0, 0, itlang.Rome), last.SubmittedOn)
	require.NotNil(t, last.ServiceID)
	require.Equal(t, "Assistenza domiciliare", last.ServiceTitle)
	require.Equal(t, map[string]int{"cortesia": 5, "attesa": 2, own.Key: 4}, last.Scores)
	require.Equal(t, "Più orari il pomeriggio.", last.Suggestions)
	require.Equal(t, "ELD", last.Area)

	other := env.NewTenant(t, tenant.KindComune)
	rs, err = svc.Responses(ctx, other, 10)
	require.NoError(t, err)
	require.Empty(t, rs)
	qs, err = svc.Questions(ctx, other)
	require.NoError(t, err)
	require.Len(t, quality.Visible(qs), 9, "another tenant keeps the standard questionnaire")
}

// TestPaperQuestionnaire: staff type in a paper questionnaire with the day the office received
// it (not in the future) and, optionally, a service the site shows; it is stored as paper next
// to the online ones, and the entry is in the audit trail.
func TestPaperQuestionnaire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env, _ := newService(t, time.Date(2026, 6, 10, 9, 0, 0, 0, itlang.Rome))
	tn := env.NewTenant(t, tenant.KindComune)
	published(t, env, tn)
	received := time.Date(2026, 6, 3, 0, 0, 0, 0, itlang.Rome)

	_, err := svc.EnterPaper(ctx, tn, quality.Response{Scores: map[string]int{"cortesia": 4}})
	require.Contains(t, fieldsOf(err), "received_on")
	_, err = svc.EnterPaper(ctx, tn, quality.Response{Scores: map[string]int{"cortesia": 4}, SubmittedOn: received.AddDate(0, 0, 8)})
	require.Contains(t, fieldsOf(err), "received_on", "tomorrow")
	unknown := svcID
	unknown[0] ^= 0xff
	_, err = svc.EnterPaper(ctx, tn, quality.Response{Scores: map[string]int{"cortesia": 4}, SubmittedOn: received, ServiceID: &unknown})
	require.Contains(t, fieldsOf(err), "service")

	id := svcID
	_, err = svc.EnterPaper(ctx, tn, quality.Response{Scores: map[string]int{"cortesia": 4, "complessiva": 5},
		SubmittedOn: received, ServiceID: &id})
	require.NoError(t, err)
	// A second identical sheet is another citizen's: paper has no daily limit.
	_, err = svc.EnterPaper(ctx, tn, quality.Response{Scores: map[string]int{"cortesia": 4, "complessiva": 5},
		SubmittedOn: received, ServiceID: &id})
	require.NoError(t, err)
	require.NoError(t, svc.Answer(ctx, tn, quality.SurveyTarget{}, quality.Response{Scores: map[string]int{"attesa": 1}}, visitor()))

	rs, err := svc.Responses(ctx, tn, 10)
	require.NoError(t, err)
	require.Len(t, rs, 3)
	channels := map[quality.Channel]int{}
	for _, r := range rs {
		channels[r.Channel]++
	}
	require.Equal(t, map[quality.Channel]int{quality.Paper: 2, quality.Online: 1}, channels)
	var paper quality.Response
	for _, r := range rs {
		if r.Channel == quality.Paper {
			paper = r
		}
	}
	require.Equal(t, received, paper.SubmittedOn)
	require.Equal(t, "Assistenza domiciliare", paper.ServiceTitle)

	var n int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'quality.survey.paper'
		AND object_name LIKE 'Assistenza domiciliare – ricevuto il 03/06/2026'`, tn.ID).Scan(&n))
	require.Equal(t, 2, n)
}
