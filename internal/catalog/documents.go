package catalog

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
)

// Content types of the accepted documents.
const (
	typePDF  = "application/pdf"
	typeODT  = "application/vnd.oasis.opendocument.text"
	typeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// DocumentKinds are the kinds of a service's document, with their Italian labels.
var DocumentKinds = []struct{ Key, Label string }{
	{"condizioni", "Condizioni di servizio"},
	{"modulo", "Modulo"},
	{"carta", "Carta dei servizi"},
	{"altro", "Altro documento"},
}

// DocumentKindLabel is the Italian label of a document kind.
func DocumentKindLabel(k string) string {
	for _, d := range DocumentKinds {
		if d.Key == k {
			return d.Label
		}
	}
	return k
}

func validDocumentKind(k string) bool {
	for _, d := range DocumentKinds {
		if d.Key == k {
			return true
		}
	}
	return false
}

// Messages shown next to the file field.
const (
	msgDocMissing = "Scegli un file da caricare."
	msgDocEmpty   = "Il file è vuoto."
	msgDocTooBig  = "Il file supera la dimensione massima di 10 MB."
	msgDocType    = "Il file non è un documento PDF, ODT o DOCX valido: il tipo è verificato sul contenuto, non sull'estensione del nome."
)

// DetectDocumentType returns the content type of data when it is a PDF, an OpenDocument text or
// a Word (OOXML) document, judged by the content alone: a renamed file of another kind is
// refused whatever its name says. It returns "" otherwise.
func DetectDocumentType(data []byte) string {
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return typePDF
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return ""
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	var mimetype, contentTypes *zip.File
	hasWordDocument, hasODFContent := false, false
	for _, f := range zr.File {
		switch f.Name {
		case "mimetype":
			mimetype = f
		case "[Content_Types].xml":
			contentTypes = f
		case "word/document.xml":
			hasWordDocument = true
		case "content.xml":
			hasODFContent = true
		}
	}
	// OpenDocument: a "mimetype" entry naming the text document type (ODF 1.2, part 3, 3.3).
	if mimetype != nil && hasODFContent {
		if b, ok := readZipEntry(mimetype, 256); ok && strings.TrimSpace(string(b)) == typeODT {
			return typeODT
		}
		return ""
	}
	// Office Open XML: [Content_Types].xml declares the main part of a word-processing document.
	if contentTypes != nil && hasWordDocument {
		if b, ok := readZipEntry(contentTypes, 1<<20); ok &&
			bytes.Contains(b, []byte("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")) {
			return typeDOCX
		}
	}
	return ""
}

// readZipEntry reads at most limit bytes of f; a larger entry (a zip bomb, or not what it
// claims to be) is refused.
func readZipEntry(f *zip.File, limit int64) ([]byte, bool) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, false
	}
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil || int64(len(b)) > limit {
		return nil, false
	}
	return b, true
}

// CheckDocument validates an upload; the message is for the file field, "" when valid.
func CheckDocument(data []byte) (contentType, message string) {
	switch {
	case len(data) == 0:
		return "", msgDocEmpty
	case len(data) > MaxDocumentSize:
		return "", msgDocTooBig
	}
	ct := DetectDocumentType(data)
	if ct == "" {
		return "", msgDocType
	}
	return ct, ""
}

// documentFilename keeps the base of the uploaded name, readable and safe in a
// Content-Disposition header, with the extension of the detected type.
func documentFilename(name, contentType string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`"/\:*?<>|;`, r) {
			return -1
		}
		return r
	}, name)
	base := strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name)))
	if base == "" || base == "." {
		base = "documento"
	}
	for utf8.RuneCountInString(base) > 150 {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base + DocumentTypes[contentType]
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// DocumentContent returns a document of tx's tenant with its bytes, for the citizen download
// route. Detached documents are returned too, because an older published version may link to
// them: the caller decides (from the published version it serves) whether id may be served.
// apperr.ErrNotFound when the tenant has no such document.
func DocumentContent(ctx context.Context, tx *tenant.Tx, id uuid.UUID) (Document, []byte, error) {
	r, err := tx.CatalogDocumentContent(ctx, id)
	if tenant.IsNoRows(err) {
		return Document{}, nil, apperr.ErrNotFound
	}
	if err != nil {
		return Document{}, nil, fmt.Errorf("catalog: document: %w", err)
	}
	return Document{ID: r.ID, Kind: r.Kind, Title: r.Title, Filename: r.Filename, ContentType: r.ContentType,
		Size: int(r.SizeBytes), SHA256: r.Sha256}, r.Data, nil
}
