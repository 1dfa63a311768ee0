package admin_test

import (
	"context"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/admin"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// The ente's and the ambito's names take the articulated preposition on the staff pages.
func TestStaffPagesNameTheEnteWithItsPreposition(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	amb := f.env.NewTenant(t, tenant.KindAmbito)
	f.tenant = f.env.Join(t, f.tenant, amb, false)

	_, body := f.get(t, "/admin")
	require.Contains(t, body, "Stai lavorando per <strong>"+f.tenant.Name+"</strong>, nell&#39;"+amb.Name+".")
	require.NotContains(t, body, "nell'ambito "+amb.Name)
	require.Contains(t, body, "area riservata al personale del "+f.tenant.Name+"</p>")

	res, _ := f.postFile(t, "/admin/ente/logo", "logo.png", pngBytes(t))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, body = f.get(t, "/admin/ente")
	require.Contains(t, body, "piè di pagina del sito pubblico del "+f.tenant.Name+".</p>")
	require.Contains(t, body, `alt="Logo attuale del `+f.tenant.Name+`"`)
	require.NotContains(t, body, "di "+f.tenant.Name)
}

// The dashboard offers to publish only to who may publish.
func TestDashboardOffersToPublishOnlyToWhoCan(t *testing.T) {
	t.Parallel()
	const offer = "pubblicala ora"
	reader := setup(t, func(_ context.Context, p access.Perm) bool { return p != access.CatalogPublish })
	_, body := reader.get(t, "/admin")
	require.Contains(t, body, `<a href="/admin/carta/pubblicazione">Pubblicazione</a>`)
	require.NotContains(t, body, offer)
	require.Contains(t, body, "a pubblicare è il responsabile del Servizio Sociale")

	publisher := setup(t, nil)
	_, body = publisher.get(t, "/admin")
	require.Contains(t, body, offer)
	require.NotContains(t, body, "a pubblicare è il responsabile")
}

// oversight is an ambito with capofila K and member M, the staff area of M wired with the real
// Casbin checker, and whoever is logged in.
type oversight struct {
	*fixture
	enf           *access.Enforcer
	amb, capofila *tenant.Tenant
}

func setupOversight(t *testing.T) *oversight {
	t.Helper()
	f := setup(t, nil)
	enf, err := access.New(context.Background(), access.Deps{DB: f.env.DB, Redis: f.env.Redis, Log: quiet})
	require.NoError(t, err)
	t.Cleanup(enf.Close)
	o := &oversight{fixture: f, enf: enf, amb: f.env.NewTenant(t, tenant.KindAmbito)}
	o.capofila = f.env.Join(t, f.env.NewTenant(t, tenant.KindComune), o.amb, true)
	f.tenant = f.env.Join(t, f.tenant, o.amb, false)

	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{admin.Templates}, Dev: true, Log: quiet,
		TenantURL: func(slug string) string { return "https://" + slug + ".carta.test" }})
	require.NoError(t, err)
	f.app = fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	f.app.Use(func(c *fiber.Ctx) error {
		ctx := tenant.WithTenant(c.UserContext(), f.tenant)
		ctx = principal.WithStaff(ctx, &principal.Staff{UserID: f.staff.UserID, Email: f.staff.Email, Name: f.staff.Name})
		c.SetUserContext(ctx)
		return c.Next()
	})
	admin.Register(access.NewRouter(f.app.Group("/admin"), "/admin", enf, f.reg), admin.Deps{
		Render: r, Tenants: f.env.Tenants, DB: f.env.DB, Log: quiet, Can: enf.Can, Roles: enf})
	return o
}

func (o *oversight) as(t *testing.T, role, domain string) {
	t.Helper()
	o.staff = &principal.Staff{UserID: newStaffID(t, o.fixture), Email: o.staff.Email, Name: "Carla Capofila"}
	require.NoError(t, o.enf.Grant(context.Background(), o.staff.UserID, role, domain))
}

func newStaffID(t *testing.T, f *fixture) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, f.env.Admin.QueryRow(context.Background(),
		"INSERT INTO users (email, display_name) VALUES ($1, 'Carla Capofila') RETURNING id",
		"capofila-"+uuid.NewString()[:8]+"@example.it").Scan(&id))
	return id
}

// The capofila's ambito staff, logged in on a member comune, get a dashboard rather than a
// 403: what their oversight reads there (no section yet), and the way to their own staff area.
func TestOversightStaffGetADashboardOnAMemberComune(t *testing.T) {
	t.Parallel()
	for _, role := range []string{access.RoleResponsabile, access.RoleURP, access.RoleRevisore} {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			o := setupOversight(t)
			o.as(t, role, o.amb.ID.String())
			ok, err := o.enf.HasAnyRole(context.Background(), o.staff.UserID, o.tenant)
			require.NoError(t, err)
			require.True(t, ok, "the role opens the member comune's staff area")

			res, body := o.get(t, "/admin")
			require.Equal(t, http.StatusOK, res.StatusCode, body)
			require.Contains(t, body, "Stai consultando l'area riservata del "+o.tenant.Name+", nell&#39;"+o.amb.Name+".")
			require.Contains(t, body, "I tuoi ruoli: "+strings.ReplaceAll(access.RoleLabel(role), "'", "&#39;")+".")
			require.Contains(t, body, `<a class="btn btn-primary" href="https://`+o.amb.Slug+`.carta.test/admin">Vai all'area riservata dell&#39;`+o.amb.Name+`</a>`)
			// What the role reads on a member comune (the matrix's Member permissions: the
			// quality figures, whose pages another module serves) is linked; nothing else is,
			// nor opens.
			member := access.Template()[role].Member
			for _, s := range admin.Sections[1:] {
				if slices.Contains(member, s.Perm) {
					require.Contains(t, body, `href="`+s.URL+`"`, "a section the role reads here is linked")
					continue
				}
				res, _ := o.get(t, s.URL)
				require.NotContains(t, body, `href="`+s.URL+`"`, "no link to a section the role cannot read here")
				require.NotEqual(t, http.StatusOK, res.StatusCode, s.URL)
			}
			require.NotContains(t, body, "chiedi all'amministratore dell'ente")

			// On the capofila comune it is the same: the roles are held in the ambito.
			o.tenant = o.capofila
			res, body = o.get(t, "/admin")
			require.Equal(t, http.StatusOK, res.StatusCode)
			require.Contains(t, body, `href="https://`+o.amb.Slug+`.carta.test/admin"`)
		})
	}
}

// The member comune's own staff see their sections as before, with no pointer elsewhere.
func TestOwnStaffOfAMemberComuneSeeTheirSections(t *testing.T) {
	t.Parallel()
	o := setupOversight(t)
	o.as(t, access.RoleRevisore, o.tenant.ID.String())
	res, body := o.get(t, "/admin")
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, "Stai lavorando per <strong>"+o.tenant.Name+"</strong>")
	require.Contains(t, body, `<a href="/admin/carta">Carta dei Servizi</a>`)
	require.Contains(t, body, `<a href="/admin/registro">Registro attività</a>`)
	require.NotContains(t, body, `/admin/utenti"`, "no link to what the revisore cannot read")
	require.NotContains(t, body, "pubblicala ora", "the revisore cannot publish")
	require.NotContains(t, body, "Vai all'area riservata")

	// An ambito role that oversees nothing (redattore) still does not open the member comune.
	o.as(t, access.RoleRedattore, o.amb.ID.String())
	res, _ = o.get(t, "/admin")
	require.Equal(t, http.StatusForbidden, res.StatusCode)
}
