-- name: ComplaintAmbitoViewOn :exec
-- The ambito's read-only view of its members' complaints about its services (00016): the
-- switch is transaction-local and set only by the view's reads.
SELECT set_config('app.ambito_view', 'on', true);

-- name: ComplaintAmbitoViewList :many
-- Member comuni's complaints about the current tenant's services, newest first in keyset
-- pages; no personal data of the author.
SELECT c.tenant_id, c.id, c.year, c.number, c.channel, c.status, c.service_title, c.standard,
       c.submitted_at, c.due_on, c.outcome, c.replied_at, c.closed_at, c.forwarded_to
FROM complaints c
WHERE c.service_owner_id = (SELECT app_tenant()) AND c.tenant_id <> (SELECT app_tenant())
  AND (sqlc.narg(member)::uuid IS NULL OR c.tenant_id = sqlc.narg(member)::uuid)
  AND (NOT @open_only::boolean OR c.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria'))
  AND (NOT @overdue::boolean OR (c.due_on < @today::date AND c.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria')))
  AND (sqlc.narg(before_at)::timestamptz IS NULL
       OR (c.submitted_at, c.id) < (sqlc.narg(before_at)::timestamptz, sqlc.narg(before_id)::uuid))
ORDER BY c.submitted_at DESC, c.id DESC
LIMIT @lim;

-- name: ComplaintAmbitoViewCounts :many
-- Per member comune: its complaints about the current tenant's services, open and overdue.
SELECT c.tenant_id, count(*)::int AS total,
       (count(*) FILTER (WHERE c.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria')))::int AS open,
       (count(*) FILTER (WHERE c.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria')
                           AND c.due_on < @today::date))::int AS overdue
FROM complaints c
WHERE c.service_owner_id = (SELECT app_tenant()) AND c.tenant_id <> (SELECT app_tenant())
GROUP BY c.tenant_id;

-- name: ComplaintAmbitoViewGet :one
SELECT c.tenant_id, c.id, c.year, c.number, c.channel, c.status, c.service_title, c.standard,
       c.submitted_at, c.due_on, c.outcome, c.replied_at, c.closed_at, c.forwarded_to,
       c.what_happened, c.request, c.reply
FROM complaints c
WHERE c.tenant_id = @tenant_id AND c.id = @id
  AND c.service_owner_id = (SELECT app_tenant()) AND c.tenant_id <> (SELECT app_tenant());

-- name: ComplaintAmbitoViewEvents :many
SELECT e.at, e.kind, e.status, e.note FROM complaint_events e
WHERE e.tenant_id = @tenant_id AND e.complaint_id = @complaint_id AND e.public
ORDER BY e.id;
