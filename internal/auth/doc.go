// Package auth owns the staff accounts of the product: passwords (argon2id) and their policy,
// login with lockout and per-network rate limits, sessions kept in Redis and bound to the
// tenant of the host they were opened on, logout, password reset by e-mail and invitations. It
// registers the public pages of the staff area (login, logout, password, invitation) and
// provides the middlewares that turn a session cookie into a principal.Staff.
package auth
