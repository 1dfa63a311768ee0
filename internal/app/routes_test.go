package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/auth"
	"github.com/cartasociale/carta/internal/testenv"
)

// TestEveryStaffRouteHasAPolicy walks every route of the real application under /admin: each
// is either one of the public authentication pages or guarded by a permission that some role
// holds. A route added without a permission fails here.
func TestEveryStaffRouteHasAPolicy(t *testing.T) {
	env := testenv.Get(t)
	a, err := app.New(context.Background(), env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()

	public := map[string]bool{}
	for _, r := range auth.PublicRoutes() {
		public[r] = true
	}
	require.Empty(t, access.Unguarded(a.Handler().GetRoutes(true), a.Routes(), "/admin", public),
		"staff routes without a permission")
	require.Empty(t, access.Ungranted(a.Routes()), "guarded routes whose permission no role holds")
	require.NotEmpty(t, a.Routes().Routes())
}

// client is a tiny browser: it keeps __Host- cookies over plain HTTP (as Chrome does on
// *.localhost) and talks to the app in process.
type client struct {
	t       *testing.T
	a       *app.App
	host    string
	cookies map[string]string
}

func (c *client) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	req.Host = c.host
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.a.Handler().Test(req, 30_000)
	require.NoError(c.t, err)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) login(email, password string) *http.Response {
	c.t.Helper()
	_, page := c.do("GET", "/admin/login", nil)
	m := csrfRE.FindStringSubmatch(page)
	require.NotNil(c.t, m, "login form without CSRF token")
	resp, _ := c.do("POST", "/admin/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {password}})
	return resp
}

func TestStaffAreaEnforcesRolesOverHTTP(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a, err := app.New(ctx, env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	const pw = "password-di-prova-lunga"
	_, err = a.SeedDemo(ctx, pw)
	require.NoError(t, err)
	host := "cerveteri.carta.test"

	anon := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	resp, _ := anon.do("GET", "/admin/utenti", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Location"), "/admin/login")

	admin := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, admin.login("admin@cerveteri.demo", pw).StatusCode)
	resp, page := admin.do("GET", "/admin/utenti", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "redattore@cerveteri.demo")
	require.NotContains(t, page, "grandate.demo", "another tenant's users listed")

	red := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, red.login("redattore@cerveteri.demo", pw).StatusCode)
	resp, _ = red.do("GET", "/admin", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = red.do("GET", "/admin/utenti", nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = red.do("GET", "/admin/ente", nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	// Grandate's admin cannot log in on Cerveteri's host.
	other := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	resp = other.login("admin@grandate.demo", pw)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the login form is shown again")
	require.NotContains(t, other.cookies, auth.SessionCookie)
	resp, _ = other.do("GET", "/admin", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// A session cookie from Cerveteri is worthless on Grandate's host.
	stolen := &client{t: t, a: a, host: "grandate.carta.test", cookies: admin.cookies}
	resp, _ = stolen.do("GET", "/admin", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}
