-- name: CartaStateGet :one
-- The publication state of a tenant: its own, or its ambito's (readable by member comuni).
SELECT * FROM carta_state WHERE tenant_id = $1;

-- name: CartaVersionGet :one
SELECT * FROM carta_versions WHERE tenant_id = $1 AND number = $2;

-- name: CartaVersionList :many
SELECT tenant_id, number, published_at, published_by, publisher_label, note
FROM carta_versions WHERE tenant_id = $1
ORDER BY number DESC;
