package auth

import (
	"context"

	"github.com/alexedwards/argon2id"

	"github.com/cartasociale/carta/internal/tenant"
)

// Unlock ends the lock of email on the host of t, as the end of LockDuration would.
func Unlock(s *Service, t *tenant.Tenant, email string) {
	s.loginFailuresFor.clear(context.Background(), accountKey(t, email))
}

func hashWith(password string, memory, iterations uint32, parallelism uint8) (string, error) {
	return argon2id.CreateHash(password, &argon2id.Params{Memory: memory, Iterations: iterations,
		Parallelism: parallelism, SaltLength: 16, KeyLength: 32})
}
