package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// Purposes of one-time tokens (user_tokens.purpose).
const (
	purposeReset  = "reset"
	purposeInvite = "invite"
)

const tokenLen = 43 // 32 random bytes, unpadded base64url

// newToken returns a token for a link and the hash that is stored: the database never holds
// a usable link.
func newToken() (raw string, hash []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, hashToken(raw)
}

func hashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

func validTokenFormat(raw string) bool {
	if len(raw) != tokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(raw)
	return err == nil
}

// issueToken stores a token for userID in tx, valid for validity on the host of t.
func issueToken(ctx context.Context, tx *tenant.Tx, userID uuid.UUID, purpose string, t *tenant.Tenant, validity time.Duration) (string, error) {
	raw, hash := newToken()
	var tid *uuid.UUID
	if t != nil {
		id := t.ID
		tid = &id
	}
	err := tx.UserTokenCreate(ctx, db.UserTokenCreateParams{TokenHash: hash, UserID: userID, Purpose: purpose,
		InvitedTo: tid, ValidSeconds: int32(validity / time.Second)})
	if err != nil {
		return "", fmt.Errorf("issue %s token: %w", purpose, err)
	}
	return raw, nil
}

// liveToken returns the user of a token that exists for purpose, is unused, unexpired and was
// issued for the host of t; nil otherwise. The reason of a refusal is not told apart: the
// page says the link is not valid (any more) either way.
func liveToken(ctx context.Context, tx *tenant.Tx, raw, purpose string, t *tenant.Tenant) (*db.User, error) {
	if !validTokenFormat(raw) {
		return nil, nil
	}
	r, err := tx.UserTokenGet(ctx, db.UserTokenGetParams{TokenHash: hashToken(raw), Purpose: purpose})
	if tenant.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	tok := r.UserToken
	if tok.UsedAt != nil || !tok.ExpiresAt.After(time.Now()) || r.User.DisabledAt != nil {
		return nil, nil
	}
	if (tok.InvitedTo == nil) != (t == nil) || (t != nil && *tok.InvitedTo != t.ID) {
		return nil, nil
	}
	return &r.User, nil
}

// spendToken marks a live token used; false when another request spent it first.
func spendToken(ctx context.Context, tx *tenant.Tx, raw, purpose string) (bool, error) {
	n, err := tx.UserTokenUse(ctx, db.UserTokenUseParams{TokenHash: hashToken(raw), Purpose: purpose})
	return n == 1, err
}
