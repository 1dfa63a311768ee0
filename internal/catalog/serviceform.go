package catalog

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/tenant"
)

// Limits of the service form.
const (
	maxMarkdown     = 20000
	maxRows         = 40 // deadlines or standards of one service
	maxNeededItems  = 50
	maxKeywords     = 30
	maxKeywordsText = 2000 // the keywords field as typed, commas and spaces included
	maxSlug         = 120
	defaultCategory = "Salute, benessere e assistenza"
)

// markdownFields are the service's Markdown texts: form name → Italian label.
var markdownFields = []struct{ Name, Label string }{
	{"description", "Cos'è"},
	{"audience", "A chi è rivolto"},
	{"how_to", "Come fare"},
	{"needed_intro", "Cosa serve"},
	{"obtained", "Cosa si ottiene"},
	{"timing", "Tempi e scadenze"},
	{"cost_text", "Quanto costa"},
	{"constraints", "Vincoli"},
	{"special_cases", "Casi particolari"},
	{"more_info", "Ulteriori informazioni"},
	{"conditions", "Condizioni di servizio"},
	{"contacts", "Contatti"},
	{"providers", "Enti erogatori"},
}

// ServiceStatuses with their Italian labels.
var ServiceStatuses = []struct{ Key, Label string }{
	{StatusActive, "Attivo"},
	{StatusSuspended, "Sospeso"},
	{StatusArchived, "Archiviato"},
}

// StatusLabel is the Italian label of a service status.
func StatusLabel(s string) string {
	for _, st := range ServiceStatuses {
		if st.Key == s {
			return st.Label
		}
	}
	return s
}

// SocialTopics are the topics of the municipal site model that social services use most
// (CONTRACT.md); the form shows them first.
var SocialTopics = []string{
	"Assistenza sociale", "Assistenza agli invalidi", "Integrazione sociale", "Immigrazione",
	"Nascita", "Istruzione", "Lavoro", "Residenza", "Associazioni", "Accesso all'informazione",
	"Trasparenza amministrativa",
}

// serviceForm is the service form as posted (or as filled from a stored service): single
// values by field name, the checked topics and how many rows of deadlines and standards the
// form shows.
type serviceForm struct {
	values       map[string]string
	topics       []string
	deadlineRows int
	standardRows int
}

func rowKey(prefix string, n int) string { return prefix + "_" + strconv.Itoa(n) }

func clampRows(s string, min int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < min {
		return min
	}
	return min2(n, maxRows)
}

func min2(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// serviceFormFromPost reads a posted service form.
func serviceFormFromPost(vals map[string][]string) *serviceForm {
	f := &serviceForm{values: single(vals)}
	for _, t := range vals["topics"] {
		if !slices.Contains(f.topics, t) {
			f.topics = append(f.topics, t)
		}
	}
	f.deadlineRows = clampRows(f.values["deadline_rows"], 0)
	f.standardRows = clampRows(f.values["standard_rows"], 0)
	return f
}

// newServiceForm is the form of a service not created yet, with the defaults of t.
func newServiceForm(t *tenant.Tenant) *serviceForm {
	coverage := "comune"
	if t.IsAmbito() {
		// An ambito's services serve every member comune.
		coverage = "ambito"
	}
	return &serviceForm{
		values: map[string]string{
			"status": StatusActive, "coverage": coverage, "cost_kind": "gratuito",
			"national_category": defaultCategory,
		},
		deadlineRows: 1, standardRows: 1,
	}
}

// serviceFormFrom fills the form from a stored service, with one blank row of deadlines and of
// standards to add.
func serviceFormFrom(s Service) *serviceForm {
	v := map[string]string{
		"slug": s.Slug, "status": s.Status, "status_reason": s.StatusReason, "category": s.CategoryCode,
		"nomenclator_code": s.NomenclatorCode, "title": s.Title, "short_description": s.ShortDescription,
		"description": s.Description, "audience": s.Audience, "coverage": s.Coverage, "how_to": s.HowTo,
		"needed_intro": s.NeededIntro, "needed_items": strings.Join(s.NeededItems, "\n"),
		"obtained": s.Obtained, "timing": s.Timing, "cost_kind": s.CostKind, "cost_text": s.CostText,
		"digital_label": s.DigitalLabel, "digital_url": s.DigitalURL, "booking_url": s.BookingURL,
		"booking_text": s.BookingText, "constraints": s.Constraints, "special_cases": s.SpecialCases,
		"more_info": s.MoreInfo, "conditions": s.Conditions, "contacts": s.Contacts,
		"responsible_unit": s.ResponsibleUnit, "providers": s.Providers,
		"national_category": s.NationalCategory, "keywords": strings.Join(s.Keywords, ", "),
	}
	if s.MacroLevel > 0 {
		v["macro_level"] = strconv.Itoa(s.MacroLevel)
	}
	if s.OfficeID != nil {
		v["office"] = s.OfficeID.String()
	}
	if s.ResponsiblePersonID != nil {
		v["responsible_person"] = s.ResponsiblePersonID.String()
	}
	for i, d := range s.Deadlines {
		v[rowKey("deadline_label", i)] = d.Label
		v[rowKey("deadline_due", i)] = d.DueOn
		v[rowKey("deadline_description", i)] = d.Description
	}
	for i, st := range s.Standards {
		v[rowKey("standard_id", i)] = st.ID.String()
		v[rowKey("standard_dimension", i)] = st.Dimension
		v[rowKey("standard_description", i)] = st.Description
		v[rowKey("standard_indicator", i)] = st.Indicator
		v[rowKey("standard_formula", i)] = st.Formula
		if st.Target != nil {
			v[rowKey("standard_target", i)] = formatNumber(*st.Target)
		}
		v[rowKey("standard_unit", i)] = st.Unit
		if st.HigherIsBetter {
			v[rowKey("standard_higher", i)] = "1"
		}
	}
	return &serviceForm{values: v, topics: slices.Clone(s.Topics),
		deadlineRows: len(s.Deadlines) + 1, standardRows: len(s.Standards) + 1}
}

// formatNumber writes a number the Italian way (decimal comma), without useless zeros.
func formatNumber(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', -1, 64), ".", ",", 1)
}

// parseNumber reads "90", "90,5" or "90.5".
func parseNumber(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return 0, false
	}
	return f, true
}

// formRefs are the tenant's rows a service form may point to.
type formRefs struct {
	Categories []Category
	Offices    []Office
	People     []Person
}

func (r *formRefs) hasCategory(code string) bool {
	return slices.ContainsFunc(r.Categories, func(c Category) bool { return c.Code == code })
}

func (r *formRefs) categoryID(code string) *uuid.UUID {
	for _, c := range r.Categories {
		if c.Code == code {
			id := c.ID
			return &id
		}
	}
	return nil
}

func (r *formRefs) hasOffice(id uuid.UUID) bool {
	return slices.ContainsFunc(r.Offices, func(o Office) bool { return o.ID == id })
}

func (r *formRefs) hasPerson(id uuid.UUID) bool {
	return slices.ContainsFunc(r.People, func(p Person) bool { return p.ID == id })
}

// parse validates the form into a service. The slug is left empty when the form has none, for
// the caller to derive from the title. errs holds an Italian message per bad field.
func (f *serviceForm) parse(refs *formRefs) (Service, map[string]string) {
	v := f.values
	errs := map[string]string{}
	s := Service{
		Slug: strings.ToLower(v["slug"]), Status: v["status"], StatusReason: v["status_reason"],
		CategoryCode: v["category"], NomenclatorCode: v["nomenclator_code"], Title: v["title"],
		ShortDescription: v["short_description"], Description: v["description"], Audience: v["audience"],
		Coverage: v["coverage"], HowTo: v["how_to"], NeededIntro: v["needed_intro"], Obtained: v["obtained"],
		Timing: v["timing"], CostKind: v["cost_kind"], CostText: v["cost_text"],
		DigitalLabel: v["digital_label"], DigitalURL: v["digital_url"], BookingURL: v["booking_url"],
		BookingText: v["booking_text"], Constraints: v["constraints"], SpecialCases: v["special_cases"],
		MoreInfo: v["more_info"], Conditions: v["conditions"], Contacts: v["contacts"],
		ResponsibleUnit: v["responsible_unit"], Providers: v["providers"],
		NationalCategory: v["national_category"],
		NeededItems:      []string{}, Topics: []string{}, Keywords: []string{},
		Deadlines: []Deadline{}, Standards: []Standard{}, Documents: []Document{},
	}

	checkText(errs, "title", s.Title, 3, 200, "Scrivi il titolo del servizio.")
	if s.Slug != "" && !ValidSlug(s.Slug, maxSlug) {
		errs["slug"] = "L'indirizzo può contenere solo lettere minuscole senza accenti, cifre e trattini (non all'inizio né alla fine), al massimo 120 caratteri. Lascialo vuoto per ricavarlo dal titolo."
	}
	switch s.Status {
	case StatusActive, StatusArchived:
	case StatusSuspended:
		if runes(strings.TrimSpace(s.StatusReason)) < 3 {
			errs["status_reason"] = "Spiega ai cittadini perché il servizio è sospeso (almeno 3 caratteri)."
		}
	default:
		errs["status"] = "Scegli lo stato del servizio."
	}
	checkText(errs, "status_reason", s.StatusReason, 0, 500, "")
	if s.CategoryCode != "" && !refs.hasCategory(s.CategoryCode) {
		errs["category"] = "Scegli un'area di utenza dall'elenco."
	}
	if mv := v["macro_level"]; mv != "" {
		n, err := strconv.Atoi(mv)
		if err != nil || MacroLevels[n] == "" {
			errs["macro_level"] = "Scegli un macro livello dall'elenco."
		} else {
			s.MacroLevel = n
		}
	}
	checkText(errs, "nomenclator_code", s.NomenclatorCode, 0, 50, "")
	checkText(errs, "short_description", s.ShortDescription, 0, 255, "")
	if strings.Contains(s.ShortDescription, "\n") {
		errs["short_description"] = "La descrizione breve deve stare su una sola riga."
	}
	for _, m := range markdownFields {
		checkText(errs, m.Name, v[m.Name], 0, maxMarkdown, "")
	}
	if s.Coverage != "comune" && s.Coverage != "ambito" {
		errs["coverage"] = "Scegli la copertura territoriale."
	}
	if !slices.ContainsFunc(CostKinds, func(k struct{ Key, Label string }) bool { return k.Key == s.CostKind }) {
		errs["cost_kind"] = "Scegli il tipo di costo."
	}

	// Cosa serve: one document per line.
	for _, line := range strings.Split(v["needed_items"], "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*•"))
		if line == "" {
			continue
		}
		if runes(line) > 300 {
			errs["needed_items"] = "Ogni riga può avere al massimo 300 caratteri."
		}
		s.NeededItems = append(s.NeededItems, line)
	}
	if len(s.NeededItems) > maxNeededItems {
		errs["needed_items"] = "Al massimo " + strconv.Itoa(maxNeededItems) + " righe."
	}

	if id := v["office"]; id != "" {
		if u, err := uuid.Parse(id); err != nil || !refs.hasOffice(u) {
			errs["office"] = "Scegli un ufficio dall'elenco."
		} else {
			s.OfficeID = &u
		}
	}
	if id := v["responsible_person"]; id != "" {
		if u, err := uuid.Parse(id); err != nil || !refs.hasPerson(u) {
			errs["responsible_person"] = "Scegli una persona dall'elenco."
		} else {
			s.ResponsiblePersonID = &u
		}
	}

	checkText(errs, "digital_label", s.DigitalLabel, 0, 200, "")
	switch {
	case s.DigitalURL != "" && !validHTTPS(s.DigitalURL):
		errs["digital_url"] = "Inserisci un indirizzo completo che inizia con https://, per esempio https://servizi.comune.esempio.it/domanda."
	case s.DigitalURL == "" && s.DigitalLabel != "":
		errs["digital_url"] = "Inserisci l'indirizzo del servizio online, o cancella l'etichetta."
	case s.DigitalURL != "" && s.DigitalLabel == "":
		errs["digital_label"] = "Scrivi il testo del collegamento, per esempio «Presenta la domanda online»."
	}
	if s.BookingURL != "" && !validHTTPS(s.BookingURL) {
		errs["booking_url"] = "Inserisci un indirizzo completo che inizia con https://."
	}
	checkText(errs, "booking_text", s.BookingText, 0, 1000, "")
	checkText(errs, "responsible_unit", s.ResponsibleUnit, 0, 200, "")

	for _, t := range f.topics {
		if !ValidTopic(t) {
			errs["topics"] = "Uno degli argomenti scelti non esiste: ricarica la pagina e riprova."
			continue
		}
		s.Topics = append(s.Topics, t)
	}
	// Keep the model's order, whatever order the browser sent them in.
	slices.SortFunc(s.Topics, func(a, b string) int { return slices.Index(Topics, a) - slices.Index(Topics, b) })
	if !ValidServiceCategory(s.NationalCategory) {
		errs["national_category"] = "Scegli la categoria del servizio dall'elenco."
	}
	for _, k := range strings.Split(v["keywords"], ",") {
		k = strings.TrimSpace(k)
		if k == "" || slices.Contains(s.Keywords, k) {
			continue
		}
		if runes(k) > 60 {
			errs["keywords"] = "Ogni parola chiave può avere al massimo 60 caratteri."
		}
		s.Keywords = append(s.Keywords, k)
	}
	if len(s.Keywords) > maxKeywords {
		errs["keywords"] = "Al massimo " + strconv.Itoa(maxKeywords) + " parole chiave."
	}
	// The whole field, as long as the form's maxlength allows (repeated words are dropped
	// above, so the count of keywords alone does not bound it).
	if runes(v["keywords"]) > maxKeywordsText {
		checkText(errs, "keywords", v["keywords"], 0, maxKeywordsText, "")
	}

	for i := range f.deadlineRows {
		label, due, desc := v[rowKey("deadline_label", i)], v[rowKey("deadline_due", i)], v[rowKey("deadline_description", i)]
		if v[rowKey("deadline_remove", i)] != "" || (label == "" && due == "" && desc == "") {
			continue
		}
		d := Deadline{Label: label, Description: desc}
		checkText(errs, rowKey("deadline_label", i), label, 2, 200, "Scrivi cosa scade o quale fase inizia, per esempio «Presentazione delle domande».")
		if due != "" {
			if t, ok := parseDate(due); ok {
				d.DueOn = t.Format("2006-01-02")
			} else {
				errs[rowKey("deadline_due", i)] = msgDate
			}
		}
		checkText(errs, rowKey("deadline_description", i), desc, 0, 1000, "")
		s.Deadlines = append(s.Deadlines, d)
	}

	for i := range f.standardRows {
		k := func(p string) string { return rowKey("standard_"+p, i) }
		dim, desc, ind, formula, target, unit := v[k("dimension")], v[k("description")], v[k("indicator")], v[k("formula")], v[k("target")], v[k("unit")]
		if v[k("remove")] != "" || (dim == "" && desc == "" && ind == "" && formula == "" && target == "" && unit == "") {
			continue
		}
		st := Standard{Dimension: dim, Description: desc, Indicator: ind, Formula: formula, Unit: unit,
			HigherIsBetter: v[k("higher")] != ""}
		if id, err := uuid.Parse(v[k("id")]); err == nil {
			st.ID = id
		}
		if DimensionLabel(dim) == dim {
			errs[k("dimension")] = "Scegli la dimensione della qualità."
		}
		checkText(errs, k("description"), desc, 3, 500, "Descrivi lo standard, per esempio «Primo colloquio entro 7 giorni lavorativi dalla richiesta».")
		checkText(errs, k("indicator"), ind, 0, 500, "")
		checkText(errs, k("formula"), formula, 0, 500, "")
		checkText(errs, k("unit"), unit, 0, 40, "")
		checkText(errs, k("target"), target, 0, 20, "")
		if target != "" && errs[k("target")] == "" {
			if n, ok := parseNumber(target); ok {
				st.Target = &n
			} else {
				errs[k("target")] = "Scrivi un numero, per esempio 7 oppure 90,5."
			}
		}
		s.Standards = append(s.Standards, st)
	}
	return s, errs
}

// deadlineRow and standardRow are rows of the repeatable fieldsets, for the template.
type deadlineRow struct {
	N                                  int
	Label, DueOn, Description          string
	LabelErr, DueOnErr, DescriptionErr string
	Remove                             bool
	Blank                              bool // a row to add a new deadline
}

type standardRow struct {
	N                                              int
	ID, Dimension, Description, Indicator, Formula string
	Target, Unit                                   string
	HigherIsBetter, Remove, Blank                  bool
	DimensionErr, DescriptionErr, IndicatorErr     string
	FormulaErr, TargetErr, UnitErr                 string
	Dimensions                                     []Option
}

func (f *serviceForm) deadlineRowsFor(errs map[string]string) []deadlineRow {
	out := make([]deadlineRow, 0, f.deadlineRows)
	for i := range f.deadlineRows {
		k := func(p string) string { return rowKey("deadline_"+p, i) }
		r := deadlineRow{N: i, Label: f.values[k("label")], DueOn: f.values[k("due")], Description: f.values[k("description")],
			LabelErr: errs[k("label")], DueOnErr: errs[k("due")], DescriptionErr: errs[k("description")],
			Remove: f.values[k("remove")] != ""}
		r.Blank = r.Label == "" && r.DueOn == "" && r.Description == ""
		out = append(out, r)
	}
	return out
}

func (f *serviceForm) standardRowsFor(errs map[string]string) []standardRow {
	out := make([]standardRow, 0, f.standardRows)
	for i := range f.standardRows {
		k := func(p string) string { return rowKey("standard_"+p, i) }
		r := standardRow{N: i, ID: f.values[k("id")], Dimension: f.values[k("dimension")],
			Description: f.values[k("description")], Indicator: f.values[k("indicator")],
			Formula: f.values[k("formula")], Target: f.values[k("target")], Unit: f.values[k("unit")],
			HigherIsBetter: f.values[k("higher")] != "", Remove: f.values[k("remove")] != "",
			DimensionErr: errs[k("dimension")], DescriptionErr: errs[k("description")],
			IndicatorErr: errs[k("indicator")], FormulaErr: errs[k("formula")], TargetErr: errs[k("target")],
			UnitErr: errs[k("unit")]}
		r.Blank = r.Dimension == "" && r.Description == "" && r.Indicator == "" && r.Formula == "" && r.Target == "" && r.Unit == ""
		if r.Blank && r.ID == "" {
			// A new standard: most are "the higher the better" (90% of requests within 7 days).
			r.HigherIsBetter = true
		}
		r.Dimensions = options(Dimensions, func(d struct{ Key, Label string }) (string, string) { return d.Key, d.Label }, r.Dimension)
		out = append(out, r)
	}
	return out
}
