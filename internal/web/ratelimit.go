package web

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// MsgTooManyRequests is what a citizen reads when a form was sent too often.
const MsgTooManyRequests = "Hai inviato troppe richieste in poco tempo. Attendi qualche minuto e riprova."

// rateLimitTimeout bounds the Redis round trip: a slow Redis must not hold a citizen's form.
const rateLimitTimeout = 500 * time.Millisecond

// RateLimit limits the unsafe requests (POST, PUT, PATCH, DELETE) of one client to limit per
// window, counted in Redis with a fixed window per name, tenant and client IP, so that every
// replica shares the count. GET and HEAD pass uncounted. Past the limit the request ends with an
// apperr.TooMany error (429, MsgTooManyRequests) and a Retry-After header with the seconds
// left in the window. When Redis cannot be reached the request passes and a warning is
// logged: an outage must not stop a citizen filing a complaint.
//
// The key is "ratelimit:<name>:<tenant id or "platform">:<ip>"; the IP is the request origin's
// (set by the app from the trusted proxies' X-Forwarded-For), or fiber's c.IP() without one.
func RateLimit(rdb *redis.Client, name string, limit int, window time.Duration) fiber.Handler {
	if window < time.Second {
		window = time.Second
	}
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete:
		default:
			return c.Next()
		}
		ctx := c.UserContext()
		scope := "platform"
		if t := tenant.FromContext(ctx); t != nil {
			scope = t.ID.String()
		}
		// Copies only: fasthttp reuses the request's bytes once the handler returns.
		ip := principal.OriginFrom(ctx).IP
		if ip == "" {
			ip = strings.Clone(c.IP())
		}
		key := "ratelimit:" + name + ":" + scope + ":" + ip

		n, ttl, err := countHit(ctx, rdb, key, window)
		if err != nil {
			slog.Default().Warn("rate limit skipped: redis unreachable",
				"limiter", name, "tenant", scope, "err", err)
			return c.Next()
		}
		if n > int64(limit) {
			secs := int64((ttl + time.Second - 1) / time.Second)
			if secs < 1 || ttl <= 0 {
				secs = int64(window / time.Second)
			}
			c.Set(fiber.HeaderRetryAfter, strconv.FormatInt(secs, 10))
			return apperr.New(apperr.TooMany, MsgTooManyRequests)
		}
		return c.Next()
	}
}

// countHit counts one request under key, starting the window with the first one, and returns
// the count and the time left in the window. The three commands run as one transaction, so a
// key never lives without its expiry.
func countHit(ctx context.Context, rdb *redis.Client, key string, window time.Duration) (int64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, rateLimitTimeout)
	defer cancel()
	var incr *redis.IntCmd
	var ttl *redis.DurationCmd
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		incr = p.Incr(ctx, key)
		p.ExpireNX(ctx, key, window)
		ttl = p.PTTL(ctx, key)
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return incr.Val(), ttl.Val(), nil
}
