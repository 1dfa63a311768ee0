package cartapdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/web"
)

// fonts returns the Titillium Web files embedded in the binary (make assets copies them).
func fonts(t testing.TB) cartapdf.Fonts {
	t.Helper()
	r, b, i, err := web.PDFFonts()
	require.NoError(t, err, "the PDF fonts come from Bootstrap Italia: run `make assets`")
	return cartapdf.Fonts{Regular: r, Bold: b, Italic: i}
}

func ptr[T any](v T) *T { return &v }

// fixed ids keep the fixture, and so the PDFs, identical from run to run.
func id(n int) uuid.UUID {
	return uuid.MustParse("00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(strconv.Itoa(n))) + strconv.Itoa(n))
}

var (
	published   = time.Date(2026, 3, 12, 10, 30, 0, 0, time.UTC)
	firstPub    = time.Date(2025, 1, 7, 9, 0, 0, 0, time.UTC)
	weekdays915 = []catalog.Interval{
		{Weekday: 1, Opens: "09:00", Closes: "12:00"}, {Weekday: 2, Opens: "09:00", Closes: "12:00"},
		{Weekday: 2, Opens: "15:30", Closes: "17:30"}, {Weekday: 3, Opens: "09:00", Closes: "12:00"},
		{Weekday: 4, Opens: "09:00", Closes: "12:00"}, {Weekday: 4, Opens: "15:30", Closes: "17:30"},
		{Weekday: 5, Opens: "09:00", Closes: "12:00"},
	}
)

// comuneView is a member comune's published Carta (version 3) with its ambito's (version 2):
// accents everywhere, guillemets, the euro sign, Markdown, an ambito service it hides and one
// whose office the ambito does not name.
func comuneView() *catalog.View {
	ambitoID, comuneID := id(1), id(2)
	amb := &catalog.Carta{
		Format: catalog.SnapshotFormat, Version: 2, PublishedAt: published.Add(-48 * time.Hour), FirstPublishedAt: firstPub,
		Tenant: catalog.TenantRef{ID: ambitoID, Slug: "ambito-savio", Name: "Ambito «Valle del Savio»", Kind: "ambito"},
		Categories: []catalog.Category{
			{ID: id(10), Code: "ELD", Name: "Anziani", Position: 3},
			{ID: id(11), Code: "VIOL", Name: "Donne vittime di violenza", Description: "Prevenzione e contrasto della violenza di genere", Position: 8},
		},
		Offices: []catalog.Office{{
			ID: id(20), Slug: "ufficio-di-piano", Name: "Ufficio di Piano", Address: "Via Città di Castello 4", PostalCode: "47521",
			City: "Cesena", Phone: "0547 356 111", Email: "ufficiodipiano@ambito.example.it", MainDesk: true,
			Hours: []catalog.Interval{{Weekday: 1, Opens: "08:30", Closes: "13:00"}, {Weekday: 3, Opens: "08:30", Closes: "13:00"}},
		}},
		People: []catalog.Person{{ID: id(30), Name: "Niccolò Bertè", RoleTitle: "Coordinatore dell'Ufficio di Piano", Email: "n.berte@ambito.example.it", OfficeID: ptr(id(20))}},
		Services: []catalog.Service{
			{
				ID: id(40), Slug: "centro-antiviolenza", Status: "attivo", CategoryCode: "VIOL", Title: "Centro antiviolenza «Così non è amore»",
				ShortDescription: "Ascolto, accoglienza e accompagnamento per donne che subiscono violenza, anche in forma anonima.",
				Audience:         "Donne maggiorenni residenti nei comuni dell'ambito, con o senza figli.",
				HowTo:            "Chiama il numero **1522** (gratuito, attivo 24 ore su 24) oppure vieni allo sportello: l'accesso è libero.",
				NeededIntro:      "Non serve alcun documento.", Obtained: "Un percorso personalizzato di uscita dalla violenza.",
				Timing: "Primo colloquio entro **3 giorni** dalla richiesta.", CostKind: "gratuito",
				OfficeID: ptr(id(20)), ResponsibleUnit: "Ufficio di Piano", ResponsiblePersonID: ptr(id(30)), Coverage: "ambito",
				Standards: []catalog.Standard{{ID: id(41), Dimension: "tempestivita", Description: "Primo colloquio entro 3 giorni lavorativi", Indicator: "Giorni tra richiesta e colloquio", Target: ptr(3.0), Unit: "giorni"}},
				Position:  1, LastChangedVersion: 2, LastChangedAt: published.Add(-48 * time.Hour),
			},
			{
				ID: id(42), Slug: "assistenza-domiciliare", Status: "attivo", CategoryCode: "ELD", Title: "Assistenza domiciliare (SAD)",
				ShortDescription: "Aiuto a casa per la cura della persona e dell'abitazione, per anziani non autosufficienti.",
				Audience:         "Persone con più di 65 anni non autosufficienti.", HowTo: "Presenta domanda allo sportello sociale del tuo comune.",
				NeededIntro: "Porta con te:", NeededItems: []string{"attestazione ISEE in corso di validità", "certificazione sanitaria"},
				Obtained: "Fino a 10 ore settimanali di assistenza.", Timing: "Attivazione entro 30 giorni.", CostKind: "isee",
				CostText: "Quota oraria da 0 € a 12,50 € secondo l'ISEE.", ResponsibleUnit: "Ufficio di Piano", Coverage: "ambito",
				Position: 2,
			},
			{
				ID: id(43), Slug: "telesoccorso", Status: "attivo", CategoryCode: "ELD", Title: "Telesoccorso nascosto",
				ShortDescription: "Servizio che il comune nasconde.", Audience: "x", HowTo: "x", Obtained: "x", Timing: "x", CostKind: "gratuito",
				ResponsibleUnit: "Ufficio di Piano", Position: 3,
			},
		},
	}
	own := &catalog.Carta{
		Format: catalog.SnapshotFormat, Version: 3, PublishedAt: published, FirstPublishedAt: firstPub,
		Note:   "Aggiornati gli orari dello sportello e le tariffe 2026 (più chiare).",
		Tenant: catalog.TenantRef{ID: comuneID, Slug: "forli", Name: "Comune di Forlì", Kind: "comune"},
		Categories: []catalog.Category{
			{ID: id(50), Code: "ACC", Name: "Welfare d'accesso e segretariato sociale", Position: 1},
			{ID: id(51), Code: "FAM", Name: "Famiglia e minori", Description: "Sostegno alle responsabilità familiari", Position: 2},
			{ID: id(52), Code: "ELD", Name: "Anziani", Position: 3},
		},
		Offices: []catalog.Office{
			{
				ID: id(60), Slug: "sportello-sociale", Name: "Sportello sociale polivalente", Address: "Piazza Aurelio Saffi 8", PostalCode: "47121",
				City: "Forlì", Phone: "0543 712 000", Email: "sportello.sociale@comune.example.it", PEC: "comune.forli@pec.example.it",
				MainDesk: true, Hours: weekdays915, Notes: "Accesso per persone con disabilità dall'ingresso di via Giorgina Saffi.",
				Exceptions: []catalog.Exception{
					{From: "2025-12-24", To: "2025-12-26", Closed: true, Reason: "festività natalizie"},
					{From: "2026-08-10", To: "2026-08-21", Closed: true, Reason: "chiusura estiva"},
				},
			},
			{
				ID: id(61), Slug: "centro-famiglie", Name: "Centro per le famiglie", Address: "Via Caterina Sforza 12", PostalCode: "47121",
				City: "Forlì", Phone: "0543 712 300", Hours: []catalog.Interval{{Weekday: 2, Opens: "14:00", Closes: "18:00"}, {Weekday: 4, Opens: "14:00", Closes: "18:00"}},
			},
		},
		People: []catalog.Person{
			{ID: id(70), Name: "Lucia Ferrè", RoleTitle: "Responsabile del Servizio Sociale", Area: "Area welfare", Email: "l.ferre@comune.example.it", Phone: "0543 712 001", OfficeID: ptr(id(60))},
			{ID: id(71), Name: "Gianluca D'Amato", RoleTitle: "Assistente sociale", Area: "Famiglia e minori", Phone: "0543 712 301", OfficeID: ptr(id(61))},
		},
		Services: []catalog.Service{
			{
				ID: id(80), Slug: "segretariato-sociale", Status: "attivo", CategoryCode: "ACC", Title: "Segretariato sociale: informazione e orientamento",
				ShortDescription: "Il primo punto d'incontro: ascolto, informazioni sui servizi e orientamento, perché nessuno resti senza risposta.",
				Description:      "È il servizio che accoglie **tutti** i cittadini e li orienta verso la risposta più adatta.\n\nVedi anche [la pagina del Ministero](https://www.lavoro.gov.it) e il sito <https://www.inps.it>.",
				Audience:         "Tutti i cittadini residenti o domiciliati a Forlì, italiani e stranieri.",
				HowTo:            "1. Prenota un appuntamento per telefono\n2. Presentati allo sportello con un documento d'identità\n3. L'assistente sociale ti ascolta e ti orienta",
				NeededIntro:      "Un documento d'identità valido.", Obtained: "Informazioni chiare e, se serve, la presa in carico.",
				Timing:    "Primo colloquio entro *7 giorni lavorativi* dalla richiesta.",
				Deadlines: []catalog.Deadline{{Label: "Domande contributo affitti", DueOn: "2026-05-31", Description: "ultimo giorno utile"}},
				CostKind:  "gratuito", OfficeID: ptr(id(60)), DigitalLabel: "Prenota online", DigitalURL: "https://forli.example.it/prenota",
				Constraints:     "<script>alert('x')</script>Nessun vincolo.",
				Contacts:        "Telefono 0543 712 000, e-mail sportello.sociale@comune.example.it. Link pericoloso: [clic](javascript:alert(1)).",
				ResponsibleUnit: "Servizio Sociale Professionale", ResponsiblePersonID: ptr(id(70)),
				Standards: []catalog.Standard{
					{ID: id(81), Dimension: "tempestivita", Description: "Primo colloquio entro 7 giorni lavorativi dalla richiesta", Indicator: "% di colloqui entro 7 giorni", Formula: "colloqui entro 7 giorni / colloqui richiesti × 100", Target: ptr(90.0), Unit: "%", HigherIsBetter: true},
					{ID: id(82), Dimension: "accessibilita", Description: "Apertura al pubblico di almeno 20 ore settimanali", Indicator: "Ore settimanali di apertura", Target: ptr(20.0), Unit: "ore", HigherIsBetter: true},
					{ID: id(83), Dimension: "trasparenza", Description: "Informazioni sui servizi aggiornate e pubblicate sul sito", Indicator: "Giorni dall'ultimo aggiornamento", Target: ptr(180.0), Unit: "giorni"},
				},
				Position: 1, LastChangedVersion: 3, LastChangedAt: published,
			},
			{
				ID: id(84), Slug: "contributo-affitti", Status: "sospeso", StatusReason: "in attesa del bando regionale 2026", CategoryCode: "FAM",
				Title:            "Contributo per l'affitto",
				ShortDescription: "Un aiuto economico per pagare l'affitto: fino a 1.500 € l'anno per le famiglie con ISEE fino a 17.154 €.",
				Audience:         "Famiglie in affitto con ISEE ordinario non superiore a 17.154,00 €.", HowTo: "Compila la domanda online o allo sportello.",
				NeededItems: []string{"ISEE", "contratto d'affitto registrato", "ricevute dei canoni pagati"},
				Obtained:    "Un contributo economico.", Timing: "Graduatoria entro 60 giorni dalla chiusura del bando.", CostKind: "gratuito",
				OfficeID: ptr(id(61)), ResponsibleUnit: "Servizio Casa", Position: 1,
				Documents: []catalog.Document{{ID: id(85), Kind: "modulo", Title: "Modulo di domanda", Filename: "domanda-contributo.pdf"}},
			},
			{
				ID: id(86), Slug: "centro-famiglie-mediazione", Status: "attivo", CategoryCode: "FAM", Title: "Mediazione familiare",
				ShortDescription: "Incontri con un mediatore per genitori che si separano, per accordarsi sui figli.",
				Audience:         "Coppie di genitori in separazione.", HowTo: "Chiama il Centro per le famiglie.", Obtained: "Fino a 8 incontri.",
				Timing: "Entro 15 giorni.", CostKind: "fisso", CostText: "30 € a incontro (ridotto a 10 € con ISEE sotto 9.000 €).",
				OfficeID: ptr(id(61)), ResponsibleUnit: "Centro per le famiglie", ResponsiblePersonID: ptr(id(71)),
				Providers: "Cooperativa sociale «Il Mosaico» — accreditata", Position: 2,
			},
			{
				ID: id(87), Slug: "vecchio", Status: "archiviato", CategoryCode: "FAM", Title: "Servizio archiviato", Position: 9,
			},
		},
		Sections: []catalog.Section{
			{Key: "principi", Title: "Principi fondamentali", Body: catalog.DefaultSections[0].Body, Position: 1},
			{Key: "diritti-doveri", Title: "Diritti e doveri dei cittadini", Body: catalog.DefaultSections[1].Body, Position: 2},
			{Key: "reclami", Title: "Come presentare un reclamo", Body: catalog.DefaultSections[2].Body, Position: 3},
			{Key: "qualita", Title: "Come misuriamo e miglioriamo la qualità", Body: catalog.DefaultSections[3].Body + "\n\n| Dimensione | Impegno |\n|---|---|\n| Tempestività | risposte entro 30 giorni |\n| Trasparenza | dati pubblicati ogni anno |\n\nCaratteri speciali: àèéìòù ÀÈÉÌÒÙ «virgolette» € — e un’emoji ☎️ 😀 ≥ 3.", Position: 4},
			{Key: "siti-utili", Title: "Siti istituzionali utili", Body: catalog.DefaultSections[4].Body, Position: 5},
		},
		HiddenAmbitoServices: []catalog.Hidden{{ServiceID: id(43), Reason: "offerto direttamente dal comune"}},
	}
	return &catalog.View{Own: own, Ambito: amb}
}

// pdftotext extracts the text of a PDF with poppler-utils. Its absence fails the test: these
// checks are the only proof that accents survive, and a skip would hide that.
func pdftotext(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	require.NoError(t, err, "pdftotext is missing: install Debian's poppler-utils (apt-get install poppler-utils)")
	in := filepath.Join(t.TempDir(), "in.pdf")
	require.NoError(t, os.WriteFile(in, pdf, 0o600))
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, append(append([]string{"-enc", "UTF-8"}, args...), in, "-")...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), "pdftotext: %s", stderr.String())
	return out.String()
}

// pdfinfo returns poppler's document information as a map.
func pdfinfo(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	bin, err := exec.LookPath("pdfinfo")
	require.NoError(t, err, "pdfinfo is missing: install Debian's poppler-utils (apt-get install poppler-utils)")
	in := filepath.Join(t.TempDir(), "in.pdf")
	require.NoError(t, os.WriteFile(in, pdf, 0o600))
	out, err := exec.Command(bin, "-isodates", in).CombinedOutput()
	require.NoError(t, err, "pdfinfo: %s", out)
	m := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}
