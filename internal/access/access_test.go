package access_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newEnforcer returns an enforcer on the package's database and Redis, closed at the end.
func newEnforcer(t testing.TB, env *testenv.Env) *access.Enforcer {
	t.Helper()
	e, err := access.New(context.Background(), access.Deps{DB: env.DB, Redis: env.Redis, Log: quiet})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	return e
}

// newUser inserts a staff account as a fixture (accounts are created by the auth package).
func newUser(t testing.TB, env *testenv.Env, name string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	email := fmt.Sprintf("%s-%x@example.it", strings.ToLower(strings.ReplaceAll(name, " ", "-")), testenv.Uint64())
	err := env.Admin.QueryRow(context.Background(),
		`INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id`, email, name).Scan(&id)
	require.NoError(t, err)
	return id
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestGrantValidation(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	e := newEnforcer(t, env)
	ctx := context.Background()
	c := env.NewTenant(t, "comune")
	u := newUser(t, env, "Anna Verdi")

	for _, tc := range []struct {
		role, domain string
	}{
		{access.RolePlatformAdmin, c.ID.String()},
		{access.RoleEnteAdmin, access.PlatformDomain},
		{access.RoleEnteAdmin, ""},
		{"sindaco", c.ID.String()},
		{access.RoleRedattore, "not-a-tenant"},
	} {
		err := e.Grant(ctx, u, tc.role, tc.domain)
		require.Error(t, err, "%s in %q", tc.role, tc.domain)
		require.Equal(t, apperr.Invalid, apperr.KindOf(err), "%s in %q: %v", tc.role, tc.domain, err)
	}
	require.Equal(t, apperr.NotFound, apperr.KindOf(e.Grant(ctx, uuid.New(), access.RoleRedattore, c.ID.String())))
	require.Equal(t, apperr.NotFound, apperr.KindOf(e.Grant(ctx, u, access.RoleRedattore, uuid.NewString())))
	require.Empty(t, e.RolesOf(u, c.ID.String()))

	require.NoError(t, e.Grant(ctx, u, access.RoleRedattore, c.ID.String()))
	require.NoError(t, e.Grant(ctx, u, access.RoleRedattore, c.ID.String()), "granting twice is not an error")
	require.Equal(t, []string{access.RoleRedattore}, e.RolesOf(u, c.ID.String()))
	require.Equal(t, []uuid.UUID{u}, e.UsersOf(c.ID.String()))
	require.NoError(t, e.Revoke(ctx, u, access.RoleRedattore, c.ID.String()))
	require.Empty(t, e.RolesOf(u, c.ID.String()))
}

func TestGrantByEmail(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	e := newEnforcer(t, env)
	ctx := context.Background()
	c := env.NewTenant(t, "comune")
	u := newUser(t, env, "Bruno Neri")
	var email string
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, u).Scan(&email))

	for _, tc := range []struct {
		email, slug, role string
		kind              apperr.Kind
		contains          string
	}{
		{"nessuno@example.it", c.Slug, access.RoleEnteAdmin, apperr.NotFound, "Nessun utente"},
		{email, "non-esiste", access.RoleEnteAdmin, apperr.NotFound, "Nessun ente"},
		{email, c.Slug, "sindaco", apperr.Invalid, "Ruolo sconosciuto"},
		{email, c.Slug, access.RolePlatformAdmin, apperr.Invalid, "solo sulla piattaforma"},
		{email, "", access.RoleEnteAdmin, apperr.Invalid, "indica lo slug"},
		{email, "platform", access.RoleURP, apperr.Invalid, "indica lo slug"},
	} {
		err := e.GrantByEmail(ctx, tc.email, tc.slug, tc.role)
		require.Error(t, err)
		require.Equal(t, tc.kind, apperr.KindOf(err), "%+v: %v", tc, err)
		ae, _ := apperr.As(err)
		require.Contains(t, ae.Message, tc.contains)
	}

	require.NoError(t, e.GrantByEmail(ctx, strings.ToUpper(email), c.Slug, access.RoleEnteAdmin))
	require.Equal(t, []string{access.RoleEnteAdmin}, e.RolesOf(u, c.ID.String()))
	var n int
	require.NoError(t, env.Admin.QueryRow(ctx,
		`SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'user.grant' AND object_id = $2`,
		c.ID, u.String()).Scan(&n))
	require.Equal(t, 1, n, "a tenant grant is audited")

	require.NoError(t, e.GrantByEmail(ctx, email, "", access.RolePlatformAdmin))
	require.Equal(t, []string{access.RolePlatformAdmin}, e.RolesOf(u, access.PlatformDomain))
}

func TestChangeRolesIsAtomic(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	e := newEnforcer(t, env)
	ctx := context.Background()
	c := env.NewTenant(t, tenant.KindComune)
	u := newUser(t, env, "Atomica")
	require.NoError(t, e.Grant(ctx, u, access.RoleRedattore, c.ID.String()))

	boom := errors.New("boom")
	err := e.ChangeRoles(ctx, c, func(tx *tenant.Tx, rt *access.RoleTx) error {
		added, removed, err := rt.Set(ctx, u, []string{access.RoleEnteAdmin})
		require.NoError(t, err)
		require.Equal(t, []string{access.RoleEnteAdmin}, added)
		require.Equal(t, []string{access.RoleRedattore}, removed)
		got, err := rt.Roles(ctx, u)
		require.NoError(t, err)
		require.Equal(t, []string{access.RoleEnteAdmin}, got, "visible inside the transaction")
		require.NoError(t, audit.Record(ctx, tx, audit.Entry{Action: "user.roles", ObjectType: "user", ObjectID: u.String()}))
		return boom
	})
	require.ErrorIs(t, err, boom)
	require.Equal(t, []string{access.RoleRedattore}, e.RolesOf(u, c.ID.String()))
	require.NoError(t, e.Reload())
	require.Equal(t, []string{access.RoleRedattore}, e.RolesOf(u, c.ID.String()), "nothing stored")
	var n int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1`, c.ID).Scan(&n))
	require.Zero(t, n, "no audit entry without the change")

	require.Equal(t, apperr.Invalid, apperr.KindOf(e.ChangeRoles(ctx, c, func(tx *tenant.Tx, rt *access.RoleTx) error {
		_, _, err := rt.Set(ctx, u, []string{access.RolePlatformAdmin})
		return err
	})), "platform_admin is no tenant role")
}

// Two ente admins step down at the same moment: exactly one of them may.
func TestLastAdminUnderConcurrency(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	e := newEnforcer(t, env)
	ctx := context.Background()
	for range 5 {
		c := env.NewTenant(t, tenant.KindComune)
		a, b := newUser(t, env, "Admin A"), newUser(t, env, "Admin B")
		require.NoError(t, e.Grant(ctx, a, access.RoleEnteAdmin, c.ID.String()))
		require.NoError(t, e.Grant(ctx, b, access.RoleEnteAdmin, c.ID.String()))

		start := make(chan struct{})
		errs := make(chan error, 2)
		for _, u := range []uuid.UUID{a, b} {
			go func() {
				<-start
				errs <- e.ChangeRoles(ctx, c, func(tx *tenant.Tx, rt *access.RoleTx) error {
					_, _, err := rt.Set(ctx, u, []string{access.RoleURP})
					return err
				})
			}()
		}
		close(start)
		e1, e2 := <-errs, <-errs
		lastAdmin := 0
		for _, err := range []error{e1, e2} {
			if errors.Is(err, access.ErrLastAdmin) {
				lastAdmin++
			} else {
				require.NoError(t, err)
			}
		}
		require.Equal(t, 1, lastAdmin)
		admins := 0
		for _, u := range []uuid.UUID{a, b} {
			if slices.Contains(e.RolesOf(u, c.ID.String()), access.RoleEnteAdmin) {
				admins++
			}
		}
		require.Equal(t, 1, admins)
	}
}
