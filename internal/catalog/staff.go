package catalog

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates
var templatesFS embed.FS

// Templates holds the staff pages of the draft catalogue ("catalog/..."), for
// web.RendererOptions.Pages.
var Templates = func() fs.FS {
	s, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	return s
}()

// Deps are what the catalogue's staff pages need.
type Deps struct {
	Render  *web.Renderer
	DB      *tenant.DB
	Tenants *tenant.Store // loads the tenant's profile for the page header
	Log     *slog.Logger
	// Nav returns the sidebar of the staff area for the request; optional.
	Nav func(c *fiber.Ctx) []web.NavItem
	// Preview renders a service as citizens would see it, from values not yet saved, within
	// the draft Carta; nil uses a plain preview page of this package.
	Preview func(c *fiber.Ctx, svc Service, draft *Carta) error
	// Can tells whether the logged-in staff member holds a permission, to hide the buttons of
	// changes they may not make (the routes check permissions anyway); nil shows them all.
	Can func(ctx context.Context, p access.Perm) bool
}

// The paths of the section, relative to the staff area (/admin).
const (
	base = "/admin/carta"

	pathOverview        = "/carta"
	pathServices        = "/carta/servizi"
	pathServiceNew      = "/carta/servizi/nuovo"
	pathServiceNewPrev  = "/carta/servizi/nuovo/anteprima"
	pathService         = "/carta/servizi/:id"
	pathServicePreview  = "/carta/servizi/:id/anteprima"
	pathServiceDelete   = "/carta/servizi/:id/elimina"
	pathServiceMove     = "/carta/servizi/:id/sposta"
	pathDocuments       = "/carta/servizi/:id/documenti"
	pathDocument        = "/carta/servizi/:id/documenti/:doc"
	pathDocumentRemove  = "/carta/servizi/:id/documenti/:doc/rimuovi"
	pathCategories      = "/carta/categorie"
	pathCategory        = "/carta/categorie/:id"
	pathCategoryDelete  = "/carta/categorie/:id/elimina"
	pathOffices         = "/carta/uffici"
	pathOfficeNew       = "/carta/uffici/nuovo"
	pathExceptions      = "/carta/uffici/chiusure"
	pathExceptionDelete = "/carta/uffici/chiusure/:id/elimina"
	pathOffice          = "/carta/uffici/:id"
	pathOfficeHours     = "/carta/uffici/:id/orari"
	pathOfficeDelete    = "/carta/uffici/:id/elimina"
	pathPeople          = "/carta/persone"
	pathPersonNew       = "/carta/persone/nuova"
	pathPerson          = "/carta/persone/:id"
	pathPersonDelete    = "/carta/persone/:id/elimina"
	pathSections        = "/carta/parte-generale"
	pathSectionNew      = "/carta/parte-generale/nuova"
	pathSection         = "/carta/parte-generale/:id"
	pathSectionMove     = "/carta/parte-generale/:id/sposta"
	pathSectionDelete   = "/carta/parte-generale/:id/elimina"
	pathAmbito          = "/carta/ambito"
	pathAmbitoHide      = "/carta/ambito/:id/nascondi"
	pathAmbitoShow      = "/carta/ambito/:id/mostra"
)

type ui struct{ Deps }

// Register adds the staff pages of the draft catalogue to r, the router of the staff area
// (/admin): reading needs CatalogRead, every change CatalogWrite.
func Register(r *access.Router, d Deps) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	h := &ui{d}
	var mw []fiber.Handler
	if d.Tenants != nil {
		mw = append(mw, web.LoadProfile(d.Tenants))
	}
	with := func(hs ...fiber.Handler) []fiber.Handler { return append(append([]fiber.Handler{}, mw...), hs...) }
	read, write := access.CatalogRead, access.CatalogWrite

	r.Get(pathOverview, read, with(h.overview)...)

	r.Get(pathServices, read, with(h.serviceList)...)
	// Fixed paths before /:id, which would otherwise take "nuovo" for an id.
	r.Get(pathServiceNew, write, with(h.serviceNewForm)...)
	r.Post(pathServiceNew, write, with(h.serviceCreate)...)
	r.Post(pathServiceNewPrev, read, with(h.servicePreview)...)
	r.Get(pathService, read, with(h.serviceEdit)...)
	r.Post(pathService, write, with(h.serviceSave)...)
	r.Post(pathServicePreview, read, with(h.servicePreview)...)
	r.Get(pathServiceDelete, write, with(h.serviceDeleteForm)...)
	r.Post(pathServiceDelete, write, with(h.serviceDelete)...)
	r.Post(pathServiceMove, write, with(h.serviceMove)...)
	r.Get(pathDocuments, read, with(h.documentList)...)
	r.Post(pathDocuments, write, with(h.documentUpload)...)
	r.Get(pathDocument, read, with(h.documentDownload)...)
	r.Post(pathDocumentRemove, write, with(h.documentRemove)...)

	r.Get(pathCategories, read, with(h.categoryList)...)
	r.Post(pathCategories, write, with(h.categoryCreate)...)
	r.Get(pathCategory, read, with(h.categoryEdit)...)
	r.Post(pathCategory, write, with(h.categorySave)...)
	r.Post(pathCategoryDelete, write, with(h.categoryDelete)...)

	r.Get(pathOffices, read, with(h.officeList)...)
	r.Get(pathOfficeNew, write, with(h.officeNewForm)...)
	r.Post(pathOfficeNew, write, with(h.officeCreate)...)
	r.Get(pathExceptions, read, with(h.exceptionList)...)
	r.Post(pathExceptions, write, with(h.exceptionCreate)...)
	r.Post(pathExceptionDelete, write, with(h.exceptionDelete)...)
	r.Get(pathOffice, read, with(h.officeEdit)...)
	r.Post(pathOffice, write, with(h.officeSave)...)
	r.Get(pathOfficeHours, read, with(h.hoursEdit)...)
	r.Post(pathOfficeHours, write, with(h.hoursSave)...)
	r.Post(pathOfficeDelete, write, with(h.officeDelete)...)

	r.Get(pathPeople, read, with(h.personList)...)
	r.Get(pathPersonNew, write, with(h.personNewForm)...)
	r.Post(pathPersonNew, write, with(h.personCreate)...)
	r.Get(pathPerson, read, with(h.personEdit)...)
	r.Post(pathPerson, write, with(h.personSave)...)
	r.Post(pathPersonDelete, write, with(h.personDelete)...)

	r.Get(pathSections, read, with(h.sectionList)...)
	r.Get(pathSectionNew, write, with(h.sectionNewForm)...)
	r.Post(pathSectionNew, write, with(h.sectionCreate)...)
	r.Get(pathSection, read, with(h.sectionEdit)...)
	r.Post(pathSection, write, with(h.sectionSave)...)
	r.Post(pathSectionMove, write, with(h.sectionMove)...)
	r.Post(pathSectionDelete, write, with(h.sectionDelete)...)

	r.Get(pathAmbito, read, with(h.ambitoList)...)
	r.Post(pathAmbitoHide, write, with(h.ambitoHide)...)
	r.Post(pathAmbitoShow, write, with(h.ambitoShow)...)
}

// page builds the base of a page of the section: sidebar and breadcrumbs from the staff area
// through the Carta's overview.
func (h *ui) page(c *fiber.Ctx, title string, crumbs ...web.Crumb) web.Page {
	p := web.NewPage(c, title)
	if h.Nav != nil {
		p.Nav = h.Nav(c)
	}
	p.Breadcrumbs = []web.Crumb{{Label: "Area riservata", URL: "/admin"}}
	if len(crumbs) == 0 {
		p.Breadcrumbs = append(p.Breadcrumbs, web.Crumb{Label: "Carta dei Servizi"})
	} else {
		p.Breadcrumbs = append(p.Breadcrumbs, web.Crumb{Label: "Carta dei Servizi", URL: base})
		p.Breadcrumbs = append(p.Breadcrumbs, crumbs...)
	}
	return p
}

// canWrite decides whether to show the controls of changes.
func (h *ui) canWrite(c *fiber.Ctx) bool {
	return h.Can == nil || h.Can(c.UserContext(), access.CatalogWrite)
}

func requestTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		// The Carta belongs to a tenant's staff area: the platform host has none.
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

// paramID reads a uuid path parameter; anything else is a page that does not exist.
func paramID(c *fiber.Ctx, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params(name))
	if err != nil {
		return uuid.Nil, apperr.ErrNotFound
	}
	return id, nil
}

func staffID(ctx context.Context) *uuid.UUID {
	if s := principal.StaffFrom(ctx); s != nil && s.UserID != uuid.Nil {
		id := s.UserID
		return &id
	}
	return nil
}

// posted returns every value of the posted form (urlencoded or multipart), copied: fasthttp
// reuses its buffers after the handler returns.
func posted(c *fiber.Ctx) map[string][]string {
	out := map[string][]string{}
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		if f, err := c.MultipartForm(); err == nil {
			for k, vs := range f.Value {
				for _, v := range vs {
					out[strings.Clone(k)] = append(out[strings.Clone(k)], strings.Clone(v))
				}
			}
		}
		return out
	}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		out[string(k)] = append(out[string(k)], string(v))
	})
	return out
}

// single flattens a posted form to its first values, trimmed, for Page.Form.
func single(vals map[string][]string) map[string]string {
	out := make(map[string]string, len(vals))
	for k, vs := range vals {
		if k == web.CSRFField || len(vs) == 0 {
			continue
		}
		out[k] = strings.TrimSpace(strings.ReplaceAll(vs[0], "\r\n", "\n"))
	}
	return out
}

// isUnique reports whether err is a unique-key violation (a concurrent insert won a race the
// form's own check could not see).
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// ---- small validators shared by the forms ----

func runes(s string) int { return utf8.RuneCountInString(s) }

// checkText validates a free text of at most max characters (min when required).
func checkText(errs map[string]string, field, value string, min, max int, msgRequired string) {
	n := runes(value)
	switch {
	case n == 0 && min > 0:
		errs[field] = msgRequired
	case n > 0 && n < min:
		errs[field] = "Scrivi almeno " + strconv.Itoa(min) + " caratteri."
	case n > max:
		errs[field] = "Al massimo " + strconv.Itoa(max) + " caratteri (ora sono " + strconv.Itoa(n) + ")."
	case strings.ContainsFunc(value, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		errs[field] = "Il testo contiene caratteri non ammessi."
	}
}

func validPhone(s string) bool {
	if runes(s) > 40 {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-./()", r):
		default:
			return false
		}
	}
	return digits >= 3
}

// validHTTPS accepts only absolute https URLs with a host: links citizens follow from a public
// page must not downgrade to http or run a script.
func validHTTPS(s string) bool {
	if len(s) > 500 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

func checkEmail(errs map[string]string, field, v string) {
	if v != "" && !web.ValidEmail(v) {
		errs[field] = "Inserisci un indirizzo email valido, per esempio servizisociali@comune.esempio.it."
	}
}

func checkPhone(errs map[string]string, field, v string) {
	if v != "" && !validPhone(v) {
		errs[field] = "Inserisci un numero di telefono valido, per esempio 06 1234567."
	}
}

// Option is an entry of a select or a group of checkboxes.
type Option struct {
	Value, Label string
	Selected     bool
}

func options[T any](items []T, value func(T) (string, string), selected string) []Option {
	out := make([]Option, 0, len(items))
	for _, it := range items {
		v, l := value(it)
		out = append(out, Option{Value: v, Label: l, Selected: v == selected})
	}
	return out
}

// SelectField is what the "select" partial of the pages renders: a labelled select with its
// help and error tied by aria-describedby.
type SelectField struct {
	Name, ID, Label string
	Empty           string // label of the blank first option; none when ""
	Help, HelpID    string
	Error, ErrorID  string
	Required        bool // required to publish: marked, not enforced by the browser
	Options         []Option
}

// DescribedBy lists the ids of the error and help texts.
func (f SelectField) DescribedBy() string {
	var ids []string
	if f.Error != "" {
		ids = append(ids, f.ErrorID)
	}
	if f.Help != "" {
		ids = append(ids, f.HelpID)
	}
	return strings.Join(ids, " ")
}

func fieldIDOf(name string) string {
	return "f-" + strings.NewReplacer("_", "-", ".", "-").Replace(name)
}

func newSelect(errs map[string]string, name, label string, opts []Option, empty, help string) SelectField {
	id := fieldIDOf(name)
	return SelectField{Name: name, ID: id, Label: label, Empty: empty, Help: help, HelpID: id + "-help",
		Error: errs[name], ErrorID: id + "-error", Options: opts}
}
