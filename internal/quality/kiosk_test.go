package quality_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/tenant"
)

// TestCounterKiosk: staff bind a kiosk to an office of the published Carta (no other office),
// its link's token is given once and only its hash stored; the tablet's faces are stored with
// the office, a reason required when dissatisfied and dropped otherwise; another tenant's host
// cannot use the link; a revoked link opens nothing.
func TestCounterKiosk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, env, _ := newService(t, time.Date(2026, 6, 10, 9, 0, 0, 0, itlang.Rome))
	tn := env.NewTenant(t, tenant.KindComune)
	published(t, env, tn)
	offices, err := svc.Offices(ctx, tn)
	require.NoError(t, err)
	require.Len(t, offices, 1)
	office := uuid.MustParse(offices[0].Code)

	_, err = svc.IssueKiosk(ctx, tn, uuid.New())
	require.Contains(t, fieldsOf(err), "office")
	k, err := svc.IssueKiosk(ctx, tn, office)
	require.NoError(t, err)
	require.Len(t, k.Token, 43)
	require.Equal(t, "Segretariato sociale", k.OfficeName)
	var stored int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM kiosks WHERE tenant_id = $1 AND token_hash = sha256($2::bytea)`,
		tn.ID, []byte(k.Token)).Scan(&stored))
	require.Equal(t, 1, stored, "the hash is stored")
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM kiosks WHERE tenant_id = $1 AND position($2::bytea in token_hash) > 0`,
		tn.ID, []byte(k.Token)).Scan(&stored))
	require.Zero(t, stored, "never the token")

	require.NoError(t, svc.RateAtKiosk(ctx, tn, k.Token, quality.Satisfied, "attesa"))
	require.NoError(t, svc.RateAtKiosk(ctx, tn, k.Token, quality.Satisfied, ""))
	require.NoError(t, svc.RateAtKiosk(ctx, tn, k.Token, quality.Neutral, ""))
	err = svc.RateAtKiosk(ctx, tn, k.Token, quality.Dissatisfied, "")
	require.Contains(t, fieldsOf(err), "reason")
	err = svc.RateAtKiosk(ctx, tn, k.Token, quality.Face("arrabbiato"), "")
	require.Contains(t, fieldsOf(err), "face")
	require.NoError(t, svc.RateAtKiosk(ctx, tn, k.Token, quality.Dissatisfied, "cortesia"))
	counts, err := svc.KioskCounts(ctx, tn, k.ID)
	require.NoError(t, err)
	require.Equal(t, map[quality.Face]int{quality.Satisfied: 2, quality.Neutral: 1, quality.Dissatisfied: 1}, counts)
	var reasons []string
	rows, err := env.Admin.Query(ctx, `SELECT reason FROM kiosk_ratings WHERE tenant_id = $1 ORDER BY reason`, tn.ID)
	require.NoError(t, err)
	for rows.Next() {
		var r string
		require.NoError(t, rows.Scan(&r))
		reasons = append(reasons, r)
	}
	require.Equal(t, []string{"", "", "", "cortesia"}, reasons, "a reason only for the dissatisfied")

	other := env.NewTenant(t, tenant.KindComune)
	_, err = svc.KioskByToken(ctx, other, k.Token)
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	require.Equal(t, apperr.NotFound, apperr.KindOf(svc.RateAtKiosk(ctx, other, k.Token, quality.Satisfied, "")))

	require.NoError(t, svc.RevokeKiosk(ctx, tn, k.ID))
	require.Equal(t, apperr.NotFound, apperr.KindOf(svc.RevokeKiosk(ctx, tn, k.ID)))
	_, err = svc.KioskByToken(ctx, tn, k.Token)
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	require.Equal(t, apperr.NotFound, apperr.KindOf(svc.RateAtKiosk(ctx, tn, k.Token, quality.Satisfied, "")))
	var audited int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action IN ('quality.kiosk.create', 'quality.kiosk.revoke')`,
		tn.ID).Scan(&audited))
	require.Equal(t, 2, audited)
}
