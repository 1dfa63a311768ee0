package staff_test

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/staff"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type fixture struct {
	t   *testing.T
	env *testenv.Env
	enf *access.Enforcer
	app *fiber.App
	reg *access.Registry

	mu      sync.Mutex
	removed [][2]uuid.UUID // user, tenant of each RevokeTenantSessions
}

// Test headers standing in for the tenant resolver and the login session.
const (
	hdrTenant = "X-Test-Tenant"
	hdrUser   = "X-Test-User"
)

// accounts is the real auth.Service, with two things a test needs to see: an invitation to a
// "rifiuta-" address fails after the account and the invitation were written (to prove the
// section's transaction takes them back), and the sessions revoked are recorded.
type accounts struct {
	*auth.Service
	f *fixture
}

func (a accounts) Invite(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, email, name string, roles []string) (auth.Invitation, error) {
	inv, err := a.Service.Invite(ctx, tx, t, email, name, roles)
	if err == nil && strings.HasPrefix(email, "rifiuta") {
		return auth.Invitation{}, apperr.InvalidFields(map[string]string{"email": "Questo indirizzo non può ricevere inviti."})
	}
	return inv, err
}

func (a accounts) RevokeTenantSessions(ctx context.Context, userID uuid.UUID, t *tenant.Tenant) error {
	a.f.mu.Lock()
	a.f.removed = append(a.f.removed, [2]uuid.UUID{userID, t.ID})
	a.f.mu.Unlock()
	return a.Service.RevokeTenantSessions(ctx, userID, t)
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := testenv.Get(t)
	enf, err := access.New(context.Background(), access.Deps{DB: env.DB, Redis: env.Redis, Log: quiet})
	require.NoError(t, err)
	t.Cleanup(enf.Close)
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{staff.Templates}, Dev: true, Log: quiet})
	require.NoError(t, err)

	f := &fixture{t: t, env: env, enf: enf, reg: access.NewRegistry()}
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	app.Use(func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		if slug := c.Get(hdrTenant); slug != "" {
			tn, err := env.Tenants.BySlug(ctx, slug)
			if err != nil {
				return err
			}
			ctx = tenant.WithTenant(ctx, tn)
		}
		if id := c.Get(hdrUser); id != "" {
			ctx = principal.WithStaff(ctx, &principal.Staff{UserID: uuid.MustParse(id), Email: "staff@example.it", Name: "Staff"})
		}
		c.SetUserContext(principal.WithOrigin(ctx, principal.Origin{IP: "192.0.2.7", UserAgent: "test"}))
		return c.Next()
	})
	admin := app.Group("/admin")
	owner, err := pgxpool.New(context.Background(), env.OwnerURL)
	require.NoError(t, err)
	require.NoError(t, jobs.Migrate(context.Background(), owner))
	owner.Close()
	queue, err := jobs.New(env.Runtime, quiet) // inserts only: the e-mails are auth's tests
	require.NoError(t, err)
	svc := auth.New(auth.Deps{DB: env.DB, Redis: env.Redis, Jobs: queue, Roles: enf, RoleLabel: access.RoleLabel, Cfg: env.Cfg, Log: quiet})
	staff.Register(access.NewRouter(admin, "/admin", enf, f.reg), staff.Deps{
		Render: r, DB: env.DB, Access: enf, Accounts: accounts{svc, f}, Log: quiet, Tenants: env.Tenants,
	})
	f.app = app
	return f
}

func (f *fixture) user(name string) uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	email := fmt.Sprintf("%s-%x@example.it", strings.ToLower(strings.ReplaceAll(name, " ", ".")), testenv.Uint64())
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(),
		`INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id`, email, name).Scan(&id))
	return id
}

func (f *fixture) grant(u uuid.UUID, role string, t *tenant.Tenant) {
	f.t.Helper()
	require.NoError(f.t, f.enf.Grant(context.Background(), u, role, t.ID.String()))
}

type resp struct {
	status   int
	body     string
	location string
}

func (f *fixture) do(method, target string, t *tenant.Tenant, as uuid.UUID, form url.Values) resp {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if t != nil {
		req.Header.Set(hdrTenant, t.Slug)
	}
	if as != uuid.Nil {
		req.Header.Set(hdrUser, as.String())
	}
	res, err := f.app.Test(req, -1)
	require.NoError(f.t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	return resp{res.StatusCode, string(b), res.Header.Get("Location")}
}

func (f *fixture) auditCount(t *tenant.Tenant, action string, object uuid.UUID) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = $2 AND object_id = $3`,
		t.ID, action, object.String()).Scan(&n))
	return n
}

func (f *fixture) storedRoles(u uuid.UUID, t *tenant.Tenant) []string {
	f.t.Helper()
	var roles []string
	require.NoError(f.t, f.env.DB.InTx(context.Background(), t.ID, func(tx *tenant.Tx) error {
		var err error
		roles, err = access.StoredRoles(context.Background(), tx, t, u)
		return err
	}))
	return roles
}

func TestEveryRouteIsGuarded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	require.Empty(t, access.Unguarded(f.app.GetRoutes(true), f.reg, "/admin", nil))
	require.Empty(t, access.Ungranted(f.reg))
	p, ok := f.reg.Lookup("GET", "/admin/utenti")
	require.True(t, ok)
	require.Equal(t, access.UsersRead, p)

	// The check itself notices a route added behind the router's back.
	f.app.Get("/admin/segreto", func(c *fiber.Ctx) error { return nil })
	require.Equal(t, []string{"GET /admin/segreto", "HEAD /admin/segreto"},
		access.Unguarded(f.app.GetRoutes(true), f.reg, "/admin", nil))
	require.Empty(t, access.Unguarded(f.app.GetRoutes(true), f.reg, "/admin", map[string]bool{"/admin/segreto": true}))
}

func TestListAndInvite(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := f.env.NewTenant(t, tenant.KindComune)
	admin := f.user("Maria Rossi")
	f.grant(admin, access.RoleEnteAdmin, c)
	editor := f.user("Luca Bianchi")
	f.grant(editor, access.RoleRedattore, c)
	f.grant(editor, access.RoleURP, c)

	r := f.do("GET", "/admin/utenti", c, admin, nil)
	require.Equal(t, 200, r.status, r.body)
	for _, s := range []string{"Maria Rossi", "Luca Bianchi", "Redattore, Ufficio Relazioni con il Pubblico (URP)",
		"Amministratore dell&#39;ente", "Account non ancora attivato", "Mai", `href="/admin/utenti/invita"`,
		`href="/admin/utenti/` + editor.String() + `"`} {
		require.Contains(t, r.body, s)
	}
	require.NotContains(t, r.body, "Inviti in attesa")

	r = f.do("GET", "/admin/utenti/invita", c, admin, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, "<legend")
	require.Contains(t, r.body, `<label for="f-role-responsabile">`)

	// Invalid: every field gets its message, nothing is written.
	r = f.do("POST", "/admin/utenti/invita", c, admin, url.Values{"email": {"non-una-mail"}, "name": {" "}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, `id="f-email-error">Inserisci un indirizzo email valido`)
	require.Contains(t, r.body, `id="f-name-error">Inserisci nome e cognome`)
	require.Contains(t, r.body, `id="f-roles-error">Scegli almeno un ruolo.`)
	require.Contains(t, r.body, `value="non-una-mail"`, "the input is shown again")
	r = f.do("POST", "/admin/utenti/invita", c, admin, url.Values{"email": {"a@example.it"}, "name": {"A"}, "roles": {"platform_admin"}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, "Uno dei ruoli scelti non esiste")

	// Valid: an invitation is stored and audited, the roles wait for the acceptance.
	email := fmt.Sprintf("nuova.persona-%x@example.it", testenv.Uint64())
	r = f.do("POST", "/admin/utenti/invita", c, admin, url.Values{
		"email": {strings.ToUpper(email)}, "name": {"Nuova Persona"},
		"roles": {access.RoleResponsabile, access.RoleRevisore, access.RoleResponsabile}})
	require.Equal(t, 303, r.status, r.body)
	require.Equal(t, "/admin/utenti", r.location)
	var id, invID uuid.UUID
	var roles []string
	require.NoError(t, f.env.Admin.QueryRow(ctx, `SELECT u.id, i.id, i.roles FROM users u JOIN invitations i ON i.user_id = u.id
		WHERE u.email = $1 AND i.tenant_id = $2`, email, c.ID).Scan(&id, &invID, &roles))
	require.Equal(t, []string{access.RoleResponsabile, access.RoleRevisore}, roles)
	require.Empty(t, f.storedRoles(id, c), "no role before the person accepts")
	require.Equal(t, 1, f.auditCount(c, "user.invite", invID))
	var details, ip string
	require.NoError(t, f.env.Admin.QueryRow(ctx,
		`SELECT details::text, ip FROM audit_log WHERE tenant_id = $1 AND action = 'user.invite' AND object_id = $2`,
		c.ID, invID.String()).Scan(&details, &ip))
	require.Contains(t, details, email)
	require.Contains(t, details, access.RoleRevisore)
	require.Equal(t, "192.0.2.7", ip)
	r = f.do("GET", "/admin/utenti", c, admin, nil)
	require.Contains(t, r.body, "Inviti in attesa")
	require.Contains(t, r.body, "Nuova Persona")
	require.Contains(t, r.body, `action="/admin/utenti/inviti/`+invID.String()+`/ritira"`)

	// Inviting someone who is already a member is refused next to the field.
	var editorEmail string
	require.NoError(t, f.env.Admin.QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, editor).Scan(&editorEmail))
	r = f.do("POST", "/admin/utenti/invita", c, admin, url.Values{"email": {editorEmail}, "name": {"X"}, "roles": {access.RoleURP}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, "fa già parte dell&#39;ente")

	// Inviting again replaces the open invitation.
	r = f.do("POST", "/admin/utenti/invita", c, admin, url.Values{"email": {email}, "name": {"Nuova Persona"}, "roles": {access.RoleURP}})
	require.Equal(t, 303, r.status, r.body)
	var open int
	require.NoError(t, f.env.Admin.QueryRow(ctx, `SELECT count(*) FROM invitations WHERE tenant_id = $1 AND user_id = $2
		AND accepted_at IS NULL AND revoked_at IS NULL`, c.ID, id).Scan(&open))
	require.Equal(t, 1, open)
}

// TestInvitingAPersonOfAnotherTenant: the inviting tenant learns nothing of the account (its
// own name, its logins and locks elsewhere), and grants nothing until the person accepts.
func TestInvitingAPersonOfAnotherTenant(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	home := f.env.NewTenant(t, tenant.KindComune)
	c := f.env.NewTenant(t, tenant.KindComune)
	admin := f.user("Admin Che Invita")
	f.grant(admin, access.RoleEnteAdmin, c)
	person := f.user("Vero Nome Riservato")
	f.grant(person, access.RoleRedattore, home)
	var email string
	require.NoError(t, f.env.Admin.QueryRow(ctx, `UPDATE users SET last_login_at = now() WHERE id = $1 RETURNING email`, person).Scan(&email))
	require.NoError(t, f.env.DB.InTx(principal.WithStaff(ctx, &principal.Staff{UserID: person}), home.ID, func(tx *tenant.Tx) error {
		return audit.Record(principal.WithStaff(ctx, &principal.Staff{UserID: person}), tx,
			audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: person.String()})
	}))

	r := f.do("POST", "/admin/utenti/invita", c, admin, url.Values{"email": {email}, "name": {"Nome Scritto Qui"}, "roles": {access.RoleURP}})
	require.Equal(t, 303, r.status, r.body)
	require.Empty(t, f.storedRoles(person, c))
	require.Equal(t, []string{access.RoleRedattore}, f.storedRoles(person, home))

	r = f.do("GET", "/admin/utenti", c, admin, nil)
	require.Contains(t, r.body, "Nome Scritto Qui")
	require.NotContains(t, r.body, "Vero Nome Riservato")
	require.Equal(t, 404, f.do("GET", "/admin/utenti/"+person.String(), c, admin, nil).status, "not a member yet")

	// Once a member (the roles an acceptance grants), the list shows their logins here only.
	f.grant(person, access.RoleURP, c)
	r = f.do("GET", "/admin/utenti", c, admin, nil)
	row := regexp.MustCompile(`(?s)<tr>\s*<th scope="row">Vero Nome Riservato.*?</tr>`).FindString(r.body)
	require.NotEmpty(t, row, r.body)
	require.Contains(t, row, "<td>Mai</td>", "a login on another tenant's host is not this tenant's business")
}

func TestWithdrawInvitation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	c := f.env.NewTenant(t, tenant.KindComune)
	other := f.env.NewTenant(t, tenant.KindComune)
	admin := f.user("Admin Ritira")
	f.grant(admin, access.RoleEnteAdmin, c)
	otherAdmin := f.user("Admin Altro")
	f.grant(otherAdmin, access.RoleEnteAdmin, other)
	email := fmt.Sprintf("da-ritirare-%x@example.it", testenv.Uint64())
	r := f.do("POST", "/admin/utenti/invita", c, admin, url.Values{"email": {email}, "name": {"Da Ritirare"}, "roles": {access.RoleURP}})
	require.Equal(t, 303, r.status, r.body)
	var invID uuid.UUID
	require.NoError(t, f.env.Admin.QueryRow(ctx, `SELECT id FROM invitations WHERE email = $1`, email).Scan(&invID))

	// Another tenant's admin cannot withdraw it.
	require.Equal(t, 404, f.do("POST", "/admin/utenti/inviti/"+invID.String()+"/ritira", other, otherAdmin, url.Values{}).status)
	r = f.do("POST", "/admin/utenti/inviti/"+invID.String()+"/ritira", c, admin, url.Values{})
	require.Equal(t, 303, r.status, r.body)
	var revoked *time.Time
	var live int
	require.NoError(t, f.env.Admin.QueryRow(ctx, `SELECT revoked_at FROM invitations WHERE id = $1`, invID).Scan(&revoked))
	require.NotNil(t, revoked)
	require.NoError(t, f.env.Admin.QueryRow(ctx, `SELECT count(*) FROM user_tokens WHERE invitation_id = $1 AND used_at IS NULL`, invID).Scan(&live))
	require.Zero(t, live, "the link stops working")
	require.Equal(t, 1, f.auditCount(c, "user.invite_revoke", invID))
	require.NotContains(t, f.do("GET", "/admin/utenti", c, admin, nil).body, "Da Ritirare")
	require.Equal(t, 404, f.do("POST", "/admin/utenti/inviti/"+invID.String()+"/ritira", c, admin, url.Values{}).status)
}

func TestInviteIsAtomic(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	admin := f.user("Admin Atomico")
	f.grant(admin, access.RoleEnteAdmin, c)
	// The invitation fails after creating the account and the invitation: the account, the
	// invitation, its job and the audit entry all stay out, and the message lands next to
	// its field.
	email := fmt.Sprintf("rifiuta-%x@example.it", testenv.Uint64())
	r := f.do("POST", "/admin/utenti/invita", c, admin, url.Values{"email": {email}, "name": {"Rifiutata"}, "roles": {access.RoleURP}})
	require.Equal(t, 422, r.status, r.body)
	require.Contains(t, r.body, `id="f-email-error">Questo indirizzo non può ricevere inviti.`)
	var n int
	require.NoError(t, f.env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email = $1`, email).Scan(&n))
	require.Zero(t, n)
	require.NoError(t, f.env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM invitations WHERE email = $1`, email).Scan(&n))
	require.Zero(t, n)
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'user.invite'`, c.ID).Scan(&n))
	require.Zero(t, n)
	require.Equal(t, []uuid.UUID{admin}, f.enf.UsersOf(c.ID.String()))
}

func TestLastAdminKeepsAdminRole(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	admin := f.user("Unica Admin")
	f.grant(admin, access.RoleEnteAdmin, c)

	r := f.do("POST", "/admin/utenti/"+admin.String(), c, admin, url.Values{"roles": {access.RoleRedattore}})
	require.Equal(t, 422, r.status, r.body)
	require.Contains(t, r.body, "Sei l&#39;unico amministratore dell&#39;ente")
	require.Equal(t, []string{access.RoleEnteAdmin}, f.storedRoles(admin, c))
	require.Zero(t, f.auditCount(c, "user.roles", admin))

	// Removing all roles is refused too (from the form: at least one role).
	r = f.do("POST", "/admin/utenti/"+admin.String(), c, admin, url.Values{})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, "Scegli almeno un ruolo")

	// Adding a role to oneself keeps the admin role: fine.
	r = f.do("POST", "/admin/utenti/"+admin.String(), c, admin, url.Values{"roles": {access.RoleEnteAdmin, access.RoleURP}})
	require.Equal(t, 303, r.status, r.body)
	require.Equal(t, []string{access.RoleEnteAdmin, access.RoleURP}, f.storedRoles(admin, c))
	require.Equal(t, 1, f.auditCount(c, "user.roles", admin))

	// With a second admin, the first may step down; then the list is closed to them.
	second := f.user("Seconda Admin")
	f.grant(second, access.RoleEnteAdmin, c)
	r = f.do("POST", "/admin/utenti/"+admin.String(), c, admin, url.Values{"roles": {access.RoleURP}})
	require.Equal(t, 303, r.status, r.body)
	require.Equal(t, "/admin", r.location)
	require.Equal(t, []string{access.RoleURP}, f.storedRoles(admin, c))
	require.Equal(t, 403, f.do("GET", "/admin/utenti", c, admin, nil).status)

	// And now the second is the last one.
	r = f.do("POST", "/admin/utenti/"+second.String(), c, second, url.Values{"roles": {access.RoleRevisore}})
	require.Equal(t, 422, r.status)
	require.Contains(t, r.body, "Sei l&#39;unico amministratore")
}

func TestRemove(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	other := f.env.NewTenant(t, tenant.KindComune)
	admin := f.user("Admin Rimuove")
	f.grant(admin, access.RoleEnteAdmin, c)
	u := f.user("Da Rimuovere")
	f.grant(u, access.RoleRedattore, c)
	f.grant(u, access.RoleURP, c)
	f.grant(u, access.RoleURP, other)

	r := f.do("GET", "/admin/utenti/"+u.String(), c, admin, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, `action="/admin/utenti/`+u.String()+`/rimuovi"`)
	require.Contains(t, r.body, `<input id="f-role-urp" type="checkbox" name="roles" value="urp" checked`)

	r = f.do("POST", "/admin/utenti/"+u.String()+"/rimuovi", c, admin, url.Values{})
	require.Equal(t, 303, r.status, r.body)
	require.Equal(t, "/admin/utenti", r.location)
	require.Empty(t, f.storedRoles(u, c))
	require.Empty(t, f.enf.RolesOf(u, c.ID.String()))
	require.Equal(t, []string{access.RoleURP}, f.storedRoles(u, other), "roles elsewhere stay")
	require.Equal(t, 1, f.auditCount(c, "user.remove", u))
	f.mu.Lock()
	require.Equal(t, [][2]uuid.UUID{{u, c.ID}}, f.removed, "only this tenant's sessions end")
	f.mu.Unlock()
	require.Equal(t, 404, f.do("GET", "/admin/utenti/"+u.String(), c, admin, nil).status, "no longer a member")

	// Nobody removes themselves.
	r = f.do("POST", "/admin/utenti/"+admin.String()+"/rimuovi", c, admin, url.Values{})
	require.Equal(t, 303, r.status)
	require.Equal(t, []string{access.RoleEnteAdmin}, f.storedRoles(admin, c))
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	admin := f.user("Admin Permessi")
	f.grant(admin, access.RoleEnteAdmin, c)
	editor := f.user("Redattore Permessi")
	f.grant(editor, access.RoleRedattore, c)

	for _, tc := range []struct{ method, path string }{
		{"GET", "/admin/utenti"}, {"GET", "/admin/utenti/invita"}, {"POST", "/admin/utenti/invita"},
		{"GET", "/admin/utenti/" + admin.String()}, {"POST", "/admin/utenti/" + admin.String()},
		{"POST", "/admin/utenti/" + admin.String() + "/rimuovi"},
		{"POST", "/admin/utenti/inviti/" + uuid.NewString() + "/ritira"},
	} {
		r := f.do(tc.method, tc.path, c, editor, url.Values{"roles": {access.RoleEnteAdmin}})
		require.Equal(t, 403, r.status, "%s %s", tc.method, tc.path)
		require.Contains(t, r.body, "Non hai i permessi per questa pagina.")
	}
	require.Equal(t, []string{access.RoleRedattore}, f.storedRoles(editor, c), "a redattore cannot promote themselves")

	// Not logged in: to the login page.
	r := f.do("GET", "/admin/utenti", c, uuid.Nil, nil)
	require.Equal(t, 303, r.status)
	require.True(t, strings.HasPrefix(r.location, "/admin/login"), r.location)
}

func TestOtherTenantsUsersAreInvisible(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.env.NewTenant(t, tenant.KindComune)
	b := f.env.NewTenant(t, tenant.KindComune)
	adminA := f.user("Admin A")
	f.grant(adminA, access.RoleEnteAdmin, a)
	userB := f.user("Utente B")
	f.grant(userB, access.RoleRedattore, b)
	adminB := f.user("Admin B")
	f.grant(adminB, access.RoleEnteAdmin, b)

	r := f.do("GET", "/admin/utenti", a, adminA, nil)
	require.Equal(t, 200, r.status)
	require.NotContains(t, r.body, "Utente B")
	require.NotContains(t, r.body, "Admin B")

	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/admin/utenti/" + userB.String(), nil},
		{"POST", "/admin/utenti/" + userB.String(), url.Values{"roles": {access.RoleEnteAdmin}}},
		{"POST", "/admin/utenti/" + userB.String() + "/rimuovi", url.Values{}},
		{"POST", "/admin/utenti/" + adminB.String(), url.Values{"roles": {access.RoleURP}}},
		{"GET", "/admin/utenti/non-un-id", nil},
		{"GET", "/admin/utenti/" + uuid.NewString(), nil},
	} {
		r := f.do(tc.method, tc.path, a, adminA, tc.form)
		require.Equal(t, 404, r.status, "%s %s", tc.method, tc.path)
		require.NotContains(t, r.body, "Utente B")
	}
	require.Equal(t, []string{access.RoleRedattore}, f.storedRoles(userB, b))
	require.Equal(t, []string{access.RoleEnteAdmin}, f.storedRoles(adminB, b))
	require.Empty(t, f.storedRoles(userB, a))

	// Admin of A cannot act on B's host either: no role there.
	require.Equal(t, 403, f.do("GET", "/admin/utenti/"+userB.String(), b, adminA, nil).status)
}
