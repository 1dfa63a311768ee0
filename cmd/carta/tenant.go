package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/tenant"
)

// cliEnv is what an admin command works with.
type cliEnv struct {
	cfg     *config.Config
	pool    *pgxpool.Pool
	db      *tenant.DB
	tenants *tenant.Store
}

func (m *Main) openCLI(ctx context.Context) (*cliEnv, func(), error) {
	cfg, err := m.config()
	if err != nil {
		return nil, nil, err
	}
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	d := tenant.NewDB(pool)
	if err := d.CheckRuntimeRole(ctx); err != nil {
		pool.Close()
		return nil, nil, err
	}
	return &cliEnv{cfg: cfg, pool: pool, db: d, tenants: tenant.NewStore(d)}, pool.Close, nil
}

// cliError renders an application error with its field messages, one per line.
func cliError(err error) error {
	e, ok := apperr.As(err)
	if !ok {
		return err
	}
	if len(e.Fields) == 0 {
		return fmt.Errorf("%s", e.Message)
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for k, v := range e.Fields {
		fmt.Fprintf(&b, "\n  --%s: %s", k, v)
	}
	return fmt.Errorf("%s", b.String())
}

// Tenant runs `carta tenant …`.
func (m *Main) Tenant(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"tenant: missing subcommand (create, join-ambito, list)"}
	}
	fs := flag.NewFlagSet("tenant "+args[0], flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	ctx = audit.WithActorLabel(ctx, "cli")
	switch args[0] {
	case "create":
		kind := fs.String("kind", "comune", "comune or ambito")
		slug := fs.String("slug", "", "subdomain label, e.g. cerveteri")
		name := fs.String("name", "", "official name, e.g. \"Comune di Cerveteri\"")
		istat := fs.String("istat", "", "ISTAT code (6 digits for a comune)")
		ipa := fs.String("ipa", "", "IPA code, e.g. c_c552")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		env, done, err := m.openCLI(ctx)
		if err != nil {
			return err
		}
		defer done()
		t, err := env.tenants.Create(ctx, tenant.CreateParams{Kind: tenant.Kind(*kind), Slug: *slug,
			Name: *name, IstatCode: *istat, IpaCode: *ipa})
		if err != nil {
			return cliError(err)
		}
		// The new tenant starts with the national user categories and the default general part
		// of the Carta, in the same transaction as its first audit entry.
		if err := env.db.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			if err := catalog.EnsureDefaults(ctx, tx); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Action: "tenant.create", ObjectType: "tenant",
				ObjectID: t.ID.String(), ObjectName: t.Name, Details: map[string]any{"slug": t.Slug, "kind": t.Kind, "name": t.Name}})
		}); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "creato %s %q (%s): %s\n", t.Kind, t.Name, t.ID, env.cfg.TenantURL(t.Slug))
		return nil
	case "join-ambito":
		comune := fs.String("comune", "", "slug of the comune")
		ambito := fs.String("ambito", "", "slug of the ambito")
		capofila := fs.Bool("capofila", false, "the comune is the ambito's lead comune")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		if *comune == "" || *ambito == "" {
			return usageError{"tenant join-ambito: --comune and --ambito are required"}
		}
		env, done, err := m.openCLI(ctx)
		if err != nil {
			return err
		}
		defer done()
		if err := env.tenants.JoinAmbito(ctx, *comune, *ambito, *capofila); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(m.Stdout, "%s ora fa parte di %s%s\n", *comune, *ambito, map[bool]string{true: " come capofila"}[*capofila])
		return nil
	case "list":
		if err := fs.Parse(args[1:]); err != nil {
			return usageError{err.Error()}
		}
		env, done, err := m.openCLI(ctx)
		if err != nil {
			return err
		}
		defer done()
		list, err := env.tenants.List(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(w, "SLUG\tTIPO\tNOME\tISTAT\tIPA\tSTATO\tAMBITO")
		for _, t := range list {
			amb := ""
			if t.Ambito != nil {
				amb = t.Ambito.Slug
				if t.IsCapofila {
					amb += " (capofila)"
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Slug, t.Kind, t.Name, t.IstatCode, t.IpaCode, t.Status, amb)
		}
		return w.Flush()
	}
	return usageError{fmt.Sprintf("tenant: unknown subcommand %q", args[0])}
}
