package catalog

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Weekdays are the ISO weekdays with their Italian names.
var Weekdays = []struct {
	N    int
	Name string
}{{1, "Lunedì"}, {2, "Martedì"}, {3, "Mercoledì"}, {4, "Giovedì"}, {5, "Venerdì"}, {6, "Sabato"}, {7, "Domenica"}}

// WeekdayName is the Italian name of an ISO weekday.
func WeekdayName(n int) string {
	if n >= 1 && n <= 7 {
		return Weekdays[n-1].Name
	}
	return ""
}

// SummarizeHours writes weekly hours for people: "Lunedì 09:00–12:00; Martedì 09:00–12:00,
// 15:30–17:30; ...".
func SummarizeHours(hours []Interval) string {
	var parts []string
	for _, d := range Weekdays {
		var iv []string
		for _, h := range hours {
			if h.Weekday == d.N {
				iv = append(iv, h.Opens+"–"+h.Closes)
			}
		}
		if len(iv) > 0 {
			parts = append(parts, d.Name+" "+strings.Join(iv, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// ---- list ----

type officeRow struct {
	Office
	HoursText string
}

type officesPage struct {
	web.Page
	Offices  []officeRow
	CanWrite bool
}

func (h *ui) officeList(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	vm := &officesPage{Page: h.page(c, "Uffici e orari", web.Crumb{Label: "Uffici e orari"}), CanWrite: h.canWrite(c)}
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		offices, err := loadOffices(ctx, tx)
		for _, o := range offices {
			vm.Offices = append(vm.Offices, officeRow{Office: o, HoursText: SummarizeHours(o.Hours)})
		}
		return err
	})
	if err != nil {
		return err
	}
	return h.Render.Render(c, fiber.StatusOK, "catalog/offices", vm)
}

// ---- details ----

type officePage struct {
	web.Page
	IsNew    bool
	Office   Office
	Action   string
	CanWrite bool
}

func officeForm(o Office) map[string]string {
	f := map[string]string{"name": o.Name, "slug": o.Slug, "description": o.Description, "address": o.Address,
		"postal_code": o.PostalCode, "city": o.City, "phone": o.Phone, "email": o.Email, "pec": o.PEC, "notes": o.Notes}
	if o.MainDesk {
		f["main_desk"] = "1"
	}
	return f
}

func officeInput(form map[string]string) (Office, map[string]string) {
	errs := map[string]string{}
	o := Office{Name: form["name"], Slug: strings.ToLower(form["slug"]), Description: form["description"],
		Address: form["address"], PostalCode: form["postal_code"], City: form["city"], Phone: form["phone"],
		Email: form["email"], PEC: form["pec"], Notes: form["notes"], MainDesk: form["main_desk"] != ""}
	checkText(errs, "name", o.Name, 2, 200, "Scrivi il nome dell'ufficio, per esempio «Segretariato sociale».")
	if o.Slug != "" && !ValidSlug(o.Slug, 80) {
		errs["slug"] = "L'indirizzo può contenere solo lettere minuscole senza accenti, cifre e trattini, al massimo 80 caratteri. Lascialo vuoto per ricavarlo dal nome."
	}
	checkText(errs, "description", o.Description, 0, maxMarkdown, "")
	checkText(errs, "address", o.Address, 0, 200, "")
	if o.PostalCode != "" && (len(o.PostalCode) != 5 || strings.Trim(o.PostalCode, "0123456789") != "") {
		errs["postal_code"] = "Il CAP è fatto di 5 cifre, per esempio 00052."
	}
	checkText(errs, "city", o.City, 0, 100, "")
	checkPhone(errs, "phone", o.Phone)
	checkEmail(errs, "email", o.Email)
	checkEmail(errs, "pec", o.PEC)
	checkText(errs, "notes", o.Notes, 0, 2000, "")
	return o, errs
}

func officeSlugTaken(tx *tenant.Tx, exclude uuid.UUID) func(context.Context, string) (bool, error) {
	return func(ctx context.Context, s string) (bool, error) {
		return tx.CatalogOfficeSlugTaken(ctx, db.CatalogOfficeSlugTakenParams{Slug: s, ExcludeID: exclude})
	}
}

const msgOfficeSlugTaken = "Un altro ufficio usa già questo indirizzo: scegline un altro."

func (h *ui) renderOffice(c *fiber.Ctx, status int, o *Office, form, errs map[string]string) error {
	title, action := "Nuovo ufficio", base+"/uffici/nuovo"
	vm := &officePage{IsNew: o == nil, CanWrite: h.canWrite(c)}
	if o != nil {
		title, action, vm.Office = o.Name, base+"/uffici/"+o.ID.String(), *o
	}
	vm.Page = h.page(c, title, web.Crumb{Label: "Uffici e orari", URL: base + "/uffici"}, web.Crumb{Label: title})
	vm.Action = action
	vm.Form, vm.Errors = form, errs
	return h.Render.Render(c, status, "catalog/office", vm)
}

func (h *ui) officeNewForm(c *fiber.Ctx) error {
	if _, err := requestTenant(c); err != nil {
		return err
	}
	return h.renderOffice(c, fiber.StatusOK, nil, map[string]string{}, nil)
}

func (h *ui) loadOffice(c *fiber.Ctx) (*tenant.Tenant, Office, error) {
	t, err := requestTenant(c)
	if err != nil {
		return nil, Office{}, err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return nil, Office{}, err
	}
	ctx := c.UserContext()
	var o Office
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		offices, err := loadOffices(ctx, tx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(offices, func(o Office) bool { return o.ID == id })
		if i < 0 {
			return apperr.ErrNotFound
		}
		o = offices[i]
		return nil
	})
	return t, o, err
}

func (h *ui) officeEdit(c *fiber.Ctx) error {
	_, o, err := h.loadOffice(c)
	if err != nil {
		return err
	}
	return h.renderOffice(c, fiber.StatusOK, &o, officeForm(o), nil)
}

func (h *ui) officeCreate(c *fiber.Ctx) error { return h.officeSubmit(c, nil) }

func (h *ui) officeSave(c *fiber.Ctx) error {
	_, o, err := h.loadOffice(c)
	if err != nil {
		return err
	}
	return h.officeSubmit(c, &o)
}

func (h *ui) officeSubmit(c *fiber.Ctx, stored *Office) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	o, errs := officeInput(form)
	exclude := uuid.Nil
	if stored != nil {
		exclude = stored.ID
	}
	var id uuid.UUID
	if len(errs) == 0 {
		err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			taken, err := uniqueSlug(ctx, &o.Slug, o.Name, 80, "ufficio", officeSlugTaken(tx, exclude))
			if err != nil {
				return err
			}
			if taken {
				errs["slug"] = msgOfficeSlugTaken
				return nil
			}
			if o.MainDesk {
				// One main desk per tenant: choosing this one unsets the previous.
				if err := tx.CatalogOfficeClearMainDesk(ctx, exclude); err != nil {
					return err
				}
			}
			action := "catalog.office.update"
			if stored == nil {
				action = "catalog.office.create"
				id, err = tx.CatalogOfficeInsert(ctx, db.CatalogOfficeInsertParams{Slug: o.Slug, Name: o.Name,
					Description: o.Description, Address: o.Address, PostalCode: o.PostalCode, City: o.City,
					Phone: o.Phone, Email: o.Email, Pec: o.PEC, Notes: o.Notes, IsMainDesk: o.MainDesk})
			} else {
				id = stored.ID
				_, err = tx.CatalogOfficeUpdate(ctx, db.CatalogOfficeUpdateParams{ID: id, Slug: o.Slug, Name: o.Name,
					Description: o.Description, Address: o.Address, PostalCode: o.PostalCode, City: o.City,
					Phone: o.Phone, Email: o.Email, Pec: o.PEC, Notes: o.Notes, IsMainDesk: o.MainDesk})
			}
			if err != nil {
				return err
			}
			changes := audit.Created("office", o)
			if stored != nil {
				changes = audit.Updated("office", *stored, o)
			}
			return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "office", ObjectID: id.String(),
				ObjectName: o.Name, Changes: changes,
				Details: map[string]any{"slug": o.Slug, "name": o.Name, "main_desk": o.MainDesk}})
		})
		if isUnique(err) {
			errs["slug"], err = msgOfficeSlugTaken, nil
		}
		if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return h.renderOffice(c, fiber.StatusUnprocessableEntity, stored, form, errs)
	}
	if stored == nil {
		web.SetFlash(c, "success", "Ufficio «"+o.Name+"» creato. Ora indica gli orari di apertura.")
		return c.Redirect(base+"/uffici/"+id.String()+"/orari", fiber.StatusSeeOther)
	}
	web.SetFlash(c, "success", "Ufficio «"+o.Name+"» aggiornato.")
	return c.Redirect(base+"/uffici", fiber.StatusSeeOther)
}

func (h *ui) officeDelete(c *fiber.Ctx) error {
	t, o, err := h.loadOffice(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if _, err := tx.CatalogOfficeDelete(ctx, o.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.office.delete", ObjectType: "office",
			ObjectID: o.ID.String(), ObjectName: o.Name, Changes: audit.Deleted("office", o),
			Details: map[string]any{"slug": o.Slug, "name": o.Name}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Ufficio «"+o.Name+"» eliminato. I servizi e le persone collegati restano senza ufficio.")
	return c.Redirect(base+"/uffici", fiber.StatusSeeOther)
}

// ---- weekly hours ----

// slotsPerDay is how many opening intervals a day may have (seed 000 needs two).
const slotsPerDay = 3

type hourSlot struct {
	K                    int
	OpensName, OpensID   string
	ClosesName, ClosesID string
	Opens, Closes        string
	OpensErr, ClosesErr  string
}

type hoursDay struct {
	N     int
	Name  string
	Slots []hourSlot
}

type hoursPage struct {
	web.Page
	Office   Office
	Days     []hoursDay
	CanWrite bool
}

func hourKey(kind string, day, k int) string {
	return kind + "_" + strconv.Itoa(day) + "_" + strconv.Itoa(k)
}

func hoursForm(hours []Interval) map[string]string {
	f := map[string]string{}
	count := map[int]int{}
	for _, h := range hours {
		k := count[h.Weekday]
		count[h.Weekday]++
		f[hourKey("opens", h.Weekday, k)] = h.Opens
		f[hourKey("closes", h.Weekday, k)] = h.Closes
	}
	return f
}

func (h *ui) renderHours(c *fiber.Ctx, status int, o Office, form, errs map[string]string) error {
	vm := &hoursPage{Page: h.page(c, "Orari di «"+o.Name+"»", web.Crumb{Label: "Uffici e orari", URL: base + "/uffici"},
		web.Crumb{Label: o.Name, URL: base + "/uffici/" + o.ID.String()}, web.Crumb{Label: "Orari"}),
		Office: o, CanWrite: h.canWrite(c)}
	vm.Form, vm.Errors = form, errs
	for _, d := range Weekdays {
		day := hoursDay{N: d.N, Name: d.Name}
		for k := range slotsPerDay {
			on, cn := hourKey("opens", d.N, k), hourKey("closes", d.N, k)
			day.Slots = append(day.Slots, hourSlot{K: k + 1, OpensName: on, OpensID: "f-" + strings.ReplaceAll(on, "_", "-"),
				ClosesName: cn, ClosesID: "f-" + strings.ReplaceAll(cn, "_", "-"),
				Opens: form[on], Closes: form[cn], OpensErr: errs[on], ClosesErr: errs[cn]})
		}
		vm.Days = append(vm.Days, day)
	}
	return h.Render.Render(c, status, "catalog/office-hours", vm)
}

func (h *ui) hoursEdit(c *fiber.Ctx) error {
	_, o, err := h.loadOffice(c)
	if err != nil {
		return err
	}
	return h.renderHours(c, fiber.StatusOK, o, hoursForm(o.Hours), nil)
}

type minuteInterval struct {
	day, k, opens, closes int
}

// ParseHours validates the weekly hours form: each interval needs both times, closing after
// opening, and the intervals of a day may touch but not overlap. It returns the intervals in
// order, or a message per bad field.
func parseHours(form map[string]string) ([]minuteInterval, map[string]string) {
	errs := map[string]string{}
	var out []minuteInterval
	for _, d := range Weekdays {
		var day []minuteInterval
		for k := range slotsPerDay {
			on, cn := hourKey("opens", d.N, k), hourKey("closes", d.N, k)
			os, cs := form[on], form[cn]
			if os == "" && cs == "" {
				continue
			}
			o, okO := parseClock(os)
			cl, okC := parseClock(cs)
			switch {
			case os == "":
				errs[on] = "Indica l'ora di apertura."
			case !okO:
				errs[on] = "Orario non valido: scrivilo come 09:30."
			}
			switch {
			case cs == "":
				errs[cn] = "Indica l'ora di chiusura."
			case !okC:
				errs[cn] = "Orario non valido: scrivilo come 12:30."
			}
			if errs[on] != "" || errs[cn] != "" {
				continue
			}
			if cl <= o {
				errs[cn] = "La chiusura deve essere dopo l'apertura."
				continue
			}
			day = append(day, minuteInterval{day: d.N, k: k, opens: o, closes: cl})
		}
		slices.SortFunc(day, func(a, b minuteInterval) int { return a.opens - b.opens })
		for i := 1; i < len(day); i++ {
			if day[i].opens < day[i-1].closes {
				errs[hourKey("opens", d.N, day[i].k)] = "Questo intervallo si sovrappone a un altro dello stesso giorno (" +
					clockString(day[i-1].opens) + "–" + clockString(day[i-1].closes) + ")."
			}
		}
		out = append(out, day...)
	}
	return out, errs
}

func (h *ui) hoursSave(c *fiber.Ctx) error {
	t, o, err := h.loadOffice(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	intervals, errs := parseHours(form)
	if len(errs) > 0 {
		return h.renderHours(c, fiber.StatusUnprocessableEntity, o, form, errs)
	}
	var summary []Interval
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := tx.CatalogOfficeHoursDelete(ctx, o.ID); err != nil {
			return err
		}
		for _, iv := range intervals {
			if err := tx.CatalogOfficeHoursInsert(ctx, db.CatalogOfficeHoursInsertParams{OfficeID: o.ID,
				Weekday: int16(iv.day), Opens: pgClock(iv.opens), Closes: pgClock(iv.closes)}); err != nil {
				return err
			}
			summary = append(summary, Interval{Weekday: iv.day, Opens: clockString(iv.opens), Closes: clockString(iv.closes)})
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.office.hours", ObjectType: "office",
			ObjectID: o.ID.String(), ObjectName: o.Name,
			Changes: audit.Changes(map[string]string{"Orari": SummarizeHours(o.Hours)}, map[string]string{"Orari": SummarizeHours(summary)}),
			Details: map[string]any{"hours": SummarizeHours(summary)}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Orari di «"+o.Name+"» salvati.")
	return c.Redirect(base+"/uffici", fiber.StatusSeeOther)
}

// ---- exceptions: closures and special hours ----

type exceptionRow struct {
	ID            int64
	OfficeName    string
	From, To      string
	FromText      string // "8 maggio 2026"
	FromDal, ToAl string // "dall'8 maggio 2026", "all'11 maggio 2026"
	FromDel       string // "dell'8 maggio 2026"
	Closed        bool
	Opens, Closes string
	Reason        string
}

type exceptionsPage struct {
	web.Page
	Exceptions []exceptionRow
	Offices    []Option
	CanWrite   bool
}

// dateText writes a stored date in words after prep ("dal", "al", "del": "dall'8 maggio
// 2026"), or alone when prep is empty; a date that does not parse is kept as it is.
func dateText(prep, s string) string {
	t, ok := parseDate(s)
	if !ok {
		return strings.TrimSpace(prep + " " + s)
	}
	if prep == "" {
		return web.DateIT(t)
	}
	return itlang.DatePrep(prep, t)
}

func (h *ui) renderExceptions(c *fiber.Ctx, status int, t *tenant.Tenant, form, errs map[string]string) error {
	ctx := c.UserContext()
	vm := &exceptionsPage{Page: h.page(c, "Chiusure e orari speciali", web.Crumb{Label: "Uffici e orari", URL: base + "/uffici"},
		web.Crumb{Label: "Chiusure e orari speciali"}), CanWrite: h.canWrite(c)}
	if form == nil {
		form = map[string]string{"closed": "1"}
	}
	vm.Form, vm.Errors = form, errs
	err := h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		offices, err := loadOffices(ctx, tx)
		if err != nil {
			return err
		}
		names := map[uuid.UUID]string{}
		for _, o := range offices {
			names[o.ID] = o.Name
		}
		vm.Offices = options(offices, func(o Office) (string, string) { return o.ID.String(), o.Name }, form["office"])
		exc, err := loadExceptions(ctx, tx)
		for _, e := range exc {
			r := exceptionRow{ID: e.ID, OfficeName: "Tutti gli uffici", From: e.From, To: e.To, FromText: dateText("", e.From),
				FromDal: dateText("dal", e.From), ToAl: dateText("al", e.To), FromDel: dateText("del", e.From), Closed: e.Closed, Opens: e.Opens, Closes: e.Closes, Reason: e.Reason}
			if e.OfficeID != nil {
				r.OfficeName = names[*e.OfficeID]
			}
			vm.Exceptions = append(vm.Exceptions, r)
		}
		return err
	})
	if err != nil {
		return err
	}
	return h.Render.Render(c, status, "catalog/exceptions", vm)
}

func (h *ui) exceptionList(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	return h.renderExceptions(c, fiber.StatusOK, t, nil, nil)
}

func (h *ui) exceptionCreate(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	errs := map[string]string{}
	p := db.CatalogExceptionInsertParams{Closed: form["closed"] != "0", Reason: form["reason"]}
	from, okFrom := parseDate(form["date_from"])
	to, okTo := parseDate(form["date_to"])
	if form["date_to"] == "" && okFrom {
		to, okTo = from, true
	}
	switch {
	case form["date_from"] == "":
		errs["date_from"] = "Indica il primo giorno."
	case !okFrom:
		errs["date_from"] = msgDate
	}
	switch {
	case !okTo && form["date_to"] != "":
		errs["date_to"] = msgDate
	case okFrom && okTo && to.Before(from):
		errs["date_to"] = "L'ultimo giorno non può venire prima del primo."
	case okFrom && okTo && to.Sub(from).Hours() > 366*24:
		errs["date_to"] = "Un periodo può durare al massimo un anno."
	}
	checkText(errs, "reason", p.Reason, 0, 200, "")
	if !p.Closed {
		o, okO := parseClock(form["opens"])
		cl, okC := parseClock(form["closes"])
		switch {
		case !okO:
			errs["opens"] = "Indica l'ora di apertura, per esempio 09:00."
		case !okC:
			errs["closes"] = "Indica l'ora di chiusura, per esempio 12:00."
		case cl <= o:
			errs["closes"] = "La chiusura deve essere dopo l'apertura."
		default:
			p.Opens, p.Closes = pgClock(o), pgClock(cl)
		}
	}
	var officeName = "tutti gli uffici"
	var id int64
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if v := form["office"]; v != "" {
			u, err := uuid.Parse(v)
			if err == nil {
				r, gerr := tx.CatalogOfficeGet(ctx, u)
				if gerr == nil {
					p.OfficeID, officeName = &u, r.Name
				} else if !tenant.IsNoRows(gerr) {
					return gerr
				}
			}
			if p.OfficeID == nil {
				errs["office"] = "Scegli un ufficio dall'elenco."
			}
		}
		if len(errs) > 0 {
			return nil
		}
		p.DateFrom, p.DateTo = pgDate(from), pgDate(to)
		var err error
		if id, err = tx.CatalogExceptionInsert(ctx, p); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.office.exception.create", ObjectType: "office_exception",
			ObjectID: strconv.FormatInt(id, 10), ObjectName: officeName, Changes: audit.Changes(nil, map[string]string{
				"Dal": web.DateIT(from), "Al": web.DateIT(to), "Motivo": p.Reason}),
			Details: map[string]any{"office": officeName, "from": from.Format("2006-01-02"),
				"to": to.Format("2006-01-02"), "closed": p.Closed, "reason": p.Reason}})
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderExceptions(c, fiber.StatusUnprocessableEntity, t, form, errs)
	}
	web.SetFlash(c, "success", "Eccezione per "+officeName+" aggiunta.")
	return c.Redirect(base+"/uffici/chiusure", fiber.StatusSeeOther)
}

func (h *ui) exceptionDelete(c *fiber.Ctx) error {
	t, err := requestTenant(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		n, err := tx.CatalogExceptionDelete(ctx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.ErrNotFound
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.office.exception.delete", ObjectType: "office_exception",
			ObjectID: strconv.FormatInt(id, 10)})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Eccezione eliminata.")
	return c.Redirect(base+"/uffici/chiusure", fiber.StatusSeeOther)
}
