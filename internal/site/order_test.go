package site

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
)

// Two categories at the same position, the comune's and one the ambito adds: the comune's comes
// first and each keeps its services together, on the site as in the printed Carta.
func TestTiedCategoriesKeepTheirServicesTogether(t *testing.T) {
	f := newModelFixture()
	f.amb.Categories[0].Position = 2 // ACC, as the comune's FAM
	s := NewSite(&catalog.View{Own: f.own, Ambito: f.amb})
	require.Equal(t, []string{"asilo-nido", "affido", "segretariato", "assistenza-domiciliare", "assistenza-domiciliare-ambito"},
		slugs(s.Services()))
	var codes []string
	for _, c := range s.ServicesByCategory() {
		codes = append(codes, c.Code)
	}
	require.Equal(t, []string{"FAM", "ACC", "ELD"}, codes)
}
