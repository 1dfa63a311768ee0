-- name: ComplaintSetSolved :one
-- Complaints (internal/complaints), after the answer: what the author says of it.
UPDATE complaints SET solved = @solved, solved_at = @at::timestamptz, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: ComplaintReopen :one
-- The author reopens an answered complaint: the URP owes a new answer by @due_on, under the
-- same number.
UPDATE complaints SET status = 'in_istruttoria', solved = false, solved_at = @at::timestamptz, reopened_at = @at::timestamptz,
    reopen_count = reopen_count + 1, due_on = @due_on, closed_at = NULL, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: ComplaintSetOfficialProtocol :one
UPDATE complaints SET official_protocol = @official_protocol, official_protocol_on = @official_protocol_on, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: ComplaintSettings :one
SELECT complaint_due_days, complaint_retention_months, complaint_protocol_mailbox
FROM tenant_profiles WHERE tenant_id = (SELECT app_tenant());

-- name: ComplaintSettingsUpdate :exec
INSERT INTO tenant_profiles (tenant_id, complaint_due_days, complaint_retention_months, complaint_protocol_mailbox)
VALUES ((SELECT app_tenant()), @due_days, @retention_months, @protocol_mailbox)
ON CONFLICT (tenant_id) DO UPDATE SET complaint_due_days = excluded.complaint_due_days,
    complaint_retention_months = excluded.complaint_retention_months,
    complaint_protocol_mailbox = excluded.complaint_protocol_mailbox, updated_at = now();

-- name: ComplaintReminderSent :one
-- Whether the reminder of that kind went out for the complaint's current due date (since it
-- was filed or last reopened).
SELECT EXISTS (
    SELECT 1 FROM complaint_events e JOIN complaints c ON c.tenant_id = e.tenant_id AND c.id = e.complaint_id
    WHERE e.complaint_id = @complaint_id AND e.kind = @kind
      AND e.at >= coalesce(c.reopened_at, c.submitted_at));

-- name: ComplaintOpenDueBy :many
-- The open complaints due by @until: those whose reminders may have been missed.
SELECT id, due_on FROM complaints
WHERE status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria') AND due_on <= @until::date
ORDER BY due_on;
