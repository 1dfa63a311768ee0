package catalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// EnsureDefaults gives tx's tenant what every Carta starts with: the national user categories
// and the default sections of the general part. It adds only what is missing (a section the
// staff rewrote keeps their text), so it is safe to call at tenant creation, on every first
// visit of the staff pages and when seeding demos. What it adds is recorded in the audit trail.
func EnsureDefaults(ctx context.Context, tx *tenant.Tx) error {
	if tx.TenantID == uuid.Nil {
		return fmt.Errorf("catalog defaults: no tenant")
	}
	cats, err := tx.CatalogCategoryList(ctx)
	if err != nil {
		return fmt.Errorf("catalog defaults: %w", err)
	}
	haveCat := make(map[string]bool, len(cats))
	for _, c := range cats {
		haveCat[c.Code] = true
	}
	secs, err := tx.CatalogSectionList(ctx)
	if err != nil {
		return fmt.Errorf("catalog defaults: %w", err)
	}
	haveSec := make(map[string]bool, len(secs))
	for _, s := range secs {
		haveSec[s.Key] = true
	}
	var added []string
	for i, nc := range NationalCategories {
		if haveCat[nc.Code] {
			continue
		}
		// ON CONFLICT DO NOTHING: two first visits at once must not fail each other.
		n, err := tx.CatalogCategoryEnsure(ctx, db.CatalogCategoryEnsureParams{
			Code: nc.Code, Name: nc.Name, Description: nc.Description, Position: int32(i),
		})
		if err != nil {
			return fmt.Errorf("catalog defaults: category %s: %w", nc.Code, err)
		}
		if n > 0 {
			added = append(added, "category:"+nc.Code)
		}
	}
	for i, ds := range DefaultSections {
		if haveSec[ds.Key] {
			continue
		}
		n, err := tx.CatalogSectionEnsure(ctx, db.CatalogSectionEnsureParams{
			Key: ds.Key, Title: ds.Title, Body: ds.Body, Position: int32(i),
		})
		if err != nil {
			return fmt.Errorf("catalog defaults: section %s: %w", ds.Key, err)
		}
		if n > 0 {
			added = append(added, "section:"+ds.Key)
		}
	}
	if len(added) == 0 {
		return nil
	}
	return audit.Record(ctx, tx, audit.Entry{
		Action: "catalog.defaults", ObjectType: "carta", ObjectID: tx.TenantID.String(),
		Details: map[string]any{"added": added},
	})
}

// LoadDraft returns t's draft Carta as publication would snapshot it: every category,
// office (with its weekly hours and the exceptions that apply to it, the tenant-wide ones
// included with no OfficeID), person, section and service in position order; services with
// their deadlines, standards and attached documents (detached ones are left out, as are
// archived services, which have left the Carta); and, for a member comune, the ambito services
// it hides. Run it in a transaction of t.
func LoadDraft(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant) (*Carta, error) {
	if t == nil || tx.TenantID != t.ID {
		return nil, fmt.Errorf("catalog draft: transaction of another tenant")
	}
	c := &Carta{
		Format: SnapshotFormat,
		Tenant: TenantRef{ID: t.ID, Slug: t.Slug, Name: t.Name, Kind: string(t.Kind)},
		// Empty lists, never null: the JSON of a version reads the same whatever is in it.
		Categories: []Category{}, Offices: []Office{}, People: []Person{}, Services: []Service{},
		Sections: []Section{}, Documents: []Document{},
	}
	var err error
	if c.Categories, err = loadCategories(ctx, tx); err != nil {
		return nil, err
	}
	if c.Offices, err = loadOffices(ctx, tx); err != nil {
		return nil, err
	}
	if c.People, err = loadPeople(ctx, tx); err != nil {
		return nil, err
	}
	all, err := loadServices(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.Status != StatusArchived {
			c.Services = append(c.Services, s)
		}
	}
	if c.Documents, err = loadDocuments(ctx, tx, nil); err != nil {
		return nil, err
	}
	if c.Sections, err = loadSections(ctx, tx); err != nil {
		return nil, err
	}
	hides, err := tx.CatalogHideList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog draft: hides: %w", err)
	}
	for _, h := range hides {
		c.HiddenAmbitoServices = append(c.HiddenAmbitoServices, Hidden{ServiceID: h.AmbitoServiceID, Reason: h.Reason})
	}
	return c, nil
}

// Service statuses.
const (
	StatusActive    = "attivo"
	StatusSuspended = "sospeso"
	StatusArchived  = "archiviato"
)

func loadCategories(ctx context.Context, tx *tenant.Tx) ([]Category, error) {
	rows, err := tx.CatalogCategoryList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: categories: %w", err)
	}
	out := make([]Category, 0, len(rows))
	for _, r := range rows {
		out = append(out, categoryFromRow(r))
	}
	return out, nil
}

func categoryFromRow(r db.Category) Category {
	return Category{ID: r.ID, Code: r.Code, Name: r.Name, Description: r.Description,
		Position: int(r.Position), National: r.IsNational}
}

func loadOffices(ctx context.Context, tx *tenant.Tx) ([]Office, error) {
	rows, err := tx.CatalogOfficeList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: offices: %w", err)
	}
	hours, err := tx.CatalogOfficeHoursAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: office hours: %w", err)
	}
	byOffice := map[uuid.UUID][]Interval{}
	for _, h := range hours {
		byOffice[h.OfficeID] = append(byOffice[h.OfficeID], Interval{
			Weekday: int(h.Weekday), Opens: clockOf(h.Opens), Closes: clockOf(h.Closes)})
	}
	exc, err := loadExceptions(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]Office, 0, len(rows))
	for _, r := range rows {
		o := officeFromRow(r)
		o.Hours = byOffice[r.ID]
		if o.Hours == nil {
			o.Hours = []Interval{}
		}
		o.Exceptions = []Exception{}
		for _, e := range exc {
			if e.OfficeID == nil || *e.OfficeID == r.ID {
				o.Exceptions = append(o.Exceptions, e.Exception)
			}
		}
		out = append(out, o)
	}
	return out, nil
}

func officeFromRow(r db.Office) Office {
	return Office{ID: r.ID, Slug: r.Slug, Name: r.Name, Description: r.Description, Address: r.Address,
		PostalCode: r.PostalCode, City: r.City, Phone: r.Phone, Email: r.Email, PEC: r.Pec,
		Notes: r.Notes, MainDesk: r.IsMainDesk}
}

// storedException is an exception with its row id, for the staff page that removes it.
type storedException struct {
	ID int64
	Exception
}

func loadExceptions(ctx context.Context, tx *tenant.Tx) ([]storedException, error) {
	rows, err := tx.CatalogExceptionList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: office exceptions: %w", err)
	}
	out := make([]storedException, 0, len(rows))
	for _, r := range rows {
		e := Exception{OfficeID: r.OfficeID, From: dateOf(r.DateFrom), To: dateOf(r.DateTo), Closed: r.Closed, Reason: r.Reason}
		if !r.Closed {
			e.Opens, e.Closes = clockOf(r.Opens), clockOf(r.Closes)
		}
		out = append(out, storedException{ID: r.ID, Exception: e})
	}
	return out, nil
}

func loadPeople(ctx context.Context, tx *tenant.Tx) ([]Person, error) {
	rows, err := tx.CatalogPersonList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: people: %w", err)
	}
	out := make([]Person, 0, len(rows))
	for _, r := range rows {
		out = append(out, personFromRow(r))
	}
	return out, nil
}

func personFromRow(r db.Person) Person {
	return Person{ID: r.ID, Name: r.Name, RoleTitle: r.RoleTitle, Area: r.Area, Email: r.Email,
		Phone: r.Phone, OfficeID: r.OfficeID}
}

func loadSections(ctx context.Context, tx *tenant.Tx) ([]Section, error) {
	rows, err := tx.CatalogSectionList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: sections: %w", err)
	}
	out := make([]Section, 0, len(rows))
	for _, r := range rows {
		out = append(out, Section{Key: r.Key, Title: r.Title, Body: r.Body, Position: int(r.Position)})
	}
	return out, nil
}

// loadDocuments returns the attached documents of the service (nil: of the Carta itself).
func loadDocuments(ctx context.Context, tx *tenant.Tx, service *uuid.UUID) ([]Document, error) {
	all, err := loadAllDocuments(ctx, tx)
	if err != nil {
		return nil, err
	}
	var key uuid.UUID
	if service != nil {
		key = *service
	}
	if all[key] == nil {
		return []Document{}, nil
	}
	return all[key], nil
}

// loadAllDocuments returns the attached documents by service id (uuid.Nil: the Carta's own).
func loadAllDocuments(ctx context.Context, tx *tenant.Tx) (map[uuid.UUID][]Document, error) {
	rows, err := tx.CatalogDocumentList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: documents: %w", err)
	}
	out := map[uuid.UUID][]Document{}
	for _, r := range rows {
		var key uuid.UUID
		if r.ServiceID != nil {
			key = *r.ServiceID
		}
		out[key] = append(out[key], Document{ID: r.ID, Kind: r.Kind, Title: r.Title, Filename: r.Filename,
			ContentType: r.ContentType, Size: int(r.SizeBytes), SHA256: r.Sha256})
	}
	return out, nil
}

// loadServices returns every service of the tenant, archived ones included, with deadlines,
// standards and attached documents.
func loadServices(ctx context.Context, tx *tenant.Tx) ([]Service, error) {
	rows, err := tx.CatalogServiceList(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: services: %w", err)
	}
	deadlines, err := tx.CatalogDeadlinesAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: deadlines: %w", err)
	}
	dl := map[uuid.UUID][]Deadline{}
	for _, d := range deadlines {
		dl[d.ServiceID] = append(dl[d.ServiceID], deadlineFromRow(d))
	}
	standards, err := tx.CatalogStandardsAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("catalog: standards: %w", err)
	}
	st := map[uuid.UUID][]Standard{}
	for _, s := range standards {
		st[s.ServiceID] = append(st[s.ServiceID], standardFromRow(s))
	}
	docs, err := loadAllDocuments(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]Service, 0, len(rows))
	for _, r := range rows {
		s := serviceFromRow(r)
		s.Deadlines = orEmpty(dl[r.ID])
		s.Standards = orEmpty(st[r.ID])
		s.Documents = orEmpty(docs[r.ID])
		out = append(out, s)
	}
	return out, nil
}

// loadService returns one service of the tenant (archived too); apperr.ErrNotFound when it
// does not exist or belongs to another tenant.
func loadService(ctx context.Context, tx *tenant.Tx, id uuid.UUID) (Service, error) {
	r, err := tx.CatalogServiceGet(ctx, id)
	if tenant.IsNoRows(err) {
		return Service{}, apperr.ErrNotFound
	}
	if err != nil {
		return Service{}, fmt.Errorf("catalog: service: %w", err)
	}
	all, err := loadServices(ctx, tx)
	if err != nil {
		return Service{}, err
	}
	for _, s := range all {
		if s.ID == r.ID {
			return s, nil
		}
	}
	return Service{}, apperr.ErrNotFound
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func serviceFromRow(r db.CatalogServiceListRow) Service {
	s := Service{
		ID: r.ID, Slug: r.Slug, Status: r.Status, StatusReason: r.StatusReason, CategoryCode: r.CategoryCode,
		NomenclatorCode: r.NomenclatorCode, Title: r.Title, ShortDescription: r.ShortDescription,
		Description: r.Description, Audience: r.Audience, Coverage: r.Coverage, HowTo: r.HowTo,
		NeededIntro: r.NeededIntro, NeededItems: orEmpty(r.NeededItems), Obtained: r.Obtained, Timing: r.Timing,
		CostKind: r.CostKind, CostText: r.CostText, OfficeID: r.OfficeID, DigitalLabel: r.DigitalLabel,
		DigitalURL: r.DigitalUrl, BookingURL: r.BookingUrl, BookingText: r.BookingText,
		Constraints: r.ConstraintsText, SpecialCases: r.SpecialCases, MoreInfo: r.MoreInfo,
		Conditions: r.ConditionsText, Contacts: r.ContactsText, ResponsibleUnit: r.ResponsibleUnit,
		ResponsiblePersonID: r.ResponsiblePersonID, Providers: r.Providers, Topics: orEmpty(r.Topics),
		NationalCategory: r.NationalCategory, Keywords: orEmpty(r.Keywords), Position: int(r.Position),
		Deadlines: []Deadline{}, Standards: []Standard{}, Documents: []Document{},
	}
	if r.MacroLevel != nil {
		s.MacroLevel = int(*r.MacroLevel)
	}
	return s
}

func deadlineFromRow(r db.ServiceDeadline) Deadline {
	return Deadline{Label: r.Label, DueOn: dateOf(r.DueOn), Description: r.Description}
}

func standardFromRow(r db.ServiceStandard) Standard {
	return Standard{ID: r.ID, Dimension: r.Dimension, Description: r.Description, Indicator: r.Indicator,
		Formula: r.Formula, Target: numberOf(r.Target), Unit: r.Unit, HigherIsBetter: r.HigherIsBetter}
}

// ---- conversions between pgtype values and the model's strings ----

// clockOf formats a time of day as "15:04".
func clockOf(t pgtype.Time) string {
	if !t.Valid {
		return ""
	}
	m := t.Microseconds / 60_000_000
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// parseClock reads "15:04" (or "15:04:05", as some browsers send) into minutes after midnight.
func parseClock(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 8 && s[5] == ':' {
		s = s[:5]
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func pgClock(minutes int) pgtype.Time {
	return pgtype.Time{Microseconds: int64(minutes) * 60_000_000, Valid: true}
}

// clockString formats minutes after midnight as "15:04".
func clockString(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

func dateOf(d pgtype.Date) string {
	if !d.Valid {
		return ""
	}
	return d.Time.Format(time.DateOnly)
}

// parseDate reads a date as a date input sends it ("2026-12-31") or as people write it
// ("31/12/2026") where the browser shows a plain text box.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t, err = time.Parse("2/1/2006", s)
	}
	return t, err == nil && t.Year() >= 1900 && t.Year() <= 2200
}

const msgDate = "Data non valida: sceglila dal calendario o scrivila come 31/12/2026."

func pgDate(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }

func numberOf(n pgtype.Numeric) *float64 {
	if !n.Valid {
		return nil
	}
	f, err := n.Float64Value()
	if err != nil || !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

func pgNumber(f *float64) (pgtype.Numeric, error) {
	var n pgtype.Numeric
	if f == nil {
		return n, nil
	}
	err := n.Scan(strconv.FormatFloat(*f, 'f', -1, 64))
	return n, err
}
