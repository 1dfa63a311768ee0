// Package audit records every staff write in the tenant's audit trail — who, what, when, from
// where — inside the same transaction as the write, so a change and its record stand or fall
// together. The ente admin reads the trail from the staff area.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// Entry is one recorded action.
type Entry struct {
	Action     string         // dotted verb, e.g. "user.invite", "profile.update"
	ObjectType string         // e.g. "user"
	ObjectID   string         // e.g. the user's id
	Details    map[string]any // what changed, never a secret
}

// Record writes e in tx's tenant, taking the actor and origin from ctx. Without a logged-in
// staff member the actor is the label given by the CLI ("cli") or "system".
func Record(ctx context.Context, tx *tenant.Tx, e Entry) error {
	details, err := json.Marshal(e.Details)
	if err != nil {
		return fmt.Errorf("audit details: %w", err)
	}
	if e.Details == nil {
		details = []byte("{}")
	}
	var actorID *uuid.UUID
	label := actorLabel(ctx)
	if s := principal.StaffFrom(ctx); s != nil {
		id := s.UserID
		actorID = &id
		label = s.Email
	}
	o := principal.OriginFrom(ctx)
	return tx.AuditInsert(ctx, db.AuditInsertParams{
		ActorID: actorID, ActorLabel: label, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, Details: details, Ip: o.IP, UserAgent: truncate(o.UserAgent, 300),
	})
}

// Item is a recorded action as read back.
type Item struct {
	ID         int64
	At         time.Time
	Actor      string
	Action     string
	ObjectType string
	ObjectID   string
	Details    map[string]any
	IP         string
	UserAgent  string
}

// List returns up to limit entries of tx's tenant, newest first, older than beforeID when set.
func List(ctx context.Context, tx *tenant.Tx, limit int32, beforeID *int64) ([]Item, error) {
	rows, err := tx.AuditList(ctx, db.AuditListParams{Limit: limit, BeforeID: beforeID})
	if err != nil {
		return nil, err
	}
	out := make([]Item, 0, len(rows))
	for _, r := range rows {
		it := Item{ID: r.ID, At: r.At, Actor: r.ActorLabel, Action: r.Action, ObjectType: r.ObjectType,
			ObjectID: r.ObjectID, IP: r.Ip, UserAgent: r.UserAgent}
		_ = json.Unmarshal(r.Details, &it.Details)
		out = append(out, it)
	}
	return out, nil
}

type actorKey struct{}

// WithActorLabel names a non-human actor ("cli:tenant create", "system") for entries recorded
// under ctx without a logged-in staff member.
func WithActorLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, actorKey{}, label)
}

func actorLabel(ctx context.Context) string {
	if l, ok := ctx.Value(actorKey{}).(string); ok && l != "" {
		return l
	}
	return "system"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
