package cartapdf_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/catalog"
)

// The printed Carta shows what the citizen site shows: the ambito's offices in the order of the
// services that send citizens there (as the site's offices page lists them), and no service
// the site has no page for.
func TestCartaShowsWhatTheSiteShows(t *testing.T) {
	t.Parallel()
	v := comuneView()
	v.Ambito.Offices = append(v.Ambito.Offices, catalog.Office{ID: id(21), Slug: "consultorio", Name: "Consultorio familiare",
		Address: "Via Dandini 24", PostalCode: "47521", City: "Cesena"})
	// Assistenza domiciliare (Anziani, position 3) comes before the centro antiviolenza (8).
	v.Ambito.Services[1].OfficeID = ptr(id(21))
	v.Own.Services = append(v.Own.Services, catalog.Service{ID: id(88), Status: "attivo", CategoryCode: "FAM",
		Title: "Servizio senza pagina", ShortDescription: "x", CostKind: "gratuito", Position: 5})

	pdf, err := cartapdf.Carta(v, options(t))
	require.NoError(t, err)
	txt := flat(pdftotext(t, pdf))
	consultorio := strings.Index(txt, "Consultorio familiare (Ambito «Valle del Savio»)")
	piano := strings.Index(txt, "Ufficio di Piano (Ambito «Valle del Savio»)")
	require.Positive(t, consultorio)
	require.Positive(t, piano)
	require.Less(t, consultorio, piano, "ambito offices in the order of the services shown")
	require.NotContains(t, txt, "Servizio senza pagina")

	var slugs []string
	for _, o := range v.Shown().AmbitoOffices() {
		slugs = append(slugs, o.Slug)
	}
	require.Equal(t, []string{"consultorio", "ufficio-di-piano"}, slugs, "the site's order")
}
