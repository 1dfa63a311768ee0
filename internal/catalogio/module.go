package catalogio

import (
	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/module"
)

// Module is the spreadsheet import and export of the catalogue, in the staff area.
func Module(p *module.Platform) *module.Module {
	d := Deps{Render: p.Render, DB: p.DB, Log: p.Log, Nav: p.Nav}
	return &module.Module{Name: "catalogio", Templates: Templates, Staff: func(r *access.Router) { Register(r, d) }}
}
