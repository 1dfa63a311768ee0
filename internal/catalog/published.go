package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// ErrNotPublished is returned when a tenant has published nothing yet.
var ErrNotPublished = apperr.New(apperr.NotFound, "La Carta dei Servizi non è ancora stata pubblicata.")

// CurrentVersion returns the number of the tenant's current published version (0: none). Row-
// level security lets a comune read its own and its ambito's, nobody else's.
func CurrentVersion(ctx context.Context, tx *tenant.Tx, tenantID uuid.UUID) (int, error) {
	st, err := tx.CartaStateGet(ctx, tenantID)
	if tenant.IsNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return int(st.PublishedVersion), nil
}

// LoadPublished returns version number of the tenant's Carta; 0 means the current one.
func LoadPublished(ctx context.Context, tx *tenant.Tx, tenantID uuid.UUID, number int) (*Carta, error) {
	if number == 0 {
		cur, err := CurrentVersion(ctx, tx, tenantID)
		if err != nil {
			return nil, err
		}
		if cur == 0 {
			return nil, ErrNotPublished
		}
		number = cur
	}
	row, err := tx.CartaVersionGet(ctx, db.CartaVersionGetParams{TenantID: tenantID, Number: int32(number)})
	if tenant.IsNoRows(err) {
		return nil, apperr.New(apperr.NotFound, fmt.Sprintf("La versione %d della Carta non esiste.", number))
	}
	if err != nil {
		return nil, err
	}
	return DecodeSnapshot(row.Snapshot)
}

// DecodeSnapshot reads a published version's JSON.
func DecodeSnapshot(b []byte) (*Carta, error) {
	var c Carta
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if c.Format != SnapshotFormat {
		return nil, fmt.Errorf("snapshot format %d not supported", c.Format)
	}
	return &c, nil
}

// LoadView returns what t's citizen site shows now: its current published Carta and, for a
// comune in an ambito, the ambito's. Run it in a transaction of t.
func LoadView(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant) (*View, error) {
	v := &View{}
	var err error
	if v.Own, err = LoadPublished(ctx, tx, t.ID, 0); err != nil && apperr.KindOf(err) != apperr.NotFound {
		return nil, err
	}
	if t.Ambito != nil {
		if v.Ambito, err = LoadPublished(ctx, tx, t.Ambito.ID, 0); err != nil && apperr.KindOf(err) != apperr.NotFound {
			return nil, err
		}
	}
	return v, nil
}

// VersionInfo describes a published version in the history.
type VersionInfo struct {
	Number      int
	PublishedAt time.Time
	Publisher   string
	Note        string
}

// Versions lists the tenant's published versions, newest first.
func Versions(ctx context.Context, tx *tenant.Tx, tenantID uuid.UUID) ([]VersionInfo, error) {
	rows, err := tx.CartaVersionList(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]VersionInfo, 0, len(rows))
	for _, r := range rows {
		out = append(out, VersionInfo{Number: int(r.Number), PublishedAt: r.PublishedAt, Publisher: r.PublisherLabel, Note: r.Note})
	}
	return out, nil
}
