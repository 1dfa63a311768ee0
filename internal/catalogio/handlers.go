package catalogio

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates
var templatesFS embed.FS

// Templates holds the page "catalogio/import", for web.RendererOptions.Pages.
var Templates = func() fs.FS {
	s, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	return s
}()

// Deps are what the import and export pages need. Nav returns the staff-area sidebar for the
// request (optional).
type Deps struct {
	Render *web.Renderer
	DB     *tenant.DB
	Log    *slog.Logger
	Nav    func(*fiber.Ctx) []web.NavItem
}

// Paths, relative to the staff area's root (/admin).
const (
	PathImport       = "/carta/importa"
	PathTemplateXLSX = "/carta/modello.xlsx"
	PathTemplateCSV  = "/carta/modello.csv"
	PathExportXLSX   = "/carta/esporta.xlsx"
	PathExportCSV    = "/carta/esporta.csv"
)

// maxShownProblems bounds the table of a rejected file; the summary still counts them all.
const maxShownProblems = 500

type handlers struct{ Deps }

// Register adds the import and export pages to r, the router of the staff area (/admin).
func Register(r *access.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &handlers{d}
	r.Get(PathImport, access.CatalogWrite, h.form)
	r.Post(PathImport, access.CatalogWrite, h.upload)
	r.Get(PathTemplateXLSX, access.CatalogRead, h.download(FormatXLSX, false))
	r.Get(PathTemplateCSV, access.CatalogRead, h.download(FormatCSV, false))
	r.Get(PathExportXLSX, access.CatalogRead, h.download(FormatXLSX, true))
	r.Get(PathExportCSV, access.CatalogRead, h.download(FormatCSV, true))
}

type importPage struct {
	web.Page
	MaxMB        int
	MaxRows      string
	Links        links
	FileName     string
	Problems     []Problem // the first maxShownProblems
	ProblemCount int
	BadRows      int
	Hidden       int
	// After an import that went ahead with services publication would still refuse.
	Imported string
	Warnings []Warning
}

type links struct{ TemplateXLSX, TemplateCSV, ExportXLSX, ExportCSV, Import string }

func (h *handlers) page(c *fiber.Ctx) *importPage {
	p := web.NewPage(c, "Importa ed esporta i servizi")
	if h.Nav != nil {
		p.Nav = h.Nav(c)
	}
	// "Carta dei servizi" is the catalogue's overview (package catalog, /admin/carta).
	p.Breadcrumbs = []web.Crumb{{Label: "Area riservata", URL: "/admin"}, {Label: "Carta dei servizi", URL: "/admin/carta"},
		{Label: "Importa ed esporta i servizi"}}
	return &importPage{Page: p, MaxMB: MaxFileBytes >> 20, MaxRows: thousands(MaxRows),
		Links: links{
			TemplateXLSX: "/admin" + PathTemplateXLSX, TemplateCSV: "/admin" + PathTemplateCSV,
			ExportXLSX: "/admin" + PathExportXLSX, ExportCSV: "/admin" + PathExportCSV,
			Import: "/admin" + PathImport,
		}}
}

func requireTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

func (h *handlers) form(c *fiber.Ctx) error {
	if _, err := requireTenant(c); err != nil {
		return err
	}
	return h.Render.Render(c, fiber.StatusOK, "catalogio/import", h.page(c))
}

func (h *handlers) upload(c *fiber.Ctx) error {
	t, err := requireTenant(c)
	if err != nil {
		return err
	}
	fileErr := func(name, msg string) error {
		vm := h.page(c)
		vm.FileName = name
		vm.Errors = map[string]string{"file": msg}
		return h.Render.Render(c, fiber.StatusUnprocessableEntity, "catalogio/import", vm)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return fileErr("", "Scegli il file da importare.")
	}
	name := shorten(strings.Clone(fh.Filename), 120)
	if fh.Size > MaxFileBytes {
		return fileErr(name, fmt.Sprintf("Il file supera i %d MB: dividilo in più file.", MaxFileBytes>>20))
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return fmt.Errorf("read upload: %w", err)
	}

	res, err := Import(c.UserContext(), h.DB, t, data)
	if err != nil {
		if e, ok := apperr.As(err); ok && (e.Kind == apperr.Invalid || e.Kind == apperr.Conflict) {
			return fileErr(name, e.Message)
		}
		return err
	}
	if !res.OK() {
		vm := h.page(c)
		vm.FileName = name
		vm.ProblemCount = len(res.Problems)
		vm.Problems = res.Problems[:min(len(res.Problems), maxShownProblems)]
		vm.Hidden = len(res.Problems) - len(vm.Problems)
		rows := map[int]bool{}
		for _, p := range res.Problems {
			rows[p.Line] = true
		}
		vm.BadRows = len(rows)
		return h.Render.Render(c, fiber.StatusUnprocessableEntity, "catalogio/import", vm)
	}
	h.Log.InfoContext(c.UserContext(), "carta import", "tenant", t.Slug, "format", res.Format,
		"created", res.Created, "updated", res.Updated, "unchanged", res.Unchanged, "incomplete", len(res.Warnings))
	if len(res.Warnings) > 0 {
		// The list of what to complete does not fit a flash message: the page shows it.
		vm := h.page(c)
		vm.FileName = name
		vm.Imported = "Importazione completata: " + res.Summary()
		vm.Warnings = res.Warnings
		return h.Render.Render(c, fiber.StatusOK, "catalogio/import", vm)
	}
	web.SetFlash(c, "success", "Importazione completata: "+res.Summary())
	return c.Redirect("/admin"+PathImport, fiber.StatusSeeOther)
}

func (h *handlers) download(f Format, export bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t, err := requireTenant(c)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		name := "modello-servizi." + string(f)
		if export {
			err = Export(c.UserContext(), h.DB, t, f, &buf)
			name = fmt.Sprintf("servizi-%s-%s.%s", t.Slug, time.Now().In(rome).Format("2006-01-02"), f)
		} else {
			err = Template(c.UserContext(), h.DB, t, f, &buf)
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, f.ContentType())
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
		// The draft is not public: never kept by a browser or a proxy.
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(buf.Bytes())
	}
}

var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()
