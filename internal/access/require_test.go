package access_test

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

func TestRequireAndCan(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	e := newEnforcer(t, env)
	ctx := context.Background()
	a := env.NewTenant(t, tenant.KindAmbito)
	c := env.Join(t, env.NewTenant(t, tenant.KindComune), a, false)
	u := newUser(t, env, "Doppio Ruolo")
	require.NoError(t, e.Grant(ctx, u, access.RoleRedattore, c.ID.String()))
	require.NoError(t, e.Grant(ctx, u, access.RoleURP, a.ID.String()))

	var seen *principal.Staff
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		switch apperr.KindOf(err) {
		case apperr.Unauthorized:
			return c.Status(401).SendString(err.Error())
		case apperr.Forbidden:
			return c.Status(403).SendString(err.Error())
		}
		return c.Status(500).SendString(err.Error())
	}})
	app.Use(func(fc *fiber.Ctx) error {
		rctx := fc.UserContext()
		if fc.Get("X-Host") != "platform" {
			rctx = tenant.WithTenant(rctx, c)
		}
		if id := fc.Get("X-User"); id != "" {
			rctx = principal.WithStaff(rctx, &principal.Staff{UserID: uuid.MustParse(id)})
		}
		fc.SetUserContext(rctx)
		return fc.Next()
	})
	reg := access.NewRegistry()
	r := access.NewRouter(app.Group("/admin"), "/admin", e, reg)
	ok := func(fc *fiber.Ctx) error {
		seen = principal.StaffFrom(fc.UserContext())
		can := []string{}
		for _, p := range access.AllPerms() {
			if e.Can(fc.UserContext(), p) {
				can = append(can, p.String())
			}
		}
		return fc.SendString(strings.Join(can, " "))
	}
	r.Get("/bacheca", access.DashboardRead, ok)
	r.Get("/reclami", access.ComplaintsRead, ok)
	r.Get("/utenti", access.UsersRead, ok)

	get := func(path, user, host string) (int, string) {
		req := httptest.NewRequest("GET", path, nil)
		if user != "" {
			req.Header.Set("X-User", user)
		}
		req.Header.Set("X-Host", host)
		res, err := app.Test(req, -1)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res.StatusCode, string(b)
	}

	status, _ := get("/admin/bacheca", "", "")
	require.Equal(t, 401, status)
	status, body := get("/admin/utenti", u.String(), "")
	require.Equal(t, 403, status)
	require.Contains(t, body, "Non hai i permessi per questa pagina.")
	status, _ = get("/admin/bacheca", u.String(), "platform")
	require.Equal(t, 403, status, "tenant roles open nothing on the platform host")

	status, body = get("/admin/reclami", u.String(), "")
	require.Equal(t, 200, status)
	// Redattore at home (dashboard, catalogue, questionnaire) plus URP oversight from the ambito
	// (reports, complaints).
	require.Equal(t, "dashboard:read catalog:read catalog:write reports:read complaints:read quality:write", body)
	require.Equal(t, []string{access.RoleRedattore, access.RoleURP}, seen.Roles)
	require.False(t, e.Can(context.Background(), access.DashboardRead), "nobody logged in")
}
