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

const benchDomains, benchPerDomain = 8000, 4

// loadNationalPolicy stores role assignments for every Italian comune on the platform:
// 8,000 domains × 4 users, removed again when the benchmark ends.
func loadNationalPolicy(b *testing.B) (e *access.Enforcer, doms []string, users []uuid.UUID) {
	env := testenv.Get(b)
	ctx := context.Background()
	roles := []string{access.RoleEnteAdmin, access.RoleRedattore, access.RoleResponsabile, access.RoleURP}
	var rules [][]string
	for range benchDomains {
		d := uuid.NewString()
		doms = append(doms, d)
		for i := range benchPerDomain {
			u := uuid.New()
			users = append(users, u)
			rules = append(rules, []string{access.Subject(u), roles[i%len(roles)], d})
		}
	}
	require.NoError(b, access.NewAdapter(env.DB).AddPolicies("g", "g", rules))
	b.Cleanup(func() {
		_, err := env.Admin.Exec(ctx, `DELETE FROM casbin_rule WHERE ptype = 'g' AND v2 = ANY($1)`, doms)
		require.NoError(b, err)
	})
	e, err := access.New(ctx, access.Deps{DB: env.DB, Log: quiet, ReloadEvery: -1})
	require.NoError(b, err)
	b.Cleanup(e.Close)
	require.Len(b, e.UsersOf(doms[0]), benchPerDomain)
	return e, doms, users
}

// BenchmarkLoadPolicy measures a full reload of the national policy: what each replica does at
// start and on every announced change.
//
//	go test -run '^$' -bench LoadPolicy -benchtime 20x ./internal/access/
func BenchmarkLoadPolicy(b *testing.B) {
	e, doms, _ := loadNationalPolicy(b)
	b.ResetTimer()
	for range b.N {
		if err := e.Reload(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	require.Len(b, e.UsersOf(doms[benchDomains-1]), benchPerDomain)
}

// BenchmarkAllowed measures one permission check against the national policy.
func BenchmarkAllowed(b *testing.B) {
	e, doms, users := loadNationalPolicy(b)
	id, _ := uuid.Parse(doms[benchDomains/2])
	t := &tenant.Tenant{ID: id}
	u := users[benchDomains/2*benchPerDomain] // the ente admin of that domain
	b.ResetTimer()
	for range b.N {
		ok, err := e.Allowed(u, t, access.UsersWrite)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
