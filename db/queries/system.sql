-- name: RuntimeRoleCheck :one
-- What the connected role may do: the server refuses to start when it escapes RLS.
SELECT r.rolname::text AS role_name, r.rolsuper AS is_superuser, r.rolbypassrls AS bypasses_rls,
    EXISTS (SELECT 1 FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
              AND pg_catalog.pg_has_role(current_user, c.relowner, 'MEMBER'))::boolean AS owns_tables
FROM pg_catalog.pg_roles r WHERE r.rolname = current_user;

-- name: SchemaVersion :one
SELECT app_schema_version()::bigint;

-- name: DemoUserCount :one
SELECT count(*) FROM users WHERE is_demo;
