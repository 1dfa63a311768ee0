-- name: UserCreate :one
-- Staff accounts and their one-time tokens (internal/auth). users and user_tokens are global
-- (no row-level security): these queries run in system transactions, or in a tenant
-- transaction when an invitation commits with the role it grants.
INSERT INTO users (email, display_name, password_hash, is_demo, password_changed_at)
VALUES (@email, @display_name, @password_hash, @is_demo,
        CASE WHEN @password_hash::text <> '' THEN now() END)
RETURNING *;

-- name: UserGetByID :one
SELECT * FROM users WHERE id = $1;

-- name: UserGetByEmail :one
SELECT * FROM users WHERE email = lower(@email::text);

-- name: UserSetPassword :exec
UPDATE users SET password_hash = @password_hash, password_changed_at = now(), updated_at = now()
WHERE id = @id;

-- name: UserLoginSucceeded :exec
UPDATE users SET last_login_at = now(), updated_at = now() WHERE id = $1;

-- name: UserTokenCreate :one
-- A token is created without its hash: UserTokenArm writes one when its e-mail is sent.
INSERT INTO user_tokens (user_id, purpose, invited_to, invitation_id, expires_at)
VALUES (@user_id, @purpose, @invited_to, @invitation_id, now() + make_interval(secs => @valid_seconds::int))
RETURNING id;

-- name: UserTokenByID :one
SELECT * FROM user_tokens WHERE id = $1;

-- name: UserTokenArm :one
-- Gives a live token a fresh hash just before its e-mail goes out; a retried e-mail gets a new
-- link and the previous one stops working. No row when the token was spent or has expired.
UPDATE user_tokens SET token_hash = @token_hash
WHERE id = @id AND used_at IS NULL AND expires_at > now()
RETURNING *;

-- name: UserTokenGet :one
-- A token with its user, whatever its state: the caller tells expired from used from valid.
SELECT sqlc.embed(user_tokens), sqlc.embed(users)
FROM user_tokens JOIN users ON users.id = user_tokens.user_id
WHERE user_tokens.token_hash = $1 AND user_tokens.purpose = $2;

-- name: UserTokenUse :execrows
-- Spends a token once: a second use, or a use after expiry, changes nothing.
UPDATE user_tokens SET used_at = now()
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now();

-- name: UserTokensRetireInvitation :exec
UPDATE user_tokens SET used_at = now() WHERE invitation_id = $1 AND used_at IS NULL;

-- name: UserTokensRetire :exec
-- Retires every other live token of a user for a purpose (a password just set makes older
-- reset links pointless).
UPDATE user_tokens SET used_at = now()
WHERE user_id = @user_id AND purpose = @purpose AND used_at IS NULL;

-- name: UserRehash :exec
-- Replaces a hash made with older parameters, unless the password changed meanwhile.
UPDATE users SET password_hash = @password_hash, updated_at = now()
WHERE id = @id AND password_hash = @old_hash;
