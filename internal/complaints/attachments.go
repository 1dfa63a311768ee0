package complaints

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig reads JPEG headers
	_ "image/png"  // and PNG ones
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/tenant"
)

// Attachments: a complaint carries up to MaxAttachments files, images (JPEG, PNG) or PDFs of
// MaxAttachmentBytes each, their type read from the content (never from the name or the
// browser's declared type). The citizen's form chooses them at the "dati" step, but files the
// complaint at "riepilogo": in between each file waits as a pending upload, found by the hash
// of a random token that the form carries in a hidden field, and Submit moves the uploads
// into the complaint in its own transaction. Uploads never filed are deleted after
// UploadTTL by a daily job.

// The limits of attachments.
const (
	MaxAttachments     = 3
	MaxAttachmentBytes = 5 << 20
	UploadTTL          = 24 * time.Hour
	// MaxPendingBytes bounds, per tenant, the files chosen and not yet filed (Deps can lower
	// it): about a hundred citizens filling the form with 5 MB of photos at the same time.
	MaxPendingBytes = 512 << 20
)

// FieldAttachments is the form field (and the key of the validation messages) of the files.
const FieldAttachments = "attachments"

// Messages of the attachments.
const (
	msgTooManyFiles = "Puoi allegare al massimo 3 file: togli quelli in più e riprova."
	msgUploadGone   = "Un allegato non è più disponibile (i file scelti si conservano per 24 ore): sceglilo di nuovo."
	msgUploadsFull  = "In questo momento non possiamo ricevere altri allegati: presenta il reclamo senza file, oppure riprova più tardi."
)

func msgTooBig(name string) string {
	return "Il file «" + name + "» supera 5 MB: riducilo (per esempio con una foto a risoluzione più bassa) e riprova."
}

func msgWrongType(name string) string {
	return "Il file «" + name + "» non è un'immagine JPEG o PNG né un PDF: allega solo foto o documenti PDF."
}

func msgEmptyFile(name string) string {
	return "Il file «" + name + "» è vuoto: scegli di nuovo il file da allegare."
}

// attachmentTypes are the accepted types with the extension a stored name gets.
var attachmentTypes = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}

// extensions of each type that a name may keep as it is.
var keptExtensions = map[string][]string{"image/jpeg": {".jpg", ".jpeg"}, "image/png": {".png"}, "application/pdf": {".pdf"}}

// sniff returns the type of data among the accepted ones, "" when it is none of them. The
// first bytes decide (http.DetectContentType); an image must also have a readable header, so
// that a few magic bytes before something else do not pass for a picture.
func sniff(data []byte) string {
	ct := http.DetectContentType(data)
	switch ct {
	case "image/jpeg", "image/png":
		if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
			return ""
		}
		return ct
	case "application/pdf":
		return ct
	}
	return ""
}

// cleanName is the uploaded name without folders, control or special characters (it goes in
// pages and in a Content-Disposition header), "" when nothing is left.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError || strings.ContainsRune(`"/\:*?<>|;%`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// attachmentName is the name an accepted file is kept under: cleaned, at most 100 characters
// before its extension, which matches the detected type.
func attachmentName(name, contentType string) string {
	name = cleanName(name)
	ext := strings.ToLower(path.Ext(name))
	base := strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name)))
	keep := false
	for _, e := range keptExtensions[contentType] {
		keep = keep || e == ext
	}
	if !keep {
		ext = attachmentTypes[contentType]
	}
	if base == "" {
		base = "allegato"
	}
	for utf8.RuneCountInString(base) > 100 {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base + ext
}

// shownName is a refused file's name as its message quotes it.
func shownName(name string) string {
	n := cleanName(name)
	if n == "" {
		return "senza nome"
	}
	for utf8.RuneCountInString(n) > 100 {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	return n
}

// File is one file as it arrived: its name as the browser sent it and its bytes.
type File struct {
	Name string
	Data []byte
}

// Upload is a pending upload, or an attachment of a complaint (N from 1), without its bytes.
type Upload struct {
	Token       string // the pending upload's token; empty for an attachment
	N           int
	Name        string
	ContentType string
	Size        int
}

// SizeText is the size for people: "820 byte", "12 kB", "1,4 MB".
func (u Upload) SizeText() string { return sizeText(u.Size) }

// TypeLabel names the type in Italian.
func (u Upload) TypeLabel() string {
	switch u.ContentType {
	case "image/jpeg":
		return "immagine JPEG"
	case "image/png":
		return "immagine PNG"
	case "application/pdf":
		return "documento PDF"
	}
	return u.ContentType
}

func sizeText(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n) + " byte"
	case n < 1_000_000:
		return strconv.Itoa((n+500)/1000) + " kB"
	}
	tenths := (n + 50_000) / 100_000
	return strconv.Itoa(tenths/10) + "," + strconv.Itoa(tenths%10) + " MB"
}

// CheckFile validates one file as Upload would, without storing it: its type by content and
// its size. The message names the file.
func CheckFile(name string, size int, head []byte) (contentType, message string) {
	shown := shownName(name)
	switch {
	case size > MaxAttachmentBytes:
		return "", msgTooBig(shown)
	case size == 0:
		return "", msgEmptyFile(shown)
	}
	ct := sniff(head)
	if ct == "" {
		return "", msgWrongType(shown)
	}
	return ct, ""
}

// Upload keeps one file as a pending upload of t and returns its token; the file is refused
// (apperr.Invalid on the field FieldAttachments) when larger than 5 MB or not an image JPEG,
// PNG or a PDF by its content. How many a complaint carries is Submit's to check.
func (s *Service) Upload(ctx context.Context, t *tenant.Tenant, name string, data []byte) (string, error) {
	ups, err := s.UploadAll(ctx, t, []File{{Name: name, Data: data}})
	if err != nil {
		return "", err
	}
	return ups[0].Token, nil
}

// UploadAll checks every file, then keeps them all as pending uploads in one transaction: one
// refused file stores none. The messages of the refused files come joined on the field
// FieldAttachments.
func (s *Service) UploadAll(ctx context.Context, t *tenant.Tenant, files []File) ([]Upload, error) {
	out := make([]Upload, 0, len(files))
	var msgs []string
	kept := make([][]byte, 0, len(files))
	for _, f := range files {
		ct, msg := CheckFile(f.Name, len(f.Data), f.Data)
		if msg != "" {
			msgs = append(msgs, msg)
			continue
		}
		data := stripMetadata(ct, f.Data)
		kept = append(kept, data)
		out = append(out, Upload{Name: attachmentName(f.Name, ct), ContentType: ct, Size: len(data)})
	}
	if len(msgs) > 0 {
		return nil, apperr.InvalidFields(map[string]string{FieldAttachments: strings.Join(msgs, " ")})
	}
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		// A flood of files never filed must not fill the database: past a tenant-wide bound
		// of what waits, uploads are refused until the daily cleanup (or filings) make room.
		waiting, err := st.pendingBytes(ctx, s.d.Now().Add(-UploadTTL))
		if err != nil {
			return err
		}
		total := waiting
		for _, d := range kept {
			total += int64(len(d))
		}
		if total > s.maxPending() {
			s.d.Log.WarnContext(ctx, "pending uploads bound reached", "tenant", t.Slug, "bytes", waiting)
			return apperr.InvalidFields(map[string]string{FieldAttachments: msgUploadsFull})
		}
		for i := range out {
			tok, err := st.addUpload(ctx, out[i], kept[i], s.d.Now())
			if err != nil {
				return err
			}
			out[i].Token = tok
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Pending returns the uploads of t among tokens that can still be filed, in the tokens' order
// and each once; unknown, used and expired tokens are left out.
func (s *Service) Pending(ctx context.Context, t *tenant.Tenant, tokens []string) ([]Upload, error) {
	tokens = uniqueTokens(tokens)
	if len(tokens) == 0 {
		return nil, nil
	}
	var out []Upload
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.pending(ctx, tokens, s.d.Now().Add(-UploadTTL))
		return err
	})
	return out, err
}

// Discard deletes pending uploads of t (the citizen took them off the form).
func (s *Service) Discard(ctx context.Context, t *tenant.Tenant, tokens []string) error {
	tokens = uniqueTokens(tokens)
	if len(tokens) == 0 {
		return nil
	}
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		return store{tx}.discard(ctx, tokens)
	})
}

// uniqueTokens keeps the well-formed tokens, each once, in their order.
func uniqueTokens(tokens []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, tok := range tokens {
		if validLink(tok) && !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	return out
}

// checkUploads is Submit's check of the tokens before its transaction.
func checkUploads(tokens []string, f map[string]string) []string {
	if len(tokens) == 0 {
		return nil
	}
	u := uniqueTokens(tokens)
	switch {
	case len(tokens) > MaxAttachments:
		f[FieldAttachments] = msgTooManyFiles
	case len(u) != len(tokens):
		f[FieldAttachments] = msgUploadGone
	}
	return u
}

// AttachmentFile is an attachment with its bytes, for the staff's download.
type AttachmentFile struct {
	Upload
	Data     []byte
	Protocol string // the complaint's number
}

// Attachment returns attachment n of t's complaint id; apperr.ErrNotFound when there is none.
func (s *Service) Attachment(ctx context.Context, t *tenant.Tenant, id uuid.UUID, n int) (*AttachmentFile, error) {
	if n < 1 || n > MaxAttachments {
		return nil, apperr.ErrNotFound
	}
	var out *AttachmentFile
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.attachment(ctx, id, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteStaleUploads deletes t's pending uploads older than UploadTTL and returns how many.
func (s *Service) DeleteStaleUploads(ctx context.Context, t *tenant.Tenant) (int, error) {
	var n int64
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		n, err = store{tx}.deleteUploadsBefore(ctx, s.d.Now().Add(-UploadTTL))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete stale uploads of %s: %w", t.Slug, err)
	}
	return int(n), nil
}

// UploadCleanupArgs is the daily job that deletes the pending uploads never filed.
type UploadCleanupArgs struct{}

// Kind names the job.
func (UploadCleanupArgs) Kind() string { return "complaint_upload_cleanup" }

type uploadCleanupWorker struct {
	river.WorkerDefaults[UploadCleanupArgs]
	svc *Service
}

// Work goes through every tenant; one tenant's failure does not stop the others.
func (w *uploadCleanupWorker) Work(ctx context.Context, _ *river.Job[UploadCleanupArgs]) error {
	return w.svc.eachTenant(ctx, "complaint upload cleanup", func(t *tenant.Tenant) error {
		n, err := w.svc.DeleteStaleUploads(ctx, t)
		if err == nil && n > 0 {
			w.svc.d.Log.InfoContext(ctx, "stale complaint uploads deleted", "tenant", t.Slug, "count", n)
		}
		return err
	})
}

func (s *Service) maxPending() int64 {
	if s.d.MaxPendingBytes > 0 {
		return s.d.MaxPendingBytes
	}
	return MaxPendingBytes
}
