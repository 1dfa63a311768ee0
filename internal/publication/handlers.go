package publication

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates
var templatesFS embed.FS

// Templates holds the pages "publication/publish", "publication/versions",
// "publication/version" and "publication/compare", for web.RendererOptions.Pages.
var Templates = func() fs.FS {
	s, err := fs.Sub(templatesFS, "templates")
	if err != nil {
		panic(err)
	}
	return s
}()

// Paths of the section, relative to the staff area's root (/admin).
const (
	pathPublish     = "/carta/pubblicazione"
	pathSchedule    = "/carta/pubblicazione/programma"
	pathCancel      = "/carta/pubblicazione/:id/annulla"
	pathVersions    = "/carta/versioni"
	pathComparePick = "/carta/versioni/confronta"
	pathVersion     = "/carta/versioni/:n"
	pathCompare     = "/carta/versioni/:a/confronta/:b"
)

// recentSchedules is how many past scheduled publications the page lists.
const recentSchedules = 10

type handlers struct {
	d   Deps
	svc *Service
}

// Register adds the publication pages to r, the router of the staff area (/admin): reading
// needs CatalogRead, publishing, scheduling and cancelling need CatalogPublish.
func Register(r *access.Router, svc *Service) {
	h := &handlers{svc: svc, d: svc.d}
	r.Get(pathPublish, access.CatalogRead, h.publishPage)
	r.Post(pathPublish, access.CatalogPublish, h.publish)
	r.Post(pathSchedule, access.CatalogPublish, h.schedule)
	r.Post(pathCancel, access.CatalogPublish, h.cancel)
	r.Get(pathVersions, access.CatalogRead, h.versions)
	// Before /carta/versioni/:n, which would otherwise take "confronta" for a number.
	r.Get(pathComparePick, access.CatalogRead, h.comparePick)
	r.Get(pathVersion, access.CatalogRead, h.version)
	r.Get(pathCompare, access.CatalogRead, h.compare)
}

func (h *handlers) page(c *fiber.Ctx, title string, crumbs ...web.Crumb) web.Page {
	p := web.NewPage(c, title)
	if h.d.Nav != nil {
		p.Nav = h.d.Nav(c)
	}
	p.Breadcrumbs = append([]web.Crumb{{Label: "Area riservata", URL: "/admin"}}, crumbs...)
	return p
}

func requestTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		// Publication belongs to a tenant's staff area: the platform host has none.
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

// ---- the publication page ----

// MissingItem is one missing field, linked to the service's form.
type MissingItem struct {
	Service string
	Label   string
	URL     string
}

type publishPageVM struct {
	web.Page
	Current       *catalog.VersionInfo // nil before the first publication
	FirstAt       *time.Time
	Missing       []MissingItem
	ServiceCount  int
	Pending       []Scheduled
	Past          []Scheduled
	Changes       []Change // from the current version to the draft
	CanPublish    bool
	PublishError  string
	ScheduleError string
	MinAt, MaxAt  string // datetime-local bounds, Europe/Rome
}

// Summaries lists the changes since the current version as sentences.
func (vm *publishPageVM) Summaries() []string {
	out := make([]string, 0, len(vm.Changes))
	for _, c := range vm.Changes {
		out = append(out, c.Summary())
	}
	return out
}

func (h *handlers) loadPublishPage(c *fiber.Ctx, t *tenant.Tenant) (*publishPageVM, error) {
	ctx := c.UserContext()
	vm := &publishPageVM{
		Page:       h.page(c, "Pubblicazione della Carta", web.Crumb{Label: "Pubblicazione della Carta"}),
		CanPublish: h.d.Can == nil || h.d.Can(ctx, access.CatalogPublish),
		MinAt:      h.svc.now().In(rome).Format("2006-01-02T15:04"),
		MaxAt:      ScheduleLatest(h.svc.now()).In(rome).Format("2006-01-02T15:04"),
	}
	if h.d.LoadDraft == nil || h.d.Completeness == nil {
		return nil, errors.New("publication: LoadDraft and Completeness are not wired")
	}
	err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		draft, err := h.d.LoadDraft(ctx, tx, t)
		if err != nil {
			return err
		}
		vm.ServiceCount = len(draft.Services)
		ids := make(map[string]uuid.UUID, len(draft.Services))
		for _, s := range draft.Services {
			ids[s.Slug] = s.ID
		}
		for _, m := range h.d.Completeness(draft) {
			it := MissingItem{Service: m.ServiceTitle, Label: m.Label}
			if it.Label == "" {
				it.Label = m.Field
			}
			if id, ok := ids[m.ServiceSlug]; ok {
				it.URL = "/admin/carta/servizi/" + id.String()
				if m.Field != "" {
					it.URL += "#f-" + strings.NewReplacer("_", "-", ".", "-").Replace(m.Field)
				}
			}
			vm.Missing = append(vm.Missing, it)
		}
		st, err := tx.CartaStateGet(ctx, t.ID)
		switch {
		case tenant.IsNoRows(err):
		case err != nil:
			return err
		case st.PublishedVersion > 0:
			vm.FirstAt = st.FirstPublishedAt
			row, err := tx.CartaVersionGet(ctx, db.CartaVersionGetParams{TenantID: t.ID, Number: st.PublishedVersion})
			if err != nil {
				return err
			}
			vm.Current = &catalog.VersionInfo{Number: int(row.Number), PublishedAt: row.PublishedAt,
				Publisher: row.PublisherLabel, Note: row.Note}
			cur, err := catalog.DecodeSnapshot(row.Snapshot)
			if err != nil {
				return err
			}
			amb, err := ambitoCarta(ctx, tx, t)
			if err != nil {
				return err
			}
			vm.Changes = DiffWithAmbito(cur, draft, amb)
		}
		vm.Pending, vm.Past, err = h.svc.Schedules(ctx, tx, recentSchedules)
		return err
	})
	return vm, err
}

func (h *handlers) publishPage(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	vm, err := h.loadPublishPage(c, t)
	if err != nil {
		return err
	}
	return h.d.Render.Render(c, fiber.StatusOK, "publication/publish", vm)
}

func (h *handlers) publish(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	note := strings.Clone(c.FormValue("note"))
	carta, err := h.svc.Publish(c.UserContext(), t, note)
	if apperr.KindOf(err) == apperr.Invalid {
		vm, lerr := h.loadPublishPage(c, t)
		if lerr != nil {
			return lerr
		}
		vm.Form = map[string]string{"note": note}
		if ae, ok := apperr.As(err); ok {
			if len(ae.Fields) > 0 {
				vm.Errors = ae.Fields
			} else {
				vm.PublishError = ae.Message
			}
		}
		return h.d.Render.Render(c, fiber.StatusUnprocessableEntity, "publication/publish", vm)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", fmt.Sprintf("Pubblicata la versione %d della Carta.", carta.Version))
	return c.Redirect("/admin"+pathPublish, fiber.StatusSeeOther)
}

func (h *handlers) schedule(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	atText := strings.TrimSpace(strings.Clone(c.FormValue("at")))
	note := strings.Clone(c.FormValue("schedule_note"))
	errs := map[string]string{}
	at, ok := parseRomeLocal(atText)
	if !ok {
		errs["at"] = "Inserisci data e ora, per esempio 15/03/2026 alle 09:00."
	} else {
		_, err = h.svc.Schedule(c.UserContext(), t, at, note)
		if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Invalid {
			for k, v := range ae.Fields {
				if k == "note" {
					k = "schedule_note"
				}
				errs[k] = v
			}
			if len(ae.Fields) == 0 {
				errs["at"] = ae.Message
			}
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		vm, lerr := h.loadPublishPage(c, t)
		if lerr != nil {
			return lerr
		}
		vm.Errors = errs
		vm.Form = map[string]string{"at": atText, "schedule_note": note}
		vm.ScheduleError = "La pubblicazione non è stata programmata: correggi i campi indicati e riprova."
		return h.d.Render.Render(c, fiber.StatusUnprocessableEntity, "publication/publish", vm)
	}
	web.SetFlash(c, "success", "Pubblicazione programmata per il "+web.DateTimeIT(at)+".")
	return c.Redirect("/admin"+pathPublish, fiber.StatusSeeOther)
}

func (h *handlers) cancel(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.ErrNotFound
	}
	err = h.svc.Cancel(c.UserContext(), t, id)
	switch {
	case errors.Is(err, ErrNotPending):
		web.SetFlash(c, "warning", ErrNotPending.Message)
	case err != nil:
		return err
	default:
		web.SetFlash(c, "success", "Pubblicazione programmata annullata.")
	}
	return c.Redirect("/admin"+pathPublish, fiber.StatusSeeOther)
}

// ---- history ----

type versionsVM struct {
	web.Page
	Versions []catalog.VersionInfo
}

func (h *handlers) versions(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vm := &versionsVM{Page: h.page(c, "Versioni pubblicate", web.Crumb{Label: "Versioni pubblicate"})}
	err = h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		vm.Versions, err = catalog.Versions(ctx, tx, t.ID)
		return err
	})
	if err != nil {
		return err
	}
	return h.d.Render.Render(c, fiber.StatusOK, "publication/versions", vm)
}

// versionNumber reads a version number from the path or the query: digits only, without sign
// or leading zero, and within the range of the versions' column (int32), so that a larger
// number is a missing version rather than one that wraps round to an existing one
// (4294967297 is not version 1).
func versionNumber(s string) (int, error) {
	notFound := apperr.New(apperr.NotFound, "Questa versione della Carta non esiste.")
	if s == "" || s[0] == '0' || len(s) > 10 {
		return 0, notFound
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, notFound
		}
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 1 {
		return 0, notFound
	}
	return int(n), nil
}

func (h *handlers) comparePick(c *fiber.Ctx) error {
	a, err := versionNumber(c.Query("a"))
	if err != nil {
		return err
	}
	b, err := versionNumber(c.Query("b"))
	if err != nil {
		return err
	}
	if a > b {
		a, b = b, a // the diff reads from the older to the newer
	}
	return c.Redirect(fmt.Sprintf("/admin/carta/versioni/%d/confronta/%d", a, b), fiber.StatusSeeOther)
}

// loadVersion returns a version's row and decoded snapshot, from the tenant's own versions.
func loadVersion(c *fiber.Ctx, tx *tenant.Tx, t *tenant.Tenant, n int) (catalog.VersionInfo, *catalog.Carta, error) {
	row, err := tx.CartaVersionGet(c.UserContext(), db.CartaVersionGetParams{TenantID: t.ID, Number: int32(n)})
	if tenant.IsNoRows(err) {
		return catalog.VersionInfo{}, nil, apperr.New(apperr.NotFound, fmt.Sprintf("La versione %d della Carta non esiste.", n))
	}
	if err != nil {
		return catalog.VersionInfo{}, nil, err
	}
	carta, err := catalog.DecodeSnapshot(row.Snapshot)
	if err != nil {
		return catalog.VersionInfo{}, nil, err
	}
	return catalog.VersionInfo{Number: int(row.Number), PublishedAt: row.PublishedAt, Publisher: row.PublisherLabel, Note: row.Note}, carta, nil
}

// ambitoCarta returns the current published Carta of t's ambito, which names the ambito
// services t hides; nil when t has no ambito or it published nothing yet.
func ambitoCarta(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant) (*catalog.Carta, error) {
	if t.Ambito == nil {
		return nil, nil
	}
	c, err := catalog.LoadPublished(ctx, tx, t.Ambito.ID, 0)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, nil
	}
	return c, err
}

// ServiceRow is a service of a version as listed.
type ServiceRow struct {
	Title         string
	Status        string
	Category      string
	ChangedIn     int
	ChangedAt     time.Time
	ChangedHereIn bool // this version changed it
}

type versionVM struct {
	web.Page
	Info       catalog.VersionInfo
	Carta      *catalog.Carta
	Services   []ServiceRow
	PublicPath string
}

// Contents counts what the version holds, in Italian.
func (vm *versionVM) Contents() string {
	return plural(len(vm.Carta.Services), "servizio", "servizi") + ", " +
		plural(len(vm.Carta.Offices), "ufficio", "uffici") + ", " +
		plural(len(vm.Carta.Sections), "sezione", "sezioni") + " della parte generale"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (h *handlers) version(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	n, err := versionNumber(c.Params("n"))
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Versione %d", n)
	vm := &versionVM{Page: h.page(c, title, web.Crumb{Label: "Versioni pubblicate", URL: "/admin" + pathVersions}, web.Crumb{Label: title}),
		PublicPath: fmt.Sprintf("/carta/versioni/%d", n)}
	err = h.d.DB.InTx(c.UserContext(), t.ID, func(tx *tenant.Tx) error {
		vm.Info, vm.Carta, err = loadVersion(c, tx, t, n)
		return err
	})
	if err != nil {
		return err
	}
	cats := map[string]string{}
	for _, ct := range vm.Carta.Categories {
		cats[ct.Code] = ct.Name
	}
	for _, s := range vm.Carta.Services {
		vm.Services = append(vm.Services, ServiceRow{Title: s.Title, Status: label(statusLabels, s.Status),
			Category: label(cats, s.CategoryCode), ChangedIn: s.LastChangedVersion, ChangedAt: s.LastChangedAt,
			ChangedHereIn: s.LastChangedVersion == n})
	}
	return h.d.Render.Render(c, fiber.StatusOK, "publication/version", vm)
}

type compareVM struct {
	web.Page
	A, B   catalog.VersionInfo
	Groups []Group
	Count  int
}

func (h *handlers) compare(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	a, err := versionNumber(c.Params("a"))
	if err != nil {
		return err
	}
	b, err := versionNumber(c.Params("b"))
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Differenze tra la versione %d e la versione %d", a, b)
	vm := &compareVM{Page: h.page(c, title, web.Crumb{Label: "Versioni pubblicate", URL: "/admin" + pathVersions},
		web.Crumb{Label: fmt.Sprintf("Confronto %d – %d", a, b)})}
	var ca, cb, amb *catalog.Carta
	err = h.d.DB.InTx(c.UserContext(), t.ID, func(tx *tenant.Tx) error {
		if vm.A, ca, err = loadVersion(c, tx, t, a); err != nil {
			return err
		}
		if vm.B, cb, err = loadVersion(c, tx, t, b); err != nil {
			return err
		}
		amb, err = ambitoCarta(c.UserContext(), tx, t)
		return err
	})
	if err != nil {
		return err
	}
	changes := DiffWithAmbito(ca, cb, amb)
	vm.Count = len(changes)
	vm.Groups = Grouped(changes)
	return h.d.Render.Render(c, fiber.StatusOK, "publication/compare", vm)
}
