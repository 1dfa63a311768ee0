package quality

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// store is the only caller of the Quality* queries; it works in the caller's tenant
// transaction and turns "no rows" into apperr.ErrNotFound.
type store struct{ tx *tenant.Tx }

func notFound(err error) error {
	if tenant.IsNoRows(err) {
		return apperr.ErrNotFound
	}
	return err
}

// pgDay is the calendar day of t as a date parameter.
func pgDay(t time.Time) pgtype.Date {
	t = t.In(itlang.Rome)
	return pgtype.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
}

// romeDay is a date column as the day it names, in Italian time.
func romeDay(d pgtype.Date) time.Time {
	return time.Date(d.Time.Year(), d.Time.Month(), d.Time.Day(), 0, 0, 0, 0, itlang.Rome)
}

func ratingOf(r db.PageRating) Rating {
	return Rating{ID: r.ID, Path: r.Path, Stars: int(r.Stars), Answer: r.Answer, Details: r.Details, RatedOn: romeDay(r.RatedOn)}
}

func (st store) addRating(ctx context.Context, r Rating) (Rating, error) {
	row, err := st.tx.QualityRatingCreate(ctx, db.QualityRatingCreateParams{Path: r.Path, Stars: int16(r.Stars),
		Answer: r.Answer, Details: r.Details, RatedOn: pgDay(r.RatedOn)})
	if err != nil {
		return Rating{}, err
	}
	return ratingOf(row), nil
}

func (st store) ratings(ctx context.Context, limit int) ([]Rating, error) {
	rows, err := st.tx.QualityRatingList(ctx, int32(limit))
	if err != nil {
		return nil, err
	}
	out := make([]Rating, 0, len(rows))
	for _, r := range rows {
		out = append(out, ratingOf(r))
	}
	return out, nil
}

func (st store) questions(ctx context.Context) ([]db.SurveyQuestion, error) {
	return st.tx.QualityQuestionList(ctx)
}

func (st store) addQuestion(ctx context.Context, label string) (uuid.UUID, error) {
	r, err := st.tx.QualityQuestionCreate(ctx, label)
	return r.ID, err
}

func (st store) setCustomHidden(ctx context.Context, id uuid.UUID, hidden bool) error {
	n, err := st.tx.QualityQuestionSetHidden(ctx, db.QualityQuestionSetHiddenParams{ID: id, Hidden: hidden})
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

func (st store) setStandardHidden(ctx context.Context, key string, hidden bool) error {
	return st.tx.QualityStandardSetHidden(ctx, db.QualityStandardSetHiddenParams{StdKey: &key, Hidden: hidden})
}

func (st store) addResponse(ctx context.Context, r Response) (uuid.UUID, error) {
	row, err := st.tx.QualityResponseCreate(ctx, db.QualityResponseCreateParams{ServiceID: r.ServiceID,
		ServiceTitle: r.ServiceTitle, Channel: string(r.Channel), SubmittedOn: pgDay(r.SubmittedOn),
		Suggestions: r.Suggestions, Area: r.Area, AgeBand: r.AgeBand, UsedChannel: r.UsedChannel})
	if err != nil {
		return uuid.Nil, err
	}
	for q, score := range r.Scores {
		if err := st.tx.QualityAnswerCreate(ctx, db.QualityAnswerCreateParams{ResponseID: row.ID, Question: q,
			Score: int16(score)}); err != nil {
			return uuid.Nil, err
		}
	}
	return row.ID, nil
}

func (st store) responses(ctx context.Context, limit int) ([]Response, error) {
	rows, err := st.tx.QualityResponseList(ctx, int32(limit))
	if err != nil {
		return nil, notFound(err)
	}
	ids := make([]uuid.UUID, 0, len(rows))
	byID := map[uuid.UUID]int{}
	out := make([]Response, 0, len(rows))
	for i, r := range rows {
		ids = append(ids, r.ID)
		byID[r.ID] = i
		out = append(out, Response{ID: r.ID, ServiceID: r.ServiceID, ServiceTitle: r.ServiceTitle, Channel: Channel(r.Channel),
			SubmittedOn: romeDay(r.SubmittedOn), Suggestions: r.Suggestions, Area: r.Area, AgeBand: r.AgeBand,
			UsedChannel: r.UsedChannel, Scores: map[string]int{}})
	}
	answers, err := st.tx.QualityAnswersOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range answers {
		out[byID[a.ResponseID]].Scores[a.Question] = int(a.Score)
	}
	return out, nil
}
