package catalogio

import (
	"slices"
	"sort"
	"strings"

	"github.com/cartasociale/carta/internal/catalog"
)

// fills names, for each column that fills a field publication requires of an active service,
// that field (catalog.RequiredFields: the one rule). A field may be filled by either of two
// columns. The template's "obbligatoria" markers and the import's warnings are derived from it;
// a test keeps it equal to the rule.
var fills = map[string]string{
	"titolo":                 "title",
	"descrizione_breve":      "short_description",
	"categoria":              "category",
	"a_chi_e_rivolto":        "audience",
	"come_fare":              "how_to",
	"cosa_serve":             "needed",
	"documenti_necessari":    "needed",
	"cosa_si_ottiene":        "obtained",
	"tempi_e_scadenze":       "timing",
	"condizioni_di_servizio": "conditions",
	"unita_organizzativa":    "responsible_unit",
	"argomenti":              "topics",
	"categoria_nazionale":    "national_category",
}

// alsoFilledBy says what else, outside the spreadsheet, satisfies a required field.
var alsoFilledBy = map[string]string{
	"timing":     "oppure una scadenza inserita nella scheda del servizio",
	"conditions": "oppure un documento «Condizioni di servizio» allegato nella scheda del servizio",
}

// columnsFilling lists, in template order, the columns that fill required field field.
func columnsFilling(field string) []string {
	var out []string
	for _, c := range columns {
		if fills[c.Key] == field {
			out = append(out, c.Key)
		}
	}
	return out
}

// requiredMarker is the "Obbligatoria" cell of column c on the instructions sheet.
func requiredMarker(c column) string {
	if c.Key == "slug" {
		return "per aggiornare un servizio"
	}
	field := fills[c.Key]
	if field == "" {
		return "no"
	}
	m := "sì, per pubblicare"
	if c.Required {
		m = "sì, per creare e per pubblicare"
	}
	var notes []string
	if alt := columnsFilling(field); len(alt) > 1 {
		notes = append(notes, "basta una tra "+andList(alt))
	}
	if also := alsoFilledBy[field]; also != "" {
		notes = append(notes, also)
	}
	if len(notes) > 0 {
		m += " (" + strings.Join(notes, "; ") + ")"
	}
	return m
}

// requiredSentence is the instructions' line on required columns, from the same rule.
func requiredSentence() string {
	var create, publish []string
	for _, f := range catalog.RequiredFields() {
		cols := columnsFilling(f.Field)
		if len(cols) == 0 {
			continue
		}
		if i, ok := byKey(cols[0]); ok && columns[i].Required {
			create = append(create, orList(cols))
		} else {
			publish = append(publish, orList(cols))
		}
	}
	return "Per un nuovo servizio lascia vuota la colonna slug: lo slug viene ricavato dal titolo. " +
		"Un nuovo servizio deve avere almeno le colonne " + andList(create) + "; per pubblicarlo servono anche " +
		andList(publish) + " (vedi la colonna «Obbligatoria» qui sotto). Un servizio ancora incompleto viene importato " +
		"lo stesso nella bozza: dopo l'importazione vedi che cosa gli manca per la pubblicazione."
}

func orList(items []string) string { return joinLast(items, " o ") }

func andList(items []string) string { return joinLast(items, " e ") }

func joinLast(items []string, last string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

// Warning is what publication will miss of one imported service: the import went ahead, but
// the Carta cannot be published while an active service lacks a required field. Line is the
// service's row in the file.
type Warning struct {
	Line        int
	Slug, Title string
	Missing     []Gap
}

// Gap is one required field a service lacks, with the template columns that fill it.
type Gap struct {
	Label   string
	Columns []string
}

// String is the gap as the import page writes it: "A chi è rivolto (colonna a_chi_e_rivolto)".
func (g Gap) String() string {
	switch len(g.Columns) {
	case 0:
		return g.Label
	case 1:
		return g.Label + " (colonna " + g.Columns[0] + ")"
	}
	return g.Label + " (colonne " + orList(g.Columns) + ")"
}

// warnings runs publication's completeness check (catalog.Completeness) over the draft as the
// import left it, and keeps what concerns the services of the file (lines: slug → row).
func warnings(draft *catalog.Carta, lines map[string]int) []Warning {
	bySlug := map[string]*Warning{}
	var out []*Warning
	for _, m := range catalog.Completeness(draft) {
		line, ok := lines[m.ServiceSlug]
		if !ok {
			continue
		}
		w := bySlug[m.ServiceSlug]
		if w == nil {
			w = &Warning{Line: line, Slug: m.ServiceSlug, Title: m.ServiceTitle}
			bySlug[m.ServiceSlug] = w
			out = append(out, w)
		}
		if !slices.ContainsFunc(w.Missing, func(g Gap) bool { return g.Label == m.Label }) {
			w.Missing = append(w.Missing, Gap{Label: m.Label, Columns: columnsFilling(m.Field)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	res := make([]Warning, len(out))
	for i, w := range out {
		res[i] = *w
	}
	return res
}
