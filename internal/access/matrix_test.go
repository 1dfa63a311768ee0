package access_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// The relations between where a role is held and where it is used.
const (
	relOwnComune = "own comune"         // held in a comune, used there
	relOwnAmbito = "own ambito"         // held in an ambito, used there
	relMember    = "member comune"      // held in an ambito, used in a member comune
	relCapofila  = "capofila comune"    // held in an ambito, used in its capofila comune
	relUpward    = "comune → ambito"    // held in a member comune, used in its ambito
	relSibling   = "capofila → sibling" // held in the capofila comune, used in another member
	relOtherAmb  = "other ambito"       // held in an ambito, used in a comune of another ambito
	relUnrelated = "unrelated tenant"   // held in a comune, used in an unrelated comune
	relPlatform  = "platform host"      // held in a comune (platform_admin: on the platform), used on the platform host
	relTenant    = "tenant host"        // platform_admin only: held on the platform, used in a comune
)

var p = struct {
	dash, profR, profW, usersR, usersW, audit, catR, catW, catP, reports, complaints, inbox, handle, quality, apikeys, tenantsR, tenantsW access.Perm
}{
	access.DashboardRead, access.ProfileRead, access.ProfileWrite, access.UsersRead, access.UsersWrite,
	access.AuditRead, access.CatalogRead, access.CatalogWrite, access.CatalogPublish,
	access.ReportsRead, access.ComplaintsRead, access.ComplaintsInbox, access.ComplaintsWrite, access.QualityWrite, access.APIKeysWrite, access.TenantsRead, access.TenantsWrite,
}

// allowed is the whole truth: every (role, relation, perm) not listed here must be denied.
// It is written out by hand, not derived from the template, so that a change of the template
// shows up here as a reviewed change.
var allowed = map[string]map[string][]access.Perm{
	access.RoleEnteAdmin: {
		relOwnComune: {p.dash, p.profR, p.profW, p.usersR, p.usersW, p.audit, p.catR, p.apikeys},
		relOwnAmbito: {p.dash, p.profR, p.profW, p.usersR, p.usersW, p.audit, p.catR, p.apikeys},
	},
	access.RoleRedattore: {
		relOwnComune: {p.dash, p.catR, p.catW, p.quality},
		relOwnAmbito: {p.dash, p.catR, p.catW, p.quality},
	},
	access.RoleResponsabile: {
		relOwnComune: {p.dash, p.profR, p.catR, p.catW, p.catP, p.reports, p.complaints, p.inbox, p.handle, p.quality},
		relOwnAmbito: {p.dash, p.profR, p.catR, p.catW, p.catP, p.reports, p.complaints, p.inbox, p.handle, p.quality},
		relMember:    {p.dash, p.reports, p.complaints},
		relCapofila:  {p.dash, p.reports, p.complaints},
	},
	access.RoleURP: {
		relOwnComune: {p.dash, p.catR, p.reports, p.complaints, p.inbox, p.handle},
		relOwnAmbito: {p.dash, p.catR, p.reports, p.complaints, p.inbox, p.handle},
		relMember:    {p.dash, p.reports, p.complaints},
		relCapofila:  {p.dash, p.reports, p.complaints},
	},
	access.RoleRevisore: {
		relOwnComune: {p.dash, p.profR, p.audit, p.catR, p.reports, p.complaints, p.inbox},
		relOwnAmbito: {p.dash, p.profR, p.audit, p.catR, p.reports, p.complaints, p.inbox},
		relMember:    {p.dash, p.reports, p.complaints},
		relCapofila:  {p.dash, p.reports, p.complaints},
	},
	access.RolePlatformAdmin: {
		relPlatform: {p.tenantsR, p.tenantsW},
	},
}

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	e := newEnforcer(t, env)
	ctx := context.Background()

	// Ambito A with capofila K and member C; ambito B with member D; U in no ambito.
	a := env.NewTenant(t, tenant.KindAmbito)
	k := env.Join(t, env.NewTenant(t, tenant.KindComune), a, true)
	c := env.Join(t, env.NewTenant(t, tenant.KindComune), a, false)
	b := env.NewTenant(t, tenant.KindAmbito)
	d := env.Join(t, env.NewTenant(t, tenant.KindComune), b, false)
	u := env.NewTenant(t, tenant.KindComune)
	require.Equal(t, a.ID, c.AmbitoID())
	require.True(t, k.IsCapofila)

	dom := access.DomainOf
	type rel struct {
		held string         // domain where the role is held
		on   *tenant.Tenant // tenant of the request (nil: platform host)
	}
	tenantRels := map[string]rel{
		relOwnComune: {dom(c), c},
		relOwnAmbito: {dom(a), a},
		relMember:    {dom(a), c},
		relCapofila:  {dom(a), k},
		relUpward:    {dom(c), a},
		relSibling:   {dom(k), c},
		relOtherAmb:  {dom(a), d},
		relUnrelated: {dom(c), u},
		relPlatform:  {dom(c), nil},
	}
	platformRels := map[string]rel{
		relPlatform: {access.PlatformDomain, nil},
		relTenant:   {access.PlatformDomain, c},
		// The platform admin holds nothing in an ambito either.
		relOwnAmbito: {access.PlatformDomain, a},
		relMember:    {access.PlatformDomain, k},
	}

	// Every permission the template grants must be part of the matrix.
	all := map[access.Perm]bool{}
	for _, q := range access.AllPerms() {
		all[q] = true
	}
	for role, rp := range access.Template() {
		for _, q := range append(append([]access.Perm{}, rp.Own...), rp.Member...) {
			require.True(t, all[q], "%s holds %s, which AllPerms does not list", role, q)
		}
	}
	require.ElementsMatch(t, append([]string{access.RolePlatformAdmin}, access.TenantRoles...), keys(allowed))

	checked := 0
	for _, role := range append([]string{access.RolePlatformAdmin}, access.TenantRoles...) {
		rels := tenantRels
		if role == access.RolePlatformAdmin {
			rels = platformRels
		}
		for relName, r := range rels {
			// A user of their own for each cell, holding just this one role.
			user := newUser(t, env, role+" "+relName)
			require.NoError(t, e.Grant(ctx, user, role, r.held))
			want := map[access.Perm]bool{}
			for _, q := range allowed[role][relName] {
				want[q] = true
			}
			for _, q := range access.AllPerms() {
				got, err := e.Allowed(user, r.on, q)
				require.NoError(t, err)
				require.Equal(t, want[q], got, "role %s, %s, %s", role, relName, q)
				checked++
			}
		}
	}
	require.Equal(t, (len(tenantRels)*len(access.TenantRoles)+len(platformRels))*len(access.AllPerms()), checked)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestHasAnyRole(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	e := newEnforcer(t, env)
	ctx := context.Background()
	a := env.NewTenant(t, tenant.KindAmbito)
	c := env.Join(t, env.NewTenant(t, tenant.KindComune), a, false)
	u := env.NewTenant(t, tenant.KindComune)

	home := newUser(t, env, "Home")
	require.NoError(t, e.Grant(ctx, home, access.RoleRedattore, c.ID.String()))
	overseer := newUser(t, env, "Overseer")
	require.NoError(t, e.Grant(ctx, overseer, access.RoleResponsabile, a.ID.String()))
	ambitoEditor := newUser(t, env, "Ambito editor")
	require.NoError(t, e.Grant(ctx, ambitoEditor, access.RoleRedattore, a.ID.String()))
	op := newUser(t, env, "Operator")
	require.NoError(t, e.Grant(ctx, op, access.RolePlatformAdmin, access.PlatformDomain))

	for _, tc := range []struct {
		name string
		user uuid.UUID
		on   *tenant.Tenant
		want bool
	}{
		{"role at home", home, c, true},
		{"no role elsewhere", home, u, false},
		{"home role does not open the ambito", home, a, false},
		{"oversight role opens member comune", overseer, c, true},
		{"oversight role in its ambito", overseer, a, true},
		{"ambito redattore does not open member comune", ambitoEditor, c, false},
		{"platform admin on platform", op, nil, true},
		{"platform admin not in tenants", op, c, false},
		{"tenant staff not on platform", home, nil, false},
	} {
		got, err := e.HasAnyRole(ctx, tc.user, tc.on)
		require.NoError(t, err)
		require.Equal(t, tc.want, got, tc.name)
	}
}
