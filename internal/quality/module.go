package quality

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/module"
)

// Module is quality's registration over svc: the rating endpoint (before the CSRF check: the
// rating block sits on cached pages and proves its origin instead), the questionnaire pages
// and the staff's pages.
func Module(p *module.Platform, svc *Service) *module.Module {
	d := HandlerDeps{Render: p.Render, Redis: p.Redis, Nav: p.Nav, SiteURL: p.Cfg.TenantURL, Log: p.Log, Can: p.Can}
	return &module.Module{
		Name:      "quality",
		Templates: Pages(),
		API:       func(f fiber.Router) { RegisterRating(f, svc, d) },
		Site:      func(f fiber.Router) { RegisterSite(f, svc, d) },
		Staff:     func(r *access.Router) { RegisterStaff(r, svc, d) },
	}
}
