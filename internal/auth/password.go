package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// hashParams are the argon2id parameters of new hashes: 64 MiB of memory, 2 passes, 2 lanes
// (RFC 9106's second recommended setting is 64 MiB, t=3, p=4; one pass less and two lanes fit
// the 2-core replicas). That costs about 90 ms per hash here, slow enough to make guessing from
// a stolen table expensive and fast enough for a login. Stored hashes carry their own
// parameters, so raising these later re-hashes each account at its next login.
var hashParams = &argon2id.Params{Memory: 64 * 1024, Iterations: 2, Parallelism: 2, SaltLength: 16, KeyLength: 32}

// hashSlots bounds the hashes computed at once: each takes 64 MiB, and a flood of logins must
// queue rather than exhaust the replica's memory.
var hashSlots = make(chan struct{}, 4)

func withHashSlot[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	var zero T
	select {
	case hashSlots <- struct{}{}:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	defer func() { <-hashSlots }()
	return fn()
}

func hashPassword(ctx context.Context, password string) (string, error) {
	return withHashSlot(ctx, func() (string, error) {
		h, err := argon2id.CreateHash(password, hashParams)
		if err != nil {
			return "", fmt.Errorf("hash password: %w", err)
		}
		return h, nil
	})
}

// dummyHash is verified when there is no real hash to check (unknown e-mail, account without a
// password, disabled account), so that the answer takes as long either way and its timing
// does not tell which e-mails have an account.
var dummyHash = sync.OnceValue(func() string {
	h, err := argon2id.CreateHash("carta-dummy-password-never-valid", hashParams)
	if err != nil {
		panic("auth: dummy hash: " + err.Error())
	}
	return h
})

// checkPassword reports whether password matches hash; stale is true when the hash was made
// with parameters other than the current ones and should be replaced. An empty hash never
// matches, after the same work as a real check.
func checkPassword(ctx context.Context, password, hash string) (ok, stale bool, err error) {
	type result struct{ ok, stale bool }
	r, err := withHashSlot(ctx, func() (result, error) {
		h := hash
		if h == "" {
			h = dummyHash()
		}
		match, params, err := argon2id.CheckHash(password, h)
		if err != nil {
			return result{}, fmt.Errorf("check password: %w", err)
		}
		return result{ok: match && hash != "", stale: *params != *hashParams}, nil
	})
	return r.ok, r.stale, err
}

// Password policy.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 200
)

// commonPasswords are long enough to pass the length rule and still the first ones an attacker
// tries (breach lists, keyboard walks, Italian favourites). Compared case-insensitively.
var commonPasswords = map[string]bool{
	"123456789012": true, "1234567890123": true, "12345678901234": true, "123456789012345": true,
	"1234567890qwerty": true, "qwertyuiopasdfgh": true, "qwertyuiop123": true, "qwerty123456": true,
	"qwertyqwerty": true, "asdfghjklzxc": true, "1q2w3e4r5t6y": true, "1qaz2wsx3edc": true,
	"password1234": true, "password12345": true, "password123!": true, "passwordpassword": true,
	"password123456": true, "iloveyou1234": true, "letmein12345": true, "welcome12345": true,
	"admin1234567": true, "administrator": true, "changeme1234": true, "abcdefghijkl": true,
	"abc123456789": true, "111111111111": true, "000000000000": true, "aaaaaaaaaaaa": true,
	"passwordadmin": true, "ciaociaociao": true, "password2024": true, "password2025": true,
	"password2026": true, "cartadeiservizi": true, "cartaservizi": true, "servizisociali": true,
	"comune123456": true, "amministratore": true, "passwordcomune": true, "12345678abcd": true,
}

// ValidatePassword returns the Italian message that explains why password is not acceptable
// for the account with the given e-mail, or "" when it is.
func ValidatePassword(password, email string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return fmt.Sprintf("La password deve avere almeno %d caratteri.", MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Sprintf("La password può avere al massimo %d caratteri.", MaxPasswordLength)
	}
	lower := strings.ToLower(password)
	email = strings.ToLower(strings.TrimSpace(email))
	if email != "" {
		local, _, _ := strings.Cut(email, "@")
		if lower == email || lower == local {
			return "La password non può essere il tuo indirizzo email."
		}
	}
	if commonPasswords[lower] || oneRepeatedChar(lower) {
		return "Questa password è troppo comune e facile da indovinare: scegline un'altra."
	}
	return ""
}

func oneRepeatedChar(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}
