package catalog_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Test headers standing in for the tenant resolver and the login session.
const (
	hdrTenant = "X-Test-Tenant"
	hdrUser   = "X-Test-User"
)

type fixture struct {
	t   *testing.T
	env *testenv.Env
	enf *access.Enforcer
	app *fiber.App
	reg *access.Registry
}

type fixtureOpts struct {
	preview func(c *fiber.Ctx, svc catalog.Service, draft *catalog.Carta) error
}

func setup(t *testing.T, opts ...fixtureOpts) *fixture {
	t.Helper()
	env := testenv.Get(t)
	enf, err := access.New(context.Background(), access.Deps{DB: env.DB, Redis: env.Redis, Log: quiet})
	require.NoError(t, err)
	t.Cleanup(enf.Close)
	r, err := web.NewRenderer(web.RendererOptions{Pages: []fs.FS{catalog.Templates}, Dev: true, Log: quiet})
	require.NoError(t, err)

	f := &fixture{t: t, env: env, enf: enf, reg: access.NewRegistry()}
	// The same body limit as the application, so that a file just over 10 MB reaches the
	// handler and is refused there, with its message next to the field.
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(r, quiet), BodyLimit: 12 << 20})
	app.Use(func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		if slug := c.Get(hdrTenant); slug != "" {
			tn, err := env.Tenants.BySlug(ctx, slug)
			if err != nil {
				return err
			}
			ctx = tenant.WithTenant(ctx, tn)
		}
		if id := c.Get(hdrUser); id != "" {
			ctx = principal.WithStaff(ctx, &principal.Staff{UserID: uuid.MustParse(id), Email: "staff@example.it", Name: "Staff"})
		}
		c.SetUserContext(principal.WithOrigin(ctx, principal.Origin{IP: "192.0.2.7", UserAgent: "test"}))
		return c.Next()
	})
	d := catalog.Deps{Render: r, DB: env.DB, Tenants: env.Tenants, Log: quiet, Can: enf.Can}
	if len(opts) > 0 {
		d.Preview = opts[0].preview
	}
	catalog.Register(access.NewRouter(app.Group("/admin"), "/admin", enf, f.reg), d)
	f.app = app
	return f
}

// user creates a staff account named name.
func (f *fixture) user(name string) uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	email := fmt.Sprintf("%s-%x@example.it", strings.ToLower(strings.ReplaceAll(name, " ", ".")), testenv.Uint64())
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(),
		`INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id`, email, name).Scan(&id))
	return id
}

// staffOf creates a user holding role in t.
func (f *fixture) staffOf(t *tenant.Tenant, role, name string) uuid.UUID {
	f.t.Helper()
	u := f.user(name)
	require.NoError(f.t, f.enf.Grant(context.Background(), u, role, t.ID.String()))
	return u
}

type resp struct {
	status   int
	body     string
	location string
	header   map[string]string
}

func (f *fixture) send(method, target string, t *tenant.Tenant, as uuid.UUID, body io.Reader, contentType string) resp {
	f.t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if t != nil {
		req.Header.Set(hdrTenant, t.Slug)
	}
	if as != uuid.Nil {
		req.Header.Set(hdrUser, as.String())
	}
	res, err := f.app.Test(req, -1)
	require.NoError(f.t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(f.t, err)
	h := map[string]string{}
	for k := range res.Header {
		h[k] = res.Header.Get(k)
	}
	return resp{res.StatusCode, string(b), res.Header.Get("Location"), h}
}

func (f *fixture) do(method, target string, t *tenant.Tenant, as uuid.UUID, form url.Values) resp {
	f.t.Helper()
	if form == nil {
		return f.send(method, target, t, as, nil, "")
	}
	return f.send(method, target, t, as, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// upload posts a multipart form with one file.
func (f *fixture) upload(target string, t *tenant.Tenant, as uuid.UUID, fields map[string]string, filename string, data []byte) resp {
	f.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		require.NoError(f.t, w.WriteField(k, v))
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		require.NoError(f.t, err)
		_, err = fw.Write(data)
		require.NoError(f.t, err)
	}
	require.NoError(f.t, w.Close())
	return f.send("POST", target, t, as, &buf, w.FormDataContentType())
}

func (f *fixture) auditCount(t *tenant.Tenant, action, object string) int {
	f.t.Helper()
	var n int
	q := `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = $2`
	args := []any{t.ID, action}
	if object != "" {
		q += ` AND object_id = $3`
		args = append(args, object)
	}
	require.NoError(f.t, f.env.Admin.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

// draft loads t's draft as publication would.
func (f *fixture) draft(t *tenant.Tenant) *catalog.Carta {
	f.t.Helper()
	var c *catalog.Carta
	require.NoError(f.t, f.env.DB.InTx(context.Background(), t.ID, func(tx *tenant.Tx) error {
		var err error
		c, err = catalog.LoadDraft(context.Background(), tx, t)
		return err
	}))
	return c
}

// publish stores c as t's next published version, as the publication code will: a row in
// carta_versions and the state pointing at it, written by t itself.
func (f *fixture) publish(t *tenant.Tenant, c *catalog.Carta) int {
	f.t.Helper()
	ctx := context.Background()
	var n int
	require.NoError(f.t, f.env.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := tx.Raw.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM carta_versions WHERE tenant_id = $1`, t.ID).Scan(&n); err != nil {
			return err
		}
		c.Format, c.Version = catalog.SnapshotFormat, n
		snap, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.Raw.Exec(ctx, `INSERT INTO carta_versions (tenant_id, number, snapshot, publisher_label) VALUES ($1, $2, $3, 'test')`,
			t.ID, n, snap); err != nil {
			return err
		}
		_, err = tx.Raw.Exec(ctx, `INSERT INTO carta_state (tenant_id, published_version, first_published_at, last_published_at)
			VALUES ($1, $2, now(), now())
			ON CONFLICT (tenant_id) DO UPDATE SET published_version = EXCLUDED.published_version, last_published_at = now()`, t.ID, n)
		return err
	}))
	return n
}

var idInLocation = regexp.MustCompile(`/([0-9a-f-]{36})(?:/|$|#)`)

// idFrom returns the uuid at the end of a redirect's location.
func idFrom(t *testing.T, location string) uuid.UUID {
	t.Helper()
	m := idInLocation.FindStringSubmatch(location)
	require.NotNil(t, m, "no id in %q", location)
	return uuid.MustParse(m[1])
}

// ---- files built in the tests ----

// tinyPDF is a complete one-page PDF.
var tinyPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
	"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n")

func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		method := zip.Deflate
		if e[0] == "mimetype" {
			method = zip.Store // ODF: stored, first
		}
		fw, err := w.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		require.NoError(t, err)
		_, err = fw.Write([]byte(e[1]))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func minimalDOCX(t *testing.T) []byte {
	return zipOf(t,
		[2]string{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`},
		[2]string{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		[2]string{"word/document.xml", `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Condizioni</w:t></w:r></w:p></w:body></w:document>`},
	)
}

func minimalODT(t *testing.T) []byte {
	return zipOf(t,
		[2]string{"mimetype", "application/vnd.oasis.opendocument.text"},
		[2]string{"META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
		[2]string{"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text><text:p>Modulo</text:p></office:text></office:body></office:document-content>`},
	)
}
