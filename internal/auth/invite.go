package auth

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

const (
	msgInviteDisabled = "L'account di questa persona è disattivato: non può essere invitato."
	msgAccountActive  = "Account attivato: ora puoi accedere con la tua email e la password che hai scelto."
)

// Invite gives a person access to the staff area of t (the platform's when nil), in the
// caller's transaction: it creates the account when the e-mail has none (without a password),
// and enqueues the invitation e-mail in tx — with a link to choose a password, valid
// InviteValidity, or, for an account that already has one, a link to the login page. The
// caller grants the roles in the same transaction. Invalid fields ("email", "name") are
// apperr.Invalid; a disabled account is apperr.Conflict.
func (s *Service) Invite(ctx context.Context, tx *tenant.Tx, email, name string, t *tenant.Tenant) (uuid.UUID, error) {
	email, name = NormalizeEmail(email), strings.TrimSpace(name)
	f := map[string]string{}
	if !validEmail(email) {
		f["email"] = msgEmailInvalid
	}
	if !validName(name) {
		f["name"] = msgNameInvalid
	}
	if len(f) > 0 {
		return uuid.Nil, apperr.InvalidFields(f)
	}
	u, err := tx.UserGetByEmail(ctx, email)
	switch {
	case tenant.IsNoRows(err):
		if u, err = tx.UserCreate(ctx, db.UserCreateParams{Email: email, DisplayName: name}); err != nil {
			return uuid.Nil, emailConflict(err)
		}
	case err != nil:
		return uuid.Nil, fmt.Errorf("invite: %w", err)
	case u.DisabledAt != nil:
		return uuid.Nil, apperr.New(apperr.Conflict, msgInviteDisabled)
	}
	data := mail.InviteData{Name: u.DisplayName, TenantName: tenantName(t), ValidFor: "7 giorni"}
	if u.PasswordHash != "" {
		data.HasAccount = true
		data.URL = s.baseURL(t) + "/admin" + pathLogin
	} else {
		raw, err := issueToken(ctx, tx, u.ID, purposeInvite, t, InviteValidity)
		if err != nil {
			return uuid.Nil, err
		}
		data.URL = s.baseURL(t) + "/admin" + pathInvite + "?token=" + url.QueryEscape(raw)
	}
	m, err := mail.Invitation(u.Email, data)
	if err != nil {
		return uuid.Nil, err
	}
	if err := s.jobs.SendEmailTx(ctx, tx.Raw, m); err != nil {
		return uuid.Nil, err
	}
	return u.ID, nil
}

type invitePage struct {
	web.Page
	Token   string
	Invalid bool // the link cannot be used
	Active  bool // the account already has a password: the page points to the login
	Email   string
	Name    string
}

func (s *Service) inviteForm(c *fiber.Ctx) error {
	noReferrer(c)
	ctx := c.UserContext()
	raw := utils.CopyString(c.Query("token"))
	u, err := s.tokenUser(ctx, raw, purposeInvite, tenant.FromContext(ctx))
	if err != nil {
		return err
	}
	return s.showInvite(c, fiber.StatusOK, raw, u, nil)
}

func (s *Service) showInvite(c *fiber.Ctx, status int, raw string, u *db.User, errs map[string]string) error {
	vm := invitePage{Page: web.NewPage(c, "Attiva il tuo account"), Token: raw}
	switch {
	case u == nil:
		vm.Invalid, vm.Token = true, ""
		status = fiber.StatusBadRequest
	case u.PasswordHash != "":
		vm.Active, vm.Token = true, ""
	}
	if u != nil {
		vm.Email, vm.Name = u.Email, u.DisplayName
	}
	vm.Errors = errs
	return s.render.Render(c, status, "auth/invite", vm)
}

func (s *Service) acceptInvite(c *fiber.Ctx) error {
	noReferrer(c)
	ctx := c.UserContext()
	t := tenant.FromContext(ctx)
	raw := utils.CopyString(c.FormValue("token"))
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	u, err := s.tokenUser(ctx, raw, purposeInvite, t)
	if err != nil {
		return err
	}
	if u == nil || u.PasswordHash != "" {
		return s.showInvite(c, fiber.StatusOK, raw, u, nil)
	}
	if f := newPasswordErrors(password, confirm, u.Email); len(f) > 0 {
		return s.showInvite(c, fiber.StatusUnprocessableEntity, raw, u, f)
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return err
	}
	actor := principal.WithStaff(ctx, &principal.Staff{UserID: u.ID, Email: u.Email, Name: u.DisplayName})
	spent := false
	err = s.hostTx(ctx, t, func(tx *tenant.Tx) error {
		var err error
		if spent, err = spendToken(ctx, tx, raw, purposeInvite); err != nil || !spent {
			return err
		}
		if err := setPasswordTx(ctx, tx, u.ID, hash); err != nil {
			return err
		}
		if t != nil {
			return audit.Record(actor, tx, audit.Entry{Action: "auth.invite_accept", ObjectType: "user", ObjectID: u.ID.String()})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("accept invitation: %w", err)
	}
	if !spent {
		return s.showInvite(c, fiber.StatusBadRequest, raw, nil, nil)
	}
	s.afterPasswordSet(c, u, msgAccountActive)
	return c.Redirect("/admin"+pathLogin, fiber.StatusSeeOther)
}
