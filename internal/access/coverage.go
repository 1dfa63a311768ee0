package access

import (
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Unguarded returns, as "METHOD /path", every route under prefix that is neither guarded
// (recorded in reg by Router) nor listed in public. public is keyed by "METHOD /path" or by
// "/path" for every method. Pass app.GetRoutes(true): middleware mounted with Use is not a
// route.
func Unguarded(routes []fiber.Route, reg *Registry, prefix string, public map[string]bool) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range routes {
		if !under(r.Path, prefix) {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := reg.Lookup(r.Method, r.Path); ok || public[key] || public[r.Path] {
			continue
		}
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}

func under(path, prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return prefix == "" || path == prefix || strings.HasPrefix(path, prefix+"/")
}

// Ungranted returns, as "METHOD /path perm", every guarded route whose permission no role
// holds: such a route opens for nobody, which is as wrong as one that opens for everybody.
func Ungranted(reg *Registry) []string {
	var out []string
	for _, k := range reg.Routes() {
		method, path, _ := strings.Cut(k, " ")
		p, _ := reg.Lookup(method, path)
		if !Granted(p) {
			out = append(out, k+" "+p.String())
		}
	}
	return out
}
