package cartapdf

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/module"
)

// Module serves the Carta and its guida sintetica as PDF on the citizen site.
func Module(p *module.Platform) *module.Module {
	d := Deps{DB: p.DB, Cfg: p.Cfg, Log: p.Log, Cache: p.Pages}
	return &module.Module{Name: "cartapdf", Site: func(f fiber.Router) { Register(f, d) }}
}
