package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// The messages of the login page. One message for every wrong combination, so that the page
// does not tell which e-mails have an account or a role here.
const (
	msgBadCredentials = "Email o password non corretti."
	msgLocked         = "Per troppi tentativi non riusciti l'accesso con questa email è temporaneamente bloccato su questo sito: riprova tra qualche minuto oppure reimposta la password."
	msgTooManyLogins  = "Troppi tentativi di accesso non riusciti da questa rete. Attendi qualche minuto e riprova."
)

type loginPage struct {
	web.Page
	Next   string
	Error  string // shown above the form
	Locked bool   // the error is a lockout: the page points to the password reset
}

func (s *Service) renderLogin(c *fiber.Ctx, status int, email, next, errMsg string, locked bool) error {
	vm := loginPage{Page: web.NewPage(c, "Accedi all'area riservata"), Next: next, Error: errMsg, Locked: locked}
	vm.Form = map[string]string{"email": email}
	return s.render.Render(c, status, "auth/login", vm)
}

func (s *Service) loginForm(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if principal.StaffFrom(c.UserContext()) != nil {
		return c.Redirect(orDefault(next, "/admin"), fiber.StatusSeeOther)
	}
	return s.renderLogin(c, fiber.StatusOK, "", next, "", false)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (s *Service) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t := tenant.FromContext(ctx)
	email := NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	ip, ua := origin(c)

	refusal, locked, err := s.gate(ctx, t, ip, email)
	if err != nil {
		return err
	}
	if refusal != "" {
		s.log.InfoContext(ctx, "login rate limited", "ip", ip, "tenant", tenantKey(t))
		return s.renderLogin(c, fiber.StatusTooManyRequests, email, next, refusal, false)
	}
	var u *db.User
	if !locked {
		if u, err = s.authenticate(ctx, email, password, t); err != nil {
			return err
		}
	} else if _, _, err := checkPassword(ctx, password, ""); err != nil {
		// A locked address costs the same time as any other refusal.
		return err
	}
	if u == nil {
		if !locked {
			locked = s.countFailure(ctx, t, ip, email)
		}
		msg := msgBadCredentials
		if locked {
			msg = msgLocked
		}
		return s.renderLogin(c, fiber.StatusUnauthorized, email, next, msg, locked)
	}
	s.loginFailuresFor.clear(ctx, accountKey(t, email))

	staff := &principal.Staff{UserID: u.ID, Email: u.Email, Name: u.DisplayName}
	if err := s.recordLogin(principal.WithStaff(ctx, staff), t, u.ID); err != nil {
		return err
	}
	// Session fixation: whatever session id the browser brought is destroyed, never adopted;
	// the session gets an id of its own.
	if old := c.Cookies(SessionCookie); old != "" {
		if err := s.sessions.destroy(ctx, old); err != nil {
			s.log.WarnContext(ctx, "old session not destroyed", "err", err)
		}
	}
	id, err := s.sessions.create(ctx, &session{UserID: u.ID, TenantID: tenantID(t), Email: u.Email,
		Name: u.DisplayName, IP: ip, UA: ua})
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, "L'accesso non è al momento disponibile: riprova tra qualche minuto.", err)
	}
	setSessionCookie(c, id)
	web.RotateCSRF(c)
	s.log.InfoContext(ctx, "login", "user_id", u.ID, "tenant", tenantKey(t), "ip", ip)
	return c.Redirect(orDefault(next, "/admin"), fiber.StatusSeeOther)
}

// accountKey names an e-mail on the host of t in the failure counters: failures are counted
// per address and host, whether or not the address has an account, so that a lock neither
// tells which addresses exist nor reaches the other hosts the person works on. The address is
// hashed: Redis holds no e-mail.
func accountKey(t *tenant.Tenant, email string) string {
	h := sha256.Sum256([]byte(NormalizeEmail(email)))
	return tenantKey(t) + ":" + hex.EncodeToString(h[:16])
}

type counter struct {
	l limiter
	k string
}

// ipCounters are the failure counters of a client IP: on this host, and on all hosts together.
func (s *Service) ipCounters(t *tenant.Tenant, ip string) []counter {
	return []counter{{s.loginFailures, tenantKey(t) + ":" + ip}, {s.loginFailuresByIP, ip}}
}

// gate says whether a password may be tried now: refusal is msgTooManyLogins when the client
// IP used up its failures (on this host, or on all hosts together); locked is true when the
// address has had MaxFailedLogins failures on this host within LockDuration.
func (s *Service) gate(ctx context.Context, t *tenant.Tenant, ip, email string) (refusal string, locked bool, err error) {
	unavailable := func(err error) error {
		return apperr.Wrap(apperr.Unavailable, "L'accesso non è al momento disponibile: riprova tra qualche minuto.", err)
	}
	for _, c := range s.ipCounters(t, ip) {
		over, err := c.l.exceeded(ctx, c.k)
		if err != nil {
			return "", false, unavailable(err)
		}
		if over {
			return msgTooManyLogins, false, nil
		}
	}
	locked, err = s.loginFailuresFor.exceeded(ctx, accountKey(t, email))
	if err != nil {
		return "", false, unavailable(err)
	}
	return "", locked, nil
}

// countFailure counts a wrong password from ip for email on the host of t and reports whether
// the address is now locked there.
func (s *Service) countFailure(ctx context.Context, t *tenant.Tenant, ip, email string) bool {
	for _, c := range s.ipCounters(t, ip) {
		if _, err := c.l.hit(ctx, c.k); err != nil {
			s.log.WarnContext(ctx, "login rate limit not counted", "err", err)
		}
	}
	n, err := s.loginFailuresFor.hit(ctx, accountKey(t, email))
	if err != nil {
		s.log.WarnContext(ctx, "login failure not counted", "err", err)
		return false
	}
	if n >= MaxFailedLogins {
		s.log.WarnContext(ctx, "address locked on this host", "tenant", tenantKey(t), "ip", ip)
		return true
	}
	return false
}

// confirmPassword checks the password of an existing account (accepting an invitation) with
// the limits of a login; refusal is the message for the password field, empty when right.
func (s *Service) confirmPassword(ctx context.Context, t *tenant.Tenant, ip string, u *db.User, password string) (string, error) {
	refusal, locked, err := s.gate(ctx, t, ip, u.Email)
	if err != nil || refusal != "" {
		return refusal, err
	}
	if locked {
		return msgLocked, nil
	}
	ok := false
	if len(password) <= 4*MaxPasswordLength {
		if ok, _, err = checkPassword(ctx, password, u.PasswordHash); err != nil {
			return "", err
		}
	}
	if ok {
		return "", nil
	}
	if s.countFailure(ctx, t, ip, u.Email) {
		return msgLocked, nil
	}
	return msgWrongPassword, nil
}

// authenticate checks e-mail and password and whether the person may enter this host; nil
// when not. Every path that has no real hash to check verifies a dummy one, so that all
// refusals take about as long.
func (s *Service) authenticate(ctx context.Context, email, password string, t *tenant.Tenant) (*db.User, error) {
	var u *db.User
	err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		r, err := tx.UserGetByEmail(ctx, email)
		if err != nil {
			return err
		}
		u = &r
		return nil
	})
	if err != nil && !tenant.IsNoRows(err) {
		return nil, fmt.Errorf("login: %w", err)
	}
	if len(password) > 4*MaxPasswordLength {
		// No stored password is that long: refuse without hashing a huge input.
		password = ""
	}
	if u == nil || u.DisabledAt != nil || email == "" || password == "" {
		_, _, err := checkPassword(ctx, password, "")
		return nil, err
	}
	ok, stale, err := checkPassword(ctx, password, u.PasswordHash)
	if err != nil || !ok {
		return nil, err
	}
	allowed, err := s.roles.HasAnyRole(ctx, u.ID, t)
	if err != nil {
		return nil, fmt.Errorf("login roles: %w", err)
	}
	if !allowed {
		s.log.InfoContext(ctx, "login refused: no role on this host", "user_id", u.ID, "tenant", tenantKey(t))
		return nil, nil
	}
	if stale {
		// The hash was made with older parameters: replace it while the password is at hand.
		if h, err := hashPassword(ctx, password); err == nil {
			err = s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
				return tx.UserRehash(ctx, db.UserRehashParams{ID: u.ID, PasswordHash: h, OldHash: u.PasswordHash})
			})
			if err != nil {
				s.log.WarnContext(ctx, "password rehash failed", "user_id", u.ID, "err", err)
			}
		}
	}
	return u, nil
}

// recordLogin stamps the last login and, on a tenant's host,
// writes the login in that tenant's audit trail.
func (s *Service) recordLogin(ctx context.Context, t *tenant.Tenant, userID uuid.UUID) error {
	if t == nil {
		return s.db.InSystemTx(ctx, func(tx *tenant.Tx) error { return tx.UserLoginSucceeded(ctx, userID) })
	}
	return s.db.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := tx.UserLoginSucceeded(ctx, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: userID.String()})
	})
}

func (s *Service) logout(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if id := c.Cookies(SessionCookie); id != "" {
		if err := s.sessions.destroy(ctx, id); err != nil {
			return apperr.Wrap(apperr.Unavailable, "Non è stato possibile chiudere la sessione: riprova.", err)
		}
	}
	clearSessionCookie(c)
	web.RotateCSRF(c)
	web.SetFlash(c, "success", "Sei uscito dall'area riservata.")
	return c.Redirect("/admin"+pathLogin, fiber.StatusSeeOther)
}
