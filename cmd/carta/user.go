package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/auth"
)

// User runs `carta user …`.
func (m *Main) User(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"user: missing subcommand (create, grant, revoke)"}
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	email := fs.String("email", "", "the person's e-mail address")
	switch args[0] {
	case "create":
		name := fs.String("name", "", "display name, e.g. \"Maria Rossi\"")
		pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		password := ""
		if *pwStdin {
			line, err := bufio.NewReader(m.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("reading the password from standard input: %w", err)
			}
			password = strings.TrimRight(line, "\r\n")
		} else {
			// Nobody knows this password: the person sets their own with the reset link
			// ("Password dimenticata?") once they hold a role.
			var b [24]byte
			if _, err := rand.Read(b[:]); err != nil {
				return err
			}
			password = base64.RawURLEncoding.EncodeToString(b[:])
		}
		env, done, err := m.openCLI(ctx)
		if err != nil {
			return err
		}
		defer done()
		svc := auth.New(auth.Deps{DB: env.db, Cfg: env.cfg, Log: slog.New(slog.NewTextHandler(m.Stderr, nil))})
		id, err := svc.CreateUser(ctx, auth.CreateUserParams{Email: *email, Name: *name, Password: password})
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(m.Stdout, "creato l'utente %s (%s)\n", strings.ToLower(strings.TrimSpace(*email)), id)
		if !*pwStdin {
			fmt.Fprintln(m.Stdout, "Nessuna password impostata: dopo l'assegnazione di un ruolo (carta user grant), la persona la sceglie con «Password dimenticata?» nella pagina di accesso dell'ente.")
		}
		return nil
	case "grant", "revoke":
		slug := fs.String("tenant", "", "tenant slug, or \"platform\" for platform_admin")
		role := fs.String("role", "", "ente_admin, redattore, responsabile, urp, revisore or platform_admin")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		if *email == "" || *slug == "" || *role == "" {
			return usageError{"user " + args[0] + ": --email, --tenant and --role are required"}
		}
		env, done, err := m.openCLI(ctx)
		if err != nil {
			return err
		}
		defer done()
		ropts, err := redis.ParseURL(env.cfg.RedisURL)
		if err != nil {
			return err
		}
		rdb := redis.NewClient(ropts)
		defer rdb.Close()
		// With Redis the change reaches running servers at once; without, at their next
		// periodic reload.
		if err := rdb.Ping(ctx).Err(); err != nil {
			fmt.Fprintf(m.Stderr, "attenzione: Redis non raggiungibile (%v): i server in esecuzione vedranno la modifica al prossimo ricaricamento\n", err)
			rdb = nil
		}
		deps := access.Deps{DB: env.db, Log: slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
		if rdb != nil {
			deps.Redis = rdb
		}
		enf, err := access.New(ctx, deps)
		if err != nil {
			return err
		}
		defer enf.Close()
		actx := audit.WithActorLabel(ctx, "cli:user "+args[0])
		if args[0] == "grant" {
			err = enf.GrantByEmail(actx, *email, *slug, *role)
		} else {
			err = enf.RevokeByEmail(actx, *email, *slug, *role)
		}
		if err != nil {
			return cliError(err)
		}
		verb := map[string]string{"grant": "assegnato", "revoke": "revocato"}[args[0]]
		fmt.Fprintf(m.Stdout, "ruolo %s (%s) %s a %s su %s\n", *role, access.RoleLabel(*role), verb, *email, *slug)
		return nil
	}
	return usageError{fmt.Sprintf("user: unknown subcommand %q", args[0])}
}
