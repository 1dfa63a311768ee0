package audit

import "strconv"

// field is a recordable field of an object: its key (json tag or form name), its Italian name
// as the staff forms show it, for a coded value the Italian name of each code, and whether
// it is one of the main fields recorded at a create or a delete (every field, for a kind
// that marks none).
type field struct {
	key, label string
	values     map[string]string
	main       bool
	byCode     bool // the value is the code of another object, shown by that object's name
}

// fieldLabels are the fields Snapshot records, by kind of object, in the order the staff
// forms show them. A field left out (ids, positions, passwords, tokens) is never recorded.
var fieldLabels = map[string][]field{
	"service": {
		{key: "title", label: "Titolo", main: true},
		{key: "slug", label: "Indirizzo della pagina", main: true},
		{key: "status", label: "Stato", values: map[string]string{"attivo": "Attivo", "sospeso": "Sospeso", "archiviato": "Archiviato"}, main: true},
		{key: "status_reason", label: "Motivo dello stato"},
		{key: "category_code", label: "Area di utenza", main: true, byCode: true},
		{key: "macro_level", label: "Livello di servizio (macro livello)"},
		{key: "nomenclator_code", label: "Codice del nomenclatore"},
		{key: "short_description", label: "Descrizione breve", main: true},
		{key: "description", label: "Cos'è"},
		{key: "audience", label: "A chi è rivolto"},
		{key: "coverage", label: "Copertura territoriale", values: map[string]string{"comune": "Il solo comune", "ambito": "Tutto l'ambito"}},
		{key: "how_to", label: "Come fare"},
		{key: "needed_intro", label: "Cosa serve"},
		{key: "needed_items", label: "Cosa serve: elenco"},
		{key: "obtained", label: "Cosa si ottiene"},
		{key: "timing", label: "Tempi e scadenze"},
		{key: "deadlines", label: "Scadenze e fasi"},
		{key: "cost_kind", label: "Costo", values: map[string]string{"gratuito": "Gratuito", "fisso": "Tariffa fissa", "isee": "In base all'ISEE", "variabile": "Variabile"}},
		{key: "cost_text", label: "Quanto costa"},
		{key: "office_id", label: "Ufficio a cui rivolgersi", main: true},
		{key: "digital_label", label: "Canale digitale"},
		{key: "digital_url", label: "Indirizzo del canale digitale"},
		{key: "booking_url", label: "Prenotazione: indirizzo"},
		{key: "booking_text", label: "Prenotazione: indicazioni"},
		{key: "constraints", label: "Vincoli"},
		{key: "special_cases", label: "Casi particolari"},
		{key: "more_info", label: "Ulteriori informazioni"},
		{key: "conditions", label: "Condizioni di servizio"},
		{key: "contacts", label: "Contatti"},
		{key: "responsible_unit", label: "Unità organizzativa responsabile"},
		{key: "responsible_person_id", label: "Responsabile"},
		{key: "providers", label: "Enti erogatori"},
		{key: "topics", label: "Argomenti"},
		{key: "national_category", label: "Categoria del servizio"},
		{key: "keywords", label: "Parole chiave"},
		{key: "standards", label: "Standard di qualità"},
	},
	"office": {
		{key: "name", label: "Nome", main: true},
		{key: "slug", label: "Indirizzo della pagina"},
		{key: "description", label: "Descrizione"},
		{key: "address", label: "Indirizzo", main: true},
		{key: "postal_code", label: "CAP"},
		{key: "city", label: "Città", main: true},
		{key: "phone", label: "Telefono", main: true},
		{key: "email", label: "Email", main: true},
		{key: "pec", label: "PEC"},
		{key: "notes", label: "Note"},
		{key: "main_desk", label: "Sportello unico", main: true},
	},
	"person": {
		{key: "name", label: "Nome", main: true},
		{key: "role_title", label: "Ruolo", main: true},
		{key: "area", label: "Area di competenza", main: true},
		{key: "email", label: "Email", main: true},
		{key: "phone", label: "Telefono"},
		{key: "office_id", label: "Ufficio", main: true},
	},
	"category": {
		{key: "name", label: "Nome"},
		{key: "code", label: "Codice"},
		{key: "description", label: "Descrizione"},
	},
	"section": {
		{key: "title", label: "Titolo"},
		{key: "body", label: "Testo"},
	},
	"profile": append([]field{
		{key: "legal_address", label: "Indirizzo della sede"},
		{key: "postal_code", label: "CAP"},
		{key: "city", label: "Città"},
		{key: "province", label: "Provincia"},
		{key: "phone", label: "Telefono"},
		{key: "email", label: "Email"},
		{key: "pec", label: "PEC"},
		{key: "website_url", label: "Sito istituzionale"},
		{key: "accessibility_url", label: "Dichiarazione di accessibilità"},
		{key: "privacy_url", label: "Informativa sulla privacy"},
	}, socialFields(8)...),
}

// socialFields are the rows of social profiles of the ente's profile form.
func socialFields(n int) []field {
	out := make([]field, 0, 2*n)
	for i := range n {
		num := strconv.Itoa(i + 1)
		out = append(out,
			field{key: "social_network_" + strconv.Itoa(i), label: "Social network " + num},
			field{key: "social_url_" + strconv.Itoa(i), label: "Profilo social " + num})
	}
	return out
}

// fieldRank orders the changes of an entry roughly as the forms show the fields: by the
// field's place in its form (the earliest, for a name several forms share).
var fieldRank = func() map[string]int {
	m := map[string]int{}
	for _, fields := range fieldLabels {
		for i, f := range fields {
			if r, ok := m[f.label]; !ok || i < r {
				m[f.label] = i
			}
		}
	}
	return m
}()

// kindRank orders the changes of an object of each kind exactly as its form shows the fields.
var kindRank = func() map[string]map[string]int {
	m := map[string]map[string]int{}
	for kind, fields := range fieldLabels {
		m[kind] = map[string]int{}
		for i, f := range fields {
			m[kind][f.label] = i
		}
	}
	return m
}()
