// Package module is how a domain package plugs into the application: one Module per domain,
// built once from the Platform, declares everything the domain contributes — its templates,
// its River workers and periodic jobs, the error format of its API, and its routes on the
// public API, the citizen site and the staff area. internal/app lists the modules in one
// place and wires each part where it belongs; nothing else about a domain is central except
// the role matrix (internal/access), which stays one reviewed table.
//
// A module builds its Service once: the same value serves its HTML handlers, its API and its
// workers. Services that enqueue jobs in their transactions get the job client through
// UseJobs once it exists (the client needs every module's workers first).
package module

import (
	"context"
	"io/fs"
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Platform is what the application offers every module.
type Platform struct {
	Cfg     *config.Config
	DB      *tenant.DB
	Redis   *redis.Client
	Tenants *tenant.Store
	Log     *slog.Logger
	// Render renders every module's pages; a module's Templates are added to it before the
	// first request.
	Render *web.Renderer
	Mail   mail.Sender
	// Pages is the cache of rendered citizen pages.
	Pages *pagecache.Cache
	// Can tells whether the logged-in staff member holds a permission (to hide forms).
	Can func(ctx context.Context, p access.Perm) bool
	// Nav is the staff area's sidebar for the request.
	Nav func(*fiber.Ctx) []web.NavItem
}

// Module is what one domain contributes. Every field is optional.
type Module struct {
	Name string
	// Templates are the domain's pages ("complaints/inbox.html" → page "complaints/inbox").
	Templates fs.FS
	// Workers and Periodic are the domain's jobs, worked by the module's own Service.
	Workers  []jobs.Registration
	Periodic []*river.PeriodicJob
	// UseJobs hands the job client to the module's Service once it exists.
	UseJobs func(*jobs.Client)
	// ErrorFormats answer errors under an API's prefix in that API's format.
	ErrorFormats []web.ErrorOption
	// API mounts routes before the CSRF check and the staff session: clients that prove
	// themselves otherwise (an API key). Each must end every request under its prefix.
	API func(f fiber.Router)
	// Site mounts citizen routes (after CSRF and the session are loaded).
	Site func(f fiber.Router)
	// Staff mounts routes of the staff area (/admin, logged in), each with its permission.
	Staff func(r *access.Router)
}
