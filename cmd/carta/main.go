// Command carta is the whole product in one binary: the web server, the migrations, a local
// all-in-one development mode and the platform's admin commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `carta — Carta dei Servizi Sociali per i comuni

Usage:
  carta serve                      serve HTTP (configuration from the environment)
  carta migrate                    apply database migrations (MIGRATE_DATABASE_URL, owner role)
  carta dev                        run everything locally with demo comuni (starts PostgreSQL and
                                   Redis when DATABASE_URL/REDIS_URL are not set)
  carta tenant create  --kind comune|ambito --slug SLUG --name NAME [--istat CODE] [--ipa CODE]
  carta tenant join-ambito --comune SLUG --ambito SLUG [--capofila]
  carta tenant list
  carta user create --email EMAIL --name NAME [--password-stdin]
  carta user grant  --email EMAIL --tenant SLUG|platform --role ROLE
  carta user revoke --email EMAIL --tenant SLUG|platform --role ROLE
  carta scale-seed --comuni N --services N [--ambiti N] [--create-db]   (development only: synthetic Carte for benchmarks)

Roles: platform_admin (tenant "platform"), ente_admin, redattore, responsabile, urp, revisore.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "carta:", err)
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "carta:", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run dispatches a command line; tests call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"missing command"}
	}
	m := &Main{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	switch args[0] {
	case "serve":
		return m.Serve(ctx)
	case "migrate":
		return m.Migrate(ctx)
	case "dev":
		return m.Dev(ctx, args[1:])
	case "tenant":
		return m.Tenant(ctx, args[1:])
	case "user":
		return m.User(ctx, args[1:])
	case "scale-seed":
		return m.ScaleSeed(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
