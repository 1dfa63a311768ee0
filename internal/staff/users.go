package staff

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Member is a person holding at least one role in the tenant, as the tenant may see them:
// their last login and lock on this tenant's host only.
type Member struct {
	ID         uuid.UUID
	Name       string
	Email      string
	Roles      []string // role keys, in display order
	LastLogin  *time.Time
	Status     string // Italian, for display
	StatusKind string // success, info, warning, danger
	Self       bool   // the logged-in staff member
}

func memberOf(u db.AccessUserByIDRow, roles []string, self uuid.UUID, last map[uuid.UUID]time.Time, locked bool) Member {
	m := Member{ID: u.ID, Name: u.DisplayName, Email: u.Email, Roles: roles, Self: u.ID == self,
		Status: "Attivo", StatusKind: "success"}
	if at, ok := last[u.ID]; ok {
		m.LastLogin = &at
	}
	switch {
	case u.DisabledAt != nil:
		m.Status, m.StatusKind = "Disattivato", "danger"
	case locked:
		m.Status, m.StatusKind = "Accesso bloccato temporaneamente", "warning"
	case !u.HasPassword:
		m.Status, m.StatusKind = "Account non ancora attivato", "info"
	}
	return m
}

func selfID(ctx context.Context) uuid.UUID {
	if s := principal.StaffFrom(ctx); s != nil {
		return s.UserID
	}
	return uuid.Nil
}

// members lists the tenant's people, by name, reading roles as stored.
func (h *handlers) members(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant) ([]Member, error) {
	as, err := access.Assignments(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	roles := make(map[uuid.UUID][]string, len(as))
	ids := make([]uuid.UUID, 0, len(as))
	for _, a := range as {
		roles[a.UserID] = a.Roles
		ids = append(ids, a.UserID)
	}
	rows, err := tx.AccessUsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	last, err := audit.LastLogins(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	self := selfID(ctx)
	out := make([]Member, 0, len(rows))
	for _, r := range rows {
		out = append(out, memberOf(db.AccessUserByIDRow(r), roles[r.ID], self, last, h.locked(ctx, t, r.Email)))
	}
	return out, nil
}

// locked tells whether the person's logins are locked on this host; an unreachable Redis
// shows them as not locked rather than failing the page.
func (h *handlers) locked(ctx context.Context, t *tenant.Tenant, email string) bool {
	ok, err := h.Accounts.LockedOn(ctx, t, email)
	if err != nil {
		h.Log.WarnContext(ctx, "staff: lock state unknown", "err", err)
	}
	return ok
}

// member returns one person of the tenant; apperr.ErrNotFound when they hold no role in it,
// whatever they hold elsewhere.
func (h *handlers) member(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, id uuid.UUID) (Member, error) {
	roles, err := access.StoredRoles(ctx, tx, t, id)
	if err != nil {
		return Member{}, err
	}
	if len(roles) == 0 {
		return Member{}, apperr.ErrNotFound
	}
	u, err := tx.AccessUserByID(ctx, id)
	if tenant.IsNoRows(err) {
		return Member{}, apperr.ErrNotFound
	}
	if err != nil {
		return Member{}, err
	}
	last, err := audit.LastLogins(ctx, tx, []uuid.UUID{id})
	if err != nil {
		return Member{}, err
	}
	return memberOf(u, roles, selfID(ctx), last, h.locked(ctx, t, u.Email)), nil
}

// RoleOption is a checkbox of the roles fieldset.
type RoleOption struct {
	Value, Label, Help string
	Checked            bool
}

var roleHelp = map[string]string{
	access.RoleEnteAdmin:    "Gestisce gli utenti e il profilo dell'ente e consulta il registro attività.",
	access.RoleRedattore:    "Prepara e aggiorna le schede dei servizi; non può pubblicarle.",
	access.RoleResponsabile: "Approva e pubblica la Carta, cura la relazione annuale e il piano di miglioramento.",
	access.RoleURP:          "Riceve i reclami e le segnalazioni dei cittadini e ne segue la risposta.",
	access.RoleRevisore:     "Consulta i contenuti e il registro attività in sola lettura.",
}

func roleOptions(checked []string) []RoleOption {
	out := make([]RoleOption, 0, len(access.TenantRoles))
	for _, r := range access.TenantRoles {
		out = append(out, RoleOption{Value: r, Label: access.RoleLabel(r), Help: roleHelp[r], Checked: slices.Contains(checked, r)})
	}
	return out
}

// Messages of the forms.
const (
	msgEmail        = "Inserisci un indirizzo email valido, per esempio nome.cognome@comune.it."
	msgName         = "Inserisci nome e cognome (al massimo 200 caratteri)."
	msgRolesNone    = "Scegli almeno un ruolo."
	msgRolesKeep    = "Scegli almeno un ruolo. Per togliere la persona dall'ente usa «Rimuovi dall'ente»."
	msgRolesUnknown = "Uno dei ruoli scelti non esiste: ricarica la pagina e riprova."
	msgAlready      = "Questa persona fa già parte dell'ente: cambia i suoi ruoli dalla sua scheda."
	msgLastAdminMe  = "Sei l'unico amministratore dell'ente: non puoi togliere a te stesso questo ruolo. Prima assegnalo a un'altra persona."
	msgLastAdmin    = "È l'unico amministratore dell'ente: prima assegna questo ruolo a un'altra persona."
)

// formRoles reads the checked roles; bad reports a value that is no tenant role.
func formRoles(c *fiber.Ctx) (roles []string, bad bool) {
	var vals []string
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		if f, err := c.MultipartForm(); err == nil {
			vals = f.Value["roles"]
		}
	} else {
		for _, v := range c.Request().PostArgs().PeekMulti("roles") {
			vals = append(vals, string(v)) // copied: fasthttp reuses the buffer
		}
	}
	for _, v := range vals {
		v = strings.Clone(v)
		if !access.ValidTenantRole(v) {
			bad = true
			continue
		}
		if !slices.Contains(roles, v) {
			roles = append(roles, v)
		}
	}
	return roles, bad
}

func validName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= 200 && !strings.ContainsFunc(s, unicode.IsControl)
}

func requestTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		// The users section belongs to a tenant's staff area: the platform host has none.
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

// fieldErrors returns the per-field messages of err when it is a validation error.
func fieldErrors(err error) (map[string]string, bool) {
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 && (ae.Kind == apperr.Invalid || ae.Kind == apperr.Conflict) {
		return ae.Fields, true
	}
	return nil, false
}

// ---- list ----

type listPage struct {
	web.Page
	Members     []Member
	Invitations []auth.Invitation
	CanWrite    bool
}

func (h *handlers) list(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vm := &listPage{Page: h.page(c, "Utenti", web.Crumb{Label: "Utenti"}), CanWrite: h.Access.Can(ctx, access.UsersWrite)}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if vm.Members, err = h.members(ctx, tx, t); err != nil {
			return err
		}
		vm.Invitations, err = h.Accounts.Invitations(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	return h.Render.Render(c, fiber.StatusOK, "staff/users", vm)
}

// ---- invite ----

type invitePage struct {
	web.Page
	Roles []RoleOption
}

func (h *handlers) invitePage(c *fiber.Ctx) *invitePage {
	return &invitePage{Page: h.page(c, "Invita una persona",
		web.Crumb{Label: "Utenti", URL: "/admin/utenti"}, web.Crumb{Label: "Invita una persona"})}
}

func (h *handlers) inviteForm(c *fiber.Ctx) error {
	if _, err := requestTenant(c); err != nil {
		return err
	}
	vm := h.invitePage(c)
	vm.Roles = roleOptions(nil)
	return h.Render.Render(c, fiber.StatusOK, "staff/invite", vm)
}

func (h *handlers) invite(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	email := strings.ToLower(strings.TrimSpace(strings.Clone(c.FormValue("email"))))
	name := strings.TrimSpace(strings.Clone(c.FormValue("name")))
	roles, bad := formRoles(c)

	errs := map[string]string{}
	if !web.ValidEmail(email) {
		errs["email"] = msgEmail
	}
	if !validName(name) {
		errs["name"] = msgName
	}
	switch {
	case bad:
		errs["roles"] = msgRolesUnknown
	case len(roles) == 0:
		errs["roles"] = msgRolesNone
	}
	if len(errs) == 0 {
		err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			switch u, err := tx.AccessUserByEmail(ctx, email); {
			case err == nil:
				current, err := access.StoredRoles(ctx, tx, t, u.ID)
				if err != nil {
					return err
				}
				if len(current) > 0 {
					return apperr.InvalidFields(map[string]string{"email": msgAlready})
				}
			case !tenant.IsNoRows(err):
				return err
			}
			inv, err := h.Accounts.Invite(ctx, tx, t, email, name, roles)
			if err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{
				Action: "user.invite", ObjectType: "invitation", ObjectID: inv.ID.String(), ObjectName: email,
				Changes: audit.Changes(nil, map[string]string{"Nome": name, "Email": email, "Ruoli": audit.Join(roles, access.RoleLabel)}),
				Details: map[string]any{"email": email, "name": name, "roles": roles},
			})
		})
		if f, ok := fieldErrors(err); ok {
			errs = f
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		vm := h.invitePage(c)
		vm.Errors = errs
		vm.Form = map[string]string{"email": email, "name": name}
		vm.Roles = roleOptions(roles)
		return h.Render.Render(c, fiber.StatusUnprocessableEntity, "staff/invite", vm)
	}
	web.SetFlash(c, "success", "Invito inviato a "+email+": riceverà i ruoli quando lo accetterà.")
	return c.Redirect("/admin/utenti", fiber.StatusSeeOther)
}

// revoke withdraws an open invitation: its link stops working.
func (h *handlers) revoke(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var inv auth.Invitation
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if inv, err = h.Accounts.RevokeInvitation(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{
			Action: "user.invite_revoke", ObjectType: "invitation", ObjectID: id.String(), ObjectName: inv.Email,
			Changes: audit.Changes(map[string]string{"Nome": inv.Name, "Email": inv.Email, "Ruoli": audit.Join(inv.Roles, access.RoleLabel)}, nil),
		})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Invito a "+inv.Email+" ritirato: il collegamento non funziona più.")
	return c.Redirect("/admin/utenti", fiber.StatusSeeOther)
}

// ---- one user ----

type userPage struct {
	web.Page
	Member Member
	Roles  []RoleOption
}

func (h *handlers) userPage(c *fiber.Ctx, m Member) *userPage {
	return &userPage{Page: h.page(c, m.Name,
		web.Crumb{Label: "Utenti", URL: "/admin/utenti"}, web.Crumb{Label: m.Name}), Member: m}
}

func paramID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, apperr.ErrNotFound
	}
	return id, nil
}

func (h *handlers) edit(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var m Member
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		m, err = h.member(ctx, tx, t, id)
		return err
	})
	if err != nil {
		return err
	}
	vm := h.userPage(c, m)
	vm.Roles = roleOptions(m.Roles)
	return h.Render.Render(c, fiber.StatusOK, "staff/user", vm)
}

func (h *handlers) save(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	roles, bad := formRoles(c)
	var m Member
	var added, removed []string
	err = h.Access.ChangeRoles(ctx, t, func(tx *tenant.Tx, rt *access.RoleTx) error {
		if m, err = h.member(ctx, tx, t, id); err != nil {
			return err
		}
		switch {
		case bad:
			return apperr.InvalidFields(map[string]string{"roles": msgRolesUnknown})
		case len(roles) == 0:
			return apperr.InvalidFields(map[string]string{"roles": msgRolesKeep})
		}
		added, removed, err = rt.Set(ctx, id, roles)
		if errors.Is(err, access.ErrLastAdmin) {
			msg := msgLastAdmin
			if m.Self {
				msg = msgLastAdminMe
			}
			return apperr.InvalidFields(map[string]string{"roles": msg})
		}
		if err != nil || len(added)+len(removed) == 0 {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{
			Action: "user.roles", ObjectType: "user", ObjectID: id.String(), ObjectName: m.Email,
			Changes: audit.Changes(map[string]string{"Ruoli": audit.Join(m.Roles, access.RoleLabel)}, map[string]string{"Ruoli": audit.Join(roles, access.RoleLabel)}),
			Details: map[string]any{"email": m.Email, "added": added, "removed": removed},
		})
	})
	if f, ok := fieldErrors(err); ok {
		vm := h.userPage(c, m)
		vm.Errors = f
		vm.Roles = roleOptions(roles)
		return h.Render.Render(c, fiber.StatusUnprocessableEntity, "staff/user", vm)
	}
	if err != nil {
		return err
	}
	if len(added)+len(removed) == 0 {
		web.SetFlash(c, "info", "Nessuna modifica: i ruoli erano già questi.")
	} else {
		web.SetFlash(c, "success", "Ruoli di "+m.Name+" aggiornati.")
	}
	// Whoever just gave up their own admin role can no longer see the list.
	if m.Self && !h.Access.Can(ctx, access.UsersRead) {
		return c.Redirect("/admin", fiber.StatusSeeOther)
	}
	return c.Redirect("/admin/utenti", fiber.StatusSeeOther)
}

func (h *handlers) remove(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	back := "/admin/utenti/" + id.String()
	if id == selfID(ctx) {
		web.SetFlash(c, "danger", "Non puoi rimuovere te stesso dall'ente: chiedi a un altro amministratore.")
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	var m Member
	err = h.Access.ChangeRoles(ctx, t, func(tx *tenant.Tx, rt *access.RoleTx) error {
		if m, err = h.member(ctx, tx, t, id); err != nil {
			return err
		}
		_, removed, err := rt.Set(ctx, id, nil)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{
			Action: "user.remove", ObjectType: "user", ObjectID: id.String(), ObjectName: m.Email,
			Changes: audit.Changes(map[string]string{"Nome": m.Name, "Ruoli": audit.Join(m.Roles, access.RoleLabel)}, nil),
			Details: map[string]any{"email": m.Email, "removed": removed},
		})
	})
	if errors.Is(err, access.ErrLastAdmin) {
		web.SetFlash(c, "danger", msgLastAdmin)
		return c.Redirect(back, fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	// Their sessions on this tenant's host end now; those on other hosts are not this
	// tenant's to end.
	if err := h.Accounts.RevokeTenantSessions(ctx, id, t); err != nil {
		h.Log.ErrorContext(ctx, "staff: sessions of a removed user not revoked", "user_id", id, "err", err)
	}
	web.SetFlash(c, "success", m.Name+" non fa più parte dell'ente.")
	return c.Redirect("/admin/utenti", fiber.StatusSeeOther)
}
