package complaints

import (
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

//go:embed templates/complaints
var pagesFS embed.FS

// Pages holds the page templates "complaints/…", for web.RendererOptions.Pages.
func Pages() fs.FS {
	sub, err := fs.Sub(pagesFS, "templates")
	if err != nil {
		panic(err)
	}
	return sub
}

// Citizen paths.
const (
	PathService = "/segnala-disservizio"         // the complaint service page ("Segnala disservizio")
	PathForm    = "/segnala-disservizio/reclamo" // the form, step by step
	PathFollow  = "/reclami/segui/"              // + the private link's token
	ReceiptPath = "ricevuta.pdf"                 // after PathFollow + token: the receipt
)

// HandlerDeps are what the pages need besides the Service.
type HandlerDeps struct {
	Render *web.Renderer
	Redis  *redis.Client // the submissions' rate limit; none when nil
	Nav    func(c *fiber.Ctx) []web.NavItem
	Log    *slog.Logger
	// DB records staff views and changes in the tenant's trail.
	DB *tenant.DB
	// Can tells whether the request's staff member holds a permission.
	Can func(ctx context.Context, p access.Perm) bool
}

// SubmitLimit is how many complaints one client IP may file on one tenant's site per hour:
// far above an honest person's need, low enough to stop a flood.
const SubmitLimit = 20

type handlers struct {
	svc *Service
	d   HandlerDeps
}

// RegisterSite adds the citizen pages to the app.
func RegisterSite(app fiber.Router, svc *Service, d HandlerDeps) {
	h := &handlers{svc: svc, d: d}
	app.Get(PathService, h.servicePage)
	app.Get(PathForm, h.formStart)
	post := []fiber.Handler{}
	if d.Redis != nil {
		post = append(post, web.RateLimit(d.Redis, "complaints", SubmitLimit, time.Hour))
	}
	app.Post(PathForm, append(post, h.formStep)...)
	app.Get(PathFeedback, h.feedbackForm)
	app.Post(PathFeedback, append(post, h.feedbackSubmit)...)
	app.Get(PathFollow+":token", h.follow)
	app.Get(PathFollow+":token/"+ReceiptPath, h.receipt)
	app.Get(PathFollow+":token/"+LetterPath, h.letter)
	app.Post(PathFollow+":token/"+OutcomePath, append(post, h.outcome)...)
}

// RegisterStaff adds the URP's pages to the staff area's router.
func RegisterStaff(r *access.Router, svc *Service, d HandlerDeps) {
	h := &handlers{svc: svc, d: d}
	r.Get("/reclami", access.ComplaintsInbox, h.inbox)
	// Before /reclami/:id, which would otherwise take "nuovo" for an id.
	r.Get("/reclami/segnalazioni", access.ComplaintsInbox, h.feedbackList)
	r.Get("/reclami/modelli", access.ComplaintsWrite, h.templatesList)
	r.Post("/reclami/modelli", access.ComplaintsWrite, h.templateAdd)
	r.Post("/reclami/modelli/:id/elimina", access.ComplaintsWrite, h.templateDelete)
	r.Get("/reclami/impostazioni", access.ComplaintsWrite, h.settingsForm)
	r.Post("/reclami/impostazioni", access.ComplaintsWrite, h.settingsSave)
	r.Get("/reclami/nuovo", access.ComplaintsWrite, h.entryForm)
	r.Post("/reclami/nuovo", access.ComplaintsWrite, h.entry)
	// The ambito's view of its members' complaints about its services (before /:id).
	r.Get("/reclami/ambito", access.ComplaintsInbox, h.ambitoView)
	r.Get("/reclami/ambito/:comune/:id", access.ComplaintsInbox, h.ambitoDetail)
	r.Get("/reclami/:id", access.ComplaintsInbox, h.detail)
	r.Get("/reclami/:id/allegati/:n", access.ComplaintsInbox, h.attachment)
	r.Post("/reclami/:id/stato", access.ComplaintsWrite, h.setStatus)
	r.Post("/reclami/:id/nota", access.ComplaintsWrite, h.note)
	r.Post("/reclami/:id/uffici", access.ComplaintsWrite, h.assign)
	r.Post("/reclami/:id/contributo", access.ComplaintsWrite, h.contribute)
	r.Post("/reclami/:id/risposta", access.ComplaintsWrite, h.reply)
	r.Post("/reclami/:id/chiudi", access.ComplaintsWrite, h.close)
	r.Post("/reclami/:id/protocollo", access.ComplaintsWrite, h.officialProtocol)
	r.Get("/reclami/:id/lettera.pdf", access.ComplaintsInbox, h.staffLetter)
	r.Post("/reclami/:id/inoltra", access.ComplaintsWrite, h.forward)
	// A data subject's request: everything held about the complaint's author.
	r.Get("/reclami/:id/dati-autore.json", access.ComplaintsWrite, h.export)
}

func siteTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil || t.Status != tenant.StatusActive {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

func privatePage(c *fiber.Ctx) {
	// Personal data: never cached, never indexed, the private link never leaks as Referer.
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Robots-Tag", "noindex")
	c.Set("Referrer-Policy", "no-referrer")
}

// ---- citizen ----

func (h *handlers) servicePage(c *fiber.Ctx) error {
	if _, err := siteTenant(c); err != nil {
		return err
	}
	p := web.NewPage(c, "Segnala un disservizio").Citizen(c.Path())
	p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Segnala un disservizio"}}
	return h.d.Render.Render(c, fiber.StatusOK, "complaints/service", struct{ web.Page }{p})
}

// formPage is the view of every step of the form.
type formPage struct {
	web.Page
	Step    string // privacy, dati, autore, riepilogo
	Sub     Submission
	Choices []Choice
	Service string         // the chosen service's id, "" for none yet, "altro"
	Summary []fieldMessage // the errors, in the order of the fields, for the summary's links
	Uploads []Upload       // the files chosen so far, carried by their tokens
}

// MaxFiles is how many files a complaint may carry (for the form's help).
func (formPage) MaxFiles() int { return MaxAttachments }

// fieldMessage is one line of the error summary: the message and the id of its field.
type fieldMessage struct{ ID, Message string }

// Chars counts the characters of s as the server's limits do (for the visible counters).
func (formPage) Chars(s string) int {
	return utf8.RuneCountInString(strings.ReplaceAll(s, "\r\n", "\n"))
}

// summaryOf orders errs as the form shows the fields, each linked to its field; a message of
// a field the form does not know comes last, without a link.
func summaryOf(errs map[string]string) []fieldMessage {
	var out []fieldMessage
	known := map[string]bool{}
	for _, s := range steps {
		for _, k := range fieldsOf[s] {
			known[k] = true
			if m, ok := errs[k]; ok {
				out = append(out, fieldMessage{ID: "f-" + strings.ReplaceAll(k, "_", "-"), Message: m})
			}
		}
	}
	var rest []string
	for k := range errs {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, fieldMessage{Message: errs[k]})
	}
	return out
}

// The steps, in order.
var steps = []string{"privacy", "dati", "autore", "riepilogo"}

// fieldsOf are the fields each step checks.
var fieldsOf = map[string][]string{
	"privacy": {"consent"},
	"dati":    {"service", "standard", "what_happened", "request", FieldAttachments},
	"autore":  {"first_name", "last_name", "fiscal_code", "email", "phone", "on_behalf_of", "relation"},
}

func (h *handlers) formStart(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	privatePage(c)
	return h.showForm(c, t, fiber.StatusOK, "privacy", Submission{}, "", nil)
}

func (h *handlers) showForm(c *fiber.Ctx, t *tenant.Tenant, status int, step string, sub Submission, service string, errs map[string]string) error {
	choices, err := h.svc.Choices(c.UserContext(), t)
	if err != nil {
		return err
	}
	// Only the uploads that can still be filed travel on (an expired one is dropped here).
	ups, err := h.svc.Pending(c.UserContext(), t, sub.Uploads)
	if err != nil {
		return err
	}
	sub.Uploads = nil
	for _, u := range ups {
		sub.Uploads = append(sub.Uploads, u.Token)
	}
	p := web.NewPage(c, "Presenta un reclamo").Citizen(PathService)
	p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Segnala un disservizio", URL: PathService}, {Label: "Reclamo"}}
	p.Errors = errs
	p.Form = map[string]string{"first_name": sub.FirstName, "last_name": sub.LastName, "fiscal_code": sub.FiscalCode,
		"email": sub.Email, "phone": sub.Phone, "on_behalf_of": sub.OnBehalfOf, "relation": sub.Relation}
	return h.d.Render.Render(c, status, "complaints/form", formPage{Page: p, Step: step,
		Sub: sub, Choices: choices, Service: service, Summary: summaryOf(errs), Uploads: ups})
}

// readForm reads every field the steps carry, copied out of fasthttp's buffers.
func readForm(c *fiber.Ctx) (Submission, string) {
	v := func(k string) string { return strings.Clone(c.FormValue(k)) }
	sub := Submission{Channel: Web, Consent: v("consent") == "1", Standard: v("standard"),
		WhatHappened: v("what_happened"), Request: v("request"), FirstName: v("first_name"),
		LastName: v("last_name"), FiscalCode: v("fiscal_code"), Email: v("email"), Phone: v("phone"),
		OnBehalfOf: v("on_behalf_of"), Relation: v("relation"), Uploads: formValues(c, "upload")}
	service := v("service")
	if id, err := uuid.Parse(service); err == nil {
		sub.ServiceID = &id
	}
	return sub, service
}

func stepIndex(s string) int {
	for i, x := range steps {
		if x == s {
			return i
		}
	}
	return 0
}

// errorsOf keeps the messages of the fields of steps up to and including step.
func errorsOf(all map[string]string, upto string) (map[string]string, string) {
	for _, s := range steps[:stepIndex(upto)+1] {
		out := map[string]string{}
		for _, k := range fieldsOf[s] {
			if m, ok := all[k]; ok {
				out[k] = m
			}
		}
		if len(out) > 0 {
			return out, s
		}
	}
	return nil, ""
}

func (h *handlers) formStep(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	privatePage(c)
	sub, service := readForm(c)
	step := strings.Clone(c.FormValue("step"))
	i := stepIndex(step)
	if step == "dati" {
		// The files come with the "dati" step, whichever button was pressed: a refused one
		// keeps the citizen there with its message and nothing of this step's files stored.
		var uerrs map[string]string
		if sub.Uploads, uerrs, err = h.takeFiles(c, t, sub.Uploads); err != nil {
			return err
		}
		if uerrs != nil {
			return h.showForm(c, t, fiber.StatusUnprocessableEntity, "dati", sub, service, uerrs)
		}
	}
	if c.FormValue("back") != "" && i > 0 {
		return h.showForm(c, t, fiber.StatusOK, steps[i-1], sub, service, nil)
	}
	check := sub
	check.Normalize()
	all := check.Validate()
	if service == "" {
		all["service"] = msgService
	}
	if errs, at := errorsOf(all, step); errs != nil {
		return h.showForm(c, t, fiber.StatusUnprocessableEntity, at, sub, service, errs)
	}
	if step != "riepilogo" {
		return h.showForm(c, t, fiber.StatusOK, steps[i+1], check, service, nil)
	}
	if web.Honeypot(c) {
		// A robot: it sees a confirmation and nothing is stored.
		h.d.Log.InfoContext(c.UserContext(), "complaint honeypot filled", "tenant", t.Slug)
		return c.Redirect(PathService, fiber.StatusSeeOther)
	}
	rec, err := h.svc.Submit(c.UserContext(), t, sub)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		errs, at := errorsOf(ae.Fields, "riepilogo")
		if errs == nil {
			errs, at = ae.Fields, "dati"
		}
		return h.showForm(c, t, fiber.StatusUnprocessableEntity, at, sub, service, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(PathFollow+rec.Link+"?nuovo=1", fiber.StatusSeeOther)
}

type followPage struct {
	web.Page
	F       *Followed
	New     bool
	Today   time.Time
	Receipt string // the receipt's address
	Letter  string // the reply letter's
	Outcome string // where the author says whether it is solved
	Said    string // "registrato" or "riaperto" after they did
	Now     time.Time
}

func (h *handlers) follow(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	return h.showFollow(c, t, strings.Clone(c.Params("token")), fiber.StatusOK, nil, "")
}

func (h *handlers) showFollow(c *fiber.Ctx, t *tenant.Tenant, token string, status int, errs map[string]string, reason string) error {
	privatePage(c)
	f, err := h.svc.ByLink(c.UserContext(), t, token)
	if err != nil {
		return err
	}
	p := web.NewPage(c, "Reclamo n. "+f.Complaint.Protocol()).Citizen(PathService)
	p.Breadcrumbs = []web.Crumb{{Label: "Home", URL: "/"}, {Label: "Segnala un disservizio", URL: PathService}, {Label: "Il tuo reclamo"}}
	p.Errors = errs
	p.Form = map[string]string{"reason": reason}
	base := PathFollow + token + "/"
	return h.d.Render.Render(c, status, "complaints/follow", followPage{Page: p, F: f, New: c.Query("nuovo") == "1", Today: h.svc.Today(),
		Now: h.svc.d.Now(), Receipt: base + ReceiptPath, Letter: base + LetterPath, Outcome: base + OutcomePath,
		Said: strings.Clone(c.Query("esito"))})
}

// receipt is the one-page PDF of a complaint, for the citizen to keep: private, never cached,
// found by the private link on its own tenant's site only.
func (h *handlers) receipt(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	privatePage(c)
	cm, err := h.svc.Receipt(c.UserContext(), t, strings.Clone(c.Params("token")))
	if err != nil {
		return err
	}
	regular, bold, _, err := web.PDFFonts()
	if err != nil {
		return err
	}
	pdf, err := RenderReceipt(ReceiptFonts{Regular: regular, Bold: bold}, t.Name, cm)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+ReceiptFilename(cm)+`"`)
	return c.Send(pdf)
}

// ---- staff ----

func (h *handlers) staffPage(c *fiber.Ctx, title string, crumbs ...web.Crumb) web.Page {
	p := web.NewPage(c, title)
	if h.d.Nav != nil {
		p.Nav = h.d.Nav(c)
	}
	p.Breadcrumbs = append([]web.Crumb{{Label: "Area riservata", URL: "/admin"}}, crumbs...)
	return p
}

func staffTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

type inboxPage struct {
	web.Page
	CanWrite bool
	Inbox    *Inbox
	Filter   Filter
	Statuses []Status
	Choices  []Choice
	Offices  []Office
	Channels []Channel
	Today    time.Time
	Next     string // the next page's address, when there is one
}

func (h *handlers) inbox(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	f := filterOf(c)
	ctx := c.UserContext()
	in, err := h.svc.List(ctx, t, f)
	if err != nil {
		return err
	}
	choices, err := h.svc.Choices(ctx, t)
	if err != nil {
		return err
	}
	offices, err := h.svc.Offices(ctx, t)
	if err != nil {
		return err
	}
	page := inboxPage{Page: h.staffPage(c, "Reclami", web.Crumb{Label: "Reclami"}),
		CanWrite: h.d.Can != nil && h.d.Can(ctx, access.ComplaintsWrite),
		Inbox:    in, Filter: f, Statuses: Statuses, Choices: choices, Offices: offices, Channels: Channels, Today: h.svc.Today()}
	if in.More {
		page.Next = f.NextPage(in.Complaints[len(in.Complaints)-1])
	}
	privatePage(c)
	return h.d.Render.Render(c, fiber.StatusOK, "complaints/inbox", page)
}

type detailPage struct {
	web.Page
	Templates []ReplyTemplate
	D         *Detail
	Today     time.Time
	Outcomes  []Outcome
	CanWrite  bool
	// Forward is where the complaint can be forwarded (none when nowhere), Back whether that is
	// sending it back where it was filed; Partner names the other side of a forwarding.
	Forward []*tenant.Tenant
	Back    bool
	Partner *tenant.Tenant
}

func paramID(c *fiber.Ctx) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return uuid.Nil, apperr.ErrNotFound
	}
	return id, nil
}

func (h *handlers) detail(c *fiber.Ctx) error {
	return h.showDetail(c, fiber.StatusOK, nil, nil)
}

func (h *handlers) showDetail(c *fiber.Ctx, status int, errs, form map[string]string) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	d, err := h.svc.Get(ctx, t, id)
	if err != nil {
		return err
	}
	// Reading a complaint is reading personal data: the trail records who did.
	if err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.view", ObjectType: "complaint", ObjectID: id.String(), ObjectName: d.Complaint.Protocol()})
	}); err != nil {
		return err
	}
	privatePage(c)
	p := h.staffPage(c, "Reclamo n. "+d.Complaint.Protocol(), web.Crumb{Label: "Reclami", URL: "/admin/reclami"}, web.Crumb{Label: d.Complaint.Protocol()})
	p.Errors, p.Form = errs, form
	tpls, err := h.svc.Templates(ctx, t)
	if err != nil {
		return err
	}
	// ?modello=<id> starts the reply from a template (works without JavaScript).
	if id, err := uuid.Parse(c.Query("modello")); err == nil && p.Form["reply"] == "" {
		for _, tp := range tpls {
			if tp.ID == id {
				if p.Form == nil {
					p.Form = map[string]string{}
				}
				p.Form["reply"] = tp.Body
			}
		}
	}
	dest, err := h.svc.ForwardTargets(ctx, t, d.Complaint)
	if err != nil {
		return err
	}
	page := detailPage{Page: p, Templates: tpls, D: d, Today: h.svc.Today(),
		Outcomes: Outcomes, CanWrite: h.d.Can != nil && h.d.Can(ctx, access.ComplaintsWrite), Forward: dest,
		Back: d.Complaint.OriginTenantID != nil}
	if page.Partner, err = h.svc.Partner(ctx, d.Complaint); err != nil {
		return err
	}
	return h.d.Render.Render(c, status, "complaints/detail", page)
}

// act runs a staff action, records it in the trail and goes back to the complaint.
func (h *handlers) act(c *fiber.Ctx, entry audit.Entry, done string, fn func(t *tenant.Tenant, id uuid.UUID) error) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	err = fn(t, id)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		form := map[string]string{}
		for _, k := range []string{"reply", "note", "outcome", "contribution", "office", "official_protocol", "official_protocol_on", "forward_note", "forward_to"} {
			form[k] = strings.Clone(c.FormValue(k))
		}
		return h.showDetail(c, fiber.StatusUnprocessableEntity, ae.Fields, form)
	}
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Conflict {
		web.SetFlash(c, "danger", ae.Message)
		return c.Redirect("/admin/reclami/"+id.String(), fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		entry.ObjectType, entry.ObjectID = "complaint", id.String()
		return audit.Record(ctx, tx, entry)
	}); err != nil {
		return err
	}
	web.SetFlash(c, "success", done)
	return c.Redirect("/admin/reclami/"+id.String(), fiber.StatusSeeOther)
}

func (h *handlers) setStatus(c *fiber.Ctx) error {
	to := Status(strings.Clone(c.FormValue("status")))
	return h.act(c, audit.Entry{Action: "complaint.status"}, "Stato aggiornato: "+to.Label()+".", func(t *tenant.Tenant, id uuid.UUID) error {
		_, err := h.svc.TakeInCharge(c.UserContext(), t, id, to)
		return err
	})
}

func (h *handlers) note(c *fiber.Ctx) error {
	note := strings.Clone(c.FormValue("note"))
	return h.act(c, audit.Entry{Action: "complaint.note"}, "Nota aggiunta.", func(t *tenant.Tenant, id uuid.UUID) error {
		return h.svc.AddNote(c.UserContext(), t, id, note)
	})
}

func (h *handlers) reply(c *fiber.Ctx) error {
	o, text := Outcome(strings.Clone(c.FormValue("outcome"))), strings.Clone(c.FormValue("reply"))
	return h.act(c, audit.Entry{Action: "complaint.reply"}, "Risposta registrata e inviata al cittadino.", func(t *tenant.Tenant, id uuid.UUID) error {
		_, err := h.svc.Reply(c.UserContext(), t, id, o, text)
		return err
	})
}

func (h *handlers) close(c *fiber.Ctx) error {
	return h.act(c, audit.Entry{Action: "complaint.close"}, "Reclamo chiuso.", func(t *tenant.Tenant, id uuid.UUID) error {
		_, err := h.svc.Close(c.UserContext(), t, id)
		return err
	})
}

func (h *handlers) forward(c *fiber.Ctx) error {
	note := strings.Clone(c.FormValue("forward_note"))
	to, _ := uuid.Parse(c.FormValue("forward_to")) // an unknown one is refused by Forward
	return h.act(c, audit.Entry{Action: "complaint.forward"}, "Reclamo inoltrato per competenza.", func(t *tenant.Tenant, id uuid.UUID) error {
		_, err := h.svc.Forward(c.UserContext(), t, id, to, note)
		return err
	})
}

// formValues returns every value of the form field key, urlencoded or multipart, copied out of
// fasthttp's buffers.
func formValues(c *fiber.Ctx, key string) []string {
	var out []string
	if mf, err := c.MultipartForm(); err == nil {
		for _, v := range mf.Value[key] {
			out = append(out, strings.Clone(v))
		}
		return out
	}
	for _, v := range c.Request().PostArgs().PeekMulti(key) {
		out = append(out, string(v))
	}
	return out
}

// readFiles reads the files chosen in the form's file field: none when the form is not
// multipart or no file was chosen. At most one byte past the limit is read, enough for
// UploadAll to refuse the file as too large.
func readFiles(c *fiber.Ctx) ([]File, error) {
	mf, err := c.MultipartForm()
	if err != nil {
		return nil, nil
	}
	var files []File
	for _, fh := range mf.File[FieldAttachments] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the field left empty
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("open upload: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxAttachmentBytes+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read upload: %w", err)
		}
		files = append(files, File{Name: strings.Clone(fh.Filename), Data: data})
	}
	return files, nil
}

// takeFiles applies the "dati" step to the uploads: the ones ticked "rimuovi" go, the files
// chosen now are kept as pending uploads when all of them are right and the complaint stays
// within MaxAttachments. It returns the tokens to carry on, or the field's message.
func (h *handlers) takeFiles(c *fiber.Ctx, t *tenant.Tenant, tokens []string) ([]string, map[string]string, error) {
	ctx := c.UserContext()
	if remove := formValues(c, "remove"); len(remove) > 0 {
		if err := h.svc.Discard(ctx, t, remove); err != nil {
			return nil, nil, err
		}
		tokens = slices.DeleteFunc(tokens, func(tok string) bool { return slices.Contains(remove, tok) })
	}
	files, err := readFiles(c)
	if err != nil || len(files) == 0 {
		return tokens, nil, err
	}
	held, err := h.svc.Pending(ctx, t, tokens)
	if err != nil {
		return nil, nil, err
	}
	if len(held)+len(files) > MaxAttachments {
		return tokens, map[string]string{FieldAttachments: msgTooManyFiles}, nil
	}
	ups, err := h.svc.UploadAll(ctx, t, files)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return tokens, ae.Fields, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, u := range ups {
		tokens = append(tokens, u.Token)
	}
	return tokens, nil, nil
}

// attachment downloads a file of a complaint: never shown inline nor sniffed by the browser,
// never cached, and the download is in the trail (it is personal data).
func (h *handlers) attachment(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return apperr.ErrNotFound
	}
	ctx := c.UserContext()
	a, err := h.svc.Attachment(ctx, t, id, n)
	if err != nil {
		return err
	}
	if err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.attachment.download", ObjectType: "complaint", ObjectID: id.String(),
			ObjectName: a.Protocol, Details: map[string]any{"n": a.N, "filename": a.Name, "content_type": a.ContentType, "bytes": a.Size}})
	}); err != nil {
		return err
	}
	privatePage(c)
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	return c.Send(a.Data)
}
