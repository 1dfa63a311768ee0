package auth

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates
var templateFS embed.FS

// Pages returns the page templates of this package for web.RendererOptions.Pages
// ("auth/login", "auth/forgot", "auth/reset", "auth/invite").
func Pages() fs.FS {
	sub, err := fs.Sub(templateFS, "templates")
	if err != nil {
		panic(err)
	}
	return sub
}

// RoleChecker is what the Service needs of the role matrix; internal/access implements it.
type RoleChecker interface {
	// HasAnyRole tells whether a person may enter the staff area of a host: on a tenant's
	// host, whether they hold any role in that tenant (or in its oversight chain); on the
	// platform host (t == nil), whether they are a platform admin.
	HasAnyRole(ctx context.Context, userID uuid.UUID, t *tenant.Tenant) (bool, error)
	// GrantWith runs fn and gives userID roles in t (besides those they hold), in one
	// transaction of t: an error of fn grants nothing.
	GrantWith(ctx context.Context, t *tenant.Tenant, userID uuid.UUID, roles []string, fn func(tx *tenant.Tx) error) error
}

// Deps are what the Service needs.
type Deps struct {
	DB     *tenant.DB
	Redis  *redis.Client
	Render *web.Renderer
	// Jobs is the queue the e-mails go on; when the queue is built after the Service (it
	// works the Service's jobs), UseJobs gives it later.
	Jobs  Enqueuer
	Roles RoleChecker
	// RoleLabel names a role in Italian in invitations (the key itself when nil).
	RoleLabel func(role string) string
	Cfg       *config.Config
	Log       *slog.Logger
	// IdleTimeout ends a session unused for this long; DefaultIdleTimeout (capped at
	// Cfg.SessionTTL, the absolute lifetime) when zero.
	IdleTimeout time.Duration
}

// Limits of the login and reset pages.
const (
	DefaultIdleTimeout  = 2 * time.Hour
	MaxFailedLogins     = 5                // wrong passwords for one e-mail on one host ...
	LockDuration        = 15 * time.Minute // ... within this window lock it there until the window ends
	LoginFailureLimit   = 10               // failed logins per host and client IP ...
	LoginFailureWindow  = 10 * time.Minute // ... in this window, then 429
	LoginFailureLimitIP = 30               // failed logins per client IP on all hosts together, same window
	ForgotLimit         = 5                // reset requests per tenant and client IP ...
	ForgotWindow        = 15 * time.Minute // ... in this window
	ForgotPerEmail      = 3                // reset e-mails to one address per hour
	ResetValidity       = time.Hour
	InviteValidity      = 7 * 24 * time.Hour
)

// Service is the staff accounts' use cases and pages.
type Service struct {
	db        *tenant.DB
	render    *web.Renderer
	jobs      Enqueuer
	roles     RoleChecker
	roleLabel func(string) string
	cfg       *config.Config
	log       *slog.Logger
	sessions  *sessionStore

	loginFailures     limiter // per host and client IP
	loginFailuresByIP limiter // per client IP, all hosts
	loginFailuresFor  limiter // per e-mail and host: the lock
	forgotByIP        limiter
	forgotByEmail     limiter
}

// New builds the service.
func New(d Deps) *Service {
	idle := d.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	absolute := d.Cfg.SessionTTL
	idle = min(idle, absolute)
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return &Service{
		db: d.DB, render: d.Render, jobs: d.Jobs, roles: d.Roles, roleLabel: d.RoleLabel, cfg: d.Cfg, log: log,
		sessions:          &sessionStore{rdb: d.Redis, idle: idle, absolute: absolute, now: time.Now},
		loginFailures:     limiter{rdb: d.Redis, name: "login", limit: LoginFailureLimit, window: LoginFailureWindow},
		loginFailuresByIP: limiter{rdb: d.Redis, name: "login-ip", limit: LoginFailureLimitIP, window: LoginFailureWindow},
		loginFailuresFor:  limiter{rdb: d.Redis, name: "login-account", limit: MaxFailedLogins, window: LockDuration},
		forgotByIP:        limiter{rdb: d.Redis, name: "forgot-ip", limit: ForgotLimit, window: ForgotWindow},
		forgotByEmail:     limiter{rdb: d.Redis, name: "forgot-email", limit: ForgotPerEmail, window: time.Hour},
	}
}

// Public paths, relative to the /admin group.
const (
	pathLogin  = "/login"
	pathLogout = "/logout"
	pathForgot = "/password/dimenticata"
	pathReset  = "/password/nuova"
	pathInvite = "/invito"
)

// Register adds the public pages of the staff area to the /admin group: they are reachable
// without a login by design. Every POST also passes web.CSRF here, so that these forms stay
// protected even where the application forgot the global middleware.
func (s *Service) Register(admin fiber.Router) {
	csrf := web.CSRF()
	admin.Get(pathLogin, s.loginForm)
	admin.Post(pathLogin, csrf, s.login)
	admin.Post(pathLogout, csrf, s.logout)
	admin.Get(pathForgot, s.forgotForm)
	admin.Post(pathForgot, csrf, s.forgot)
	admin.Get(pathReset, s.resetForm)
	admin.Post(pathReset, csrf, s.reset)
	admin.Get(pathInvite, s.inviteForm)
	admin.Post(pathInvite, csrf, s.acceptInvite)
}

// PublicRoutes lists the routes Register adds, as "METHOD /admin/path", for the test that
// proves every other staff route has a permission.
func PublicRoutes() []string {
	var out []string
	for _, p := range []string{pathLogin, pathForgot, pathReset, pathInvite} {
		out = append(out, "GET /admin"+p, "HEAD /admin"+p, "POST /admin"+p)
	}
	return append(out, "POST /admin"+pathLogout)
}

// tenantKey names the request's host in rate-limit keys.
func tenantKey(t *tenant.Tenant) string {
	if t == nil {
		return "platform"
	}
	return t.ID.String()
}

func tenantID(t *tenant.Tenant) uuid.UUID {
	if t == nil {
		return uuid.Nil
	}
	return t.ID
}

// baseURL is the absolute address of the host of t (the platform's admin host when nil), for
// links in e-mails.
func (s *Service) baseURL(t *tenant.Tenant) string {
	if t != nil {
		return s.cfg.TenantURL(t.Slug)
	}
	host := "admin." + s.cfg.BaseDomain
	if s.cfg.PublicPort != "" {
		host += ":" + s.cfg.PublicPort
	}
	return s.cfg.PublicScheme + "://" + host
}

// LoadSession turns a valid session cookie into a principal.Staff in c.UserContext(). A
// session opened on another host (another tenant, or the platform) is ignored: sessions are
// bound to the tenant they were opened on. Without a valid session the request goes on
// anonymous; RequireLogin decides whether that is enough.
func (s *Service) LoadSession() fiber.Handler {
	return func(c *fiber.Ctx) error {
		id := c.Cookies(SessionCookie)
		if id == "" {
			return c.Next()
		}
		ctx := c.UserContext()
		sess, err := s.sessions.load(ctx, id)
		if err != nil {
			if isAdminPath(c.Path()) {
				return apperr.Wrap(apperr.Unavailable, "L'accesso all'area riservata non è al momento disponibile: riprova tra qualche minuto.", err)
			}
			s.log.WarnContext(ctx, "session store unavailable", "err", err)
			return c.Next()
		}
		if sess == nil || sess.TenantID != tenantID(tenant.FromContext(ctx)) {
			clearSessionCookie(c)
			return c.Next()
		}
		c.SetUserContext(principal.WithStaff(ctx, &principal.Staff{
			UserID: sess.UserID, Email: sess.Email, Name: sess.Name, SessionID: sessionKeyID(id),
		}))
		return c.Next()
	}
}

// RequireLogin lets the request through only with a logged-in staff member; otherwise it
// returns apperr.Unauthorized, which the error handler turns into a redirect to the login page
// for a GET.
func (s *Service) RequireLogin() fiber.Handler {
	return func(c *fiber.Ctx) error {
		if principal.StaffFrom(c.UserContext()) == nil {
			return apperr.New(apperr.Unauthorized, "Accedi all'area riservata per continuare.")
		}
		return c.Next()
	}
}

// RevokeUserSessions ends every session of a user, on every host: call it when an account is
// disabled (a password change does it by itself).
func (s *Service) RevokeUserSessions(ctx context.Context, userID uuid.UUID) error {
	return s.sessions.revokeUser(ctx, userID)
}

// RevokeTenantSessions ends the sessions a user opened on the host of t, and no other: call it
// when the person is removed from that tenant, which must not log them out of the others.
func (s *Service) RevokeTenantSessions(ctx context.Context, userID uuid.UUID, t *tenant.Tenant) error {
	return s.sessions.revokeUserOn(ctx, userID, tenantID(t))
}

// LockedOn reports whether logins with email are locked on the host of t now (too many wrong
// passwords there); the staff list shows it. A lock on another host is not told.
func (s *Service) LockedOn(ctx context.Context, t *tenant.Tenant, email string) (bool, error) {
	return s.loginFailuresFor.exceeded(ctx, accountKey(t, email))
}

func setSessionCookie(c *fiber.Ctx, id string) {
	// No Max-Age: the cookie dies with the browser, the server-side session ends sooner.
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: id, Path: "/", Secure: true, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, SessionOnly: true})
}

func clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", Secure: true, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(1, 0).UTC()})
}

func isAdminPath(p string) bool { return p == "/admin" || strings.HasPrefix(p, "/admin/") }

// safeNext accepts a "next" parameter only when it is a path of this host's staff area; the
// login and logout pages themselves are refused (no loop).
func safeNext(raw string) string {
	p := web.SafeNext(raw)
	if p == "" {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || !isAdminPath(u.Path) || u.Path == "/admin"+pathLogin || u.Path == "/admin"+pathLogout {
		return ""
	}
	return utils.CopyString(p)
}

// origin returns the client's address and agent, copied out of fiber's buffers.
func origin(c *fiber.Ctx) (ip, ua string) {
	ua = c.Get(fiber.HeaderUserAgent)
	if len(ua) > 300 {
		ua = ua[:300]
	}
	return utils.CopyString(c.IP()), utils.CopyString(ua)
}
