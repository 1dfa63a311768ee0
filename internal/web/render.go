package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/principal"
)

//go:embed templates
var embeddedTemplates embed.FS

// RendererOptions configures NewRenderer.
type RendererOptions struct {
	// Pages are the filesystems holding page templates: a file "auth/login.html" becomes the
	// page "auth/login". The web package's own pages (the error pages, "web/...") are added.
	Pages []fs.FS
	// Dev tolerates missing Bootstrap Italia files (with a loud warning) instead of failing.
	Dev bool
	// TenantURL builds the absolute base URL of a tenant's site from its slug (normally
	// config.Config.TenantURL), for links between an ambito and its comuni in the layouts.
	// When nil those names are shown without a link.
	TenantURL func(slug string) string
	// Log receives the warnings of the start; slog.Default() when nil.
	Log *slog.Logger
}

// Renderer holds every page, parsed once at start, each in its own clone of the layouts so
// that pages never see each other's blocks. It is safe for concurrent use.
type Renderer struct {
	layouts   *template.Template
	pages     map[string]*template.Template
	static    *staticSet
	dev       bool
	tenantURL func(string) string
}

// NewRenderer parses the layouts and every page, failing on the first template error, and
// checks that the Bootstrap Italia files are embedded (`make assets`).
func NewRenderer(opts RendererOptions) (*Renderer, error) {
	st, err := embeddedSet()
	if err != nil {
		return nil, err
	}
	return newRenderer(opts, st)
}

func newRenderer(opts RendererOptions, st *staticSet) (*Renderer, error) {
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	if missing := st.missingVendor(); len(missing) > 0 {
		if !opts.Dev {
			return nil, fmt.Errorf("web: Bootstrap Italia files missing from the binary (%s): run `make assets` before building",
				strings.Join(missing, ", "))
		}
		log.Warn("!!! Bootstrap Italia files are missing: pages will render without styles or scripts. Run `make assets` and rebuild.",
			"missing", missing)
	}
	r := &Renderer{pages: map[string]*template.Template{}, static: st, dev: opts.Dev, tenantURL: opts.TenantURL}

	layouts, err := template.New("layouts").Funcs(r.funcs()).ParseFS(embeddedTemplates, "templates/layouts/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: layouts: %w", err)
	}
	own, err := fs.Sub(embeddedTemplates, "templates/pages")
	if err != nil {
		return nil, err
	}
	r.layouts = layouts
	if err := r.AddPages(append([]fs.FS{own}, opts.Pages...)...); err != nil {
		return nil, err
	}
	return r, nil
}

// AddPages parses the pages of more filesystems, failing on the first template error or on a
// name already taken. It is for the start only, before the first request: the Renderer's
// concurrent safety covers rendering, not adding.
func (r *Renderer) AddPages(fsys ...fs.FS) error {
	for _, f := range fsys {
		if err := r.parsePages(r.layouts, f); err != nil {
			return err
		}
	}
	return nil
}

func (r *Renderer) parsePages(layouts *template.Template, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		name := strings.TrimSuffix(p, ".html")
		if _, dup := r.pages[name]; dup {
			return fmt.Errorf("web: page %q defined twice", name)
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		t, err := layouts.Clone()
		if err != nil {
			return err
		}
		if _, err := t.New(name).Parse(string(src)); err != nil {
			return fmt.Errorf("web: page %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return fmt.Errorf("web: page %s defines no \"content\" block", name)
		}
		r.pages[name] = t
		return nil
	})
}

// Pages lists the names of every parsed page, for tests that render them all.
func (r *Renderer) Pages() []string {
	out := make([]string, 0, len(r.pages))
	for n := range r.pages {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render writes the page name with view model vm (a Page, or a struct embedding Page, by
// value or pointer). The page is executed into a buffer first, so a template error yields an
// error page instead of half a page.
func (r *Renderer) Render(c *fiber.Ctx, status int, name string, vm any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() < 1<<20 {
			bufPool.Put(buf)
		}
	}()
	if err := r.Execute(buf, name, vm); err != nil {
		return err
	}
	commitCSRF(c, buf.Bytes())
	h := &c.Response().Header
	if len(h.Peek(fiber.HeaderCacheControl)) == 0 {
		if principal.StaffFrom(c.UserContext()) != nil || isAdminPath(c.Path()) {
			// Staff pages may hold personal data: never stored, not even for the back button.
			h.Set(fiber.HeaderCacheControl, "no-store")
		} else {
			h.Set(fiber.HeaderCacheControl, "no-cache")
		}
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	// SetBody copies: c.Send would keep a reference to the pooled buffer, which the next
	// request may overwrite while this response is still being written.
	c.Response().SetBody(buf.Bytes())
	return nil
}

// Execute renders the page name into w; Render is the usual entry point.
func (r *Renderer) Execute(w io.Writer, name string, vm any) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("web: no page named %q", name)
	}
	vm = addressable(vm)
	if _, ok := vm.(pager); !ok {
		return fmt.Errorf("web: view model of %s (%T) does not embed web.Page", name, vm)
	}
	if err := t.ExecuteTemplate(w, name, vm); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	return nil
}

// addressable turns a view model passed by value into a pointer to a copy, so that the
// pointer-receiver PageBase (and the template helpers built on it) work either way.
func addressable(vm any) any {
	v := reflect.ValueOf(vm)
	if !v.IsValid() || v.Kind() == reflect.Pointer {
		return vm
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.Interface()
}

func isAdminPath(p string) bool { return p == "/admin" || strings.HasPrefix(p, "/admin/") }

var errNoPage = errors.New("web: value is not a page view model")

func pageOf(vm any) (*Page, error) {
	if p, ok := addressable(vm).(pager); ok {
		return p.PageBase(), nil
	}
	return nil, errNoPage
}
