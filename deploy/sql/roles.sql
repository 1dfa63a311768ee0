-- Roles and database of Carta dei Servizi, created once by a DBA (superuser, or the managed
-- service's admin role) before the first `carta migrate`. Safe to run again: it creates what
-- is missing, re-asserts the attributes that matter for row-level security and sets the
-- passwords given, so it also serves to rotate them.
--
--   psql "postgres://admin@db.example.it/postgres" \
--        -v owner_password='…' -v app_password='…' -f deploy/sql/roles.sql
--
-- Optional: -v dbname=carta (the default). Passwords are psql variables, never literals here;
-- psql quotes them with :'var', and \gexec runs the statements built from them. A server with
-- log_statement = 'ddl' or 'all' logs them: turn that off for this session, or set the
-- passwords later with \password.
--
-- Roles:
--   carta_owner    LOGIN; owns the database, the schema and every table; runs migrations.
--   carta_runtime  NOLOGIN group; migrations GRANT table privileges to it, never to a login.
--   carta_app      LOGIN member of carta_runtime; what the server connects as. Not owner,
--                  not superuser, no BYPASSRLS: the server refuses to start otherwise,
--                  because either would silently switch row-level security off.

\set ON_ERROR_STOP on

-- A missing password stops the script with an error (ON_ERROR_STOP) instead of creating
-- roles that nobody can log in as.
\if :{?owner_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: pass -v owner_password=... (password of carta_owner)'; END $$;
\endif
\if :{?app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'roles.sql: pass -v app_password=... (password of carta_app)'; END $$;
\endif
\if :{?dbname}
\else
  \set dbname carta
\endif

-- Every object and grant below must be in place before any application connects, or none.
BEGIN;

SELECT 'CREATE ROLE carta_owner LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carta_owner') \gexec
SELECT 'CREATE ROLE carta_runtime NOLOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carta_runtime') \gexec
SELECT 'CREATE ROLE carta_app LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carta_app') \gexec

-- Re-asserted on every run, so that a role created by hand with the wrong attributes is fixed.
-- Only attributes that differ are altered: a managed service's admin (CREATEROLE, not
-- superuser) may not even name SUPERUSER or BYPASSRLS in an ALTER ROLE. The owner needs no
-- CREATEDB: it receives the database below, and pg_trgm is a trusted extension that the
-- database owner may create.
SELECT format('ALTER ROLE %I %s', r.rolname, concat_ws(' ',
           CASE WHEN r.rolsuper THEN 'NOSUPERUSER' END,
           CASE WHEN r.rolbypassrls THEN 'NOBYPASSRLS' END,
           CASE WHEN r.rolreplication THEN 'NOREPLICATION' END,
           CASE WHEN r.rolcreatedb THEN 'NOCREATEDB' END,
           CASE WHEN r.rolcreaterole THEN 'NOCREATEROLE' END,
           CASE WHEN r.rolcanlogin <> w.login THEN CASE WHEN w.login THEN 'LOGIN' ELSE 'NOLOGIN' END END,
           CASE WHEN NOT r.rolinherit THEN 'INHERIT' END))
FROM pg_roles r
JOIN (VALUES ('carta_owner', true), ('carta_runtime', false), ('carta_app', true)) AS w (name, login)
  ON r.rolname = w.name
WHERE r.rolsuper OR r.rolbypassrls OR r.rolreplication OR r.rolcreatedb OR r.rolcreaterole
   OR r.rolcanlogin <> w.login OR NOT r.rolinherit \gexec

SELECT 'GRANT carta_runtime TO carta_app'
WHERE NOT pg_has_role('carta_app', 'carta_runtime', 'MEMBER') \gexec

-- A non-superuser admin must be a member of the owner role to hand it the database and the
-- schema below.
SELECT format('GRANT carta_owner TO %I', current_user)
WHERE NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
  AND NOT pg_has_role(current_user, 'carta_owner', 'MEMBER') \gexec

SELECT format('ALTER ROLE carta_owner PASSWORD %L', :'owner_password') \gexec
SELECT format('ALTER ROLE carta_app PASSWORD %L', :'app_password') \gexec

COMMIT;

-- CREATE DATABASE cannot run inside a transaction block.
SELECT format('CREATE DATABASE %I OWNER carta_owner ENCODING ''UTF8'' TEMPLATE template0', :'dbname')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'dbname') \gexec

BEGIN;
SELECT format('ALTER DATABASE %I OWNER TO carta_owner', :'dbname') \gexec
-- Only the product's roles connect; PUBLIC would otherwise get CONNECT and TEMPORARY.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'dbname') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO carta_runtime', :'dbname') \gexec
SELECT format('GRANT ALL ON DATABASE %I TO carta_owner', :'dbname') \gexec
COMMIT;

\connect :"dbname"

BEGIN;
-- The owner creates the tables; nobody else may create objects in the shared schema, so that
-- no other role can plant a function or table that the owner's code would then resolve.
ALTER SCHEMA public OWNER TO carta_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO carta_runtime;
COMMIT;

\echo 'roles.sql: carta_owner, carta_runtime, carta_app and database' :dbname 'are ready'
