package access

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/testenv"
)

func newCasbin(t *testing.T, a *Adapter) *casbin.Enforcer {
	t.Helper()
	m, err := model.NewModelFromString(modelText)
	require.NoError(t, err)
	e, err := casbin.NewEnforcer(m, a)
	require.NoError(t, err)
	return e
}

func sorted(rules [][]string) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = strings.Join(r, ",")
	}
	sort.Strings(out)
	return out
}

// Not parallel: SavePolicy rewrites the whole table, which the package's other tests share.
// Go runs it before any parallel test resumes.
func TestAdapterRoundTrip(t *testing.T) {
	env := testenv.Get(t)
	a := NewAdapter(env.DB)
	if _, err := syncTemplate(context.Background(), env.DB); err != nil {
		t.Fatal(err)
	}

	e1 := newCasbin(t, a)
	e1.EnableAutoSave(false)
	d1, d2 := uuid.NewString(), uuid.NewString()
	u1, u2 := "user:"+uuid.NewString(), "user:"+uuid.NewString()
	extra := []string{"test_role", "widgets", "read", ScopeOwn}
	_, err := e1.AddPolicy(extra[0], extra[1], extra[2], extra[3])
	require.NoError(t, err)
	for _, g := range [][]string{
		{u1, RoleEnteAdmin, d1}, {u1, RoleRevisore, d1}, {u2, RoleRedattore, d1},
		{u1, RoleURP, d2}, {u2, RoleURP, d2},
	} {
		_, err := e1.AddGroupingPolicy(g[0], g[1], g[2])
		require.NoError(t, err)
	}
	require.NoError(t, e1.SavePolicy())

	e2 := newCasbin(t, a)
	p1, _ := e1.GetPolicy()
	p2, _ := e2.GetPolicy()
	require.Equal(t, sorted(p1), sorted(p2))
	g1, _ := e1.GetGroupingPolicy()
	g2, _ := e2.GetGroupingPolicy()
	require.Equal(t, sorted(g1), sorted(g2))
	require.Contains(t, sorted(p2), strings.Join(extra, ","))
	require.ElementsMatch(t, []string{RoleEnteAdmin, RoleRevisore}, e2.GetRolesForUserInDomain(u1, d1))

	// Auto-save through the adapter, single and batch.
	e2.EnableAutoSave(true)
	_, err = e2.AddGroupingPolicy(u2, RoleResponsabile, d2)
	require.NoError(t, err)
	_, err = e2.AddGroupingPolicies([][]string{{u2, RoleEnteAdmin, d2}, {u2, RoleRevisore, d2}})
	require.NoError(t, err)
	_, err = e2.RemoveGroupingPolicy(u1, RoleRevisore, d1)
	require.NoError(t, err)
	_, err = e2.RemoveGroupingPolicies([][]string{{u2, RoleRevisore, d2}})
	require.NoError(t, err)
	e3 := newCasbin(t, a)
	require.ElementsMatch(t, []string{RoleURP, RoleResponsabile, RoleEnteAdmin}, e3.GetRolesForUserInDomain(u2, d2))
	require.ElementsMatch(t, []string{RoleEnteAdmin}, e3.GetRolesForUserInDomain(u1, d1))

	// RemoveFilteredPolicy: a whole domain (field 2), then one role anywhere, with an empty
	// value as a wildcard (fields 0..1 = "", role).
	require.NoError(t, a.RemoveFilteredPolicy("g", "g", 2, d1))
	e4 := newCasbin(t, a)
	require.Empty(t, e4.GetRolesForUserInDomain(u1, d1))
	require.Empty(t, e4.GetRolesForUserInDomain(u2, d1))
	require.ElementsMatch(t, []string{RoleURP, RoleResponsabile, RoleEnteAdmin}, e4.GetRolesForUserInDomain(u2, d2))
	require.NoError(t, a.RemoveFilteredPolicy("g", "g", 0, "", RoleURP, d2))
	e5 := newCasbin(t, a)
	require.Empty(t, e5.GetRolesForUserInDomain(u1, d2))
	require.ElementsMatch(t, []string{RoleResponsabile, RoleEnteAdmin}, e5.GetRolesForUserInDomain(u2, d2))
	require.Error(t, a.RemoveFilteredPolicy("g", "g", 5, "a", "b"), "fields out of range")

	// Leave the table as the other tests expect it.
	require.NoError(t, a.RemoveFilteredPolicy("g", "g", 2, d2))
	require.NoError(t, a.RemovePolicy("p", "p", extra))
	changed, err := syncTemplate(context.Background(), env.DB)
	require.NoError(t, err)
	require.False(t, changed, "the template rows survived the round trip")
}

func TestSyncTemplateIdempotent(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	_, err := syncTemplate(ctx, env.DB)
	require.NoError(t, err)
	changed, err := syncTemplate(ctx, env.DB)
	require.NoError(t, err)
	require.False(t, changed)

	// A rule the template no longer has is removed; a missing one is put back.
	a := NewAdapter(env.DB)
	require.NoError(t, a.AddPolicy("p", "p", []string{RoleRedattore, "users", "write", ScopeOwn}))
	require.NoError(t, a.RemovePolicy("p", "p", []string{RoleEnteAdmin, "users", "write", ScopeOwn}))
	changed, err = syncTemplate(ctx, env.DB)
	require.NoError(t, err)
	require.True(t, changed)
	e := newCasbin(t, a)
	got, _ := e.GetPolicy()
	require.Equal(t, sorted(templateRules()), sorted(got))
}
