package access

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// DefaultChannel is the Redis pub/sub channel on which replicas announce policy changes.
const DefaultChannel = "carta:casbin"

// Watcher tells the other replicas that the stored policy changed, over Redis pub/sub. A message
// carries only the sender's replica id: receivers reload the whole policy from the database,
// which is the one source of truth, so a lost or repeated message can only cost a reload.
//
// Pub/sub delivers nothing to a subscriber that is not connected, so every (re)subscription
// also triggers the callback: a replica that was cut off from Redis reloads as soon as it is
// back, instead of serving stale roles until the next change.
type Watcher struct {
	rdb     *redis.Client
	channel string
	replica string
	log     *slog.Logger

	mu     sync.Mutex
	cb     func(string)
	ps     *redis.PubSub // current subscription, closed by Close to unblock a read
	cancel context.CancelFunc
	done   chan struct{}
	closed bool

	// subscribed is closed after the first successful subscription (tests and startup).
	subscribed     chan struct{}
	subscribedOnce sync.Once
}

var _ persist.Watcher = (*Watcher)(nil)

// NewWatcher subscribes to channel and keeps the subscription alive until Close.
func NewWatcher(rdb *redis.Client, channel string, log *slog.Logger) *Watcher {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Watcher{
		rdb: rdb, channel: channel, replica: uuid.NewString(), log: log,
		cancel: cancel, done: make(chan struct{}), subscribed: make(chan struct{}),
	}
	go w.run(ctx)
	return w
}

// Replica is the id this watcher puts on its messages.
func (w *Watcher) Replica() string { return w.replica }

// Subscribed is closed once the watcher has subscribed for the first time.
func (w *Watcher) Subscribed() <-chan struct{} { return w.subscribed }

// SetUpdateCallback sets the function called when another replica changed the policy, or when
// this one (re)subscribed and may have missed a message. It must return quickly.
func (w *Watcher) SetUpdateCallback(cb func(string)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cb = cb
	return nil
}

// Update announces a policy change to the other replicas.
func (w *Watcher) Update() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return w.rdb.Publish(ctx, w.channel, w.replica).Err()
}

// Close stops the subscription; the callback is not called any more once Close returns.
func (w *Watcher) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.cancel()
	if w.ps != nil {
		_ = w.ps.Close()
	}
	w.mu.Unlock()
	<-w.done
}

func (w *Watcher) notify(msg string) {
	w.mu.Lock()
	cb, closed := w.cb, w.closed
	w.mu.Unlock()
	if cb != nil && !closed {
		cb(msg)
	}
}

const (
	watchReadTimeout = 15 * time.Second // then a ping proves the connection is alive
	watchMinBackoff  = 100 * time.Millisecond
	watchMaxBackoff  = 5 * time.Second
)

func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	backoff := watchMinBackoff
	for ctx.Err() == nil {
		if w.listen(ctx) {
			backoff = watchMinBackoff
		}
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, watchMaxBackoff)
	}
}

// listen holds one subscription until it fails; it reports whether it had subscribed.
func (w *Watcher) listen(ctx context.Context) (subscribed bool) {
	ps := w.rdb.Subscribe(ctx, w.channel)
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		_ = ps.Close()
		return false
	}
	w.ps = ps
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.ps = nil
		w.mu.Unlock()
		_ = ps.Close()
	}()

	// Wait for Redis to confirm the subscription: only then can no message be missed.
	for {
		m, err := ps.ReceiveTimeout(ctx, watchReadTimeout)
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("access: policy watcher cannot subscribe", "channel", w.channel, "err", err)
			}
			return false
		}
		if _, ok := m.(*redis.Subscription); ok {
			break
		}
	}
	w.subscribedOnce.Do(func() { close(w.subscribed) })
	w.notify("subscribed")

	for {
		m, err := ps.ReceiveTimeout(ctx, watchReadTimeout)
		if err != nil {
			if ctx.Err() != nil {
				return true
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Quiet channel: prove the connection is still there, or start over.
				if perr := ps.Ping(ctx); perr == nil {
					continue
				}
			}
			w.log.Warn("access: policy watcher lost its subscription, reconnecting", "err", err)
			return true
		}
		switch m := m.(type) {
		case *redis.Message:
			if m.Payload != w.replica {
				w.notify(m.Payload)
			}
		case *redis.Subscription:
			// After an internal reconnect go-redis subscribes again: we may have missed
			// messages in between.
			if m.Kind == "subscribe" {
				w.notify("subscribed")
			}
		}
	}
}
