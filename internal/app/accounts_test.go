package app_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/demo"
	"github.com/cartasociale/carta/internal/mail/mailtest"
	"github.com/cartasociale/carta/internal/testenv"
)

var inviteURL = regexp.MustCompile(`https?://[^/\s]+(/admin/invito\?token=[A-Za-z0-9_-]{43})`)

// TestInvitationAcrossTenantsOverHTTP walks, on the real application with its job queue and
// an SMTP server, what an ente admin of one comune can do to a person who works for another:
// invite them (which grants nothing, and shows nothing of their account), then, once they
// accepted, remove them — which ends their sessions on this comune's host and no other.
func TestInvitationAcrossTenantsOverHTTP(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	smtp := mailtest.Start(t)
	s := smtp.SMTP()
	cfg := env.TestConfig(t, map[string]string{"SMTP_HOST": s.Host, "SMTP_PORT": strconv.Itoa(s.Port),
		"SMTP_TLS": "none", "SMTP_FROM": s.From})
	a, err := app.New(ctx, cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	const pw = "password-di-prova-lunga"
	_, err = a.SeedDemo(ctx, pw)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }() // starts the job queue
	defer func() { cancel(); <-done }()

	person := demo.Email("urp", "cerveteri") // works for Cerveteri
	const realName = "Nome Vero Dell'Account"
	var oldName string
	require.NoError(t, env.Admin.QueryRow(ctx, `UPDATE users u SET display_name = $2 FROM users o
		WHERE u.id = o.id AND u.email = $1 RETURNING o.display_name`, person, realName).Scan(&oldName))
	t.Cleanup(func() {
		_, _ = env.Admin.Exec(context.Background(), `UPDATE users SET display_name = $2 WHERE email = $1`, person, oldName)
	})
	home := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, home.login(person, pw).StatusCode)

	grandate := &client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, grandate.login(demo.Email("admin", "grandate"), pw).StatusCode)
	_, page := grandate.do("GET", "/admin/utenti/invita", nil)
	token := csrfRE.FindStringSubmatch(page)[1]
	resp, body := grandate.do("POST", "/admin/utenti/invita", url.Values{"_csrf": {token}, "email": {person},
		"name": {"Nome Dato A Grandate"}, "roles": {"redattore"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)

	// Nothing granted, nothing of the account shown.
	away := &client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusUnauthorized, away.login(person, pw).StatusCode, "a role before accepting")
	_, list := grandate.do("GET", "/admin/utenti", nil)
	require.Contains(t, list, "Nome Dato A Grandate")
	require.NotContains(t, list, "Nome Vero Dell&#39;Account", "Grandate sees the account's own name")

	// The person accepts with their own password.
	msg := smtp.WaitFor(t, person, 30*time.Second)
	link := inviteURL.FindStringSubmatch(msg.Text)
	require.NotNil(t, link, msg.Text)
	_, page = away.do("GET", link[1], nil)
	require.Contains(t, page, `autocomplete="current-password"`)
	raw, _ := url.Parse(link[1])
	resp, body = away.do("POST", "/admin/invito", url.Values{"_csrf": {csrfRE.FindStringSubmatch(page)[1]},
		"token": {raw.Query().Get("token")}, "password": {pw}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	require.Equal(t, http.StatusSeeOther, away.login(person, pw).StatusCode)
	resp, _ = away.do("GET", "/admin", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// Grandate removes them: their Grandate session ends, the Cerveteri one goes on.
	_, list = grandate.do("GET", "/admin/utenti", nil)
	id := regexp.MustCompile(`href="/admin/utenti/([0-9a-f-]{36})">Modifica<span class="visually-hidden"> Nome Vero Dell&#39;Account`).FindStringSubmatch(list)
	require.NotNil(t, id, list)
	_, page = grandate.do("GET", "/admin/utenti/"+id[1], nil)
	resp, body = grandate.do("POST", "/admin/utenti/"+id[1]+"/rimuovi", url.Values{"_csrf": {csrfRE.FindStringSubmatch(page)[1]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	resp, _ = away.do("GET", "/admin", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "the session on Grandate's host ended")
	resp, _ = home.do("GET", "/admin", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, "Grandate ended a session on Cerveteri's host")
}
