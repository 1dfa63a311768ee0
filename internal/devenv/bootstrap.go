package devenv

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Bootstrap creates the product's roles on a server, connected as a superuser. It is
// idempotent, and mirrors deploy/sql/roles.sql.
func Bootstrap(ctx context.Context, adminURL string) error {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	stmts := []string{
		fmt.Sprintf(`DO $$ BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%[1]s') THEN
				CREATE ROLE %[1]s LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE;
			END IF;
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%[2]s') THEN
				CREATE ROLE %[2]s NOLOGIN NOSUPERUSER NOBYPASSRLS;
			END IF;
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%[3]s') THEN
				CREATE ROLE %[3]s LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE IN ROLE %[2]s;
			END IF;
		END $$`, OwnerRole, RuntimeRole, AppRole),
	}
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// CreateDatabase creates dbname owned by the owner role unless it exists, optionally from a
// template, and locks the public schema down so only the owner creates objects in it.
func CreateDatabase(ctx context.Context, adminURL, dbname, template string) (created bool, err error) {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return false, err
	}
	defer c.Close(context.Background())
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", dbname).Scan(&exists); err != nil {
		return false, err
	}
	if exists {
		return false, nil
	}
	q := fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgx.Identifier{dbname}.Sanitize(), OwnerRole)
	if template != "" {
		q += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	if _, err := c.Exec(ctx, q); err != nil {
		return false, err
	}
	if template != "" {
		return true, nil
	}
	// Fresh database: the public schema belongs to the owner; nobody else creates in it.
	d, err := pgx.Connect(ctx, replaceDB(adminURL, dbname))
	if err != nil {
		return true, err
	}
	defer d.Close(context.Background())
	for _, s := range []string{
		"ALTER SCHEMA public OWNER TO " + OwnerRole,
		"REVOKE CREATE ON SCHEMA public FROM PUBLIC",
		"REVOKE ALL ON DATABASE " + pgx.Identifier{dbname}.Sanitize() + " FROM PUBLIC",
		"GRANT CONNECT ON DATABASE " + pgx.Identifier{dbname}.Sanitize() + " TO " + RuntimeRole + ", " + OwnerRole,
	} {
		if _, err := d.Exec(ctx, s); err != nil {
			return true, fmt.Errorf("%s: %w", s, err)
		}
	}
	return true, nil
}

// replaceDB swaps the database name of a postgres:// URL.
func replaceDB(url, dbname string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return url
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, dbname)
}
