package site

import (
	"context"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/module"
	"github.com/cartasociale/carta/internal/tenant"
)

// Module is the citizen site: home, services, offices, the Carta and its versions, search.
// Its Preview renders a draft service for the catalogue's staff pages.
type Module struct {
	*module.Module
	Preview func(c *fiber.Ctx, svc catalog.Service, draft *catalog.Carta) error
}

// NewModule builds the citizen site's registration; measures gives the service pages the
// standards' last measured values (nil: "n.d.").
func NewModule(p *module.Platform, measures func(ctx context.Context, t *tenant.Tenant, owner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Measured, error)) *Module {
	d := Deps{Render: p.Render, Tenants: p.Tenants, DB: p.DB, Log: p.Log, Cfg: p.Cfg, Cache: p.Pages, Measures: measures}
	return &Module{
		Module:  &module.Module{Name: "site", Templates: Templates, Site: func(f fiber.Router) { Register(f, d) }},
		Preview: Preview(d),
	}
}
