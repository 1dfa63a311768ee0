package quality

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/db"
)

func measureOf(r db.StandardMeasure) Measure {
	return Measure{ID: r.ID, ServiceID: r.ServiceID, StandardID: r.StandardID, From: romeDay(r.PeriodFrom), To: romeDay(r.PeriodTo),
		Value: r.Value, Unit: r.Unit, Met: r.Met, Source: r.Source, Note: r.Note}
}

func (st store) addMeasure(ctx context.Context, m Measure) (Measure, error) {
	r, err := st.tx.QualityMeasureAdd(ctx, db.QualityMeasureAddParams{ServiceID: m.ServiceID, StandardID: m.StandardID,
		PeriodFrom: pgDay(m.From), PeriodTo: pgDay(m.To), Value: m.Value, Unit: m.Unit, Met: m.Met, Source: m.Source, Note: m.Note})
	if err != nil {
		return Measure{}, err
	}
	return measureOf(r), nil
}

func (st store) measuresOf(ctx context.Context, serviceID uuid.UUID) ([]Measure, error) {
	rows, err := st.tx.QualityMeasuresOf(ctx, serviceID)
	out := make([]Measure, 0, len(rows))
	for _, r := range rows {
		out = append(out, measureOf(r))
	}
	return out, err
}

func (st store) latestMeasures(ctx context.Context, owner uuid.UUID, ids []uuid.UUID) ([]Measure, error) {
	rows, err := st.tx.QualityMeasuresLatest(ctx, db.QualityMeasuresLatestParams{Owner: owner, StandardIds: ids})
	out := make([]Measure, 0, len(rows))
	for _, r := range rows {
		out = append(out, measureOf(r))
	}
	return out, err
}
