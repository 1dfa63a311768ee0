package catalog

import (
	"fmt"
	"io"
	"mime"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

type documentRow struct {
	Document
	KindLabel string
	SizeText  string
}

type documentsPage struct {
	web.Page
	Service   Service
	Documents []documentRow
	Kinds     []Option
	CanWrite  bool
	MaxSize   string
}

// sizeText writes a size for people: "820 byte", "12 kB", "1,4 MB".
func sizeText(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n) + " byte"
	case n < 1_000_000:
		return strconv.Itoa((n+500)/1000) + " kB"
	}
	return formatNumber(float64((n+50_000)/100_000)/10) + " MB"
}

func (h *ui) renderDocuments(c *fiber.Ctx, status int, s Service, form, errs map[string]string) error {
	vm := &documentsPage{Page: h.page(c, "Documenti di «"+s.Title+"»", web.Crumb{Label: "Servizi", URL: base + "/servizi"},
		web.Crumb{Label: s.Title, URL: base + "/servizi/" + s.ID.String()}, web.Crumb{Label: "Documenti"}),
		Service: s, CanWrite: h.canWrite(c), MaxSize: "10 MB"}
	if form == nil {
		form = map[string]string{"kind": "condizioni"}
	}
	vm.Form, vm.Errors = form, errs
	for _, d := range s.Documents {
		vm.Documents = append(vm.Documents, documentRow{Document: d, KindLabel: DocumentKindLabel(d.Kind), SizeText: sizeText(d.Size)})
	}
	vm.Kinds = options(DocumentKinds, func(k struct{ Key, Label string }) (string, string) { return k.Key, k.Label }, form["kind"])
	return h.Render.Render(c, status, "catalog/documents", vm)
}

func (h *ui) serviceFor(c *fiber.Ctx) (*tenant.Tenant, Service, error) {
	t, err := requestTenant(c)
	if err != nil {
		return nil, Service{}, err
	}
	id, err := paramID(c, "id")
	if err != nil {
		return nil, Service{}, err
	}
	ctx := c.UserContext()
	var s Service
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		s, err = loadService(ctx, tx, id)
		return err
	})
	return t, s, err
}

func (h *ui) documentList(c *fiber.Ctx) error {
	_, s, err := h.serviceFor(c)
	if err != nil {
		return err
	}
	return h.renderDocuments(c, fiber.StatusOK, s, nil, nil)
}

// documentUpload stores a PDF, ODT or DOCX attached to the service, after checking its type on
// the content: the name and the browser's declared type prove nothing.
func (h *ui) documentUpload(c *fiber.Ctx) error {
	t, s, err := h.serviceFor(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	form := single(posted(c))
	errs := map[string]string{}
	checkText(errs, "title", form["title"], 2, 200, "Scrivi il titolo del documento, per esempio «Regolamento del servizio».")
	if !validDocumentKind(form["kind"]) {
		errs["kind"] = "Scegli il tipo di documento."
	}
	var data []byte
	var filename string
	fh, err := c.FormFile("file")
	switch {
	case err != nil || fh == nil:
		errs["file"] = msgDocMissing
	case fh.Size > MaxDocumentSize:
		errs["file"] = msgDocTooBig
	default:
		filename = fh.Filename
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("open upload: %w", err)
		}
		data, err = io.ReadAll(io.LimitReader(f, MaxDocumentSize+1))
		f.Close()
		if err != nil {
			return fmt.Errorf("read upload: %w", err)
		}
	}
	var ct string
	if errs["file"] == "" {
		var msg string
		if ct, msg = CheckDocument(data); msg != "" {
			errs["file"] = msg
		}
	}
	if len(errs) > 0 {
		return h.renderDocuments(c, fiber.StatusUnprocessableEntity, s, form, errs)
	}
	name := documentFilename(filename, ct)
	sum := sha256Hex(data)
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sid := s.ID
		id, err := tx.CatalogDocumentInsert(ctx, db.CatalogDocumentInsertParams{
			ServiceID: &sid, Kind: form["kind"], Title: form["title"], Filename: name, ContentType: ct,
			SizeBytes: int32(len(data)), Sha256: sum, Data: data, CreatedBy: staffID(ctx),
		})
		if err != nil {
			return fmt.Errorf("insert document: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.document.upload", ObjectType: "document",
			ObjectID: id.String(), ObjectName: form["title"], Changes: audit.Changes(nil, map[string]string{
				"Servizio": s.Title, "File": name, "Dimensione": fmt.Sprintf("%d KB", (len(data)+1023)/1024)}),
			Details: map[string]any{"service": s.Slug, "title": form["title"], "filename": name,
				"content_type": ct, "bytes": len(data), "sha256": sum}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Documento «"+form["title"]+"» caricato.")
	return c.Redirect(base+"/servizi/"+s.ID.String()+"/documenti", fiber.StatusSeeOther)
}

// documentDownload lets staff check what they uploaded (attached documents of the service).
func (h *ui) documentDownload(c *fiber.Ctx) error {
	t, s, err := h.serviceFor(c)
	if err != nil {
		return err
	}
	docID, err := paramID(c, "doc")
	if err != nil {
		return err
	}
	if !hasDocument(s, docID) {
		return apperr.ErrNotFound
	}
	ctx := c.UserContext()
	var d Document
	var data []byte
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		d, data, err = DocumentContent(ctx, tx, docID)
		return err
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, d.ContentType)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(data)
}

func hasDocument(s Service, id uuid.UUID) bool {
	for _, d := range s.Documents {
		if d.ID == id {
			return true
		}
	}
	return false
}

// documentRemove takes a document off the service. Bytes a published version links to are
// kept (detached), so that the version's download still works; others are deleted.
func (h *ui) documentRemove(c *fiber.Ctx) error {
	t, s, err := h.serviceFor(c)
	if err != nil {
		return err
	}
	docID, err := paramID(c, "doc")
	if err != nil {
		return err
	}
	if !hasDocument(s, docID) {
		return apperr.ErrNotFound
	}
	ctx := c.UserContext()
	var title string
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		d, err := tx.CatalogDocumentGet(ctx, docID)
		if err != nil {
			return err
		}
		title = d.Title
		published, err := tx.CatalogDocumentEverPublished(ctx, docID)
		if err != nil {
			return err
		}
		if published {
			_, err = tx.CatalogDocumentDetach(ctx, docID)
		} else {
			_, err = tx.CatalogDocumentDelete(ctx, docID)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "catalog.document.remove", ObjectType: "document",
			ObjectID: docID.String(), ObjectName: d.Title, Changes: audit.Changes(map[string]string{"Servizio": s.Title, "File": d.Filename}, nil),
			Details: map[string]any{"service": s.Slug, "title": d.Title, "kept_for_history": published}})
	})
	if err != nil {
		return err
	}
	web.SetFlash(c, "success", "Documento «"+title+"» tolto dal servizio.")
	return c.Redirect(base+"/servizi/"+s.ID.String()+"/documenti", fiber.StatusSeeOther)
}
