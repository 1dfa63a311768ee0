package quality

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
)

func (st store) addKiosk(ctx context.Context, officeID uuid.UUID, officeName string, tokenHash []byte) (Kiosk, error) {
	r, err := st.tx.QualityKioskCreate(ctx, db.QualityKioskCreateParams{OfficeID: officeID, OfficeName: officeName, TokenHash: tokenHash})
	return kioskOf(r), err
}

func (st store) kiosks(ctx context.Context) ([]Kiosk, error) {
	rows, err := st.tx.QualityKioskList(ctx)
	out := make([]Kiosk, 0, len(rows))
	for _, r := range rows {
		out = append(out, kioskOf(r))
	}
	return out, err
}

func (st store) kioskByToken(ctx context.Context, tokenHash []byte) (Kiosk, error) {
	r, err := st.tx.QualityKioskByToken(ctx, tokenHash)
	if err != nil {
		return Kiosk{}, notFound(err)
	}
	return kioskOf(r), nil
}

func (st store) revokeKiosk(ctx context.Context, id uuid.UUID) error {
	n, err := st.tx.QualityKioskRevoke(ctx, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

func (st store) addKioskRating(ctx context.Context, k Kiosk, face Face, reason string, day time.Time) error {
	return st.tx.QualityKioskRatingCreate(ctx, db.QualityKioskRatingCreateParams{KioskID: k.ID, OfficeID: k.OfficeID,
		OfficeName: k.OfficeName, Face: string(face), Reason: reason, RatedOn: pgDay(day)})
}

func (st store) kioskCounts(ctx context.Context, id uuid.UUID) (map[Face]int, error) {
	rows, err := st.tx.QualityKioskRatingCounts(ctx, id)
	out := map[Face]int{}
	for _, r := range rows {
		out[Face(r.Face)] = int(r.N)
	}
	return out, err
}
