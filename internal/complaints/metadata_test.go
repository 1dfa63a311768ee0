package complaints_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// gpsExif is an APP1 segment's payload as a phone writes it (abridged), with a place in it.
const gpsExif = "Exif\x00\x00MM\x00*GPSLatitude 41.9973 N GPSLongitude 12.0982 E Pixel 8"

func jpegWithExif(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)), nil))
	plain := b.Bytes()
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(gpsExif)))
	seg = append(seg, gpsExif...)
	com := append([]byte{0xFF, 0xFE, 0, 2 + 11}, "Casa Rossi."...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, seg...)
	out = append(out, com...)
	return append(out, plain[2:]...)
}

func pngWithText(t *testing.T) []byte {
	t.Helper()
	plain := smallPNG(t)
	body := append([]byte("tEXt"), "Author\x00Maria Rossi, via Roma 1"...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(body)-4))
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	// After the signature (8) and IHDR (25 bytes).
	out := append([]byte{}, plain[:33]...)
	out = append(out, chunk...)
	return append(out, plain[33:]...)
}

// TestUploadDropsImageMetadata: the place, device and names a photo carries are not kept; the
// picture still decodes to the same size, and a PDF is kept byte for byte.
func TestUploadDropsImageMetadata(t *testing.T) {
	t.Parallel()
	svc, env, _ := newService(t, time.Now())
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	stored := func(name string, data []byte) []byte {
		tok, err := svc.Upload(ctx, tn, name, data)
		require.NoError(t, err)
		sub := valid()
		sub.Uploads = []string{tok}
		rec, err := svc.Submit(ctx, tn, sub)
		require.NoError(t, err)
		f, err := svc.Attachment(ctx, tn, rec.Complaint.ID, 1)
		require.NoError(t, err)
		return f.Data
	}
	j := jpegWithExif(t)
	require.Contains(t, string(j), "GPSLatitude")
	got := stored("foto.jpg", j)
	require.NotContains(t, string(got), "GPSLatitude")
	require.NotContains(t, string(got), "Casa Rossi")
	cfg, format, err := image.DecodeConfig(bytes.NewReader(got))
	require.NoError(t, err)
	require.Equal(t, "jpeg", format)
	require.Equal(t, 4, cfg.Width)
	_, _, err = image.Decode(bytes.NewReader(got))
	require.NoError(t, err, "the whole picture still decodes")

	p := pngWithText(t)
	_, _, err = image.Decode(bytes.NewReader(p))
	require.NoError(t, err, "the fixture is a valid PNG")
	got = stored("foto.png", p)
	require.NotContains(t, string(got), "Maria Rossi")
	require.Equal(t, smallPNG(t), got, "only the text chunk went")

	require.Equal(t, []byte(smallPDF), stored("modulo.pdf", []byte(smallPDF)))
}

// TestPendingUploadsAreBounded: past the tenant's bound of files waiting for their complaint,
// an upload is refused with its message and nothing stored; another comune is not affected,
// and filing a complaint makes room again.
func TestPendingUploadsAreBounded(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	svc := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, Log: quiet,
		SiteURL: func(slug string) string { return "https://" + slug + ".carta.test" }, MaxPendingBytes: 200})
	svc.UseJobs(&queue{})
	ctx := context.Background()
	tn := env.NewTenant(t, tenant.KindComune)
	other := env.NewTenant(t, tenant.KindComune)
	pic := smallPNG(t) // 80 bytes
	a, err := svc.Upload(ctx, tn, "a.png", pic)
	require.NoError(t, err)
	_, err = svc.Upload(ctx, tn, "b.png", pic)
	require.NoError(t, err)
	_, err = svc.Upload(ctx, tn, "c.png", pic)
	require.Contains(t, fieldMessage(t, err), "non possiamo ricevere altri allegati")
	require.Equal(t, 2, uploadsOf(t, env, tn))
	_, err = svc.Upload(ctx, other, "c.png", pic)
	require.NoError(t, err, "each comune has its own bound")

	sub := valid()
	sub.Uploads = []string{a}
	_, err = svc.Submit(ctx, tn, sub)
	require.NoError(t, err)
	_, err = svc.Upload(ctx, tn, "c.png", pic)
	require.NoError(t, err, "a filed upload no longer counts")
}
