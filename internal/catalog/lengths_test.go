package catalog_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/tenant"
)

// Every field of the service form with a maxlength is checked by the server too: a longer
// value (pasted past a browser without scripts, or posted by hand) comes back with 422 and the
// message next to its field, and nothing typed in the other fields is lost, the long text
// included, so it can be shortened rather than typed again.
func TestOverlongValuesAreRefusedNextToTheField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.env.NewTenant(t, tenant.KindComune)
	red := f.staffOf(c, access.RoleRedattore, "Redattore Lunghezze")
	// Repeated words are dropped from the keywords, so their count alone let this through.
	keywords := strings.Repeat("anziani, ", 299) + "anziani"
	target := strings.Repeat("1", 25)
	form := url.Values{"title": {"Assistenza domiciliare"}, "status": {"attivo"}, "coverage": {"comune"}, "cost_kind": {"gratuito"},
		"national_category": {"Salute, benessere e assistenza"}, "short_description": {"Aiuto a casa per chi è solo."},
		"audience": {"Persone anziane <b>sole</b>"}, "topics": {"Assistenza sociale"}, "keywords": {keywords},
		"standard_rows": {"1"}, "standard_dimension_0": {"tempestivita"}, "standard_description_0": {"Primo colloquio entro 7 giorni"},
		"standard_target_0": {target}}
	r := f.do("POST", "/admin/carta/servizi/nuovo", c, red, form)
	require.Equal(t, 422, r.status)
	for _, s := range []string{
		fmt.Sprintf(`id="f-keywords-error">Al massimo 2000 caratteri (ora sono %d).`, len(keywords)),
		`id="f-standard-target-0-error">Al massimo 20 caratteri (ora sono 25).`,
		`aria-describedby="f-keywords-error f-keywords-help"`,
		`value="` + keywords + `"`, `value="` + target + `"`,
		`value="Assistenza domiciliare"`, "Aiuto a casa per chi è solo.</textarea>", "Persone anziane &lt;b&gt;sole&lt;/b&gt;</textarea>",
		`value="Assistenza sociale" checked`, "Primo colloquio entro 7 giorni</textarea>",
	} {
		require.Contains(t, r.body, s)
	}
	require.Empty(t, f.draft(c).Services, "nothing is written")

	// Within the limits the same form saves.
	form.Set("keywords", "anziani, assistenza a casa")
	form.Set("standard_target_0", "7")
	r = f.do("POST", "/admin/carta/servizi/nuovo", c, red, form)
	require.Equal(t, 303, r.status, r.body)
}
