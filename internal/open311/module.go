package open311

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/module"
	"github.com/cartasociale/carta/internal/web"
)

// Module is the Open311 GeoReport v2 endpoint over the complaints' Service, with the ente
// admin's page of API keys. Its API is mounted before the CSRF check: clients prove
// themselves with an API key.
func Module(p *module.Platform, svc *complaints.Service) *module.Module {
	keys := &Keys{DB: p.DB}
	return &module.Module{
		Name:         "open311",
		Templates:    Pages(),
		ErrorFormats: []web.ErrorOption{web.WithErrorFormat(Prefix, WriteError)},
		API: func(f fiber.Router) {
			Register(f, Deps{Complaints: svc, Keys: keys, DB: p.DB, Redis: p.Redis,
				SiteURL: p.Cfg.TenantURL, Test: p.Cfg.IsDev(), Log: p.Log})
		},
		Staff: func(r *access.Router) {
			RegisterStaff(r, AdminDeps{Keys: keys, Render: p.Render, Nav: p.Nav, SiteURL: p.Cfg.TenantURL})
		},
	}
}
