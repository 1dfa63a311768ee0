package app

import (
	"context"

	"github.com/cartasociale/carta/internal/demo"
)

// SeedDemo loads the demo comuni and accounts (development mode only).
func (a *App) SeedDemo(ctx context.Context, password string) ([]demo.Login, error) {
	return demo.Seed(ctx, a.tenants, a.db, a.demoAccounts(), password)
}

func (a *App) demoAccounts() demo.Accounts { return nil }
