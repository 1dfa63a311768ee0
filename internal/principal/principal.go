// Package principal carries who is acting — a logged-in staff member, or nobody — and where the
// request came from, through context.Context with typed accessors. It has no dependencies so
// that every layer (web rendering, audit, access control) can read it.
package principal

import (
	"context"

	"github.com/google/uuid"
)

// Staff is the logged-in staff member of the current request.
type Staff struct {
	UserID    uuid.UUID
	Email     string
	Name      string
	SessionID string // opaque, for logout and session listing; never logged in full
	// Roles this user holds in the request's tenant (and, for oversight, in its ambito),
	// filled by the access middleware; used for display only, never for decisions.
	Roles []string
}

// Origin is where a request came from, for the audit trail and rate limits.
type Origin struct {
	IP        string
	UserAgent string
	RequestID string
}

type staffKey struct{}
type originKey struct{}

// WithStaff returns ctx carrying s.
func WithStaff(ctx context.Context, s *Staff) context.Context {
	return context.WithValue(ctx, staffKey{}, s)
}

// StaffFrom returns the logged-in staff member, or nil.
func StaffFrom(ctx context.Context) *Staff {
	s, _ := ctx.Value(staffKey{}).(*Staff)
	return s
}

// WithOrigin returns ctx carrying o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns where the request came from (zero for CLI and jobs).
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
