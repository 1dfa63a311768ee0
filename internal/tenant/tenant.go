// Package tenant owns the tenants of the platform — comuni and ambiti — their membership, their
// public profile, and the only path from application code to the database: DB.InTx, which runs
// a transaction with the tenant set for row-level security. It also resolves the tenant of a
// request from its Host header.
package tenant

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Kind tells a comune from an ambito.
type Kind string

const (
	KindComune Kind = "comune"
	KindAmbito Kind = "ambito"
)

// Status of a tenant: only active tenants serve pages.
type Status string

const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusArchived  Status = "archived"
)

// Tenant is a comune or an ambito.
type Tenant struct {
	ID        uuid.UUID
	Slug      string
	Kind      Kind
	Name      string // official name, e.g. "Comune di Cerveteri"
	IstatCode string
	IpaCode   string
	Status    Status
	CreatedAt time.Time

	// Ambito is the ambito a comune belongs to now (nil when none, and for an ambito).
	Ambito *Ref
	// IsCapofila is true for the lead comune of its ambito.
	IsCapofila bool
}

// Ref names another tenant.
type Ref struct {
	ID   uuid.UUID
	Slug string
	Name string
}

// IsAmbito reports whether t is an ambito.
func (t *Tenant) IsAmbito() bool { return t.Kind == KindAmbito }

// AmbitoID returns the id of the comune's ambito, or uuid.Nil.
func (t *Tenant) AmbitoID() uuid.UUID {
	if t.Ambito == nil {
		return uuid.Nil
	}
	return t.Ambito.ID
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$`)

// reservedSlugs are host labels the platform keeps for itself.
var reservedSlugs = map[string]bool{
	"admin": true, "www": true, "api": true, "static": true, "mail": true, "status": true,
	"platform": true, "assets": true,
}

// ValidSlug checks a subdomain label; the message is in Italian for the admin CLI and forms.
func ValidSlug(s string) (string, bool) {
	switch {
	case !slugRE.MatchString(s):
		return "Lo slug deve avere da 2 a 63 caratteri: lettere minuscole, cifre e trattini (non all'inizio né alla fine).", false
	case strings.Contains(s, "--"):
		return "Lo slug non può contenere due trattini consecutivi.", false
	case reservedSlugs[s]:
		return "Lo slug «" + s + "» è riservato alla piattaforma.", false
	}
	return "", true
}

type ctxKey struct{}

// WithTenant returns ctx carrying t.
func WithTenant(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the request's tenant, or nil on platform hosts.
func FromContext(ctx context.Context) *Tenant {
	t, _ := ctx.Value(ctxKey{}).(*Tenant)
	return t
}
