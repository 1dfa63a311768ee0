package catalogio

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// errRejected rolls back the import transaction when the file has problems (nothing was
// written yet: it only releases the lock).
var errRejected = errors.New("catalogio: file rejected")

// Import reads an XLSX or CSV file (told apart by content) and writes its services into t's
// draft: rows whose slug names an existing service update it (only the columns present in the
// file), the others create a service. The whole file is parsed and every row validated first;
// when any row is bad the Result lists every problem and nothing is written. Otherwise all the
// rows are written in one transaction with one "carta.import" audit entry, and Result.Warnings
// says, service by service, what publication will still miss.
//
// A file that cannot be read at all (empty, not a spreadsheet, too many rows) is an
// apperr.Invalid error whose message says why.
func Import(ctx context.Context, d *tenant.DB, t *tenant.Tenant, data []byte) (*Result, error) {
	if t == nil {
		return nil, apperr.ErrNotFound
	}
	if len(data) > MaxFileBytes {
		return nil, invalid(fmt.Sprintf("Il file supera i %d MB: dividilo in più file.", MaxFileBytes>>20))
	}
	tab, err := parse(data)
	if err != nil {
		return nil, err
	}
	res := &Result{Format: tab.format, Rows: len(tab.rows)}
	cols, problems := mapHeader(tab)
	if len(problems) > 0 {
		res.Problems = problems
		return res, nil
	}
	var actor *uuid.UUID
	if s := principal.StaffFrom(ctx); s != nil {
		id := s.UserID
		actor = &id
	}

	err = d.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := tx.CatalogioImportLock(ctx); err != nil {
			return fmt.Errorf("import lock: %w", err)
		}
		r, existing, err := load(ctx, tx)
		if err != nil {
			return err
		}
		plan := validate(tab, cols, r, existing)
		if len(plan.problems) > 0 {
			res.Problems = plan.problems
			return errRejected
		}
		for _, s := range plan.create {
			if err := tx.CatalogioServiceInsert(ctx, insertParams(s, actor)); err != nil {
				return fmt.Errorf("insert service %q: %w", s.Slug, err)
			}
		}
		for _, s := range plan.update {
			n, err := tx.CatalogioServiceUpdate(ctx, updateParams(s, actor))
			if err != nil {
				return fmt.Errorf("update service %q: %w", s.Slug, err)
			}
			if n != 1 {
				return fmt.Errorf("update service %q: %d rows", s.Slug, n)
			}
		}
		res.Created, res.Updated, res.Unchanged = len(plan.create), len(plan.update), plan.unchanged
		// What publication will refuse, checked on the draft as it now stands (deadlines and
		// documents attached in the staff area count), by publication's own rule.
		draft, err := catalog.LoadDraft(ctx, tx, t)
		if err != nil {
			return fmt.Errorf("draft after import: %w", err)
		}
		res.Warnings = warnings(draft, plan.lines)
		return audit.Record(ctx, tx, audit.Entry{
			Action: "carta.import", ObjectType: "carta", ObjectID: t.ID.String(),
			Changes: audit.Changes(nil, map[string]string{"Formato": strings.ToUpper(string(tab.format)), "Righe": fmt.Sprint(len(tab.rows)),
				"Servizi creati": fmt.Sprint(res.Created), "Servizi aggiornati": fmt.Sprint(res.Updated), "Servizi invariati": fmt.Sprint(res.Unchanged)}),
			Details: map[string]any{
				"format": string(tab.format), "rows": len(tab.rows), "columns": presentKeys(cols),
				"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged,
			},
		})
	})
	switch {
	case errors.Is(err, errRejected):
		res.Created, res.Updated, res.Unchanged, res.Warnings = 0, 0, 0, nil
		return res, nil
	case err != nil:
		var pe *pgconn.PgError
		if errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "23503") {
			// A service, category, office or person changed under us (another editor, in
			// the staff area) between reading and writing.
			return nil, apperr.Wrap(apperr.Conflict, "Il catalogo è stato modificato da qualcun altro durante l'importazione: nessun servizio è stato importato. Riprova.", err)
		}
		return nil, fmt.Errorf("catalogio: import: %w", err)
	}
	return res, nil
}

// mapHeader matches the header with the template's columns. Index i of the result is the
// column of cell i, or -1 for an empty header over an empty column.
func mapHeader(tab *table) ([]int, []Problem) {
	var problems []Problem
	cols := make([]int, len(tab.header))
	seen := map[int]int{}
	for i, h := range tab.header {
		cols[i] = -1
		key := headerKey(h)
		if key == "" {
			if columnHasData(tab, i) {
				problems = append(problems, Problem{Line: 1, Column: "", Letter: columnLetter(i),
					Reason: "La colonna non ha un nome nella prima riga ma contiene dati: scrivi il nome della colonna o cancellala."})
			}
			continue
		}
		c, ok := byKey(key)
		if !ok {
			problems = append(problems, Problem{Line: 1, Column: strings.TrimSpace(h), Letter: columnLetter(i),
				Reason: "Colonna sconosciuta: usa i nomi del modello (vedi il foglio Istruzioni) o cancella la colonna."})
			continue
		}
		if j, dup := seen[c]; dup {
			problems = append(problems, Problem{Line: 1, Column: strings.TrimSpace(h), Letter: columnLetter(i),
				Reason: fmt.Sprintf("La colonna compare due volte (anche in %s): tienine una sola.", columnLetter(j))})
			continue
		}
		seen[c] = i
		cols[i] = c
	}
	if _, ok := seen[0]; !ok && len(problems) == 0 {
		if _, hasTitle := seen[1]; !hasTitle {
			problems = append(problems, Problem{Line: 1, Reason: "Mancano sia la colonna slug sia la colonna titolo: servono per riconoscere o creare i servizi."})
		}
	}
	return cols, problems
}

func columnHasData(tab *table, i int) bool {
	for _, r := range tab.rows {
		if i < len(r.cells) && strings.TrimSpace(r.cells[i]) != "" {
			return true
		}
	}
	return false
}

func presentKeys(cols []int) []string {
	var out []string
	for _, c := range cols {
		if c >= 0 {
			out = append(out, columns[c].Key)
		}
	}
	return out
}

// load reads the tenant's categories, offices, people and services (its own only: an ambito
// can read its members' rows, which are not its to import into).
func load(ctx context.Context, tx *tenant.Tx) (*refs, []service, error) {
	cats, err := tx.CatalogioCategoryList(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("categories: %w", err)
	}
	offices, err := tx.CatalogioOfficeList(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("offices: %w", err)
	}
	people, err := tx.CatalogioPersonList(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("people: %w", err)
	}
	services, err := tx.CatalogioServiceList(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("services: %w", err)
	}
	return newRefs(cats, offices, people), services, nil
}

type plan struct {
	create, update []service
	unchanged      int
	problems       []Problem
	lines          map[string]int // slug → row, for every service of the file
}

// validate checks every row against the template and the tenant's data and says what to
// write; it writes nothing.
func validate(tab *table, cols []int, r *refs, existing []service) plan {
	p := plan{lines: map[string]int{}}
	bySlug := map[string]*service{}
	taken := map[string]bool{}
	position := int32(0)
	for i := range existing {
		bySlug[existing[i].Slug] = &existing[i]
		taken[existing[i].Slug] = true
		position = max(position, existing[i].Position)
	}
	slugCol := -1
	for i, c := range cols {
		if c == 0 {
			slugCol = i
		}
	}
	// Slugs written in the file are reserved before any is made from a title, so a made-up
	// slug never takes one a later row asks for.
	fileSlugs := map[string]int{}
	for _, row := range tab.rows {
		if s := cell(row, slugCol); s != "" && validSlug(s) {
			if _, dup := fileSlugs[s]; !dup {
				fileSlugs[s] = row.line
			}
			taken[s] = true
		}
	}

	for _, row := range tab.rows {
		before := len(p.problems)
		problem := func(i int, reason string) {
			name := ""
			if i >= 0 && i < len(tab.header) {
				name = strings.TrimSpace(tab.header[i])
			}
			p.problems = append(p.problems, Problem{Line: row.line, Column: name, Letter: columnLetter(i), Reason: reason})
		}
		for i := len(cols); i < len(row.cells); i++ {
			if strings.TrimSpace(row.cells[i]) != "" {
				problem(i, "Valore fuori dalle colonne dell'intestazione: spostalo nella colonna giusta o cancellalo.")
			}
		}

		// A bad or repeated slug is reported, and the rest of the row is still checked so
		// that one upload shows every problem.
		slug := cell(row, slugCol)
		slugOK := true
		switch {
		case slug == "":
		case !validSlug(slug):
			problem(slugCol, fmt.Sprintf("Slug «%s» non valido: usa solo lettere minuscole senza accenti, cifre e trattini (non all'inizio né alla fine), al massimo %d caratteri; oppure lascialo vuoto per un nuovo servizio.", shorten(slug, 60), MaxSlugLen))
			slugOK = false
		case fileSlugs[slug] != row.line:
			problem(slugCol, fmt.Sprintf("Lo slug «%s» compare già alla riga %d: ogni servizio deve comparire una sola volta.", slug, fileSlugs[slug]))
			slugOK = false
		}
		old := bySlug[slug]

		var s service
		if old != nil {
			s = *old
			s.NeededItems, s.Topics, s.Keywords = clone(old.NeededItems), clone(old.Topics), clone(old.Keywords)
		} else {
			s = newService()
		}
		for i, c := range cols {
			if c <= 0 { // unmapped, or the slug
				continue
			}
			col := columns[c]
			v := clean(cell(row, i))
			if v == "" && col.Required && slugOK {
				switch {
				case old == nil:
					problem(i, fmt.Sprintf("Campo obbligatorio per un nuovo servizio (%s).", col.Field))
					continue
				case clean(col.get(old, r)) != "":
					problem(i, fmt.Sprintf("Il campo «%s» non può essere svuotato.", col.Field))
					continue
				}
			}
			if msg := col.set(&s, v, r); msg != "" {
				problem(i, msg)
			}
		}
		if old == nil && slugOK {
			for _, c := range columns {
				if c.Required && colIndex(cols, c.Key) < 0 {
					p.problems = append(p.problems, Problem{Line: row.line, Column: c.Key,
						Reason: fmt.Sprintf("Manca la colonna %s, obbligatoria per un nuovo servizio (%s): aggiungila al file.", c.Key, c.Field)})
				}
			}
		}
		if len(p.problems) == before && s.Status == "sospeso" && s.StatusReason == "" {
			problem(colIndex(cols, "motivo_stato", "stato"), "Per un servizio sospeso indica il motivo nella colonna motivo_stato.")
		}
		if len(p.problems) > before {
			continue
		}

		switch {
		case old == nil:
			if slug == "" {
				slug = uniqueSlug(slugify(s.Title), taken)
			}
			s.Slug = slug
			position++
			s.Position = position
			p.create = append(p.create, s)
		case sameService(old, &s, r):
			p.unchanged++
		default:
			p.update = append(p.update, s)
		}
		p.lines[s.Slug] = row.line
	}
	return p
}

// cell returns cell i of row, "" when the row is shorter or i < 0.
func cell(row tableRow, i int) string {
	if i < 0 || i >= len(row.cells) {
		return ""
	}
	return strings.TrimSpace(row.cells[i])
}

// colIndex is the position in the file of the first of keys that is present, or -1.
func colIndex(cols []int, keys ...string) int {
	for _, k := range keys {
		for i, c := range cols {
			if c >= 0 && columns[c].Key == k {
				return i
			}
		}
	}
	return -1
}

func clone(s []string) []string { return append([]string{}, s...) }

func nz(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func insertParams(s service, actor *uuid.UUID) db.CatalogioServiceInsertParams {
	return db.CatalogioServiceInsertParams{
		Slug: s.Slug, Status: s.Status, StatusReason: s.StatusReason, CategoryID: s.CategoryID,
		MacroLevel: s.MacroLevel, NomenclatorCode: s.NomenclatorCode, Title: s.Title,
		ShortDescription: s.ShortDescription, Description: s.Description, Audience: s.Audience,
		Coverage: s.Coverage, HowTo: s.HowTo, NeededIntro: s.NeededIntro, NeededItems: nz(s.NeededItems),
		Obtained: s.Obtained, Timing: s.Timing, CostKind: s.CostKind, CostText: s.CostText,
		OfficeID: s.OfficeID, DigitalLabel: s.DigitalLabel, DigitalUrl: s.DigitalUrl,
		BookingUrl: s.BookingUrl, BookingText: s.BookingText, ConstraintsText: s.ConstraintsText,
		SpecialCases: s.SpecialCases, MoreInfo: s.MoreInfo, ConditionsText: s.ConditionsText,
		ContactsText: s.ContactsText, ResponsibleUnit: s.ResponsibleUnit,
		ResponsiblePersonID: s.ResponsiblePersonID, Providers: s.Providers, Topics: nz(s.Topics),
		NationalCategory: s.NationalCategory, Keywords: nz(s.Keywords), Position: s.Position,
		UpdatedBy: actor,
	}
}

func updateParams(s service, actor *uuid.UUID) db.CatalogioServiceUpdateParams {
	return db.CatalogioServiceUpdateParams{
		ID: s.ID, Status: s.Status, StatusReason: s.StatusReason, CategoryID: s.CategoryID,
		MacroLevel: s.MacroLevel, NomenclatorCode: s.NomenclatorCode, Title: s.Title,
		ShortDescription: s.ShortDescription, Description: s.Description, Audience: s.Audience,
		Coverage: s.Coverage, HowTo: s.HowTo, NeededIntro: s.NeededIntro, NeededItems: nz(s.NeededItems),
		Obtained: s.Obtained, Timing: s.Timing, CostKind: s.CostKind, CostText: s.CostText,
		OfficeID: s.OfficeID, DigitalLabel: s.DigitalLabel, DigitalUrl: s.DigitalUrl,
		BookingUrl: s.BookingUrl, BookingText: s.BookingText, ConstraintsText: s.ConstraintsText,
		SpecialCases: s.SpecialCases, MoreInfo: s.MoreInfo, ConditionsText: s.ConditionsText,
		ContactsText: s.ContactsText, ResponsibleUnit: s.ResponsibleUnit,
		ResponsiblePersonID: s.ResponsiblePersonID, Providers: s.Providers, Topics: nz(s.Topics),
		NationalCategory: s.NationalCategory, Keywords: nz(s.Keywords), UpdatedBy: actor,
	}
}
