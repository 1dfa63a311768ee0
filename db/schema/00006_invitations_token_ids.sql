-- +goose Up
-- An invitation is an offer of roles in one tenant, granted only when the person accepts it
-- (with a new password, or with the one of the account they already have). Until then the
-- tenant sees what it typed (e-mail, name, roles) and nothing of the account.
CREATE TABLE invitations (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (length(email) <= 254),
    name        text NOT NULL CHECK (length(name) <= 200),
    roles       text[] NOT NULL CHECK (cardinality(roles) > 0),
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);
-- One open invitation per person and tenant: inviting again replaces it.
CREATE UNIQUE INDEX invitations_open ON invitations (tenant_id, user_id)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_tenant ON invitations (tenant_id, created_at DESC);

-- Only the tenant itself reads its invitations (not the capofila of its ambito).
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON invitations FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON invitations FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_update ON invitations FOR UPDATE
    USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, UPDATE ON invitations TO carta_runtime;

-- A token has an id, and its hash is written only when the e-mail carrying it is about to be
-- sent: the job that sends it holds the id alone, so the job table never holds a usable link.
-- Tokens issued before this migration keep working.
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_pkey;
ALTER TABLE user_tokens
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    ALTER COLUMN token_hash DROP NOT NULL,
    ADD CONSTRAINT user_tokens_token_hash_key UNIQUE (token_hash),
    ADD COLUMN invitation_id uuid,
    -- The invitation of the tenant the token is for (invited_to).
    ADD CONSTRAINT user_tokens_invitation_fkey FOREIGN KEY (invited_to, invitation_id)
        REFERENCES invitations (tenant_id, id) ON DELETE CASCADE;
CREATE INDEX user_tokens_invitation ON user_tokens (invitation_id) WHERE invitation_id IS NOT NULL;

-- Failed logins are counted per e-mail and tenant host in Redis (internal/auth): a wrong
-- password on one comune's site no longer locks the account on every other.
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- +goose Down
ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0, ADD COLUMN locked_until timestamptz;
DELETE FROM user_tokens WHERE token_hash IS NULL;
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_invitation_fkey,
    DROP COLUMN invitation_id, DROP CONSTRAINT user_tokens_token_hash_key;
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_pkey;
ALTER TABLE user_tokens DROP COLUMN id, ALTER COLUMN token_hash SET NOT NULL;
ALTER TABLE user_tokens ADD PRIMARY KEY (token_hash);
DROP TABLE invitations;
