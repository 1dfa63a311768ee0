package auth

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	cases := []struct {
		password, email, want string
	}{
		{"corta", "a@b.it", "almeno 12 caratteri"},
		{"undici car", "a@b.it", "almeno 12 caratteri"},
		{"àèìòù àèìòù", "a@b.it", "almeno 12 caratteri"}, // 11 runes, more bytes
		{strings.Repeat("x", 201) + "y", "a@b.it", "al massimo 200"},
		{"mario.rossi@comune.it", "Mario.Rossi@comune.it", "indirizzo email"},
		{"mario.rossi.comune", "mario.rossi.comune@example.it", "indirizzo email"},
		{"Password1234", "a@b.it", "troppo comune"},
		{"QWERTY123456", "a@b.it", "troppo comune"},
		{"zzzzzzzzzzzzzzz", "a@b.it", "troppo comune"},
		{"una frase lunga e sicura 42", "a@b.it", ""},
		{"àèìòù àèìòù à", "a@b.it", ""},
	}
	for _, c := range cases {
		got := ValidatePassword(c.password, c.email)
		if c.want == "" {
			require.Empty(t, got, c.password)
		} else {
			require.Contains(t, got, c.want, c.password)
		}
	}
}

func TestHashAndCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := hashPassword(ctx, "una frase lunga e sicura 42")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$"), h)

	ok, stale, err := checkPassword(ctx, "una frase lunga e sicura 42", h)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, stale)

	ok, _, err = checkPassword(ctx, "un'altra frase lunga 42", h)
	require.NoError(t, err)
	require.False(t, ok)

	// No hash (unknown e-mail, invited account): never a match, even for the dummy's password.
	ok, _, err = checkPassword(ctx, "carta-dummy-password-never-valid", "")
	require.NoError(t, err)
	require.False(t, ok)

	// A hash made with weaker parameters still verifies and is reported for re-hashing.
	old := "$argon2id$v=19$m=16384,t=1,p=1$"
	weak, err := hashWith("una frase lunga e sicura 42", 16*1024, 1, 1)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(weak, old))
	ok, stale, err = checkPassword(ctx, "una frase lunga e sicura 42", weak)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, stale)
}
