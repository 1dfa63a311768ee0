package auth_test

import (
	"context"
	"crypto/sha256"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

const sessionCookie = auth.SessionCookie

func TestCreateUser(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	_, email := h.newUser(t)

	_, err := h.svc.CreateUser(ctx, auth.CreateUserParams{Email: strings.ToUpper(email), Name: "Doppio", Password: goodPassword})
	e, ok := apperr.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, apperr.Conflict, e.Kind)
	require.Equal(t, "Esiste già un utente con questa email.", e.Message)

	_, err = h.svc.CreateUser(ctx, auth.CreateUserParams{Email: "non-una-email", Name: "", Password: "corta"})
	e, ok = apperr.As(err)
	require.True(t, ok)
	require.Equal(t, apperr.Invalid, e.Kind)
	require.Contains(t, e.Fields["email"], "indirizzo email valido")
	require.Contains(t, e.Fields["name"], "nome")
	require.Contains(t, e.Fields["password"], "almeno 12 caratteri")

	u, err := h.svc.UserByEmail(ctx, "  "+strings.ToUpper(email)+" ")
	require.NoError(t, err)
	require.Equal(t, email, u.Email)
	require.True(t, u.HasPassword)
	_, err = h.svc.UserByEmail(ctx, "nessuno@example.it")
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
}

func TestLoginSetsFreshHostOnlySessionCookie(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)
	b := h.browser(t, tn)

	page := b.get("/admin/login")
	require.Equal(t, fiber.StatusOK, page.Status)
	require.Contains(t, page.Body, `autocomplete="username"`)
	require.Contains(t, page.Body, `autocomplete="current-password"`)
	require.Contains(t, page.Body, `<label for="f-email"`)
	csrfBefore := b.cookies[web.CSRFCookie]
	require.NotEmpty(t, csrfBefore)
	require.Contains(t, page.Body, csrfBefore)

	r := b.login(email, goodPassword)
	require.Equal(t, fiber.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "/admin", r.Location)
	var set string
	for _, c := range r.SetCookie {
		if strings.HasPrefix(c, sessionCookie+"=") {
			set = c
		}
	}
	require.NotEmpty(t, set, "session cookie set")
	lower := strings.ToLower(set)
	for _, attr := range []string{"secure", "httponly", "samesite=lax", "path=/"} {
		require.Contains(t, lower, attr)
	}
	require.NotContains(t, lower, "domain=")
	require.Len(t, b.cookies[sessionCookie], 43)
	require.NotEqual(t, csrfBefore, b.cookies[web.CSRFCookie], "CSRF token rotated at login")
	require.True(t, b.loggedIn())

	// last_login_at is stamped and the login is in the tenant's audit trail.
	var n int
	require.NoError(t, h.env.Admin.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_id
		 WHERE a.tenant_id = $1 AND a.action = 'auth.login' AND u.email = $2 AND u.last_login_at IS NOT NULL`,
		tn.ID, email).Scan(&n))
	require.Equal(t, 1, n)
}

func TestSessionFixation(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)

	// An attacker plants a well-formed cookie value before the victim logs in.
	planted := strings.Repeat("A", 43)
	b := h.browser(t, tn)
	b.cookies[sessionCookie] = planted
	b.mustLogin(email)
	require.NotEqual(t, planted, b.cookies[sessionCookie])
	attacker := h.browser(t, tn)
	attacker.cookies[sessionCookie] = planted
	require.False(t, attacker.loggedIn())

	// Logging in again while logged in replaces the id; the old one stops working.
	first := b.cookies[sessionCookie]
	b.mustLogin(email)
	second := b.cookies[sessionCookie]
	require.NotEqual(t, first, second)
	old := h.browser(t, tn)
	old.cookies[sessionCookie] = first
	require.False(t, old.loggedIn(), "the pre-login session id no longer works")
}

func TestWrongPasswordGetsGenericError(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)
	b := h.browser(t, tn)

	wrong := b.login(email, "non è la password giusta")
	unknown := b.login("nessuno-"+email, goodPassword)
	for _, r := range []response{wrong, unknown} {
		require.Equal(t, fiber.StatusUnauthorized, r.Status)
		require.Contains(t, r.Body, "Email o password non corretti.")
		require.NotContains(t, strings.Join(r.SetCookie, "\n"), sessionCookie+"=")
	}
	require.Contains(t, wrong.Body, `value="`+email+`"`, "the e-mail is kept in the form")
	require.False(t, b.loggedIn())
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)
	b := h.browser(t, tn)

	for i := 1; i <= 4; i++ {
		r := b.login(email, "tentativo sbagliato numero")
		require.Contains(t, r.Body, "Email o password non corretti.", "attempt %d", i)
	}
	r := b.login(email, "tentativo sbagliato numero")
	require.Contains(t, r.Body, "temporaneamente bloccato", "the fifth failure locks")
	require.Contains(t, r.Body, `href="/admin/password/dimenticata"`)

	r = b.login(email, goodPassword)
	require.Equal(t, fiber.StatusUnauthorized, r.Status)
	require.Contains(t, r.Body, "temporaneamente bloccato", "locked even with the right password")
	require.False(t, b.loggedIn())

	var until time.Time
	require.NoError(t, h.env.Admin.QueryRow(ctx, "SELECT locked_until FROM users WHERE email = $1", email).Scan(&until))
	require.WithinDuration(t, time.Now().Add(auth.LockDuration), until, time.Minute)

	// When the lock has passed, the right password works and the counter starts again.
	_, err := h.env.Admin.Exec(ctx, "UPDATE users SET locked_until = now() - interval '1 second' WHERE email = $1", email)
	require.NoError(t, err)
	b.mustLogin(email)
	var failed int
	var locked *time.Time
	require.NoError(t, h.env.Admin.QueryRow(ctx, "SELECT failed_logins, locked_until FROM users WHERE email = $1", email).Scan(&failed, &locked))
	require.Zero(t, failed)
	require.Nil(t, locked)
}

func TestLoginRateLimitByIP(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)
	b := h.browser(t, tn)

	for i := 0; i < auth.LoginFailureLimit; i++ {
		r := b.login("sconosciuto-"+string(rune('a'+i))+"@example.it", goodPassword)
		require.Equal(t, fiber.StatusUnauthorized, r.Status)
	}
	r := b.login(email, goodPassword)
	require.Equal(t, fiber.StatusTooManyRequests, r.Status)
	require.Contains(t, r.Body, "Troppi tentativi")
	require.False(t, b.loggedIn())

	// Another network is not affected; the same network on another tenant neither.
	h.browser(t, tn).mustLogin(email)
	other := h.env.NewTenant(t, tenant.KindComune)
	h.roles.grant(mustID(t, h, email), other)
	ob := h.browser(t, other)
	ob.ip = b.ip
	ob.mustLogin(email)
}

func mustID(t *testing.T, h *harness, email string) uuid.UUID {
	u, err := h.svc.UserByEmail(context.Background(), email)
	require.NoError(t, err)
	return u.ID
}

func TestSessionIsBoundToItsTenant(t *testing.T) {
	t.Parallel()
	h := setup(t)
	a := h.env.NewTenant(t, tenant.KindComune)
	bTenant := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, a, bTenant)

	ba := h.browser(t, a)
	ba.mustLogin(email)

	// The same cookie value presented on B's host (a copied cookie) opens nothing there.
	bb := h.browser(t, bTenant)
	bb.cookies[sessionCookie] = ba.cookies[sessionCookie]
	r := bb.get("/admin/servizi")
	require.Equal(t, fiber.StatusSeeOther, r.Status)
	require.Equal(t, "/admin/login?next="+url.QueryEscape("/admin/servizi"), r.Location)
	// ... nor on the platform host.
	bp := h.browser(t, nil)
	bp.cookies[sessionCookie] = ba.cookies[sessionCookie]
	require.False(t, bp.loggedIn())
	// It still works on A.
	require.True(t, ba.loggedIn())
}

func TestLogout(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)
	b := h.browser(t, tn)
	b.mustLogin(email)
	sid := b.cookies[sessionCookie]

	// Without the CSRF token a cross-site form cannot log anyone out.
	r := b.do("POST", "/admin/logout", url.Values{})
	require.Equal(t, fiber.StatusForbidden, r.Status)
	require.True(t, b.loggedIn())

	csrf := b.cookies[web.CSRFCookie]
	r = b.post("/admin/logout", url.Values{})
	require.Equal(t, fiber.StatusSeeOther, r.Status)
	require.Equal(t, "/admin/login", r.Location)
	require.NotContains(t, b.cookies, sessionCookie)
	require.NotEqual(t, csrf, b.cookies[web.CSRFCookie], "CSRF token rotated at logout")
	page := b.get("/admin/login")
	require.Contains(t, page.Body, "Sei uscito dall&#39;area riservata.")

	replay := h.browser(t, tn)
	replay.cookies[sessionCookie] = sid
	require.False(t, replay.loggedIn(), "the session is gone server-side")
}

func TestRoleRequiredOnHost(t *testing.T) {
	t.Parallel()
	h := setup(t)
	a := h.env.NewTenant(t, tenant.KindComune)
	other := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, a)

	r := h.browser(t, other).login(email, goodPassword)
	require.Equal(t, fiber.StatusUnauthorized, r.Status)
	require.Contains(t, r.Body, "Email o password non corretti.")

	// The platform host admits platform admins only.
	r = h.browser(t, nil).login(email, goodPassword)
	require.Contains(t, r.Body, "Email o password non corretti.")
	id, admin := h.newUser(t)
	h.roles.grant(id, nil)
	h.browser(t, nil).mustLogin(admin)
}

func TestDisabledUserCannotLogIn(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)
	_, err := h.env.Admin.Exec(context.Background(), "UPDATE users SET disabled_at = now() WHERE email = $1", email)
	require.NoError(t, err)
	r := h.browser(t, tn).login(email, goodPassword)
	require.Equal(t, fiber.StatusUnauthorized, r.Status)
	require.Contains(t, r.Body, "Email o password non corretti.")
}

func TestNextParameter(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)
	for next, want := range map[string]string{
		"/admin/servizi?pagina=2":    "/admin/servizi?pagina=2",
		"https://evil.example/admin": "/admin",
		"//evil.example/admin":       "/admin",
		"/\\evil.example":            "/admin",
		"/servizi":                   "/admin",
		"/administrator":             "/admin",
		"/admin/logout":              "/admin",
	} {
		b := h.browser(t, tn)
		page := b.get("/admin/login?next=" + url.QueryEscape(next))
		require.Equal(t, fiber.StatusOK, page.Status)
		r := b.post("/admin/login", url.Values{"email": {email}, "password": {goodPassword}, "next": {next}})
		require.Equal(t, fiber.StatusSeeOther, r.Status, next)
		require.Equal(t, want, r.Location, next)
	}
}

var resetLink = regexp.MustCompile(`https?://([^/\s]+)(/admin/password/nuova\?token=([A-Za-z0-9_-]{43}))`)

func TestPasswordResetEndToEnd(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn)

	// A session open elsewhere, to be revoked by the reset.
	other := h.browser(t, tn)
	other.mustLogin(email)

	b := h.browser(t, tn)
	page := b.get("/admin/password/dimenticata")
	require.Equal(t, fiber.StatusOK, page.Status)
	r := b.post("/admin/password/dimenticata", url.Values{"email": {strings.ToUpper(email)}})
	require.Equal(t, fiber.StatusSeeOther, r.Status, r.Body)
	known := b.get(r.Location)
	require.Contains(t, known.Body, "Se l&#39;indirizzo è registrato, riceverai un&#39;email con le istruzioni.")

	// The same answer for an address without an account, and no mail for it.
	r = b.post("/admin/password/dimenticata", url.Values{"email": {"nessuno-" + email}})
	require.Equal(t, fiber.StatusSeeOther, r.Status)
	unknown := b.get(r.Location)
	require.Contains(t, unknown.Body, "Se l&#39;indirizzo è registrato, riceverai un&#39;email con le istruzioni.")
	var queued int
	require.NoError(t, h.env.Admin.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE args->'message'->>'to' = $1`,
		"nessuno-"+email).Scan(&queued))
	require.Zero(t, queued)

	// The mail goes through the job queue and the SMTP server.
	msg := h.smtp.WaitFor(t, email, 30*time.Second)
	require.Contains(t, msg.Subject, "Reimposta la password")
	require.Contains(t, msg.Subject, tn.Name)
	m := resetLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m, msg.Text)
	require.Equal(t, tn.Slug+".carta.test:8080", m[1])
	link, token := m[2], m[3]
	require.Contains(t, msg.HTML, token)

	// Only a hash of the token is stored.
	var stored []byte
	require.NoError(t, h.env.Admin.QueryRow(ctx, `SELECT t.token_hash FROM user_tokens t JOIN users u ON u.id = t.user_id
		WHERE u.email = $1 AND t.purpose = 'reset'`, email).Scan(&stored))
	sum := sha256.Sum256([]byte(token))
	require.Equal(t, sum[:], stored)

	form := b.get(link)
	require.Equal(t, fiber.StatusOK, form.Status)
	require.Contains(t, form.Body, `autocomplete="new-password"`)
	require.Contains(t, form.Body, email)

	r = b.post("/admin/password/nuova", url.Values{"token": {token}, "password": {"una nuova frase segreta"}, "password_confirm": {"un'altra cosa ancora"}})
	require.Equal(t, fiber.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Le due password non coincidono.")
	r = b.post("/admin/password/nuova", url.Values{"token": {token}, "password": {"corta"}, "password_confirm": {"corta"}})
	require.Equal(t, fiber.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "almeno 12 caratteri")

	const newPassword = "una nuova frase segreta"
	r = b.post("/admin/password/nuova", url.Values{"token": {token}, "password": {newPassword}, "password_confirm": {newPassword}})
	require.Equal(t, fiber.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "/admin/login", r.Location)
	require.Contains(t, b.get("/admin/login").Body, "La password è stata aggiornata")

	require.False(t, other.loggedIn(), "sessions opened with the old password are revoked")
	require.Equal(t, fiber.StatusUnauthorized, b.login(email, goodPassword).Status)
	r = b.login(email, newPassword)
	require.Equal(t, fiber.StatusSeeOther, r.Status)

	// Single use.
	again := h.browser(t, tn)
	g := again.get(link)
	require.Equal(t, fiber.StatusBadRequest, g.Status)
	require.Contains(t, g.Body, "non è valido oppure è scaduto")
	r = again.post("/admin/password/nuova", url.Values{"token": {token}, "password": {"ancora un'altra frase"}, "password_confirm": {"ancora un'altra frase"}})
	require.Equal(t, fiber.StatusBadRequest, r.Status)
}

// requestReset asks for a reset on tn's host and returns the token that arrives by mail.
func requestReset(t *testing.T, h *harness, tn *tenant.Tenant, email string) string {
	t.Helper()
	b := h.browser(t, tn)
	r := b.post("/admin/password/dimenticata", url.Values{"email": {email}})
	require.Equal(t, fiber.StatusSeeOther, r.Status)
	msg := h.smtp.WaitFor(t, email, 30*time.Second)
	m := resetLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m)
	return m[3]
}

func TestPasswordResetRefusals(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	other := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, tn, other)
	token := requestReset(t, h, tn, email)

	// Issued for tn's host: refused on another tenant's host.
	r := h.browser(t, other).get("/admin/password/nuova?token=" + token)
	require.Equal(t, fiber.StatusBadRequest, r.Status)

	// Expired.
	sum := sha256.Sum256([]byte(token))
	_, err := h.env.Admin.Exec(ctx, "UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1", sum[:])
	require.NoError(t, err)
	b := h.browser(t, tn)
	r = b.get("/admin/password/nuova?token=" + token)
	require.Equal(t, fiber.StatusBadRequest, r.Status)
	require.Contains(t, r.Body, "non è valido oppure è scaduto")
	require.Contains(t, r.Body, `href="/admin/password/dimenticata"`)
	r = b.post("/admin/password/nuova", url.Values{"token": {token}, "password": {"una nuova frase segreta"}, "password_confirm": {"una nuova frase segreta"}})
	require.Equal(t, fiber.StatusBadRequest, r.Status)
	b.mustLogin(email) // the old password is untouched

	// Garbage.
	require.Equal(t, fiber.StatusBadRequest, b.get("/admin/password/nuova?token=abc").Status)
	require.Equal(t, fiber.StatusBadRequest, b.get("/admin/password/nuova").Status)
}

func TestForgotRateLimit(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	b := h.browser(t, tn)
	for i := 0; i < auth.ForgotLimit; i++ {
		r := b.post("/admin/password/dimenticata", url.Values{"email": {"x" + string(rune('a'+i)) + "@example.it"}})
		require.Equal(t, fiber.StatusSeeOther, r.Status)
	}
	r := b.post("/admin/password/dimenticata", url.Values{"email": {"y@example.it"}})
	require.Equal(t, fiber.StatusTooManyRequests, r.Status)
	require.Contains(t, r.Body, "Troppi tentativi")

	r = h.browser(t, tn).post("/admin/password/dimenticata", url.Values{"email": {"non valida"}})
	require.Equal(t, fiber.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "indirizzo email valido")
}

var inviteLink = regexp.MustCompile(`https?://([^/\s]+)(/admin/invito\?token=([A-Za-z0-9_-]{43}))`)

func TestInvitation(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	email := "invitata-" + strings.ToLower(tn.Slug) + "@example.it"

	var id uuid.UUID
	require.NoError(t, h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		uid, err := h.svc.Invite(ctx, tx, email, "Giulia Neri", tn)
		id = uid
		return err
	}))
	h.roles.grant(id, tn)

	u, err := h.svc.UserByEmail(ctx, email)
	require.NoError(t, err)
	require.False(t, u.HasPassword)
	// No password yet: login is refused like any wrong combination.
	require.Equal(t, fiber.StatusUnauthorized, h.browser(t, tn).login(email, goodPassword).Status)

	msg := h.smtp.WaitFor(t, email, 30*time.Second)
	require.Contains(t, msg.Subject, "Invito")
	require.Contains(t, msg.Text, "Gentile Giulia Neri")
	m := inviteLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m, msg.Text)
	link, token := m[2], m[3]

	b := h.browser(t, tn)
	page := b.get(link)
	require.Equal(t, fiber.StatusOK, page.Status)
	require.Contains(t, page.Body, "Giulia Neri")
	require.Contains(t, page.Body, `autocomplete="new-password"`)

	r := b.post("/admin/invito", url.Values{"token": {token}, "password": {email}, "password_confirm": {email}})
	require.Equal(t, fiber.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "non può essere il tuo indirizzo email")

	r = b.post("/admin/invito", url.Values{"token": {token}, "password": {goodPassword}, "password_confirm": {goodPassword}})
	require.Equal(t, fiber.StatusSeeOther, r.Status, r.Body)
	require.Contains(t, b.get("/admin/login").Body, "Account attivato")
	b.mustLogin(email)

	// The link is spent.
	r = h.browser(t, tn).get(link)
	require.Equal(t, fiber.StatusBadRequest, r.Status)

	// Invited again elsewhere: the account exists with a password, the mail points to login
	// and carries no token.
	second := h.env.NewTenant(t, tenant.KindComune)
	require.NoError(t, h.env.DB.InTx(ctx, second.ID, func(tx *tenant.Tx) error {
		uid, err := h.svc.Invite(ctx, tx, strings.ToUpper(email), "Altro Nome", second)
		require.Equal(t, id, uid)
		return err
	}))
	require.Eventually(t, func() bool {
		for _, m := range h.smtp.Messages() {
			if m.To[0] == email && strings.Contains(m.Subject, second.Name) {
				return strings.Contains(m.Text, "Hai già un account") &&
					strings.Contains(m.Text, second.Slug+".carta.test:8080/admin/login") && !inviteLink.MatchString(m.Text)
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond)

	// Invalid input.
	err = h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		_, err := h.svc.Invite(ctx, tx, "sbagliata", "", tn)
		return err
	})
	e, ok := apperr.As(err)
	require.True(t, ok)
	require.Contains(t, e.Fields, "email")
	require.Contains(t, e.Fields, "name")
}

func TestInvitationRolledBackSendsNothing(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	email := "annullato-" + tn.Slug + "@example.it"
	err := h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		if _, err := h.svc.Invite(ctx, tx, email, "Mai Creato", tn); err != nil {
			return err
		}
		return apperr.New(apperr.Invalid, "ruolo non valido")
	})
	require.Error(t, err)
	_, err = h.svc.UserByEmail(ctx, email)
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	var n int
	require.NoError(t, h.env.Admin.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE args->'message'->>'to' = $1`, email).Scan(&n))
	require.Zero(t, n)
}

func TestSetPasswordRevokesSessions(t *testing.T) {
	t.Parallel()
	h := setup(t)
	tn := h.env.NewTenant(t, tenant.KindComune)
	id, email := h.newUser(t, tn)
	b := h.browser(t, tn)
	b.mustLogin(email)

	err := h.svc.SetPassword(context.Background(), id, "corta")
	require.Equal(t, apperr.Invalid, apperr.KindOf(err))
	require.True(t, b.loggedIn())

	require.NoError(t, h.svc.SetPassword(context.Background(), id, "la nuova frase della CLI"))
	require.False(t, b.loggedIn())
	b.login(email, "la nuova frase della CLI")
	require.True(t, b.loggedIn())

	require.NoError(t, h.svc.RevokeUserSessions(context.Background(), id))
	require.False(t, b.loggedIn())
}

func TestEnsureDemoUser(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	email := "admin@" + tn.Slug + ".demo"
	id, err := h.svc.EnsureDemoUser(ctx, email, "Amministratore Prova", goodPassword)
	require.NoError(t, err)
	again, err := h.svc.EnsureDemoUser(ctx, email, "Amministratore Prova", goodPassword)
	require.NoError(t, err)
	require.Equal(t, id, again)

	// The printed password wins over one changed meanwhile.
	require.NoError(t, h.svc.SetPassword(ctx, id, "cambiata nel frattempo"))
	_, err = h.svc.EnsureDemoUser(ctx, email, "Amministratore Prova", goodPassword)
	require.NoError(t, err)
	h.roles.grant(id, tn)
	h.browser(t, tn).mustLogin(email)

	var demo bool
	require.NoError(t, h.env.Admin.QueryRow(ctx, "SELECT is_demo FROM users WHERE id = $1", id).Scan(&demo))
	require.True(t, demo)
}
