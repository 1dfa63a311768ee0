package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// Deps are what the enforcer needs. Redis may be nil (a process that serves nobody else):
// its changes then reach running replicas only at their periodic reload.
type Deps struct {
	DB    *tenant.DB
	Redis *redis.Client
	Log   *slog.Logger

	// Channel is the pub/sub channel (DefaultChannel when empty).
	Channel string
	// ReloadEvery is a safety-net full reload, for a change whose announcement was lost
	// (default 5 minutes; negative disables it).
	ReloadEvery time.Duration
}

// Enforcer decides with Casbin and keeps the policy in memory, in step with casbin_rule.
//
// Two write paths exist. Grant and Revoke use Casbin's auto-save: the adapter writes the rule,
// memory follows, the watcher tells the other replicas. Changes that must commit together
// with an audit entry (the staff area, `carta user grant`) run in the caller's tenant
// transaction through ChangeRoles; after the commit the policy is reloaded here and
// announced. Every write and every reload holds wmu, so a reload can never apply a snapshot
// older than a write it raced with.
type Enforcer struct {
	ce      *casbin.SyncedEnforcer
	db      *tenant.DB
	watcher *Watcher
	log     *slog.Logger

	wmu      sync.Mutex
	reloadCh chan struct{}
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	oversee  map[string]bool
}

var _ Checker = (*Enforcer)(nil)

// New syncs the role template to the database, loads the policy and, with Redis, starts
// listening for other replicas' changes. Close stops it.
func New(ctx context.Context, d Deps) (*Enforcer, error) {
	if d.DB == nil {
		return nil, errors.New("access.New: no database")
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Channel == "" {
		d.Channel = DefaultChannel
	}
	if d.ReloadEvery == 0 {
		d.ReloadEvery = 5 * time.Minute
	}
	changed, err := syncTemplate(ctx, d.DB)
	if err != nil {
		return nil, fmt.Errorf("access: sync role template: %w", err)
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("access: model: %w", err)
	}
	ce, err := casbin.NewSyncedEnforcer(m, NewAdapter(d.DB)) // loads the policy
	if err != nil {
		return nil, fmt.Errorf("access: load policy: %w", err)
	}
	ce.EnableAutoSave(true)
	// Announcements are sent by hand after each write, so that a Redis failure is logged
	// instead of being reported as a failed (but committed) change.
	ce.EnableAutoNotifyWatcher(false)

	e := &Enforcer{
		ce: ce, db: d.DB, log: d.Log,
		reloadCh: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		oversee: oversightRoles(),
	}
	go e.reloader(d.ReloadEvery)
	if d.Redis != nil {
		// The watcher is not handed to Casbin: announcements are sent by hand (see above) and
		// the callback goes through the reloader, which serialises reloads with writes.
		e.watcher = NewWatcher(d.Redis, d.Channel, d.Log)
		_ = e.watcher.SetUpdateCallback(func(string) { e.requestReload() })
		select {
		case <-e.watcher.Subscribed():
			// Subscribed before the callback was set: a message may have been dropped.
			e.requestReload()
		default: // the subscription's own notification will ask for the reload
		}
	}
	if changed {
		e.announce()
	}
	return e, nil
}

// Close stops the watcher and the reloader.
func (e *Enforcer) Close() {
	e.once.Do(func() {
		if e.watcher != nil {
			e.watcher.Close()
		}
		close(e.stop)
		<-e.done
	})
}

// Watcher returns the enforcer's watcher, nil without Redis.
func (e *Enforcer) Watcher() *Watcher { return e.watcher }

func (e *Enforcer) requestReload() {
	select {
	case e.reloadCh <- struct{}{}:
	default: // one is pending already: it will read the newest state
	}
}

func (e *Enforcer) reloader(every time.Duration) {
	defer close(e.done)
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-e.stop:
			return
		case <-e.reloadCh:
		case <-tick:
		}
		if err := e.Reload(); err != nil {
			e.log.Error("access: reload policy", "err", err)
		}
	}
}

// Reload reads the whole policy from the database.
func (e *Enforcer) Reload() error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	return e.ce.LoadPolicy()
}

func (e *Enforcer) announce() {
	if e.watcher == nil {
		return
	}
	if err := e.watcher.Update(); err != nil {
		// The change is stored; other replicas pick it up when their subscription comes back
		// or at the periodic reload.
		e.log.Warn("access: cannot announce a policy change", "err", err)
	}
}

// syncTemplate makes the stored p rules equal to the template, idempotently.
func syncTemplate(ctx context.Context, d *tenant.DB) (changed bool, err error) {
	want := templateRules()
	err = d.InSystemTx(ctx, func(tx *tenant.Tx) error {
		if err := tx.CasbinTemplateLock(ctx); err != nil {
			return err
		}
		rows, err := tx.CasbinRuleListByPtype(ctx, "p")
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, r := range rows {
			rule := []string{r.V0, r.V1, r.V2, r.V3}
			k := ruleKey(rule)
			have[k] = true
			if r.V4 != "" || r.V5 != "" || !slices.ContainsFunc(want, func(w []string) bool { return ruleKey(w) == k }) {
				if _, err := tx.CasbinRuleDelete(ctx, db.CasbinRuleDeleteParams(r)); err != nil {
					return err
				}
				changed = true
			}
		}
		var add []ptypeRule
		for _, w := range want {
			if !have[ruleKey(w)] {
				add = append(add, ptypeRule{"p", w})
			}
		}
		if len(add) > 0 {
			changed = true
		}
		return insertRules(ctx, tx, add)
	})
	return changed, err
}

// Subject is the Casbin subject of a user.
func Subject(userID uuid.UUID) string { return "user:" + userID.String() }

// DomainOf is the Casbin domain of a tenant: its id, or "platform" for the platform host (nil).
func DomainOf(t *tenant.Tenant) string {
	if t == nil {
		return PlatformDomain
	}
	return t.ID.String()
}

func ambitoOf(t *tenant.Tenant) string {
	if t == nil || t.Ambito == nil {
		return ""
	}
	return t.Ambito.ID.String()
}

// Allowed reports whether userID may do p on tenant t (nil: the platform host).
func (e *Enforcer) Allowed(userID uuid.UUID, t *tenant.Tenant, p Perm) (bool, error) {
	return e.ce.Enforce(Subject(userID), DomainOf(t), ambitoOf(t), p.Obj, p.Act)
}

// Can is Allowed for the staff member and tenant of ctx, for menus and buttons: false when
// nobody is logged in or on error.
func (e *Enforcer) Can(ctx context.Context, p Perm) bool {
	s := principal.StaffFrom(ctx)
	if s == nil {
		return false
	}
	ok, err := e.Allowed(s.UserID, tenant.FromContext(ctx), p)
	if err != nil {
		e.log.Error("access: enforce", "perm", p.String(), "err", err)
		return false
	}
	return ok
}

// errForbidden is what a staff member sees on a page their roles do not open.
var errForbidden = apperr.New(apperr.Forbidden, "Non hai i permessi per questa pagina.")

// Require lets the request through only when the logged-in staff member holds p in the
// request's tenant (or, for oversight permissions, in its ambito). It also fills Staff.Roles,
// for display.
func (e *Enforcer) Require(p Perm) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		s := principal.StaffFrom(ctx)
		if s == nil {
			return apperr.New(apperr.Unauthorized, "Accedi per continuare.")
		}
		t := tenant.FromContext(ctx)
		ok, err := e.Allowed(s.UserID, t, p)
		if err != nil {
			return apperr.Wrap(apperr.Internal, "Non è stato possibile verificare i permessi.", err)
		}
		if !ok {
			return errForbidden
		}
		s.Roles = e.displayRoles(s.UserID, t)
		return c.Next()
	}
}

// displayRoles are the roles held in t and, when they grant oversight there, in t's ambito.
func (e *Enforcer) displayRoles(userID uuid.UUID, t *tenant.Tenant) []string {
	roles := e.RolesOf(userID, DomainOf(t))
	if amb := ambitoOf(t); amb != "" {
		for _, r := range e.RolesOf(userID, amb) {
			if e.oversee[r] && !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	return sortRoles(roles)
}

// HasAnyRole reports whether userID may log in on t's host: a role held in t; or a role held
// in t's ambito that grants oversight of member comuni (the capofila's ambito staff reading a
// member's reports and complaints). On the platform host (t nil) only platform_admin counts.
// A role in the ambito that grants nothing in members (e.g. redattore) does not open the
// comune's staff area: it would lead only to "no permission" pages.
func (e *Enforcer) HasAnyRole(ctx context.Context, userID uuid.UUID, t *tenant.Tenant) (bool, error) {
	if t == nil {
		return slices.Contains(e.RolesOf(userID, PlatformDomain), RolePlatformAdmin), nil
	}
	if len(e.RolesOf(userID, DomainOf(t))) > 0 {
		return true, nil
	}
	if amb := ambitoOf(t); amb != "" {
		for _, r := range e.RolesOf(userID, amb) {
			if e.oversee[r] {
				return true, nil
			}
		}
	}
	return false, nil
}

// RolesOf returns the roles userID holds in domain (a tenant id or "platform"), in the order
// of TenantRoles.
func (e *Enforcer) RolesOf(userID uuid.UUID, domain string) []string {
	return sortRoles(e.ce.GetRolesForUserInDomain(Subject(userID), domain))
}

// UsersOf returns the users holding at least one role in domain.
func (e *Enforcer) UsersOf(domain string) []uuid.UUID {
	rules, err := e.ce.GetFilteredGroupingPolicy(2, domain)
	if err != nil {
		return nil
	}
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, r := range rules {
		id, ok := parseSubject(r[0])
		if ok && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func parseSubject(s string) (uuid.UUID, bool) {
	rest, ok := strings.CutPrefix(s, "user:")
	if !ok {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(rest)
	return id, err == nil
}

// sortRoles orders roles as TenantRoles, platform_admin first, unknown ones last.
func sortRoles(roles []string) []string {
	rank := func(r string) int {
		if r == RolePlatformAdmin {
			return -1
		}
		if i := slices.Index(TenantRoles, r); i >= 0 {
			return i
		}
		return len(TenantRoles)
	}
	out := slices.Clone(roles)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		return out[i] < out[j]
	})
	return out
}

// checkRoleDomain validates a role for a domain, with the messages the CLI shows.
func checkRoleDomain(role, domain string) error {
	switch {
	case role == RolePlatformAdmin:
		if domain != PlatformDomain {
			return apperr.New(apperr.Invalid, "Il ruolo platform_admin si assegna solo sulla piattaforma (ente «platform» o nessun ente), mai in un ente.")
		}
	case ValidTenantRole(role):
		if domain == PlatformDomain || domain == "" {
			return apperr.New(apperr.Invalid, "Il ruolo «"+role+"» si assegna in un ente: indica l'ente.")
		}
		if _, err := uuid.Parse(domain); err != nil {
			return apperr.New(apperr.Invalid, "Ente non valido: «"+domain+"».")
		}
	default:
		return apperr.New(apperr.Invalid, "Ruolo sconosciuto «"+role+"». Ruoli possibili: "+
			strings.Join(append([]string{RolePlatformAdmin}, TenantRoles...), ", ")+".")
	}
	return nil
}

// Grant gives userID role in domain (a tenant id, or "platform" for platform_admin). Granting
// a role already held is not an error. The caller records the audit entry when it has one to
// record; ChangeRoles does both in one transaction.
func (e *Enforcer) Grant(ctx context.Context, userID uuid.UUID, role, domain string) error {
	if err := checkRoleDomain(role, domain); err != nil {
		return err
	}
	if err := e.checkTargets(ctx, userID, domain); err != nil {
		return err
	}
	e.wmu.Lock()
	ok, err := e.ce.AddGroupingPolicy(Subject(userID), role, domain)
	e.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("grant %s in %s: %w", role, domain, err)
	}
	if ok {
		e.announce()
	}
	return nil
}

// Revoke takes role in domain away from userID. Revoking a role not held is not an error.
// It does not protect the last ente admin: ChangeRoles does.
func (e *Enforcer) Revoke(ctx context.Context, userID uuid.UUID, role, domain string) error {
	e.wmu.Lock()
	ok, err := e.ce.RemoveGroupingPolicy(Subject(userID), role, domain)
	e.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("revoke %s in %s: %w", role, domain, err)
	}
	if ok {
		e.announce()
	}
	return nil
}

// checkTargets makes sure the user and, for a tenant domain, the tenant exist.
func (e *Enforcer) checkTargets(ctx context.Context, userID uuid.UUID, domain string) error {
	return e.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		if _, err := tx.AccessUserByID(ctx, userID); tenant.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "Utente sconosciuto.")
		} else if err != nil {
			return err
		}
		if domain == PlatformDomain {
			return nil
		}
		id, _ := uuid.Parse(domain)
		if _, err := tx.TenantGetByID(ctx, id); tenant.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "Ente sconosciuto.")
		} else if err != nil {
			return err
		}
		return nil
	})
}

// GrantByEmail is `carta user grant`: it gives the user with that e-mail a role in the tenant
// with that slug ("platform" or empty for platform_admin). A tenant grant is recorded in the
// tenant's audit trail, with the actor label of ctx (audit.WithActorLabel).
func (e *Enforcer) GrantByEmail(ctx context.Context, email, tenantSlug, role string) error {
	return e.changeByEmail(ctx, email, tenantSlug, role, true)
}

// RevokeByEmail is `carta user revoke`, the reverse of GrantByEmail. Revoking the last ente
// admin of a tenant is refused (ErrLastAdmin).
func (e *Enforcer) RevokeByEmail(ctx context.Context, email, tenantSlug, role string) error {
	return e.changeByEmail(ctx, email, tenantSlug, role, false)
}

func (e *Enforcer) changeByEmail(ctx context.Context, email, tenantSlug, role string, grant bool) error {
	email = strings.ToLower(strings.TrimSpace(email))
	tenantSlug = strings.TrimSpace(tenantSlug)
	role = strings.TrimSpace(role)
	platform := tenantSlug == "" || tenantSlug == PlatformDomain
	switch {
	case role != RolePlatformAdmin && !ValidTenantRole(role):
		return checkRoleDomain(role, "")
	case role == RolePlatformAdmin && !platform:
		return apperr.New(apperr.Invalid, "Il ruolo platform_admin si assegna solo sulla piattaforma: ometti l'ente o usa «platform».")
	case role != RolePlatformAdmin && platform:
		return apperr.New(apperr.Invalid, "Il ruolo «"+role+"» si assegna in un ente: indica lo slug dell'ente.")
	}

	var userID uuid.UUID
	var t *tenant.Tenant
	err := e.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		u, err := tx.AccessUserByEmail(ctx, email)
		if tenant.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "Nessun utente con e-mail «"+email+"»: crealo prima.")
		} else if err != nil {
			return err
		}
		userID = u.ID
		if platform {
			return nil
		}
		r, err := tx.TenantGetBySlug(ctx, tenantSlug)
		if tenant.IsNoRows(err) {
			return apperr.New(apperr.NotFound, "Nessun ente con slug «"+tenantSlug+"».")
		} else if err != nil {
			return err
		}
		t = &tenant.Tenant{ID: r.ID, Slug: r.Slug, Kind: tenant.Kind(r.Kind), Name: r.Name}
		return nil
	})
	if err != nil {
		return err
	}
	if t == nil {
		if grant {
			return e.Grant(ctx, userID, RolePlatformAdmin, PlatformDomain)
		}
		return e.Revoke(ctx, userID, RolePlatformAdmin, PlatformDomain)
	}
	return e.ChangeRoles(ctx, t, func(tx *tenant.Tx, rt *RoleTx) error {
		current, err := rt.Roles(ctx, userID)
		if err != nil {
			return err
		}
		if slices.Contains(current, role) == grant {
			return nil // already as asked
		}
		next := append(slices.Clone(current), role)
		action := "user.grant"
		if !grant {
			next = slices.DeleteFunc(slices.Clone(current), func(r string) bool { return r == role })
			action = "user.revoke"
		}
		if _, _, err := rt.Set(ctx, userID, next); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{
			Action: action, ObjectType: "user", ObjectID: userID.String(), ObjectName: email,
			Changes: audit.Changes(map[string]string{"Ruoli": audit.Join(current, RoleLabel)}, map[string]string{"Ruoli": audit.Join(next, RoleLabel)}),
			Details: map[string]any{"email": email, "role": role},
		})
	})
}

// ErrLastAdmin is returned when a change would leave a tenant without an ente admin.
var ErrLastAdmin = apperr.New(apperr.Conflict, "L'ente deve avere almeno un amministratore: nomina prima un altro amministratore dell'ente.")

// RoleTx changes role assignments in one tenant inside a transaction of that tenant; see
// ChangeRoles.
type RoleTx struct {
	tx      *tenant.Tx
	domain  string
	changed bool
}

// ChangeRoles runs fn in one transaction of tenant t, in which fn may change roles through rt
// and record audit entries through tx: both commit or neither does. After the commit the
// policy is reloaded here and the change announced to the other replicas.
func (e *Enforcer) ChangeRoles(ctx context.Context, t *tenant.Tenant, fn func(tx *tenant.Tx, rt *RoleTx) error) error {
	if t == nil {
		return errors.New("access.ChangeRoles: no tenant")
	}
	rt := &RoleTx{domain: DomainOf(t)}
	err := e.db.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		rt.tx = tx
		return fn(tx, rt)
	})
	rt.tx = nil
	if err != nil || !rt.changed {
		return err
	}
	if err := e.Reload(); err != nil {
		// Stored, but this replica's memory is behind until the next reload: say so loudly
		// and ask for another one.
		e.log.Error("access: reload after a role change", "err", err)
		e.requestReload()
	}
	e.announce()
	return nil
}

// Roles returns the roles userID holds in the tenant, as stored, in display order.
func (rt *RoleTx) Roles(ctx context.Context, userID uuid.UUID) ([]string, error) {
	return storedRoles(ctx, rt.tx, rt.domain, userID)
}

// StoredRoles returns the roles userID holds in t as stored, read in the caller's transaction
// (what was just written is visible, unlike in the memory of a replica that has not reloaded
// yet), in display order.
func StoredRoles(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, userID uuid.UUID) ([]string, error) {
	return storedRoles(ctx, tx, DomainOf(t), userID)
}

func storedRoles(ctx context.Context, tx *tenant.Tx, domain string, userID uuid.UUID) ([]string, error) {
	roles, err := tx.AccessRolesOf(ctx, db.AccessRolesOfParams{Domain: domain, Subject: Subject(userID)})
	if err != nil {
		return nil, err
	}
	return sortRoles(roles), nil
}

// Set makes userID hold exactly roles in the tenant (none: remove the user from it). Roles must
// be tenant roles. It refuses, with ErrLastAdmin, a change that would leave the tenant without
// an ente admin.
func (rt *RoleTx) Set(ctx context.Context, userID uuid.UUID, roles []string) (added, removed []string, err error) {
	want := map[string]bool{}
	for _, r := range roles {
		if !ValidTenantRole(r) {
			return nil, nil, checkRoleDomain(r, rt.domain)
		}
		want[r] = true
	}
	current, err := rt.Roles(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range current {
		if !want[r] {
			removed = append(removed, r)
		}
	}
	for _, r := range TenantRoles {
		if want[r] && !slices.Contains(current, r) {
			added = append(added, r)
		}
	}
	if slices.Contains(removed, RoleEnteAdmin) {
		holders, err := rt.tx.AccessLockRoleHolders(ctx, db.AccessLockRoleHoldersParams{Role: RoleEnteAdmin, Domain: rt.domain})
		if err != nil {
			return nil, nil, err
		}
		others := 0
		for _, h := range holders {
			if h != Subject(userID) {
				others++
			}
		}
		if others == 0 {
			return nil, nil, ErrLastAdmin
		}
	}
	sub := Subject(userID)
	for _, r := range removed {
		if err := deleteRule(ctx, rt.tx, "g", []string{sub, r, rt.domain}); err != nil {
			return nil, nil, err
		}
	}
	var add []ptypeRule
	for _, r := range added {
		add = append(add, ptypeRule{"g", []string{sub, r, rt.domain}})
	}
	if err := insertRules(ctx, rt.tx, add); err != nil {
		return nil, nil, err
	}
	if len(added)+len(removed) > 0 {
		rt.changed = true
	}
	return added, removed, nil
}

// Assignment is a user's roles in a tenant, as stored.
type Assignment struct {
	UserID uuid.UUID
	Roles  []string
}

// Assignments returns every user with a role in t and their roles, as stored, read in the
// caller's transaction.
func Assignments(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant) ([]Assignment, error) {
	rows, err := tx.AccessDomainAssignments(ctx, DomainOf(t))
	if err != nil {
		return nil, err
	}
	var out []Assignment
	idx := map[uuid.UUID]int{}
	for _, r := range rows {
		id, ok := parseSubject(r.Subject)
		if !ok {
			continue
		}
		i, seen := idx[id]
		if !seen {
			i = len(out)
			idx[id] = i
			out = append(out, Assignment{UserID: id})
		}
		out[i].Roles = append(out[i].Roles, r.Role)
	}
	for i := range out {
		out[i].Roles = sortRoles(out[i].Roles)
	}
	return out, nil
}

// GrantWith runs fn and then gives userID roles in t, besides those they already hold, in one
// transaction of t (an accepted invitation: the roles come with the acceptance, or not at
// all). Roles that are no longer tenant roles are skipped.
func (e *Enforcer) GrantWith(ctx context.Context, t *tenant.Tenant, userID uuid.UUID, roles []string, fn func(tx *tenant.Tx) error) error {
	return e.ChangeRoles(ctx, t, func(tx *tenant.Tx, rt *RoleTx) error {
		if err := fn(tx); err != nil {
			return err
		}
		current, err := rt.Roles(ctx, userID)
		if err != nil {
			return err
		}
		for _, r := range roles {
			if ValidTenantRole(r) && !slices.Contains(current, r) {
				current = append(current, r)
			}
		}
		_, _, err = rt.Set(ctx, userID, current)
		return err
	})
}

// Recipients returns the e-mail addresses of the active people holding role in t, read in the
// caller's transaction: whom a domain notifies (the URP of a complaint's deadline).
func Recipients(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, role string) ([]string, error) {
	as, err := Assignments(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, a := range as {
		if slices.Contains(a.Roles, role) {
			ids = append(ids, a.UserID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.AccessUsersByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows {
		if r.DisabledAt == nil && r.HasPassword {
			out = append(out, r.Email)
		}
	}
	return out, nil
}
