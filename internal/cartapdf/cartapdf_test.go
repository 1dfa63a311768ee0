package cartapdf_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/catalog"
)

var (
	update = flag.Bool("update", false, "rewrite testdata/golden.sha256 with the hashes of the generated PDFs")
	write  = flag.String("write", "", "also write the generated PDFs to this folder, to look at them")
)

const surveyURL = "https://forli.carta.example.it/questionario?fonte=guida"

func options(t testing.TB) cartapdf.Options {
	return cartapdf.Options{TenantURL: "https://forli.carta.example.it", SurveyURL: surveyURL, Fonts: fonts(t)}
}

func generate(t *testing.T) (carta, guida []byte) {
	t.Helper()
	var err error
	carta, err = cartapdf.Carta(comuneView(), options(t))
	require.NoError(t, err)
	guida, err = cartapdf.Guida(comuneView(), options(t))
	require.NoError(t, err)
	save(t, "carta.pdf", carta)
	save(t, "guida.pdf", guida)
	return carta, guida
}

// save keeps a copy of a generated PDF when the test runs with -write DIR.
func save(t *testing.T, name string, pdf []byte) {
	if *write == "" {
		return
	}
	require.NoError(t, os.MkdirAll(*write, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(*write, name), pdf, 0o644))
}

// flat joins pdftotext's lines so that a phrase wrapped across lines still matches.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestCartaContent(t *testing.T) {
	t.Parallel()
	carta, _ := generate(t)
	require.True(t, bytes.HasPrefix(carta, []byte("%PDF-")), "not a PDF")

	info := pdfinfo(t, carta)
	pages, err := strconv.Atoi(info["Pages"])
	require.NoError(t, err)
	require.GreaterOrEqual(t, pages, 8, "cover, contents, general part, 4 categories, offices, people, sites")
	require.LessOrEqual(t, pages, 30)
	require.Equal(t, "Carta dei Servizi Sociali - Comune di Forlì", info["Title"])
	require.Equal(t, "Comune di Forlì", info["Author"])
	require.Equal(t, "2026-03-12T10:30:00Z", normalizeISO(info["CreationDate"]), "creation date is the publication date")

	raw := pdftotext(t, carta)
	txt := flat(raw)
	for _, want := range []string{
		// cover
		"Comune di Forlì", "Carta dei Servizi Sociali", "Versione 3, pubblicata il 12 marzo 2026",
		"Prima pubblicazione: 7 gennaio 2025", "Comprende i servizi dell'Ambito «Valle del Savio» (versione 2",
		"Aggiornati gli orari dello sportello e le tariffe 2026 (più chiare).", "https://forli.carta.example.it",
		// contents and chapters
		"Indice", "1. Parte generale", "2. I servizi", "3. Uffici e orari di apertura", "4. Responsabili", "5. Siti istituzionali utili",
		// general part from Markdown, with accents and symbols
		"Uguaglianza: i servizi sono erogati", "Imparzialità", "àèéìòù ÀÈÉÌÒÙ «virgolette» €",
		"Tempestività risposte entro 30 giorni",
		// services, grouped by category, own and ambito
		"Welfare d'accesso e segretariato sociale", "Segretariato sociale: informazione e orientamento",
		"Stato: Attivo", "È il servizio che accoglie tutti i cittadini",
		"la pagina del Ministero (https://www.lavoro.gov.it)", "https://www.inps.it",
		"1. Prenota un appuntamento per telefono", "Primo colloquio entro 7 giorni lavorativi dalla richiesta.",
		"Domande contributo affitti, 31 maggio 2026: ultimo giorno utile",
		"Dove andare: Sportello sociale polivalente, Piazza Aurelio Saffi 8, 47121 Forlì",
		"Orari: Lunedì: 9:00–12:00; Martedì: 9:00–12:00, 15:30–17:30",
		"Online: Prenota online https://forli.example.it/prenota",
		"Responsabile: Lucia Ferrè, Responsabile del Servizio Sociale · tel. 0543 712 001 · e-mail l.ferre@comune.example.it",
		"Standard di qualità", "Dimensione Standard Indicatore Obiettivo", "almeno 90%", "al massimo 180 giorni",
		"Stato: Sospeso: in attesa del bando regionale 2026", "fino a 1.500 € l'anno",
		"Cooperativa sociale «Il Mosaico»", "30 € a incontro", "Modulo di domanda - domanda-contributo.pdf",
		"Centro antiviolenza «Così non è amore»", "Servizio dell'ambito", "Assistenza domiciliare (SAD)",
		"Dove andare: Ufficio di Piano, Via Città di Castello 4, 47521 Cesena",
		"Donne vittime di violenza",
		// offices, people, sites
		"Chiusure e orari straordinari", "dal 10 agosto 2026 al 21 agosto 2026: chiuso (chiusura estiva)",
		"Ufficio di Piano (Ambito «Valle del Savio»)", "Gianluca D'Amato", "Niccolò Bertè",
		"INPS (https://www.inps.it)",
		// footer
		"Comune di Forlì · Carta dei Servizi Sociali · versione 3 del 12 marzo 2026", "Pagina 2 di " + info["Pages"],
	} {
		require.Contains(t, txt, want)
	}
	// The ambito service without an office of its own sends citizens to the comune's desk.
	sad := txt[strings.Index(txt, "Assistenza domiciliare (SAD) Stato"):]
	require.Contains(t, sad[:1500], "Dove andare: Sportello sociale polivalente")
	for _, absent := range []string{
		"Telesoccorso nascosto", // hidden by the comune
		"Servizio archiviato",   // archived
		"alert",                 // raw HTML and javascript: links are dropped
		"javascript",
		"Vincoli",          // its only content was raw HTML
		"24 dicembre 2025", // a closure already past at publication
		"😀",
	} {
		require.NotContains(t, txt, absent)
	}
	// The table of contents names the page each entry lands on.
	m := regexp.MustCompile(`Centro antiviolenza «Così non è amore»[ .]*(\d+)\n`).FindStringSubmatch(pdftotext(t, carta, "-layout"))
	require.NotNil(t, m, "contents line with page number")
	n, _ := strconv.Atoi(m[1])
	pageText := strings.Split(raw, "\f")[n-1]
	require.Contains(t, flat(pageText), "Centro antiviolenza «Così non è amore» Stato: Attivo")
}

// normalizeISO accepts pdfinfo's "2026-03-12T10:30:00Z" or "+00:00".
func normalizeISO(s string) string { return strings.Replace(s, "+00:00", "Z", 1) }

func TestGuidaContent(t *testing.T) {
	t.Parallel()
	_, guida := generate(t)
	require.True(t, bytes.HasPrefix(guida, []byte("%PDF-")))
	info := pdfinfo(t, guida)
	pages, err := strconv.Atoi(info["Pages"])
	require.NoError(t, err)
	// Four categories, one or two pages each, then one or two final pages.
	require.GreaterOrEqual(t, pages, 5)
	require.LessOrEqual(t, pages, 10)
	require.Equal(t, "Guida sintetica ai servizi sociali - Comune di Forlì", info["Title"])

	raw := pdftotext(t, guida)
	txt := flat(raw)
	for _, want := range []string{
		"Comune di Forlì", "Guida sintetica ai servizi sociali", "versione 3 del 12 marzo 2026",
		"Welfare d'accesso e segretariato sociale", "Famiglia e minori", "Anziani", "Donne vittime di violenza",
		"Segretariato sociale: informazione e orientamento",
		"Il primo punto d'incontro: ascolto, informazioni sui servizi e orientamento",
		"Dove Sportello sociale polivalente, Piazza Aurelio Saffi 8, 47121 Forlì",
		"Quando lun, mer, ven 9:00–12:00 · mar, gio 9:00–12:00, 15:30–17:30", "Online https://forli.example.it/prenota",
		"Telefono 0543 712 000", "Contributo per l'affitto SOSPESO", "fino a 1.500 € l'anno",
		"Centro antiviolenza «Così non è amore» servizio dell'ambito", "Telefono 0547 356 111",
		"Uffici e orari", "Centro per le famiglie", "Orari: mar, gio 14:00–18:00",
		"Come presentare un reclamo", "risponde entro trenta giorni",
		cartapdf.SurveyCaption, surveyURL,
		"Questionario di gradimento", "Servizio utilizzato", "Suggerimenti e segnalazioni",
		"Pagina 1 di " + info["Pages"],
	} {
		require.Contains(t, txt, want)
	}
	for i, item := range cartapdf.SurveyItems {
		require.Contains(t, txt, strconv.Itoa(i+1)+". "+item)
	}
	require.NotContains(t, txt, "Telesoccorso nascosto")
	// Every category starts on a page of its own.
	pagesText := strings.Split(raw, "\f")
	for _, cat := range []string{"Welfare d'accesso e segretariato sociale", "Famiglia e minori", "Donne vittime di violenza"} {
		found := false
		for _, p := range pagesText {
			lines := strings.Split(strings.TrimSpace(p), "\n")
			for _, l := range lines[:min(len(lines), 12)] {
				if strings.TrimSpace(l) == cat {
					found = true
				}
			}
		}
		require.True(t, found, "category %q heads a page", cat)
	}
}

// TestGuidaQRCodeDecodes renders the page with the QR code as an image, as a phone camera
// would see it, and decodes it.
func TestGuidaQRCodeDecodes(t *testing.T) {
	t.Parallel()
	_, guida := generate(t)
	bin, err := exec.LookPath("pdftoppm")
	require.NoError(t, err, "pdftoppm is missing: install Debian's poppler-utils (apt-get install poppler-utils)")
	dir := t.TempDir()
	in := filepath.Join(dir, "guida.pdf")
	require.NoError(t, os.WriteFile(in, guida, 0o600))
	pages, _ := strconv.Atoi(pdfinfo(t, guida)["Pages"])
	raw := strings.Split(pdftotext(t, guida), "\f")
	qrPage := 0
	for i, p := range raw {
		if strings.Contains(p, cartapdf.SurveyCaption) {
			qrPage = i + 1
		}
	}
	require.NotZero(t, qrPage, "the caption of the QR code")
	require.LessOrEqual(t, qrPage, pages)
	out, err := exec.Command(bin, "-png", "-r", "150", "-f", strconv.Itoa(qrPage), "-l", strconv.Itoa(qrPage), in, filepath.Join(dir, "p")).CombinedOutput()
	require.NoError(t, err, "pdftoppm: %s", out)
	matches, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	require.Len(t, matches, 1)
	f, err := os.Open(matches[0])
	require.NoError(t, err)
	defer f.Close()
	img, _, err := image.Decode(f)
	require.NoError(t, err)
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	require.NoError(t, err, "the QR code on page %d does not decode", qrPage)
	require.Equal(t, surveyURL, res.GetText())
}

func TestSameInputSameBytes(t *testing.T) {
	t.Parallel()
	c1, g1 := generate(t)
	c2, g2 := generate(t)
	require.True(t, bytes.Equal(c1, c2), "the Carta differs between two runs")
	require.True(t, bytes.Equal(g1, g2), "the guida differs between two runs")

	// Golden hashes: a change to the layout shows here; accept it with -update.
	got := "carta " + sha(c1) + "\nguida " + sha(g1) + "\n"
	golden := filepath.Join("testdata", "golden.sha256")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run the test once with -update to create %s", golden)
	require.Equal(t, string(want), got, "the PDFs changed: look at them (-write DIR), then accept with -update")
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestNothingPublished(t *testing.T) {
	t.Parallel()
	for _, v := range []*catalog.View{nil, {}, {Ambito: comuneView().Ambito}} {
		_, err := cartapdf.Carta(v, options(t))
		require.Equal(t, apperr.NotFound, apperr.KindOf(err))
		_, err = cartapdf.Guida(v, options(t))
		require.Equal(t, apperr.NotFound, apperr.KindOf(err))
	}
}

// An ambito's own Carta, with no services and no offices, and a guida without a survey
// address: still valid documents that say so.
func TestEmptyCartaAndNoSurvey(t *testing.T) {
	t.Parallel()
	v := comuneView()
	amb := v.Ambito
	amb.Services, amb.Offices, amb.People, amb.Sections = nil, nil, nil, nil
	opts := options(t)
	opts.SurveyURL = ""
	carta, err := cartapdf.Carta(&catalog.View{Own: amb}, opts)
	require.NoError(t, err)
	txt := flat(pdftotext(t, carta))
	require.Contains(t, txt, "Nessun servizio pubblicato.")
	require.Contains(t, txt, "Nessun ufficio indicato.")
	require.NotContains(t, txt, "Parte generale")
	guida, err := cartapdf.Guida(&catalog.View{Own: amb}, opts)
	require.NoError(t, err)
	save(t, "empty-carta.pdf", carta)
	save(t, "empty-guida.pdf", guida)
	txt = flat(pdftotext(t, guida))
	require.Contains(t, txt, "Questionario di gradimento")
	require.NotContains(t, txt, cartapdf.SurveyCaption)
}

// Many services and long texts: the layout breaks pages without losing a line, and every
// page still carries its footer.
func TestLongCarta(t *testing.T) {
	t.Parallel()
	v := comuneView()
	base := v.Own.Services[0]
	for i := range 40 {
		s := base
		s.ID = id(1000 + i)
		s.Slug = "servizio-" + strconv.Itoa(i)
		s.Title = "Servizio numero " + strconv.Itoa(i) + " con un titolo piuttosto lungo per andare a capo nell'indice dei contenuti"
		s.HowTo = strings.Repeat("Questa è una frase lunga con qualche accento: è così, perché sì. ", 30)
		s.Position = 10 + i
		v.Own.Services = append(v.Own.Services, s)
	}
	carta, err := cartapdf.Carta(v, options(t))
	require.NoError(t, err)
	guida, err := cartapdf.Guida(v, options(t))
	require.NoError(t, err)
	save(t, "long-carta.pdf", carta)
	save(t, "long-guida.pdf", guida)
	for _, pdf := range [][]byte{carta, guida} {
		info := pdfinfo(t, pdf)
		pages, _ := strconv.Atoi(info["Pages"])
		raw := pdftotext(t, pdf)
		for i, p := range strings.Split(raw, "\f")[:pages] {
			if i == 0 && bytes.Equal(pdf, carta) {
				continue // the cover
			}
			require.Contains(t, flat(p), "Pagina "+strconv.Itoa(i+1)+" di "+info["Pages"])
		}
		require.Contains(t, flat(raw), "Servizio numero 39 con un titolo")
	}
}

// BenchmarkCarta measures a cache miss: generating the fixture's whole Carta.
func BenchmarkCarta(b *testing.B) {
	v, opts := comuneView(), options(b)
	for b.Loop() {
		if _, err := cartapdf.Carta(v, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGuida measures generating the fixture's guida sintetica.
func BenchmarkGuida(b *testing.B) {
	v, opts := comuneView(), options(b)
	for b.Loop() {
		if _, err := cartapdf.Guida(v, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzMarkdown feeds arbitrary text to every rich field: generation must never panic (fpdf
// indexes its width table by rune) nor fail. `go test` runs the seeds; fuzz with
// go test -fuzz FuzzMarkdown ./internal/cartapdf.
func FuzzMarkdown(f *testing.F) {
	for _, seed := range []string{
		"", "plain", "**bold _both_** *it*", "- a\n  - nested\n    1. deep\n- b",
		"# H1\n## H2\n> quote\n\n---\n\n```\ncode\n```",
		"| a | b |\n|---|---|\n| 1 | 2 | 3 |", "<b>html</b><img src=x onerror=alert(1)>",
		"[x](javascript:alert(1)) [y](mailto:a@b.it) [z](tel:+39061234) <https://e.it>",
		strings.Repeat("parolalunghissimasenzaspazi", 40), "\x00\x01\t\r\n\u00ad\u200b\ufeff",
		"\xff\xfe invalid utf-8", "😀 ☎️ ≥ ≤ → 中文 العربية 𝔘", "&amp; &#8364; &euro; \\*escaped\\*",
		strings.Repeat("- voce\n", 200),
	} {
		f.Add(seed)
	}
	opts := options(f)
	f.Fuzz(func(t *testing.T, s string) {
		v := comuneView()
		svc := &v.Own.Services[0]
		svc.Title, svc.ShortDescription, svc.Description, svc.HowTo, svc.Contacts = s, s, s, s, s
		svc.NeededItems = []string{s}
		svc.Standards[0].Description = s
		v.Own.Offices[0].Name = s
		v.Own.Sections[0].Body = s
		v.Own.Tenant.Name = s
		_, err := cartapdf.Carta(v, opts)
		require.NoError(t, err)
		_, err = cartapdf.Guida(v, opts)
		require.NoError(t, err)
	})
}
