package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
	msgInviteAccepted = "Invito accettato: ora puoi accedere con la tua email e la tua password."
	msgWrongPassword  = "La password non è corretta."
	msgRolesRequired  = "Scegli almeno un ruolo."
)

// Invitation is an open offer of roles in a tenant, as that tenant sees it: what the inviter
// typed, never the account's own name, logins or state elsewhere.
type Invitation struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	Email     string
	Name      string
	Roles     []string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Expired reports whether the invitation can no longer be accepted.
func (i Invitation) Expired() bool { return !i.ExpiresAt.After(time.Now()) }

func invitationOf(r db.Invitation) Invitation {
	return Invitation{ID: r.ID, UserID: r.UserID, Email: r.Email, Name: r.Name, Roles: r.Roles,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
}

// Invite offers roles in t to the person with that e-mail, in the caller's transaction of t.
// Nothing is granted now: the roles come when the person accepts, with the link the
// invitation e-mail carries — choosing a password when the e-mail has no account yet (one is
// created without a password), confirming with their password when it has one. Inviting
// again replaces the open invitation. Invalid fields ("email", "name", "roles") are
// apperr.Invalid; a disabled account is apperr.Conflict.
func (s *Service) Invite(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, email, name string, roles []string) (Invitation, error) {
	if t == nil || tx.TenantID != t.ID {
		return Invitation{}, fmt.Errorf("invite: needs a transaction of the inviting tenant")
	}
	email, name = NormalizeEmail(email), strings.TrimSpace(name)
	f := map[string]string{}
	if !web.ValidEmail(email) {
		f["email"] = msgEmailInvalid
	}
	if !validName(name) {
		f["name"] = msgNameInvalid
	}
	if len(roles) == 0 {
		f["roles"] = msgRolesRequired
	}
	if len(f) > 0 {
		return Invitation{}, apperr.InvalidFields(f)
	}
	u, err := tx.UserGetByEmail(ctx, email)
	switch {
	case tenant.IsNoRows(err):
		if u, err = tx.UserCreate(ctx, db.UserCreateParams{Email: email, DisplayName: name}); err != nil {
			return Invitation{}, emailConflict(err)
		}
	case err != nil:
		return Invitation{}, fmt.Errorf("invite: %w", err)
	case u.DisabledAt != nil:
		return Invitation{}, apperr.New(apperr.Conflict, msgInviteDisabled)
	}
	switch old, err := tx.InvitationOpenFor(ctx, u.ID); {
	case err == nil:
		if err := s.withdraw(ctx, tx, old.ID); err != nil {
			return Invitation{}, err
		}
	case !tenant.IsNoRows(err):
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	var by *uuid.UUID
	if st := principal.StaffFrom(ctx); st != nil && st.UserID != uuid.Nil {
		id := st.UserID
		by = &id
	}
	inv, err := tx.InvitationCreate(ctx, db.InvitationCreateParams{UserID: u.ID, Email: email, Name: name,
		Roles: roles, InvitedBy: by, ValidSeconds: int32(InviteValidity / time.Second)})
	if err != nil {
		return Invitation{}, fmt.Errorf("invite: %w", err)
	}
	tokID, err := issueToken(ctx, tx, u.ID, purposeInvite, t, &inv.ID, InviteValidity)
	if err != nil {
		return Invitation{}, err
	}
	if err := s.enqueueLink(ctx, tx, tokID); err != nil {
		return Invitation{}, err
	}
	return invitationOf(inv), nil
}

// Invitations lists the open invitations of the tenant of tx, expired ones included.
func (s *Service) Invitations(ctx context.Context, tx *tenant.Tx) ([]Invitation, error) {
	rows, err := tx.InvitationsOpen(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Invitation, 0, len(rows))
	for _, r := range rows {
		out = append(out, invitationOf(r))
	}
	return out, nil
}

// RevokeInvitation withdraws an open invitation of the tenant of tx: its link stops working.
// apperr.ErrNotFound when there is none with that id (accepted, withdrawn, or another
// tenant's).
func (s *Service) RevokeInvitation(ctx context.Context, tx *tenant.Tx, id uuid.UUID) (Invitation, error) {
	r, err := tx.InvitationGet(ctx, id)
	if tenant.IsNoRows(err) || (err == nil && (r.AcceptedAt != nil || r.RevokedAt != nil)) {
		return Invitation{}, apperr.ErrNotFound
	}
	if err != nil {
		return Invitation{}, err
	}
	return invitationOf(r), s.withdraw(ctx, tx, id)
}

func (s *Service) withdraw(ctx context.Context, tx *tenant.Tx, id uuid.UUID) error {
	if _, err := tx.InvitationRevoke(ctx, id); err != nil && !tenant.IsNoRows(err) {
		return fmt.Errorf("withdraw invitation: %w", err)
	}
	return tx.UserTokensRetireInvitation(ctx, &id)
}

// invitationMessage composes the e-mail of an invitation token armed with raw; ok is false
// when the invitation was withdrawn or accepted meanwhile.
func (s *Service) invitationMessage(ctx context.Context, tx *tenant.Tx, tok db.UserToken, u db.User, t *tenant.Tenant, raw string) (mail.Message, bool, error) {
	if tok.InvitationID == nil || t == nil {
		return mail.Message{}, false, nil
	}
	inv, err := tx.InvitationGet(ctx, *tok.InvitationID)
	if tenant.IsNoRows(err) || (err == nil && (inv.AcceptedAt != nil || inv.RevokedAt != nil)) {
		return mail.Message{}, false, nil
	}
	if err != nil {
		return mail.Message{}, false, err
	}
	name := inv.Name
	if u.PasswordHash != "" {
		name = u.DisplayName
	}
	m, err := mail.Invitation(u.Email, mail.InviteData{Name: name, TenantName: t.Name, ValidFor: "7 giorni",
		HasAccount: u.PasswordHash != "", Roles: s.roleLabels(inv.Roles),
		URL: s.baseURL(t) + "/admin" + pathInvite + "?token=" + raw})
	return m, err == nil, err
}

func (s *Service) roleLabels(roles []string) string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if s.roleLabel != nil {
			r = s.roleLabel(r)
		}
		out = append(out, r)
	}
	return strings.Join(out, ", ")
}

// openInvite is a live invitation link with what its page shows.
type openInvite struct {
	token db.UserToken
	user  db.User
	inv   db.Invitation
}

// openInvitation returns the live invitation of raw on the host of t, or nil.
func (s *Service) openInvitation(ctx context.Context, raw string, t *tenant.Tenant) (*openInvite, error) {
	if t == nil {
		return nil, nil
	}
	var o *openInvite
	err := s.db.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		lt, err := liveToken(ctx, tx, raw, purposeInvite, t)
		if err != nil || lt == nil || lt.token.InvitationID == nil {
			return err
		}
		inv, err := tx.InvitationGet(ctx, *lt.token.InvitationID)
		if tenant.IsNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if inv.AcceptedAt != nil || inv.RevokedAt != nil || !inv.ExpiresAt.After(time.Now()) {
			return nil
		}
		o = &openInvite{token: lt.token, user: lt.user, inv: inv}
		return nil
	})
	return o, err
}

type invitePage struct {
	web.Page
	Token      string
	Invalid    bool // the link cannot be used
	HasAccount bool // the person confirms with the password of the account they have
	Email      string
	Name       string
	Roles      string
}

func (s *Service) inviteForm(c *fiber.Ctx) error {
	noReferrer(c)
	ctx := c.UserContext()
	raw := utils.CopyString(c.Query("token"))
	o, err := s.openInvitation(ctx, raw, tenant.FromContext(ctx))
	if err != nil {
		return err
	}
	return s.showInvite(c, fiber.StatusOK, raw, o, nil)
}

func (s *Service) showInvite(c *fiber.Ctx, status int, raw string, o *openInvite, errs map[string]string) error {
	vm := invitePage{Page: web.NewPage(c, "Accetta l'invito"), Token: raw}
	if o == nil {
		vm.Invalid, vm.Token = true, ""
		status = fiber.StatusBadRequest
	} else {
		vm.HasAccount = o.user.PasswordHash != ""
		vm.Email, vm.Roles = o.user.Email, s.roleLabels(o.inv.Roles)
		vm.Name = o.inv.Name
		if vm.HasAccount {
			vm.Name = o.user.DisplayName
		} else {
			vm.Title = "Attiva il tuo account"
		}
	}
	vm.Errors = errs
	return s.render.Render(c, status, "auth/invite", vm)
}

// errNotSpent aborts an acceptance whose link another request spent first.
var errNotSpent = errors.New("invitation link already used")

func (s *Service) acceptInvite(c *fiber.Ctx) error {
	noReferrer(c)
	ctx := c.UserContext()
	t := tenant.FromContext(ctx)
	raw := utils.CopyString(c.FormValue("token"))
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	o, err := s.openInvitation(ctx, raw, t)
	if err != nil {
		return err
	}
	if o == nil {
		return s.showInvite(c, fiber.StatusBadRequest, raw, nil, nil)
	}
	u := &o.user
	hasAccount := u.PasswordHash != ""
	var hash string
	if hasAccount {
		// The account's owner proves it with their password, counted like a login on this
		// host so that the link cannot be used to guess it.
		ip, _ := origin(c)
		refusal, err := s.confirmPassword(ctx, t, ip, u, password)
		if err != nil {
			return err
		}
		if refusal != "" {
			return s.showInvite(c, fiber.StatusUnprocessableEntity, raw, o, map[string]string{"password": refusal})
		}
	} else {
		if f := newPasswordErrors(password, confirm, u.Email); len(f) > 0 {
			return s.showInvite(c, fiber.StatusUnprocessableEntity, raw, o, f)
		}
		if hash, err = hashPassword(ctx, password); err != nil {
			return err
		}
	}
	actor := principal.WithStaff(ctx, &principal.Staff{UserID: u.ID, Email: u.Email, Name: u.DisplayName})
	err = s.roles.GrantWith(ctx, t, u.ID, o.inv.Roles, func(tx *tenant.Tx) error {
		spent, err := spendToken(ctx, tx, raw, purposeInvite)
		if err != nil {
			return err
		}
		if !spent {
			return errNotSpent
		}
		if _, err := tx.InvitationAccept(ctx, o.inv.ID); tenant.IsNoRows(err) {
			return errNotSpent
		} else if err != nil {
			return err
		}
		if !hasAccount {
			if err := setPasswordTx(ctx, tx, u.ID, hash); err != nil {
				return err
			}
		}
		return audit.Record(actor, tx, audit.Entry{Action: "auth.invite_accept", ObjectType: "user",
			ObjectID: u.ID.String(), ObjectName: u.Email,
			Changes: audit.Changes(nil, map[string]string{"Ruoli": s.roleLabels(o.inv.Roles)})})
	})
	if errors.Is(err, errNotSpent) {
		return s.showInvite(c, fiber.StatusBadRequest, raw, nil, nil)
	}
	if err != nil {
		return fmt.Errorf("accept invitation: %w", err)
	}
	if hasAccount {
		s.loginFailuresFor.clear(ctx, accountKey(t, u.Email))
		web.SetFlash(c, "success", msgInviteAccepted)
		return c.Redirect("/admin"+pathLogin, fiber.StatusSeeOther)
	}
	s.afterPasswordSet(c, u, msgAccountActive)
	return c.Redirect("/admin"+pathLogin, fiber.StatusSeeOther)
}
