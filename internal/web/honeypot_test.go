package web_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/web"
)

func TestHoneypotPartial(t *testing.T) {
	t.Parallel()
	r, err := web.NewRenderer(web.RendererOptions{Dev: true, Log: quiet, Pages: []fs.FS{fstest.MapFS{
		"test/reclamo.html": {Data: []byte(`{{template "citizen" .}}{{define "content"}}<h1>{{.Title}}</h1>
<form method="post" action="/reclamo">{{csrfField .}}{{template "honeypot"}}<button type="submit">Invia</button></form>{{end}}`)},
	}}})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, r.Execute(&buf, "test/reclamo", web.Page{Title: "Reclamo", Tenant: sampleTenant(), CSRF: "tok"}))
	html := buf.String()

	inputs := regexp.MustCompile(`<input [^>]*name="`+regexp.QuoteMeta(web.HoneypotField)+`"[^>]*>`).FindAllString(html, -1)
	require.Len(t, inputs, 1, "the partial renders the input named web.HoneypotField")
	in := inputs[0]
	for _, attr := range []string{`type="text"`, `value=""`, `tabindex="-1"`, `autocomplete="off"`, `aria-hidden="true"`} {
		require.Contains(t, in, attr)
	}
	// Hidden from sight and from assistive technology together with its label; a label still
	// tells the rare person who sees it (styles not loaded) to leave it empty.
	require.Regexp(t, `<div class="visually-hidden" aria-hidden="true">\s*<label>Non compilare questo campo <input [^>]*name="`+web.HoneypotField+`"`, html)
	require.NotContains(t, in, "required")
	require.NotContains(t, in, ` id=`, "no id: two forms on one page must not repeat it")
}

func TestHoneypot(t *testing.T) {
	t.Parallel()
	app := fiber.New()
	app.Post("/reclamo", func(c *fiber.Ctx) error { return c.SendString(strconv.FormatBool(web.Honeypot(c))) })
	post := func(form url.Values) string {
		req := httptest.NewRequest(http.MethodPost, "/reclamo", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		_, body := do(t, app, req)
		return body
	}
	require.Equal(t, "false", post(url.Values{"testo": {"Lo sportello era chiuso."}}), "no trap field")
	require.Equal(t, "false", post(url.Values{"testo": {"x"}, web.HoneypotField: {""}}), "trap left empty")
	require.Equal(t, "false", post(url.Values{"testo": {"x"}, web.HoneypotField: {"  "}}), "white space is not a fill")
	require.Equal(t, "true", post(url.Values{"testo": {"x"}, web.HoneypotField: {"https://spam.example"}}))

	// Forms with attachments arrive as multipart.
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	require.NoError(t, w.WriteField("testo", "x"))
	require.NoError(t, w.WriteField(web.HoneypotField, "compra ora"))
	require.NoError(t, w.Close())
	req := httptest.NewRequest(http.MethodPost, "/reclamo", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	_, body := do(t, app, req)
	require.Equal(t, "true", body)
}
