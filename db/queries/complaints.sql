-- name: ComplaintNextNumber :one
-- Complaints (internal/complaints). The next protocol number of the tenant's year: the row
-- lock of the upsert serialises concurrent submissions, and a rolled-back one gives its number
-- back, so numbers have no gap.
INSERT INTO complaint_counters (tenant_id, year, last)
VALUES ((SELECT app_tenant()), @year, 1)
ON CONFLICT (tenant_id, year) DO UPDATE SET last = complaint_counters.last + 1
RETURNING last;

-- name: ComplaintDueDays :one
SELECT coalesce((SELECT complaint_due_days FROM tenant_profiles WHERE tenant_id = (SELECT app_tenant())), 30)::int;

-- name: ComplaintCreate :one
INSERT INTO complaints (tenant_id, year, number, channel, service_id, service_owner_id, service_title, standard,
    what_happened, request, first_name, last_name, fiscal_code, email, phone, on_behalf_of,
    relation, consent_at, submitted_at, due_on)
VALUES ((SELECT app_tenant()), @year, @number, @channel, @service_id, @service_owner_id, @service_title, @standard,
    @what_happened, @request, @first_name, @last_name, @fiscal_code, @email, @phone, @on_behalf_of,
    @relation, @consent_at, @submitted_at, @due_on)
RETURNING *;

-- name: ComplaintEventAdd :exec
INSERT INTO complaint_events (tenant_id, complaint_id, kind, status, note, public, actor_id)
VALUES ((SELECT app_tenant()), @complaint_id, @kind, @status, @note, @public, @actor_id);

-- name: ComplaintLinkAdd :exec
INSERT INTO complaint_links (tenant_id, token_hash, complaint_id, via)
VALUES ((SELECT app_tenant()), @token_hash, @complaint_id, @via);

-- name: ComplaintByLink :one
SELECT c.* FROM complaints c
JOIN complaint_links l ON l.tenant_id = c.tenant_id AND l.complaint_id = c.id
WHERE l.token_hash = $1;

-- name: ComplaintGet :one
SELECT * FROM complaints WHERE id = $1;

-- name: ComplaintLock :one
SELECT * FROM complaints WHERE id = $1 FOR UPDATE;

-- name: ComplaintEvents :many
SELECT e.*, coalesce(u.display_name, '')::text AS actor_name
FROM complaint_events e LEFT JOIN users u ON u.id = e.actor_id
WHERE e.complaint_id = $1
ORDER BY e.id;

-- name: ComplaintSetStatus :one
UPDATE complaints SET status = @status, updated_at = now(),
    closed_at = CASE WHEN @status::text = 'chiuso' THEN now() ELSE closed_at END
WHERE id = @id
RETURNING *;

-- name: ComplaintSetReply :one
UPDATE complaints SET status = 'risposto', outcome = @outcome, reply = @reply, replied_at = @at::timestamptz,
    first_replied_at = coalesce(first_replied_at, @at::timestamptz), updated_at = now()
WHERE id = @id
RETURNING *;

-- name: ComplaintInbox :many
-- The tenant's complaints, newest first in keyset pages, by status, deadline, service, channel, office.
SELECT c.* FROM complaints c
WHERE (CASE WHEN @status::text = '' THEN c.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria', 'risposto')
            WHEN @status::text = 'tutti' THEN true
            ELSE c.status = @status::text END)
  AND (NOT @overdue::boolean OR (c.due_on < @today::date AND c.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria')))
  AND (sqlc.narg(due_by)::date IS NULL OR (c.due_on >= @today::date AND c.due_on <= sqlc.narg(due_by)::date
                                  AND c.status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria')))
  AND (NOT @other_service::boolean OR c.service_id IS NULL)
  AND (sqlc.narg(service_id)::uuid IS NULL OR c.service_id = sqlc.narg(service_id)::uuid)
  AND (@channel::text = '' OR c.channel = @channel::text)
  AND (sqlc.narg(office_id)::uuid IS NULL OR EXISTS (
        SELECT 1 FROM complaint_assignments a
        WHERE a.tenant_id = c.tenant_id AND a.complaint_id = c.id AND a.office_id = sqlc.narg(office_id)::uuid))
  AND (sqlc.narg(before_at)::timestamptz IS NULL
       OR (c.submitted_at, c.id) < (sqlc.narg(before_at)::timestamptz, sqlc.narg(before_id)::uuid))
ORDER BY c.submitted_at DESC, c.id DESC
LIMIT @lim;

-- name: ComplaintCounts :many
SELECT status, count(*)::int AS n FROM complaints GROUP BY status;

-- name: ComplaintRetentionMonths :one
SELECT coalesce((SELECT complaint_retention_months FROM tenant_profiles WHERE tenant_id = (SELECT app_tenant())), 60)::int;

-- name: ComplaintAnonymiseClosedBefore :many
-- Removes the personal data of the complaints closed before cutoff.
UPDATE complaints SET first_name = '', last_name = '', fiscal_code = '', email = '', phone = '',
    on_behalf_of = '', relation = '', what_happened = '(testo rimosso al termine della conservazione)',
    request = '', reply = '', anonymised_at = now(), updated_at = now()
WHERE anonymised_at IS NULL AND closed_at IS NOT NULL AND closed_at < @cutoff::timestamptz
RETURNING id;

-- name: ComplaintEventNotesClear :exec
UPDATE complaint_events SET note = '' WHERE complaint_id = ANY(@ids::uuid[]) AND note <> '';

-- name: ComplaintLinksDelete :exec
DELETE FROM complaint_links WHERE complaint_id = ANY(@ids::uuid[]);

-- name: ComplaintFeedbackCreate :one
-- Suggestions and unmet needs, kept next to complaints (the same store).
INSERT INTO feedback (tenant_id, kind, service_id, service_title, body, email)
VALUES ((SELECT app_tenant()), @kind, @service_id, @service_title, @body, @email)
RETURNING *;

-- name: ComplaintFeedbackList :many
SELECT * FROM feedback ORDER BY created_at DESC LIMIT @lim;

-- name: ComplaintFeedbackCounts :many
SELECT kind, count(*)::int AS n FROM feedback GROUP BY kind;

-- name: ComplaintsByAuthor :many
-- Every complaint of one person, found by codice fiscale or e-mail (a data subject's request).
SELECT * FROM complaints
WHERE anonymised_at IS NULL
  AND ((@fiscal_code::text <> '' AND fiscal_code = @fiscal_code::text) OR (@email::text <> '' AND lower(email) = lower(@email::text)))
ORDER BY submitted_at;

-- name: ComplaintAssignmentsOf :many
SELECT * FROM complaint_assignments WHERE complaint_id = $1 ORDER BY office_name;

-- name: ComplaintAssignmentsClear :exec
DELETE FROM complaint_assignments WHERE complaint_id = $1;

-- name: ComplaintAssign :exec
INSERT INTO complaint_assignments (tenant_id, complaint_id, office_id, office_name)
VALUES ((SELECT app_tenant()), @complaint_id, @office_id, @office_name);

-- name: ComplaintContributionAdd :exec
INSERT INTO complaint_events (tenant_id, complaint_id, kind, status, note, public, actor_id, office_name)
VALUES ((SELECT app_tenant()), @complaint_id, 'contribution', @status, @note, false, @actor_id, @office_name);

-- name: ComplaintTemplates :many
SELECT * FROM complaint_reply_templates ORDER BY lower(title);

-- name: ComplaintTemplateAdd :one
INSERT INTO complaint_reply_templates (tenant_id, title, body) VALUES ((SELECT app_tenant()), @title, @body)
RETURNING *;

-- name: ComplaintTemplateDelete :execrows
DELETE FROM complaint_reply_templates WHERE id = $1;
