package csvsafe_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/csvsafe"
)

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x")`: `'=HYPERLINK("http://x")`,
		"+39 06 123":             "'+39 06 123",
		"-2+3":                   "'-2+3",
		"@SUM(A1)":               "'@SUM(A1)",
		"\t=1":                   "'\t=1",
		"\r=1":                   "'\r=1",
		"'=1":                    "''=1", // already behind an apostrophe: one more, so Unescape gives it back
		"'già citato'":           "'già citato'",
		"normale = testo":        "normale = testo",
		"":                       "",
	} {
		require.Equal(t, want, csvsafe.Escape(in), "%q", in)
		require.Equal(t, in, csvsafe.Unescape(csvsafe.Escape(in)), "round trip of %q", in)
	}
	require.Equal(t, "'apostrofo", csvsafe.Unescape("'apostrofo"), "an apostrophe before plain text is data")
}

func TestWriterEscapesEveryCell(t *testing.T) {
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf, ';')
	rec := []string{"slug", "=1+1", "testo; con separatore", "@x"}
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Write([]string{"-", "ok"}))
	require.NoError(t, w.Flush())
	require.Equal(t, []string{"slug", "=1+1", "testo; con separatore", "@x"}, rec, "the caller's record is left alone")
	require.Equal(t, "slug;'=1+1;\"testo; con separatore\";'@x\r\n'-;ok\r\n", buf.String())

	r := csv.NewReader(&buf)
	r.Comma = ';'
	r.FieldsPerRecord = -1
	got, err := r.ReadAll()
	require.NoError(t, err)
	for _, row := range got {
		for _, cell := range row {
			require.NotContains(t, "=+-@", cell[:1], "cell %q would be read as a formula", cell)
		}
	}
}
