package auth_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/mail/mailtest"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

// roleMap stands in for internal/access: who holds a role on which host (uuid.Nil is the
// platform host).
type roleMap struct {
	db      *tenant.DB
	mu      sync.Mutex
	m       map[[2]uuid.UUID]bool
	granted map[[2]uuid.UUID][]string
}

func (r *roleMap) grant(user uuid.UUID, t *tenant.Tenant) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tid := uuid.Nil
	if t != nil {
		tid = t.ID
	}
	r.m[[2]uuid.UUID{user, tid}] = true
}

// GrantWith runs fn in a transaction of t and, when it commits, grants the role here: the
// test cares that acceptance grants, not which roles (internal/access has those tests).
func (r *roleMap) GrantWith(ctx context.Context, t *tenant.Tenant, user uuid.UUID, roles []string, fn func(tx *tenant.Tx) error) error {
	if err := r.db.InTx(ctx, t.ID, fn); err != nil {
		return err
	}
	r.mu.Lock()
	r.granted[[2]uuid.UUID{user, t.ID}] = roles
	r.mu.Unlock()
	r.grant(user, t)
	return nil
}

// grantedAt returns the roles an acceptance gave user in t.
func (r *roleMap) grantedAt(user uuid.UUID, t *tenant.Tenant) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.granted[[2]uuid.UUID{user, t.ID}]
}

func (r *roleMap) HasAnyRole(_ context.Context, user uuid.UUID, t *tenant.Tenant) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tid := uuid.Nil
	if t != nil {
		tid = t.ID
	}
	return r.m[[2]uuid.UUID{user, tid}], nil
}

type harness struct {
	env   *testenv.Env
	svc   *auth.Service
	app   *fiber.App
	smtp  *mailtest.Server
	roles *roleMap
	jobs  *jobs.Client
}

var (
	hOnce sync.Once
	h     *harness
	hErr  error
)

// setup builds, once per package, the real stack: PostgreSQL and Redis from testenv, the River
// client working the e-mail queue into an SMTP server in this process, the renderer, the
// tenant resolver, CSRF and the auth pages.
func setup(t *testing.T) *harness {
	t.Helper()
	env := testenv.Get(t)
	hOnce.Do(func() { h, hErr = build(env) })
	require.NoError(t, hErr)
	return h
}

func build(env *testenv.Env) (*harness, error) {
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	if err := jobs.Migrate(ctx, owner); err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := mailtest.New() // lives for the whole package run
	if err != nil {
		return nil, err
	}
	sender, err := mail.NewSMTPSender(srv.SMTP())
	if err != nil {
		return nil, err
	}
	render, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{auth.Pages()}, Dev: true, Log: log})
	if err != nil {
		return nil, err
	}
	roles := &roleMap{db: env.DB, m: map[[2]uuid.UUID]bool{}, granted: map[[2]uuid.UUID][]string{}}
	svc := auth.New(auth.Deps{DB: env.DB, Redis: env.Redis, Render: render, Roles: roles, Cfg: env.Cfg, Log: log})
	jc, err := jobs.NewWithOptions(env.Runtime, log, jobs.Options{FetchPollInterval: 100 * time.Millisecond},
		jobs.SendEmail(sender), auth.Workers(svc, sender))
	if err != nil {
		return nil, err
	}
	svc.UseJobs(jc)
	if err := jc.Start(ctx); err != nil {
		return nil, err
	}

	app := fiber.New(fiber.Config{
		ErrorHandler:            web.ErrorHandler(render, log),
		EnableTrustedProxyCheck: true,
		TrustedProxies:          []string{"0.0.0.0"}, // app.Test's peer: tests choose the client IP
		ProxyHeader:             fiber.HeaderXForwardedFor,
	})
	resolver := tenant.NewResolver(env.Tenants, env.Cfg.BaseDomain)
	app.Use(resolver.Middleware(), web.SecurityHeaders(), web.LoadProfile(env.Tenants), svc.LoadSession(), web.CSRF())
	admin := app.Group("/admin")
	svc.Register(admin)
	admin.Get("/", svc.RequireLogin(), func(c *fiber.Ctx) error {
		return c.SendString("staff:" + principal.StaffFrom(c.UserContext()).Email)
	})
	admin.Get("/servizi", svc.RequireLogin(), func(c *fiber.Ctx) error { return c.SendString("servizi") })
	return &harness{env: env, svc: svc, app: app, smtp: srv, roles: roles, jobs: jc}, nil
}

const goodPassword = "una frase lunga e sicura 42"

// newUser creates an account with goodPassword and a role on each of the given hosts.
func (h *harness) newUser(t *testing.T, hosts ...*tenant.Tenant) (uuid.UUID, string) {
	t.Helper()
	email := "u-" + strings.ReplaceAll(uuid.NewString()[:13], "-", "") + "@example.it"
	id, err := h.svc.CreateUser(context.Background(), auth.CreateUserParams{Email: email, Name: "Persona di Prova", Password: goodPassword})
	require.NoError(t, err)
	for _, tn := range hosts {
		h.roles.grant(id, tn)
	}
	return id, email
}

func host(t *tenant.Tenant) string {
	if t == nil {
		return "admin.carta.test"
	}
	return t.Slug + ".carta.test"
}

// browser keeps cookies for one host, as a browser would, and comes from one client IP.
type browser struct {
	t       *testing.T
	h       *harness
	host    string
	ip      string
	cookies map[string]string
}

// ipSeq numbers the browsers' client IPs from a random start: the per-IP limits live in Redis
// for minutes, and a second run of the package must not find the first run's counts.
var ipSeq = func() *atomic.Uint32 {
	var n atomic.Uint32
	n.Store(rand.Uint32() & 0x00ffff00)
	return &n
}()

// browser returns a browser on the host of tn (the platform when nil), from an IP of its own so
// that tests do not share rate limits.
func (h *harness) browser(t *testing.T, tn *tenant.Tenant) *browser {
	n := ipSeq.Add(1)
	ip := fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
	return &browser{t: t, h: h, host: host(tn), ip: ip, cookies: map[string]string{}}
}

type response struct {
	Status    int
	Body      string
	Location  string
	SetCookie []string
}

func (b *browser) do(method, path string, form url.Values) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.Host = b.host
	req.Header.Set("X-Forwarded-For", b.ip)
	req.Header.Set("User-Agent", "auth-test")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.h.app.Test(req, -1)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	for _, c := range resp.Cookies() {
		if c.Value == "" || c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return response{Status: resp.StatusCode, Body: string(raw), Location: resp.Header.Get("Location"),
		SetCookie: resp.Header.Values("Set-Cookie")}
}

func (b *browser) get(path string) response { return b.do(http.MethodGet, path, nil) }

// post sends a form with the CSRF token the browser holds (fetching a page first if needed).
func (b *browser) post(path string, form url.Values) response {
	if _, ok := b.cookies[web.CSRFCookie]; !ok {
		r := b.get("/admin/login")
		require.Equal(b.t, fiber.StatusOK, r.Status)
	}
	form.Set(web.CSRFField, b.cookies[web.CSRFCookie])
	return b.do(http.MethodPost, path, form)
}

func (b *browser) login(email, password string) response {
	return b.post("/admin/login", url.Values{"email": {email}, "password": {password}})
}

// mustLogin logs in and checks that the staff area opens.
func (b *browser) mustLogin(email string) {
	b.t.Helper()
	r := b.login(email, goodPassword)
	require.Equal(b.t, fiber.StatusSeeOther, r.Status, r.Body)
	require.Equal(b.t, "/admin", r.Location)
	require.True(b.t, b.loggedIn(), "session works after login")
}

func (b *browser) loggedIn() bool {
	r := b.get("/admin/")
	return r.Status == fiber.StatusOK && strings.HasPrefix(r.Body, "staff:")
}
