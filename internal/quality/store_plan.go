package quality

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/db"
)

func actionOf(r db.ImprovementAction) Action {
	return Action{ID: r.ID, Year: int(r.Year), Title: r.Title, Description: r.Description, Indicator: r.Indicator,
		Owner: r.Owner, Due: romeDay(r.DueOn), Status: ActionStatus(r.Status), StartValue: r.StartValue,
		EffectValue: r.EffectValue, EffectChange: r.EffectChange, MeasuredAt: r.MeasuredAt}
}

func (st store) plan(ctx context.Context, year int) ([]Action, error) {
	rows, err := st.tx.QualityPlanList(ctx, int32(year))
	if err != nil {
		return nil, err
	}
	out := make([]Action, 0, len(rows))
	for _, r := range rows {
		out = append(out, actionOf(r))
	}
	return out, nil
}

func (st store) action(ctx context.Context, id uuid.UUID) (Action, error) {
	r, err := st.tx.QualityPlanGet(ctx, id)
	if err != nil {
		return Action{}, notFound(err)
	}
	return actionOf(r), nil
}

func (st store) addAction(ctx context.Context, in ActionInput, due time.Time, start string) (Action, error) {
	r, err := st.tx.QualityPlanCreate(ctx, db.QualityPlanCreateParams{Year: int32(in.Year), Title: in.Title,
		Description: in.Description, Indicator: in.Indicator, Owner: in.Owner, DueOn: pgDay(due), StartValue: start})
	if err != nil {
		return Action{}, err
	}
	return actionOf(r), nil
}

func (st store) updateAction(ctx context.Context, id uuid.UUID, in ActionInput, due time.Time, start string) (Action, error) {
	r, err := st.tx.QualityPlanUpdate(ctx, db.QualityPlanUpdateParams{ID: id, Title: in.Title, Description: in.Description,
		Indicator: in.Indicator, Owner: in.Owner, DueOn: pgDay(due), StartValue: start})
	if err != nil {
		return Action{}, notFound(err)
	}
	return actionOf(r), nil
}

func (st store) setStatus(ctx context.Context, id uuid.UUID, status ActionStatus) (Action, error) {
	r, err := st.tx.QualityPlanSetStatus(ctx, db.QualityPlanSetStatusParams{ID: id, Status: string(status)})
	if err != nil {
		return Action{}, notFound(err)
	}
	return actionOf(r), nil
}

func (st store) setEffect(ctx context.Context, id uuid.UUID, value, change string) (Action, error) {
	r, err := st.tx.QualityPlanSetEffect(ctx, db.QualityPlanSetEffectParams{ID: id, EffectValue: value, EffectChange: change})
	if err != nil {
		return Action{}, notFound(err)
	}
	return actionOf(r), nil
}
