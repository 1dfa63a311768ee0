-- name: AuditInsert :exec
INSERT INTO audit_log (tenant_id, actor_id, actor_label, action, object_type, object_id, details, ip, user_agent)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8);

-- name: AuditList :many
SELECT * FROM audit_log
WHERE tenant_id = app_tenant() AND (sqlc.narg('before_id')::bigint IS NULL OR id < sqlc.narg('before_id'))
ORDER BY id DESC
LIMIT $1;
