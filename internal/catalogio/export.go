package catalogio

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/csvsafe"
	"github.com/cartasociale/carta/internal/tenant"
)

// ContentType is the media type of a format, for downloads.
func (f Format) ContentType() string {
	if f == FormatXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Export writes t's draft services (its own, every status) in format f: the template's header
// and one row per service, so that importing the file back changes nothing.
func Export(ctx context.Context, d *tenant.DB, t *tenant.Tenant, f Format, w io.Writer) error {
	return write(ctx, d, t, f, w, true)
}

// Template writes the empty template in format f: the header and, in an XLSX, the sheets
// "Istruzioni" (every column explained, with its allowed values) and "Elenchi" (t's
// categories and offices, the topics and the national categories), and drop-down lists where
// a column has a closed set of values.
func Template(ctx context.Context, d *tenant.DB, t *tenant.Tenant, f Format, w io.Writer) error {
	return write(ctx, d, t, f, w, false)
}

func write(ctx context.Context, d *tenant.DB, t *tenant.Tenant, f Format, w io.Writer, withServices bool) error {
	if t == nil {
		return apperr.ErrNotFound
	}
	var (
		r        *refs
		services []service
	)
	err := d.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		r, services, err = load(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("catalogio: export: %w", err)
	}
	if !withServices {
		services = nil
	}
	rows := make([][]string, len(services))
	for i := range services {
		row := make([]string, len(columns))
		for j, c := range columns {
			row[j] = clean(c.get(&services[i], r))
		}
		rows[i] = row
	}
	switch f {
	case FormatCSV:
		return writeCSV(w, rows)
	case FormatXLSX:
		return writeXLSX(w, rows, r)
	}
	return apperr.New(apperr.NotFound, "Formato non supportato.")
}

// writeCSV writes UTF-8 with a byte order mark (without it Excel reads the accents as
// Windows-1252), ";" between values (what Excel expects with Italian settings) and CRLF, every
// cell protected from being read as a formula (csvsafe).
func writeCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csvsafe.NewWriter(w, ';')
	if err := cw.Write(Columns()); err != nil {
		return err
	}
	for _, row := range rows {
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return cw.Flush()
}

const (
	sheetHelp  = "Istruzioni"
	sheetLists = "Elenchi"
	headerFill = "0066CC" // Bootstrap Italia's primary blue
)

// instructions are the general rules, first on the "Istruzioni" sheet.
var instructions = []string{
	"Come compilare il foglio «Servizi»",
	"Scrivi un servizio per riga. La prima riga contiene i nomi delle colonne: non modificarli. Puoi eliminare le colonne che non ti servono e cambiarne l'ordine.",
	requiredSentence(),
	"Per aggiornare un servizio esistente indica il suo slug: cambiano solo le colonne presenti nel file; le colonne che hai eliminato restano come sono. Una cella vuota svuota il campo (per stato, copertura, costo_tipo e categoria_nazionale vale il valore predefinito).",
	"Il modo più semplice per aggiornare il catalogo è esportare i servizi in Excel, modificare il file e importarlo di nuovo.",
	"Prima di salvare controlliamo tutto il file: se anche una sola riga ha un errore non viene importato nulla e ricevi l'elenco degli errori con riga, colonna e motivo.",
	fmt.Sprintf("Al massimo %s servizi e %d MB per file, in formato .xlsx oppure CSV (UTF-8, valori separati da punto e virgola o da virgola).", thousands(MaxRows), MaxFileBytes>>20),
	"I servizi importati vanno nella bozza della Carta: i cittadini li vedono dopo la pubblicazione da parte del responsabile.",
}

func writeXLSX(w io.Writer, rows [][]string, r *refs) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	if err := servicesSheet(f, rows); err != nil {
		return fmt.Errorf("catalogio: xlsx: %w", err)
	}
	if err := helpSheet(f); err != nil {
		return fmt.Errorf("catalogio: xlsx help: %w", err)
	}
	names, err := listsSheet(f, r)
	if err != nil {
		return fmt.Errorf("catalogio: xlsx lists: %w", err)
	}
	if err := validations(f, names); err != nil {
		return fmt.Errorf("catalogio: xlsx validations: %w", err)
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

func headerStyle(f *excelize.File) (int, error) {
	return f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headerFill}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "003366", Style: 2}},
	})
}

func servicesSheet(f *excelize.File, rows [][]string) error {
	hs, err := headerStyle(f)
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}, NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	// Column styles first: setting one restyles the cells already in the column.
	for i, c := range columns {
		col := columnLetter(i)
		if err := f.SetColWidth(SheetName, col, col, c.Width); err != nil {
			return err
		}
		// Text format, so that a slug of digits or a code like "010" stays as written.
		if c.Key != "livello_macro" {
			if err := f.SetColStyle(SheetName, col, text); err != nil {
				return err
			}
		}
	}
	header := make([]any, len(columns))
	for i, c := range columns {
		header[i] = c.Key
	}
	if err := f.SetSheetRow(SheetName, "A1", &header); err != nil {
		return err
	}
	last := columnLetter(len(columns) - 1)
	if err := f.SetCellStyle(SheetName, "A1", last+"1", hs); err != nil {
		return err
	}
	if err := f.SetRowHeight(SheetName, 1, 30); err != nil {
		return err
	}
	macro, _ := byKey("livello_macro")
	for i, row := range rows {
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
			if j == macro && v != "" {
				if n, err := strconv.Atoi(v); err == nil {
					vals[j] = n
				}
			}
		}
		if err := f.SetSheetRow(SheetName, "A"+strconv.Itoa(i+2), &vals); err != nil {
			return err
		}
	}
	if err := f.SetPanes(SheetName, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1,
		TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	return f.AutoFilter(SheetName, "A1:"+last+strconv.Itoa(max(len(rows)+1, 2)), nil)
}

func helpSheet(f *excelize.File) error {
	if _, err := f.NewSheet(sheetHelp); err != nil {
		return err
	}
	hs, err := headerStyle(f)
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	for i, s := range instructions {
		cellRef := "A" + strconv.Itoa(i+1)
		if err := f.SetCellStr(sheetHelp, cellRef, s); err != nil {
			return err
		}
		if i == 0 {
			if err := f.SetCellStyle(sheetHelp, cellRef, cellRef, title); err != nil {
				return err
			}
		}
	}
	start := len(instructions) + 2
	head := []any{"Colonna", "Campo della scheda", "Obbligatoria", "Che cosa scrivere", "Valori ammessi", "Esempio"}
	if err := f.SetSheetRow(sheetHelp, "A"+strconv.Itoa(start), &head); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheetHelp, "A"+strconv.Itoa(start), "F"+strconv.Itoa(start), hs); err != nil {
		return err
	}
	for i, c := range columns {
		row := []any{c.Key, c.Field, requiredMarker(c), c.Help, c.Allowed, c.Example}
		n := strconv.Itoa(start + 1 + i)
		if err := f.SetSheetRow(sheetHelp, "A"+n, &row); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheetHelp, "A"+n, "F"+n, wrap); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 26, "B": 30, "C": 28, "D": 60, "E": 50, "F": 36} {
		if err := f.SetColWidth(sheetHelp, col, col, width); err != nil {
			return err
		}
	}
	return nil
}

// list is a block of the "Elenchi" sheet: a column of values, with a defined name that the
// drop-down lists of the "Servizi" sheet refer to (a list typed into a validation is limited
// to 255 characters and cannot hold values with commas, like "Salute, benessere e assistenza").
type list struct {
	name, title string
	values      []string
	labels      []string // an optional second column explaining each value
}

func listsSheet(f *excelize.File, r *refs) (map[string]string, error) {
	if _, err := f.NewSheet(sheetLists); err != nil {
		return nil, err
	}
	hs, err := headerStyle(f)
	if err != nil {
		return nil, err
	}
	catLabels := make([]string, len(r.catCodes))
	for i, c := range r.catCodes {
		catLabels[i] = r.catNames[c]
	}
	officeLabels := make([]string, len(r.officeSlugs))
	for i, s := range r.officeSlugs {
		officeLabels[i] = r.officeNames[s]
	}
	macroLabels := make([]string, len(macroCodes))
	for i := range macroCodes {
		macroLabels[i] = catalog.MacroLevels[i+1]
	}
	costLabels := make([]string, len(catalog.CostKinds))
	for i, k := range catalog.CostKinds {
		costLabels[i] = k.Label
	}
	lists := []list{
		{"ElencoCategorie", "categoria", r.catCodes, catLabels},
		{"ElencoUffici", "ufficio", r.officeSlugs, officeLabels},
		{"ElencoStati", "stato", statuses, nil},
		{"ElencoCopertura", "copertura", coverages, nil},
		{"ElencoCosti", "costo_tipo", costKinds, costLabels},
		{"ElencoMacroLivelli", "livello_macro", macroCodes, macroLabels},
		{"ElencoCategorieNazionali", "categoria_nazionale", catalog.ServiceCategories, nil},
		{"ElencoArgomenti", "argomenti", catalog.Topics, nil},
	}
	names := map[string]string{}
	col := 0
	for _, l := range lists {
		c := columnLetter(col)
		head := []any{l.title}
		if l.labels != nil {
			head = append(head, "significato")
		}
		if err := f.SetSheetRow(sheetLists, c+"1", &head); err != nil {
			return nil, err
		}
		width := 1
		if l.labels != nil {
			width = 2
		}
		if err := f.SetCellStyle(sheetLists, c+"1", columnLetter(col+width-1)+"1", hs); err != nil {
			return nil, err
		}
		for i, v := range l.values {
			row := []any{v}
			if l.labels != nil {
				row = append(row, l.labels[i])
			}
			if err := f.SetSheetRow(sheetLists, c+strconv.Itoa(i+2), &row); err != nil {
				return nil, err
			}
		}
		if err := f.SetColWidth(sheetLists, c, columnLetter(col+width-1), 28); err != nil {
			return nil, err
		}
		if len(l.values) > 0 {
			ref := fmt.Sprintf("'%s'!$%s$2:$%s$%d", sheetLists, c, c, len(l.values)+1)
			if err := f.SetDefinedName(&excelize.DefinedName{Name: l.name, RefersTo: ref}); err != nil {
				return nil, err
			}
			names[l.title] = l.name
		}
		col += width + 1
	}
	return names, nil
}

// validations adds a drop-down list to every column with a closed set of values, for the rows
// an import accepts.
func validations(f *excelize.File, names map[string]string) error {
	lastRow := strconv.Itoa(MaxRows + 1)
	for i, c := range columns {
		name, ok := names[c.Key]
		if !ok || c.Key == "argomenti" { // several topics per cell: a list would refuse them
			continue
		}
		col := columnLetter(i)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = col + "2:" + col + lastRow
		if c.Key == "livello_macro" {
			if err := dv.SetRange(1, 5, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Macro livello non valido", "Scrivi un numero da 1 a 5, oppure lascia vuota la cella.")
		} else {
			dv.SetSqrefDropList(name)
			dv.SetError(excelize.DataValidationErrorStyleStop, "Valore non ammesso",
				"Scegli un valore dall'elenco (vedi i fogli Istruzioni ed Elenchi), oppure lascia vuota la cella.")
		}
		if err := f.AddDataValidation(SheetName, dv); err != nil {
			return err
		}
	}
	return nil
}
