-- Publication of the Carta: immutable versions, the tenant's publication state, the search index
-- rebuilt at each publication, and scheduled publications. Every query runs in a tenant
-- transaction; row-level security keeps writes on app_tenant().

-- name: PublicationStateLock :one
-- Creates the state row on the first publication and locks it in any case, so that concurrent
-- publications of one tenant queue here and each reads the number left by the previous one.
-- ON CONFLICT DO UPDATE locks (and returns) the newest committed row.
INSERT INTO carta_state (tenant_id) VALUES (app_tenant())
ON CONFLICT (tenant_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id
RETURNING *;

-- name: PublicationStateUpdate :exec
UPDATE carta_state
SET published_version = sqlc.arg('published_version'),
    first_published_at = coalesce(first_published_at, sqlc.arg('published_at')::timestamptz),
    last_published_at = sqlc.arg('published_at')::timestamptz
WHERE tenant_id = app_tenant();

-- name: PublicationVersionInsert :exec
INSERT INTO carta_versions (tenant_id, number, published_at, published_by, publisher_label, note, snapshot)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6);

-- name: PublicationSearchDelete :exec
DELETE FROM service_search WHERE tenant_id = app_tenant();

-- name: PublicationSearchInsert :exec
-- One row per published service, in one statement. Weights: title A, keywords B, the short
-- description, who it is for and the long description C; carta_it ignores accents. plain feeds
-- the trigram index that tolerates typos.
INSERT INTO service_search (tenant_id, service_id, version, slug, title, summary, category_code, document, plain)
SELECT app_tenant(), s.service_id, sqlc.arg('version')::integer, s.slug, s.title, s.summary, s.category_code,
       setweight(to_tsvector('carta_it', s.title), 'A')
       || setweight(to_tsvector('carta_it', s.keywords), 'B')
       || setweight(to_tsvector('carta_it', s.body), 'C'),
       lower(unaccent(s.title || ' ' || s.keywords))
FROM (
    -- Set-returning functions in one select list advance together: one row per service.
    SELECT unnest(sqlc.arg('service_ids')::uuid[]) AS service_id,
           unnest(sqlc.arg('slugs')::text[]) AS slug,
           unnest(sqlc.arg('titles')::text[]) AS title,
           unnest(sqlc.arg('summaries')::text[]) AS summary,
           unnest(sqlc.arg('category_codes')::text[]) AS category_code,
           unnest(sqlc.arg('keywords')::text[]) AS keywords,
           unnest(sqlc.arg('bodies')::text[]) AS body
) AS s;

-- name: PublicationScheduleInsert :one
INSERT INTO carta_schedules (tenant_id, publish_at, note, created_by)
VALUES (app_tenant(), $1, $2, $3)
RETURNING id;

-- name: PublicationScheduleLock :one
-- The worker holds the schedule while it publishes, so a cancellation waits for it and then
-- finds the schedule no longer pending.
SELECT * FROM carta_schedules WHERE tenant_id = app_tenant() AND id = $1 FOR UPDATE;

-- name: PublicationScheduleFinish :exec
UPDATE carta_schedules SET status = $2, result_version = $3, result_note = $4
WHERE tenant_id = app_tenant() AND id = $1 AND status = 'pending';

-- name: PublicationScheduleCancel :execrows
UPDATE carta_schedules SET status = 'cancelled'
WHERE tenant_id = app_tenant() AND id = $1 AND status = 'pending';

-- name: PublicationScheduleGet :one
SELECT * FROM carta_schedules WHERE tenant_id = app_tenant() AND id = $1;

-- name: PublicationSchedulePending :many
SELECT s.*, coalesce(u.display_name, '')::text AS created_by_name
FROM carta_schedules s LEFT JOIN users u ON u.id = s.created_by
WHERE s.tenant_id = app_tenant() AND s.status = 'pending'
ORDER BY s.publish_at, s.created_at;

-- name: PublicationScheduleRecent :many
-- Schedules already run or cancelled, newest first, so staff see what happened to them.
SELECT s.*, coalesce(u.display_name, '')::text AS created_by_name
FROM carta_schedules s LEFT JOIN users u ON u.id = s.created_by
WHERE s.tenant_id = app_tenant() AND s.status <> 'pending'
ORDER BY s.publish_at DESC, s.created_at DESC
LIMIT $1;
