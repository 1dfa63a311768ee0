package quality

import (
	"context"
	"time"

	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/itlang"
)

// The indicators' reads (indicators.go): aggregates of the tenant's own rows.

func monthOf(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, itlang.Rome)
}

func (st store) surveyFigures(ctx context.Context, from, until time.Time, questions []Question) (SurveyFigures, error) {
	var out SurveyFigures
	p := db.QualitySurveyFiguresParams{FromOn: pgDay(from), UntilOn: pgDay(until)}
	rows, err := st.tx.QualitySurveyFigures(ctx, p)
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		f := ChannelFigures{Responses: int(r.Responses), Index: Mean{Sum: float64(r.ScoreSum), N: int(r.Answers)},
			High: Rate{Num: int(r.High), Den: int(r.Answers)}}
		switch r.G {
		case 3: // overall
			out.Responses, out.Index, out.High = f.Responses, f.Index, f.High
		case 2: // per channel
			switch r.Channel {
			case string(Online):
				out.Online = f
			case string(Paper):
				out.Paper = f
			}
		case 1: // per service
			out.Services = append(out.Services, ServiceSurvey{Service: r.ServiceTitle, ChannelFigures: f})
		}
	}
	items, err := st.tx.QualitySurveyItems(ctx, db.QualitySurveyItemsParams(p))
	if err != nil {
		return out, err
	}
	labels := map[string]string{}
	for _, q := range questions {
		labels[q.Key] = q.Label
	}
	for _, q := range StandardQuestions {
		labels[q.Key] = q.Label
	}
	for _, r := range items {
		label := labels[r.Question]
		if label == "" {
			label = "Domanda non più in uso"
		}
		out.Items = append(out.Items, ItemFigures{Key: r.Question, Label: label,
			Index: Mean{Sum: float64(r.ScoreSum), N: int(r.Answers)}, High: Rate{Num: int(r.High), Den: int(r.Answers)}})
	}
	months, err := st.tx.QualitySurveyMonths(ctx, db.QualitySurveyMonthsParams(p))
	if err != nil {
		return out, err
	}
	for _, r := range months {
		out.Months = append(out.Months, MonthSurvey{Month: monthOf(r.Month.Time), Responses: int(r.Responses),
			Index: Mean{Sum: float64(r.ScoreSum), N: int(r.Answers)}})
	}
	return out, nil
}

func (st store) pageFigures(ctx context.Context, from, until time.Time) (PageFigures, error) {
	var out PageFigures
	rows, err := st.tx.QualityRatingFigures(ctx, db.QualityRatingFiguresParams{FromOn: pgDay(from), UntilOn: pgDay(until)})
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		stars, high := Mean{Sum: float64(r.StarsSum), N: int(r.Ratings)}, Rate{Num: int(r.High), Den: int(r.Ratings)}
		if r.G == 1 {
			out.Ratings, out.Stars, out.High = int(r.Ratings), stars, high
			continue
		}
		out.Pages = append(out.Pages, PageRatings{Path: r.Path, Stars: stars, High: high})
	}
	answers, err := st.tx.QualityRatingAnswers(ctx, db.QualityRatingAnswersParams{FromOn: pgDay(from), UntilOn: pgDay(until)})
	if err != nil {
		return out, err
	}
	for _, r := range answers {
		stars := 1
		if r.Positive {
			stars = 5
		}
		a := AnswerCount{Code: r.Answer, Label: (Rating{Stars: stars, Answer: r.Answer}).AnswerLabel(), Count: int(r.N)}
		if r.Positive {
			out.Positive = append(out.Positive, a)
		} else {
			out.Negative = append(out.Negative, a)
		}
	}
	months, err := st.tx.QualityRatingMonths(ctx, db.QualityRatingMonthsParams{FromOn: pgDay(from), UntilOn: pgDay(until)})
	if err != nil {
		return out, err
	}
	for _, r := range months {
		out.Months = append(out.Months, MonthRatings{Month: monthOf(r.Month.Time), Ratings: int(r.Ratings),
			Stars: Mean{Sum: float64(r.StarsSum), N: int(r.Ratings)}})
	}
	return out, nil
}

func (st store) kioskFigures(ctx context.Context, from, until time.Time) (KioskFigures, error) {
	r, err := st.tx.QualityKioskFigures(ctx, db.QualityKioskFiguresParams{FromOn: pgDay(from), UntilOn: pgDay(until)})
	return KioskFigures{Satisfied: int(r.Satisfied), Neutral: int(r.Neutral), Dissatisfied: int(r.Dissatisfied)}, err
}
