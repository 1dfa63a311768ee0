package app

import (
	"context"
	"time"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/tenant"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/demo"
)

// SeedDemo loads the demo comuni and accounts and publishes their demo Carte (development
// mode only).
func (a *App) SeedDemo(ctx context.Context, password string) ([]demo.Login, error) {
	logins, err := demo.Seed(ctx, a.tenants, a.db, a.demoAccounts(), password)
	if err != nil {
		return nil, err
	}
	publish := func(ctx context.Context, t *tenant.Tenant, note string) (*catalog.Carta, error) {
		return a.publisher.Publish(publication.AsActor(ctx, "demo"), t, note)
	}
	if err := demo.SeedCarte(ctx, a.tenants, a.db, publish); err != nil {
		return nil, err
	}
	return logins, nil
}

// SeedHistory gives the demo comuni a year of ratings, questionnaires and complaints up to
// now (once: a comune that has ratings keeps what it has), for the dashboard at `carta dev`.
func (a *App) SeedHistory(ctx context.Context) error {
	return demo.History(ctx, a.tenants, a.db, time.Now(), a.log)
}

// demoAccounts creates demo users through auth and grants roles through access.
type demoAccounts struct{ a *App }

func (d demoAccounts) EnsureDemoUser(ctx context.Context, email, name, password string) (uuid.UUID, error) {
	return d.a.auth.EnsureDemoUser(ctx, email, name, password)
}

func (d demoAccounts) Grant(ctx context.Context, userID uuid.UUID, role, domain string) error {
	return d.a.access.Grant(ctx, userID, role, domain)
}

func (a *App) demoAccounts() demo.Accounts { return demoAccounts{a} }
