package catalog_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/tenant"
)

// Saving a service whose topics nobody touched records no change of topics, also when they
// were stored in another order than the form writes (an import keeps the file's order).
func TestSavingUnchangedTopicsRecordsNoChange(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Argomenti")
	form := url.Values{"title": {"Segretariato sociale"}, "status": {"attivo"}, "coverage": {"comune"}, "cost_kind": {"gratuito"},
		"national_category": {"Salute, benessere e assistenza"},
		"topics":            {"Assistenza sociale", "Integrazione sociale", "Immigrazione"}}
	r := f.do("POST", "/admin/carta/servizi/nuovo", c, red, form)
	require.Equal(t, 303, r.status, r.body)
	id := idFrom(t, r.location)
	_, err := f.env.Admin.Exec(context.Background(), `UPDATE services SET topics = '{Integrazione sociale,Immigrazione,Assistenza sociale}'
		WHERE tenant_id = $1 AND id = $2`, c.ID, id)
	require.NoError(t, err)

	// lastUpdate returns the changes and the changed fields of the latest update entry.
	lastUpdate := func() (changes, changed string) {
		t.Helper()
		require.NoError(t, f.env.Admin.QueryRow(context.Background(), `SELECT changes::text, coalesce(details->>'changed', '')
			FROM audit_log WHERE tenant_id = $1 AND action = 'catalog.service.update' AND object_id = $2
			ORDER BY id DESC LIMIT 1`, c.ID, id.String()).Scan(&changes, &changed))
		return changes, changed
	}

	// The form sends the topics in the page's order, the title is edited.
	form.Set("title", "Segretariato sociale professionale")
	r = f.do("POST", "/admin/carta/servizi/"+id.String(), c, red, form)
	require.Equal(t, 303, r.status, r.body)
	changes, changed := lastUpdate()
	require.Contains(t, changes, "Segretariato sociale professionale")
	require.NotContains(t, changes, "Argomenti", "the same topics in another order are no change")
	require.NotContains(t, changed, "topics")
	require.ElementsMatch(t, []string{"Assistenza sociale", "Integrazione sociale", "Immigrazione"}, f.draft(c).Services[0].Topics)

	// Saving again without touching anything records nothing changed at all.
	r = f.do("POST", "/admin/carta/servizi/"+id.String(), c, red, form)
	require.Equal(t, 303, r.status, r.body)
	changes, changed = lastUpdate()
	require.Equal(t, "[]", changes)
	require.NotContains(t, changed, "topics")

	// A topic really removed is recorded.
	form["topics"] = []string{"Assistenza sociale", "Immigrazione"}
	r = f.do("POST", "/admin/carta/servizi/"+id.String(), c, red, form)
	require.Equal(t, 303, r.status, r.body)
	changes, changed = lastUpdate()
	require.Contains(t, changes, "Argomenti")
	require.Contains(t, changed, "topics")
}
