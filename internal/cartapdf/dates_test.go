package cartapdf

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
)

// The PDFs write dates as the site does: the ordinal first of the month, and the article
// elided before 8 and 11.
func TestDatesTakeTheOrdinalAndTheElidedArticle(t *testing.T) {
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 0, 0, 0, rome) }
	require.Equal(t, "1º marzo 2026", dateIT(at(time.March, 1)))
	require.Equal(t, "12 marzo 2026", dateIT(at(time.March, 12)))
	require.Empty(t, dateIT(time.Time{}))
	require.Equal(t, "1º gennaio 2027", dateIT(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)), "in Italian time")

	require.Equal(t, "versione 3 del 12 marzo 2026", versionOf(3, at(time.March, 12)))
	require.Equal(t, "versione 2 dell'8 marzo 2026", versionOf(2, at(time.March, 8)))
	require.Equal(t, "versione 1 del 1º marzo 2026", versionOf(1, at(time.March, 1)))
	require.Equal(t, "il 12 marzo 2026", datePrep("il", at(time.March, 12)))
	require.Equal(t, "l'11 marzo 2026", datePrep("il", at(time.March, 11)))

	require.Equal(t, "dal 1º agosto 2026 all'11 agosto 2026: chiuso (chiusura estiva)",
		exceptionText(catalog.Exception{From: "2026-08-01", To: "2026-08-11", Closed: true, Reason: "chiusura estiva"}))
	require.Equal(t, "dall'8 agosto 2026 al 21 agosto 2026: chiuso",
		exceptionText(catalog.Exception{From: "2026-08-08", To: "2026-08-21", Closed: true}))
	require.Equal(t, "1º maggio 2026: chiuso", exceptionText(catalog.Exception{From: "2026-05-01", To: "2026-05-01", Closed: true}))
}
