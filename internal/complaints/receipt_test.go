package complaints_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/web"
)

// poppler runs one of poppler-utils' tools on pdf and returns what it prints.
func poppler(t *testing.T, tool string, pdf []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(tool)
	require.NoError(t, err, "%s is missing: install Debian's poppler-utils (apt-get install poppler-utils)", tool)
	in := filepath.Join(t.TempDir(), "in.pdf")
	require.NoError(t, os.WriteFile(in, pdf, 0o600))
	var out, stderr bytes.Buffer
	cmd := exec.Command(bin, append(args, in)...)
	if tool == "pdftotext" {
		cmd.Args = append(cmd.Args, "-")
	}
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), "%s: %s", tool, stderr.String())
	return out.String()
}

// pdfPages is the page count pdfinfo reads.
func pdfPages(t *testing.T, pdf []byte) string {
	t.Helper()
	for _, line := range strings.Split(poppler(t, "pdfinfo", pdf), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == "Pages" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// flatText is the PDF's text with its lines joined, so that a wrapped phrase still matches.
func flatText(t *testing.T, pdf []byte) string {
	t.Helper()
	return strings.Join(strings.Fields(poppler(t, "pdftotext", pdf, "-enc", "UTF-8")), " ")
}

// TestReceiptPDF: the private page links a one-page PDF receipt holding the ente, the
// protocol number, when it was received, the due date, the service, the complaint's text and
// the author's name, and no other personal data; it is private, downloads under the protocol's
// name, and another comune's site answers 404 for the same link.
func TestReceiptPDF(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 12, 10, 30, 0, 0, itlang.Rome)
	svc, env, _ := newService(t, now)
	ctx := context.Background()
	a, err := app.New(ctx, env.TestConfig(t, nil), quiet)
	require.NoError(t, err)
	t.Cleanup(a.Close)
	_, err = a.SeedDemo(ctx, "password-di-prova-lunga")
	require.NoError(t, err)

	tn, err := env.Tenants.BySlug(ctx, "cerveteri")
	require.NoError(t, err)
	choices, err := svc.Choices(ctx, tn)
	require.NoError(t, err)
	require.NotEmpty(t, choices)
	sub := valid()
	sub.ServiceID = &choices[0].ID
	sub.WhatHappened = "Ho atteso tre settimane il primo colloquio.\nNessuno mi ha avvisato del rinvio."
	sub.OnBehalfOf, sub.Relation = "Giuseppe Verdi", "figlia"
	rec, err := svc.Submit(ctx, tn, sub)
	require.NoError(t, err)
	c := rec.Complaint

	get := func(host, path string) (*http.Response, []byte) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.Host = host
		resp, err := a.Handler().Test(req, 30_000)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, b
	}
	follow := complaints.PathFollow + rec.Link
	receipt := follow + "/ricevuta.pdf"

	resp, page := get("cerveteri.carta.test", follow)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(page), `<a href="`+receipt+`" download>Scarica la ricevuta (PDF)</a>`)

	resp, pdf := get("cerveteri.carta.test", receipt)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", pdf)
	require.Equal(t, "application/pdf", resp.Header.Get("Content-Type"))
	require.Equal(t, "private, no-store", resp.Header.Get("Cache-Control"))
	name := "ricevuta-reclamo-" + strings.Replace(c.Protocol(), "/", "-", 1) + ".pdf"
	require.Equal(t, `attachment; filename="`+name+`"`, resp.Header.Get("Content-Disposition"))
	require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")))
	require.Equal(t, "1", pdfPages(t, pdf))

	txt := flatText(t, pdf)
	for _, want := range []string{"Comune di Cerveteri", "Ricevuta di presentazione del reclamo",
		c.Protocol(), "12 marzo 2026, 10:30", "11 aprile 2026", itlang.Date(c.DueOn), choices[0].Title,
		"Ho atteso tre settimane il primo colloquio. Nessuno mi ha avvisato del rinvio.",
		"Un colloquio entro i tempi della Carta.", "Maria Rossi"} {
		require.Contains(t, txt, want)
	}
	for _, absent := range []string{sub.FiscalCode, sub.Email, "Giuseppe Verdi", "figlia", rec.Link} {
		require.NotContains(t, txt, absent, "the receipt shows more personal data than the author's name")
	}

	// The same link on another comune's site, or a wrong link, finds nothing.
	resp, _ = get("grandate.carta.test", receipt)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = get("cerveteri.carta.test", complaints.PathFollow+strings.Repeat("A", 43)+"/ricevuta.pdf")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestReceiptStaysOnOnePage: a complaint at the form's limits (4000 and 2000 characters, many
// lines, characters the font lacks) still fits one page, its beginning and the closing note
// printed.
func TestReceiptStaysOnOnePage(t *testing.T) {
	t.Parallel()
	regular, bold, _, err := web.PDFFonts()
	require.NoError(t, err)
	what := string([]rune(strings.Repeat("Una riga del racconto, con qualche accento: più, già, così. 🙂\n", 70))[:3970])
	c := &complaints.Complaint{Year: 2026, Number: 123, SubmittedAt: time.Date(2026, 3, 12, 9, 5, 0, 0, itlang.Rome),
		DueOn: time.Date(2026, 4, 11, 0, 0, 0, 0, itlang.Rome), WhatHappened: "Inizio del racconto. " + what,
		Request: strings.Repeat("Chiedo una risposta. ", 95), FirstName: "Anna", LastName: "Bianchi"}
	pdf, err := complaints.RenderReceipt(complaints.ReceiptFonts{Regular: regular, Bold: bold}, "Comune di Forlì", c)
	require.NoError(t, err)
	require.Equal(t, "1", pdfPages(t, pdf))
	txt := flatText(t, pdf)
	for _, want := range []string{"Comune di Forlì", "2026/000123", "12 marzo 2026, 09:05", "11 aprile 2026", "Altro",
		"Anna Bianchi", "Inizio del racconto.", "Chiedo una risposta.", "Conserva questa ricevuta."} {
		require.Contains(t, txt, want)
	}
	require.Equal(t, "ricevuta-reclamo-2026-000123.pdf", complaints.ReceiptFilename(c))
}
