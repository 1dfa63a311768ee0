package auth

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

const (
	msgResetSent       = "Se l'indirizzo è registrato, riceverai un'email con le istruzioni."
	msgTooManyResets   = "Troppi tentativi da questa rete. Attendi qualche minuto e riprova."
	msgPasswordsDiffer = "Le due password non coincidono."
	msgPasswordSet     = "La password è stata aggiornata: ora puoi accedere con la nuova password."
)

type forgotPage struct {
	web.Page
	Error string
}

type resetPage struct {
	web.Page
	Token   string
	Invalid bool // the link cannot be used: the page offers to ask for a new one
	Email   string
}

func noReferrer(c *fiber.Ctx) {
	// The token is in the address: it must not leak to other sites through Referer.
	c.Set("Referrer-Policy", "no-referrer")
}

func (s *Service) forgotForm(c *fiber.Ctx) error {
	return s.render.Render(c, fiber.StatusOK, "auth/forgot", forgotPage{Page: web.NewPage(c, "Password dimenticata")})
}

func (s *Service) forgot(c *fiber.Ctx) error {
	ctx := c.UserContext()
	t := tenant.FromContext(ctx)
	email := NormalizeEmail(c.FormValue("email"))
	ip, _ := origin(c)
	show := func(status int, errMsg string, fields map[string]string) error {
		vm := forgotPage{Page: web.NewPage(c, "Password dimenticata"), Error: errMsg}
		vm.Form = map[string]string{"email": email}
		vm.Errors = fields
		return s.render.Render(c, status, "auth/forgot", vm)
	}
	if !web.ValidEmail(email) {
		return show(fiber.StatusUnprocessableEntity, "", map[string]string{"email": msgEmailInvalid})
	}
	ok, err := s.forgotByIP.take(ctx, tenantKey(t)+":"+ip)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, "Il servizio non è al momento disponibile: riprova tra qualche minuto.", err)
	}
	if !ok {
		return show(fiber.StatusTooManyRequests, msgTooManyResets, nil)
	}
	// A few mails per address per hour: more would only flood a mailbox. Past that the answer
	// stays the same and nothing is sent.
	if ok, err := s.forgotByEmail.take(ctx, email); err != nil {
		return apperr.Wrap(apperr.Unavailable, "Il servizio non è al momento disponibile: riprova tra qualche minuto.", err)
	} else if ok {
		if err := s.sendReset(ctx, email, t); err != nil {
			return err
		}
	}
	web.SetFlash(c, "info", msgResetSent)
	return c.Redirect("/admin"+pathLogin, fiber.StatusSeeOther)
}

// sendReset issues a reset link and enqueues its e-mail in the same transaction, when the
// address belongs to an active account that may enter this host. Otherwise it does nothing:
// the caller answers the same either way.
func (s *Service) sendReset(ctx context.Context, email string, t *tenant.Tenant) error {
	var u *db.User
	err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		r, err := tx.UserGetByEmail(ctx, email)
		if err == nil {
			u = &r
		}
		return err
	})
	if tenant.IsNoRows(err) || (err == nil && u.DisabledAt != nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reset lookup: %w", err)
	}
	allowed, err := s.roles.HasAnyRole(ctx, u.ID, t)
	if err != nil {
		return fmt.Errorf("reset roles: %w", err)
	}
	if !allowed {
		s.log.InfoContext(ctx, "password reset not sent: no role on this host", "user_id", u.ID, "tenant", tenantKey(t))
		return nil
	}
	err = s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		id, err := issueToken(ctx, tx, u.ID, purposeReset, t, nil, ResetValidity)
		if err != nil {
			return err
		}
		return s.enqueueLink(ctx, tx, id)
	})
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	s.log.InfoContext(ctx, "password reset sent", "user_id", u.ID, "tenant", tenantKey(t))
	return nil
}

func tenantName(t *tenant.Tenant) string {
	if t == nil {
		return ""
	}
	return t.Name
}

// hostTx runs fn in a transaction of t's tenant (so that an audit entry can be written), or a
// system transaction on the platform host.
func (s *Service) hostTx(ctx context.Context, t *tenant.Tenant, fn func(tx *tenant.Tx) error) error {
	if t == nil {
		return s.db.InSystemTx(ctx, fn)
	}
	return s.db.InTx(ctx, t.ID, fn)
}

func (s *Service) tokenUser(ctx context.Context, raw, purpose string, t *tenant.Tenant) (*db.User, error) {
	var u *db.User
	err := s.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		lt, err := liveToken(ctx, tx, raw, purpose, t)
		if lt != nil {
			u = &lt.user
		}
		return err
	})
	return u, err
}

func (s *Service) resetForm(c *fiber.Ctx) error {
	noReferrer(c)
	ctx := c.UserContext()
	raw := utils.CopyString(c.Query("token"))
	u, err := s.tokenUser(ctx, raw, purposeReset, tenant.FromContext(ctx))
	if err != nil {
		return err
	}
	vm := resetPage{Page: web.NewPage(c, "Scegli una nuova password"), Token: raw}
	if u == nil {
		vm.Invalid, vm.Token = true, ""
		return s.render.Render(c, fiber.StatusBadRequest, "auth/reset", vm)
	}
	vm.Email = u.Email
	return s.render.Render(c, fiber.StatusOK, "auth/reset", vm)
}

// newPasswordErrors checks the two password fields of the reset and invitation forms.
func newPasswordErrors(password, confirm, email string) map[string]string {
	f := map[string]string{}
	if msg := ValidatePassword(password, email); msg != "" {
		f["password"] = msg
	} else if password != confirm {
		f["password_confirm"] = msgPasswordsDiffer
	}
	return f
}

func (s *Service) reset(c *fiber.Ctx) error {
	noReferrer(c)
	ctx := c.UserContext()
	t := tenant.FromContext(ctx)
	raw := utils.CopyString(c.FormValue("token"))
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	vm := resetPage{Page: web.NewPage(c, "Scegli una nuova password"), Token: raw}
	u, err := s.tokenUser(ctx, raw, purposeReset, t)
	if err != nil {
		return err
	}
	if u == nil {
		vm.Invalid, vm.Token = true, ""
		return s.render.Render(c, fiber.StatusBadRequest, "auth/reset", vm)
	}
	vm.Email = u.Email
	if f := newPasswordErrors(password, confirm, u.Email); len(f) > 0 {
		vm.Errors = f
		return s.render.Render(c, fiber.StatusUnprocessableEntity, "auth/reset", vm)
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return err
	}
	actor := principal.WithStaff(ctx, &principal.Staff{UserID: u.ID, Email: u.Email, Name: u.DisplayName})
	spent := false
	err = s.hostTx(ctx, t, func(tx *tenant.Tx) error {
		var err error
		if spent, err = spendToken(ctx, tx, raw, purposeReset); err != nil || !spent {
			return err
		}
		if err := setPasswordTx(ctx, tx, u.ID, hash); err != nil {
			return err
		}
		if t != nil {
			return audit.Record(actor, tx, audit.Entry{Action: "auth.password_reset", ObjectType: "user", ObjectID: u.ID.String()})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	if !spent {
		vm.Invalid, vm.Token = true, ""
		return s.render.Render(c, fiber.StatusBadRequest, "auth/reset", vm)
	}
	// The person proved they own the mailbox: the lock on this host ends.
	s.loginFailuresFor.clear(ctx, accountKey(t, u.Email))
	s.afterPasswordSet(c, u, msgPasswordSet)
	return c.Redirect("/admin"+pathLogin, fiber.StatusSeeOther)
}

// afterPasswordSet ends every session of the account (whoever knew the old password is out)
// and the browser's own, then says so on the login page.
func (s *Service) afterPasswordSet(c *fiber.Ctx, u *db.User, flash string) {
	ctx := c.UserContext()
	if err := s.sessions.revokeUser(ctx, u.ID); err != nil {
		// The password is changed all the same; sessions still open end at their idle timeout.
		s.log.ErrorContext(ctx, "sessions not revoked after password change", "user_id", u.ID, "err", err)
	}
	clearSessionCookie(c)
	web.RotateCSRF(c)
	s.log.InfoContext(ctx, "password set by link", "user_id", u.ID)
	web.SetFlash(c, "success", flash)
}
