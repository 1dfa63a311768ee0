package auth

import (
	"context"
	"fmt"
	"time"

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
	msgLocked         = "Per troppi tentativi non riusciti l'account è temporaneamente bloccato: riprova tra qualche minuto oppure reimposta la password."
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

// loginOutcome is why a login was refused.
type loginOutcome int

const (
	loginOK loginOutcome = iota
	loginRefused
	loginLocked
)

func (s *Service) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t := tenant.FromContext(ctx)
	email := NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	ip, ua := origin(c)
	rlKey := tenantKey(t) + ":" + ip

	over, err := s.loginFailures.exceeded(ctx, rlKey)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, "L'accesso non è al momento disponibile: riprova tra qualche minuto.", err)
	}
	if over {
		s.log.InfoContext(ctx, "login rate limited", "ip", ip, "tenant", tenantKey(t))
		return s.renderLogin(c, fiber.StatusTooManyRequests, email, next, msgTooManyLogins, false)
	}

	u, outcome, err := s.authenticate(ctx, email, password, t)
	if err != nil {
		return err
	}
	if outcome != loginOK {
		if _, err := s.loginFailures.hit(ctx, rlKey); err != nil {
			s.log.WarnContext(ctx, "login rate limit not counted", "err", err)
		}
		msg := msgBadCredentials
		if outcome == loginLocked {
			msg = msgLocked
		}
		return s.renderLogin(c, fiber.StatusUnauthorized, email, next, msg, outcome == loginLocked)
	}

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

// authenticate checks e-mail and password and whether the person may enter this host. Every
// path that has no real hash to check verifies a dummy one, so that all refusals take about
// as long.
func (s *Service) authenticate(ctx context.Context, email, password string, t *tenant.Tenant) (*db.User, loginOutcome, error) {
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
		return nil, 0, fmt.Errorf("login: %w", err)
	}
	if len(password) > 4*MaxPasswordLength {
		// No stored password is that long: refuse without hashing a huge input.
		password = ""
	}
	if u == nil || u.DisabledAt != nil || email == "" || password == "" {
		_, _, err := checkPassword(ctx, password, "")
		return nil, loginRefused, err
	}
	if u.LockedUntil != nil && u.LockedUntil.After(time.Now()) {
		return nil, loginLocked, nil
	}
	ok, stale, err := checkPassword(ctx, password, u.PasswordHash)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		var locked bool
		err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
			r, err := tx.UserLoginFailed(ctx, db.UserLoginFailedParams{ID: u.ID,
				MaxFailures: MaxFailedLogins, LockSeconds: int32(LockDuration / time.Second)})
			locked = r.LockedUntil != nil && r.LockedUntil.After(time.Now())
			return err
		})
		if err != nil {
			return nil, 0, fmt.Errorf("login failure: %w", err)
		}
		if locked {
			s.log.WarnContext(ctx, "account locked", "user_id", u.ID, "tenant", tenantKey(t))
			return nil, loginLocked, nil
		}
		return nil, loginRefused, nil
	}
	allowed, err := s.roles.HasAnyRole(ctx, u.ID, t)
	if err != nil {
		return nil, 0, fmt.Errorf("login roles: %w", err)
	}
	if !allowed {
		s.log.InfoContext(ctx, "login refused: no role on this host", "user_id", u.ID, "tenant", tenantKey(t))
		return nil, loginRefused, nil
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
	return u, loginOK, nil
}

// recordLogin resets the failure counter, stamps the last login and, on a tenant's host,
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
