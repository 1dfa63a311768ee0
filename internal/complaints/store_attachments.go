package complaints

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
)

// The store's side of attachments: the only caller of the ComplaintUpload* and
// ComplaintAttachment* queries.

func (st store) addUpload(ctx context.Context, u Upload, data []byte, now time.Time) (string, error) {
	raw, err := newToken()
	if err != nil {
		return "", err
	}
	if err := st.tx.ComplaintUploadAdd(ctx, db.ComplaintUploadAddParams{TokenHash: linkHash(raw), Filename: u.Name,
		ContentType: u.ContentType, SizeBytes: int32(u.Size), Data: data, CreatedAt: now}); err != nil {
		return "", fmt.Errorf("keep upload: %w", err)
	}
	return raw, nil
}

func (st store) pending(ctx context.Context, tokens []string, cutoff time.Time) ([]Upload, error) {
	hashes := make([][]byte, len(tokens))
	for i, tok := range tokens {
		hashes[i] = linkHash(tok)
	}
	rows, err := st.tx.ComplaintUploadsPending(ctx, db.ComplaintUploadsPendingParams{Hashes: hashes, Cutoff: cutoff})
	if err != nil {
		return nil, err
	}
	byHash := map[string]db.ComplaintUploadsPendingRow{}
	for _, r := range rows {
		byHash[string(r.TokenHash)] = r
	}
	var out []Upload
	for i, tok := range tokens {
		if r, ok := byHash[string(hashes[i])]; ok {
			out = append(out, Upload{Token: tok, Name: r.Filename, ContentType: r.ContentType, Size: int(r.SizeBytes)})
		}
	}
	return out, nil
}

// attach moves the pending uploads of tokens into complaint id, numbered in their order; an
// unknown, used or expired token refuses the whole submission.
func (st store) attach(ctx context.Context, id uuid.UUID, tokens []string, cutoff time.Time) error {
	for i, tok := range tokens {
		n, err := st.tx.ComplaintUploadAttach(ctx, db.ComplaintUploadAttachParams{ComplaintID: id, N: int32(i + 1),
			TokenHash: linkHash(tok), Cutoff: cutoff})
		if err != nil {
			return fmt.Errorf("attach upload: %w", err)
		}
		if n == 0 {
			return apperr.InvalidFields(map[string]string{FieldAttachments: msgUploadGone})
		}
	}
	return nil
}

func (st store) attachments(ctx context.Context, id uuid.UUID) ([]Upload, error) {
	rows, err := st.tx.ComplaintAttachmentsOf(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]Upload, 0, len(rows))
	for _, r := range rows {
		out = append(out, Upload{N: int(r.N), Name: r.Filename, ContentType: r.ContentType, Size: int(r.SizeBytes)})
	}
	return out, nil
}

// newToken is a random token of 43 base64url characters (the shape validLink accepts).
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (st store) discard(ctx context.Context, tokens []string) error {
	for _, tok := range tokens {
		if err := st.tx.ComplaintUploadDiscard(ctx, linkHash(tok)); err != nil {
			return err
		}
	}
	return nil
}

func (st store) deleteUploadsBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	return st.tx.ComplaintUploadsDeleteBefore(ctx, cutoff)
}

func (st store) attachment(ctx context.Context, id uuid.UUID, n int) (*AttachmentFile, error) {
	r, err := st.tx.ComplaintAttachmentGet(ctx, db.ComplaintAttachmentGetParams{ComplaintID: id, N: int32(n)})
	if err != nil {
		return nil, notFound(err)
	}
	return &AttachmentFile{Upload: Upload{N: int(r.N), Name: r.Filename, ContentType: r.ContentType, Size: int(r.SizeBytes)},
		Data: r.Data, Protocol: Protocol(int(r.Year), int(r.Number))}, nil
}

// pendingBytes is the size of the tenant's uploads still waiting (created after cutoff).
func (st store) pendingBytes(ctx context.Context, cutoff time.Time) (int64, error) {
	return st.tx.ComplaintUploadsPendingBytes(ctx, cutoff)
}
