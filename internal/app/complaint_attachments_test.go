package app_test

import (
	"bytes"
	"context"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/demo"
)

type upload struct {
	name string
	data []byte
}

// multipartStep posts the form of page as the browser does (multipart/form-data, the form's
// enctype), with its hidden fields, the given ones and the files in the field "attachments".
func multipartStep(t *testing.T, c *client, page string, fields url.Values, files ...upload) (*http.Response, string) {
	t.Helper()
	form := url.Values{}
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		if _, given := fields[m[1]]; !given {
			form.Add(m[1], html.UnescapeString(m[2]))
		}
	}
	for k, v := range fields {
		form[k] = v
	}
	return postMultipart(t, c, "/segnala-disservizio/reclamo", form, files...)
}

// postMultipart posts form and files (in the field "attachments") as multipart/form-data.
func postMultipart(t *testing.T, c *client, path string, form url.Values, files ...upload) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			require.NoError(t, w.WriteField(k, v))
		}
	}
	if len(files) == 0 {
		// A file field left empty: the browser sends a part without a name.
		_, err := w.CreateFormFile("attachments", "")
		require.NoError(t, err)
	}
	for _, f := range files {
		fw, err := w.CreateFormFile("attachments", f.name)
		require.NoError(t, err)
		_, err = fw.Write(f.data)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	req := httptest.NewRequest("POST", path, &body)
	req.Host = c.host
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.a.Handler().Test(req, 30_000)
	require.NoError(t, err)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func pngOf(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(2, 1, color.RGBA{B: 180, A: 255})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// TestComplaintAttachmentOverHTTP: a citizen attaches a photo at the form's "dati" step (a
// multipart form, its CSRF token inside); the file travels through the next steps by its
// token, is listed in the summary and on the private page, and the URP downloads it
// byte-identical, as an attachment never sniffed nor cached, the download in the trail;
// another comune's URP finds nothing.
func TestComplaintAttachmentOverHTTP(t *testing.T) {
	a, _, env := mailApp(t)
	ctx := context.Background()
	const host = "cerveteri.carta.test"
	citizen := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	_, page := citizen.do("GET", "/segnala-disservizio/reclamo", nil)
	require.Contains(t, page, `enctype="multipart/form-data"`)
	resp, page := multipartStep(t, citizen, page, url.Values{"consent": {"1"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, `id="f-attachments"`)
	svc := serviceRE.FindStringSubmatch(page)
	require.NotNil(t, svc)
	pic := pngOf(t)
	resp, page = multipartStep(t, citizen, page, url.Values{"service": {svc[1]}, "what_happened": {"La rampa dell'ingresso è rotta."}},
		upload{"rampa rotta.png", pic})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, `name="first_name"`)
	require.Regexp(t, `<input type="hidden" name="upload" value="[A-Za-z0-9_-]{43}">`, page)
	resp, page = multipartStep(t, citizen, page, url.Values{"first_name": {"Maria"}, "last_name": {"Rossi"}, "email": {"maria.rossi@example.it"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Contains(t, page, "<li>rampa rotta.png (immagine PNG, "+strconv.Itoa(len(pic))+" byte)</li>")
	resp, _ = multipartStep(t, citizen, page, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	_, page = citizen.do("GET", loc, nil)
	require.Contains(t, page, "Reclamo inviato")
	require.Contains(t, page, "rampa rotta.png", "the private page lists the author's files")
	protocol := regexp.MustCompile(`\d{4}/\d{6}`).FindString(page)

	urp := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	_, inbox := urp.do("GET", "/admin/reclami", nil)
	id := regexp.MustCompile(`href="/admin/reclami/([0-9a-f-]{36})">` + regexp.QuoteMeta(protocol)).FindStringSubmatch(inbox)
	require.NotNil(t, id, inbox)
	_, detail := urp.do("GET", "/admin/reclami/"+id[1], nil)
	file := "/admin/reclami/" + id[1] + "/allegati/1"
	require.Contains(t, detail, `<a href="`+file+`" download>Scarica «rampa rotta.png»</a>`)
	resp, got := urp.do("GET", file, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, pic, []byte(got), "the file downloaded is not the one sent")
	require.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="rampa rotta.png"`, resp.Header.Get("Content-Disposition"))
	require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	require.Equal(t, "private, no-store", resp.Header.Get("Cache-Control"))
	var n int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'complaint.attachment.download' AND object_id = $1`,
		id[1]).Scan(&n))
	require.Equal(t, 1, n, "the download is not in the trail")
	resp, _ = urp.do("GET", "/admin/reclami/"+id[1]+"/allegati/2", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	other := &client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, other.login(demo.Email("urp", "grandate"), pw).StatusCode)
	resp, _ = other.do("GET", file, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	anon := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	resp, _ = anon.do("GET", file, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "without logging in")
}

// TestComplaintAttachmentRefusedOverHTTP: a file over 5 MB, a page named .png and a fourth
// file each get their message next to the file field, with what was typed kept, and nothing
// is stored: no complaint and no upload.
func TestComplaintAttachmentRefusedOverHTTP(t *testing.T) {
	a, _, env := mailApp(t)
	ctx := context.Background()
	const host = "cerveteri.carta.test"
	stored := func() (complaintsN, uploadsN int) {
		require.NoError(t, env.Admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM complaints c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'cerveteri'),
			(SELECT count(*) FROM complaint_uploads u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'cerveteri')`).Scan(&complaintsN, &uploadsN))
		return
	}
	beforeC, beforeU := stored()
	citizen := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	_, page := citizen.do("GET", "/segnala-disservizio/reclamo", nil)
	_, page = multipartStep(t, citizen, page, url.Values{"consent": {"1"}})
	svc := serviceRE.FindStringSubmatch(page)
	require.NotNil(t, svc)
	dati := page
	fields := url.Values{"service": {svc[1]}, "what_happened": {"La rampa dell'ingresso è rotta da un mese."}}
	pic := pngOf(t)
	big := append(append([]byte{}, pic...), make([]byte, 5<<20+1-len(pic))...)

	resp, page := multipartStep(t, citizen, dati, fields, upload{"grande.png", big})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, page)
	require.Contains(t, page, `id="f-attachments-error">Il file «grande.png» supera 5 MB`)
	require.Contains(t, page, `aria-describedby="f-attachments-error f-attachments-help"`)
	require.Contains(t, page, `href="#f-attachments"`, "the summary links to the field")
	require.Contains(t, page, "La rampa dell&#39;ingresso è rotta da un mese.", "what was typed is kept")
	require.NotContains(t, page, `name="upload"`)

	resp, page = multipartStep(t, citizen, dati, fields, upload{"foto.png", []byte("<!doctype html><title>x</title><script>alert(1)</script>")})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, page, `id="f-attachments-error">Il file «foto.png» non è un&#39;immagine JPEG o PNG né un PDF`)

	resp, page = multipartStep(t, citizen, dati, fields, upload{"1.png", pic}, upload{"2.png", pic}, upload{"3.png", pic}, upload{"4.png", pic})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, page, `id="f-attachments-error">Puoi allegare al massimo 3 file`)
	afterC, afterU := stored()
	require.Equal(t, beforeC, afterC, "a complaint was filed")
	require.Equal(t, beforeU, afterU, "a refused file was stored")

	// Two good files, then one taken off with "rimuovi": only the other one travels on.
	resp, page = multipartStep(t, citizen, dati, fields, upload{"uno.png", pic}, upload{"due.pdf", []byte("%PDF-1.4\n%%EOF\n")})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	resp, page = multipartStep(t, citizen, page, url.Values{"back": {"1"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "Rimuovi «uno.png» (immagine PNG")
	require.Contains(t, page, "Rimuovi «due.pdf» (documento PDF")
	tok := regexp.MustCompile(`name="remove" value="([A-Za-z0-9_-]{43})"><label for="f-remove-0">`).FindStringSubmatch(page)
	require.NotNil(t, tok, page)
	fields.Set("remove", tok[1])
	resp, page = multipartStep(t, citizen, page, fields)
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	require.Equal(t, 1, strings.Count(page, `name="upload"`))
	_, afterU = stored()
	require.Equal(t, beforeU+1, afterU, "the file taken off is still stored")
}

// TestStaffAttachesAFileOverHTTP: the URP recording a counter complaint attaches the paper the
// citizen handed over; a refused submission keeps the file (listed, with "rimuovi") for the
// next try, and the complaint's page lists it.
func TestStaffAttachesAFileOverHTTP(t *testing.T) {
	a, _, _ := mailApp(t)
	urp := &client{t: t, a: a, host: "cerveteri.carta.test", cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	_, page := urp.do("GET", "/admin/reclami/nuovo", nil)
	require.Contains(t, page, `enctype="multipart/form-data"`)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	svc := serviceRE.FindStringSubmatch(page)
	require.NotNil(t, svc)
	form := url.Values{"_csrf": {csrf}, "service": {svc[1]}, "what_happened": {"Consegna la lettera ricevuta dal servizio."},
		"first_name": {"Giuseppe"}, "last_name": {"Verdi"}, "phone": {"333 123 4567"}, "consent": {"1"}}
	resp, body := postMultipart(t, urp, "/admin/reclami/nuovo", form, upload{"lettera.pdf", []byte("%PDF-1.4\n%%EOF\n")})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "without its channel")
	require.Contains(t, body, "Rimuovi «lettera.pdf» (documento PDF")
	tok := regexp.MustCompile(`<input type="hidden" name="upload" value="([A-Za-z0-9_-]{43})">`).FindStringSubmatch(body)
	require.NotNil(t, tok, body)
	form.Set("channel", "sportello")
	form.Set("upload", tok[1])
	resp, body = postMultipart(t, urp, "/admin/reclami/nuovo", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	_, page = urp.do("GET", resp.Header.Get("Location"), nil)
	require.Contains(t, page, "Reclamo registrato con il numero")
	require.Regexp(t, `<a href="/admin/reclami/[0-9a-f-]{36}/allegati/1" download>Scarica «lettera.pdf»</a>`, page)
}
