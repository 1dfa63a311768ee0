package catalogio

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
)

// service is a draft service as read from the database and as built from a row.
type service = db.CatalogioServiceListRow

// MaxCellChars is the longest text a spreadsheet cell holds (Excel's limit), so the longest
// Markdown text a round trip through a spreadsheet can carry.
const MaxCellChars = 32767

// Defaults of a new service for the columns that are left out or blank.
const (
	defaultStatus           = "attivo"
	defaultCoverage         = "comune"
	defaultCostKind         = "gratuito"
	defaultNationalCategory = "Salute, benessere e assistenza"
)

var (
	statuses   = []string{"attivo", "sospeso", "archiviato"}
	coverages  = []string{"comune", "ambito"}
	costKinds  = func() []string { return keysOf(catalog.CostKinds) }()
	macroCodes = []string{"1", "2", "3", "4", "5"}
)

func keysOf(kinds []struct{ Key, Label string }) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Key
	}
	return out
}

// refs are the tenant's categories, offices and people, by the names a spreadsheet uses.
type refs struct {
	catCode      map[uuid.UUID]string
	catByCode    map[string]uuid.UUID // upper-case code
	catCodes     []string
	catNames     map[string]string // code → name, for the instructions
	officeSlug   map[uuid.UUID]string
	officeBySlug map[string]uuid.UUID
	officeSlugs  []string
	officeNames  map[string]string // slug → name
	people       []db.CatalogioPersonListRow
	personByID   map[uuid.UUID]db.CatalogioPersonListRow
}

func newRefs(cats []db.CatalogioCategoryListRow, offices []db.CatalogioOfficeListRow, people []db.CatalogioPersonListRow) *refs {
	r := &refs{
		catCode: map[uuid.UUID]string{}, catByCode: map[string]uuid.UUID{}, catNames: map[string]string{},
		officeSlug: map[uuid.UUID]string{}, officeBySlug: map[string]uuid.UUID{}, officeNames: map[string]string{},
		people: people, personByID: map[uuid.UUID]db.CatalogioPersonListRow{},
	}
	for _, c := range cats {
		r.catCode[c.ID] = c.Code
		r.catByCode[strings.ToUpper(c.Code)] = c.ID
		r.catCodes = append(r.catCodes, c.Code)
		r.catNames[c.Code] = c.Name
	}
	for _, o := range offices {
		r.officeSlug[o.ID] = o.Slug
		r.officeBySlug[o.Slug] = o.ID
		r.officeSlugs = append(r.officeSlugs, o.Slug)
		r.officeNames[o.Slug] = o.Name
	}
	for _, p := range people {
		r.personByID[p.ID] = p
	}
	return r
}

// personLabel is how a person is written in a spreadsheet: the e-mail, which tells two people
// of the same name apart, or the name when there is none.
func (r *refs) personLabel(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	p, ok := r.personByID[*id]
	if !ok {
		return ""
	}
	if p.Email != "" {
		return p.Email
	}
	return p.Name
}

// findPerson matches an e-mail or a name, ignoring case and accents.
func (r *refs) findPerson(v string) (uuid.UUID, string) {
	var found []uuid.UUID
	want := fold(v)
	byEmail := strings.Contains(v, "@")
	for _, p := range r.people {
		if (byEmail && fold(p.Email) == want) || (!byEmail && fold(p.Name) == want) {
			found = append(found, p.ID)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], ""
	case len(found) > 1 && byEmail:
		return uuid.Nil, fmt.Sprintf("Più persone responsabili hanno l'email «%s»: correggi l'elenco delle persone responsabili.", v)
	case len(found) > 1:
		return uuid.Nil, fmt.Sprintf("Più persone responsabili si chiamano «%s»: indica la sua email.", v)
	case byEmail:
		return uuid.Nil, fmt.Sprintf("Nessuna persona responsabile ha l'email «%s»: aggiungila prima tra le persone responsabili.", v)
	}
	return uuid.Nil, fmt.Sprintf("Nessuna persona responsabile si chiama «%s»: aggiungila prima tra le persone responsabili, oppure indica la sua email.", v)
}

// column is one importable field. get renders it for a spreadsheet; set validates a cleaned
// cell and stores it, returning the Italian reason when the value is not acceptable.
type column struct {
	Key      string // the header
	Field    string // the field's name on the service page
	Help     string // what to write, for the instructions sheet
	Allowed  string // the allowed values, for the instructions sheet ("" for free text)
	Example  string
	Required bool    // for a new service; an existing one cannot have it emptied
	Width    float64 // in the XLSX
	// Choices, when set, become a drop-down list in the XLSX (data validation).
	Choices func(r *refs) []string

	get func(s *service, r *refs) string
	set func(s *service, v string, r *refs) string
}

// Columns lists the headers of the template, in order.
func Columns() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.Key
	}
	return out
}

func byKey(key string) (int, bool) {
	for i, c := range columns {
		if c.Key == key {
			return i, true
		}
	}
	return -1, false
}

func tooLong(v string, max int) string {
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Sprintf("Il testo è troppo lungo: al massimo %s caratteri (ora %s).", thousands(max), thousands(n))
	}
	return ""
}

// thousands writes n the Italian way: 32.767.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// line is a one-line text of at most max characters (min when not empty).
func line(key, field, help, example string, min, max int, width float64, p func(*service) *string) column {
	return column{Key: key, Field: field, Help: help, Example: example, Width: width,
		Allowed: fmt.Sprintf("Testo su una riga, al massimo %d caratteri.", max),
		get:     func(s *service, _ *refs) string { return *p(s) },
		set: func(s *service, v string, _ *refs) string {
			if strings.Contains(v, "\n") {
				return "Il testo deve stare su una sola riga, senza a capo."
			}
			if msg := tooLong(v, max); msg != "" {
				return msg
			}
			if v != "" && utf8.RuneCountInString(v) < min {
				return fmt.Sprintf("Il testo è troppo corto: almeno %d caratteri.", min)
			}
			*p(s) = v
			return ""
		}}
}

// markdown is a long text in Markdown, stored as written: it is rendered and sanitised when
// shown.
func markdown(key, field, help, example string, p func(*service) *string) column {
	return column{Key: key, Field: field, Help: help, Example: example, Width: 50,
		Allowed: "Testo libero; accetta Markdown (elenchi con «- », **grassetto**, [link](https://…)).",
		get:     func(s *service, _ *refs) string { return *p(s) },
		set: func(s *service, v string, _ *refs) string {
			if msg := tooLong(v, MaxCellChars); msg != "" {
				return msg
			}
			*p(s) = v
			return ""
		}}
}

// enum is one of values (matched ignoring case and accents); blank means def.
func enum(key, field, help string, values []string, def string, width float64, p func(*service) *string) column {
	return column{Key: key, Field: field, Help: help, Example: def, Width: width,
		Allowed: strings.Join(values, ", ") + ". Se vuota: " + def + ".",
		Choices: func(*refs) []string { return values },
		get:     func(s *service, _ *refs) string { return *p(s) },
		set: func(s *service, v string, _ *refs) string {
			if v == "" {
				*p(s) = def
				return ""
			}
			for _, ok := range values {
				if fold(ok) == fold(v) {
					*p(s) = ok
					return ""
				}
			}
			return fmt.Sprintf("Valore «%s» non ammesso: usa uno tra %s.", v, strings.Join(values, ", "))
		}}
}

// link is an https address.
func link(key, field, help, example string, p func(*service) *string) column {
	return column{Key: key, Field: field, Help: help, Example: example, Width: 40,
		Allowed: "Indirizzo completo che inizia con https://, al massimo 500 caratteri.",
		get:     func(s *service, _ *refs) string { return *p(s) },
		set: func(s *service, v string, _ *refs) string {
			if v == "" {
				*p(s) = ""
				return ""
			}
			if msg := tooLong(v, 500); msg != "" {
				return msg
			}
			u, err := url.Parse(v)
			if err != nil || u.Host == "" || strings.ContainsAny(v, " \n\t") {
				return fmt.Sprintf("«%s» non è un indirizzo web valido: scrivilo completo, es. https://www.comune.esempio.it/servizio.", v)
			}
			if !strings.EqualFold(u.Scheme, "https") {
				return "L'indirizzo deve iniziare con https:// (connessione sicura)."
			}
			*p(s) = v
			return ""
		}}
}

// columns is the template: its order is stable (files made with an older template keep
// working because columns are matched by header, not by position).
var columns = []column{
	{Key: "slug", Field: "Identificativo nell'indirizzo della pagina", Width: 30,
		Help:    "Identifica il servizio. Per aggiornare un servizio esistente lascia il suo slug; per crearne uno nuovo lascia la cella vuota: lo slug viene ricavato dal titolo.",
		Allowed: fmt.Sprintf("Lettere minuscole senza accenti, cifre e trattini, al massimo %d caratteri.", MaxSlugLen),
		Example: "assistenza-domiciliare-anziani",
		get:     func(s *service, _ *refs) string { return s.Slug },
		// Matching by slug is done by the importer; the slug of an existing service never
		// changes through a spreadsheet.
		set: func(*service, string, *refs) string { return "" }},
	func() column {
		c := line("titolo", "Titolo", "Il nome del servizio come lo leggono i cittadini.", "Assistenza domiciliare per anziani", 3, 200, 40,
			func(s *service) *string { return &s.Title })
		c.Required = true
		return c
	}(),
	enum("stato", "Stato", "Se il servizio è attivo, sospeso (indica il motivo) o archiviato (non più mostrato).",
		statuses, defaultStatus, 14, func(s *service) *string { return &s.Status }),
	line("motivo_stato", "Motivo della sospensione", "Obbligatorio quando lo stato è «sospeso»: spiega ai cittadini perché e fino a quando.",
		"Sospeso per riorganizzazione fino al 31 marzo", 0, 500, 30, func(s *service) *string { return &s.StatusReason }),
	{Key: "categoria", Field: "Area di utenza", Width: 14, Required: true,
		Help:    "Il codice della categoria di utenti (area di utenza) a cui il servizio si rivolge.",
		Allowed: "Il codice di una categoria dell'ente (vedi il foglio Elenchi), es. FAM, DIS, ELD, ACC.",
		Example: "ELD",
		Choices: func(r *refs) []string { return r.catCodes },
		get: func(s *service, r *refs) string {
			if s.CategoryID == nil {
				return ""
			}
			return r.catCode[*s.CategoryID]
		},
		set: func(s *service, v string, r *refs) string {
			if v == "" {
				s.CategoryID = nil
				return ""
			}
			id, ok := r.catByCode[strings.ToUpper(v)]
			if !ok {
				if len(r.catCodes) == 0 {
					return fmt.Sprintf("La categoria «%s» non esiste: l'ente non ha ancora categorie.", v)
				}
				return fmt.Sprintf("La categoria «%s» non esiste. Codici validi: %s.", v, strings.Join(r.catCodes, ", "))
			}
			s.CategoryID = &id
			return ""
		}},
	{Key: "livello_macro", Field: "Macro livello", Width: 12,
		Help:    "Il macro livello della programmazione nazionale: 1 accesso e presa in carico, 2 domiciliarità, 3 prima infanzia e servizi comunitari, 4 residenzialità, 5 inclusione e sostegno al reddito.",
		Allowed: "Un numero da 1 a 5, oppure vuota.",
		Example: "2",
		get: func(s *service, _ *refs) string {
			if s.MacroLevel == nil {
				return ""
			}
			return strconv.Itoa(int(*s.MacroLevel))
		},
		set: func(s *service, v string, _ *refs) string {
			if v == "" {
				s.MacroLevel = nil
				return ""
			}
			// Spreadsheets may hand a number back as "2.0".
			n, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
			if err != nil || n != float64(int(n)) || n < 1 || n > 5 {
				return fmt.Sprintf("«%s» non è un macro livello: scrivi un numero da 1 a 5.", v)
			}
			m := int16(n)
			s.MacroLevel = &m
			return ""
		}},
	line("codice_nomenclatore", "Codice del nomenclatore", "Il codice del servizio nel nomenclatore regionale, se c'è.", "B2.1", 0, 50, 16,
		func(s *service) *string { return &s.NomenclatorCode }),
	func() column {
		c := line("descrizione_breve", "Descrizione breve", "Una o due frasi che riassumono il servizio: compaiono negli elenchi e nei risultati di ricerca.",
			"Aiuto a casa per le persone anziane non autosufficienti.", 0, 255, 50, func(s *service) *string { return &s.ShortDescription })
		c.Required = true
		return c
	}(),
	markdown("cosa_e", "Cos'è", "La descrizione completa del servizio.", "", func(s *service) *string { return &s.Description }),
	markdown("a_chi_e_rivolto", "A chi è rivolto", "Chi può chiedere il servizio e con quali requisiti.", "Persone con più di 65 anni residenti nel Comune.",
		func(s *service) *string { return &s.Audience }),
	enum("copertura", "Copertura", "Se il servizio è offerto nel solo comune o in tutto l'ambito territoriale.",
		coverages, defaultCoverage, 12, func(s *service) *string { return &s.Coverage }),
	markdown("come_fare", "Come fare", "I passi per chiedere il servizio.", "1. Prendi appuntamento con il Segretariato sociale.\n2. Presenta la domanda.",
		func(s *service) *string { return &s.HowTo }),
	markdown("cosa_serve", "Cosa serve", "Il testo introduttivo di «Cosa serve»; l'elenco dei documenti va nella colonna documenti_necessari.", "",
		func(s *service) *string { return &s.NeededIntro }),
	{Key: "documenti_necessari", Field: "Cosa serve: documenti", Width: 40,
		Help:    "L'elenco dei documenti da presentare.",
		Allowed: "Un documento per riga (a capo nella cella), oppure separati da « | ».",
		Example: "Documento d'identità | Attestazione ISEE in corso di validità",
		get:     func(s *service, _ *refs) string { return strings.Join(s.NeededItems, "\n") },
		set: func(s *service, v string, _ *refs) string {
			items := splitList(v, "|")
			if len(items) > 50 {
				return "Troppi documenti: al massimo 50."
			}
			for _, it := range items {
				if msg := tooLong(it, 500); msg != "" {
					return "Documento «" + shorten(it, 40) + "»: " + msg
				}
			}
			s.NeededItems = items
			return ""
		}},
	markdown("cosa_si_ottiene", "Cosa si ottiene", "Che cosa riceve chi chiede il servizio.", "Fino a 10 ore settimanali di assistenza a domicilio.",
		func(s *service) *string { return &s.Obtained }),
	markdown("tempi_e_scadenze", "Tempi e scadenze", "Quanto tempo serve e le eventuali scadenze.", "Primo colloquio entro 7 giorni lavorativi dalla richiesta.",
		func(s *service) *string { return &s.Timing }),
	enum("costo_tipo", "Quanto costa", "Il tipo di costo: gratuito, tariffa fissa, in base all'ISEE, variabile.",
		costKinds, defaultCostKind, 12, func(s *service) *string { return &s.CostKind }),
	markdown("costo_testo", "Quanto costa: dettagli", "Le tariffe o come si calcola il costo.", "Compartecipazione in base all'ISEE secondo il regolamento comunale.",
		func(s *service) *string { return &s.CostText }),
	{Key: "ufficio", Field: "Accedere al servizio: ufficio", Width: 24,
		Help:    "L'ufficio a cui rivolgersi di persona, indicato con il suo slug.",
		Allowed: "Lo slug di un ufficio dell'ente (vedi il foglio Elenchi), oppure vuota.",
		Example: "segretariato-sociale",
		Choices: func(r *refs) []string { return r.officeSlugs },
		get: func(s *service, r *refs) string {
			if s.OfficeID == nil {
				return ""
			}
			return r.officeSlug[*s.OfficeID]
		},
		set: func(s *service, v string, r *refs) string {
			if v == "" {
				s.OfficeID = nil
				return ""
			}
			id, ok := r.officeBySlug[strings.ToLower(v)]
			if !ok {
				if len(r.officeSlugs) == 0 {
					return fmt.Sprintf("L'ufficio «%s» non esiste: l'ente non ha ancora uffici.", v)
				}
				return fmt.Sprintf("L'ufficio «%s» non esiste. Uffici dell'ente: %s.", v, listShort(r.officeSlugs, 10))
			}
			s.OfficeID = &id
			return ""
		}},
	line("canale_digitale_etichetta", "Accedere al servizio: canale digitale", "Il testo del pulsante del servizio online.", "Presenta la domanda online", 0, 200, 24,
		func(s *service) *string { return &s.DigitalLabel }),
	link("canale_digitale_url", "Accedere al servizio: indirizzo online", "L'indirizzo del servizio online.", "https://servizi.comune.esempio.it/domanda",
		func(s *service) *string { return &s.DigitalUrl }),
	link("prenotazione_url", "Prenotazione: indirizzo", "L'indirizzo per prenotare un appuntamento.", "https://prenotazioni.comune.esempio.it",
		func(s *service) *string { return &s.BookingUrl }),
	markdown("prenotazione_testo", "Prenotazione: indicazioni", "Come prenotare un appuntamento (telefono, orari).", "Telefona al numero 06 1234567 dal lunedì al venerdì, 9-12.",
		func(s *service) *string { return &s.BookingText }),
	markdown("vincoli", "Vincoli", "Limiti o condizioni che impediscono di ottenere il servizio.", "", func(s *service) *string { return &s.ConstraintsText }),
	markdown("casi_particolari", "Casi particolari", "Situazioni che seguono regole diverse.", "", func(s *service) *string { return &s.SpecialCases }),
	markdown("ulteriori_informazioni", "Ulteriori informazioni", "Altre informazioni utili.", "", func(s *service) *string { return &s.MoreInfo }),
	markdown("condizioni_di_servizio", "Condizioni di servizio", "Le condizioni e i termini del servizio.", "", func(s *service) *string { return &s.ConditionsText }),
	markdown("contatti", "Contatti", "Telefono, email e orari per informazioni sul servizio.", "Tel. 06 1234567 – servizisociali@comune.esempio.it",
		func(s *service) *string { return &s.ContactsText }),
	line("unita_organizzativa", "Unità organizzativa responsabile", "L'ufficio o il settore responsabile del servizio.", "Servizio Sociale Professionale", 0, 200, 28,
		func(s *service) *string { return &s.ResponsibleUnit }),
	{Key: "responsabile", Field: "Persona responsabile", Width: 28,
		Help:    "La persona responsabile del servizio, tra le persone responsabili dell'ente.",
		Allowed: "L'email (preferibile) o il nome e cognome di una persona responsabile dell'ente, oppure vuota.",
		Example: "m.rossi@comune.esempio.it",
		get:     func(s *service, r *refs) string { return r.personLabel(s.ResponsiblePersonID) },
		set: func(s *service, v string, r *refs) string {
			if v == "" {
				s.ResponsiblePersonID = nil
				return ""
			}
			id, msg := r.findPerson(v)
			if msg != "" {
				return msg
			}
			s.ResponsiblePersonID = &id
			return ""
		}},
	markdown("erogatori", "Enti erogatori", "Chi eroga il servizio: cooperative accreditate, enti del terzo settore.", "Cooperativa sociale Esempio",
		func(s *service) *string { return &s.Providers }),
	{Key: "argomenti", Field: "Argomenti", Width: 36,
		Help:    "Gli argomenti del modello dei siti comunali sotto cui il servizio compare.",
		Allowed: "Uno o più argomenti dell'elenco nel foglio Elenchi, separati da « | ».",
		Example: "Assistenza sociale | Integrazione sociale",
		get:     func(s *service, _ *refs) string { return strings.Join(s.Topics, " | ") },
		set: func(s *service, v string, _ *refs) string {
			var out, bad []string
			for _, t := range splitList(v, "|;") {
				i := slices.IndexFunc(catalog.Topics, func(k string) bool { return fold(k) == fold(t) })
				switch {
				case i < 0:
					bad = append(bad, "«"+t+"»")
				case !slices.Contains(out, catalog.Topics[i]):
					out = append(out, catalog.Topics[i])
				}
			}
			if len(bad) > 0 {
				return fmt.Sprintf("Argomento %s non previsto dal modello dei siti comunali: scegli tra quelli del foglio Elenchi.", strings.Join(bad, ", "))
			}
			s.Topics = out
			return ""
		}},
	{Key: "categoria_nazionale", Field: "Categoria del servizio", Width: 30,
		Help:    "La categoria nazionale dei servizi del modello dei siti comunali; per i servizi sociali di solito «" + defaultNationalCategory + "».",
		Allowed: "Una delle categorie del foglio Elenchi. Se vuota: " + defaultNationalCategory + ".",
		Example: defaultNationalCategory,
		Choices: func(*refs) []string { return catalog.ServiceCategories },
		get:     func(s *service, _ *refs) string { return s.NationalCategory },
		set: func(s *service, v string, _ *refs) string {
			if v == "" {
				s.NationalCategory = defaultNationalCategory
				return ""
			}
			for _, c := range catalog.ServiceCategories {
				if fold(c) == fold(v) {
					s.NationalCategory = c
					return ""
				}
			}
			return fmt.Sprintf("«%s» non è una categoria nazionale dei servizi: scegli tra quelle del foglio Elenchi.", v)
		}},
	{Key: "parole_chiave", Field: "Parole chiave", Width: 30,
		Help:    "Parole con cui i cittadini cercano il servizio, oltre a quelle del titolo.",
		Allowed: "Parole o brevi frasi separate da virgole, al massimo 30, ognuna di al massimo 100 caratteri.",
		Example: "badante, assistenza a casa, SAD",
		get:     func(s *service, _ *refs) string { return strings.Join(s.Keywords, ", ") },
		set: func(s *service, v string, _ *refs) string {
			var out []string
			for _, k := range splitList(v, ",;") {
				if msg := tooLong(k, 100); msg != "" {
					return "Parola chiave «" + shorten(k, 40) + "»: " + msg
				}
				if !slices.ContainsFunc(out, func(o string) bool { return fold(o) == fold(k) }) {
					out = append(out, k)
				}
			}
			if len(out) > 30 {
				return fmt.Sprintf("Troppe parole chiave: al massimo 30 (ora %d).", len(out))
			}
			s.Keywords = out
			return ""
		}},
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func listShort(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" e altri %d (vedi il foglio Elenchi)", len(items)-n)
}

// newService is a service with the defaults of every column.
func newService() service {
	return service{
		Status: defaultStatus, Coverage: defaultCoverage, CostKind: defaultCostKind,
		NationalCategory: defaultNationalCategory,
		NeededItems:      []string{}, Topics: []string{}, Keywords: []string{},
	}
}

// sameService reports whether a and b read the same in a spreadsheet: then importing b over a
// changes nothing worth a write.
func sameService(a, b *service, r *refs) bool {
	for _, c := range columns {
		if clean(c.get(a, r)) != clean(c.get(b, r)) {
			return false
		}
	}
	return true
}
