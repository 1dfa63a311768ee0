package quality_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOnlyTheStoreCallsTheQueries: outside store*.go no file of the package calls a Quality*
// query, so "no rows" always becomes the package's not-found error in one place.
func TestOnlyTheStoreCallsTheQueries(t *testing.T) {
	t.Parallel()
	call := regexp.MustCompile(`\.Quality[A-Z][A-Za-z]*\(`)
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, f := range files {
		if strings.HasPrefix(f, "store") || strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.Empty(t, call.FindAllString(string(b), -1), "%s calls a query: move it to the store", f)
		checked++
	}
	require.Greater(t, checked, 5)
}
