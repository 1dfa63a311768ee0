// Package quality collects what citizens say of the service: the rating block at the foot of
// every citizen page (stars and the follow-up question of the national site model) and the
// satisfaction questionnaire, answered online on the tenant's site or typed in by staff from
// the paper form of the guida sintetica. Nothing stored says who rated or answered: the "once
// per visitor per day" limits are keyed hashes in Redis that expire with the day.
//
// The Service has no Fiber import; handlers.go and the pages adapt it to HTTP. The store alone
// calls the Quality* queries.
package quality

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// Deps are what the Service needs.
type Deps struct {
	DB *tenant.DB
	// Redis holds the once-per-day marks; without it (nil) nothing limits repeats.
	Redis *redis.Client
	Log   *slog.Logger
	// Now is the clock (time.Now when nil): tests move it.
	Now func() time.Time
	// Complaints gives the complaints' figures of a period (complaints.Service), for the
	// indicators.
	Complaints interface {
		Figures(ctx context.Context, t *tenant.Tenant, from, until time.Time) (*complaints.PeriodFigures, error)
	}
	// OnPublicChange runs after a change the citizen pages show (a standard's measured value):
	// the app drops the tenant's cached pages, and its members' for an ambito.
	OnPublicChange func(ctx context.Context, t *tenant.Tenant)
	// Tenants finds an ambito's members, for its dashboard.
	Tenants interface {
		ByID(ctx context.Context, id uuid.UUID) (*tenant.Tenant, error)
		Members(ctx context.Context, ambitoID uuid.UUID) ([]tenant.Member, error)
	}
}

// Service is the quality use cases.
type Service struct {
	d      Deps
	public comparisonCache // the indicators' open data (indicators.go)
}

// New builds the Service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// Visitor is who sends a rating or a questionnaire, as far as the daily limit needs: used only
// to make the expiring mark in Redis, never stored.
type Visitor struct{ IP, UserAgent string }

// today is the Service's current day in Italian time.
func (s *Service) today() time.Time {
	t := s.d.Now().In(itlang.Rome)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, itlang.Rome)
}

// shown loads what t's citizen site shows (nil when nothing is published).
func shown(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant) (*catalog.Shown, error) {
	v, err := catalog.LoadView(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	return v.Shown(), nil
}

// shownService is the service at slug among those t's site shows, or apperr.ErrNotFound.
func shownService(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, slug string) (*catalog.ShownService, error) {
	sh, err := shown(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	if sh == nil {
		return nil, apperr.ErrNotFound
	}
	svc := sh.ServiceBySlug(slug)
	if svc == nil {
		return nil, apperr.ErrNotFound
	}
	return svc, nil
}
