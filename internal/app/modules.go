package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/admin"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/catalogio"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/module"
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

// modules builds the domain packages, each once, and wires what each declares in its
// module.Module: templates, workers and periodic jobs, error formats and routes. A new domain
// is one line of the list below (the role matrix stays in internal/access).
func (a *App) modules(ctx context.Context) (*wired, error) {
	render, err := web.NewRenderer(web.RendererOptions{Dev: a.cfg.IsDev(), TenantURL: a.cfg.TenantURL, Log: a.log})
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

	sender, err := mail.NewSender(a.cfg, a.log)
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	a.access, err = access.New(ctx, access.Deps{DB: a.db, Redis: a.redis, Log: a.log})
	if err != nil {
		return nil, fmt.Errorf("access: %w", err)
	}
	a.closers = append(a.closers, a.access.Close)
	p := &module.Platform{Cfg: a.cfg, DB: a.db, Redis: a.redis, Tenants: a.tenants, Log: a.log, Render: render,
		Mail: sender, Pages: a.pages, Can: a.access.Can,
		Nav: func(c *fiber.Ctx) []web.NavItem {
			return web.ActivateNav(admin.NavFor(c.UserContext(), a.access.Can), c.Path())
		}}

	// The accounts are the staff area's own machinery (login, sessions, invitations), not a
	// domain: the app mounts their routes around the staff area, the rest comes as a module.
	a.auth = auth.New(auth.Deps{DB: a.db, Redis: a.redis, Render: render,
		Roles: a.access, RoleLabel: access.RoleLabel, Cfg: a.cfg, Log: a.log})
	a.publisher = publication.New(publication.Deps{DB: a.db, Log: a.log, Render: render, Nav: p.Nav, Can: a.access.Can,
		LoadDraft: catalog.LoadDraft, Completeness: catalog.Completeness, OnPublished: a.published})
	complaintsSvc := complaints.New(complaints.Deps{DB: a.db, Tenants: a.tenants, SiteURL: a.cfg.TenantURL, Log: a.log})
	qualitySvc := quality.New(quality.Deps{DB: a.db, Redis: a.redis, Log: a.log, Complaints: complaintsSvc, Tenants: a.tenants,
		OnPublicChange: a.dropPages})
	// The service pages show the standards' last measured values, which quality keeps.
	citizenSite := site.NewModule(p, func(ctx context.Context, t *tenant.Tenant, owner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]site.Measured, error) {
		ms, err := qualitySvc.LatestMeasures(ctx, t, owner, ids)
		out := make(map[uuid.UUID]site.Measured, len(ms))
		for id, m := range ms {
			out[id] = site.Measured{Text: m.Text(), Met: m.MetLabel(), Period: m.Period()}
		}
		return out, err
	})

	// The order is the routes' order within each part (API, site, staff).
	mods := []*module.Module{
		auth.Module(a.auth, sender),
		complaints.Module(p, complaintsSvc),
		open311.Module(p, complaintsSvc),
		quality.Module(p, qualitySvc),
		citizenSite.Module,
		// The guida sintetica prints the questionnaire's address and QR code.
		cartapdf.Module(p, func(t *tenant.Tenant) string {
			return strings.TrimSuffix(a.cfg.TenantURL(t.Slug), "/") + quality.PathSurvey
		}),
		admin.Module(p, a.access, func(ctx context.Context, id uuid.UUID) { a.pages.Published(ctx, id) }),
		staff.Module(p, a.access, a.auth),
		catalog.Module(p, citizenSite.Preview),
		publication.Module(a.publisher),
		catalogio.Module(p),
	}

	workers := []jobs.Registration{jobs.SendEmail(sender)}
	var periodic []*river.PeriodicJob
	var errorFormats []web.ErrorOption
	for _, m := range mods {
		if m.Templates != nil {
			if err := render.AddPages(m.Templates); err != nil {
				return nil, fmt.Errorf("templates of %s: %w", m.Name, err)
			}
		}
		workers = append(workers, m.Workers...)
		periodic = append(periodic, m.Periodic...)
		errorFormats = append(errorFormats, m.ErrorFormats...)
	}
	a.jobs, err = jobs.NewWithOptions(a.pool, a.log, jobs.Options{Periodic: periodic}, workers...)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	for _, m := range mods {
		if m.UseJobs != nil {
			m.UseJobs(a.jobs)
		}
	}
	a.starters = append(a.starters, a.jobs.Start)
	a.stoppers = append(a.stoppers, a.jobs.Stop)
	a.routes = access.NewRegistry()

	return &wired{
		errorHandler: web.ErrorHandler(render, a.log, errorFormats...),
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
			// APIs whose clients prove themselves with a key and send no CSRF token end every
			// request under their prefix before the CSRF check.
			for _, m := range mods {
				if m.API != nil {
					m.API(f)
				}
			}
			// CSRF checks every unsafe method; GETs pass and set no cookie unless a form needs it.
			f.Use(web.CSRF())
			f.Use(a.auth.LoadSession())
			for _, m := range mods {
				if m.Site != nil {
					m.Site(f)
				}
			}

			staffArea := f.Group("/admin")
			a.auth.Register(staffArea) // login, logout, password reset, invitations: public
			staffArea.Use(a.auth.RequireLogin())
			r := access.NewRouter(staffArea, "/admin", a.access, a.routes)
			for _, m := range mods {
				if m.Staff != nil {
					m.Staff(r)
				}
			}
		},
	}, nil
}

// published runs after a publication commits: every replica forgets the tenant's cached
// versions, and for an ambito those of its member comuni, whose pages show its services.
func (a *App) published(ctx context.Context, t *tenant.Tenant, version int) {
	a.dropPages(ctx, t)
	a.log.InfoContext(ctx, "carta published", "tenant", t.Slug, "version", version)
}

// dropPages makes every replica forget t's cached pages, and for an ambito those of its
// member comuni, whose pages show its services.
func (a *App) dropPages(ctx context.Context, t *tenant.Tenant) {
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
}
