package catalogio

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
)

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Assistenza domiciliare per anziani": "assistenza-domiciliare-per-anziani",
		"Attività per l'infanzia":            "attivita-per-l-infanzia",
		"Perché è così?  Università & Caffè": "perche-e-cosi-universita-caffe",
		"  --SAD--  ": "sad",
		"!!!":         "servizio",
		"Città dell’Aquila: «Servizi» sociali": "citta-dell-aquila-servizi-sociali",
	} {
		got := slugify(in)
		require.Equal(t, want, got, in)
		require.True(t, validSlug(got), got)
	}
	long := slugify(strings.Repeat("parola ", 40))
	require.LessOrEqual(t, len(long), MaxSlugLen-10)
	require.True(t, validSlug(long))
	require.False(t, strings.HasSuffix(long, "-"))

	taken := map[string]bool{"sad": true, "sad-2": true}
	require.Equal(t, "sad-3", uniqueSlug("sad", taken))
	require.Equal(t, "sad-4", uniqueSlug("sad", taken))
	require.Equal(t, "pasti", uniqueSlug("pasti", taken))
}

func TestColumnLetter(t *testing.T) {
	for i, want := range map[int]string{-1: "", 0: "A", 25: "Z", 26: "AA", 32: "AG", 701: "ZZ", 702: "AAA"} {
		require.Equal(t, want, columnLetter(i), i)
	}
}

func TestDetectSeparator(t *testing.T) {
	require.Equal(t, ';', detectSeparator("slug;titolo;stato\r\na,b,c,d,e"))
	require.Equal(t, ',', detectSeparator("slug,titolo\n"))
	require.Equal(t, ',', detectSeparator(`"a;b;c",titolo,x`), "separators inside quotes do not count")
	require.Equal(t, '\t', detectSeparator("slug\ttitolo\tstato"))
	require.Equal(t, ',', detectSeparator("titolo"))
}

func TestCleanAndHeader(t *testing.T) {
	require.Equal(t, "a\nb\nc", clean("  a\r\nb\rc\x00\x07 \uFEFF"))
	require.Equal(t, "tab\tok", clean("tab\tok"))
	require.Equal(t, "codice_nomenclatore", headerKey(" Codice nomenclatore "))
	require.Equal(t, "cosa_e", headerKey("COSA-È*"))
	require.Equal(t, "mobilita sostenibile", fold("Mobilità   Sostenibile"))
	require.Equal(t, fold("Accesso all'informazione"), fold("accesso all’informazione"))
}

func TestDetect(t *testing.T) {
	_, err := detect([]byte("%PDF-1.7"))
	require.ErrorContains(t, err, "PDF")
	_, err = detect([]byte("PK\x03\x04not really a zip"))
	require.ErrorContains(t, err, "danneggiato")
	_, err = detect([]byte("titolo\x00\x00"))
	require.ErrorContains(t, err, "non è un foglio di calcolo")
	f, err := detect([]byte("titolo\r\nServizio"))
	require.NoError(t, err)
	require.Equal(t, FormatCSV, f)
}

func TestSummary(t *testing.T) {
	require.Equal(t, "12 servizi creati, 3 aggiornati.", (&Result{Created: 12, Updated: 3}).Summary())
	require.Equal(t, "1 servizio creato, 1 aggiornato, 2 invariati.", (&Result{Created: 1, Updated: 1, Unchanged: 2}).Summary())
	require.Equal(t, "0 servizi creati, 0 aggiornati, 1 invariato.", (&Result{Unchanged: 1}).Summary())
}

// Every column can be read back from what it writes: the premise of the round trip.
func TestColumnsRoundTrip(t *testing.T) {
	require.Len(t, columns, len(Columns()))
	seen := map[string]bool{}
	for _, c := range columns {
		require.False(t, seen[c.Key], "duplicate column %s", c.Key)
		seen[c.Key] = true
		require.Equal(t, c.Key, headerKey(c.Key))
		require.NotEmpty(t, c.Help, c.Key)
		require.NotEmpty(t, c.Allowed, c.Key)
		require.NotEmpty(t, c.Field, c.Key)
		require.Greater(t, c.Width, 0.0, c.Key)
	}
	for _, k := range []string{"slug", "titolo", "stato", "categoria", "livello_macro", "descrizione_breve", "copertura",
		"documenti_necessari", "costo_tipo", "ufficio", "canale_digitale_url", "responsabile", "argomenti",
		"categoria_nazionale", "parole_chiave"} {
		require.True(t, seen[k], k)
	}
	r := newRefs(nil, nil, nil)
	s := newService()
	for _, c := range columns {
		require.Empty(t, c.set(&s, clean(c.get(&s, r)), r), c.Key)
	}
}

// Every field publication requires is filled by some column, and only those columns are
// marked required in the template.
func TestFillsFollowTheCompletenessRule(t *testing.T) {
	want := map[string]bool{}
	for _, f := range catalog.RequiredFields() {
		want[f.Field] = true
		require.NotEmpty(t, columnsFilling(f.Field), "no column fills %s", f.Field)
	}
	for key, field := range fills {
		_, ok := byKey(key)
		require.True(t, ok, "fills names a column that does not exist: %s", key)
		require.True(t, want[field], "%s fills %s, which publication does not require", key, field)
	}
	for _, c := range columns {
		require.Equal(t, fills[c.Key] != "", strings.HasPrefix(requiredMarker(c), "sì"), c.Key)
		if c.Required {
			require.NotEmpty(t, fills[c.Key], "%s is required to import but not to publish", c.Key)
		}
	}
}
