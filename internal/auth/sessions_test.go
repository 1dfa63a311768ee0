package auth

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/testenv"
)

func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx := context.Background()
	now := time.Now()
	st := &sessionStore{rdb: env.Redis, idle: 30 * time.Minute, absolute: 8 * time.Hour, now: func() time.Time { return now }}
	user := uuid.New()

	id, err := st.create(ctx, &session{UserID: user, Email: "a@example.it"})
	require.NoError(t, err)
	require.Len(t, id, sessionIDLen)
	key := sessionKey(sessionKeyID(id))
	require.InDelta(t, (30 * time.Minute).Seconds(), env.Redis.TTL(ctx, key).Val().Seconds(), 2)
	require.Zero(t, env.Redis.Exists(ctx, "session:"+id).Val(), "the raw id is never a key")

	// Activity pushes the idle deadline forward ...
	now = now.Add(20 * time.Minute)
	s, err := st.load(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, s)
	require.Equal(t, now.Unix(), s.LastSeen.Unix())

	// ... but never past the absolute lifetime.
	now = now.Add(7*time.Hour + 30*time.Minute)
	s, err = st.load(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, s)
	require.InDelta(t, (10 * time.Minute).Seconds(), env.Redis.TTL(ctx, key).Val().Seconds(), 2)
	now = now.Add(11 * time.Minute)
	s, err = st.load(ctx, id)
	require.NoError(t, err)
	require.Nil(t, s)
	require.Zero(t, env.Redis.Exists(ctx, key).Val())

	// Idle timeout is the key's TTL in Redis.
	short := &sessionStore{rdb: env.Redis, idle: time.Second, absolute: time.Hour, now: time.Now}
	id, err = short.create(ctx, &session{UserID: user})
	require.NoError(t, err)
	time.Sleep(1100 * time.Millisecond)
	s, err = short.load(ctx, id)
	require.NoError(t, err)
	require.Nil(t, s)

	// Malformed ids never reach Redis.
	s, err = st.load(ctx, "short")
	require.NoError(t, err)
	require.Nil(t, s)
}
