package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEachServiceIsBuiltOnce reads the app's wiring: every domain's Service is constructed in
// one place, so its HTML handlers, API and workers share it (a second construction for the
// workers once made the publisher exist three times).
func TestEachServiceIsBuiltOnce(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	calls := map[string]int{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(fset, f, src, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "New" {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok {
				calls[pkg.Name]++
			}
			return true
		})
	}
	for _, pkg := range []string{"complaints", "publication", "auth", "quality"} {
		require.Equal(t, 1, calls[pkg], "%s.New is called %d times in internal/app", pkg, calls[pkg])
	}
}
