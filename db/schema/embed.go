// Package schema holds the database migrations (goose, SQL), embedded in the binary. sqlc reads
// the same files to type the queries in db/queries.
package schema

import "embed"

// FS holds every migration, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
