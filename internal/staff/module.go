package staff

import (
	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/module"
)

// Module is the users section of the staff area: who holds which role, and invitations.
func Module(p *module.Platform, roles *access.Enforcer, accounts Accounts) *module.Module {
	d := Deps{Render: p.Render, DB: p.DB, Access: roles, Accounts: accounts, Tenants: p.Tenants, Log: p.Log, Nav: p.Nav}
	return &module.Module{Name: "staff", Templates: Templates, Staff: func(r *access.Router) { Register(r, d) }}
}
