-- +goose Up
-- Foundation: tenants (comuni and ambiti), staff accounts, role rules, tenant profiles and the
-- audit trail, with row-level security on every table that holds a tenant's data.
--
-- Migrations run as the owner role. The runtime role is a member of carta_runtime, a NOLOGIN
-- group created by the bootstrap step (docs/DEPLOY.md, internal/devenv); it is neither owner,
-- nor superuser, nor BYPASSRLS, so the policies below bind it.

-- The tenant of the current transaction, set by tenant.DB.InTx with
-- set_config('app.tenant_id', id, true). NULL when unset: every policy then matches no row.
CREATE FUNCTION app_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- tenants and ambito_members are read before a tenant is known (host resolution) and hold no
-- citizen data: no row-level security on them.
CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('comune', 'ambito')),
    name        text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
    istat_code  text NOT NULL DEFAULT '',
    ipa_code    text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'archived')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_slug_key UNIQUE (slug),
    -- A DNS label: lower-case letters, digits and inner hyphens, 2 to 63 characters.
    CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$'),
    -- A comune's ISTAT code has six digits; an ambito's code is regional and free-form.
    CONSTRAINT tenants_istat_format CHECK (kind <> 'comune' OR istat_code ~ '^[0-9]{6}$')
);
CREATE UNIQUE INDEX tenants_istat_key ON tenants (istat_code) WHERE kind = 'comune';
CREATE UNIQUE INDEX tenants_ipa_key ON tenants (lower(ipa_code)) WHERE ipa_code <> '';

-- Membership of comuni in ambiti, with history: a comune is in at most one ambito at a time,
-- and an ambito has at most one capofila at a time.
CREATE TABLE ambito_members (
    ambito_id   uuid NOT NULL REFERENCES tenants (id),
    comune_id   uuid NOT NULL REFERENCES tenants (id),
    is_capofila boolean NOT NULL DEFAULT false,
    joined_at   timestamptz NOT NULL DEFAULT now(),
    left_at     timestamptz,
    PRIMARY KEY (ambito_id, comune_id, joined_at),
    CHECK (ambito_id <> comune_id),
    CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE UNIQUE INDEX ambito_members_one_ambito ON ambito_members (comune_id) WHERE left_at IS NULL;
CREATE UNIQUE INDEX ambito_members_one_capofila ON ambito_members (ambito_id)
    WHERE is_capofila AND left_at IS NULL;

-- The tenants whose rows the current tenant may read: itself and, for an ambito, its current
-- member comuni. SECURITY DEFINER so that it keeps working if membership ever gets its own
-- policies; STABLE and called as (SELECT app_readable_tenants()) so it runs once per statement.
CREATE FUNCTION app_readable_tenants() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    SELECT CASE WHEN app_tenant() IS NULL THEN '{}'::uuid[]
           ELSE array_append(ARRAY(SELECT m.comune_id FROM public.ambito_members m
                                   WHERE m.ambito_id = app_tenant() AND m.left_at IS NULL),
                             app_tenant())
           END
    $$;

-- The ambito the current tenant belongs to, if any: a comune reads its ambito's published
-- content (never its drafts) through policies that use this.
CREATE FUNCTION app_tenant_ambito() RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    SELECT m.ambito_id FROM public.ambito_members m
    WHERE m.comune_id = app_tenant() AND m.left_at IS NULL
    $$;

-- Staff accounts are global: one person may hold roles in several tenants (the capofila's
-- staff in their comune and in the ambito). Roles live in casbin_rule, per tenant.
CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    password_hash   text NOT NULL DEFAULT '',
    is_demo         boolean NOT NULL DEFAULT false,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    disabled_at     timestamptz,
    last_login_at   timestamptz,
    password_changed_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);

-- One-time links (password reset, invitation): only a hash of the token is stored.
CREATE TABLE user_tokens (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('reset', 'invite')),
    -- The tenant an invitation is for (not a tenant row: tokens are global, read by hash).
    invited_to  uuid REFERENCES tenants (id),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_tokens_user ON user_tokens (user_id);

-- Casbin rules: role -> permission templates (ptype p) and user -> role per tenant (ptype g,
-- v2 = tenant id or 'platform'). Read before any tenant is known, no citizen data: no RLS.
CREATE TABLE casbin_rule (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ptype text NOT NULL,
    v0    text NOT NULL DEFAULT '',
    v1    text NOT NULL DEFAULT '',
    v2    text NOT NULL DEFAULT '',
    v3    text NOT NULL DEFAULT '',
    v4    text NOT NULL DEFAULT '',
    v5    text NOT NULL DEFAULT '',
    CONSTRAINT casbin_rule_key UNIQUE (ptype, v0, v1, v2, v3, v4, v5)
);
CREATE INDEX casbin_rule_domain ON casbin_rule (ptype, v2);

-- The public face of a tenant: shown in the citizen site's header and footer.
CREATE TABLE tenant_profiles (
    tenant_id          uuid PRIMARY KEY REFERENCES tenants (id),
    legal_address      text NOT NULL DEFAULT '',
    postal_code        text NOT NULL DEFAULT '',
    city               text NOT NULL DEFAULT '',
    province           text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    email              text NOT NULL DEFAULT '',
    pec                text NOT NULL DEFAULT '',
    website_url        text NOT NULL DEFAULT '',
    accessibility_url  text NOT NULL DEFAULT '',
    privacy_url        text NOT NULL DEFAULT '',
    social_links       jsonb NOT NULL DEFAULT '[]',
    logo               bytea,
    logo_content_type  text NOT NULL DEFAULT '',
    logo_updated_at    timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         uuid REFERENCES users (id)
);

-- Every staff write: who, what, when, from where. Append-only for the runtime role.
CREATE TABLE audit_log (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     uuid REFERENCES users (id),
    actor_label  text NOT NULL,
    action       text NOT NULL,
    object_type  text NOT NULL DEFAULT '',
    object_id    text NOT NULL DEFAULT '',
    details      jsonb NOT NULL DEFAULT '{}',
    ip           text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC);

-- Row-level security: read own (and, for an ambito, members'), write own only.
ALTER TABLE tenant_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON tenant_profiles FOR SELECT
    USING (tenant_id = ANY ((SELECT app_readable_tenants())::uuid[]));
CREATE POLICY tenant_insert ON tenant_profiles FOR INSERT
    WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_update ON tenant_profiles FOR UPDATE
    USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_delete ON tenant_profiles FOR DELETE
    USING (tenant_id = (SELECT app_tenant()));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON audit_log FOR SELECT
    USING (tenant_id = ANY ((SELECT app_readable_tenants())::uuid[]));
CREATE POLICY tenant_insert ON audit_log FOR INSERT
    WITH CHECK (tenant_id = (SELECT app_tenant()));

-- The newest applied migration, so the server can refuse a database older than itself.
CREATE FUNCTION app_schema_version() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied $$;

GRANT USAGE ON SCHEMA public TO carta_runtime;
GRANT EXECUTE ON FUNCTION app_tenant(), app_readable_tenants(), app_tenant_ambito() TO carta_runtime;
GRANT SELECT, INSERT, UPDATE ON tenants TO carta_runtime;
GRANT SELECT, INSERT, UPDATE ON ambito_members TO carta_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, user_tokens, casbin_rule, tenant_profiles TO carta_runtime;
GRANT SELECT, INSERT ON audit_log TO carta_runtime;
GRANT SELECT ON goose_db_version TO carta_runtime;

-- +goose Down
DROP TABLE audit_log, tenant_profiles, casbin_rule, user_tokens, users, ambito_members, tenants;
DROP FUNCTION app_schema_version(), app_tenant_ambito(), app_readable_tenants(), app_tenant();
