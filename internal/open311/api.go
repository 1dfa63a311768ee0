package open311

import (
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Deps are what the endpoint needs.
type Deps struct {
	Complaints *complaints.Service
	Keys       *Keys
	DB         *tenant.DB
	Redis      *redis.Client // the POST's rate limit; none when nil
	// SiteURL is the absolute address of a tenant's site (config.TenantURL).
	SiteURL func(slug string) string
	// Test marks the endpoints "test" rather than "production" in the discovery.
	Test bool
	Log  *slog.Logger
}

// SubmitLimit is how many requests one client IP may POST to one tenant per hour. An API
// client relays many citizens from one address, so it is higher than the citizen form's.
const SubmitLimit = 300

// Changeset is when this endpoint's behaviour last changed, for the discovery.
var Changeset = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

// Register adds the endpoint to the app. Mount it after the tenant's resolution and before the
// CSRF middleware: API clients post no CSRF token (they prove themselves with an API key).
func Register(app fiber.Router, d Deps) {
	h := &api{d: d}
	g := app.Group(Prefix + "/v2")
	g.Get("/discovery.:format", h.discovery)
	g.Get("/services.:format", h.services)
	g.Get("/services/:code.:format", h.definition)
	post := []fiber.Handler{}
	if d.Redis != nil {
		post = append(post, web.RateLimit(d.Redis, "open311", SubmitLimit, time.Hour))
	}
	g.Post("/requests.:format", append(post, h.create)...)
	g.Get("/requests.:format", h.requests)
	g.Get("/requests/:id.:format", h.request)
	g.Get("/tokens/:id.:format", h.token)
	// Anything else under the prefix ends here, in the spec's error format, and never reaches
	// the CSRF check meant for forms.
	app.All(Prefix, notFound)
	app.All(Prefix+"/*", notFound)
}

var errNotFound = apperr.New(apperr.NotFound, "Risorsa non trovata.")

func notFound(*fiber.Ctx) error { return errNotFound }

type api struct{ d Deps }

// tenantOf returns the request's tenant after checking the format and the jurisdiction.
func (h *api) tenantOf(c *fiber.Ctx) (*tenant.Tenant, error) {
	if f := c.Params("format"); f != "json" && f != "xml" {
		return nil, apperr.New(apperr.NotFound, "Formato non disponibile: usa .json o .xml.")
	}
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return nil, apperr.New(apperr.NotFound, "Giurisdizione non trovata.")
	}
	if j := strings.TrimSpace(c.FormValue("jurisdiction_id")); j != "" && j != t.Slug {
		return nil, apperr.New(apperr.NotFound, "Giurisdizione non trovata: questo indirizzo serve solo «"+t.Slug+"».")
	}
	return t, nil
}

// --- discovery

type discoveryDoc struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

type endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

func (h *api) discovery(c *fiber.Ctx) error {
	t, err := h.tenantOf(c)
	if err != nil {
		return err
	}
	typ := "production"
	if h.d.Test {
		typ = "test"
	}
	site := h.d.SiteURL(t.Slug)
	cs := Changeset.Format(time.RFC3339)
	d := discoveryDoc{
		Changeset:  cs,
		Contact:    "Ufficio Relazioni con il Pubblico " + itlang.Of(t.Name) + ": " + site + complaints.PathService,
		KeyService: "Per inviare reclami serve una chiave API (api_key): la rilascia l'amministratore " + itlang.Of(t.Name) + ".",
		Endpoints: []endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2", URL: site + BasePath,
			Changeset: cs, Type: typ, Formats: []string{"text/xml", "application/json"}}},
	}
	return send(c, fiber.StatusOK, d, d)
}

// --- services

type service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type servicesXML struct {
	XMLName  xml.Name  `xml:"services"`
	Services []service `xml:"service"`
}

// details are what the published Carta says of a service besides what Choices gives.
type details struct{ description, keywords, group string }

// shownDetails reads the category, short description and keywords of the services t's site
// shows, from the same catalog.View.Shown that Choices lists.
func (h *api) shownDetails(ctx context.Context, t *tenant.Tenant) (map[uuid.UUID]details, error) {
	out := map[uuid.UUID]details{}
	err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		v, err := catalog.LoadView(ctx, tx, t)
		if err != nil {
			return err
		}
		if s := v.Shown(); s != nil {
			for _, sv := range s.Services() {
				out[sv.ID] = details{description: sv.ShortDescription, keywords: strings.Join(sv.Keywords, ","), group: sv.Category.Name}
			}
		}
		return nil
	})
	return out, err
}

const altroName = "Altro"

func (h *api) services(c *fiber.Ctx) error {
	t, err := h.tenantOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	choices, err := h.d.Complaints.Choices(ctx, t)
	if err != nil {
		return err
	}
	more, err := h.shownDetails(ctx, t)
	if err != nil {
		return err
	}
	out := make([]service, 0, len(choices)+1)
	for _, ch := range choices {
		m := more[ch.ID]
		out = append(out, service{ServiceCode: ch.ID.String(), ServiceName: ch.Title, Description: m.description,
			Metadata: true, Type: "realtime", Keywords: m.keywords, Group: m.group})
	}
	out = append(out, service{ServiceCode: AltroCode, ServiceName: altroName,
		Description: "Un reclamo che non riguarda nessuno dei servizi della Carta.", Metadata: true, Type: "realtime"})
	return send(c, fiber.StatusOK, out, servicesXML{Services: out})
}

// --- service definition

type definitionDoc struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []attribute `json:"attributes" xml:"attributes>attribute"`
}

type attribute struct {
	Variable            bool    `json:"variable" xml:"variable"`
	Code                string  `json:"code" xml:"code"`
	Datatype            string  `json:"datatype" xml:"datatype"`
	Required            bool    `json:"required" xml:"required"`
	DatatypeDescription string  `json:"datatype_description" xml:"datatype_description"`
	Order               int     `json:"order" xml:"order"`
	Description         string  `json:"description" xml:"description"`
	Values              []value `json:"values,omitempty" xml:"values>value,omitempty"`
}

type value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// The attribute codes, the fields of complaints.Submission they fill.
const (
	attrStandard = "standard"
	attrWhat     = "what_happened"
	attrRequest  = "request"
	attrFirst    = "first_name"
	attrLast     = "last_name"
	attrFiscal   = "fiscal_code"
)

// choice finds the service of code among t's choices; nil for "altro", apperr.ErrNotFound for
// a code that names none.
func (h *api) choice(ctx context.Context, t *tenant.Tenant, code string) (*complaints.Choice, error) {
	if code == AltroCode {
		return nil, nil
	}
	id, err := uuid.Parse(code)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "Servizio non trovato.")
	}
	choices, err := h.d.Complaints.Choices(ctx, t)
	if err != nil {
		return nil, err
	}
	for i := range choices {
		if choices[i].ID == id {
			return &choices[i], nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "Servizio non trovato.")
}

func (h *api) definition(c *fiber.Ctx) error {
	t, err := h.tenantOf(c)
	if err != nil {
		return err
	}
	code := strings.Clone(c.Params("code"))
	ch, err := h.choice(c.UserContext(), t, code)
	if err != nil {
		return err
	}
	var attrs []attribute
	if ch != nil && len(ch.Standards) > 0 {
		a := attribute{Variable: true, Code: attrStandard, Datatype: "singlevaluelist", Order: 1,
			DatatypeDescription: "Uno degli standard di qualità del servizio, oppure nessuno.",
			Description:         "Quale standard della Carta non è stato rispettato"}
		for _, s := range ch.Standards {
			a.Values = append(a.Values, value{Key: s, Name: s})
		}
		attrs = append(attrs, a)
	}
	for _, a := range []attribute{
		{Code: attrWhat, Datatype: "text", Required: true, Description: "Che cosa è successo",
			DatatypeDescription: "Al massimo 4000 caratteri, senza HTML. Si può dare anche come description."},
		{Code: attrRequest, Datatype: "text", Description: "Che cosa chiede chi presenta il reclamo",
			DatatypeDescription: "Al massimo 2000 caratteri."},
		{Code: attrFirst, Datatype: "string", Required: true, Description: "Nome di chi presenta il reclamo",
			DatatypeDescription: "Si può dare anche come first_name."},
		{Code: attrLast, Datatype: "string", Required: true, Description: "Cognome di chi presenta il reclamo",
			DatatypeDescription: "Si può dare anche come last_name."},
		{Code: attrFiscal, Datatype: "string", Description: "Codice fiscale di chi presenta il reclamo",
			DatatypeDescription: "Facoltativo; se indicato deve essere valido."},
	} {
		a.Variable, a.Order = true, len(attrs)+1
		attrs = append(attrs, a)
	}
	d := definitionDoc{ServiceCode: code, Attributes: attrs}
	return send(c, fiber.StatusOK, d, d)
}

// --- POST requests

type created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        string   `json:"account_id" xml:"account_id"`
}

type createdXML struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []created `xml:"request"`
}

// fieldNames are the request's parameters the Submission's fields come from, for the errors.
var fieldNames = map[string]string{
	"what_happened": "description", "service": "service_code", "standard": "attribute[standard]",
	"request": "attribute[request]", "fiscal_code": "attribute[fiscal_code]",
}

func fieldMessage(field, msg string) string {
	name := field
	if n, ok := fieldNames[field]; ok {
		name = n
	}
	return msg + " (parametro " + name + ")"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// form reads a parameter, an attribute[code] taking the place of the plain one.
func form(c *fiber.Ctx, attr, plain string) string {
	if v := c.FormValue("attribute[" + attr + "]"); v != "" {
		return strings.Clone(v)
	}
	if plain == "" {
		return ""
	}
	return strings.Clone(c.FormValue(plain))
}

func (h *api) create(c *fiber.Ctx) error {
	t, err := h.tenantOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := h.d.Keys.Check(ctx, t, c.FormValue("api_key")); err != nil {
		return err
	}
	code := strings.TrimSpace(c.FormValue("service_code"))
	if code == "" {
		return sendErrors(c, fiber.StatusBadRequest, []apiError{{Code: fiber.StatusBadRequest,
			Description: "Indica il servizio del reclamo (parametro service_code): uno di services, oppure «altro»."}})
	}
	sub := complaints.Submission{
		Channel:      complaints.Open311,
		Standard:     form(c, attrStandard, ""),
		WhatHappened: form(c, attrWhat, "description"),
		Request:      form(c, attrRequest, ""),
		FirstName:    form(c, attrFirst, "first_name"),
		LastName:     form(c, attrLast, "last_name"),
		FiscalCode:   form(c, attrFiscal, ""),
		Email:        strings.Clone(c.FormValue("email")),
		Phone:        strings.Clone(c.FormValue("phone")),
	}
	if code != AltroCode {
		// A code that is no uuid names no service: the Service says so in its own words.
		id, _ := uuid.Parse(code)
		sub.ServiceID = &id
	}
	rec, err := h.d.Complaints.Submit(ctx, t, sub)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		var errs []apiError
		for _, k := range sortedKeys(ae.Fields) {
			errs = append(errs, apiError{Code: fiber.StatusBadRequest, Description: fieldMessage(k, ae.Fields[k])})
		}
		return sendErrors(c, fiber.StatusBadRequest, errs)
	}
	if err != nil {
		return err
	}
	cm := rec.Complaint
	out := []created{{ServiceRequestID: cm.Protocol(), ServiceNotice: fmt.Sprintf(
		"Reclamo ricevuto con il numero %s: la risposta arriverà entro %s.", cm.Protocol(), itlang.The(cm.DueOn))}}
	return send(c, fiber.StatusOK, out, createdXML{Requests: out})
}

// --- GET requests

type request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
}

type requestsXML struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []request `xml:"request"`
}

const (
	statusOpen   = "open"
	statusClosed = "closed"
)

// public is what anyone may read of a complaint: never its author's data nor its text.
func public(t *tenant.Tenant, cm *complaints.Complaint) request {
	r := request{
		ServiceRequestID:  cm.Protocol(),
		Status:            statusClosed,
		ServiceName:       cm.ServiceTitle,
		ServiceCode:       AltroCode,
		AgencyResponsible: t.Name,
		ServiceNotice:     cm.Status.Label(),
		RequestedDatetime: cm.SubmittedAt.In(itlang.Rome).Format(time.RFC3339),
	}
	if cm.ServiceID != nil {
		r.ServiceCode = cm.ServiceID.String()
	}
	if r.ServiceName == "" {
		r.ServiceName = altroName
	}
	if cm.Status.Open() {
		r.Status = statusOpen
	}
	if cm.Status == complaints.Answered || cm.RepliedAt != nil {
		r.StatusNotes = cm.Reply
	}
	updated := cm.SubmittedAt
	for _, at := range []*time.Time{cm.RepliedAt, cm.ClosedAt} {
		if at != nil && at.After(updated) {
			updated = *at
		}
	}
	r.UpdatedDatetime = updated.In(itlang.Rome).Format(time.RFC3339)
	// The due date is a calendar day: the answer is expected by its end, in Italian time.
	d := cm.DueOn
	r.ExpectedDatetime = time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, itlang.Rome).Format(time.RFC3339)
	return r
}

// maxSpan is the longest range of dates a GET may ask for (the spec's 90 days).
const maxSpan = 90 * 24 * time.Hour

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func badRequest(msg string) error { return apperr.New(apperr.Invalid, msg) }

func parseDate(c *fiber.Ctx, name string) (*time.Time, error) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, badRequest("Data non valida nel parametro " + name + ": usa il formato W3C con il fuso, per esempio 2026-05-01T00:00:00+02:00.")
	}
	return &t, nil
}

// all returns the tenant's complaints through the Service, newest first.
func (h *api) all(ctx context.Context, t *tenant.Tenant) ([]*complaints.Complaint, error) {
	in, err := h.d.Complaints.List(ctx, t, complaints.Filter{Status: "tutti", Limit: complaints.MaxLimit})
	if err != nil {
		return nil, err
	}
	return in.Complaints, nil
}

func (h *api) requests(c *fiber.Ctx) error {
	t, err := h.tenantOf(c)
	if err != nil {
		return err
	}
	ids := list(c.Query("service_request_id"))
	codes := list(c.Query("service_code"))
	statuses := list(c.Query("status"))
	for _, s := range statuses {
		if s != statusOpen && s != statusClosed {
			return badRequest("Stato non valido nel parametro status: usa open, closed o entrambi separati da una virgola.")
		}
	}
	start, err := parseDate(c, "start_date")
	if err != nil {
		return err
	}
	end, err := parseDate(c, "end_date")
	if err != nil {
		return err
	}
	if start != nil && end != nil && (end.Before(*start) || end.Sub(*start) > maxSpan) {
		return badRequest("L'intervallo tra start_date ed end_date deve andare avanti nel tempo e non superare 90 giorni.")
	}
	if len(ids) == 0 && start == nil && end == nil {
		// The spec's default: the last 90 days.
		from := time.Now().Add(-maxSpan)
		start = &from
	}
	all, err := h.all(c.UserContext(), t)
	if err != nil {
		return err
	}
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	out := []request{}
	for _, cm := range all {
		r := public(t, cm)
		if len(ids) > 0 { // service_request_id overrides every other parameter
			if in(ids, r.ServiceRequestID) {
				out = append(out, r)
			}
			continue
		}
		if !in(codes, r.ServiceCode) || !in(statuses, r.Status) ||
			(start != nil && cm.SubmittedAt.Before(*start)) || (end != nil && cm.SubmittedAt.After(*end)) {
			continue
		}
		out = append(out, r)
	}
	return send(c, fiber.StatusOK, out, requestsXML{Requests: out})
}

func (h *api) request(c *fiber.Ctx) error {
	t, err := h.tenantOf(c)
	if err != nil {
		return err
	}
	// The protocol's slash travels escaped ("2026%2F000123"); "2026-000123" is accepted too.
	id := strings.Clone(c.Params("id"))
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	id = strings.Replace(id, "-", "/", 1)
	all, err := h.all(c.UserContext(), t)
	if err != nil {
		return err
	}
	for _, cm := range all {
		if cm.Protocol() == id {
			out := []request{public(t, cm)}
			return send(c, fiber.StatusOK, out, requestsXML{Requests: out})
		}
	}
	return apperr.New(apperr.NotFound, "Reclamo non trovato.")
}

func (h *api) token(c *fiber.Ctx) error {
	if _, err := h.tenantOf(c); err != nil {
		return err
	}
	return apperr.New(apperr.NotFound, "Token non trovato: i reclami sono registrati subito e la risposta al POST dà già il loro numero (service_request_id).")
}
