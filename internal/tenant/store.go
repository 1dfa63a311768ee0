package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
)

// Store reads and changes tenants, their ambito membership and their profile.
type Store struct{ db *DB }

// NewStore returns a Store on d.
func NewStore(d *DB) *Store { return &Store{db: d} }

func fromRow(r db.Tenant) *Tenant {
	return &Tenant{
		ID: r.ID, Slug: r.Slug, Kind: Kind(r.Kind), Name: r.Name, IstatCode: r.IstatCode,
		IpaCode: r.IpaCode, Status: Status(r.Status), CreatedAt: r.CreatedAt,
	}
}

// load fills the ambito of a comune.
func load(ctx context.Context, tx *Tx, r db.Tenant) (*Tenant, error) {
	t := fromRow(r)
	if t.Kind != KindComune {
		return t, nil
	}
	a, err := tx.AmbitoCurrentOf(ctx, t.ID)
	switch {
	case IsNoRows(err):
		return t, nil
	case err != nil:
		return nil, fmt.Errorf("ambito of %s: %w", t.Slug, err)
	}
	t.Ambito = &Ref{ID: a.ID, Slug: a.Slug, Name: a.Name}
	t.IsCapofila = a.IsCapofila
	return t, nil
}

// BySlug returns the tenant with the given subdomain label.
func (s *Store) BySlug(ctx context.Context, slug string) (*Tenant, error) {
	var t *Tenant
	err := s.db.InSystemTx(ctx, func(tx *Tx) error {
		r, err := tx.TenantGetBySlug(ctx, slug)
		if err != nil {
			return err
		}
		t, err = load(ctx, tx, r)
		return err
	})
	if IsNoRows(err) {
		return nil, apperr.ErrNotFound
	}
	return t, err
}

// ByID returns the tenant with the given id.
func (s *Store) ByID(ctx context.Context, id uuid.UUID) (*Tenant, error) {
	var t *Tenant
	err := s.db.InSystemTx(ctx, func(tx *Tx) error {
		r, err := tx.TenantGetByID(ctx, id)
		if err != nil {
			return err
		}
		t, err = load(ctx, tx, r)
		return err
	})
	if IsNoRows(err) {
		return nil, apperr.ErrNotFound
	}
	return t, err
}

// List returns every tenant, ambiti first.
func (s *Store) List(ctx context.Context) ([]*Tenant, error) {
	var out []*Tenant
	err := s.db.InSystemTx(ctx, func(tx *Tx) error {
		rows, err := tx.TenantList(ctx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			t, err := load(ctx, tx, r)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// CreateParams describes a new tenant.
type CreateParams struct {
	Kind      Kind
	Slug      string
	Name      string
	IstatCode string
	IpaCode   string
}

// Validate returns the Italian message for each bad field.
func (p *CreateParams) Validate() error {
	p.Slug = strings.ToLower(strings.TrimSpace(p.Slug))
	p.Name = strings.TrimSpace(p.Name)
	p.IstatCode = strings.TrimSpace(p.IstatCode)
	p.IpaCode = strings.TrimSpace(p.IpaCode)
	f := map[string]string{}
	if p.Kind != KindComune && p.Kind != KindAmbito {
		f["kind"] = "Il tipo deve essere «comune» o «ambito»."
	}
	if msg, ok := ValidSlug(p.Slug); !ok {
		f["slug"] = msg
	}
	if l := len([]rune(p.Name)); l < 2 || l > 200 {
		f["name"] = "Il nome ufficiale deve avere da 2 a 200 caratteri."
	}
	if p.Kind == KindComune && !isDigits(p.IstatCode, 6) {
		f["istat"] = "Il codice ISTAT di un comune ha 6 cifre (es. 058029)."
	}
	if p.IpaCode != "" && !validIPA(p.IpaCode) {
		f["ipa"] = "Il codice IPA ha da 2 a 20 caratteri tra lettere, cifre e trattino basso."
	}
	if len(f) > 0 {
		return apperr.InvalidFields(f)
	}
	return nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func validIPA(s string) bool {
	if len(s) < 2 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Create adds a tenant. Duplicates of slug, ISTAT or IPA code come back as apperr.Conflict.
func (s *Store) Create(ctx context.Context, p CreateParams) (*Tenant, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var t *Tenant
	err := s.db.InSystemTx(ctx, func(tx *Tx) error {
		r, err := tx.TenantCreate(ctx, db.TenantCreateParams{
			Slug: p.Slug, Kind: string(p.Kind), Name: p.Name, IstatCode: p.IstatCode, IpaCode: p.IpaCode,
		})
		if err != nil {
			return err
		}
		t = fromRow(r)
		return nil
	})
	if err != nil {
		return nil, uniqueConflict(err)
	}
	return t, nil
}

func uniqueConflict(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return err
	}
	switch pe.ConstraintName {
	case "tenants_slug_key":
		return apperr.Wrap(apperr.Conflict, "Esiste già un ente con questo slug.", err)
	case "tenants_istat_key":
		return apperr.Wrap(apperr.Conflict, "Esiste già un comune con questo codice ISTAT.", err)
	case "tenants_ipa_key":
		return apperr.Wrap(apperr.Conflict, "Esiste già un ente con questo codice IPA.", err)
	case "ambito_members_one_capofila":
		return apperr.Wrap(apperr.Conflict, "L'ambito ha già un comune capofila.", err)
	case "ambito_members_one_ambito":
		return apperr.Wrap(apperr.Conflict, "Il comune fa già parte di un ambito.", err)
	}
	return apperr.Wrap(apperr.Conflict, "Il dato esiste già.", err)
}

// JoinAmbito makes comune a member of ambito, leaving any ambito it belonged to; when capofila
// is true it becomes the lead comune, replacing the previous one.
func (s *Store) JoinAmbito(ctx context.Context, comuneSlug, ambitoSlug string, capofila bool) error {
	return uniqueConflict(s.db.InSystemTx(ctx, func(tx *Tx) error {
		c, err := tx.TenantGetBySlug(ctx, comuneSlug)
		if IsNoRows(err) {
			return apperr.New(apperr.NotFound, "Nessun ente con slug «"+comuneSlug+"».")
		} else if err != nil {
			return err
		}
		a, err := tx.TenantGetBySlug(ctx, ambitoSlug)
		if IsNoRows(err) {
			return apperr.New(apperr.NotFound, "Nessun ente con slug «"+ambitoSlug+"».")
		} else if err != nil {
			return err
		}
		if c.Kind != string(KindComune) {
			return apperr.New(apperr.Invalid, "«"+comuneSlug+"» non è un comune: solo un comune può entrare in un ambito.")
		}
		if a.Kind != string(KindAmbito) {
			return apperr.New(apperr.Invalid, "«"+ambitoSlug+"» non è un ambito.")
		}
		if _, err := tx.AmbitoLeave(ctx, c.ID); err != nil {
			return err
		}
		if capofila {
			if err := tx.AmbitoClearCapofila(ctx, a.ID); err != nil {
				return err
			}
		}
		return tx.AmbitoJoin(ctx, db.AmbitoJoinParams{AmbitoID: a.ID, ComuneID: c.ID, IsCapofila: capofila})
	}))
}

// Member is a comune in an ambito.
type Member struct {
	Ref
	IsCapofila bool
}

// Members lists the current member comuni of an ambito, capofila first.
func (s *Store) Members(ctx context.Context, ambitoID uuid.UUID) ([]Member, error) {
	var out []Member
	err := s.db.InSystemTx(ctx, func(tx *Tx) error {
		rows, err := tx.AmbitoMembers(ctx, ambitoID)
		for _, r := range rows {
			out = append(out, Member{Ref: Ref{ID: r.ID, Slug: r.Slug, Name: r.Name}, IsCapofila: r.IsCapofila})
		}
		return err
	})
	return out, err
}

// SocialLink is one of the tenant's social network pages.
type SocialLink struct {
	Network string `json:"network"` // facebook, instagram, x, youtube, linkedin, ...
	URL     string `json:"url"`
}

// Profile is the tenant's public face: header and footer of the citizen site.
type Profile struct {
	LegalAddress     string
	PostalCode       string
	City             string
	Province         string
	Phone            string
	Email            string
	PEC              string
	WebsiteURL       string
	AccessibilityURL string
	PrivacyURL       string
	Social           []SocialLink
	HasLogo          bool
	LogoVersion      int64 // changes when the logo changes, for cache-busting URLs
	// MeasuresStamp changes when a measured value of the standards the tenant's pages show
	// (its own or its ambito's) is recorded: part of the cached pages' key.
	MeasuresStamp int64
}

// ProfileOf reads the profile of the transaction's tenant; a tenant that never saved one gets
// an empty profile.
func ProfileOf(ctx context.Context, tx *Tx) (Profile, error) {
	r, err := tx.TenantProfileGet(ctx)
	if IsNoRows(err) {
		return Profile{}, nil
	}
	if err != nil {
		return Profile{}, err
	}
	p := Profile{
		LegalAddress: r.LegalAddress, PostalCode: r.PostalCode, City: r.City, Province: r.Province,
		Phone: r.Phone, Email: r.Email, PEC: r.Pec, WebsiteURL: r.WebsiteUrl,
		AccessibilityURL: r.AccessibilityUrl, PrivacyURL: r.PrivacyUrl,
		HasLogo: r.HasLogo, MeasuresStamp: r.MeasuresStamp,
	}
	if r.LogoUpdatedAt != nil {
		p.LogoVersion = r.LogoUpdatedAt.Unix()
	}
	if err := json.Unmarshal(r.SocialLinks, &p.Social); err != nil {
		return Profile{}, fmt.Errorf("social links: %w", err)
	}
	return p, nil
}

// Profile returns the profile of tenant id.
func (s *Store) Profile(ctx context.Context, id uuid.UUID) (Profile, error) {
	var p Profile
	err := s.db.InTx(ctx, id, func(tx *Tx) error {
		var err error
		p, err = ProfileOf(ctx, tx)
		return err
	})
	return p, err
}
