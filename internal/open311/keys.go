package open311

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Key is an API key as the ente admin sees it: never the key itself, which is shown once.
type Key struct {
	ID         uuid.UUID
	Label      string
	CreatedAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// keyPrefix marks the keys of this API, so that one found in a log or a repository is
// recognisable.
const keyPrefix = "o311_"

// msgLabel is the admin form's message for a missing or too long name.
const msgLabel = "Indica a chi o a quale applicazione è destinata la chiave (al massimo 200 caratteri)."

// Keys are a tenant's API keys: issued and revoked by its ente admin, checked on every POST.
type Keys struct {
	DB  *tenant.DB
	Now func() time.Time
}

func (k *Keys) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func hashKey(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

func fromRow(r db.Open311Key) Key {
	return Key{ID: r.ID, Label: r.Label, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt, LastUsedAt: r.LastUsedAt}
}

// Create issues a key for t named label and records it in the trail; the returned string is
// the key, which nobody can read again.
func (k *Keys) Create(ctx context.Context, t *tenant.Tenant, label string) (string, *Key, error) {
	label, msg := web.Text(label, 1, 200)
	if msg != "" || label == "" {
		return "", nil, apperr.InvalidFields(map[string]string{"label": msgLabel})
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	raw := keyPrefix + base64.RawURLEncoding.EncodeToString(b)
	var out Key
	err := k.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		r, err := tx.Open311KeyCreate(ctx, db.Open311KeyCreateParams{KeyHash: hashKey(raw), Label: label})
		if err != nil {
			return err
		}
		out = fromRow(r)
		return audit.Record(ctx, tx, audit.Entry{Action: "open311.key.create", ObjectType: "open311_key",
			ObjectID: r.ID.String(), ObjectName: label})
	})
	if err != nil {
		return "", nil, err
	}
	return raw, &out, nil
}

// List returns t's keys, the live ones first, newest first.
func (k *Keys) List(ctx context.Context, t *tenant.Tenant) ([]Key, error) {
	var out []Key
	err := k.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		rows, err := tx.Open311KeyList(ctx)
		for _, r := range rows {
			out = append(out, fromRow(r))
		}
		return err
	})
	return out, err
}

// Revoke ends a key of t at once; apperr.ErrNotFound for a key t has not, or has revoked.
func (k *Keys) Revoke(ctx context.Context, t *tenant.Tenant, id uuid.UUID) error {
	return k.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		r, err := tx.Open311KeyRevoke(ctx, db.Open311KeyRevokeParams{ID: id, Now: ptr(k.now())})
		if tenant.IsNoRows(err) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "open311.key.revoke", ObjectType: "open311_key",
			ObjectID: r.ID.String(), ObjectName: r.Label})
	})
}

// Errors of Check.
var (
	errNoKey  = apperr.New(apperr.Forbidden, "Manca la chiave API (api_key): chiedila all'ente.")
	errBadKey = apperr.New(apperr.Forbidden, "La chiave API non è valida o è stata revocata.")
)

// Check tells whether raw is a live key of t (marking it used); an apperr.Forbidden otherwise.
// A key of another tenant is unknown here: the lookup runs under t's row-level security.
func (k *Keys) Check(ctx context.Context, t *tenant.Tenant, raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return errNoKey
	}
	if !strings.HasPrefix(raw, keyPrefix) || len(raw) > 100 {
		return errBadKey
	}
	err := k.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		_, err := tx.Open311KeyUse(ctx, db.Open311KeyUseParams{KeyHash: hashKey(raw), Now: ptr(k.now())})
		return err
	})
	if tenant.IsNoRows(err) || errors.Is(err, apperr.ErrNotFound) {
		return errBadKey
	}
	return err
}

func ptr[T any](v T) *T { return &v }
