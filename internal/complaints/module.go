package complaints

import (
	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/module"

	"github.com/gofiber/fiber/v2"
)

// Module is the complaints' registration: the citizen form and follow pages, the staff inbox,
// the e-mails, deadlines, retention and protocol jobs, all over svc (built once, by the app,
// which hands the same Service to the Open311 API).
func Module(p *module.Platform, svc *Service) *module.Module {
	d := HandlerDeps{Render: p.Render, Redis: p.Redis, DB: p.DB, Log: p.Log, Can: p.Can, Nav: p.Nav}
	return &module.Module{
		Name:      "complaints",
		Templates: Pages(),
		Workers:   Workers(svc, p.Mail),
		Periodic:  Periodic(),
		UseJobs:   func(c *jobs.Client) { svc.UseJobs(c) },
		Site:      func(f fiber.Router) { RegisterSite(f, svc, d) },
		Staff:     func(r *access.Router) { RegisterStaff(r, svc, d) },
	}
}
