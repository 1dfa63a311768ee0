// Package demo loads the demonstration comuni and staff accounts of `carta dev`: an ambito led
// by Putignano with two more member comuni, and Cerveteri and Grandate on their own, each with
// one staff account per role. It runs only in development mode; demo accounts are marked so
// that a production server refuses a database that holds them.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// Ente is one demo tenant. Codes were checked against ISTAT's list of comuni (ISTAT code and
// cadastral code, from which the IPA code c_<cadastral> derives).
type Ente struct {
	Slug, Name, Istat, IPA string
	Kind                   tenant.Kind
	Ambito                 string // slug of the ambito, for members
	Capofila               bool
	Profile                tenant.Profile
}

// Enti are the demo tenants, ambiti first.
var Enti = []Ente{
	{Slug: "ambito-putignano", Name: "Ambito Territoriale Sociale di Putignano", Istat: "", Kind: tenant.KindAmbito,
		Profile: tenant.Profile{LegalAddress: "Via Roma 8 (Ufficio di Piano)", PostalCode: "70017", City: "Putignano", Province: "BA",
			Phone: "080 4056111", Email: "ufficiodipiano@ambito-putignano.example.it", PEC: "ufficiodipiano@pec.example.it"}},
	{Slug: "putignano", Name: "Comune di Putignano", Istat: "072036", IPA: "c_h096", Kind: tenant.KindComune,
		Ambito: "ambito-putignano", Capofila: true,
		Profile: tenant.Profile{LegalAddress: "Via Roma 8", PostalCode: "70017", City: "Putignano", Province: "BA",
			Phone: "080 4056111", Email: "servizisociali@comune.putignano.example.it", PEC: "protocollo@pec.comune.putignano.example.it"}},
	{Slug: "noci", Name: "Comune di Noci", Istat: "072031", IPA: "c_f915", Kind: tenant.KindComune, Ambito: "ambito-putignano",
		Profile: tenant.Profile{LegalAddress: "Via Sansonetti 15", PostalCode: "70015", City: "Noci", Province: "BA",
			Email: "servizisociali@comune.noci.example.it"}},
	{Slug: "alberobello", Name: "Comune di Alberobello", Istat: "072003", IPA: "c_a149", Kind: tenant.KindComune, Ambito: "ambito-putignano",
		Profile: tenant.Profile{LegalAddress: "Piazza del Popolo 31", PostalCode: "70011", City: "Alberobello", Province: "BA",
			Email: "servizisociali@comune.alberobello.example.it"}},
	{Slug: "cerveteri", Name: "Comune di Cerveteri", Istat: "058029", IPA: "c_c552", Kind: tenant.KindComune,
		Profile: tenant.Profile{LegalAddress: "Piazza Risorgimento 1", PostalCode: "00052", City: "Cerveteri", Province: "RM",
			Phone: "06 896301", Email: "servizisociali@comune.cerveteri.example.it", PEC: "comunecerveteri@pec.example.it"}},
	{Slug: "grandate", Name: "Comune di Grandate", Istat: "013110", IPA: "c_e139", Kind: tenant.KindComune,
		Profile: tenant.Profile{LegalAddress: "Via Gattoni 1", PostalCode: "22070", City: "Grandate", Province: "CO",
			Email: "servizisociali@comune.grandate.example.it"}},
}

// RoleUser is one demo staff account.
type RoleUser struct {
	Role  string
	Label string // local part of the e-mail
	Name  string
}

// Roles lists one account per tenant role.
var Roles = []RoleUser{
	{"ente_admin", "admin", "Amministratore"},
	{"redattore", "redattore", "Redattore"},
	{"responsabile", "responsabile", "Responsabile"},
	{"urp", "urp", "Operatore URP"},
	{"revisore", "revisore", "Revisore"},
}

// Email is the demo login of role label in tenant slug.
func Email(label, slug string) string { return label + "@" + slug + ".demo" }

// PlatformAdminEmail is the demo platform administrator.
const PlatformAdminEmail = "piattaforma@carta.demo"

// Accounts creates demo users (marked as demo) and grants roles.
type Accounts interface {
	EnsureDemoUser(ctx context.Context, email, name, password string) (uuid.UUID, error)
	Grant(ctx context.Context, userID uuid.UUID, role, domain string) error
}

// Login is a demo account to print.
type Login struct {
	Email, Role, Tenant string
}

// Seed creates what is missing and returns every login. It is idempotent.
func Seed(ctx context.Context, store *tenant.Store, d *tenant.DB, acc Accounts, password string) ([]Login, error) {
	ids := map[string]uuid.UUID{}
	for _, e := range Enti {
		t, err := store.BySlug(ctx, e.Slug)
		if apperr.KindOf(err) == apperr.NotFound {
			t, err = store.Create(ctx, tenant.CreateParams{Kind: e.Kind, Slug: e.Slug, Name: e.Name, IstatCode: e.Istat, IpaCode: e.IPA})
			if err == nil {
				err = saveProfile(ctx, d, t.ID, e.Profile)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("demo tenant %s: %w", e.Slug, err)
		}
		ids[e.Slug] = t.ID
		if e.Ambito != "" && (t.Ambito == nil || t.Ambito.Slug != e.Ambito || t.IsCapofila != e.Capofila) {
			if err := store.JoinAmbito(ctx, e.Slug, e.Ambito, e.Capofila); err != nil {
				return nil, fmt.Errorf("demo ambito %s: %w", e.Slug, err)
			}
		}
	}
	var logins []Login
	if acc == nil {
		return logins, nil
	}
	uid, err := acc.EnsureDemoUser(ctx, PlatformAdminEmail, "Amministrazione piattaforma", password)
	if err != nil {
		return nil, err
	}
	if err := acc.Grant(ctx, uid, "platform_admin", "platform"); err != nil {
		return nil, err
	}
	logins = append(logins, Login{Email: PlatformAdminEmail, Role: "platform_admin", Tenant: "admin"})
	for _, e := range Enti {
		for _, r := range Roles {
			email := Email(r.Label, e.Slug)
			uid, err := acc.EnsureDemoUser(ctx, email, r.Name+" "+strings.TrimPrefix(strings.TrimPrefix(e.Name, "Comune di "), "Ambito Territoriale Sociale di "), password)
			if err != nil {
				return nil, fmt.Errorf("demo user %s: %w", email, err)
			}
			if err := acc.Grant(ctx, uid, r.Role, ids[e.Slug].String()); err != nil {
				return nil, fmt.Errorf("demo grant %s: %w", email, err)
			}
			logins = append(logins, Login{Email: email, Role: r.Role, Tenant: e.Slug})
		}
	}
	return logins, nil
}

func saveProfile(ctx context.Context, d *tenant.DB, id uuid.UUID, p tenant.Profile) error {
	social, _ := json.Marshal(p.Social)
	if p.Social == nil {
		social = []byte("[]")
	}
	return d.InTx(ctx, id, func(tx *tenant.Tx) error {
		_, err := tx.TenantProfileUpsert(ctx, db.TenantProfileUpsertParams{
			LegalAddress: p.LegalAddress, PostalCode: p.PostalCode, City: p.City, Province: p.Province,
			Phone: p.Phone, Email: p.Email, Pec: p.PEC, WebsiteUrl: p.WebsiteURL,
			AccessibilityUrl: p.AccessibilityURL, PrivacyUrl: p.PrivacyURL, SocialLinks: social,
		})
		return err
	})
}

// Password returns the development password of the demo accounts, created once per data folder
// so that it stays the same between runs and differs between machines.
func Password(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "demo-password")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 12 {
		return strings.TrimSpace(string(b)), nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	pw := "demo-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	return pw, os.WriteFile(path, []byte(pw+"\n"), 0o600)
}
