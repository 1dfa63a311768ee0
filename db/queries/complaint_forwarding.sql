-- name: ComplaintForwardAmbito :one
-- Forwarding (internal/complaints/forward.go). The current tenant's ambito, if any.
SELECT coalesce((SELECT app_tenant_ambito()), '00000000-0000-0000-0000-000000000000'::uuid)::uuid AS ambito_id;

-- name: ComplaintForwardUseTenant :exec
-- Moves the forwarding transaction to the other side (transaction-local, like tenant.DB.InTx).
SELECT set_config('app.tenant_id', sqlc.arg(tenant)::text, true);

-- name: ComplaintForwardMark :one
UPDATE complaints SET status = 'non_di_competenza', forwarded_to = @forwarded_to, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: ComplaintForwardCopy :one
INSERT INTO complaints (tenant_id, year, number, channel, status, service_id, service_owner_id, service_title, standard,
    what_happened, request, first_name, last_name, fiscal_code, email, phone, on_behalf_of,
    relation, consent_at, submitted_at, due_on, origin_tenant_id, origin_id, arrived_at)
VALUES ((SELECT app_tenant()), @year, @number, @channel, 'ricevuto', @service_id, @service_owner_id, @service_title, @standard,
    @what_happened, @request, @first_name, @last_name, @fiscal_code, @email, @phone, @on_behalf_of,
    @relation, @consent_at, @submitted_at, @due_on, @origin_tenant_id, @origin_id, now())
RETURNING *;

-- name: ComplaintForwardEventCopy :exec
INSERT INTO complaint_events (tenant_id, complaint_id, at, kind, status, note, public, actor_id, office_name)
VALUES ((SELECT app_tenant()), @complaint_id, @at, @kind, @status, @note, @public, @actor_id, @office_name);

-- name: ComplaintForwardedCopy :one
-- The copy the current tenant holds of a complaint forwarded to it.
SELECT * FROM complaints WHERE origin_tenant_id = @origin_tenant_id AND origin_id = @origin_id
  AND tenant_id = (SELECT app_tenant());

-- name: ComplaintForwardEvents :many
SELECT * FROM complaint_events WHERE complaint_id = @complaint_id AND tenant_id = (SELECT app_tenant()) ORDER BY id;

-- name: ComplaintForwardStatusBefore :one
-- The open status a complaint last had: the one it goes back to when it returns.
SELECT coalesce((SELECT e.status FROM complaint_events e
                 WHERE e.complaint_id = @complaint_id AND e.tenant_id = (SELECT app_tenant())
                   AND e.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria')
                 ORDER BY e.id DESC LIMIT 1), 'ricevuto')::text AS status;

-- name: ComplaintForwardBack :one
-- The original, back from the tenant it was forwarded to: open again, at the status it had.
UPDATE complaints SET status = @status, forwarded_to = NULL, updated_at = now()
WHERE id = @id AND tenant_id = (SELECT app_tenant()) AND forwarded_to = sqlc.arg(from_tenant)::uuid
RETURNING *;

-- name: ComplaintForwardRevive :one
-- The copy a tenant once returned, forwarded to it again: received anew.
UPDATE complaints SET status = 'ricevuto', forwarded_to = NULL, arrived_at = now(), updated_at = now()
WHERE origin_tenant_id = @origin_tenant_id AND origin_id = @origin_id AND tenant_id = (SELECT app_tenant())
  AND forwarded_to = @origin_tenant_id
RETURNING *;

-- name: ComplaintForwardEventsAfter :many
-- The history of a complaint after a moment: what one side did while the other held it.
SELECT * FROM complaint_events
WHERE complaint_id = @complaint_id AND tenant_id = (SELECT app_tenant()) AND at > @after::timestamptz
  AND kind <> 'received'
ORDER BY id;
