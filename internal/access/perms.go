package access

// Perm is an object and an action on it, e.g. {"users", "write"}.
type Perm struct {
	Obj string
	Act string
}

func (p Perm) String() string { return p.Obj + ":" + p.Act }

// The permissions of the staff area. Every guarded route names one of these; the role template
// (policy.go) grants them to roles.
var (
	DashboardRead = Perm{"dashboard", "read"}
	ProfileRead   = Perm{"profile", "read"}
	ProfileWrite  = Perm{"profile", "write"}
	UsersRead     = Perm{"users", "read"}
	UsersWrite    = Perm{"users", "write"}
	AuditRead     = Perm{"audit", "read"}

	// The Carta: read the draft and history, edit the draft, publish it.
	CatalogRead    = Perm{"catalog", "read"}
	CatalogWrite   = Perm{"catalog", "write"}
	CatalogPublish = Perm{"catalog", "publish"}

	// Oversight: the capofila's ambito staff read these in member comuni (member scope), and
	// each tenant's own staff read them at home (own scope).
	ReportsRead    = Perm{"reports", "read"}
	ComplaintsRead = Perm{"complaints", "read"}
	// The tenant's own complaints: read the inbox and each complaint (own scope only: a
	// capofila's oversight will reach the complaints about ambito services, not all of a
	// member's), and handle them — take in charge, note, answer, close.
	ComplaintsInbox = Perm{"complaints", "inbox"}
	ComplaintsWrite = Perm{"complaints", "write"}

	// Quality: the tenant's satisfaction questionnaire (its own questions, the standard ones it
	// hides) and the paper questionnaires staff type in. Held by the roles that edit the Carta,
	// whose evaluation section the questionnaire belongs to.
	QualityWrite = Perm{"quality", "write"}

	// The tenant's Open311 API keys: issue one to a client application, revoke it.
	APIKeysWrite = Perm{"apikeys", "write"}

	// The platform host only (domain "platform"): the operator's list of tenants.
	TenantsRead  = Perm{"tenants", "read"}
	TenantsWrite = Perm{"tenants", "write"}
)

// AllPerms lists every permission, for the role matrix test and documentation.
func AllPerms() []Perm {
	return []Perm{DashboardRead, ProfileRead, ProfileWrite, UsersRead, UsersWrite, AuditRead,
		CatalogRead, CatalogWrite, CatalogPublish, ReportsRead, ComplaintsRead, ComplaintsInbox, ComplaintsWrite, QualityWrite, APIKeysWrite, TenantsRead, TenantsWrite}
}

// Roles. PlatformAdmin is held in the "platform" domain only.
const (
	RolePlatformAdmin = "platform_admin"
	RoleEnteAdmin     = "ente_admin"
	RoleRedattore     = "redattore"
	RoleResponsabile  = "responsabile"
	RoleURP           = "urp"
	RoleRevisore      = "revisore"
)

// TenantRoles are the roles an ente admin may grant within a tenant, in display order.
var TenantRoles = []string{RoleEnteAdmin, RoleRedattore, RoleResponsabile, RoleURP, RoleRevisore}

// RoleLabel is the Italian name of a role, for the staff area.
func RoleLabel(role string) string {
	switch role {
	case RolePlatformAdmin:
		return "Amministratore di piattaforma"
	case RoleEnteAdmin:
		return "Amministratore dell'ente"
	case RoleRedattore:
		return "Redattore"
	case RoleResponsabile:
		return "Responsabile del Servizio Sociale"
	case RoleURP:
		return "Ufficio Relazioni con il Pubblico (URP)"
	case RoleRevisore:
		return "Revisore (sola lettura)"
	}
	return role
}
