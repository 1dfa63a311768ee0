package main

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/testenv"
)

// lockedBuffer is written by the server goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// devListenAddr runs `carta dev` with args against the test database and returns the address
// it listened on and what it printed.
func devListenAddr(t *testing.T, env *testenv.Env, extra map[string]string, args ...string) (string, string) {
	t.Helper()
	vars := map[string]string{
		"DATABASE_URL": env.RuntimeURL, "REDIS_URL": env.RedisURL, "MIGRATE_DATABASE_URL": env.OwnerURL,
		"CARTA_DATA_DIR": t.TempDir(),
	}
	for k, v := range extra {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	var out lockedBuffer
	m := &Main{Getenv: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &lockedBuffer{},
		Listening: func(addr string) { addrc <- addr }}
	done := make(chan error, 1)
	go func() { done <- m.Dev(ctx, args) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		cancel()
		t.Fatalf("dev ended before listening: %v", err)
	case <-time.After(3 * time.Minute):
		t.Fatal("dev did not listen")
	}
	cancel()
	require.NoError(t, <-done)
	return addr, out.String()
}

// The development server holds demo accounts with one printed password: unless told
// otherwise it listens on loopback only, and says so.
func TestDevListensOnLoopbackUnlessToldOtherwise(t *testing.T) {
	env := testenv.Get(t)
	addr, out := devListenAddr(t, env, nil, "--port", "0")
	host, _, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	require.True(t, net.ParseIP(host).IsLoopback(), "dev listened on %s", addr)
	require.Contains(t, out, "raggiungibile solo da questo computer")

	addr, out = devListenAddr(t, env, nil, "--host", "0.0.0.0", "--port", "0")
	host, _, err = net.SplitHostPort(addr)
	require.NoError(t, err)
	require.True(t, net.ParseIP(host).IsUnspecified(), "dev listened on %s", addr)
	require.Contains(t, out, "raggiungibile da altri computer")

}
