package complaints_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// smallPNG is a real 3×2 picture.
func smallPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3, 2))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// smallPDF is a minimal well-formed PDF of one empty page.
const smallPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n" +
	"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n" +
	"trailer << /Root 1 0 R >>\n%%EOF\n"

func uploadsOf(t *testing.T, env *testenv.Env, tn *tenant.Tenant) int {
	t.Helper()
	var n int
	require.NoError(t, env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM complaint_uploads WHERE tenant_id = $1`, tn.ID).Scan(&n))
	return n
}

func fieldMessage(t *testing.T, err error) string {
	t.Helper()
	e, ok := apperr.As(err)
	require.True(t, ok, "%v", err)
	require.Contains(t, e.Fields, complaints.FieldAttachments, "%v", e.Fields)
	return e.Fields[complaints.FieldAttachments]
}

// TestUploadChecksTheContent: a file is judged by its bytes, not by its name: too large, text
// named .pdf and HTML named .png are refused with their message and store nothing; a real PNG
// and PDF are kept, under a cleaned name with the extension of their type.
func TestUploadChecksTheContent(t *testing.T) {
	t.Parallel()
	svc, env, _ := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	pic := smallPNG(t)

	big := append(append([]byte{}, pic...), make([]byte, complaints.MaxAttachmentBytes+1-len(pic))...)
	require.Len(t, big, 5<<20+1)
	_, err := svc.Upload(ctx, tn, "foto.png", big)
	require.Contains(t, fieldMessage(t, err), "Il file «foto.png» supera 5 MB")
	_, err = svc.Upload(ctx, tn, "verbale.pdf", []byte("Questo è solo testo, non un PDF.\n"))
	require.Contains(t, fieldMessage(t, err), "Il file «verbale.pdf» non è un'immagine JPEG o PNG né un PDF")
	_, err = svc.Upload(ctx, tn, "foto.png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"))
	require.Contains(t, fieldMessage(t, err), "«foto.png» non è un'immagine")
	_, err = svc.Upload(ctx, tn, "finta.png", append([]byte("\x89PNG\r\n\x1a\n"), []byte("<html>")...))
	require.Contains(t, fieldMessage(t, err), "non è un'immagine", "PNG's magic bytes alone are not a picture")
	_, err = svc.Upload(ctx, tn, "vuoto.pdf", nil)
	require.Contains(t, fieldMessage(t, err), "è vuoto")
	// One wrong file among right ones: none is kept.
	_, err = svc.UploadAll(ctx, tn, []complaints.File{{Name: "foto.png", Data: pic}, {Name: "nota.pdf", Data: []byte("testo")}})
	require.Contains(t, fieldMessage(t, err), "«nota.pdf»")
	require.Zero(t, uploadsOf(t, env, tn), "a refused file is stored")

	tokPNG, err := svc.Upload(ctx, tn, `C:\Documenti\..\Foto "sportello".png`, pic)
	require.NoError(t, err)
	tokPDF, err := svc.Upload(ctx, tn, "scansione", []byte(smallPDF))
	require.NoError(t, err)
	require.Len(t, tokPNG, 43)
	require.Equal(t, 2, uploadsOf(t, env, tn))
	ups, err := svc.Pending(ctx, tn, []string{tokPDF, "non-un-token", tokPNG, tokPDF})
	require.NoError(t, err)
	require.Len(t, ups, 2)
	require.Equal(t, "scansione.pdf", ups[0].Name, "the extension of the detected type")
	require.Equal(t, "application/pdf", ups[0].ContentType)
	require.Equal(t, "Foto sportello.png", ups[1].Name)
	require.Equal(t, "image/png", ups[1].ContentType)
	require.Equal(t, len(pic), ups[1].Size)

	// Another comune does not see them.
	other := env.NewTenant(t, tenant.KindComune)
	ups, err = svc.Pending(ctx, other, []string{tokPNG, tokPDF})
	require.NoError(t, err)
	require.Empty(t, ups)
}

// TestSubmitMovesTheUploads: Submit takes at most 3 uploads, moves them into the complaint in
// its transaction (readable by the same tenant only, listed on the private page and in the
// author's data) and refuses a token used, expired or of another comune, filing nothing.
func TestSubmitMovesTheUploads(t *testing.T) {
	t.Parallel()
	now := time.Now()
	svc, env, _ := newService(t, now)
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)
	pic := smallPNG(t)
	var toks []string
	for range 4 {
		tok, err := svc.Upload(ctx, tn, "foto.png", pic)
		require.NoError(t, err)
		toks = append(toks, tok)
	}
	filed := func(tt *tenant.Tenant) int {
		var n int
		require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM complaints WHERE tenant_id = $1`, tt.ID).Scan(&n))
		return n
	}
	sub := valid()
	sub.Uploads = toks
	_, err := svc.Submit(ctx, tn, sub)
	require.Equal(t, "Puoi allegare al massimo 3 file: togli quelli in più e riprova.", fieldMessage(t, err))
	require.Zero(t, filed(tn))

	// A token of another comune, and an expired one, refuse the submission whole.
	foreign, err := svc.Upload(ctx, other, "altrove.png", pic)
	require.NoError(t, err)
	sub.Uploads = []string{toks[0], foreign}
	_, err = svc.Submit(ctx, tn, sub)
	require.Contains(t, fieldMessage(t, err), "non è più disponibile")
	later, _, _ := newService(t, now.Add(complaints.UploadTTL+time.Minute))
	sub.Uploads = toks[:1]
	_, err = later.Submit(ctx, tn, sub)
	require.Contains(t, fieldMessage(t, err), "non è più disponibile")
	require.Zero(t, filed(tn))
	require.Equal(t, 4, uploadsOf(t, env, tn), "a refused submission keeps the uploads")

	pdf, err := svc.Upload(ctx, tn, "ricevuta.pdf", []byte(smallPDF))
	require.NoError(t, err)
	sub.Uploads = []string{toks[0], pdf}
	rec, err := svc.Submit(ctx, tn, sub)
	require.NoError(t, err)
	require.Equal(t, 3, uploadsOf(t, env, tn), "the two uploads moved into the complaint")
	d, err := svc.Get(ctx, tn, rec.Complaint.ID)
	require.NoError(t, err)
	require.Len(t, d.Attachments, 2)
	require.Equal(t, []string{"foto.png", "ricevuta.pdf"}, []string{d.Attachments[0].Name, d.Attachments[1].Name})
	a, err := svc.Attachment(ctx, tn, rec.Complaint.ID, 1)
	require.NoError(t, err)
	require.Equal(t, pic, a.Data)
	require.Equal(t, "image/png", a.ContentType)
	require.Equal(t, rec.Complaint.Protocol(), a.Protocol)
	a, err = svc.Attachment(ctx, tn, rec.Complaint.ID, 2)
	require.NoError(t, err)
	require.Equal(t, smallPDF, string(a.Data))
	_, err = svc.Attachment(ctx, tn, rec.Complaint.ID, 3)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	_, err = svc.Attachment(ctx, other, rec.Complaint.ID, 1)
	require.ErrorIs(t, err, apperr.ErrNotFound, "another comune reads the attachment")

	f, err := svc.ByLink(ctx, tn, rec.Link)
	require.NoError(t, err)
	require.Len(t, f.Attachments, 2)
	require.Equal(t, "ricevuta.pdf", f.Attachments[1].Name)
	data, err := svc.ExportAuthor(ctx, tn, rec.Complaint.ID)
	require.NoError(t, err)
	require.Equal(t, []complaints.ExportFile{{Nome: "foto.png", Tipo: "image/png", Dimensione: len(pic)},
		{Nome: "ricevuta.pdf", Tipo: "application/pdf", Dimensione: len(smallPDF)}}, data.Complaints[0].Allegati)

	// A token once filed is spent.
	sub.Uploads = toks[:1]
	_, err = svc.Submit(ctx, tn, sub)
	require.Contains(t, fieldMessage(t, err), "non è più disponibile")
	require.Equal(t, 1, filed(tn))
}

// TestStaleUploadsAreDeleted: the daily cleanup deletes the uploads older than 24 hours of
// each comune, and keeps the recent ones.
func TestStaleUploadsAreDeleted(t *testing.T) {
	t.Parallel()
	now := time.Now()
	svc, env, _ := newService(t, now.Add(-complaints.UploadTTL-time.Hour))
	fresh, _, _ := newService(t, now)
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)
	pic := smallPNG(t)
	for _, tt := range []*tenant.Tenant{tn, other} {
		_, err := svc.Upload(ctx, tt, "vecchia.png", pic)
		require.NoError(t, err)
	}
	keep, err := fresh.Upload(ctx, tn, "nuova.png", pic)
	require.NoError(t, err)

	n, err := fresh.DeleteStaleUploads(ctx, tn)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, 1, uploadsOf(t, env, tn))
	require.Equal(t, 1, uploadsOf(t, env, other), "another comune's turn is its own")
	ups, err := fresh.Pending(ctx, tn, []string{keep})
	require.NoError(t, err)
	require.Len(t, ups, 1)
	n, err = fresh.DeleteStaleUploads(ctx, tn)
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestRetentionDeletesAttachments: anonymising a complaint deletes its files.
func TestRetentionDeletesAttachments(t *testing.T) {
	t.Parallel()
	svc, env, _ := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	file := func() *complaints.Receipt {
		tok, err := svc.Upload(ctx, tn, "foto.png", smallPNG(t))
		require.NoError(t, err)
		sub := valid()
		sub.Uploads = []string{tok}
		rec, err := svc.Submit(ctx, tn, sub)
		require.NoError(t, err)
		_, err = svc.TakeInCharge(ctx, tn, rec.Complaint.ID, complaints.NotCompetent)
		require.NoError(t, err)
		_, err = svc.Close(ctx, tn, rec.Complaint.ID)
		require.NoError(t, err)
		return rec
	}
	old, recent := file(), file()
	_, err := env.Admin.Exec(ctx, `UPDATE complaints SET closed_at = now() - interval '61 months' WHERE id = $1`, old.Complaint.ID)
	require.NoError(t, err)
	n, err := svc.AnonymiseExpired(ctx, tn)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	var left int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM complaint_attachments WHERE complaint_id = $1`, old.Complaint.ID).Scan(&left))
	require.Zero(t, left, "the files of an anonymised complaint remain")
	_, err = svc.Attachment(ctx, tn, old.Complaint.ID, 1)
	require.ErrorIs(t, err, apperr.ErrNotFound)
	d, err := svc.Get(ctx, tn, recent.Complaint.ID)
	require.NoError(t, err)
	require.Len(t, d.Attachments, 1, "a recent complaint keeps its file")
	require.True(t, strings.HasSuffix(d.Attachments[0].Name, ".png"))
}

// TestProtocolMailboxGetsTheAttachments: with a protocol mailbox set, the job after Submit
// sends the complaint there with its receipt and the citizen's files, as they were uploaded.
func TestProtocolMailboxGetsTheAttachments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A database of its own: the package's other queues would otherwise work this job with
	// their own Service and SMTP server.
	env := testenv.Get(t).Isolated(t)
	smtp, sender := mailAndQueue(t, env)
	svc := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants,
		SiteURL: func(slug string) string { return "https://" + slug + ".carta.test" }, Log: quiet})
	jc := queueFor(t, env, svc, sender)
	require.NoError(t, jc.Start(ctx))
	t.Cleanup(func() { _ = jc.Stop(context.Background()) })

	tn := env.NewTenant(t, tenant.KindComune)
	pec := "protocollo-" + uuid.NewString()[:8] + "@pec.example.it"
	require.NoError(t, svc.SaveSettings(ctx, tn, complaints.Settings{DueDays: 30, RetentionMonths: 60, ProtocolMailbox: pec}))
	pic := smallPNG(t)
	photo, err := svc.Upload(ctx, tn, "rampa.png", pic)
	require.NoError(t, err)
	doc, err := svc.Upload(ctx, tn, "certificato.pdf", []byte(smallPDF))
	require.NoError(t, err)
	sub := valid()
	sub.Uploads = []string{photo, doc}
	rec, err := svc.Submit(ctx, tn, sub)
	require.NoError(t, err)

	m := smtp.WaitFor(t, pec, 30*time.Second)
	require.Contains(t, m.Subject, rec.Complaint.Protocol())
	require.Equal(t, pic, m.Attachments["allegato-1-rampa.png"], "the photo goes as it was uploaded")
	require.Equal(t, []byte(smallPDF), m.Attachments["allegato-2-certificato.pdf"])
	p := rec.Complaint.Protocol()
	require.True(t, bytes.HasPrefix(m.Attachments["ricevuta-reclamo-"+p[:4]+"-"+p[5:]+".pdf"], []byte("%PDF-")))
	require.Len(t, m.Attachments, 3)
}
