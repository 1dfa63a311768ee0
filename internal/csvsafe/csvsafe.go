// Package csvsafe writes CSV files that a spreadsheet opens as data, never as formulas (OWASP
// "CSV injection"): a cell that begins with =, +, -, @, a tab or a carriage return is written
// behind an apostrophe, which spreadsheets show as the start of a text and which Unescape
// removes again when such a file is read back. Every CSV the service writes — open data for
// citizens and exports for staff — goes through Writer.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strings"
)

// formulaChars are the first characters that make a spreadsheet evaluate a cell.
const formulaChars = "=+-@\t\r"

// risky reports whether s, once the apostrophes it begins with are set aside, begins with a
// character that starts a formula. Counting those apostrophes makes Escape reversible even for
// a cell that already begins with "'=".
func risky(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.ContainsRune(formulaChars, rune(s[0]))
}

// Escape protects one cell: "=SUM(A1)" becomes "'=SUM(A1)"; other cells are returned as they are.
func Escape(s string) string {
	if risky(s) {
		return "'" + s
	}
	return s
}

// Unescape undoes Escape, for a cell read from a file this package (or a spreadsheet that
// kept the apostrophe) wrote: Unescape(Escape(s)) == s for every s.
func Unescape(s string) string {
	if strings.HasPrefix(s, "'") && risky(s) {
		return s[1:]
	}
	return s
}

// Writer is a csv.Writer that escapes every cell and ends lines with CRLF (RFC 4180).
type Writer struct {
	w   *csv.Writer
	buf []string
}

// NewWriter writes records to w separated by comma (',' for open data, ';' for the files
// staff open in Excel with Italian settings).
func NewWriter(w io.Writer, comma rune) *Writer {
	cw := csv.NewWriter(w)
	cw.Comma = comma
	cw.UseCRLF = true
	return &Writer{w: cw}
}

// Write writes one record, each cell escaped; record itself is not modified.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, v := range record {
		w.buf = append(w.buf, Escape(v))
	}
	return w.w.Write(w.buf)
}

// Flush writes any buffered data and returns the first error of the writer, if any.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
