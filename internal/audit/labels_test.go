package audit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/audit"
)

// recordedActions finds every action code the code base records: the Action of each
// audit.Entry literal, a string or a variable assigned strings in the same function.
func recordedActions(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	found := map[string][]string{} // code → where
	fset := token.NewFileSet()
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				assigned := stringsAssigned(fn)
				ast.Inspect(fn, func(n ast.Node) bool {
					lit, ok := n.(*ast.CompositeLit)
					if !ok || !isEntry(lit.Type, f.Name.Name) {
						return true
					}
					for _, el := range lit.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok || !isIdent(kv.Key, "Action") {
							continue
						}
						at := fset.Position(kv.Pos()).String()
						switch v := kv.Value.(type) {
						case *ast.BasicLit:
							s, err := strconv.Unquote(v.Value)
							require.NoError(t, err, at)
							found[s] = append(found[s], at)
						case *ast.Ident:
							codes := assigned[v.Name]
							require.NotEmpty(t, codes, "%s: the action %s is assigned no string in its function", at, v.Name)
							for _, s := range codes {
								found[s] = append(found[s], at)
							}
						default:
							t.Errorf("%s: an action the test cannot read; use a string or a variable", at)
						}
					}
					return true
				})
			}
			return nil
		})
		require.NoError(t, err)
	}
	return found
}

func isEntry(e ast.Expr, pkg string) bool {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		return isIdent(x.X, "audit") && x.Sel.Name == "Entry"
	case *ast.Ident:
		return pkg == "audit" && x.Name == "Entry"
	}
	return false
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// stringsAssigned maps each variable of fn to the string literals assigned to it.
func stringsAssigned(fn *ast.FuncDecl) map[string][]string {
	out := map[string][]string{}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, l := range as.Lhs {
			id, ok := l.(*ast.Ident)
			lit, ok2 := as.Rhs[i].(*ast.BasicLit)
			if ok && ok2 && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				out[id.Name] = append(out[id.Name], s)
			}
		}
		return true
	})
	return out
}

func TestEveryRecordedActionHasAnItalianLabel(t *testing.T) {
	t.Parallel()
	found := recordedActions(t)
	// The walk must see the code base, or the test would pass on nothing.
	require.Greater(t, len(found), 30, "too few actions found: is the walk looking at the right tree?")
	for _, code := range []string{"catalog.service.update", "catalog.person.create", "user.grant", "auth.invite_accept"} {
		require.Contains(t, found, code, "the walk misses a known call site")
	}
	for code, where := range found {
		label, ok := audit.ActionLabel(code)
		require.True(t, ok, "the action %q (recorded at %s) has no Italian label in audit.Groups", code, strings.Join(where, ", "))
		require.NotEqual(t, code, label)
	}
}

func TestGroupsAreConsistent(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, g := range audit.Groups {
		require.NotEmpty(t, g.Actions, g.Key)
		codes, ok := audit.ActionsFor(audit.GroupValue(g))
		require.True(t, ok)
		require.Len(t, codes, len(g.Actions))
		for _, a := range g.Actions {
			require.False(t, seen[a.Code], "%s is in two groups", a.Code)
			seen[a.Code] = true
			require.NotEmpty(t, a.Label)
		}
	}
	codes, ok := audit.ActionsFor("catalog.service.update")
	require.True(t, ok)
	require.Equal(t, []string{"catalog.service.update"}, codes)
	_, ok = audit.ActionsFor("gruppo:nessuno")
	require.False(t, ok)
	_, ok = audit.ActionsFor("drop table")
	require.False(t, ok)
}
