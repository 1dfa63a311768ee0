package tenant_test

import (
	"testing"

	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

func TestSmoke(t *testing.T) {
	env := testenv.Get(t)
	a := env.NewTenant(t, tenant.KindAmbito)
	c := env.NewTenant(t, tenant.KindComune)
	c = env.Join(t, c, a, true)
	if c.Ambito == nil || c.Ambito.ID != a.ID || !c.IsCapofila {
		t.Fatalf("join: %+v", c)
	}
}
