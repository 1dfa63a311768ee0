// Package audit records every staff write in the tenant's audit trail — who, what, when, from
// where — inside the same transaction as the write, so a change and its record stand or fall
// together. Each entry names its object and what changed as they were at write time, so it
// still reads right after a rename or a deletion. The ente admin reads the trail, in Italian,
// from the staff area.
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
	Action     string // dotted verb, e.g. "user.invite", "profile.update"; named in Groups
	ObjectType string // e.g. "user"
	ObjectID   string // e.g. the user's id
	// ObjectName is what the object is called now: a service's title, a user's e-mail, an
	// office's name. For a user acting on themselves (a login) it defaults to their e-mail.
	ObjectName string
	// Changes are the fields that changed (see Changes and Snapshot) or, for a create or a
	// delete, the main ones. Never a secret.
	Changes []Change
	Details map[string]any // more about the action, for whoever reads the database
}

// MaxObjectName bounds the recorded name of an object, in characters.
const MaxObjectName = 300

// Record writes e in tx's tenant, taking the actor and origin from ctx. Without a logged-in
// staff member the actor is the label given by the CLI ("cli") or "system".
func Record(ctx context.Context, tx *tenant.Tx, e Entry) error {
	details := []byte("{}")
	if e.Details != nil {
		var err error
		if details, err = json.Marshal(e.Details); err != nil {
			return fmt.Errorf("audit details: %w", err)
		}
	}
	changes := make([]Change, 0, len(e.Changes))
	for _, c := range e.Changes {
		if !secret(c.Field) {
			c.Before, c.After = Truncate(c.Before, MaxValue), Truncate(c.After, MaxValue)
			changes = append(changes, c)
		}
	}
	changesJSON, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("audit changes: %w", err)
	}
	var actorID *uuid.UUID
	label := actorLabel(ctx)
	if s := principal.StaffFrom(ctx); s != nil {
		id := s.UserID
		actorID = &id
		label = s.Email
		if e.ObjectName == "" && e.ObjectType == "user" && e.ObjectID == s.UserID.String() {
			e.ObjectName = s.Email
		}
	}
	o := principal.OriginFrom(ctx)
	return tx.AuditInsert(ctx, db.AuditInsertParams{
		ActorID: actorID, ActorLabel: label, Action: e.Action, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, ObjectName: Truncate(e.ObjectName, MaxObjectName), Changes: changesJSON,
		Details: details, Ip: o.IP, UserAgent: truncateBytes(o.UserAgent, 300),
	})
}

// Item is a recorded action as read back.
type Item struct {
	ID         int64
	At         time.Time
	Actor      string // the label recorded: the staff member's e-mail then, or "cli", "system"
	ActorID    *uuid.UUID
	ActorName  string // the staff member's name and e-mail now
	ActorEmail string
	Action     string
	ObjectType string
	ObjectID   string
	ObjectName string
	Changes    []Change
	Details    map[string]any
	IP         string
	UserAgent  string
}

// Filter selects entries of the trail; the zero Filter selects all.
type Filter struct {
	ActorID    *uuid.UUID // a staff member
	ActorLabel string     // or a non-human actor ("cli", "system"), by label
	Actions    []string   // any of these codes; nil for every action
	Since      *time.Time // at or after
	Until      *time.Time // before
	Before     int64      // entries older than this id (the page cursor), 0 for the newest
}

// List returns up to limit entries of tx's tenant, newest first, older than beforeID when set.
func List(ctx context.Context, tx *tenant.Tx, limit int32, beforeID *int64) ([]Item, error) {
	f := Filter{}
	if beforeID != nil {
		f.Before = *beforeID
	}
	return Search(ctx, tx, f, limit)
}

// Search returns up to limit entries of tx's tenant that f selects, newest first.
func Search(ctx context.Context, tx *tenant.Tx, f Filter, limit int32) ([]Item, error) {
	p := db.AuditListParams{Limit: limit, ActorID: f.ActorID, Actions: f.Actions, Since: f.Since, Until: f.Until}
	if f.Before > 0 {
		p.BeforeID = &f.Before
	}
	if f.ActorLabel != "" && f.ActorID == nil {
		p.ActorLabel = &f.ActorLabel
	}
	if f.Actions != nil && len(f.Actions) == 0 {
		return []Item{}, nil
	}
	rows, err := tx.AuditList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]Item, 0, len(rows))
	for _, r := range rows {
		it := Item{ID: r.ID, At: r.At, Actor: r.ActorLabel, ActorID: r.ActorID, ActorName: r.ActorName,
			ActorEmail: r.ActorEmail, Action: r.Action, ObjectType: r.ObjectType, ObjectID: r.ObjectID,
			ObjectName: r.ObjectName, IP: r.Ip, UserAgent: r.UserAgent}
		_ = json.Unmarshal(r.Details, &it.Details)
		_ = json.Unmarshal(r.Changes, &it.Changes)
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

// truncateBytes bounds s to n bytes without cutting a character.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
