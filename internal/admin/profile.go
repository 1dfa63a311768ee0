package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// MaxSocial is how many social network links a tenant may publish.
const MaxSocial = 6

// MaxLogoBytes is the largest logo accepted.
const MaxLogoBytes = 1 << 20

// ProfileInput is the profile form as submitted, trimmed.
type ProfileInput struct {
	LegalAddress, PostalCode, City, Province string
	Phone, Email, PEC                        string
	WebsiteURL, AccessibilityURL, PrivacyURL string
	Social                                   [MaxSocial]tenant.SocialLink
}

var profileFields = []string{"legal_address", "postal_code", "city", "province", "phone", "email",
	"pec", "website_url", "accessibility_url", "privacy_url"}

func (in *ProfileInput) ptr(name string) *string {
	switch name {
	case "legal_address":
		return &in.LegalAddress
	case "postal_code":
		return &in.PostalCode
	case "city":
		return &in.City
	case "province":
		return &in.Province
	case "phone":
		return &in.Phone
	case "email":
		return &in.Email
	case "pec":
		return &in.PEC
	case "website_url":
		return &in.WebsiteURL
	case "accessibility_url":
		return &in.AccessibilityURL
	case "privacy_url":
		return &in.PrivacyURL
	}
	return nil
}

func socialNetField(i int) string { return "social_network_" + strconv.Itoa(i) }
func socialURLField(i int) string { return "social_url_" + strconv.Itoa(i) }

// inputFromForm reads the form; get returns a value the caller may keep (copied).
func inputFromForm(get func(string) string) ProfileInput {
	var in ProfileInput
	for _, f := range profileFields {
		*in.ptr(f) = strings.TrimSpace(get(f))
	}
	for i := range MaxSocial {
		in.Social[i] = tenant.SocialLink{
			Network: strings.TrimSpace(get(socialNetField(i))),
			URL:     strings.TrimSpace(get(socialURLField(i))),
		}
	}
	return in
}

// inputFromProfile fills the form from the stored profile.
func inputFromProfile(p tenant.Profile) ProfileInput {
	in := ProfileInput{
		LegalAddress: p.LegalAddress, PostalCode: p.PostalCode, City: p.City, Province: p.Province,
		Phone: p.Phone, Email: p.Email, PEC: p.PEC, WebsiteURL: p.WebsiteURL,
		AccessibilityURL: p.AccessibilityURL, PrivacyURL: p.PrivacyURL,
	}
	for i, s := range p.Social {
		if i < MaxSocial {
			in.Social[i] = s
		}
	}
	return in
}

// Form returns the input as the form's values, keyed by field name.
func (in *ProfileInput) Form() map[string]string {
	m := map[string]string{}
	for _, f := range profileFields {
		m[f] = *in.ptr(f)
	}
	for i, s := range in.Social {
		m[socialNetField(i)] = s.Network
		m[socialURLField(i)] = s.URL
	}
	return m
}

// SocialLinks returns the filled rows.
func (in *ProfileInput) SocialLinks() []tenant.SocialLink {
	out := []tenant.SocialLink{}
	for _, s := range in.Social {
		if s.Network != "" || s.URL != "" {
			out = append(out, s)
		}
	}
	return out
}

// Validate normalises the input (province in capitals) and returns an Italian message per
// bad field. Every field is optional: a tenant fills its profile over time.
func (in *ProfileInput) Validate() map[string]string {
	errs := map[string]string{}
	tooLong := func(field string, max int) bool {
		if utf8.RuneCountInString(*in.ptr(field)) > max {
			errs[field] = fmt.Sprintf("Al massimo %d caratteri.", max)
			return true
		}
		return false
	}
	tooLong("legal_address", 200)
	tooLong("city", 100)
	if in.PostalCode != "" && !allDigits(in.PostalCode, 5) {
		errs["postal_code"] = "Il CAP è formato da 5 cifre (es. 00052)."
	}
	in.Province = strings.ToUpper(in.Province)
	if in.Province != "" && !twoLetters(in.Province) {
		errs["province"] = "Indica la sigla della provincia: 2 lettere (es. RM)."
	}
	if in.Phone != "" && !validPhone(in.Phone) {
		errs["phone"] = "Indica un numero di telefono valido, con il prefisso (es. 06 1234567)."
	}
	if in.Email != "" && !web.ValidEmail(in.Email) {
		errs["email"] = "Indica un indirizzo email valido (es. servizisociali@comune.esempio.it)."
	}
	if in.PEC != "" && !web.ValidEmail(in.PEC) {
		errs["pec"] = "Indica un indirizzo PEC valido (es. protocollo@pec.comune.esempio.it)."
	}
	if in.WebsiteURL != "" && !validHTTPS(in.WebsiteURL) {
		errs["website_url"] = "Indica l'indirizzo completo del sito, che inizia con https:// (es. https://www.comune.esempio.it)."
	}
	if in.AccessibilityURL != "" {
		if u, ok := parseHTTPS(in.AccessibilityURL); !ok || u.Hostname() != "form.agid.gov.it" {
			errs["accessibility_url"] = "Incolla il link della dichiarazione di accessibilità pubblicata sul sito di AgID: inizia con https://form.agid.gov.it/."
		}
	}
	if in.PrivacyURL != "" && !validHTTPS(in.PrivacyURL) {
		errs["privacy_url"] = "Indica l'indirizzo completo dell'informativa, che inizia con https://."
	}
	for i, s := range in.Social {
		if s.Network == "" && s.URL == "" {
			continue
		}
		known := slices.ContainsFunc(web.SocialNetworks, func(n struct{ Key, Label string }) bool { return n.Key == s.Network })
		if !known {
			errs[socialNetField(i)] = "Scegli il social network."
		}
		if s.URL == "" {
			errs[socialURLField(i)] = "Indica l'indirizzo della pagina."
		} else if !validHTTPS(s.URL) {
			errs[socialURLField(i)] = "Indica l'indirizzo completo della pagina, che inizia con https://."
		}
	}
	return errs
}

func allDigits(s string, n int) bool {
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

func twoLetters(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func validPhone(s string) bool {
	if len(s) > 30 {
		return false
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '.', r == '-', r == '/', r == '(', r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

func parseHTTPS(s string) (*url.URL, bool) {
	if len(s) > 500 || strings.ContainsAny(s, " \t\r\n\"<>") {
		return nil, false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Opaque != "" {
		return nil, false
	}
	h := u.Hostname()
	if !strings.Contains(h, ".") || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") {
		return nil, false
	}
	return u, true
}

func validHTTPS(s string) bool { _, ok := parseHTTPS(s); return ok }

// --- handlers ---

// SocialRow is one row of the social links in the form.
type SocialRow struct {
	Num                    int // 1-based, for labels
	NetName, URLName       string
	Network, URL           string
	NetworkErr, URLErr     string
	NetworkID, URLID       string
	NetworkErrID, URLErrID string
}

type profilePage struct {
	web.Page
	Social   []SocialRow
	Networks []struct{ Key, Label string }
	CanWrite bool
}

func requireTenant(c *fiber.Ctx) (*tenant.Tenant, error) {
	t := tenant.FromContext(c.UserContext())
	if t == nil {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

func (h *handlers) renderProfile(c *fiber.Ctx, status int, in ProfileInput, errs map[string]string) error {
	vm := &profilePage{
		Page:     h.page(c, "Profilo dell'ente", web.Crumb{Label: "Profilo dell'ente"}),
		Networks: web.SocialNetworks,
		CanWrite: h.Can != nil && h.Can(c.UserContext(), access.ProfileWrite),
	}
	vm.Form = in.Form()
	vm.Errors = errs
	for i, s := range in.Social {
		row := SocialRow{
			Num: i + 1, NetName: socialNetField(i), URLName: socialURLField(i),
			Network: s.Network, URL: s.URL,
			NetworkErr: errs[socialNetField(i)], URLErr: errs[socialURLField(i)],
			NetworkID: "f-social-network-" + strconv.Itoa(i), URLID: "f-social-url-" + strconv.Itoa(i),
		}
		row.NetworkErrID, row.URLErrID = row.NetworkID+"-error", row.URLID+"-error"
		vm.Social = append(vm.Social, row)
	}
	return h.Render.Render(c, status, "admin/profile", vm)
}

func (h *handlers) profileForm(c *fiber.Ctx) error {
	if _, err := requireTenant(c); err != nil {
		return err
	}
	// A form shown empty because the read failed would overwrite the profile when saved.
	p, err := web.ProfileErr(c)
	if err != nil {
		return err
	}
	return h.renderProfile(c, fiber.StatusOK, inputFromProfile(p), nil)
}

func staffID(c *fiber.Ctx) *uuid.UUID {
	if s := principal.StaffFrom(c.UserContext()); s != nil && s.UserID != uuid.Nil {
		id := s.UserID
		return &id
	}
	return nil
}

func (h *handlers) profileSave(c *fiber.Ctx) error {
	t, err := requireTenant(c)
	if err != nil {
		return err
	}
	// Form values point into fasthttp's buffers: copy what outlives this call.
	in := inputFromForm(func(k string) string { return strings.Clone(c.FormValue(k)) })
	if errs := in.Validate(); len(errs) > 0 {
		return h.renderProfile(c, fiber.StatusUnprocessableEntity, in, errs)
	}
	social, err := json.Marshal(in.SocialLinks())
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		old, err := tenant.ProfileOf(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.TenantProfileUpsert(ctx, db.TenantProfileUpsertParams{
			LegalAddress: in.LegalAddress, PostalCode: in.PostalCode, City: in.City,
			Province: in.Province, Phone: in.Phone, Email: in.Email, Pec: in.PEC,
			WebsiteUrl: in.WebsiteURL, AccessibilityUrl: in.AccessibilityURL,
			PrivacyUrl: in.PrivacyURL, SocialLinks: social, UpdatedBy: staffID(c),
		}); err != nil {
			return fmt.Errorf("save profile: %w", err)
		}
		before := inputFromProfile(old)
		return audit.Record(ctx, tx, audit.Entry{
			Action: "profile.update", ObjectType: "tenant", ObjectID: t.ID.String(), ObjectName: t.Name,
			Changes: audit.Updated("profile", before.Form(), in.Form()),
			Details: map[string]any{"changed": changedFields(inputFromProfile(old), in)},
		})
	})
	if err != nil {
		return err
	}
	h.profileChanged(c, t.ID)
	web.SetFlash(c, "success", "Profilo aggiornato.")
	return c.Redirect("/admin/ente", fiber.StatusSeeOther)
}

// changedFields names the fields that differ, for the audit trail (values are public anyway,
// but names are enough to answer "who changed the PEC?").
func changedFields(old, new ProfileInput) []string {
	out := []string{}
	for _, f := range profileFields {
		if *old.ptr(f) != *new.ptr(f) {
			out = append(out, f)
		}
	}
	if !slices.Equal(old.SocialLinks(), new.SocialLinks()) {
		out = append(out, "social_links")
	}
	return out
}

// logoTypes are the accepted logo formats, as detected from the content (never from the
// name or the browser's claim). SVG is refused: it can carry scripts.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

// checkLogo returns the detected content type, or the Italian message explaining the refusal.
func checkLogo(data []byte) (string, string) {
	if len(data) == 0 {
		return "", "Scegli un file da caricare."
	}
	if len(data) > MaxLogoBytes {
		return "", "Il logo può pesare al massimo 1 MB."
	}
	ct := http.DetectContentType(data)
	if !logoTypes[ct] {
		if bytes.Contains(bytes.ToLower(data[:min(len(data), 1024)]), []byte("<svg")) {
			return "", "Il formato SVG non è accettato: carica il logo in PNG, JPEG o WebP."
		}
		return "", "Il file non è un'immagine PNG, JPEG o WebP."
	}
	return ct, ""
}

func (h *handlers) logoUpload(c *fiber.Ctx) error {
	t, err := requireTenant(c)
	if err != nil {
		return err
	}
	logoErr := func(msg string) error {
		return h.renderProfile(c, fiber.StatusUnprocessableEntity, inputFromProfile(web.ProfileFrom(c)),
			map[string]string{"logo": msg})
	}
	fh, err := c.FormFile("logo")
	if err != nil {
		return logoErr("Scegli un file da caricare.")
	}
	if fh.Size > MaxLogoBytes {
		return logoErr("Il logo può pesare al massimo 1 MB.")
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxLogoBytes+1))
	if err != nil {
		return fmt.Errorf("read upload: %w", err)
	}
	ct, msg := checkLogo(data)
	if msg != "" {
		return logoErr(msg)
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := tx.TenantProfileSetLogo(ctx, db.TenantProfileSetLogoParams{
			Logo: data, LogoContentType: ct, UpdatedBy: staffID(c),
		}); err != nil {
			return fmt.Errorf("save logo: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{
			Action: "profile.logo.update", ObjectType: "tenant", ObjectID: t.ID.String(), ObjectName: t.Name,
			Details: map[string]any{"content_type": ct, "bytes": len(data)},
		})
	})
	if err != nil {
		return err
	}
	h.profileChanged(c, t.ID)
	web.SetFlash(c, "success", "Logo aggiornato.")
	return c.Redirect("/admin/ente", fiber.StatusSeeOther)
}

func (h *handlers) logoRemove(c *fiber.Ctx) error {
	t, err := requireTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		if err := tx.TenantProfileSetLogo(ctx, db.TenantProfileSetLogoParams{UpdatedBy: staffID(c)}); err != nil {
			return fmt.Errorf("remove logo: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{
			Action: "profile.logo.remove", ObjectType: "tenant", ObjectID: t.ID.String(), ObjectName: t.Name,
		})
	})
	if err != nil {
		return err
	}
	h.profileChanged(c, t.ID)
	web.SetFlash(c, "success", "Logo rimosso.")
	return c.Redirect("/admin/ente", fiber.StatusSeeOther)
}

// profileChanged tells the citizen site's page cache, on every replica, that the header and
// footer of the tenant's pages changed.
func (h *handlers) profileChanged(c *fiber.Ctx, id uuid.UUID) {
	if h.OnProfileChanged != nil {
		h.OnProfileChanged(c.UserContext(), id)
	}
}
