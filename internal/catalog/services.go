package catalog

import (
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// ---- list ----

type serviceRow struct {
	ID           uuid.UUID
	Title, Slug  string
	Status       string
	StatusLabel  string
	StatusReason string
	CategoryName string
	Coverage     string
	Missing      int
	First, Last  bool
}

type serviceListPage struct {
	web.Page
	Services       []serviceRow
	Total          int
	Categories     []Option
	Statuses       []Option
	FilterCategory string
	FilterStatus   string
	Filtered       bool
	CanWrite       bool
}

func (h *ui) serviceList(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cat, status := strings.Clone(c.Query("categoria")), strings.Clone(c.Query("stato"))
	vm := &serviceListPage{Page: h.page(c, "Servizi", web.Crumb{Label: "Servizi"}),
		FilterCategory: cat, FilterStatus: status, Filtered: cat != "" || status != "", CanWrite: h.canWrite(c)}
	var all []Service
	var cats []Category
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := EnsureDefaults(ctx, tx); err != nil {
			return err
		}
		if cats, err = loadCategories(ctx, tx); err != nil {
			return err
		}
		all, err = loadServices(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, c := range cats {
		names[c.Code] = c.Name
	}
	missing := map[string]int{}
	for _, m := range Completeness(&Carta{Services: all}) {
		missing[m.ServiceSlug]++
	}
	vm.Total = len(all)
	for i, s := range all {
		if (cat != "" && s.CategoryCode != cat) || (status != "" && s.Status != status) {
			continue
		}
		vm.Services = append(vm.Services, serviceRow{ID: s.ID, Title: s.Title, Slug: s.Slug, Status: s.Status,
			StatusLabel: StatusLabel(s.Status), StatusReason: s.StatusReason, CategoryName: names[s.CategoryCode],
			Coverage: s.Coverage, Missing: missing[s.Slug], First: i == 0, Last: i == len(all)-1})
	}
	vm.Categories = options(cats, func(c Category) (string, string) { return c.Code, c.Name }, cat)
	vm.Statuses = options(ServiceStatuses, func(s struct{ Key, Label string }) (string, string) { return s.Key, s.Label }, status)
	return h.Render.Render(c, fiber.StatusOK, "catalog/services", vm)
}

// ---- the form ----

type topicOption struct {
	Value, ID string
	Checked   bool
}

type serviceFormPage struct {
	web.Page
	IsNew         bool
	ServiceID     uuid.UUID
	Action        string
	PreviewAction string
	CanWrite      bool
	IsAmbito      bool

	Status, Category, MacroLevel, Coverage, CostKind SelectField
	Office, Person, NationalCategory                 SelectField
	SocialTopics, OtherTopics                        []topicOption
	OtherTopicsOpen                                  bool
	Deadlines                                        []deadlineRow
	Standards                                        []standardRow
	DeadlineRows, StandardRows                       int
	ShortCount                                       int
	Documents                                        []Document
	Missing                                          []missingField
	Published                                        bool
}

func (h *ui) renderServiceForm(c *fiber.Ctx, status int, t *tenant.Tenant, id uuid.UUID, f *serviceForm,
	errs map[string]string, refs *formRefs, stored *Service) error {
	title := "Nuovo servizio"
	crumbs := []web.Crumb{{Label: "Servizi", URL: base + "/servizi"}}
	if stored != nil {
		title = stored.Title
	}
	crumbs = append(crumbs, web.Crumb{Label: title})
	vm := &serviceFormPage{Page: h.page(c, title, crumbs...), IsNew: stored == nil, ServiceID: id,
		CanWrite: h.canWrite(c), IsAmbito: t.IsAmbito()}
	vm.Form, vm.Errors = f.values, errs
	if stored == nil {
		vm.Action, vm.PreviewAction = base+"/servizi/nuovo", base+"/servizi/nuovo/anteprima"
	} else {
		vm.Action = base + "/servizi/" + id.String()
		vm.PreviewAction = vm.Action + "/anteprima"
		vm.Documents = stored.Documents
		for _, m := range Completeness(&Carta{Services: []Service{*stored}}) {
			vm.Missing = append(vm.Missing, missingField{Label: m.Label, URL: ServiceFieldURL(id, m.Field)})
		}
	}
	v := f.values
	type kv = struct{ Key, Label string }
	pair := func(x kv) (string, string) { return x.Key, x.Label }
	vm.Status = newSelect(errs, "status", "Stato", options(ServiceStatuses, pair, v["status"]), "",
		"Un servizio sospeso resta visibile ai cittadini, con il motivo; uno archiviato non compare più nella Carta.")
	vm.Category = newSelect(errs, "category", "Area di utenza",
		options(refs.Categories, func(c Category) (string, string) { return c.Code, c.Name }, v["category"]),
		"Scegli…", "Il gruppo di persone a cui il servizio si rivolge. Puoi aggiungere aree in «Aree di utenza».")
	vm.Category.Required = true
	levels := make([]kv, 0, len(MacroLevels))
	for n := 1; n <= len(MacroLevels); n++ {
		levels = append(levels, kv{strconv.Itoa(n), strconv.Itoa(n) + " – " + MacroLevels[n]})
	}
	vm.MacroLevel = newSelect(errs, "macro_level", "Macro livello (programmazione nazionale)", options(levels, pair, v["macro_level"]),
		"Nessuno", "Il macro livello del Fondo Nazionale Politiche Sociali.")
	vm.Coverage = newSelect(errs, "coverage", "Territorio servito",
		options([]kv{{"comune", "Il territorio del comune"}, {"ambito", "Tutto l'ambito territoriale"}}, pair, v["coverage"]), "", "")
	vm.CostKind = newSelect(errs, "cost_kind", "Tipo di costo", options(CostKinds, pair, v["cost_kind"]), "", "")
	vm.Office = newSelect(errs, "office", "Ufficio a cui rivolgersi",
		options(refs.Offices, func(o Office) (string, string) { return o.ID.String(), o.Name }, v["office"]),
		"Nessun ufficio indicato", "Il canale fisico. Gli uffici si gestiscono in «Uffici e orari».")
	if t.IsAmbito() {
		vm.Office.Help = "Se non ne indichi uno, i cittadini di ogni comune vedono lo sportello principale del proprio comune."
	}
	vm.Person = newSelect(errs, "responsible_person", "Persona responsabile",
		options(refs.People, func(p Person) (string, string) {
			l := p.Name
			if p.RoleTitle != "" {
				l += " – " + p.RoleTitle
			}
			return p.ID.String(), l
		}, v["responsible_person"]), "Nessuna", "Le persone si gestiscono in «Persone responsabili».")
	vm.NationalCategory = newSelect(errs, "national_category", "Categoria del servizio",
		options(ServiceCategories, func(s string) (string, string) { return s, s }, v["national_category"]), "",
		"La categoria nazionale del modello dei siti comunali: per i servizi sociali quasi sempre «Salute, benessere e assistenza».")
	vm.NationalCategory.Required = true
	for i, tp := range Topics {
		o := topicOption{Value: tp, ID: "f-topic-" + strconv.Itoa(i), Checked: slices.Contains(f.topics, tp)}
		if slices.Contains(SocialTopics, tp) {
			vm.SocialTopics = append(vm.SocialTopics, o)
		} else {
			vm.OtherTopics = append(vm.OtherTopics, o)
			vm.OtherTopicsOpen = vm.OtherTopicsOpen || o.Checked
		}
	}
	// The social topics in the order of their list, the most used first.
	slices.SortStableFunc(vm.SocialTopics, func(a, b topicOption) int {
		return slices.Index(SocialTopics, a.Value) - slices.Index(SocialTopics, b.Value)
	})
	vm.Deadlines = f.deadlineRowsFor(errs)
	vm.Standards = f.standardRowsFor(errs)
	vm.DeadlineRows, vm.StandardRows = len(vm.Deadlines), len(vm.Standards)
	vm.ShortCount = runes(v["short_description"])
	return h.Render.Render(c, status, "catalog/service", vm)
}

func (h *ui) serviceNewForm(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var refs *formRefs
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := EnsureDefaults(ctx, tx); err != nil {
			return err
		}
		refs, err = loadRefs(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	return h.renderServiceForm(c, fiber.StatusOK, t, uuid.Nil, newServiceForm(t), nil, refs, nil)
}

func (h *ui) serviceEdit(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var refs *formRefs
	var s Service
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if s, err = loadService(ctx, tx, id); err != nil {
			return err
		}
		refs, err = loadRefs(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	return h.renderServiceForm(c, fiber.StatusOK, t, id, serviceFormFrom(s), nil, refs, &s)
}

func (h *ui) serviceCreate(c *fiber.Ctx) error { return h.serviceSubmit(c, uuid.Nil) }

func (h *ui) serviceSave(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return h.serviceSubmit(c, id)
}

const msgSlugTaken = "Un altro servizio usa già questo indirizzo: scegline un altro."

// serviceSubmit creates (id uuid.Nil) or saves a service from the posted form. The buttons
// that add a row of deadlines or standards post the same form: it comes back with the row
// added and nothing saved.
func (h *ui) serviceSubmit(c *fiber.Ctx, id uuid.UUID) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	f := serviceFormFromPost(posted(c))
	action := f.values["azione"]
	by := staffID(ctx)
	var (
		refs     *formRefs
		stored   *Service
		errs     map[string]string
		newID    uuid.UUID
		addOnly  = action == "aggiungi-scadenza" || action == "aggiungi-standard"
		svc      Service
		original Service
	)
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if id != uuid.Nil {
			s, err := loadService(ctx, tx, id)
			if err != nil {
				return err
			}
			stored, original = &s, s
		}
		// The national categories must exist for a form posted before any page was seen.
		if err := EnsureDefaults(ctx, tx); err != nil {
			return err
		}
		if refs, err = loadRefs(ctx, tx); err != nil {
			return err
		}
		if addOnly {
			return nil
		}
		svc, errs = f.parse(refs)
		if len(errs) > 0 {
			return nil
		}
		taken, err := uniqueSlug(ctx, &svc.Slug, svc.Title, maxSlug, "servizio", serviceSlugTaken(tx, id))
		if err != nil {
			return err
		}
		if taken {
			errs["slug"] = msgSlugTaken
			return nil
		}
		if id == uuid.Nil {
			if newID, err = insertService(ctx, tx, &svc, refs, by); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Action: "catalog.service.create", ObjectType: "service",
				ObjectID: newID.String(), ObjectName: svc.Title, Changes: audit.Created("service", svc, refs.Offices, refs.People, refs.Categories),
				Details: map[string]any{"slug": svc.Slug, "title": svc.Title}})
		}
		svc.ID, svc.Position, svc.Documents = id, original.Position, original.Documents
		// The same topics in another order (stored by an import, say, while the form writes
		// the model's order) are no change: keep them as stored, so that neither the trail nor
		// the next publication reports one.
		if sameTopics(original.Topics, svc.Topics) {
			svc.Topics = original.Topics
		}
		if err := updateService(ctx, tx, &svc, refs, original.Standards, by); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.service.update", ObjectType: "service",
			ObjectID: id.String(), ObjectName: svc.Title, Changes: audit.Updated("service", original, svc, refs.Offices, refs.People, refs.Categories),
			Details: map[string]any{"slug": svc.Slug, "changed": changedFields(original, svc)}})
	})
	switch {
	case isUnique(err):
		errs = map[string]string{"slug": msgSlugTaken}
	case err != nil:
		return err
	}
	if addOnly {
		if action == "aggiungi-scadenza" {
			f.deadlineRows = min2(f.deadlineRows+1, maxRows)
		} else {
			f.standardRows = min2(f.standardRows+1, maxRows)
		}
		return h.renderServiceForm(c, fiber.StatusOK, t, id, f, nil, refs, stored)
	}
	if len(errs) > 0 {
		return h.renderServiceForm(c, fiber.StatusUnprocessableEntity, t, id, f, errs, refs, stored)
	}
	if id == uuid.Nil {
		web.SetFlash(c, "success", "Servizio «"+svc.Title+"» creato. Puoi ora allegare i documenti.")
		id = newID
	} else {
		web.SetFlash(c, "success", "Modifiche al servizio «"+svc.Title+"» salvate nella bozza.")
	}
	return c.Redirect(base+"/servizi/"+id.String(), fiber.StatusSeeOther)
}

// ---- preview ----

// servicePreview shows the posted, unsaved values as citizens would see them, within the
// draft Carta.
func (h *ui) servicePreview(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id := uuid.Nil
	if c.Params("id") != "" {
		if id, err = paramID(c, "id"); err != nil {
			return err
		}
	}
	ctx := c.UserContext()
	f := serviceFormFromPost(posted(c))
	var draft *Carta
	var svc Service
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var stored Service
		if id != uuid.Nil {
			if stored, err = loadService(ctx, tx, id); err != nil {
				return err
			}
		}
		refs, err := loadRefs(ctx, tx)
		if err != nil {
			return err
		}
		// A preview shows what there is, mistakes included: errors are for saving.
		svc, _ = f.parse(refs)
		svc.ID, svc.Documents, svc.Position = id, stored.Documents, stored.Position
		if svc.Slug == "" {
			svc.Slug = Slugify(svc.Title, maxSlug)
		}
		draft, err = LoadDraft(ctx, tx, t)
		return err
	})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(draft.Services, func(s Service) bool { return id != uuid.Nil && s.ID == id })
	if i >= 0 {
		draft.Services[i] = svc
	} else {
		draft.Services = append(draft.Services, svc)
	}
	c.Set("X-Robots-Tag", "noindex")
	if h.Preview != nil {
		return h.Preview(c, svc, draft)
	}
	return h.Render.Render(c, fiber.StatusOK, "catalog/preview", newPreviewPage(c, svc, draft))
}

type previewSection struct {
	ID, Title string
	HTML      template.HTML
	Items     []string
}

type previewPage struct {
	web.Page
	Service      Service
	StatusLabel  string
	CategoryName string
	CostLabel    string
	Sections     []previewSection
	Deadlines    []Deadline
	Standards    []previewStandard
	Office       *Office
	Person       *Person
}

type previewStandard struct {
	Standard
	DimensionLabel string
	TargetText     string
}

func newPreviewPage(c *fiber.Ctx, s Service, draft *Carta) *previewPage {
	p := &previewPage{Page: web.NewPage(c, "Anteprima: "+s.Title), Service: s, StatusLabel: StatusLabel(s.Status),
		Deadlines: s.Deadlines}
	p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Servizi", URL: "/servizi"}, {Label: s.Title}}
	for _, cat := range draft.Categories {
		if cat.Code == s.CategoryCode {
			p.CategoryName = cat.Name
		}
	}
	for _, k := range CostKinds {
		if k.Key == s.CostKind {
			p.CostLabel = k.Label
		}
	}
	for i := range draft.Offices {
		if s.OfficeID != nil && draft.Offices[i].ID == *s.OfficeID {
			p.Office = &draft.Offices[i]
		}
	}
	for i := range draft.People {
		if s.ResponsiblePersonID != nil && draft.People[i].ID == *s.ResponsiblePersonID {
			p.Person = &draft.People[i]
		}
	}
	add := func(id, title, md string, items []string) {
		if strings.TrimSpace(md) == "" && len(items) == 0 {
			return
		}
		p.Sections = append(p.Sections, previewSection{ID: id, Title: title, HTML: Markdown(md), Items: items})
	}
	add("cos-e", "Cos'è", s.Description, nil)
	add("a-chi-e-rivolto", "A chi è rivolto", s.Audience, nil)
	add("come-fare", "Come fare", s.HowTo, nil)
	add("cosa-serve", "Cosa serve", s.NeededIntro, s.NeededItems)
	add("cosa-si-ottiene", "Cosa si ottiene", s.Obtained, nil)
	add("tempi-e-scadenze", "Tempi e scadenze", s.Timing, nil)
	add("quanto-costa", "Quanto costa", s.CostText, nil)
	add("vincoli", "Vincoli", s.Constraints, nil)
	add("casi-particolari", "Casi particolari", s.SpecialCases, nil)
	add("condizioni", "Condizioni di servizio", s.Conditions, nil)
	add("enti-erogatori", "Enti erogatori", s.Providers, nil)
	add("contatti", "Contatti", s.Contacts, nil)
	add("ulteriori-informazioni", "Ulteriori informazioni", s.MoreInfo, nil)
	for _, st := range s.Standards {
		ps := previewStandard{Standard: st, DimensionLabel: DimensionLabel(st.Dimension)}
		if st.Target != nil {
			ps.TargetText = formatNumber(*st.Target)
			if st.Unit != "" {
				ps.TargetText += " " + st.Unit
			}
		}
		p.Standards = append(p.Standards, ps)
	}
	return p
}

// ---- delete or archive ----

type serviceDeletePage struct {
	web.Page
	Service   Service
	Published bool
}

func (h *ui) serviceDeleteForm(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vm := &serviceDeletePage{}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if vm.Service, err = loadService(ctx, tx, id); err != nil {
			return err
		}
		vm.Published, err = tx.CatalogServiceEverPublished(ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	title := "Elimina il servizio"
	if vm.Published {
		title = "Archivia il servizio"
	}
	vm.Page = h.page(c, title, web.Crumb{Label: "Servizi", URL: base + "/servizi"},
		web.Crumb{Label: vm.Service.Title, URL: base + "/servizi/" + id.String()}, web.Crumb{Label: title})
	return h.Render.Render(c, fiber.StatusOK, "catalog/service-delete", vm)
}

// serviceDelete deletes a service no version ever published; a published one is archived
// instead, so that the history of the Carta keeps it.
func (h *ui) serviceDelete(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var s Service
	var archived bool
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if s, err = loadService(ctx, tx, id); err != nil {
			return err
		}
		if archived, err = tx.CatalogServiceEverPublished(ctx, id); err != nil {
			return err
		}
		details := map[string]any{"slug": s.Slug, "title": s.Title}
		if archived {
			if _, err := tx.CatalogServiceSetStatus(ctx, db.CatalogServiceSetStatusParams{
				ID: id, Status: StatusArchived, UpdatedBy: staffID(ctx)}); err != nil {
				return err
			}
			return audit.Record(ctx, tx, audit.Entry{Action: "catalog.service.archive", ObjectType: "service",
				ObjectID: id.String(), ObjectName: s.Title, Details: details,
				Changes: audit.Changes(map[string]string{"Stato": StatusLabel(s.Status)}, map[string]string{"Stato": "Archiviato"})})
		}
		if _, err := tx.CatalogServiceDelete(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.service.delete", ObjectType: "service",
			ObjectID: id.String(), ObjectName: s.Title, Changes: audit.Deleted("service", s), Details: details})
	})
	if err != nil {
		return err
	}
	if archived {
		web.SetFlash(c, "success", "Il servizio «"+s.Title+"» è stato archiviato: non comparirà nella prossima versione pubblicata e resta nelle versioni precedenti.")
	} else {
		web.SetFlash(c, "success", "Il servizio «"+s.Title+"» è stato eliminato.")
	}
	return c.Redirect(base+"/servizi", fiber.StatusSeeOther)
}

// ---- reorder ----

func moveDelta(c *fiber.Ctx) (int, error) {
	switch c.FormValue("direzione") {
	case "su":
		return -1, nil
	case "giu":
		return 1, nil
	}
	return 0, apperr.New(apperr.Invalid, "Direzione dello spostamento non valida.")
}

func (h *ui) serviceMove(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	delta, err := moveDelta(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		rows, err := tx.CatalogServiceList(ctx)
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if !slices.Contains(ids, id) {
			return apperr.ErrNotFound
		}
		order := reorder(ids, id, delta)
		if order == nil {
			return nil
		}
		for i, sid := range order {
			if err := tx.CatalogServiceSetPosition(ctx, db.CatalogServiceSetPositionParams{ID: sid, Position: int32(i + 1)}); err != nil {
				return err
			}
		}
		var title string
		for _, r := range rows {
			if r.ID == id {
				title = r.Title
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.service.move", ObjectType: "service",
			ObjectID: id.String(), ObjectName: title, Details: map[string]any{"position": slices.Index(order, id) + 1}})
	})
	if err != nil {
		return err
	}
	return c.Redirect(base+"/servizi#s-"+id.String(), fiber.StatusSeeOther)
}

// sameTopics reports whether a and b hold the same topics, in whatever order.
func sameTopics(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
