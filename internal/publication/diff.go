package publication

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
)

// ChangeKind says what happened to an item between two versions.
type ChangeKind int

const (
	Added ChangeKind = iota + 1
	Removed
	Changed
)

// Area is the part of the Carta an item belongs to, in display order.
type Area int

const (
	AreaServices Area = iota + 1
	AreaOffices
	AreaPeople
	AreaSections
	AreaCategories
	AreaDocuments
	AreaHidden
)

// Title is the Italian heading of the area.
func (a Area) Title() string {
	switch a {
	case AreaServices:
		return "Servizi"
	case AreaOffices:
		return "Uffici e orari"
	case AreaPeople:
		return "Responsabili"
	case AreaSections:
		return "Parte generale"
	case AreaCategories:
		return "Aree di utenza"
	case AreaDocuments:
		return "Documenti della Carta"
	case AreaHidden:
		return "Servizi dell'ambito non offerti"
	}
	return ""
}

// noun is how one item of the area is called, and whether the noun is feminine (for the
// agreement of "aggiunto/aggiunta").
func (a Area) noun() (string, bool) {
	switch a {
	case AreaServices:
		return "Servizio", false
	case AreaOffices:
		return "Ufficio", false
	case AreaPeople:
		return "Responsabile", false
	case AreaSections:
		return "Sezione", true
	case AreaCategories:
		return "Area di utenza", true
	case AreaDocuments:
		return "Documento", false
	case AreaHidden:
		return "Servizio dell'ambito non offerto", false
	}
	return "Elemento", false
}

// Change is one item added, removed or changed between two versions, in readable Italian.
type Change struct {
	Kind   ChangeKind
	Area   Area
	Name   string        // the item's title, as in the newer version when it has one
	Fields []FieldChange // for Changed: what changed, in the order of the item's page
}

// Summary is the sentence that introduces the change, e.g. "Servizio modificato: «Pasti a
// domicilio»".
func (c Change) Summary() string {
	noun, fem := c.Area.noun()
	verb := map[ChangeKind]string{Added: "aggiunt", Removed: "rimoss", Changed: "modificat"}[c.Kind]
	if fem {
		verb += "a"
	} else {
		verb += "o"
	}
	if c.Area == AreaHidden {
		// "Servizio dell'ambito non offerto aggiunto" reads badly: say what it means.
		switch c.Kind {
		case Added:
			return "Servizio dell'ambito non più offerto: «" + c.Name + "»"
		case Removed:
			return "Servizio dell'ambito di nuovo offerto: «" + c.Name + "»"
		}
	}
	return noun + " " + verb + ": «" + c.Name + "»"
}

// FieldChange is one field of an item whose value changed. Short fields carry Old and New;
// long texts (Markdown, lists) carry a line-by-line diff in Lines instead.
type FieldChange struct {
	Label string
	Old   string
	New   string
	Lines []Line
}

// Long reports whether the change is shown line by line.
func (f FieldChange) Long() bool { return f.Lines != nil }

// LineOp says whether a line is unchanged, added, removed, or stands for unchanged lines left
// out.
type LineOp int

const (
	LineSame LineOp = iota
	LineAdded
	LineRemoved
	LineSkipped
)

// Line is one line of a line-level diff. For LineSkipped, Skipped counts the lines left out.
type Line struct {
	Op      LineOp
	Text    string
	Skipped int
}

// Group is the changes of one area, for display.
type Group struct {
	Area    Area
	Title   string
	Changes []Change
}

// Grouped splits changes by area, in display order, leaving out empty areas.
func Grouped(changes []Change) []Group {
	var out []Group
	for a := AreaServices; a <= AreaHidden; a++ {
		var cs []Change
		for _, c := range changes {
			if c.Area == a {
				cs = append(cs, c)
			}
		}
		if len(cs) > 0 {
			out = append(out, Group{Area: a, Title: a.Title(), Changes: cs})
		}
	}
	return out
}

// Diff lists what changed from Carta a (older) to b (newer): services added, removed and
// changed field by field, offices and their hours, people responsible, sections of the general
// part, user categories, the Carta's documents and the ambito services a comune does not
// offer. Publication stamps (dates, version, note) and the order of items are not changes.
// Either side may be nil (an empty Carta).
func Diff(a, b *catalog.Carta) []Change { return DiffWithAmbito(a, b, nil) }

// DiffWithAmbito is Diff for a member comune: the ambito's published Carta names the ambito
// services the comune does not offer (the comune's own Carta holds only their ids).
func DiffWithAmbito(a, b, ambito *catalog.Carta) []Change {
	if a == nil {
		a = &catalog.Carta{}
	}
	if b == nil {
		b = &catalog.Carta{}
	}
	ra, rb := newRefs(a), newRefs(b)
	var out []Change
	out = append(out, diffByID(AreaServices, a.Services, b.Services,
		func(s catalog.Service) uuid.UUID { return s.ID },
		func(s catalog.Service) string { return s.Title },
		func(x, y catalog.Service) []FieldChange { return serviceFields(x, y, ra, rb) })...)
	out = append(out, diffByID(AreaOffices, a.Offices, b.Offices,
		func(o catalog.Office) uuid.UUID { return o.ID },
		func(o catalog.Office) string { return o.Name },
		officeFields)...)
	out = append(out, diffByID(AreaPeople, a.People, b.People,
		func(p catalog.Person) uuid.UUID { return p.ID },
		func(p catalog.Person) string { return p.Name },
		func(x, y catalog.Person) []FieldChange { return personFields(x, y, ra, rb) })...)
	out = append(out, diffByID(AreaSections, a.Sections, b.Sections,
		func(s catalog.Section) string { return s.Key },
		func(s catalog.Section) string { return s.Title },
		sectionFields)...)
	out = append(out, diffByID(AreaCategories, a.Categories, b.Categories,
		func(c catalog.Category) string { return c.Code },
		func(c catalog.Category) string { return c.Name },
		categoryFields)...)
	out = append(out, diffByID(AreaDocuments, a.Documents, b.Documents,
		func(d catalog.Document) uuid.UUID { return d.ID },
		func(d catalog.Document) string { return d.Title },
		documentFields)...)
	out = append(out, diffHidden(a, b, ambito)...)
	return out
}

// diffByID matches items by key: changed and added ones in b's order, then removed ones in
// a's order.
func diffByID[T any, K comparable](area Area, a, b []T, key func(T) K, name func(T) string, fields func(x, y T) []FieldChange) []Change {
	old := make(map[K]T, len(a))
	for _, x := range a {
		old[key(x)] = x
	}
	var out []Change
	seen := make(map[K]bool, len(b))
	for _, y := range b {
		k := key(y)
		seen[k] = true
		x, ok := old[k]
		if !ok {
			out = append(out, Change{Kind: Added, Area: area, Name: name(y)})
			continue
		}
		if fs := fields(x, y); len(fs) > 0 {
			out = append(out, Change{Kind: Changed, Area: area, Name: name(y), Fields: fs})
		}
	}
	for _, x := range a {
		if !seen[key(x)] {
			out = append(out, Change{Kind: Removed, Area: area, Name: name(x)})
		}
	}
	return out
}

// refs resolves the ids a service refers to into names, within one version.
type refs struct {
	categories map[string]string
	offices    map[uuid.UUID]string
	people     map[uuid.UUID]string
}

func newRefs(c *catalog.Carta) refs {
	r := refs{categories: map[string]string{}, offices: map[uuid.UUID]string{}, people: map[uuid.UUID]string{}}
	for _, x := range c.Categories {
		r.categories[x.Code] = x.Name
	}
	for _, x := range c.Offices {
		r.offices[x.ID] = x.Name
	}
	for _, x := range c.People {
		r.people[x.ID] = x.Name
	}
	return r
}

func (r refs) category(code string) string {
	if n, ok := r.categories[code]; ok {
		return n
	}
	return code
}

func (r refs) office(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	if n, ok := r.offices[*id]; ok {
		return n
	}
	return "ufficio non più presente"
}

func (r refs) person(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	if n, ok := r.people[*id]; ok {
		return n
	}
	return "persona non più presente"
}

// fieldList collects the changed fields of an item.
type fieldList []FieldChange

// short records a short field shown as "old → new".
func (f *fieldList) short(label, old, new string) {
	if old != new {
		*f = append(*f, FieldChange{Label: label, Old: old, New: new})
	}
}

// long records a long text shown line by line; a change of spacing alone is no change.
func (f *fieldList) long(label, old, new string) {
	if old != new {
		f.addLines(label, LineDiff(old, new))
	}
}

// lines records a list shown line by line, one item per line.
func (f *fieldList) lines(label string, old, new []string) {
	if !slices.Equal(old, new) {
		f.addLines(label, lineDiff(old, new))
	}
}

func (f *fieldList) addLines(label string, ls []Line) {
	if slices.ContainsFunc(ls, func(l Line) bool { return l.Op == LineAdded || l.Op == LineRemoved }) {
		*f = append(*f, FieldChange{Label: label, Lines: ls})
	}
}

var statusLabels = map[string]string{"attivo": "Attivo", "sospeso": "Sospeso", "archiviato": "Archiviato"}

func label(m map[string]string, k string) string {
	if l, ok := m[k]; ok {
		return l
	}
	return k
}

func costLabel(k string) string {
	for _, c := range catalog.CostKinds {
		if c.Key == k {
			return c.Label
		}
	}
	return k
}

func macroLabel(n int) string {
	if n == 0 {
		return ""
	}
	if l, ok := catalog.MacroLevels[n]; ok {
		return strconv.Itoa(n) + " – " + l
	}
	return strconv.Itoa(n)
}

var coverageLabels = map[string]string{"comune": "Il solo comune", "ambito": "Tutto l'ambito"}

func yesNo(b bool) string {
	if b {
		return "Sì"
	}
	return "No"
}

func serviceFields(x, y catalog.Service, rx, ry refs) []FieldChange {
	var f fieldList
	f.short("Titolo", x.Title, y.Title)
	f.short("Indirizzo della pagina", x.Slug, y.Slug)
	f.short("Stato", label(statusLabels, x.Status), label(statusLabels, y.Status))
	f.short("Motivo dello stato", x.StatusReason, y.StatusReason)
	f.short("Area di utenza", rx.category(x.CategoryCode), ry.category(y.CategoryCode))
	f.short("Livello di servizio (macro livello)", macroLabel(x.MacroLevel), macroLabel(y.MacroLevel))
	f.short("Codice del nomenclatore", x.NomenclatorCode, y.NomenclatorCode)
	f.short("Descrizione breve", x.ShortDescription, y.ShortDescription)
	f.long("Cos'è", x.Description, y.Description)
	f.long("A chi è rivolto", x.Audience, y.Audience)
	f.short("Copertura territoriale", label(coverageLabels, x.Coverage), label(coverageLabels, y.Coverage))
	f.long("Come fare", x.HowTo, y.HowTo)
	f.long("Cosa serve", x.NeededIntro, y.NeededIntro)
	f.lines("Cosa serve: elenco", x.NeededItems, y.NeededItems)
	f.long("Cosa si ottiene", x.Obtained, y.Obtained)
	f.long("Tempi e scadenze", x.Timing, y.Timing)
	f.lines("Scadenze e fasi", deadlineLines(x.Deadlines), deadlineLines(y.Deadlines))
	f.short("Costo", costLabel(x.CostKind), costLabel(y.CostKind))
	f.long("Quanto costa", x.CostText, y.CostText)
	f.short("Ufficio a cui rivolgersi", rx.office(x.OfficeID), ry.office(y.OfficeID))
	f.short("Canale digitale", x.DigitalLabel, y.DigitalLabel)
	f.short("Indirizzo del canale digitale", x.DigitalURL, y.DigitalURL)
	f.short("Prenotazione: indirizzo", x.BookingURL, y.BookingURL)
	f.short("Prenotazione: indicazioni", x.BookingText, y.BookingText)
	f.long("Vincoli", x.Constraints, y.Constraints)
	f.long("Casi particolari", x.SpecialCases, y.SpecialCases)
	f.long("Ulteriori informazioni", x.MoreInfo, y.MoreInfo)
	f.long("Condizioni di servizio", x.Conditions, y.Conditions)
	f.lines("Documenti", documentLines(x.Documents), documentLines(y.Documents))
	f.long("Contatti", x.Contacts, y.Contacts)
	f.short("Unità organizzativa responsabile", x.ResponsibleUnit, y.ResponsibleUnit)
	f.short("Responsabile", rx.person(x.ResponsiblePersonID), ry.person(y.ResponsiblePersonID))
	f.long("Enti erogatori", x.Providers, y.Providers)
	f.short("Argomenti", strings.Join(x.Topics, ", "), strings.Join(y.Topics, ", "))
	f.short("Categoria del servizio", x.NationalCategory, y.NationalCategory)
	f.short("Parole chiave", strings.Join(x.Keywords, ", "), strings.Join(y.Keywords, ", "))
	f.lines("Standard di qualità", standardLines(x.Standards), standardLines(y.Standards))
	return f
}

func deadlineLines(ds []catalog.Deadline) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		s := d.Label
		if d.DueOn != "" {
			s += " – entro " + dateWith("", d.DueOn)
		}
		if d.Description != "" {
			s += ": " + d.Description
		}
		out = append(out, s)
	}
	return out
}

// dateWith writes a "2006-01-02" date in words after the articulated preposition prep ("dal",
// "al": "dall'8 marzo 2026"), or with its article when prep is empty ("l'8 marzo 2026"); other
// text is kept as it is.
func dateWith(prep, s string) string {
	t, err := time.ParseInLocation(time.DateOnly, s, itlang.Rome)
	if err != nil {
		return s
	}
	if prep == "" {
		return itlang.The(t)
	}
	return itlang.DatePrep(prep, t)
}

func standardLines(ss []catalog.Standard) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		line := catalog.DimensionLabel(s.Dimension) + ": " + s.Description
		var extra []string
		if s.Indicator != "" {
			extra = append(extra, "indicatore: "+s.Indicator)
		}
		if s.Formula != "" {
			extra = append(extra, "formula: "+s.Formula)
		}
		if s.Target != nil {
			t := "obiettivo: " + strings.Replace(strconv.FormatFloat(*s.Target, 'f', -1, 64), ".", ",", 1)
			if s.Unit != "" {
				t += " " + s.Unit
			}
			extra = append(extra, t)
		}
		if len(extra) > 0 {
			line += " (" + strings.Join(extra, "; ") + ")"
		}
		out = append(out, line)
	}
	return out
}

// documentLines names each document; a file replaced under the same title shows as a changed
// line because the line carries a short fingerprint of the content.
func documentLines(ds []catalog.Document) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		line := d.Title + " (" + d.Filename + ")"
		if len(d.SHA256) >= 8 {
			line += " – file " + d.SHA256[:8]
		}
		out = append(out, line)
	}
	return out
}

var weekdays = [...]string{"", "Lunedì", "Martedì", "Mercoledì", "Giovedì", "Venerdì", "Sabato", "Domenica"}

// hourLines writes the weekly hours one day per line: "Martedì: 09:00–12:00, 15:30–17:30".
func hourLines(hs []catalog.Interval) []string {
	byDay := map[int][]string{}
	for _, h := range hs {
		byDay[h.Weekday] = append(byDay[h.Weekday], h.Opens+"–"+h.Closes)
	}
	var out []string
	for d := 1; d <= 7; d++ {
		if iv := byDay[d]; len(iv) > 0 {
			slices.Sort(iv)
			out = append(out, weekdays[d]+": "+strings.Join(iv, ", "))
		}
	}
	return out
}

func exceptionLines(es []catalog.Exception) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		s := itlang.Capitalize(dateWith("dal", e.From)) + " " + dateWith("al", e.To)
		if e.From == e.To {
			s = itlang.Capitalize(dateWith("", e.From))
		}
		if e.Closed {
			s += ": chiuso"
		} else {
			s += ": aperto " + e.Opens + "–" + e.Closes
		}
		if e.Reason != "" {
			s += " (" + e.Reason + ")"
		}
		out = append(out, s)
	}
	return out
}

func officeFields(x, y catalog.Office) []FieldChange {
	var f fieldList
	f.short("Nome", x.Name, y.Name)
	f.short("Indirizzo della pagina", x.Slug, y.Slug)
	f.short("Indirizzo", x.Address, y.Address)
	f.short("CAP", x.PostalCode, y.PostalCode)
	f.short("Comune", x.City, y.City)
	f.short("Telefono", x.Phone, y.Phone)
	f.short("Email", x.Email, y.Email)
	f.short("PEC", x.PEC, y.PEC)
	f.short("Sportello principale", yesNo(x.MainDesk), yesNo(y.MainDesk))
	f.long("Descrizione", x.Description, y.Description)
	f.long("Note", x.Notes, y.Notes)
	f.lines("Orari di apertura", hourLines(x.Hours), hourLines(y.Hours))
	f.lines("Chiusure e orari straordinari", exceptionLines(x.Exceptions), exceptionLines(y.Exceptions))
	return f
}

func personFields(x, y catalog.Person, rx, ry refs) []FieldChange {
	var f fieldList
	f.short("Nome", x.Name, y.Name)
	f.short("Ruolo", x.RoleTitle, y.RoleTitle)
	f.short("Area", x.Area, y.Area)
	f.short("Email", x.Email, y.Email)
	f.short("Telefono", x.Phone, y.Phone)
	f.short("Ufficio", rx.office(x.OfficeID), ry.office(y.OfficeID))
	return f
}

func sectionFields(x, y catalog.Section) []FieldChange {
	var f fieldList
	f.short("Titolo", x.Title, y.Title)
	f.long("Testo", x.Body, y.Body)
	return f
}

func categoryFields(x, y catalog.Category) []FieldChange {
	var f fieldList
	f.short("Nome", x.Name, y.Name)
	f.short("Descrizione", x.Description, y.Description)
	return f
}

func documentFields(x, y catalog.Document) []FieldChange {
	var f fieldList
	f.short("Titolo", x.Title, y.Title)
	f.short("Tipo", x.Kind, y.Kind)
	f.short("Nome del file", x.Filename, y.Filename)
	if x.SHA256 != y.SHA256 {
		f = append(f, FieldChange{Label: "Contenuto del file", Old: "versione precedente", New: "file sostituito"})
	}
	return f
}

// diffHidden compares the ambito services a comune does not offer. The snapshot carries only
// the service id and the reason; the name comes from the ambito's Carta when given, otherwise
// a short form of the id stands in.
func diffHidden(a, b, ambito *catalog.Carta) []Change {
	name := func(h catalog.Hidden) string {
		if ambito != nil {
			for _, s := range ambito.Services {
				if s.ID == h.ServiceID {
					return s.Title
				}
			}
		}
		return "servizio " + h.ServiceID.String()[:8]
	}
	return diffByID(AreaHidden, a.HiddenAmbitoServices, b.HiddenAmbitoServices,
		func(h catalog.Hidden) uuid.UUID { return h.ServiceID }, name,
		func(x, y catalog.Hidden) []FieldChange {
			var f fieldList
			f.short("Motivo", x.Reason, y.Reason)
			return f
		})
}

// IsAdded, IsRemoved and IsSkipped let templates tell lines apart.
func (l Line) IsAdded() bool   { return l.Op == LineAdded }
func (l Line) IsRemoved() bool { return l.Op == LineRemoved }
func (l Line) IsSkipped() bool { return l.Op == LineSkipped }
