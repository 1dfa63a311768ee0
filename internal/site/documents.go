package site

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/cartapdf"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// document is /documenti/:id/:filename: a file of a service or of the Carta, served only when a
// published version of this tenant (current or earlier) names it with these exact bytes, so
// the draft's uploads, and a draft's replacement of a published file, never leak. An ambito's
// files are served by the ambito's own host, where its versions are checked.
func (h *handlers) document(c *fiber.Ctx) error {
	t := activeTenant(c)
	if t == nil {
		return apperr.ErrNotFound
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.ErrNotFound
	}
	ctx := c.UserContext()
	var (
		meta  catalog.Document
		found bool
		body  []byte
	)
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		rows, err := tx.SitePublishedDocument(ctx, db.SitePublishedDocumentParams{DocumentID: id.String(), TenantID: t.ID})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		doc, data, err := h.DocumentContent(ctx, tx, id)
		if err != nil {
			return err
		}
		// The newest published description of these bytes names the file.
		for _, r := range rows {
			var d catalog.Document
			if json.Unmarshal(r.Doc, &d) == nil && d.ID == id && strings.EqualFold(d.SHA256, doc.SHA256) {
				meta, body, found = d, data, true
				return nil
			}
		}
		return nil
	})
	if apperr.KindOf(err) == apperr.NotFound {
		return apperr.ErrNotFound
	}
	if err != nil {
		return err
	}
	if !found {
		return apperr.ErrNotFound
	}
	if name := c.Params("filename"); name != meta.Filename && name != url.PathEscape(meta.Filename) {
		return c.Redirect("/documenti/"+id.String()+"/"+url.PathEscape(meta.Filename), fiber.StatusMovedPermanently)
	}
	etag := `"` + strings.ToLower(meta.SHA256) + `"`
	// The bytes behind a published id and hash never change: a long, shared cache is safe.
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Set(fiber.HeaderETag, etag)
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && strings.Contains(inm, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	ctype := meta.ContentType
	if _, ok := catalog.DocumentTypes[ctype]; !ok {
		ctype = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, contentDisposition(meta.Filename))
	c.Set(fiber.HeaderLink, licenseLink)
	c.Response().SetBody(body)
	return nil
}

// contentDisposition names the file for the browser: an ASCII fallback and the UTF-8 name
// (RFC 6266 / 5987). PDFs open in the browser; the others download.
func contentDisposition(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	kind := "attachment"
	if strings.HasSuffix(strings.ToLower(name), ".pdf") {
		kind = "inline"
	}
	return kind + `; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// cartaPDFs are the two PDFs of the Carta in force that package cartapdf serves on every
// published site. Their size is known only once generated, so only the format is shown.
func cartaPDFs() []documentView {
	return []documentView{
		{Title: "La Carta dei Servizi Sociali completa", URL: cartapdf.CartaPath, Type: "PDF"},
		{Title: "La guida sintetica ai servizi", URL: cartapdf.GuidaPath, Type: "PDF"},
	}
}
