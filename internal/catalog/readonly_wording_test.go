package catalog_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/tenant"
)

// The service form tells only who may save that a draft can be saved without the fields
// required for publishing; the revisore, who cannot save, is not told so.
func TestServiceFormOffersToSaveOnlyToWhoCan(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore")
	rev := f.staffOf(c, access.RoleRevisore, "Revisore")
	const offer = "puoi salvare la bozza anche senza"

	r := f.do("POST", "/admin/carta/servizi/nuovo", c, red, url.Values{"title": {"Segretariato sociale"}, "status": {"attivo"},
		"coverage": {"comune"}, "cost_kind": {"gratuito"}, "national_category": {"Salute, benessere e assistenza"}})
	require.Equal(t, 303, r.status, r.body)
	page := r.location

	r = f.do("GET", page, c, red, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, offer)
	r = f.do("GET", "/admin/carta/servizi/nuovo", c, red, nil)
	require.Contains(t, r.body, offer)

	r = f.do("GET", page, c, rev, nil)
	require.Equal(t, 200, r.status)
	require.NotContains(t, r.body, offer)
	require.Contains(t, r.body, "sono obbligatori per pubblicare un servizio attivo.</p>")
}

// The ambito page of a member comune offers to hide an ambito service only to who may.
func TestAmbitoPageOffersToHideOnlyToWhoCan(t *testing.T) {
	t.Parallel()
	f := setup(t)
	amb := f.env.NewTenant(t, tenant.KindAmbito)
	member := f.env.Join(t, f.env.NewTenant(t, tenant.KindComune), amb, false)
	red := f.staffOf(member, access.RoleRedattore, "Redattore")
	rev := f.staffOf(member, access.RoleRevisore, "Revisore")
	const offer = "puoi nasconderlo"

	r := f.do("GET", "/admin/carta/ambito", member, red, nil)
	require.Equal(t, 200, r.status)
	require.Contains(t, r.body, offer)

	r = f.do("GET", "/admin/carta/ambito", member, rev, nil)
	require.Equal(t, 200, r.status)
	require.NotContains(t, r.body, offer)
	require.Contains(t, r.body, "chi cura la Carta del comune può nasconderlo")
}
