package e2e_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/go-rod/rod/lib/proto"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/e2e"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/testenv"
)

// TestSurveyInTheBrowser answers Alberobello's general questionnaire as a citizen: the page
// and its QR code load under the CSP with no axe-core violation, a score off the form is not
// possible, and sending gives the thanks.
func TestSurveyInTheBrowser(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	p := e2e.NewPage(t, b)
	p.Open(srv.URL("alberobello", "/questionario"))
	require.Equal(t, http.StatusOK, p.Status())
	var natural int
	p.JS(&natural, `() => document.querySelector('img.survey-qr').naturalWidth`)
	require.Positive(t, natural, "the QR code image loads")
	p.RequireAccessible("questionnaire")
	clickAt(t, p, `label[for="q_cortesia-5"]`)
	clickAt(t, p, `label[for="q_complessiva-4"]`)
	var checked []bool
	p.JS(&checked, `() => ['q_cortesia-5', 'q_complessiva-4'].map(id => document.getElementById(id).checked)`)
	require.Equal(t, []bool{true, true}, checked)
	p.Submit(`main button[type="submit"]`)
	require.Equal(t, http.StatusOK, p.Status())
	require.Contains(t, p.Text("main [role=status]"), "Grazie per aver risposto al questionario")
	p.RequireClean()
}

// TestCounterKioskInTheBrowser opens a kiosk link of Alberobello on a small screen (390 px): the
// three faces pass axe-core and fit without scrolling sideways; the dissatisfied face asks the
// reason, and sending it thanks.
func TestCounterKioskInTheBrowser(t *testing.T) {
	srv, b := env(t)
	t.Parallel()
	ctx := context.Background()
	te := testenv.Get(t)
	svc := quality.New(quality.Deps{DB: te.DB})
	tn, err := te.Tenants.BySlug(ctx, "alberobello")
	require.NoError(t, err)
	offices, err := svc.Offices(ctx, tn)
	require.NoError(t, err)
	require.NotEmpty(t, offices)
	k, err := svc.IssueKiosk(ctx, tn, uuid.MustParse(offices[0].Code))
	require.NoError(t, err)

	p := e2e.NewPage(t, b)
	require.NoError(t, p.SetViewport(&proto.EmulationSetDeviceMetricsOverride{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}))
	p.Open(srv.URL("alberobello", quality.PathKiosk+k.Token))
	require.Equal(t, http.StatusOK, p.Status())
	p.RequireAccessible("kiosk faces")
	requireFitsAPhone(t, p, "kiosk faces", 0)
	p.Submit(`button[value="insoddisfatto"]`)
	require.Contains(t, p.Text("main h1"), "Che cosa non è andato?")
	p.RequireAccessible("kiosk reasons")
	clickAt(t, p, `label[for="reason-0"]`)
	p.Submit(`main button[type="submit"]`)
	require.Contains(t, p.Text("main [role=status]"), "Grazie")
	counts, err := svc.KioskCounts(ctx, tn, k.ID)
	require.NoError(t, err)
	require.Equal(t, map[quality.Face]int{quality.Dissatisfied: 1}, counts)
	p.RequireClean()
}
