package pagecache

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// subscriber holds the pub/sub subscription through which other replicas announce
// publications. Pub/sub delivers nothing to a subscriber that is not connected, so each
// (re)subscription forgets every remembered version: a replica cut off from Redis reloads
// them instead of serving an old version's pages until the TTL.
type subscriber struct {
	mu      sync.Mutex
	started bool
	closed  bool
	cancel  context.CancelFunc
	ps      *redis.PubSub // current subscription, closed by Close to unblock a read
	done    chan struct{}

	ready     chan struct{}
	readyOnce sync.Once

	minBackoff, maxBackoff, idle time.Duration
}

func (s *subscriber) init() {
	s.done = make(chan struct{})
	s.ready = make(chan struct{})
	s.minBackoff, s.maxBackoff, s.idle = 100*time.Millisecond, 5*time.Second, 15*time.Second
}

// Start runs the subscriber until ctx ends or Close; it returns at once. Without a Redis client
// it does nothing: publications are then only seen by this process (and by TTL elsewhere).
func (c *Cache) Start(ctx context.Context) error {
	if c.rdb == nil {
		return nil
	}
	c.sub.mu.Lock()
	defer c.sub.mu.Unlock()
	if c.sub.started || c.sub.closed {
		return nil
	}
	c.sub.started = true
	ctx, c.sub.cancel = context.WithCancel(ctx)
	go c.subscribe(ctx)
	return nil
}

// Ready is closed once the subscriber has subscribed for the first time.
func (c *Cache) Ready() <-chan struct{} { return c.sub.ready }

// Close stops the subscriber and waits for it. It does not close the Redis client.
func (c *Cache) Close() {
	s := &c.sub
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	started := s.started
	if s.cancel != nil {
		s.cancel()
	}
	if s.ps != nil {
		_ = s.ps.Close()
	}
	s.mu.Unlock()
	if started {
		<-s.done
	}
}

func (c *Cache) subscribe(ctx context.Context) {
	defer close(c.sub.done)
	backoff := c.sub.minBackoff
	quiet := false // after the first failure of a streak, retries log at debug level
	for ctx.Err() == nil {
		if c.listen(ctx, quiet) {
			backoff = c.sub.minBackoff
			quiet = false
		} else {
			quiet = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, c.sub.maxBackoff)
	}
}

// listen holds one subscription until it fails; it reports whether it had subscribed.
func (c *Cache) listen(ctx context.Context, quiet bool) (subscribed bool) {
	ps := c.rdb.Subscribe(ctx, c.opts.Channel)
	c.sub.mu.Lock()
	if c.sub.closed {
		c.sub.mu.Unlock()
		_ = ps.Close()
		return false
	}
	c.sub.ps = ps
	c.sub.mu.Unlock()
	defer func() {
		c.sub.mu.Lock()
		c.sub.ps = nil
		c.sub.mu.Unlock()
		_ = ps.Close()
	}()

	// Only once Redis confirms the subscription can no announcement be missed.
	for {
		m, err := ps.ReceiveTimeout(ctx, c.sub.idle)
		if err != nil {
			if ctx.Err() == nil {
				lvl := slog.LevelWarn
				if quiet {
					lvl = slog.LevelDebug
				}
				c.log.Log(ctx, lvl, "pagecache: cannot subscribe to publications", "channel", c.opts.Channel, "err", err)
			}
			return false
		}
		if _, ok := m.(*redis.Subscription); ok {
			break
		}
	}
	c.subscribed()

	for {
		m, err := ps.ReceiveTimeout(ctx, c.sub.idle)
		if err != nil {
			if ctx.Err() != nil {
				return true
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// A quiet channel: prove the connection is alive, or start over.
				if perr := ps.Ping(ctx); perr == nil {
					continue
				}
			}
			c.log.Warn("pagecache: lost the publications subscription, reconnecting", "err", err)
			return true
		}
		switch m := m.(type) {
		case *redis.Message:
			replica, ids, ok := parseAnnouncement(m.Payload)
			if ok && replica != c.replica && len(ids) > 0 {
				c.invalidate(ids)
			}
		case *redis.Subscription:
			// go-redis resubscribes by itself after a reconnect: messages may have been lost.
			if m.Kind == "subscribe" {
				c.subscribed()
			}
		}
	}
}

func (c *Cache) subscribed() {
	c.forgetVersions()
	c.subscriptions.Add(1)
	c.sub.readyOnce.Do(func() { close(c.sub.ready) })
}
