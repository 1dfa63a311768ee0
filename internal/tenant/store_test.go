package tenant_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

func TestCreateValidatesWithItalianMessages(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	for _, tc := range []struct {
		p     tenant.CreateParams
		field string
	}{
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: "Cerveteri!", Name: "Comune di X", IstatCode: "058029"}, "slug"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: "-cerveteri", Name: "Comune di X", IstatCode: "058029"}, "slug"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: "a--b", Name: "Comune di X", IstatCode: "058029"}, "slug"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: "admin", Name: "Comune di X", IstatCode: "058029"}, "slug"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: "x", Name: "Comune di X", IstatCode: "058029"}, "slug"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: testenv.Slug(), Name: "X", IstatCode: "058029"}, "name"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: testenv.Slug(), Name: "Comune di X", IstatCode: "58029"}, "istat"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: testenv.Slug(), Name: "Comune di X", IstatCode: "058029", IpaCode: "c c552"}, "ipa"},
		{tenant.CreateParams{Kind: "provincia", Slug: testenv.Slug(), Name: "Provincia di X"}, "kind"},
	} {
		_, err := env.Tenants.Create(ctx, tc.p)
		e, ok := apperr.As(err)
		require.True(t, ok, "%+v: %v", tc.p, err)
		require.Equal(t, apperr.Invalid, e.Kind)
		require.Contains(t, e.Fields, tc.field, "%+v", tc.p)
		require.NotEmpty(t, e.Fields[tc.field])
	}
}

func TestCreateRefusesDuplicates(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a := env.NewTenant(t, tenant.KindComune)
	cases := []struct {
		p   tenant.CreateParams
		msg string
	}{
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: a.Slug, Name: "Comune Doppio", IstatCode: "999001"}, "slug"},
		{tenant.CreateParams{Kind: tenant.KindComune, Slug: testenv.Slug(), Name: "Comune Doppio", IstatCode: a.IstatCode}, "ISTAT"},
	}
	ipa := "c_t" + testenv.Slug()[2:6]
	_, err := env.Tenants.Create(ctx, tenant.CreateParams{Kind: tenant.KindComune, Slug: testenv.Slug(), Name: "Comune IPA", IstatCode: "999002", IpaCode: ipa})
	require.NoError(t, err)
	cases = append(cases, struct {
		p   tenant.CreateParams
		msg string
	}{tenant.CreateParams{Kind: tenant.KindComune, Slug: testenv.Slug(), Name: "Comune IPA 2", IstatCode: "999003", IpaCode: ipa}, "IPA"})
	for _, tc := range cases {
		_, err := env.Tenants.Create(ctx, tc.p)
		e, ok := apperr.As(err)
		require.True(t, ok, "%v", err)
		require.Equal(t, apperr.Conflict, e.Kind)
		require.Contains(t, e.Message, tc.msg)
	}
}

func TestJoinAmbitoRules(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	amb := env.NewTenant(t, tenant.KindAmbito)
	c1 := env.NewTenant(t, tenant.KindComune)
	c2 := env.NewTenant(t, tenant.KindComune)

	c1 = env.Join(t, c1, amb, true)
	require.True(t, c1.IsCapofila)
	// A new capofila replaces the old one.
	c2 = env.Join(t, c2, amb, true)
	require.True(t, c2.IsCapofila)
	c1, err := env.Tenants.ByID(ctx, c1.ID)
	require.NoError(t, err)
	require.False(t, c1.IsCapofila)
	members, err := env.Tenants.Members(ctx, amb.ID)
	require.NoError(t, err)
	require.Len(t, members, 2)
	require.Equal(t, c2.ID, members[0].ID, "capofila first")

	// Only a comune joins, only an ambito is joined.
	err = env.Tenants.JoinAmbito(ctx, amb.Slug, amb.Slug, false)
	require.Equal(t, apperr.Invalid, apperr.KindOf(err))
	err = env.Tenants.JoinAmbito(ctx, c1.Slug, c2.Slug, false)
	require.Equal(t, apperr.Invalid, apperr.KindOf(err))
	err = env.Tenants.JoinAmbito(ctx, "non-esiste", amb.Slug, false)
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))

	// At most one ambito at a time: joining another moves the comune.
	amb2 := env.NewTenant(t, tenant.KindAmbito)
	c1 = env.Join(t, c1, amb2, false)
	require.Equal(t, amb2.ID, c1.AmbitoID())
	members, err = env.Tenants.Members(ctx, amb.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
}
