package pagecache

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions parses a Redis URL into options for the cache's own client, tuned to fail fast:
// go-redis's defaults (5 s timeouts, 3 command retries, 5 dial attempts) cost seconds per call
// against a Redis that is down, and every cache miss would wait for them. The cache is an
// accelerator, so a call that cannot finish in 200 ms is better given up. Use a separate client
// from the one that holds sessions, whose callers may prefer to wait.
func RedisOptions(url string) (*redis.Options, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("pagecache: redis url: %w", err)
	}
	const t = 200 * time.Millisecond
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = t, t, t, t
	o.MaxRetries = -1   // go-redis: -1, not 0, disables retries (0 means the default 3)
	o.DialerRetries = 1 // one dial attempt per connection (0 means the default 5)
	// Honour the per-call context deadline too (Options.RedisTimeout), whatever the socket
	// timeouts say.
	o.ContextTimeoutEnabled = true
	return o, nil
}
