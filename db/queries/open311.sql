-- name: Open311KeyCreate :one
-- Open311 API keys (internal/open311): only the SHA-256 of a key is stored.
INSERT INTO open311_keys (tenant_id, key_hash, label)
VALUES ((SELECT app_tenant()), @key_hash, @label)
RETURNING *;

-- name: Open311KeyList :many
SELECT * FROM open311_keys WHERE tenant_id = (SELECT app_tenant())
ORDER BY revoked_at IS NOT NULL, created_at DESC;

-- name: Open311KeyUse :one
-- The tenant's live key with that hash, marked as used now; no row for an unknown, revoked or
-- another tenant's key.
UPDATE open311_keys SET last_used_at = @now
WHERE tenant_id = (SELECT app_tenant()) AND key_hash = @key_hash AND revoked_at IS NULL
RETURNING id;

-- name: Open311KeyRevoke :one
UPDATE open311_keys SET revoked_at = @now
WHERE tenant_id = (SELECT app_tenant()) AND id = @id AND revoked_at IS NULL
RETURNING *;
