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

// issueToken records a token for userID in tx, valid for validity on the host of t, and
// returns its id. It has no hash yet: the job that sends its e-mail writes one (armToken) and
// builds the link, so that neither this row nor the job's arguments ever hold a usable link.
func issueToken(ctx context.Context, tx *tenant.Tx, userID uuid.UUID, purpose string, t *tenant.Tenant, invitation *uuid.UUID, validity time.Duration) (uuid.UUID, error) {
	var tid *uuid.UUID
	if t != nil {
		id := t.ID
		tid = &id
	}
	id, err := tx.UserTokenCreate(ctx, db.UserTokenCreateParams{UserID: userID, Purpose: purpose,
		InvitedTo: tid, InvitationID: invitation, ValidSeconds: int32(validity / time.Second)})
	if err != nil {
		return uuid.Nil, fmt.Errorf("issue %s token: %w", purpose, err)
	}
	return id, nil
}

// armToken gives the live token id a fresh secret and returns it with the token; ok is false
// when the token was spent or has expired meanwhile (then there is nothing to send).
func armToken(ctx context.Context, tx *tenant.Tx, id uuid.UUID) (raw string, tok db.UserToken, ok bool, err error) {
	raw, hash := newToken()
	tok, err = tx.UserTokenArm(ctx, db.UserTokenArmParams{ID: id, TokenHash: hash})
	if tenant.IsNoRows(err) {
		return "", tok, false, nil
	}
	if err != nil {
		return "", tok, false, fmt.Errorf("arm token: %w", err)
	}
	return raw, tok, true, nil
}

// live is a usable token with its account.
type live struct {
	token db.UserToken
	user  db.User
}

// liveToken returns the token raw with its user when it exists for purpose, is unused,
// unexpired and was issued for the host of t; nil otherwise. The reason of a refusal is not
// told apart: the page says the link is not valid (any more) either way.
func liveToken(ctx context.Context, tx *tenant.Tx, raw, purpose string, t *tenant.Tenant) (*live, error) {
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
	return &live{token: tok, user: r.User}, nil
}

// spendToken marks a live token used; false when another request spent it first.
func spendToken(ctx context.Context, tx *tenant.Tx, raw, purpose string) (bool, error) {
	n, err := tx.UserTokenUse(ctx, db.UserTokenUseParams{TokenHash: hashToken(raw), Purpose: purpose})
	return n == 1, err
}
