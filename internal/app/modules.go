package app

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/admin"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/staff"
	"github.com/cartasociale/carta/internal/web"
)

// wired is what the domain packages contribute to the HTTP application.
type wired struct {
	errorHandler fiber.ErrorHandler
	mount        func(f *fiber.App)
}

// modules builds the domain packages and says where their routes go.
func (a *App) modules(ctx context.Context) (*wired, error) {
	render, err := web.NewRenderer(web.RendererOptions{
		Pages:     []fs.FS{site.Templates, admin.Templates, auth.Pages(), staff.Templates},
		Dev:       a.cfg.IsDev(),
		TenantURL: a.cfg.TenantURL,
		Log:       a.log,
	})
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	a.render = render

	sender, err := mail.NewSender(a.cfg, a.log)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	a.jobs, err = jobs.New(a.pool, a.log, jobs.SendEmail(sender))
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	a.starters = append(a.starters, a.jobs.Start)
	a.stoppers = append(a.stoppers, a.jobs.Stop)

	a.access, err = access.New(ctx, access.Deps{DB: a.db, Redis: a.redis, Log: a.log})
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	a.closers = append(a.closers, a.access.Close)

	a.auth = auth.New(auth.Deps{DB: a.db, Redis: a.redis, Render: render, Jobs: a.jobs,
		Roles: a.access, Cfg: a.cfg, Log: a.log})
	a.routes = access.NewRegistry()

	return &wired{
		errorHandler: web.ErrorHandler(render, a.log),
		mount: func(f *fiber.App) {
			f.Use(web.SecurityHeaders())
			// Static files need no tenant: served before resolution, on any host.
			f.Get(web.StaticPrefix+"*", render.StaticHandler())
			// Browsers ask for /favicon.ico whatever the page declares.
			f.Get("/favicon.ico", func(c *fiber.Ctx) error {
				return c.Redirect(render.AssetURL("favicon.svg"), fiber.StatusMovedPermanently)
			})
			f.Use(a.resolver.Middleware())
			// The profile feeds every page's header and footer, error pages included.
			f.Use(web.LoadProfile(a.tenants))
			// CSRF checks every unsafe method; GETs pass and set no cookie unless a form needs it.
			f.Use(web.CSRF())
			f.Use(a.auth.LoadSession())

			site.Register(f, site.Deps{Render: render, Tenants: a.tenants, DB: a.db, Log: a.log, Cfg: a.cfg})

			staffArea := f.Group("/admin")
			a.auth.Register(staffArea) // login, logout, password reset, invitations: public
			staffArea.Use(a.auth.RequireLogin())
			r := access.NewRouter(staffArea, "/admin", a.access, a.routes)
			admin.Register(r, admin.Deps{Render: render, Tenants: a.tenants, DB: a.db, Log: a.log, Can: a.access.Can})
			staff.Register(r, staff.Deps{
				Render: render, DB: a.db, Access: a.access, Invite: a.auth.Invite, Tenants: a.tenants, Log: a.log,
				OnRemoved: func(ctx context.Context, userID uuid.UUID) {
					if err := a.auth.RevokeUserSessions(ctx, userID); err != nil {
						a.log.ErrorContext(ctx, "revoking sessions of a removed user", "user_id", userID, "err", err)
					}
				},
				Nav: func(c *fiber.Ctx) []web.NavItem {
					return web.ActivateNav(admin.NavFor(c.UserContext(), a.access.Can), c.Path())
				},
			})
		},
	}, nil
}
