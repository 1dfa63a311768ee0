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
-- A new password also lifts a lockout: the person proved they own the mailbox.
UPDATE users SET password_hash = @password_hash, password_changed_at = now(),
    failed_logins = 0, locked_until = NULL, updated_at = now()
WHERE id = @id;

-- name: UserLoginFailed :one
-- Counts a failed password; at the threshold the account locks and the counter restarts, so
-- that after the lock the person has the full number of attempts again.
UPDATE users SET
    failed_logins = CASE WHEN failed_logins + 1 >= @max_failures::int THEN 0 ELSE failed_logins + 1 END,
    locked_until = CASE WHEN failed_logins + 1 >= @max_failures::int
                        THEN now() + make_interval(secs => @lock_seconds::int) ELSE locked_until END,
    updated_at = now()
WHERE id = @id
RETURNING failed_logins, locked_until;

-- name: UserLoginSucceeded :exec
UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now(), updated_at = now()
WHERE id = $1;

-- name: UserTokenCreate :exec
INSERT INTO user_tokens (token_hash, user_id, purpose, invited_to, expires_at)
VALUES (@token_hash, @user_id, @purpose, @invited_to, now() + make_interval(secs => @valid_seconds::int));

-- name: UserTokenGet :one
-- A token with its user, whatever its state: the caller tells expired from used from valid.
SELECT sqlc.embed(user_tokens), sqlc.embed(users)
FROM user_tokens JOIN users ON users.id = user_tokens.user_id
WHERE user_tokens.token_hash = $1 AND user_tokens.purpose = $2;

-- name: UserTokenUse :execrows
-- Spends a token once: a second use, or a use after expiry, changes nothing.
UPDATE user_tokens SET used_at = now()
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now();

-- name: UserTokensRetire :exec
-- Retires every other live token of a user for a purpose (a password just set makes older
-- reset links pointless).
UPDATE user_tokens SET used_at = now()
WHERE user_id = @user_id AND purpose = @purpose AND used_at IS NULL;

-- name: UserRehash :exec
-- Replaces a hash made with older parameters, unless the password changed meanwhile.
UPDATE users SET password_hash = @password_hash, updated_at = now()
WHERE id = @id AND password_hash = @old_hash;
