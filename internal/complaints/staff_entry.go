package complaints

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// A complaint made by phone or at the counter is entered by staff, with its channel: the same
// Submit as the citizen's form, so it gets its number, due date and reminders alike.

type entryPage struct {
	web.Page
	Choices  []Choice
	Channels []Channel
	Uploads  []Upload // the files attached so far, carried by their tokens
}

// MaxFiles is how many files a complaint may carry (for the form's help).
func (entryPage) MaxFiles() int { return MaxAttachments }

// StaffChannels are the channels a staff member records.
var StaffChannels = []Channel{Phone, Counter}

// Label is the channel in Italian.
func (c Channel) Label() string {
	switch c {
	case Web:
		return "Sito web"
	case Phone:
		return "Telefono"
	case Counter:
		return "Sportello"
	case Open311:
		return "Applicazione (Open311)"
	}
	return string(c)
}

// Channels are every channel a complaint arrives by, for the inbox's filter.
var Channels = []Channel{Web, Phone, Counter, Open311}

func (h *handlers) entryForm(c *fiber.Ctx) error {
	return h.showEntry(c, fiber.StatusOK, nil, map[string]string{"channel": string(Phone)}, nil)
}

func (h *handlers) showEntry(c *fiber.Ctx, status int, errs, form map[string]string, uploads []string) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	choices, err := h.svc.Choices(c.UserContext(), t)
	if err != nil {
		return err
	}
	ups, err := h.svc.Pending(c.UserContext(), t, uploads)
	if err != nil {
		return err
	}
	p := h.staffPage(c, "Registra un reclamo", web.Crumb{Label: "Reclami", URL: "/admin/reclami"}, web.Crumb{Label: "Registra un reclamo"})
	p.Errors, p.Form = errs, form
	return h.d.Render.Render(c, status, "complaints/staff_new", entryPage{Page: p, Choices: choices, Channels: StaffChannels, Uploads: ups})
}

func (h *handlers) entry(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"channel", "consent", "service", "what_happened", "request", "first_name", "last_name",
		"fiscal_code", "email", "phone", "on_behalf_of", "relation"} {
		form[k] = strings.Clone(c.FormValue(k))
	}
	ch := Channel(form["channel"])
	if ch != Phone && ch != Counter {
		ch = ""
	}
	sub := Submission{Channel: ch, Consent: form["consent"] == "1", WhatHappened: form["what_happened"], Request: form["request"],
		FirstName: form["first_name"], LastName: form["last_name"], FiscalCode: form["fiscal_code"], Email: form["email"],
		Phone: form["phone"], OnBehalfOf: form["on_behalf_of"], Relation: form["relation"]}
	if id, err := uuid.Parse(form["service"]); err == nil {
		sub.ServiceID = &id
	}
	errs := map[string]string{}
	if ch == "" {
		errs["channel"] = "Indica come è arrivato il reclamo: per telefono o allo sportello."
	}
	if form["service"] == "" {
		errs["service"] = msgService
	}
	// Papers the citizen handed over, scanned or photographed, as on the citizen's form.
	uploads, uerrs, err := h.takeFiles(c, t, formValues(c, "upload"))
	if err != nil {
		return err
	}
	for k, m := range uerrs {
		errs[k] = m
	}
	sub.Uploads = uploads
	var rec *Receipt
	if len(errs) == 0 {
		rec, err = h.svc.Submit(c.UserContext(), t, sub)
		if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
			errs = ae.Fields
		} else if err != nil {
			return err
		}
	}
	if _, ok := errs["consent"]; ok {
		errs["consent"] = "Conferma di aver dato al cittadino l'informativa sul trattamento dei dati personali."
	}
	if len(errs) > 0 {
		return h.showEntry(c, fiber.StatusUnprocessableEntity, errs, form, uploads)
	}
	ctx := c.UserContext()
	if err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.create", ObjectType: "complaint",
			ObjectID: rec.Complaint.ID.String(), ObjectName: rec.Complaint.Protocol()})
	}); err != nil {
		return err
	}
	web.SetFlash(c, "success", "Reclamo registrato con il numero "+rec.Complaint.Protocol()+".")
	return c.Redirect("/admin/reclami/"+rec.Complaint.ID.String(), fiber.StatusSeeOther)
}
