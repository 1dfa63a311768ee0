-- name: AuditInsert :exec
INSERT INTO audit_log (tenant_id, actor_id, actor_label, action, object_type, object_id, object_name, changes, details, ip, user_agent)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: AuditList :many
-- A page of the tenant's trail, newest first, older than before_id when set; each filter
-- applies when set. The actor's current name and e-mail come with each entry.
SELECT a.id, a.at, a.actor_id, a.actor_label, a.action, a.object_type, a.object_id, a.object_name,
       a.changes, a.details, a.ip, a.user_agent,
       coalesce(u.display_name, '')::text AS actor_name, coalesce(u.email, '')::text AS actor_email
FROM audit_log a
LEFT JOIN users u ON u.id = a.actor_id
WHERE a.tenant_id = app_tenant()
  AND (sqlc.narg('before_id')::bigint IS NULL OR a.id < sqlc.narg('before_id'))
  AND (sqlc.narg('actor_id')::uuid IS NULL OR a.actor_id = sqlc.narg('actor_id'))
  AND (sqlc.narg('actor_label')::text IS NULL OR (a.actor_id IS NULL AND a.actor_label = sqlc.narg('actor_label')))
  AND (sqlc.narg('actions')::text[] IS NULL OR a.action = ANY (sqlc.narg('actions')::text[]))
  AND (sqlc.narg('since')::timestamptz IS NULL OR a.at >= sqlc.narg('since'))
  AND (sqlc.narg('until')::timestamptz IS NULL OR a.at < sqlc.narg('until'))
ORDER BY a.id DESC
LIMIT sqlc.arg('limit');

-- name: AuditActors :many
-- Everyone who appears in the tenant's trail: staff members once each (whatever e-mail they
-- had), non-human actors once per label.
SELECT a.actor_id, a.actor_label, coalesce(u.display_name, '')::text AS actor_name, coalesce(u.email, '')::text AS actor_email
FROM (
    SELECT actor_id, max(actor_label)::text AS actor_label
    FROM audit_log
    WHERE tenant_id = app_tenant()
    GROUP BY actor_id, CASE WHEN actor_id IS NULL THEN actor_label END
) a
LEFT JOIN users u ON u.id = a.actor_id
ORDER BY a.actor_id IS NULL, lower(coalesce(u.display_name, a.actor_label));

-- name: AuditObjectsLive :many
-- Which of ids still exist in the tenant, by kind, with their current names: the trail links
-- to them. A document links through its service; a user exists while holding a role here.
SELECT 'service'::text AS object_type, s.id::text AS object_id, s.title::text AS name, ''::text AS parent_id
FROM services s WHERE s.tenant_id = app_tenant() AND s.id = ANY (sqlc.arg('ids')::uuid[])
UNION ALL
SELECT 'office', o.id::text, o.name, '' FROM offices o WHERE o.tenant_id = app_tenant() AND o.id = ANY (sqlc.arg('ids')::uuid[])
UNION ALL
SELECT 'person', p.id::text, p.name, '' FROM people p WHERE p.tenant_id = app_tenant() AND p.id = ANY (sqlc.arg('ids')::uuid[])
UNION ALL
SELECT 'category', c.id::text, c.name, '' FROM categories c WHERE c.tenant_id = app_tenant() AND c.id = ANY (sqlc.arg('ids')::uuid[])
UNION ALL
SELECT 'section', cs.id::text, cs.title, '' FROM carta_sections cs WHERE cs.tenant_id = app_tenant() AND cs.id = ANY (sqlc.arg('ids')::uuid[])
UNION ALL
SELECT 'document', d.id::text, d.title, d.service_id::text FROM documents d
WHERE d.tenant_id = app_tenant() AND d.id = ANY (sqlc.arg('ids')::uuid[]) AND d.detached_at IS NULL AND d.service_id IS NOT NULL
UNION ALL
SELECT 'user', u.id::text, u.email, '' FROM users u
WHERE u.id = ANY (sqlc.arg('ids')::uuid[])
  AND EXISTS (SELECT FROM casbin_rule r WHERE r.ptype = 'g' AND r.v0 = 'user:' || u.id::text AND r.v2 = app_tenant()::text);

-- name: AuditLastLogins :many
-- When each of these people last logged in on this tenant's host (the trail records it).
SELECT object_id::uuid AS user_id, max(at)::timestamptz AS at
FROM audit_log
WHERE tenant_id = app_tenant() AND action = 'auth.login' AND object_type = 'user' AND object_id = ANY(@ids::text[])
GROUP BY object_id;
