-- name: InvitationCreate :one
-- Invitations (internal/auth): a tenant table, read and written in the inviting tenant's
-- transaction.
INSERT INTO invitations (tenant_id, user_id, email, name, roles, invited_by, expires_at)
VALUES ((SELECT app_tenant()), @user_id, @email, @name, @roles, @invited_by,
        now() + make_interval(secs => @valid_seconds::int))
RETURNING *;

-- name: InvitationOpenFor :one
SELECT * FROM invitations
WHERE user_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
FOR UPDATE;

-- name: InvitationGet :one
SELECT * FROM invitations WHERE id = $1;

-- name: InvitationsOpen :many
-- Open invitations, expired ones included (the list says so), newest first.
SELECT * FROM invitations
WHERE accepted_at IS NULL AND revoked_at IS NULL
ORDER BY created_at DESC;

-- name: InvitationRevoke :one
UPDATE invitations SET revoked_at = now()
WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
RETURNING *;

-- name: InvitationAccept :one
-- Accepts an open, unexpired invitation once.
UPDATE invitations SET accepted_at = now()
WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
RETURNING *;
