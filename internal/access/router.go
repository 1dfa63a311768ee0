package access

import (
	"sort"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// Checker turns a permission into a middleware that lets the request through only when the
// logged-in staff member holds it in the request's tenant (or, for oversight permissions, in
// the tenant's ambito).
type Checker interface {
	Require(p Perm) fiber.Handler
}

// Registry remembers the permission of every guarded route.
type Registry struct {
	mu     sync.Mutex
	routes map[string]Perm // "GET /admin/users"
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{routes: map[string]Perm{}} }

// Lookup returns the permission guarding method+path (the path as registered, with params).
func (r *Registry) Lookup(method, path string) (Perm, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.routes[method+" "+path]
	return p, ok
}

// Routes lists every guarded route as "METHOD /path", sorted.
func (r *Registry) Routes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.routes))
	for k := range r.routes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Router registers staff routes, each behind its permission.
type Router struct {
	r      fiber.Router
	prefix string
	check  Checker
	reg    *Registry
}

// NewRouter returns a Router on r, whose routes start with prefix (e.g. "/admin": the path of
// the group r, used to record full paths).
func NewRouter(r fiber.Router, prefix string, check Checker, reg *Registry) *Router {
	return &Router{r: r, prefix: prefix, check: check, reg: reg}
}

func (r *Router) add(method, path string, p Perm, h []fiber.Handler) {
	r.reg.mu.Lock()
	r.reg.routes[method+" "+r.prefix+path] = p
	r.reg.mu.Unlock()
	r.r.Add(method, path, append([]fiber.Handler{r.check.Require(p)}, h...)...)
}

// Get registers a GET (and HEAD) route guarded by p.
func (r *Router) Get(path string, p Perm, h ...fiber.Handler) {
	r.add(fiber.MethodGet, path, p, h)
	r.add(fiber.MethodHead, path, p, h)
}

// Post registers a POST route guarded by p.
func (r *Router) Post(path string, p Perm, h ...fiber.Handler) { r.add(fiber.MethodPost, path, p, h) }
