package cartapdf_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/cartapdf"
)

// The ambito's name takes the preposition its first word asks for: "del Consorzio …", "dal
// Consorzio …", never "dell'Consorzio".
func TestAmbitoNameTakesItsOwnPreposition(t *testing.T) {
	t.Parallel()
	v := comuneView()
	v.Ambito.Tenant.Name = "Consorzio per i servizi sociali del Savio"
	carta, err := cartapdf.Carta(v, options(t))
	require.NoError(t, err)
	txt := flat(pdftotext(t, carta))
	require.Contains(t, txt, "Comprende i servizi del Consorzio per i servizi sociali del Savio (versione 2")
	require.Contains(t, txt, "sono gestiti dal Consorzio per i servizi sociali del Savio per tutti i comuni")
	require.NotContains(t, txt, "dell'Consorzio")
	require.NotContains(t, txt, "dall'Consorzio")
}
