package complaints

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// The pages of what follows the answer: the letter, the author's word on it (and reopening),
// the official protocol, the settings and the inbox's query string.

// Paths under the private link.
const (
	LetterPath  = "risposta.pdf"
	OutcomePath = "esito"
)

// pdfDownload sends a private PDF under its file name.
func pdfDownload(c *fiber.Ctx, name string, pdf []byte) error {
	privatePage(c)
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(pdf)
}

// letter is the reply letter for the author, through the private link.
func (h *handlers) letter(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	cm, pdf, err := h.svc.LetterByLink(c.UserContext(), t, strings.Clone(c.Params("token")))
	if err != nil {
		return err
	}
	return pdfDownload(c, LetterFilename(cm), pdf)
}

// outcome records whether the problem was solved, or reopens the complaint.
func (h *handlers) outcome(c *fiber.Ctx) error {
	t, err := siteTenant(c)
	if err != nil {
		return err
	}
	privatePage(c)
	token := strings.Clone(c.Params("token"))
	answer := strings.Clone(c.FormValue("solved"))
	reason := strings.Clone(c.FormValue("reason"))
	if answer != "si" && answer != "no" && answer != "riapri" {
		return h.showFollow(c, t, token, fiber.StatusUnprocessableEntity, map[string]string{"solved": msgSolvedChoice}, reason)
	}
	cm, err := h.svc.AnswerSolved(c.UserContext(), t, token, answer == "si", answer == "riapri", reason)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showFollow(c, t, token, fiber.StatusUnprocessableEntity, ae.Fields, reason)
	}
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.Conflict {
		return h.showFollow(c, t, token, fiber.StatusConflict, map[string]string{"solved": ae.Message}, reason)
	}
	if err != nil {
		return err
	}
	said := "registrato"
	if cm.Status.Open() {
		said = "riaperto"
	}
	return c.Redirect(PathFollow+token+"?esito="+said, fiber.StatusSeeOther)
}

// ---- staff ----

// staffLetter is the reply letter as staff download it (a read of personal data: in the trail).
func (h *handlers) staffLetter(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cm, pdf, err := h.svc.Letter(ctx, t, id)
	if err != nil {
		return err
	}
	if err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.letter", ObjectType: "complaint", ObjectID: id.String(), ObjectName: cm.Protocol()})
	}); err != nil {
		return err
	}
	return pdfDownload(c, LetterFilename(cm), pdf)
}

func (h *handlers) officialProtocol(c *fiber.Ctx) error {
	number, day := strings.Clone(c.FormValue("official_protocol")), strings.Clone(c.FormValue("official_protocol_on"))
	done := "Protocollo dell'ente registrato."
	if strings.TrimSpace(number) == "" {
		done = "Protocollo dell'ente rimosso."
	}
	return h.act(c, audit.Entry{Action: "complaint.protocol", Details: map[string]any{"official_protocol": number}}, done,
		func(t *tenant.Tenant, id uuid.UUID) error {
			_, err := h.svc.SetOfficialProtocol(c.UserContext(), t, id, number, day)
			return err
		})
}

type settingsPage struct {
	web.Page
	S Settings
}

func (h *handlers) settingsForm(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	s, err := h.svc.Settings(c.UserContext(), t)
	if err != nil {
		return err
	}
	return h.showSettings(c, fiber.StatusOK, s, nil, nil)
}

func (h *handlers) showSettings(c *fiber.Ctx, status int, s Settings, errs, form map[string]string) error {
	privatePage(c)
	p := h.staffPage(c, "Impostazioni dei reclami", web.Crumb{Label: "Reclami", URL: "/admin/reclami"}, web.Crumb{Label: "Impostazioni"})
	p.Errors, p.Form = errs, form
	if p.Form == nil {
		p.Form = map[string]string{"due_days": strconv.Itoa(s.DueDays), "retention_months": strconv.Itoa(s.RetentionMonths),
			"protocol_mailbox": s.ProtocolMailbox}
	}
	return h.d.Render.Render(c, status, "complaints/settings", settingsPage{Page: p, S: s})
}

func (h *handlers) settingsSave(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	form := map[string]string{}
	for _, k := range []string{"due_days", "retention_months", "protocol_mailbox"} {
		form[k] = strings.TrimSpace(strings.Clone(c.FormValue(k)))
	}
	in := Settings{ProtocolMailbox: form["protocol_mailbox"]}
	// A number that does not parse is out of range: Save gives the field's message.
	in.DueDays, _ = strconv.Atoi(form["due_days"])
	in.RetentionMonths, _ = strconv.Atoi(form["retention_months"])
	ctx := c.UserContext()
	err = h.svc.SaveSettings(ctx, t, in)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showSettings(c, fiber.StatusUnprocessableEntity, in, ae.Fields, form)
	}
	if err != nil {
		return err
	}
	if err := h.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "complaint.settings", ObjectType: "tenant", ObjectID: t.ID.String(),
			Details: map[string]any{"due_days": in.DueDays, "retention_months": in.RetentionMonths, "protocol_mailbox": in.ProtocolMailbox}})
	}); err != nil {
		return err
	}
	web.SetFlash(c, "success", "Impostazioni dei reclami salvate.")
	return c.Redirect("/admin/reclami/impostazioni", fiber.StatusSeeOther)
}

// filterOf reads the inbox's query string (copied out of fasthttp's buffers).
func filterOf(c *fiber.Ctx) Filter {
	q := func(k string) string { return strings.Clone(c.Query(k)) }
	f := Filter{Status: q("stato"), Overdue: q("scaduti") == "1", DueSoon: q("in_scadenza") == "1",
		Service: q("servizio"), Channel: Channel(q("canale"))}
	if f.Status != "" && f.Status != statusAllValue && Status(f.Status).Label() == "" {
		f.Status = ""
	}
	if f.Service != "" && f.Service != serviceOther {
		if _, err := uuid.Parse(f.Service); err != nil {
			f.Service = ""
		}
	}
	if !slices.Contains(Channels, f.Channel) {
		f.Channel = ""
	}
	if id, err := uuid.Parse(q("ufficio")); err == nil {
		f.Office = &id
	}
	f.After = parseCursor(q("dopo"))
	return f
}

// Query is the filter as the inbox's query string, without the page.
func (f Filter) Query() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("stato", f.Status)
	if f.Overdue {
		v.Set("scaduti", "1")
	}
	if f.DueSoon {
		v.Set("in_scadenza", "1")
	}
	set("servizio", f.Service)
	set("canale", string(f.Channel))
	if f.Office != nil {
		v.Set("ufficio", f.Office.String())
	}
	return v
}

// OfficeIs reports whether the filter keeps the complaints assigned to office id.
func (f Filter) OfficeIs(id uuid.UUID) bool { return f.Office != nil && *f.Office == id }

// NextPage is the address of the page after the last complaint c.
func (f Filter) NextPage(c *Complaint) string {
	v := f.Query()
	v.Set("dopo", c.SubmittedAt.UTC().Format(time.RFC3339Nano)+"_"+c.ID.String())
	return "/admin/reclami?" + v.Encode()
}

func parseCursor(s string) *Cursor {
	at, id, ok := strings.Cut(s, "_")
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil
	}
	return &Cursor{SubmittedAt: t, ID: u}
}
