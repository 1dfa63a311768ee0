package auth

import "github.com/alexedwards/argon2id"

func hashWith(password string, memory, iterations uint32, parallelism uint8) (string, error) {
	return argon2id.CreateHash(password, &argon2id.Params{Memory: memory, Iterations: iterations,
		Parallelism: parallelism, SaltLength: 16, KeyLength: 32})
}
