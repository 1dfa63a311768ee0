package app

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/admin"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/catalogio"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/open311"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/publication"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/staff"
	"github.com/cartasociale/carta/internal/tenant"
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
		Pages: []fs.FS{site.Templates, admin.Templates, auth.Pages(), staff.Templates,
			catalog.Templates, publication.Templates, catalogio.Templates, complaints.Pages(), open311.Pages(), quality.Pages()},
		Dev:       a.cfg.IsDev(),
		TenantURL: a.cfg.TenantURL,
		Log:       a.log,
	})
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	a.render = render

	// The page cache has a Redis client of its own with short timeouts and no retries: a dead
	// Redis must cost milliseconds, and the page is then served from memory or rendered.
	ropts, err := pagecache.RedisOptions(a.cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("page cache: %w", err)
	}
	pageRedis := redis.NewClient(ropts)
	a.closers = append(a.closers, func() { _ = pageRedis.Close() })
	a.pages = pagecache.New(pageRedis, pagecache.Options{Log: a.log, Registerer: a.metrics.reg})
	a.starters = append(a.starters, a.pages.Start)
	a.closers = append(a.closers, a.pages.Close)

	pubDeps := publication.Deps{
		DB: a.db, Log: a.log, Render: render,
		LoadDraft: catalog.LoadDraft, Completeness: catalog.Completeness,
		OnPublished: a.published,
	}
	sender, err := mail.NewSender(a.cfg, a.log)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	a.access, err = access.New(ctx, access.Deps{DB: a.db, Redis: a.redis, Log: a.log})
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	a.closers = append(a.closers, a.access.Close)

	// The accounts' Service works its own jobs (the e-mails carrying one-time links): it is
	// built first, the queue with its worker, then the queue is handed to it.
	a.auth = auth.New(auth.Deps{DB: a.db, Redis: a.redis, Render: render,
		Roles: a.access, RoleLabel: access.RoleLabel, Cfg: a.cfg, Log: a.log})
	complaintsSvc := complaints.New(complaints.Deps{DB: a.db, Tenants: a.tenants, SiteURL: a.cfg.TenantURL, Log: a.log})
	workers := append([]jobs.Registration{jobs.SendEmail(sender), auth.Workers(a.auth, sender),
		publication.Workers(publication.New(pubDeps))}, complaints.Workers(complaintsSvc, sender)...)
	a.jobs, err = jobs.NewWithOptions(a.pool, a.log, jobs.Options{Periodic: complaints.Periodic()}, workers...)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	a.auth.UseJobs(a.jobs)
	complaintsSvc.UseJobs(a.jobs)
	a.starters = append(a.starters, a.jobs.Start)
	a.stoppers = append(a.stoppers, a.jobs.Stop)
	a.routes = access.NewRegistry()

	pubDeps.Jobs = a.jobs
	pubDeps.Can = a.access.Can
	nav := func(c *fiber.Ctx) []web.NavItem {
		return web.ActivateNav(admin.NavFor(c.UserContext(), a.access.Can), c.Path())
	}
	pubDeps.Nav = nav
	a.publisher = publication.New(pubDeps)
	qualitySvc := quality.New(quality.Deps{DB: a.db, Redis: a.redis, Log: a.log})
	qualityPages := quality.HandlerDeps{Render: render, Redis: a.redis, Nav: nav, SiteURL: a.cfg.TenantURL, Log: a.log}
	siteDeps := site.Deps{Render: render, Tenants: a.tenants, DB: a.db, Log: a.log, Cfg: a.cfg, Cache: a.pages}

	return &wired{
		errorHandler: web.ErrorHandler(render, a.log, web.WithErrorFormat(open311.Prefix, open311.WriteError)),
		mount: func(f *fiber.App) {
			f.Use(web.SecurityHeaders())
			// Static files need no tenant: served before resolution, on any host.
			f.Get(web.StaticPrefix+"*", render.StaticHandler())
			// Browsers ask for /favicon.ico whatever the page declares.
			f.Get("/favicon.ico", func(c *fiber.Ctx) error {
				return c.Redirect(render.AssetURL("favicon.svg"), fiber.StatusMovedPermanently)
			})
			f.Use(a.resolver.Middleware())
			// The profile feeds the header and footer of pages that render (read lazily, so a
			// page served from the cache costs no database read).
			f.Use(web.LoadProfile(a.tenants))
			// Open311 clients prove themselves with an API key and send no CSRF token: the
			// endpoint ends every request under its prefix before the CSRF check.
			open311Keys := &open311.Keys{DB: a.db}
			open311.Register(f, open311.Deps{Complaints: complaintsSvc, Keys: open311Keys, DB: a.db, Redis: a.redis,
				SiteURL: a.cfg.TenantURL, Test: a.cfg.IsDev(), Log: a.log})
			// The rating block sits on cached pages, so it carries no CSRF token: its endpoint
			// checks the request's Origin instead, before the CSRF check.
			quality.RegisterRating(f, qualitySvc, qualityPages)
			// CSRF checks every unsafe method; GETs pass and set no cookie unless a form needs it.
			f.Use(web.CSRF())
			f.Use(a.auth.LoadSession())

			complaintPages := complaints.HandlerDeps{Render: render, Redis: a.redis, DB: a.db, Log: a.log, Can: a.access.Can, Nav: nav}
			complaints.RegisterSite(f, complaintsSvc, complaintPages)
			site.Register(f, siteDeps)
			quality.RegisterSite(f, qualitySvc, qualityPages)
			// The guida sintetica prints the questionnaire's address and QR code.
			cartapdf.Register(f, cartapdf.Deps{DB: a.db, Cfg: a.cfg, Log: a.log, Cache: a.pages,
				SurveyURL: func(t *tenant.Tenant) string {
					return strings.TrimSuffix(a.cfg.TenantURL(t.Slug), "/") + quality.PathSurvey
				}})

			staffArea := f.Group("/admin")
			a.auth.Register(staffArea) // login, logout, password reset, invitations: public
			staffArea.Use(a.auth.RequireLogin())
			r := access.NewRouter(staffArea, "/admin", a.access, a.routes)
			admin.Register(r, admin.Deps{Render: render, Tenants: a.tenants, DB: a.db, Log: a.log, Can: a.access.Can,
				OnProfileChanged: func(ctx context.Context, id uuid.UUID) { a.pages.Published(ctx, id) }})
			staff.Register(r, staff.Deps{
				Render: render, DB: a.db, Access: a.access, Accounts: a.auth, Tenants: a.tenants, Log: a.log,
				Nav: nav,
			})
			catalog.Register(r, catalog.Deps{Render: render, DB: a.db, Tenants: a.tenants, Log: a.log, Nav: nav,
				Preview: site.Preview(siteDeps), Can: a.access.Can})
			publication.Register(r, pubDeps)
			catalogio.Register(r, catalogio.Deps{Render: render, DB: a.db, Log: a.log, Nav: nav})
			complaints.RegisterStaff(r, complaintsSvc, complaintPages)
			quality.RegisterStaff(r, qualitySvc, qualityPages)
			open311.RegisterStaff(r, open311.AdminDeps{Keys: open311Keys, Render: render, Nav: nav, SiteURL: a.cfg.TenantURL})
		},
	}, nil
}

// published runs after a publication commits: every replica forgets the tenant's cached
// versions, and for an ambito those of its member comuni, whose pages show its services.
func (a *App) published(ctx context.Context, t *tenant.Tenant, version int) {
	ids := []uuid.UUID{t.ID}
	if t.IsAmbito() {
		members, err := a.tenants.Members(ctx, t.ID)
		if err != nil {
			a.log.ErrorContext(ctx, "listing an ambito's members after a publication", "ambito", t.Slug, "err", err)
		}
		for _, m := range members {
			ids = append(ids, m.ID)
		}
	}
	a.pages.Published(ctx, ids...)
	a.log.InfoContext(ctx, "carta published", "tenant", t.Slug, "version", version)
}
