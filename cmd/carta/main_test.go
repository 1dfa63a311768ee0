package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/testenv"
)

// cli runs the binary's command line in process against the test database.
func cli(t *testing.T, env *testenv.Env, stdin string, args ...string) (string, error) {
	t.Helper()
	vars := map[string]string{
		"CARTA_ENV": "development", "BASE_DOMAIN": "carta.test", "DATABASE_URL": env.RuntimeURL,
		"REDIS_URL": env.RedisURL, "LISTEN_ADDR": ":0",
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestTenantCommands(t *testing.T) {
	env := testenv.Get(t)
	slug := testenv.Slug()
	amb := testenv.Slug()

	out, err := cli(t, env, "", "tenant", "create", "--kind", "comune", "--slug", slug, "--name", "Comune di Prova", "--istat", "123456", "--ipa", "c_z999")
	require.NoError(t, err, out)
	require.Contains(t, out, "http://"+slug+".carta.test")
	// A new tenant starts with the national categories and the default general part.
	var cats, sections int
	require.NoError(t, env.Admin.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM categories c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = $1),
		(SELECT count(*) FROM carta_sections s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = $1)`, slug).Scan(&cats, &sections))
	require.Equal(t, 9, cats)
	require.Equal(t, 5, sections)

	_, err = cli(t, env, "", "tenant", "create", "--kind", "comune", "--slug", slug, "--name", "Comune Doppio", "--istat", "123457")
	require.ErrorContains(t, err, "Esiste già un ente con questo slug")
	_, err = cli(t, env, "", "tenant", "create", "--kind", "comune", "--slug", testenv.Slug(), "--name", "Comune Doppio", "--istat", "123456")
	require.ErrorContains(t, err, "codice ISTAT")
	_, err = cli(t, env, "", "tenant", "create", "--kind", "comune", "--slug", "Cattivo Slug", "--name", "Comune X", "--istat", "123458")
	require.ErrorContains(t, err, "--slug: Lo slug deve avere")

	out, err = cli(t, env, "", "tenant", "create", "--kind", "ambito", "--slug", amb, "--name", "Ambito di Prova")
	require.NoError(t, err, out)
	out, err = cli(t, env, "", "tenant", "join-ambito", "--comune", slug, "--ambito", amb, "--capofila")
	require.NoError(t, err, out)
	_, err = cli(t, env, "", "tenant", "join-ambito", "--comune", amb, "--ambito", slug)
	require.ErrorContains(t, err, "non è un comune")

	out, err = cli(t, env, "", "tenant", "list")
	require.NoError(t, err)
	require.Contains(t, out, amb+" (capofila)")

	_, err = cli(t, env, "", "tenant", "frobnicate")
	require.Error(t, err)
	var ue usageError
	require.ErrorAs(t, err, &ue)
}

func TestUserCommands(t *testing.T) {
	env := testenv.Get(t)
	slug := testenv.Slug()
	_, err := cli(t, env, "", "tenant", "create", "--kind", "comune", "--slug", slug, "--name", "Comune Utenti", "--istat", "654321")
	require.NoError(t, err)

	email := "maria." + testenv.Slug() + "@example.it"
	out, err := cli(t, env, "una password lunga e sicura\n", "user", "create", "--email", email, "--name", "Maria Rossi", "--password-stdin")
	require.NoError(t, err, out)
	_, err = cli(t, env, "", "user", "create", "--email", strings.ToUpper(email), "--name", "Doppia")
	require.ErrorContains(t, err, "Esiste già un utente con questa email")
	_, err = cli(t, env, "corta\n", "user", "create", "--email", "x"+email, "--name", "X", "--password-stdin")
	require.ErrorContains(t, err, "--password")

	out, err = cli(t, env, "", "user", "grant", "--email", email, "--tenant", slug, "--role", "ente_admin")
	require.NoError(t, err, out)
	out, err = cli(t, env, "", "user", "grant", "--email", email, "--tenant", slug, "--role", "redattore")
	require.NoError(t, err, out)
	_, err = cli(t, env, "", "user", "grant", "--email", email, "--tenant", slug, "--role", "sindaco")
	require.Error(t, err)
	_, err = cli(t, env, "", "user", "grant", "--email", email, "--tenant", slug, "--role", "platform_admin")
	require.ErrorContains(t, err, "piattaforma")
	_, err = cli(t, env, "", "user", "grant", "--email", "nessuno@example.it", "--tenant", slug, "--role", "urp")
	require.ErrorContains(t, err, "Nessun utente")
	_, err = cli(t, env, "", "user", "grant", "--email", email, "--tenant", "non-esiste", "--role", "urp")
	require.ErrorContains(t, err, "Nessun ente")

	// The grants are in the tenant's audit trail, by the CLI.
	var n int
	require.NoError(t, env.Admin.QueryRow(context.Background(), `
		SELECT count(*) FROM audit_log a JOIN tenants t ON t.id = a.tenant_id
		WHERE t.slug = $1 AND a.action = 'user.grant' AND a.actor_label = 'cli:user grant'`, slug).Scan(&n))
	require.Equal(t, 2, n)

	out, err = cli(t, env, "", "user", "revoke", "--email", email, "--tenant", slug, "--role", "redattore")
	require.NoError(t, err, out)
	// The last ente admin stays.
	_, err = cli(t, env, "", "user", "revoke", "--email", email, "--tenant", slug, "--role", "ente_admin")
	require.Error(t, err)
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve"}, func(string) string { return "" }, strings.NewReader(""), &out, &out)
	require.ErrorContains(t, err, "BASE_DOMAIN")
	require.ErrorContains(t, err, "DATABASE_URL")
}
