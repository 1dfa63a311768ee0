package admin

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/module"
)

// Module is the staff area's home, the tenant's profile and its audit trail; profileChanged
// runs after the profile or logo changed (the app drops the tenant's cached pages); roles
// tells the staff's own roles from their ambito's oversight.
func Module(p *module.Platform, roles *access.Enforcer, profileChanged func(ctx context.Context, id uuid.UUID)) *module.Module {
	d := Deps{Render: p.Render, Tenants: p.Tenants, DB: p.DB, Log: p.Log, Can: p.Can, Roles: roles, OnProfileChanged: profileChanged}
	return &module.Module{Name: "admin", Templates: Templates, Staff: func(r *access.Router) { Register(r, d) }}
}
