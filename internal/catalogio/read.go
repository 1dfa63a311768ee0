package catalogio

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/csvsafe"
)

// SheetName is the sheet of the template holding the services; an import reads it, or the
// first sheet when a workbook has none of that name.
const SheetName = "Servizi"

// table is a spreadsheet as read: the header (line 1) and the rows after it, each with the
// line number the user sees.
type table struct {
	format Format
	header []string
	rows   []tableRow
}

type tableRow struct {
	line  int
	cells []string
}

func invalid(msg string) error { return apperr.New(apperr.Invalid, msg) }

// Reading limits beyond the 5 MB of the upload: a zip expands, and a sheet may hold formatted
// but empty rows far below the data.
const (
	maxUnzipped   = 200 << 20
	maxSheetLines = 100_000
)

// detect tells an XLSX from a CSV by content, never by the file's name.
func detect(data []byte) (Format, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return "", invalid("Il file è vuoto.")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return "", invalid("Il file sembra un foglio Excel ma è danneggiato: salvalo di nuovo in formato .xlsx e riprova.")
		}
		for _, f := range zr.File {
			if f.Name == "xl/workbook.xml" {
				return FormatXLSX, nil
			}
		}
		return "", invalid("Il file è un archivio ZIP ma non un foglio Excel (.xlsx): se usi LibreOffice o un altro programma, salva il foglio in formato .xlsx o CSV.")
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", invalid("Il file è nel vecchio formato Excel (.xls) o è protetto da password: salvalo in formato .xlsx (Excel 2007 o successivi) o CSV, senza password.")
	case bytes.HasPrefix(data, []byte("%PDF")):
		return "", invalid("Il file è un PDF: carica il foglio di calcolo in formato .xlsx o CSV.")
	case bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0:
		return "", invalid("Il file non è un foglio di calcolo: carica un file .xlsx o CSV.")
	}
	return FormatCSV, nil
}

// parse reads the whole file into a table.
func parse(data []byte) (*table, error) {
	f, err := detect(data)
	if err != nil {
		return nil, err
	}
	var t *table
	if f == FormatXLSX {
		t, err = parseXLSX(data)
	} else {
		t, err = parseCSV(data)
	}
	if err != nil {
		return nil, err
	}
	t.format = f
	return t, nil
}

func parseXLSX(data []byte) (*table, error) {
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped,
	})
	if err != nil {
		// Damaged, encrypted, or expanding beyond maxUnzipped: the user can only save it again.
		return nil, invalid("Il foglio Excel non è leggibile (danneggiato, protetto da password o troppo grande): salvalo di nuovo in formato .xlsx e riprova.")
	}
	defer wb.Close()
	sheet := SheetName
	if idx, _ := wb.GetSheetIndex(sheet); idx < 0 {
		list := wb.GetSheetList()
		if len(list) == 0 {
			return nil, invalid("Il foglio Excel non contiene fogli.")
		}
		sheet = list[0]
	}
	rows, err := wb.Rows(sheet)
	if err != nil {
		return nil, invalid("Il foglio «" + sheet + "» non è leggibile: salvalo di nuovo in formato .xlsx e riprova.")
	}
	defer rows.Close()
	t := &table{}
	for n := 1; rows.Next(); n++ {
		if n > maxSheetLines {
			return nil, invalid(fmt.Sprintf("Il foglio «%s» ha più di %s righe: elimina le righe vuote in fondo e riprova.", sheet, thousands(maxSheetLines)))
		}
		cells, err := rows.Columns()
		if err != nil {
			return nil, invalid(fmt.Sprintf("La riga %d del foglio «%s» non è leggibile.", n, sheet))
		}
		if err := t.add(n, cells); err != nil {
			return nil, err
		}
	}
	if err := rows.Error(); err != nil {
		return nil, invalid("Il foglio «" + sheet + "» non è leggibile: salvalo di nuovo in formato .xlsx e riprova.")
	}
	return t, t.check()
}

func parseCSV(data []byte) (*table, error) {
	text := decodeText(data)
	sep := detectSeparator(text)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	t := &table{}
	// encoding/csv skips empty lines, which a spreadsheet shows as empty rows: the row the
	// user sees is counted from where each record starts in the file.
	row, lastEnd := 0, 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, invalid(fmt.Sprintf("Il file CSV non è leggibile alla riga %d del file: controlla le virgolette (un testo che contiene il separatore, virgolette o un a capo va racchiuso tra virgolette doppie).", pe.StartLine))
			}
			return nil, invalid("Il file CSV non è leggibile.")
		}
		start, _ := r.FieldPos(0)
		row += start - lastEnd
		endLine, _ := r.FieldPos(len(rec) - 1)
		lastEnd = endLine + strings.Count(rec[len(rec)-1], "\n")
		if row > maxSheetLines {
			return nil, invalid(fmt.Sprintf("Il file ha più di %s righe.", thousands(maxSheetLines)))
		}
		for i := range rec {
			rec[i] = csvsafe.Unescape(rec[i])
		}
		if err := t.add(row, rec); err != nil {
			return nil, err
		}
	}
	return t, t.check()
}

// decodeText returns the file as UTF-8 without a byte order mark. A file that is not UTF-8 is
// read as Windows-1252: what Excel writes for "CSV (delimitato dal separatore di elenco)" on
// Italian Windows.
func decodeText(data []byte) string {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(out)
}

// detectSeparator picks ; or , (or a tab) by counting them outside quotes in the header line:
// Excel in Italian writes ;, most other programs write ,.
func detectSeparator(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' {
			break
		}
		if r == ';' || r == ',' || r == '\t' {
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// add appends a line: the first is the header, blank lines after it are skipped.
func (t *table) add(line int, cells []string) error {
	if t.header == nil {
		if line != 1 || blank(cells) {
			return invalid("La prima riga del foglio deve contenere i nomi delle colonne (slug, titolo, …): scarica il modello e copia i servizi sotto la sua intestazione.")
		}
		t.header = cells
		return nil
	}
	if blank(cells) {
		return nil
	}
	t.rows = append(t.rows, tableRow{line: line, cells: cells})
	if len(t.rows) > MaxRows {
		return invalid(fmt.Sprintf("Il file contiene più di %s servizi: dividilo in più file di al massimo %s righe ciascuno.", thousands(MaxRows), thousands(MaxRows)))
	}
	return nil
}

func (t *table) check() error {
	if t.header == nil {
		return invalid("Il file è vuoto.")
	}
	if len(t.rows) == 0 {
		return invalid("Il file non contiene servizi: scrivi un servizio per riga sotto l'intestazione.")
	}
	return nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// headerKey makes a header comparable with the template's: "Codice nomenclatore " and
// "codice-nomenclatore" both read codice_nomenclatore.
func headerKey(h string) string {
	h = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(clean(h)), "*"))
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(fold(h))
	return h
}
