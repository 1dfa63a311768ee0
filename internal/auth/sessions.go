package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// SessionCookie holds the session id. The __Host- prefix makes browsers refuse it unless it is
// Secure, has Path=/ and no Domain: one comune's subdomain can neither read nor plant another's.
const SessionCookie = "__Host-carta_session"

// sessionIDLen is 32 random bytes in unpadded base64url.
const sessionIDLen = 43

// touchEvery limits how often a request rewrites its session to extend the idle timeout.
const touchEvery = time.Minute

// session is what Redis keeps for a session id.
type session struct {
	UserID   uuid.UUID `json:"uid"`
	TenantID uuid.UUID `json:"tid"` // uuid.Nil for the platform host
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"seen"`
	IP       string    `json:"ip"`
	UA       string    `json:"ua"`
}

// sessionStore keeps sessions in Redis under a hash of their id, so that reading Redis does
// not hand out usable cookies. Each user has a set of their session keys, so that a password
// change or the removal of the account ends them all.
type sessionStore struct {
	rdb      *redis.Client
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

func newSessionID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func validSessionID(id string) bool {
	if len(id) != sessionIDLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// sessionKeyID is the public name of a session: a hash of its id, safe to log and to show.
func sessionKeyID(id string) string {
	h := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func sessionKey(keyID string) string     { return "session:" + keyID }
func userSessionsKey(u uuid.UUID) string { return "user-sessions:" + u.String() }

// ttl is how long the session may still live: until it idles out or reaches its lifetime.
func (st *sessionStore) ttl(s *session, now time.Time) time.Duration {
	return min(st.idle, s.Created.Add(st.absolute).Sub(now))
}

// create stores a new session and returns its id, which only the cookie will ever carry.
func (st *sessionStore) create(ctx context.Context, s *session) (string, error) {
	now := st.now()
	s.Created, s.LastSeen = now, now
	id := newSessionID()
	keyID := sessionKeyID(id)
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	_, err = st.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, sessionKey(keyID), b, st.ttl(s, now))
		p.SAdd(ctx, userSessionsKey(s.UserID), keyID)
		p.Expire(ctx, userSessionsKey(s.UserID), st.absolute)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("session create: %w", err)
	}
	return id, nil
}

// load returns the live session with that id, or nil. The caller checks the tenant.
func (st *sessionStore) load(ctx context.Context, id string) (*session, error) {
	if !validSessionID(id) {
		return nil, nil
	}
	keyID := sessionKeyID(id)
	b, err := st.rdb.Get(ctx, sessionKey(keyID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session load: %w", err)
	}
	var s session
	if err := json.Unmarshal(b, &s); err != nil {
		_ = st.rdb.Del(ctx, sessionKey(keyID)).Err()
		return nil, nil
	}
	now := st.now()
	ttl := st.ttl(&s, now)
	if ttl <= 0 {
		return nil, st.destroyKey(ctx, s.UserID, keyID)
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		s.LastSeen = now
		if b, err := json.Marshal(&s); err == nil {
			// XX: a session revoked meanwhile must not come back to life.
			if err := st.rdb.SetArgs(ctx, sessionKey(keyID), b, redis.SetArgs{Mode: "XX", TTL: ttl}).Err(); err != nil && !errors.Is(err, redis.Nil) {
				return nil, fmt.Errorf("session touch: %w", err)
			}
		}
	}
	return &s, nil
}

// destroy ends the session with that id, if it exists.
func (st *sessionStore) destroy(ctx context.Context, id string) error {
	if !validSessionID(id) {
		return nil
	}
	keyID := sessionKeyID(id)
	b, err := st.rdb.GetDel(ctx, sessionKey(keyID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("session destroy: %w", err)
	}
	var s session
	if json.Unmarshal(b, &s) == nil {
		_ = st.rdb.SRem(ctx, userSessionsKey(s.UserID), keyID).Err()
	}
	return nil
}

func (st *sessionStore) destroyKey(ctx context.Context, userID uuid.UUID, keyID string) error {
	_, err := st.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, sessionKey(keyID))
		p.SRem(ctx, userSessionsKey(userID), keyID)
		return nil
	})
	return err
}

// revokeUser ends every session of a user.
func (st *sessionStore) revokeUser(ctx context.Context, userID uuid.UUID) error {
	set := userSessionsKey(userID)
	keys, err := st.rdb.SMembers(ctx, set).Result()
	if err != nil {
		return fmt.Errorf("sessions of %s: %w", userID, err)
	}
	del := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		del = append(del, sessionKey(k))
	}
	del = append(del, set)
	if err := st.rdb.Del(ctx, del...).Err(); err != nil {
		return fmt.Errorf("revoke sessions of %s: %w", userID, err)
	}
	return nil
}

// revokeUserOn ends the sessions of a user opened on the host of tenantID (uuid.Nil for the
// platform host) and leaves the others alone.
func (st *sessionStore) revokeUserOn(ctx context.Context, userID, tenantID uuid.UUID) error {
	set := userSessionsKey(userID)
	keys, err := st.rdb.SMembers(ctx, set).Result()
	if err != nil {
		return fmt.Errorf("sessions of %s: %w", userID, err)
	}
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = sessionKey(k)
	}
	vals, err := st.rdb.MGet(ctx, full...).Result()
	if err != nil {
		return fmt.Errorf("sessions of %s: %w", userID, err)
	}
	for i, v := range vals {
		b, ok := v.(string)
		if !ok {
			// Expired meanwhile: forget it from the set.
			_ = st.rdb.SRem(ctx, set, keys[i]).Err()
			continue
		}
		var s session
		if json.Unmarshal([]byte(b), &s) != nil || s.TenantID != tenantID {
			continue
		}
		if err := st.destroyKey(ctx, userID, keys[i]); err != nil {
			return fmt.Errorf("revoke session of %s: %w", userID, err)
		}
	}
	return nil
}
