-- name: ComplaintUploadAdd :exec
-- Complaint attachments (internal/complaints): a file waiting for its complaint.
INSERT INTO complaint_uploads (tenant_id, token_hash, filename, content_type, size_bytes, data, created_at)
VALUES ((SELECT app_tenant()), @token_hash, @filename, @content_type, @size_bytes, @data, @created_at);

-- name: ComplaintUploadsPending :many
-- The pending uploads among hashes that are still valid (created after cutoff), without bytes.
SELECT token_hash, filename, content_type, size_bytes FROM complaint_uploads
WHERE token_hash = ANY(@hashes::bytea[]) AND created_at > @cutoff::timestamptz;

-- name: ComplaintUploadsPendingBytes :one
-- What the tenant's valid pending uploads weigh, for the bound on them.
SELECT coalesce(sum(size_bytes), 0)::bigint FROM complaint_uploads WHERE created_at > @cutoff::timestamptz;

-- name: ComplaintUploadDiscard :exec
DELETE FROM complaint_uploads WHERE token_hash = $1;

-- name: ComplaintUploadsDeleteBefore :execrows
-- The daily cleanup: uploads never filed with a complaint.
DELETE FROM complaint_uploads WHERE created_at <= @cutoff::timestamptz;

-- name: ComplaintUploadAttach :execrows
-- Moves a valid pending upload into the complaint's attachments as number n; no row when the
-- token is unknown, already used or expired.
WITH u AS (
    DELETE FROM complaint_uploads WHERE token_hash = @token_hash AND created_at > @cutoff::timestamptz
    RETURNING tenant_id, filename, content_type, size_bytes, data
)
INSERT INTO complaint_attachments (tenant_id, complaint_id, n, filename, content_type, size_bytes, data)
SELECT tenant_id, @complaint_id, @n, filename, content_type, size_bytes, data FROM u;

-- name: ComplaintAttachmentsOf :many
SELECT n, filename, content_type, size_bytes FROM complaint_attachments WHERE complaint_id = $1 ORDER BY n;

-- name: ComplaintAttachmentGet :one
SELECT a.n, a.filename, a.content_type, a.size_bytes, a.data, c.year, c.number
FROM complaint_attachments a JOIN complaints c ON c.tenant_id = a.tenant_id AND c.id = a.complaint_id
WHERE a.complaint_id = @complaint_id AND a.n = @n;

-- name: ComplaintAttachmentsDelete :exec
DELETE FROM complaint_attachments WHERE complaint_id = ANY(@ids::uuid[]);
