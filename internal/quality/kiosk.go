package quality

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// Face is the counter kiosk's quick rating ("Mettiamoci la faccia").
type Face string

// The three faces.
const (
	Satisfied    Face = "soddisfatto"
	Neutral      Face = "neutro"
	Dissatisfied Face = "insoddisfatto"
)

// Label is the face in Italian.
func (f Face) Label() string {
	switch f {
	case Satisfied:
		return "Soddisfatto"
	case Neutral:
		return "Né soddisfatto né insoddisfatto"
	case Dissatisfied:
		return "Insoddisfatto"
	}
	return ""
}

// Faces in the kiosk's order.
var Faces = []Face{Satisfied, Neutral, Dissatisfied}

// KioskReasons are what a dissatisfied citizen chooses from.
var KioskReasons = []Option{
	{"attesa", "Ho atteso troppo"},
	{"cortesia", "Il personale non è stato cortese"},
	{"informazioni", "Le informazioni non erano chiare o complete"},
	{"risposta", "Non ho avuto la risposta che cercavo"},
	{"orari", "Gli orari non sono comodi"},
	{"altro", "Altro"},
}

// Messages of the kiosk.
const (
	MsgFace   = "Tocca una delle tre facce."
	MsgReason = "Scegli il motivo."
	MsgOffice = "Scegli uno degli uffici della Carta pubblicata."
)

// Kiosk is a counter kiosk bound to an office.
type Kiosk struct {
	ID         uuid.UUID
	OfficeID   uuid.UUID
	OfficeName string
	CreatedAt  time.Time
	RevokedAt  *time.Time
}

// IssuedKiosk is a new kiosk with its link's token, shown once.
type IssuedKiosk struct {
	Kiosk
	Token string
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func kioskOf(r db.Kiosk) Kiosk {
	return Kiosk{ID: r.ID, OfficeID: r.OfficeID, OfficeName: r.OfficeName, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt}
}

// IssueKiosk binds a new kiosk to officeID, one of the offices t's published Carta shows; the
// token of its link is returned once, only its hash is stored. In the audit trail.
func (s *Service) IssueKiosk(ctx context.Context, t *tenant.Tenant, officeID uuid.UUID) (*IssuedKiosk, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	var out *IssuedKiosk
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sh, err := shown(ctx, tx, t)
		if err != nil {
			return err
		}
		name := ""
		if sh != nil {
			for _, o := range sh.Offices() {
				if o.ID == officeID {
					name = o.Name
				}
			}
		}
		if name == "" {
			return apperr.InvalidFields(map[string]string{"office": MsgOffice})
		}
		k, err := store{tx}.addKiosk(ctx, officeID, name, hashToken(token))
		if err != nil {
			return err
		}
		out = &IssuedKiosk{Kiosk: k, Token: token}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.kiosk.create", ObjectType: "kiosk", ObjectID: k.ID.String(), ObjectName: name})
	})
	return out, err
}

// Kiosks lists t's kiosks, the active ones first.
func (s *Service) Kiosks(ctx context.Context, t *tenant.Tenant) ([]Kiosk, error) {
	var out []Kiosk
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.kiosks(ctx)
		return err
	})
	return out, err
}

// RevokeKiosk ends the link of t's kiosk id: the tablet's page no longer opens. In the trail.
func (s *Service) RevokeKiosk(ctx context.Context, t *tenant.Tenant, id uuid.UUID) error {
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := (store{tx}).revokeKiosk(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.kiosk.revoke", ObjectType: "kiosk", ObjectID: id.String()})
	})
}

// KioskByToken is t's active kiosk whose link carries token; apperr.ErrNotFound otherwise.
func (s *Service) KioskByToken(ctx context.Context, t *tenant.Tenant, token string) (*Kiosk, error) {
	var out *Kiosk
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		k, err := store{tx}.kioskByToken(ctx, hashToken(token))
		if err != nil {
			return err
		}
		out = &k
		return nil
	})
	return out, err
}

// RateAtKiosk stores a face touched at the kiosk whose link carries token, with the reason
// when dissatisfied (and none otherwise), dated today.
func (s *Service) RateAtKiosk(ctx context.Context, t *tenant.Tenant, token string, face Face, reason string) error {
	errs := map[string]string{}
	if face.Label() == "" {
		errs["face"] = MsgFace
	}
	if face == Dissatisfied && !validOption(KioskReasons, reason) {
		errs["reason"] = MsgReason
	}
	if face != Dissatisfied {
		reason = ""
	}
	if len(errs) > 0 {
		return apperr.InvalidFields(errs)
	}
	return s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		st := store{tx}
		k, err := st.kioskByToken(ctx, hashToken(token))
		if err != nil {
			return err
		}
		return st.addKioskRating(ctx, k, face, reason, s.today())
	})
}

// KioskCounts are the faces touched at t's kiosk id, by face.
func (s *Service) KioskCounts(ctx context.Context, t *tenant.Tenant, id uuid.UUID) (map[Face]int, error) {
	var out map[Face]int
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		out, err = store{tx}.kioskCounts(ctx, id)
		return err
	})
	return out, err
}

// Offices lists the offices t's published Carta shows (code: the office id).
func (s *Service) Offices(ctx context.Context, t *tenant.Tenant) ([]Option, error) {
	var out []Option
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sh, err := shown(ctx, tx, t)
		if err != nil || sh == nil {
			return err
		}
		for _, o := range sh.Offices() {
			out = append(out, Option{Code: o.ID.String(), Label: o.Name})
		}
		return nil
	})
	return out, err
}
