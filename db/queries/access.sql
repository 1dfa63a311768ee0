-- name: CasbinRuleList :many
-- casbin_rule and users have no row-level security: the queries of this file run in system
-- transactions, or in a tenant transaction when a role change commits with its audit entry.
SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule;

-- name: CasbinRuleListByPtype :many
SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule WHERE ptype = $1 ORDER BY id;

-- name: CasbinRuleInsert :exec
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT ON CONSTRAINT casbin_rule_key DO NOTHING;

-- name: CasbinRuleInsertMany :exec
INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5)
SELECT unnest(@ptype::text[]), unnest(@v0::text[]), unnest(@v1::text[]), unnest(@v2::text[]),
       unnest(@v3::text[]), unnest(@v4::text[]), unnest(@v5::text[])
ON CONFLICT ON CONSTRAINT casbin_rule_key DO NOTHING;

-- name: CasbinRuleDelete :execrows
DELETE FROM casbin_rule
WHERE ptype = $1 AND v0 = $2 AND v1 = $3 AND v2 = $4 AND v3 = $5 AND v4 = $6 AND v5 = $7;

-- name: CasbinRuleDeleteFiltered :execrows
-- A NULL field matches anything (Casbin's RemoveFilteredPolicy with an empty value).
DELETE FROM casbin_rule
WHERE ptype = @ptype
  AND (sqlc.narg('v0')::text IS NULL OR v0 = sqlc.narg('v0'))
  AND (sqlc.narg('v1')::text IS NULL OR v1 = sqlc.narg('v1'))
  AND (sqlc.narg('v2')::text IS NULL OR v2 = sqlc.narg('v2'))
  AND (sqlc.narg('v3')::text IS NULL OR v3 = sqlc.narg('v3'))
  AND (sqlc.narg('v4')::text IS NULL OR v4 = sqlc.narg('v4'))
  AND (sqlc.narg('v5')::text IS NULL OR v5 = sqlc.narg('v5'));

-- name: CasbinRuleDeleteAll :exec
DELETE FROM casbin_rule;

-- name: CasbinTemplateLock :exec
-- Replicas starting together sync the role template one at a time.
SELECT pg_advisory_xact_lock(hashtext('carta:casbin-template'));

-- name: AccessRolesOf :many
-- The roles a subject holds in a domain, as stored (not as cached in memory).
SELECT v1 AS role FROM casbin_rule
WHERE ptype = 'g' AND v2 = @domain AND v0 = @subject
ORDER BY v1;

-- name: AccessDomainAssignments :many
SELECT v0 AS subject, v1 AS role FROM casbin_rule
WHERE ptype = 'g' AND v2 = @domain
ORDER BY v0, v1;

-- name: AccessLockRoleHolders :many
-- Locks the holders of a role in a domain, so that two concurrent changes cannot both remove
-- what each believes is not the last ente admin.
SELECT v0 AS subject FROM casbin_rule
WHERE ptype = 'g' AND v1 = @role AND v2 = @domain
ORDER BY v0
FOR UPDATE;

-- name: AccessUsersByIDs :many
SELECT id, email, display_name, disabled_at,
       (password_hash <> '')::boolean AS has_password
FROM users
WHERE id = ANY(@ids::uuid[])
ORDER BY lower(display_name), email;

-- name: AccessUserByID :one
SELECT id, email, display_name, disabled_at,
       (password_hash <> '')::boolean AS has_password
FROM users
WHERE id = $1;

-- name: AccessUserByEmail :one
SELECT id, email, display_name, disabled_at,
       (password_hash <> '')::boolean AS has_password
FROM users
WHERE email = lower(@email::text);
