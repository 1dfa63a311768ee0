package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// limiter counts events per key in a fixed window in Redis, shared by every replica.
type limiter struct {
	rdb    *redis.Client
	name   string
	limit  int64
	window time.Duration
}

func (l limiter) key(k string) string { return "ratelimit:" + l.name + ":" + k }

// exceeded reports whether k has used up its events in the current window.
func (l limiter) exceeded(ctx context.Context, k string) (bool, error) {
	n, err := l.rdb.Get(ctx, l.key(k)).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", l.name, err)
	}
	return n >= l.limit, nil
}

// hit counts one event for k; the window starts with the first event.
func (l limiter) hit(ctx context.Context, k string) (int64, error) {
	var incr *redis.IntCmd
	_, err := l.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, l.key(k))
		p.ExpireNX(ctx, l.key(k), l.window)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rate limit %s: %w", l.name, err)
	}
	return incr.Val(), nil
}

// take counts one event for k and reports whether it is still within the limit.
func (l limiter) take(ctx context.Context, k string) (bool, error) {
	n, err := l.hit(ctx, k)
	return n <= l.limit, err
}

// clear forgets k's events (a success ends the count of failures). A failure to clear is
// logged by the caller's limiter at most: the window ends by itself.
func (l limiter) clear(ctx context.Context, k string) {
	_ = l.rdb.Del(ctx, l.key(k)).Err()
}
