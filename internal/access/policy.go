package access

import (
	"sort"
)

// PlatformDomain is the domain of the platform's own administration (the admin host).
const PlatformDomain = "platform"

// modelText is the Casbin model: RBAC with domains, plus the ambito of the tenant being
// accessed.
//
// A request is (user, domain, ambito, object, action): domain is the tenant whose page is asked
// for (or "platform"), ambito the id of that tenant's ambito ("" when it has none). A rule is
// (role, object, action, scope). A role held in the request's domain grants the role's "own"
// rules; a role held in the tenant's ambito grants only its "member" rules: that is how the
// capofila's ambito staff oversee member comuni without acting on them.
const modelText = `
[request_definition]
r = sub, dom, amb, obj, act

[policy_definition]
p = sub, obj, act, scope

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.obj == p.obj && r.act == p.act && ((p.scope == "own" && g(r.sub, p.sub, r.dom)) || (p.scope == "member" && r.amb != "" && g(r.sub, p.sub, r.amb)))
`

// Scopes of a rule in the template.
const (
	ScopeOwn    = "own"    // granted by a role held in the tenant itself
	ScopeMember = "member" // granted by a role held in the tenant's ambito
)

// RolePerms is what one role may do: Own in the tenant where the role is held, Member in the
// comuni of the ambito where it is held.
type RolePerms struct {
	Own    []Perm
	Member []Perm
}

// template is the whole role → permission table. It is code, reviewed like code, and copied to
// the casbin_rule table at start (ptype p rows, no domain). A new permission is added here
// next to the roles that hold it; the role matrix test in policy_test.go must be updated in
// the same change, or it fails.
var template = map[string]RolePerms{
	RolePlatformAdmin: {
		// The platform's operator creates tenants; it holds no permission in any tenant, so it
		// never reads a tenant's data.
		Own: []Perm{TenantsRead, TenantsWrite},
	},
	RoleEnteAdmin: {
		// APIKeysWrite: the keys of the Open311 endpoint, through which client applications
		// file complaints for the tenant.
		Own: []Perm{DashboardRead, ProfileRead, ProfileWrite, UsersRead, UsersWrite, AuditRead, CatalogRead, APIKeysWrite},
	},
	RoleRedattore: {
		// Edits the draft; cannot publish it.
		Own: []Perm{DashboardRead, CatalogRead, CatalogWrite, QualityWrite},
	},
	RoleResponsabile: {
		// Member: the capofila's ambito staff open a member comune's dashboard, which shows
		// what their oversight reads there and sends them to the ambito's staff area.
		Own:    []Perm{DashboardRead, ProfileRead, CatalogRead, CatalogWrite, CatalogPublish, ReportsRead, ComplaintsRead, ComplaintsInbox, ComplaintsWrite, QualityWrite},
		Member: []Perm{DashboardRead, ReportsRead, ComplaintsRead},
	},
	RoleURP: {
		Own:    []Perm{DashboardRead, CatalogRead, ReportsRead, ComplaintsRead, ComplaintsInbox, ComplaintsWrite},
		Member: []Perm{DashboardRead, ReportsRead, ComplaintsRead},
	},
	RoleRevisore: {
		Own:    []Perm{DashboardRead, ProfileRead, AuditRead, CatalogRead, ReportsRead, ComplaintsRead, ComplaintsInbox},
		Member: []Perm{DashboardRead, ReportsRead, ComplaintsRead},
	},
}

// templateRules returns the template as Casbin p rules (role, obj, act, scope), sorted.
func templateRules() [][]string {
	var out [][]string
	for role, rp := range template {
		for _, p := range rp.Own {
			out = append(out, []string{role, p.Obj, p.Act, ScopeOwn})
		}
		for _, p := range rp.Member {
			out = append(out, []string{role, p.Obj, p.Act, ScopeMember})
		}
	}
	sort.Slice(out, func(i, j int) bool { return ruleKey(out[i]) < ruleKey(out[j]) })
	return out
}

func ruleKey(r []string) string {
	k := ""
	for _, v := range r {
		k += v + "\x00"
	}
	return k
}

// Template returns a copy of the role → permission table, for documentation pages and tests.
func Template() map[string]RolePerms {
	out := make(map[string]RolePerms, len(template))
	for role, rp := range template {
		out[role] = RolePerms{Own: append([]Perm(nil), rp.Own...), Member: append([]Perm(nil), rp.Member...)}
	}
	return out
}

// Granted reports whether some role holds p, in any scope. A route guarded by a permission
// that no role holds is unreachable, which is a defect as much as an unguarded route.
func Granted(p Perm) bool {
	for _, rp := range template {
		for _, q := range rp.Own {
			if q == p {
				return true
			}
		}
		for _, q := range rp.Member {
			if q == p {
				return true
			}
		}
	}
	return false
}

// oversightRoles are the roles that grant something in the comuni of the ambito where they are
// held: holding one of them in a comune's ambito is reason enough to log in on that comune.
func oversightRoles() map[string]bool {
	out := map[string]bool{}
	for role, rp := range template {
		if len(rp.Member) > 0 {
			out[role] = true
		}
	}
	return out
}

// ValidTenantRole reports whether role may be held in a tenant.
func ValidTenantRole(role string) bool {
	for _, r := range TenantRoles {
		if r == role {
			return true
		}
	}
	return false
}
