-- +goose Up
-- The API keys of a tenant's Open311 GeoReport v2 endpoint (internal/open311): an ente admin
-- issues one per client application and may revoke it. The key is shown once; only its
-- SHA-256 is stored.
CREATE TABLE open311_keys (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    key_hash     bytea NOT NULL CHECK (length(key_hash) = 32),
    label        text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, key_hash)
);
ALTER TABLE open311_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE open311_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON open311_keys FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON open311_keys FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_update ON open311_keys FOR UPDATE
    USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, UPDATE (revoked_at, last_used_at) ON open311_keys TO carta_runtime;

-- +goose Down
DROP TABLE open311_keys;
