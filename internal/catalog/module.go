package catalog

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/module"
)

// Module is the catalogue's staff pages (the draft Carta); preview renders a draft service as
// the citizen site would (site's Module provides it).
func Module(p *module.Platform, preview func(c *fiber.Ctx, svc Service, draft *Carta) error) *module.Module {
	d := Deps{Render: p.Render, DB: p.DB, Tenants: p.Tenants, Log: p.Log, Nav: p.Nav, Preview: preview, Can: p.Can}
	return &module.Module{Name: "catalog", Templates: Templates, Staff: func(r *access.Router) { Register(r, d) }}
}
