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
	"github.com/cartasociale/carta/internal/mail/mailtest"
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

	// When the lock has passed, the right password works and the count starts again.
	auth.Unlock(h.svc, tn, email)
	b.mustLogin(email)
	r = h.browser(t, tn).login(email, "di nuovo sbagliata")
	require.Contains(t, r.Body, "Email o password non corretti.")
}

// TestLockTellsNothingAndStaysOnItsHost: an address without an account locks after the same
// failures with the same page as a real one, and a lock on one comune's host leaves the
// person free to log in on the others.
func TestLockTellsNothingAndStaysOnItsHost(t *testing.T) {
	t.Parallel()
	h := setup(t)
	a := h.env.NewTenant(t, tenant.KindComune)
	other := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, a, other)
	unknown := "nessuno-" + email

	pages := map[string][]response{}
	for _, addr := range []string{email, unknown} {
		b := h.browser(t, a)
		for i := 1; i <= auth.MaxFailedLogins+1; i++ {
			pages[addr] = append(pages[addr], b.login(addr, "tentativo sbagliato"))
		}
	}
	for i := range pages[email] {
		known, none := pages[email][i], pages[unknown][i]
		require.Equal(t, known.Status, none.Status, "attempt %d", i+1)
		require.Equal(t, strings.ReplaceAll(known.Body, email, unknown), stripCSRF(none.Body, known.Body), "attempt %d", i+1)
	}
	require.Contains(t, pages[unknown][auth.MaxFailedLogins-1].Body, "temporaneamente bloccato")

	// Locked on a's host, not on other's.
	require.Contains(t, h.browser(t, a).login(email, goodPassword).Body, "temporaneamente bloccato")
	h.browser(t, other).mustLogin(email)
}

// stripCSRF makes two renderings of the login page comparable: each carries its own CSRF
// token, the only part that differs by design.
func stripCSRF(body, like string) string {
	re := regexp.MustCompile(`name="` + web.CSRFField + `" value="[^"]*"`)
	tok := re.FindString(like)
	return re.ReplaceAllString(body, tok)
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

	// Another network is not affected; the same network on another tenant neither, as long as
	// it stays under the limit of all hosts together.
	h.browser(t, tn).mustLogin(email)
	other := h.env.NewTenant(t, tenant.KindComune)
	h.roles.grant(mustID(t, h, email), other)
	ob := h.browser(t, other)
	ob.ip = b.ip
	ob.mustLogin(email)
}

// TestLoginRateLimitAcrossHosts: one network spreading wrong passwords over many comuni's
// hosts meets the limit of all hosts together.
func TestLoginRateLimitAcrossHosts(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ip := h.browser(t, nil).ip
	failures := 0
	var hosts []*tenant.Tenant
	for failures < auth.LoginFailureLimitIP {
		tn := h.env.NewTenant(t, tenant.KindComune)
		hosts = append(hosts, tn)
		b := h.browser(t, tn)
		b.ip = ip
		for i := 0; i < auth.LoginFailureLimit-1 && failures < auth.LoginFailureLimitIP; i++ {
			r := b.login("x"+string(rune('a'+i))+"-"+tn.Slug+"@example.it", goodPassword)
			require.Equal(t, fiber.StatusUnauthorized, r.Status, "failure %d", failures+1)
			failures++
		}
	}
	require.Greater(t, len(hosts), 1, "the failures were spread over several hosts")
	fresh := h.env.NewTenant(t, tenant.KindComune)
	_, email := h.newUser(t, fresh)
	b := h.browser(t, fresh)
	b.ip = ip
	r := b.login(email, goodPassword)
	require.Equal(t, fiber.StatusTooManyRequests, r.Status)
	require.Contains(t, r.Body, "Troppi tentativi")
	// Another network logs in there.
	h.browser(t, fresh).mustLogin(email)
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

	// The mail goes through the job queue and the SMTP server.
	msg := h.smtp.WaitFor(t, email, 30*time.Second)
	for _, m := range h.smtp.Messages() {
		require.NotEqual(t, "nessuno-"+email, m.To[0])
	}
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
	requireNoLinkInJobs(t, h, email, token)

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

// requireNoLinkInJobs checks that the job table holds the token's id, never the token: the
// e-mail's job of email's account carries {"token_id": …} alone.
func requireNoLinkInJobs(t *testing.T, h *harness, email, token string) {
	t.Helper()
	ctx := context.Background()
	var n int
	require.NoError(t, h.env.Admin.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE strpos(args::text, $1) > 0`, token).Scan(&n))
	require.Zero(t, n, "a usable link is in the job table")
	var args string
	require.NoError(t, h.env.Admin.QueryRow(ctx, `SELECT j.args::text FROM river.river_job j
		JOIN user_tokens k ON k.id = (j.args->>'token_id')::uuid JOIN users u ON u.id = k.user_id
		WHERE j.kind = 'auth_send_link' AND u.email = $1 ORDER BY j.id DESC LIMIT 1`, email).Scan(&args))
	require.Regexp(t, `^\{"token_id": ?"[0-9a-f-]{36}"\}$`, args)
}

func TestInvitation(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	email := "invitata-" + strings.ToLower(tn.Slug) + "@example.it"

	var inv auth.Invitation
	require.NoError(t, h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) (err error) {
		inv, err = h.svc.Invite(ctx, tx, tn, email, "Giulia Neri", []string{"redattore"})
		return err
	}))
	id := inv.UserID
	u, err := h.svc.UserByEmail(ctx, email)
	require.NoError(t, err)
	require.False(t, u.HasPassword)
	require.Empty(t, h.roles.grantedAt(id, tn), "nothing is granted before acceptance")
	// No password yet: login is refused like any wrong combination.
	require.Equal(t, fiber.StatusUnauthorized, h.browser(t, tn).login(email, goodPassword).Status)

	msg := h.smtp.WaitFor(t, email, 30*time.Second)
	require.Contains(t, msg.Subject, "Invito")
	require.Contains(t, msg.Text, "Gentile Giulia Neri")
	m := inviteLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m, msg.Text)
	link, token := m[2], m[3]
	requireNoLinkInJobs(t, h, email, token)

	b := h.browser(t, tn)
	page := b.get(link)
	require.Equal(t, fiber.StatusOK, page.Status)
	require.Contains(t, page.Body, "Giulia Neri")
	require.Contains(t, page.Body, `autocomplete="new-password"`)

	r := b.post("/admin/invito", url.Values{"token": {token}, "password": {email}, "password_confirm": {email}})
	require.Equal(t, fiber.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "non può essere il tuo indirizzo email")
	require.Empty(t, h.roles.grantedAt(id, tn))

	r = b.post("/admin/invito", url.Values{"token": {token}, "password": {goodPassword}, "password_confirm": {goodPassword}})
	require.Equal(t, fiber.StatusSeeOther, r.Status, r.Body)
	require.Contains(t, b.get("/admin/login").Body, "Account attivato")
	require.Equal(t, []string{"redattore"}, h.roles.grantedAt(id, tn))
	b.mustLogin(email)

	// The link is spent.
	r = h.browser(t, tn).get(link)
	require.Equal(t, fiber.StatusBadRequest, r.Status)

	// Invalid input.
	err = h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		_, err := h.svc.Invite(ctx, tx, tn, "sbagliata", "", nil)
		return err
	})
	e, ok := apperr.As(err)
	require.True(t, ok)
	require.Contains(t, e.Fields, "email")
	require.Contains(t, e.Fields, "name")
	require.Contains(t, e.Fields, "roles")
}

// TestInvitingAnExistingAccount: the person accepts with their own password, and until then
// holds nothing in the inviting tenant.
func TestInvitingAnExistingAccount(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	home := h.env.NewTenant(t, tenant.KindComune)
	id, email := h.newUser(t, home)
	second := h.env.NewTenant(t, tenant.KindComune)

	var inv auth.Invitation
	require.NoError(t, h.env.DB.InTx(ctx, second.ID, func(tx *tenant.Tx) (err error) {
		inv, err = h.svc.Invite(ctx, tx, second, strings.ToUpper(email), "Nome Scritto Da Chi Invita", []string{"urp"})
		return err
	}))
	require.Equal(t, id, inv.UserID)
	require.Equal(t, "Nome Scritto Da Chi Invita", inv.Name, "the tenant sees what it typed")
	require.Equal(t, fiber.StatusUnauthorized, h.browser(t, second).login(email, goodPassword).Status, "no role before acceptance")

	var msg mailtest.Received
	require.Eventually(t, func() bool {
		for _, m := range h.smtp.Messages() {
			if m.To[0] == email && strings.Contains(m.Subject, second.Name) {
				msg = m
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond)
	require.Contains(t, msg.Text, "Hai già un account")
	require.Contains(t, msg.Text, "Gentile Persona di Prova", "the mail greets the account's own name")
	m := inviteLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m, msg.Text)
	require.Equal(t, second.Slug+".carta.test:8080", m[1])
	token := m[3]
	requireNoLinkInJobs(t, h, email, token)

	b := h.browser(t, second)
	page := b.get(m[2])
	require.Equal(t, fiber.StatusOK, page.Status)
	require.Contains(t, page.Body, `autocomplete="current-password"`)
	require.NotContains(t, page.Body, `autocomplete="new-password"`)

	r := b.post("/admin/invito", url.Values{"token": {token}, "password": {"non è la mia password"}})
	require.Equal(t, fiber.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "La password non è corretta.")
	require.Empty(t, h.roles.grantedAt(id, second))

	r = b.post("/admin/invito", url.Values{"token": {token}, "password": {goodPassword}})
	require.Equal(t, fiber.StatusSeeOther, r.Status, r.Body)
	require.Contains(t, b.get("/admin/login").Body, "Invito accettato")
	require.Equal(t, []string{"urp"}, h.roles.grantedAt(id, second))
	b.mustLogin(email)
	h.browser(t, home).mustLogin(email) // the password did not change
}

// TestWithdrawnInvitation: a withdrawn invitation's link stops working, and one withdrawn
// before its e-mail left is never sent.
func TestWithdrawnInvitation(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	sent := "ritirato-dopo-" + tn.Slug + "@example.it"
	never := "ritirato-prima-" + tn.Slug + "@example.it"

	var first auth.Invitation
	require.NoError(t, h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) (err error) {
		first, err = h.svc.Invite(ctx, tx, tn, sent, "Prima Persona", []string{"urp"})
		return err
	}))
	msg := h.smtp.WaitFor(t, sent, 30*time.Second)
	m := inviteLink.FindStringSubmatch(msg.Text)
	require.NotNil(t, m)
	require.NoError(t, h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		_, err := h.svc.RevokeInvitation(ctx, tx, first.ID)
		return err
	}))
	require.Equal(t, fiber.StatusBadRequest, h.browser(t, tn).get(m[2]).Status)

	// Another tenant cannot withdraw it, nor see it.
	other := h.env.NewTenant(t, tenant.KindComune)
	err := h.env.DB.InTx(ctx, other.ID, func(tx *tenant.Tx) error {
		_, err := h.svc.RevokeInvitation(ctx, tx, first.ID)
		return err
	})
	require.ErrorIs(t, err, apperr.ErrNotFound)

	var jobID int64
	require.NoError(t, h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		inv, err := h.svc.Invite(ctx, tx, tn, never, "Mai Avvisata", []string{"urp"})
		if err != nil {
			return err
		}
		if _, err := h.svc.RevokeInvitation(ctx, tx, inv.ID); err != nil {
			return err
		}
		return tx.Raw.QueryRow(ctx, `SELECT j.id FROM river.river_job j JOIN user_tokens k ON k.id = (j.args->>'token_id')::uuid
			WHERE k.invitation_id = $1`, inv.ID).Scan(&jobID)
	}))
	require.Eventually(t, func() bool {
		var state string
		require.NoError(t, h.env.Admin.QueryRow(ctx, `SELECT state FROM river.river_job WHERE id = $1`, jobID).Scan(&state))
		return state == "completed"
	}, 30*time.Second, 50*time.Millisecond)
	for _, m := range h.smtp.Messages() {
		require.NotEqual(t, never, m.To[0], "a withdrawn invitation was sent")
	}
}

func TestInvitationRolledBackSendsNothing(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	tn := h.env.NewTenant(t, tenant.KindComune)
	email := "annullato-" + tn.Slug + "@example.it"
	err := h.env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		if _, err := h.svc.Invite(ctx, tx, tn, email, "Mai Creato", []string{"urp"}); err != nil {
			return err
		}
		return apperr.New(apperr.Invalid, "ruolo non valido")
	})
	require.Error(t, err)
	_, err = h.svc.UserByEmail(ctx, email)
	require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	var n int
	require.NoError(t, h.env.Admin.QueryRow(ctx, `SELECT count(*) FROM river.river_job j WHERE j.kind = 'auth_send_link'
		AND NOT EXISTS (SELECT 1 FROM user_tokens k WHERE k.id = (j.args->>'token_id')::uuid)`).Scan(&n))
	require.Zero(t, n, "a job outlived its rolled-back token")
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

// TestRevokeTenantSessionsEndsOnlyThatHost: removing a person from one tenant ends their
// sessions there and leaves those on the other hosts they work on.
func TestRevokeTenantSessionsEndsOnlyThatHost(t *testing.T) {
	t.Parallel()
	h := setup(t)
	a := h.env.NewTenant(t, tenant.KindComune)
	other := h.env.NewTenant(t, tenant.KindComune)
	id, email := h.newUser(t, a, other)
	onA, onA2, onOther := h.browser(t, a), h.browser(t, a), h.browser(t, other)
	onA.mustLogin(email)
	onA2.mustLogin(email)
	onOther.mustLogin(email)

	require.NoError(t, h.svc.RevokeTenantSessions(context.Background(), id, a))
	require.False(t, onA.loggedIn())
	require.False(t, onA2.loggedIn())
	require.True(t, onOther.loggedIn(), "a session on another tenant's host survives")

	// RevokeUserSessions, for a disabled account, still ends them all.
	require.NoError(t, h.svc.RevokeUserSessions(context.Background(), id))
	require.False(t, onOther.loggedIn())
}
