package access_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// replica starts an enforcer as another replica would: its own Redis client (named, so the
// test can find its pub/sub connection) on the same database and Redis database.
func replica(t *testing.T, env *testenv.Env, channel, name string) *access.Enforcer {
	t.Helper()
	opts, err := redis.ParseURL(env.RedisURL)
	require.NoError(t, err)
	opts.ClientName = name
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	e, err := access.New(context.Background(), access.Deps{DB: env.DB, Redis: rdb, Log: quiet, Channel: channel})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	select {
	case <-e.Watcher().Subscribed():
	case <-time.After(10 * time.Second):
		t.Fatal("watcher did not subscribe")
	}
	return e
}

func TestWatcherPropagatesChanges(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx := context.Background()
	channel := "carta:casbin:test:" + uuid.NewString()
	name2 := "carta-test-" + uuid.NewString()[:8]
	e1 := replica(t, env, channel, "carta-test-"+uuid.NewString()[:8])
	e2 := replica(t, env, channel, name2)
	c := env.NewTenant(t, tenant.KindComune)
	dom := c.ID.String()
	u := newUser(t, env, "Carla Bianchi")
	const wait = 10 * time.Second

	// Grant (casbin auto-save + announcement) on one replica, seen on the other.
	require.NoError(t, e1.Grant(ctx, u, access.RoleEnteAdmin, dom))
	eventually(t, wait, func() bool { return slices.Contains(e2.RolesOf(u, dom), access.RoleEnteAdmin) },
		"grant on replica 1 visible on replica 2")
	ok, err := e2.Allowed(u, c, access.UsersWrite)
	require.NoError(t, err)
	require.True(t, ok)

	// A transactional change (with its audit entry) on the other replica, seen on the first.
	require.NoError(t, e2.ChangeRoles(ctx, c, func(tx *tenant.Tx, rt *access.RoleTx) error {
		if _, _, err := rt.Set(ctx, u, []string{access.RoleEnteAdmin, access.RoleURP}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.roles", ObjectType: "user", ObjectID: u.String()})
	}))
	require.Equal(t, []string{access.RoleEnteAdmin, access.RoleURP}, e2.RolesOf(u, dom), "the writer sees its change at once")
	eventually(t, wait, func() bool { return slices.Contains(e1.RolesOf(u, dom), access.RoleURP) },
		"transactional change on replica 2 visible on replica 1")

	// Revoke.
	require.NoError(t, e1.Revoke(ctx, u, access.RoleURP, dom))
	eventually(t, wait, func() bool { return !slices.Contains(e2.RolesOf(u, dom), access.RoleURP) },
		"revoke on replica 1 visible on replica 2")

	// The pub/sub connection of replica 2 drops (as when Redis restarts): it subscribes again,
	// and changes made meanwhile or afterwards still arrive.
	pubsubConns := func() []string {
		list, err := env.Redis.ClientList(ctx).Result()
		require.NoError(t, err)
		var ids []string
		for _, line := range strings.Split(list, "\n") {
			if !strings.Contains(line, " name="+name2+" ") || strings.Contains(line, " sub=0 ") {
				continue
			}
			for _, f := range strings.Fields(line) {
				if id, ok := strings.CutPrefix(f, "id="); ok {
					ids = append(ids, id)
				}
			}
		}
		return ids
	}
	ids := pubsubConns()
	require.Len(t, ids, 1, "one pub/sub connection of replica 2")
	require.NoError(t, env.Redis.Do(ctx, "CLIENT", "KILL", "ID", ids[0]).Err())
	require.NoError(t, e1.Grant(ctx, u, access.RoleRevisore, dom))
	eventually(t, wait, func() bool { return slices.Contains(e2.RolesOf(u, dom), access.RoleRevisore) },
		"change made while replica 2 was cut off is seen after it reconnects")
	eventually(t, wait, func() bool {
		now := pubsubConns()
		return len(now) == 1 && now[0] != ids[0]
	}, "replica 2 subscribed again")
	require.NoError(t, e1.Grant(ctx, u, access.RoleRedattore, dom))
	eventually(t, wait, func() bool { return slices.Contains(e2.RolesOf(u, dom), access.RoleRedattore) },
		"change after the reconnection is seen")
}

func TestWatcherIgnoresOwnMessagesAndStopsOnClose(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	channel := "carta:casbin:test:" + uuid.NewString()
	w1 := access.NewWatcher(env.Redis, channel, quiet)
	w2 := access.NewWatcher(env.Redis, channel, quiet)
	calls1, calls2 := make(chan string, 10), make(chan string, 10)
	require.NoError(t, w1.SetUpdateCallback(func(m string) { calls1 <- m }))
	require.NoError(t, w2.SetUpdateCallback(func(m string) { calls2 <- m }))
	<-w1.Subscribed()
	<-w2.Subscribed()
	drain := func(ch chan string) {
		for {
			select {
			case <-ch:
			default:
				return
			}
		}
	}
	drain(calls1)
	drain(calls2)

	// The reload a watcher asks for when its subscription starts ("subscribed") may arrive
	// after Subscribed() returns: it is not a message from a replica, so skip it.
	next := func(ch chan string, who string) string {
		for {
			select {
			case m := <-ch:
				if m != "subscribed" {
					return m
				}
			case <-time.After(10 * time.Second):
				t.Fatal(who + " was not told")
				return ""
			}
		}
	}
	require.NoError(t, w1.Update())
	require.Equal(t, w1.Replica(), next(calls2, "replica 2"))
	// By now w1 has received its own message too (same connection order): it must have been
	// dropped, so a second message from w2 is the first thing w1 reports.
	require.NoError(t, w2.Update())
	require.Equal(t, w2.Replica(), next(calls1, "replica 1"), "own messages are ignored")

	// Once Close returns, no callback comes any more: a third subscriber proves that the
	// messages below were delivered.
	w2.Close()
	w2.Close() // idempotent
	drain(calls2)
	w3 := access.NewWatcher(env.Redis, channel, quiet)
	defer w3.Close()
	calls3 := make(chan string, 10)
	require.NoError(t, w3.SetUpdateCallback(func(m string) { calls3 <- m }))
	<-w3.Subscribed()
	require.NoError(t, w1.Update())
	for got := false; !got; {
		select {
		case m := <-calls3:
			got = m == w1.Replica()
		case <-time.After(10 * time.Second):
			t.Fatal("replica 3 was not told")
		}
	}
	w1.Close()
	select {
	case m := <-calls2:
		t.Fatalf("closed watcher called back with %q", m)
	default:
	}
}
