package quality

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/tenant"
)

// onceTimeout bounds the Redis round trips of the daily limit: a slow Redis must not hold a
// citizen's answer.
const onceTimeout = 500 * time.Millisecond

// once reports whether visitor v has not yet sent kind for subject on t's site on day, and
// marks it sent. The mark is an HMAC of the visitor's IP and user agent, the tenant, the
// subject and the day, keyed by a random secret of that day that lives only in Redis (shared
// by every replica, gone two days later): neither the database nor Redis ever holds the IP or
// user agent, and once the day's secret has expired no mark can be tied back to a visitor.
// Without Redis, or when it cannot be reached, the answer passes (logged): an outage must not
// turn citizens away.
func (s *Service) once(ctx context.Context, kind string, t *tenant.Tenant, subject string, day time.Time, v Visitor) (bool, error) {
	if s.d.Redis == nil {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, onceTimeout)
	defer cancel()
	date := day.Format(time.DateOnly)
	secret, err := s.daySecret(ctx, date)
	if err != nil {
		s.d.Log.WarnContext(ctx, "daily limit skipped: redis unreachable", "kind", kind, "tenant", t.Slug, "err", err)
		return true, nil
	}
	m := hmac.New(sha256.New, secret)
	for _, part := range []string{kind, t.ID.String(), subject, date, v.IP, v.UserAgent} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	key := "quality:once:{" + t.ID.String() + "}:" + kind + ":" + hex.EncodeToString(m.Sum(nil))
	// The mark outlives the day a little, whatever the time zone of the server.
	ttl := time.Until(day.AddDate(0, 0, 1)) + time.Hour
	if ttl < time.Hour {
		ttl = time.Hour
	}
	first, err := s.d.Redis.SetNX(ctx, key, "1", ttl).Result()
	if err != nil {
		s.d.Log.WarnContext(ctx, "daily limit skipped: redis unreachable", "kind", kind, "tenant", t.Slug, "err", err)
		return true, nil
	}
	return first, nil
}

// daySecret returns the secret of date, creating it when this is the day's first use.
func (s *Service) daySecret(ctx context.Context, date string) ([]byte, error) {
	key := "quality:secret:" + date
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := s.d.Redis.SetNX(ctx, key, b, 48*time.Hour).Err(); err != nil {
		return nil, err
	}
	got, err := s.d.Redis.Get(ctx, key).Bytes()
	if err == redis.Nil {
		return nil, err
	}
	return got, err
}
