// Package catalog owns the Carta dei Servizi: the draft catalogue a tenant's staff edit
// (categories, offices and hours, people responsible, services with their standards, deadlines
// and documents, the general part) and the typed model of a Carta as citizens see it. A
// published version stores that model as JSON; citizen pages, open data, PDF and search are
// all built from it, so what citizens read is exactly what was published.
package catalog

import (
	"time"

	"github.com/google/uuid"
)

// SnapshotFormat is the version of the JSON layout of Carta; bump it (and keep reading the old
// one) when a field changes meaning.
const SnapshotFormat = 1

// Carta is one tenant's Carta: a published version, or the draft for a preview.
type Carta struct {
	Format           int        `json:"format"`
	Tenant           TenantRef  `json:"tenant"`
	Version          int        `json:"version"` // 0 for the draft
	PublishedAt      time.Time  `json:"published_at"`
	FirstPublishedAt time.Time  `json:"first_published_at"`
	Note             string     `json:"note,omitempty"` // the change note of this version
	Categories       []Category `json:"categories"`
	Offices          []Office   `json:"offices"`
	People           []Person   `json:"people"`
	Services         []Service  `json:"services"`
	Sections         []Section  `json:"sections"`
	Documents        []Document `json:"documents"` // documents of the Carta itself
	// For a member comune: services of its ambito it does not offer, with the reason.
	HiddenAmbitoServices []Hidden `json:"hidden_ambito_services,omitempty"`
}

// TenantRef names the tenant a Carta belongs to.
type TenantRef struct {
	ID   uuid.UUID `json:"id"`
	Slug string    `json:"slug"`
	Name string    `json:"name"`
	Kind string    `json:"kind"` // comune or ambito
}

// Category is a user category (area di utenza). Code groups services across a comune and its
// ambito (FAM, DIS, ELD, ...).
type Category struct {
	ID          uuid.UUID `json:"id"`
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Position    int       `json:"position"`
	National    bool      `json:"national"`
}

// Office is a place citizens go to.
type Office struct {
	ID          uuid.UUID   `json:"id"`
	Slug        string      `json:"slug"`
	Name        string      `json:"name"`
	Description string      `json:"description,omitempty"` // Markdown
	Address     string      `json:"address"`
	PostalCode  string      `json:"postal_code"`
	City        string      `json:"city"`
	Phone       string      `json:"phone,omitempty"`
	Email       string      `json:"email,omitempty"`
	PEC         string      `json:"pec,omitempty"`
	Notes       string      `json:"notes,omitempty"`
	MainDesk    bool        `json:"main_desk"`
	Hours       []Interval  `json:"hours"`
	Exceptions  []Exception `json:"exceptions"`
}

// Interval is a weekly opening interval. Weekday is ISO (1 Monday .. 7 Sunday); Opens and
// Closes are "15:04" in Europe/Rome.
type Interval struct {
	Weekday int    `json:"weekday"`
	Opens   string `json:"opens"`
	Closes  string `json:"closes"`
}

// Exception is a closure, or special hours, on the days From..To ("2006-01-02", inclusive).
// OfficeID nil means every office of the tenant.
type Exception struct {
	OfficeID *uuid.UUID `json:"office_id,omitempty"`
	From     string     `json:"from"`
	To       string     `json:"to"`
	Closed   bool       `json:"closed"`
	Opens    string     `json:"opens,omitempty"`
	Closes   string     `json:"closes,omitempty"`
	Reason   string     `json:"reason,omitempty"`
}

// Person is someone responsible for an area or a service.
type Person struct {
	ID        uuid.UUID  `json:"id"`
	Name      string     `json:"name"`
	RoleTitle string     `json:"role_title,omitempty"`
	Area      string     `json:"area,omitempty"`
	Email     string     `json:"email,omitempty"`
	Phone     string     `json:"phone,omitempty"`
	OfficeID  *uuid.UUID `json:"office_id,omitempty"`
}

// Service is a scheda servizio. Text fields marked Markdown are rendered and sanitised by
// Markdown() on output.
type Service struct {
	ID                  uuid.UUID  `json:"id"`
	Slug                string     `json:"slug"`
	Status              string     `json:"status"` // attivo, sospeso, archiviato
	StatusReason        string     `json:"status_reason,omitempty"`
	CategoryCode        string     `json:"category_code,omitempty"`
	MacroLevel          int        `json:"macro_level,omitempty"` // 1..5, 0 when unset
	NomenclatorCode     string     `json:"nomenclator_code,omitempty"`
	Title               string     `json:"title"`
	ShortDescription    string     `json:"short_description"`
	Description         string     `json:"description,omitempty"` // Cos'è — Markdown
	Audience            string     `json:"audience"`              // A chi è rivolto — Markdown
	Coverage            string     `json:"coverage"`              // comune or ambito
	HowTo               string     `json:"how_to"`                // Come fare — Markdown
	NeededIntro         string     `json:"needed_intro"`          // Cosa serve — Markdown
	NeededItems         []string   `json:"needed_items"`
	Obtained            string     `json:"obtained"` // Cosa si ottiene — Markdown
	Timing              string     `json:"timing"`   // Tempi e scadenze — Markdown
	Deadlines           []Deadline `json:"deadlines"`
	CostKind            string     `json:"cost_kind"`           // gratuito, fisso, isee, variabile
	CostText            string     `json:"cost_text,omitempty"` // Quanto costa — Markdown
	OfficeID            *uuid.UUID `json:"office_id,omitempty"` // physical channel
	DigitalLabel        string     `json:"digital_label,omitempty"`
	DigitalURL          string     `json:"digital_url,omitempty"`
	BookingURL          string     `json:"booking_url,omitempty"`
	BookingText         string     `json:"booking_text,omitempty"`
	Constraints         string     `json:"constraints,omitempty"`   // Markdown
	SpecialCases        string     `json:"special_cases,omitempty"` // Markdown
	MoreInfo            string     `json:"more_info,omitempty"`     // Markdown
	Conditions          string     `json:"conditions,omitempty"`    // Condizioni di servizio — Markdown
	Contacts            string     `json:"contacts,omitempty"`      // Markdown
	ResponsibleUnit     string     `json:"responsible_unit"`
	ResponsiblePersonID *uuid.UUID `json:"responsible_person_id,omitempty"`
	Providers           string     `json:"providers,omitempty"` // enti erogatori — Markdown
	Topics              []string   `json:"topics"`
	NationalCategory    string     `json:"national_category"`
	Keywords            []string   `json:"keywords"`
	Standards           []Standard `json:"standards"`
	Documents           []Document `json:"documents"`
	Position            int        `json:"position"`
	// Set by publication: the version (and its date) that last changed this service —
	// "Ultimo aggiornamento" on the citizen page.
	LastChangedVersion int       `json:"last_changed_version,omitempty"`
	LastChangedAt      time.Time `json:"last_changed_at"`
}

// Deadline is a dated deadline or a phase of a service.
type Deadline struct {
	Label       string `json:"label"`
	DueOn       string `json:"due_on,omitempty"` // "2006-01-02", or empty for an undated phase
	Description string `json:"description,omitempty"`
}

// Standard is a quality commitment of a service (seed 003: lo standard qualitativo minimo).
type Standard struct {
	ID             uuid.UUID `json:"id"`
	Dimension      string    `json:"dimension"` // accessibilita, tempestivita, trasparenza, efficacia
	Description    string    `json:"description"`
	Indicator      string    `json:"indicator,omitempty"`
	Formula        string    `json:"formula,omitempty"`
	Target         *float64  `json:"target,omitempty"`
	Unit           string    `json:"unit,omitempty"`
	HigherIsBetter bool      `json:"higher_is_better"`
}

// Document is a file attached to a service or to the Carta. Files are served by id from the
// owning tenant's host; SHA256 pins the exact bytes a version published.
type Document struct {
	ID          uuid.UUID `json:"id"`
	Kind        string    `json:"kind"` // condizioni, modulo, carta, altro
	Title       string    `json:"title"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
}

// Section is a section of the general part, Body in Markdown.
type Section struct {
	Key      string `json:"key"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	Position int    `json:"position"`
}

// Hidden is an ambito service a member comune does not show.
type Hidden struct {
	ServiceID uuid.UUID `json:"service_id"`
	Reason    string    `json:"reason"`
}

// View is what a tenant's citizen site shows: its own published Carta and, for a comune in an
// ambito, the ambito's published Carta whose services appear in it (less those it hides).
// Either may be nil when nothing was published yet.
type View struct {
	Own    *Carta
	Ambito *Carta
}

// CacheVersion is the pair of published versions that names every cached page of the view
// ("v{own}.{ambito}"): publishing either bumps it.
func (v *View) CacheVersion() (own, ambito int) {
	if v.Own != nil {
		own = v.Own.Version
	}
	if v.Ambito != nil {
		ambito = v.Ambito.Version
	}
	return own, ambito
}
