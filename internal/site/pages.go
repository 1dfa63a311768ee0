package site

import (
	"context"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// perPage is how many service cards a page of /servizi shows.
const perPage = 24

type servicesPage struct {
	web.Page
	Search     searchForm
	National   []categoryLink // national service categories (service-category-link)
	Categories []categoryLink // the tenant's user categories (filters, no data-element)
	Filter     string         // what the list is filtered by, in words
	Services   []serviceCard
	Total      int
	Pager      *pager
}

type pager struct {
	Prev, Next string
	Pages      []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
}

// services is /servizi, with ?tipologia= (national category), ?categoria= (user category),
// ?argomento= (topic) and ?pagina=.
func (h *handlers) services(c *fiber.Ctx) error {
	q := url.Values{}
	for _, k := range []string{"tipologia", "categoria", "argomento"} {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			if len(v) > 100 {
				return apperr.ErrNotFound
			}
			q.Set(k, strings.Clone(v))
		}
	}
	if p := c.Query("pagina"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 10000 {
			return apperr.ErrNotFound
		}
		q.Set("pagina", strconv.Itoa(n))
	}
	return h.servePublished(c, servicesURL(q), q, h.renderServices)
}

func (h *handlers) renderServices(_ context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	q := r.query
	vm := &servicesPage{Page: r.page(s, "Servizi", web.Crumb{Label: "Home", URL: "/"}, web.Crumb{Label: "Servizi"})}
	list := s.Services()
	var filters []string

	for _, nc := range s.NationalCategories() {
		active := q.Get("tipologia") == nc.Slug
		vm.National = append(vm.National, categoryLink{Name: nc.Name, Count: len(nc.Services), Active: active,
			URL: servicesURL(url.Values{"tipologia": {nc.Slug}})})
		if active {
			list = intersect(list, nc.Services)
			filters = append(filters, "categoria «"+nc.Name+"»")
		}
	}
	if v := q.Get("tipologia"); v != "" && len(filters) == 0 {
		return nil, apperr.ErrNotFound
	}
	found := false
	for _, cat := range s.ServicesByCategory() {
		p := categoryParam(cat.Code)
		active := q.Get("categoria") == p
		vm.Categories = append(vm.Categories, categoryLink{Name: cat.Name, Count: len(cat.Services), Active: active,
			URL: servicesURL(url.Values{"categoria": {p}})})
		if active {
			found = true
			list = intersect(list, cat.Services)
			filters = append(filters, "area «"+cat.Name+"»")
		}
	}
	if q.Get("categoria") != "" && !found {
		return nil, apperr.ErrNotFound
	}
	if topic := q.Get("argomento"); topic != "" {
		canon := ""
		for _, t := range s.Topics() {
			if strings.EqualFold(t, topic) {
				canon = t
			}
		}
		if canon == "" {
			return nil, apperr.ErrNotFound
		}
		list = intersect(list, s.ServicesWithTopic(canon))
		filters = append(filters, "argomento «"+canon+"»")
	}
	vm.Filter = strings.Join(filters, ", ")
	vm.Total = len(list)

	page, _ := strconv.Atoi(q.Get("pagina"))
	if page < 1 {
		page = 1
	}
	pages := (len(list) + perPage - 1) / perPage
	if pages == 0 {
		pages = 1
	}
	if page > pages {
		return nil, apperr.ErrNotFound
	}
	if pages > 1 {
		vm.Pager = &pager{}
		at := func(n int) string {
			pq := url.Values{}
			for k, v := range q {
				pq[k] = v
			}
			pq.Set("pagina", strconv.Itoa(n))
			return servicesURL(pq)
		}
		for n := 1; n <= pages; n++ {
			vm.Pager.Pages = append(vm.Pager.Pages, pageLink{N: n, URL: at(n), Current: n == page})
		}
		if page > 1 {
			vm.Pager.Prev = at(page - 1)
		}
		if page < pages {
			vm.Pager.Next = at(page + 1)
		}
		vm.Title = "Servizi – pagina " + strconv.Itoa(page)
	}
	end := min(page*perPage, len(list))
	for _, svc := range list[(page-1)*perPage : end] {
		vm.Services = append(vm.Services, h.card(s, svc, ""))
	}
	return h.html("site/services", vm, 0)
}

// intersect keeps the services of list that are also in keep, in list's order.
func intersect(list, keep []*Service) []*Service {
	in := make(map[*Service]bool, len(keep))
	for _, s := range keep {
		in[s] = true
	}
	var out []*Service
	for _, s := range list {
		if in[s] {
			out = append(out, s)
		}
	}
	return out
}

type officesPage struct {
	web.Page
	Offices       []officeView
	AmbitoOffices []officeView
	AmbitoName    string
}

func (h *handlers) offices(c *fiber.Ctx) error {
	return h.servePublished(c, "/uffici", nil, h.renderOffices)
}

func (h *handlers) renderOffices(_ context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	vm := &officesPage{Page: r.page(s, "Uffici e orari", web.Crumb{Label: "Home", URL: "/"},
		web.Crumb{Label: "Amministrazione", URL: "/amministrazione"}, web.Crumb{Label: "Uffici e orari"})}
	var shown []*catalog.Office
	for _, o := range s.Offices() {
		vm.Offices = append(vm.Offices, h.officeView(r, s, o, false))
		shown = append(shown, o.Office)
	}
	for _, o := range s.AmbitoOffices() {
		vm.AmbitoOffices = append(vm.AmbitoOffices, h.officeView(r, s, o, false))
		vm.AmbitoName = o.Owner.Tenant.Name
		shown = append(shown, o.Office)
	}
	return h.html("site/offices", vm, ttlUntil(r.now, NextChange(shown, r.now)))
}

type officePage struct {
	web.Page
	Office officeView
}

func (h *handlers) office(c *fiber.Ctx) error {
	slug := c.Params("slug")
	if !validSlugParam(slug) {
		return apperr.ErrNotFound
	}
	return h.servePublished(c, "/uffici/"+slug, nil, h.renderOffice)
}

func (h *handlers) renderOffice(_ context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	o := s.Office(r.params["slug"])
	if o == nil {
		return nil, apperr.ErrNotFound
	}
	vm := &officePage{Page: r.page(s, o.Name, web.Crumb{Label: "Home", URL: "/"},
		web.Crumb{Label: "Uffici e orari", URL: "/uffici"}, web.Crumb{Label: o.Name})}
	vm.Office = h.officeView(r, s, o, true)
	return h.html("site/office", vm, ttlUntil(r.now, NextChange([]*catalog.Office{o.Office}, r.now)))
}

type sectionView struct {
	Key, Title string
	Body       template.HTML
}

type cartaPage struct {
	web.Page
	Sections         []sectionView
	Version          int
	FirstPublished   string
	LastUpdate       string
	LastUpdateISO    string
	Note             string
	Documents        []documentView
	PDFs             []documentView // the Carta in force as PDF: none on an earlier version's page
	Services         []serviceCard
	Old              *oldVersion
	AmbitoName       string
	AmbitoVersionURL string
}

func (h *handlers) carta(c *fiber.Ctx) error {
	return h.servePublished(c, "/carta", nil, h.renderCarta)
}

func (h *handlers) renderCarta(_ context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	vm := &cartaPage{Page: r.page(s, "La Carta dei Servizi Sociali", web.Crumb{Label: "Home", URL: "/"},
		web.Crumb{Label: "La Carta dei Servizi"})}
	h.fillCarta(r, s, vm, "")
	vm.PDFs = cartaPDFs()
	return h.html("site/carta", vm, 0)
}

// fillCarta puts the general part and the publication facts of s.Own into vm; base is the
// prefix of an earlier version's pages ("" for the current one).
func (h *handlers) fillCarta(r *request, s *Site, vm *cartaPage, base string) {
	for _, sec := range s.Sections() {
		vm.Sections = append(vm.Sections, sectionView{Key: sec.Key, Title: sec.Title, Body: catalog.Markdown(sec.Body)})
	}
	vm.Version = s.Own.Version
	if !s.Own.FirstPublishedAt.IsZero() {
		vm.FirstPublished = web.DateIT(s.Own.FirstPublishedAt)
	}
	vm.LastUpdate, vm.LastUpdateISO = web.DateIT(s.Own.PublishedAt), s.Own.PublishedAt.In(rome).Format(dateLayout)
	vm.Note = s.Own.Note
	vm.Documents = h.documentViews(r.t.Slug, s.Own, s.Own.Documents)
	if base != "" {
		for _, svc := range s.Services() {
			vm.Services = append(vm.Services, h.card(s, svc, base))
		}
	}
}

type versionsPage struct {
	web.Page
	Versions []versionRow
}

type versionRow struct {
	Number        int
	Date, ISO     string
	Note, URL     string
	Current       bool
	PublisherRole string
}

func (h *handlers) versionList(c *fiber.Ctx) error {
	return h.servePublished(c, "/carta/versioni", nil, h.renderVersions)
}

func (h *handlers) renderVersions(ctx context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	var list []catalog.VersionInfo
	if err := h.DB.InTx(ctx, r.t.ID, func(tx *tenant.Tx) error {
		var err error
		list, err = catalog.Versions(ctx, tx, r.t.ID)
		return err
	}); err != nil {
		return nil, err
	}
	vm := &versionsPage{Page: r.page(s, "Versioni della Carta", web.Crumb{Label: "Home", URL: "/"},
		web.Crumb{Label: "La Carta dei Servizi", URL: "/carta"}, web.Crumb{Label: "Versioni"})}
	for _, v := range list {
		row := versionRow{Number: v.Number, Date: web.DateIT(v.PublishedAt), ISO: v.PublishedAt.In(rome).Format(dateLayout),
			Note: v.Note, Current: v.Number == s.Own.Version, URL: "/carta/versioni/" + strconv.Itoa(v.Number)}
		if row.Current {
			row.URL = "/carta"
		}
		vm.Versions = append(vm.Versions, row)
	}
	return h.html("site/versions", vm, 0)
}

// versionNumber reads :n; anything but a version number is a missing page.
func versionNumber(c *fiber.Ctx) (int, bool) { return parseVersion(c.Params("n")) }

// parseVersion reads a version number as the site writes it: digits only, without sign or
// leading zero, so each version has one address, and within the range of the versions' column
// (int32), so that a larger number is a missing page rather than one that wraps round to an
// existing version (4294967297 is not version 1).
func parseVersion(s string) (int, bool) {
	if s == "" || s[0] == '0' || len(s) > 10 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

func (h *handlers) version(c *fiber.Ctx) error {
	n, ok := versionNumber(c)
	if !ok {
		return apperr.ErrNotFound
	}
	return h.servePublished(c, "/carta/versioni/"+strconv.Itoa(n), nil, h.renderVersion)
}

// loadOld reads version n of the tenant's Carta as a site of its own: the comune's services of
// that time (the ambito's history is on the ambito's own site). It answers a redirect to the
// current pages when n is the version in force.
func (h *handlers) loadOld(ctx context.Context, r *request, s *Site) (*Site, *oldVersion, error) {
	if s == nil {
		return nil, nil, apperr.ErrNotFound
	}
	n, ok := parseVersion(r.params["n"])
	if !ok {
		return nil, nil, apperr.ErrNotFound
	}
	if n == s.Own.Version {
		return nil, nil, nil
	}
	var old *catalog.Carta
	if err := h.DB.InTx(ctx, r.t.ID, func(tx *tenant.Tx) error {
		var err error
		old, err = catalog.LoadPublished(ctx, tx, r.t.ID, n)
		return err
	}); err != nil {
		return nil, nil, err
	}
	past := NewSite(&catalog.View{Own: old})
	ov := &oldVersion{Number: n, Date: web.DateIT(old.PublishedAt), PublishedAt: old.PublishedAt, Note: old.Note, CurrentURL: "/carta",
		VersionsURL: "/carta/versioni"}
	return past, ov, nil
}

func redirect(to string) *output {
	return &output{Status: fiber.StatusFound, Header: map[string]string{fiber.HeaderLocation: to}}
}

func (h *handlers) renderVersion(ctx context.Context, r *request, s *Site) (*output, error) {
	old, ov, err := h.loadOld(ctx, r, s)
	if err != nil {
		return nil, err
	}
	if old == nil {
		return redirect("/carta"), nil
	}
	title := "Versione " + strconv.Itoa(ov.Number) + " della Carta"
	vm := &cartaPage{Page: r.page(s, title, web.Crumb{Label: "Home", URL: "/"},
		web.Crumb{Label: "La Carta dei Servizi", URL: "/carta"}, web.Crumb{Label: "Versioni", URL: "/carta/versioni"},
		web.Crumb{Label: "Versione " + strconv.Itoa(ov.Number)})}
	vm.Old = ov
	h.fillCarta(r, old, vm, "/carta/versioni/"+strconv.Itoa(ov.Number))
	if r.t.Ambito != nil {
		vm.AmbitoName = r.t.Ambito.Name
		vm.AmbitoVersionURL = h.Cfg.TenantURL(r.t.Ambito.Slug) + "/carta/versioni"
	}
	return h.html("site/carta", vm, 0)
}

func (h *handlers) versionService(c *fiber.Ctx) error {
	n, ok := versionNumber(c)
	slug := c.Params("slug")
	if !ok || !validSlugParam(slug) {
		return apperr.ErrNotFound
	}
	return h.servePublished(c, "/carta/versioni/"+strconv.Itoa(n)+"/servizi/"+slug, nil, h.renderVersionService)
}

func (h *handlers) renderVersionService(ctx context.Context, r *request, s *Site) (*output, error) {
	old, ov, err := h.loadOld(ctx, r, s)
	if err != nil {
		return nil, err
	}
	if old == nil {
		if s.Service(r.params["slug"]) == nil {
			return nil, apperr.ErrNotFound
		}
		return redirect(serviceURL("", r.params["slug"])), nil
	}
	svc := old.Service(r.params["slug"])
	if svc == nil {
		return nil, apperr.ErrNotFound
	}
	base := "/carta/versioni/" + strconv.Itoa(ov.Number)
	vm, office := h.servicePage(r, old, svc, base)
	vm.Old = ov
	vm.Title = svc.Title + " (versione " + strconv.Itoa(ov.Number) + ")"
	vm.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Versioni della Carta", URL: "/carta/versioni"},
		{Label: "Versione " + strconv.Itoa(ov.Number), URL: base}, {Label: svc.Title}}
	// An earlier version's page describes the past: no structured data that would compete
	// with the service in force.
	vm.JSONLD = ""
	var offices []*catalog.Office
	if office != nil {
		offices = append(offices, office.Office)
	}
	return h.html("site/service", vm, ttlUntil(r.now, NextChange(offices, r.now)))
}

type managementPage struct {
	web.Page
	Links     []categoryLink // management-category-link
	Offices   []officeView
	People    []personRow
	Documents []documentView
	PDFs      []documentView
}

type personRow struct {
	personView
	OfficeName, OfficeURL string
}

func (h *handlers) management(c *fiber.Ctx) error {
	return h.servePublished(c, "/amministrazione", nil, h.renderManagement)
}

func (h *handlers) renderManagement(_ context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	vm := &managementPage{Page: r.page(s, "Amministrazione", web.Crumb{Label: "Home", URL: "/"},
		web.Crumb{Label: "Amministrazione"})}
	// Only labels of the national model's list (CONTRACT.md), for what this site has.
	vm.Links = []categoryLink{{Name: "Uffici", URL: "/uffici"}}
	if len(s.People()) > 0 {
		vm.Links = append(vm.Links, categoryLink{Name: "Personale amministrativo", URL: "/amministrazione#personale"})
	}
	vm.Links = append(vm.Links, categoryLink{Name: "Documenti e dati", URL: "/amministrazione#documenti"})
	var shown []*catalog.Office
	for _, o := range s.Offices() {
		vm.Offices = append(vm.Offices, h.officeView(r, s, o, false))
		shown = append(shown, o.Office)
	}
	for _, p := range s.People() {
		row := personRow{personView: personView{Name: p.Name, Role: p.RoleTitle, Area: p.Area, Email: p.Email, Phone: p.Phone}}
		if o := s.PersonOffice(p); o != nil {
			row.OfficeName, row.OfficeURL = o.Name, h.officeURL(o)
		}
		vm.People = append(vm.People, row)
	}
	vm.Documents = h.documentViews(r.t.Slug, s.Own, s.Own.Documents)
	vm.PDFs = cartaPDFs()
	return h.html("site/management", vm, ttlUntil(r.now, NextChange(shown, r.now)))
}

type topicsPage struct {
	web.Page
	Topics []categoryLink
}

func (h *handlers) topics(c *fiber.Ctx) error {
	return h.servePublished(c, "/argomenti", nil, h.renderTopics)
}

func (h *handlers) renderTopics(_ context.Context, r *request, s *Site) (*output, error) {
	if s == nil {
		return nil, apperr.ErrNotFound
	}
	vm := &topicsPage{Page: r.page(s, "Argomenti", web.Crumb{Label: "Home", URL: "/"}, web.Crumb{Label: "Argomenti"})}
	for _, t := range s.Topics() {
		vm.Topics = append(vm.Topics, categoryLink{Name: t, URL: servicesURL(url.Values{"argomento": {t}}),
			Count: len(s.ServicesWithTopic(t))})
	}
	return h.html("site/topics", vm, 0)
}
