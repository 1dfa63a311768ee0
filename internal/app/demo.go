package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/demo"
)

// SeedDemo loads the demo comuni and accounts (development mode only).
func (a *App) SeedDemo(ctx context.Context, password string) ([]demo.Login, error) {
	return demo.Seed(ctx, a.tenants, a.db, a.demoAccounts(), password)
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
