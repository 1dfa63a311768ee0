// Package catalogio moves a tenant's draft services in and out of a spreadsheet (XLSX or CSV):
// a downloadable template with one row per service and one column per importable field, an
// import that validates the whole file before writing anything and then writes it in one
// transaction, and an export in the same format, so that exporting and importing the same file
// changes nothing. It owns its own queries (db/queries/catalogio.sql) and uses only the
// exported model and reference lists of package catalog.
package catalogio

import (
	"fmt"
	"strings"
)

// Format is a spreadsheet format.
type Format string

const (
	FormatXLSX Format = "xlsx"
	FormatCSV  Format = "csv"
)

// Limits of one import.
const (
	MaxFileBytes = 5 << 20 // 5 MB
	MaxRows      = 2000    // services (non-blank rows) per file
)

// Problem is one reason a file cannot be imported. Line is the row number as the user sees it
// in the spreadsheet (the header is line 1; 0 for a problem with the whole file), Column the
// header of the column as written in the file, Letter its spreadsheet column (A, B, ...).
type Problem struct {
	Line   int
	Column string
	Letter string
	Reason string
}

// Result is the outcome of an import. When Problems is not empty nothing was written.
// Warnings, for an import that went ahead, list the services of the file that publication
// would refuse as they stand, in the file's order.
type Result struct {
	Format    Format
	Rows      int // services read from the file
	Created   int
	Updated   int
	Unchanged int
	Problems  []Problem
	Warnings  []Warning
}

// OK reports whether the file was imported.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// Summary is the Italian sentence shown after a successful import, e.g. "12 servizi creati,
// 3 aggiornati, 1 invariato."
func (r *Result) Summary() string {
	parts := []string{
		plural(r.Created, "servizio creato", "servizi creati"),
		plural(r.Updated, "aggiornato", "aggiornati"),
	}
	if r.Unchanged > 0 {
		parts = append(parts, plural(r.Unchanged, "invariato", "invariati"))
	}
	return strings.Join(parts, ", ") + "."
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// columnLetter turns a 0-based column index into its spreadsheet name: 0 → A, 26 → AA.
func columnLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
