package catalog_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
)

func TestSlugifyFoldsItalianAccents(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Attività per l'età evolutiva":           "attivita-per-l-eta-evolutiva",
		"Perché è già così: più città!":          "perche-e-gia-cosi-piu-citta",
		"  Servizio   Sociale -- Professionale ": "servizio-sociale-professionale",
		"Centro diurno «Il Sorriso» (Noci)":      "centro-diurno-il-sorriso-noci",
		"Über Straße Ñandú":                      "uber-strasse-nandu",
		"ADI 2026/27":                            "adi-2026-27",
		"???":                                    "",
	} {
		require.Equal(t, want, catalog.Slugify(in, 120), in)
		if want != "" {
			require.True(t, catalog.ValidSlug(want, 120), want)
		}
	}
	long := catalog.Slugify(strings.Repeat("assistenza domiciliare ", 20), 40)
	require.LessOrEqual(t, len(long), 40)
	require.True(t, catalog.ValidSlug(long, 40), long)
	require.Equal(t, "abcdefghij", catalog.Slugify(strings.Repeat("abcdefghij", 3), 10), "one long word is cut")

	require.Equal(t, "GIOVANI-E", catalog.CategoryCodeFrom("Giovani e adolescenti"))
	require.Equal(t, "DONNE-E-MINORI", catalog.CategoryCodeFrom("Donne e minori"))
	require.Equal(t, "CAT", catalog.CategoryCodeFrom("è"))
	require.True(t, catalog.ValidCategoryCode(catalog.CategoryCodeFrom("Persone senza dimora e povertà estrema")))
}

func TestDetectDocumentType(t *testing.T) {
	t.Parallel()
	require.Equal(t, "application/pdf", catalog.DetectDocumentType(tinyPDF))
	require.Equal(t, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", catalog.DetectDocumentType(minimalDOCX(t)))
	require.Equal(t, "application/vnd.oasis.opendocument.text", catalog.DetectDocumentType(minimalODT(t)))
	for name, data := range map[string][]byte{
		"empty":            nil,
		"text":             []byte("ciao"),
		"pdf not at start": []byte(" %PDF-1.4"),
		"truncated zip":    minimalDOCX(t)[:40],
		// A macro-enabled Word document declares another main part: refused.
		"docm": zipOf(t, [2]string{"[Content_Types].xml", `<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/>`},
			[2]string{"word/document.xml", "<w:document/>"}),
		"docx without its document": zipOf(t, [2]string{"[Content_Types].xml",
			`application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml`}),
		"odt without content": zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.text"}),
	} {
		require.Empty(t, catalog.DetectDocumentType(data), name)
	}
	ct, msg := catalog.CheckDocument(tinyPDF)
	require.Equal(t, "application/pdf", ct)
	require.Empty(t, msg)
}
