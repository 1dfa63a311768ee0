package pagecache

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// countedClient is a fail-fast client on addr whose GET and SET calls are counted.
func countedClient(t *testing.T, addr string) (*redis.Client, *counter) {
	t.Helper()
	opts, err := RedisOptions("redis://" + addr + "/0")
	require.NoError(t, err)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	cnt := &counter{}
	rdb.AddHook(cnt)
	return rdb, cnt
}

// Redis stops while pages are being served: every page is still answered, and after the first
// failure Redis is not called again until the cool-down ends (counted calls, not wall time);
// when Redis is back the cache uses it again and the subscriber resubscribes by itself.
func TestRedisStoppedMidTest(t *testing.T) {
	t.Parallel()
	rs := startRedisServer(t)
	rdb, cnt := countedClient(t, rs.addr())
	clk := newClock()
	tenant := uuid.New()
	var renders atomic.Int64
	opts := Options{BreakerCooldown: 5 * time.Second, VersionsTTL: time.Hour, Channel: "carta:pages"}
	a := newCache(t, rdb, opts, clk)
	srv := newServer(t, pageHandler(a, tenant, 40<<10, &renders))

	// Replica B listens for publications on the same server, through a client of its own.
	rdbB, _ := countedClient(t, rs.addr())
	b := newCache(t, rdbB, opts, nil)
	require.NoError(t, b.Start(context.Background()))
	<-b.Ready()
	require.EqualValues(t, 1, b.Stats().Subscriptions)

	require.Equal(t, 200, srv.get(t, "/prima").status)
	require.EqualValues(t, 2, cnt.calls(), "a miss reads Redis, then stores the rendered page")
	srv.get(t, "/prima")
	require.EqualValues(t, 2, cnt.calls(), "a local hit does not touch Redis")

	rs.stop()

	r := srv.get(t, "/prima")
	require.Equal(t, 200, r.status)
	require.Contains(t, string(r.body), "Pagina /prima")
	for i := range 20 {
		for range 2 {
			path := "/durante/" + strconv.Itoa(i)
			r := srv.get(t, path, "Accept-Encoding", "gzip")
			require.Equal(t, 200, r.status, path)
			require.Contains(t, string(gunzip(t, r.body)), "Pagina "+path)
		}
	}
	s := a.Stats()
	require.EqualValues(t, 3, cnt.calls(), "one failed call opens the breaker; no more until the cool-down ends")
	require.EqualValues(t, 1, s.RedisErrors)
	require.EqualValues(t, 39, s.RedisSkipped, "19 reads and 20 writes skipped")
	require.True(t, s.BreakerOpen)
	require.EqualValues(t, 21, s.Renders)
	require.EqualValues(t, 22, s.LocalHits)

	// Cool-down over, Redis still down: exactly one probe, then skipping again.
	clk.advance(6 * time.Second)
	for i := range 5 {
		require.Equal(t, 200, srv.get(t, "/sonda/"+strconv.Itoa(i)).status)
	}
	require.EqualValues(t, 4, cnt.calls())
	require.EqualValues(t, 2, a.Stats().RedisErrors)

	// Redis comes back (empty: it kept nothing on disk).
	rs.start()
	clk.advance(6 * time.Second)
	require.Equal(t, 200, srv.get(t, "/dopo").status)
	require.EqualValues(t, 6, cnt.calls(), "the probe succeeded: read, then store")
	require.False(t, a.Stats().BreakerOpen)
	require.Equal(t, 200, srv.get(t, "/dopo/2").status)
	require.EqualValues(t, 8, cnt.calls())
	got, err := rdb.Get(context.Background(), Key{Tenant: tenant, Own: 3, Ambito: 1, Path: "/dopo"}.String()).Result()
	require.NoError(t, err)
	require.Contains(t, got, "Pagina /dopo")

	// Another replica finds the page in Redis again.
	c2 := newCache(t, rdb, opts, nil)
	srv2 := newServer(t, pageHandler(c2, tenant, 40<<10, nil))
	require.Contains(t, string(srv2.get(t, "/dopo").body), "Pagina /dopo")
	require.EqualValues(t, 1, c2.Stats().RedisHits)
	require.EqualValues(t, 0, c2.Stats().Renders)

	// B's subscription survived the restart and delivers publications again.
	require.Eventually(t, func() bool { return b.Stats().Subscriptions >= 2 }, 20*time.Second, 10*time.Millisecond)
	db := newFakeDB()
	comune := db.tenant(uuid.Nil)
	own, _, err := b.Versions(context.Background(), comune, uuid.Nil, db.load(comune))
	require.NoError(t, err)
	require.Equal(t, 1, own)
	db.publish(comune)
	a.Published(context.Background(), comune)
	require.Eventually(t, func() bool {
		own, _, err := b.Versions(context.Background(), comune, uuid.Nil, db.load(comune))
		return err == nil && own == 2
	}, 20*time.Second, 5*time.Millisecond)
}

// A cache whose Redis address has nothing listening serves every page, calling Redis once.
func TestRedisUnreachable(t *testing.T) {
	t.Parallel()
	rdb, cnt := countedClient(t, "127.0.0.1:"+strconv.Itoa(freePort(t)))
	clk := newClock()
	c := newCache(t, rdb, Options{VersionsTTL: time.Hour}, clk)
	require.NoError(t, c.Start(context.Background())) // keeps retrying in the background
	db := newFakeDB()
	comune := db.tenant(uuid.Nil)
	srv := newServer(t, siteHandler(c, db, 10<<10))

	for i := range 20 {
		path := fmt.Sprintf("/servizi/%d", i)
		r := srv.get(t, path, "X-Tenant", comune.String())
		require.Equal(t, 200, r.status)
		require.Contains(t, string(r.body), "Pagina "+path+" v1.0")
	}
	s := c.Stats()
	require.EqualValues(t, 1, cnt.calls())
	require.EqualValues(t, 1, s.RedisErrors)
	require.EqualValues(t, 39, s.RedisSkipped)
	require.EqualValues(t, 20, s.Renders)

	// Publishing still works on this replica; the announcement fails and is only logged.
	db.publish(comune)
	c.Published(context.Background(), comune)
	r := srv.get(t, "/servizi/0", "X-Tenant", comune.String())
	require.Contains(t, string(r.body), "v2.0")
	require.EqualValues(t, 1, cnt.calls(), "still skipping Redis")
	select {
	case <-c.Ready():
		t.Fatal("subscribed to a Redis that is not there")
	default:
	}
}

func TestRedisOptions(t *testing.T) {
	o, err := RedisOptions("redis://127.0.0.1:6390/4")
	require.NoError(t, err)
	require.Equal(t, 4, o.DB)
	require.Equal(t, 200*time.Millisecond, o.DialTimeout)
	require.Equal(t, 200*time.Millisecond, o.ReadTimeout)
	require.Equal(t, 200*time.Millisecond, o.WriteTimeout)
	require.Equal(t, 200*time.Millisecond, o.PoolTimeout)
	require.Equal(t, -1, o.MaxRetries)
	require.Equal(t, 1, o.DialerRetries)
	require.True(t, o.ContextTimeoutEnabled)
	_, err = RedisOptions("http://nope")
	require.Error(t, err)
}
