package cartapdf

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/module"
	"github.com/cartasociale/carta/internal/tenant"
)

// Module serves the Carta and its guida sintetica as PDF on the citizen site; surveyURL is the
// address of a tenant's questionnaire, which the guida prints with its QR code.
func Module(p *module.Platform, surveyURL func(t *tenant.Tenant) string) *module.Module {
	d := Deps{DB: p.DB, Cfg: p.Cfg, Log: p.Log, Cache: p.Pages, SurveyURL: surveyURL}
	return &module.Module{Name: "cartapdf", Site: func(f fiber.Router) { Register(f, d) }}
}
