// Package publication owns the publication of the Carta: turning a tenant's draft into an
// immutable numbered version (who, when, a change note), the history and a readable diff
// between any two versions, publications scheduled for a date (run by a River job), the
// search index rebuilt at each publication, and the staff pages for all of it.
//
// The draft itself and its completeness rules belong to package catalog; this package reads
// them through Deps so that what is checked before publishing is exactly what the editor shows.
package publication

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// Deps are what publication needs.
type Deps struct {
	Render *web.Renderer
	DB     *tenant.DB
	// Jobs enqueues scheduled publications. The worker (Workers) needs no Jobs, so the
	// service handed to Workers may be built before the client exists.
	Jobs *jobs.Client
	Log  *slog.Logger
	// Nav returns the sidebar of the staff area for the request; optional.
	Nav func(*fiber.Ctx) []web.NavItem
	// LoadDraft reads the tenant's whole draft as the model (catalog.LoadDraft).
	LoadDraft func(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant) (*catalog.Carta, error)
	// Completeness lists what the draft lacks before it may be published (catalog.Completeness).
	Completeness func(c *catalog.Carta) []catalog.Missing
	// OnPublished runs after a publication has committed (cache invalidation); optional. It is
	// never called for a refused or rolled-back publication.
	OnPublished func(ctx context.Context, t *tenant.Tenant, version int)
	// Can tells whether the logged-in staff member holds a permission, to hide the forms they
	// cannot use; optional (the routes are guarded whatever it says).
	Can func(ctx context.Context, p access.Perm) bool
}

// Service publishes Cartas.
type Service struct {
	d       Deps
	tenants *tenant.Store
	now     func() time.Time
}

// New returns the publication service.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Service{d: d, now: time.Now}
	if d.DB != nil {
		s.tenants = tenant.NewStore(d.DB)
	}
	return s
}

// MaxNoteLength bounds a change note, in characters.
const MaxNoteLength = 1000

// ActorScheduled is the publisher shown for a publication made by the scheduler.
const ActorScheduled = "pubblicazione programmata"

type actorKey struct{}

// AsActor names a non-human publisher ("pubblicazione programmata", "cli") for publications made
// under ctx without a logged-in staff member; the audit trail gets the same label.
func AsActor(ctx context.Context, label string) context.Context {
	return audit.WithActorLabel(context.WithValue(ctx, actorKey{}, label), label)
}

// publisher is who publishes: a staff member (ID set) or a label.
type publisher struct {
	ID    *uuid.UUID
	Label string
}

func publisherFrom(ctx context.Context) publisher {
	if s := principal.StaffFrom(ctx); s != nil {
		id := s.UserID
		label := s.Name
		if label == "" {
			label = s.Email
		}
		return publisher{ID: &id, Label: label}
	}
	if l, ok := ctx.Value(actorKey{}).(string); ok && l != "" {
		return publisher{Label: l}
	}
	return publisher{Label: "sistema"}
}

// Incomplete is the cause of a refused publication: what the draft lacks. Find it with
// errors.As on the error Publish returns.
type Incomplete struct {
	Missing []catalog.Missing
}

func (e *Incomplete) Error() string {
	return fmt.Sprintf("draft incomplete: %d missing", len(e.Missing))
}

// maxListed is how many missing items the refusal message names before summarising the rest.
const maxListed = 15

// refusal builds the Italian message listing what is missing, grouped by service.
func refusal(missing []catalog.Missing) *apperr.Error {
	var b strings.Builder
	if len(missing) == 1 {
		b.WriteString("La Carta non può essere pubblicata: manca un'informazione obbligatoria. ")
	} else {
		fmt.Fprintf(&b, "La Carta non può essere pubblicata: mancano %d informazioni obbligatorie. ", len(missing))
	}
	type group struct {
		title  string
		labels []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for i, m := range missing {
		if i == maxListed {
			break
		}
		key := m.ServiceSlug + "\x00" + m.ServiceTitle
		g := byKey[key]
		if g == nil {
			g = &group{title: m.ServiceTitle}
			if g.title == "" {
				g.title = m.ServiceSlug
			}
			byKey[key] = g
			groups = append(groups, g)
		}
		label := m.Label
		if label == "" {
			label = m.Field
		}
		g.labels = append(g.labels, label)
	}
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		if g.title == "" {
			parts = append(parts, strings.Join(g.labels, ", "))
			continue
		}
		parts = append(parts, "«"+g.title+"»: "+strings.Join(g.labels, ", "))
	}
	b.WriteString(strings.Join(parts, "; "))
	if rest := len(missing) - maxListed; rest > 0 {
		fmt.Fprintf(&b, "; e altre %d.", rest)
	} else {
		b.WriteString(".")
	}
	return apperr.Wrap(apperr.Invalid, b.String(), &Incomplete{Missing: missing})
}

func validNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNoteLength || !utf8.ValidString(note) {
		return "", apperr.InvalidFields(map[string]string{"note": fmt.Sprintf("La nota può avere al massimo %d caratteri.", MaxNoteLength)})
	}
	return note, nil
}

// Publish makes the tenant's draft, as it is now, its next published version, in one
// transaction: completeness check, version number under a lock on the tenant's state,
// "Ultimo aggiornamento" of each service, the version, the state, the search index and the
// audit entry. A draft with missing required fields is refused with apperr.Invalid naming them
// (cause *Incomplete) and nothing is written. OnPublished runs after the commit.
func (s *Service) Publish(ctx context.Context, t *tenant.Tenant, note string) (*catalog.Carta, error) {
	note, err := validNote(note)
	if err != nil {
		return nil, err
	}
	var c *catalog.Carta
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		c, err = s.publishTx(ctx, tx, t, note, publisherFrom(ctx))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.published(ctx, t, c.Version)
	return c, nil
}

// published runs the after-commit hook.
func (s *Service) published(ctx context.Context, t *tenant.Tenant, version int) {
	s.d.Log.InfoContext(ctx, "carta published", "tenant", t.Slug, "version", version)
	if s.d.OnPublished != nil {
		s.d.OnPublished(ctx, t, version)
	}
}

// publishTx is the whole publication inside tx; it writes nothing when it refuses.
func (s *Service) publishTx(ctx context.Context, tx *tenant.Tx, t *tenant.Tenant, note string, by publisher) (*catalog.Carta, error) {
	if s.d.LoadDraft == nil || s.d.Completeness == nil {
		return nil, errors.New("publication: LoadDraft and Completeness are not wired")
	}
	draft, err := s.d.LoadDraft(ctx, tx, t)
	if err != nil {
		return nil, fmt.Errorf("load draft: %w", err)
	}
	if missing := s.d.Completeness(draft); len(missing) > 0 {
		return nil, refusal(missing)
	}

	// From here on, one publication of this tenant at a time: the second waits for the first
	// to commit and then reads its number.
	state, err := tx.PublicationStateLock(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock state: %w", err)
	}
	var prev *catalog.Carta
	if state.PublishedVersion > 0 {
		if prev, err = catalog.LoadPublished(ctx, tx, t.ID, int(state.PublishedVersion)); err != nil {
			return nil, fmt.Errorf("previous version: %w", err)
		}
	}

	now := s.now().UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
	c := *draft
	c.Format = catalog.SnapshotFormat
	c.Tenant = catalog.TenantRef{ID: t.ID, Slug: t.Slug, Name: t.Name, Kind: string(t.Kind)}
	c.Version = int(state.PublishedVersion) + 1
	c.PublishedAt = now
	c.FirstPublishedAt = now
	if state.FirstPublishedAt != nil {
		c.FirstPublishedAt = state.FirstPublishedAt.UTC()
	}
	c.Note = note
	c.Services = stampChanges(draft.Services, prev, c.Version, now)

	snapshot, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if err := tx.PublicationVersionInsert(ctx, db.PublicationVersionInsertParams{
		Number: int32(c.Version), PublishedAt: now, PublishedBy: by.ID, PublisherLabel: by.Label,
		Note: note, Snapshot: snapshot,
	}); err != nil {
		return nil, fmt.Errorf("insert version: %w", err)
	}
	if err := tx.PublicationStateUpdate(ctx, db.PublicationStateUpdateParams{
		PublishedVersion: int32(c.Version), PublishedAt: now,
	}); err != nil {
		return nil, fmt.Errorf("update state: %w", err)
	}
	if err := rebuildSearch(ctx, tx, &c); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, audit.Entry{
		Action: "carta.publish", ObjectType: "carta", ObjectID: fmt.Sprint(c.Version), ObjectName: fmt.Sprintf("Versione %d", c.Version),
		Changes: audit.Changes(nil, map[string]string{"Versione": fmt.Sprint(c.Version), "Nota": note, "Servizi": fmt.Sprint(len(c.Services))}),
		Details: map[string]any{"version": c.Version, "note": note, "services": len(c.Services), "publisher": by.Label},
	}); err != nil {
		return nil, err
	}
	return &c, nil
}

// stampChanges returns the services with LastChangedVersion/At set: a service equal to the same
// service (by id) in the previous version keeps that version's date; a changed or new one gets
// this version.
func stampChanges(services []catalog.Service, prev *catalog.Carta, version int, at time.Time) []catalog.Service {
	before := map[uuid.UUID]*catalog.Service{}
	if prev != nil {
		for i := range prev.Services {
			before[prev.Services[i].ID] = &prev.Services[i]
		}
	}
	out := make([]catalog.Service, len(services))
	for i, sv := range services {
		sv.LastChangedVersion, sv.LastChangedAt = version, at
		if old, ok := before[sv.ID]; ok && old.LastChangedVersion > 0 && ServiceHash(*old) == ServiceHash(sv) {
			sv.LastChangedVersion, sv.LastChangedAt = old.LastChangedVersion, old.LastChangedAt
		}
		out[i] = sv
	}
	return out
}

// ServiceHash is the canonical hash of what a citizen reads about a service: its JSON without
// the publication stamps (LastChanged*) and without its position in lists, so that reordering
// services does not tell citizens a service was updated. Empty and absent lists hash alike.
func ServiceHash(s catalog.Service) [32]byte {
	s.LastChangedVersion, s.LastChangedAt, s.Position = 0, time.Time{}, 0
	s.NeededItems = nilIfEmpty(s.NeededItems)
	s.Deadlines = nilIfEmpty(s.Deadlines)
	s.Topics = nilIfEmpty(s.Topics)
	s.Keywords = nilIfEmpty(s.Keywords)
	s.Standards = nilIfEmpty(s.Standards)
	s.Documents = nilIfEmpty(s.Documents)
	b, err := json.Marshal(s)
	if err != nil {
		// A Service holds only JSON-safe values; never reached.
		panic(err)
	}
	return sha256.Sum256(b)
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// rebuildSearch replaces the tenant's search rows with one per published, non-archived service.
func rebuildSearch(ctx context.Context, tx *tenant.Tx, c *catalog.Carta) error {
	if err := tx.PublicationSearchDelete(ctx); err != nil {
		return fmt.Errorf("search delete: %w", err)
	}
	p := db.PublicationSearchInsertParams{Version: int32(c.Version)}
	for _, sv := range c.Services {
		if sv.Status == "archiviato" {
			continue
		}
		p.ServiceIds = append(p.ServiceIds, sv.ID)
		p.Slugs = append(p.Slugs, sv.Slug)
		p.Titles = append(p.Titles, sv.Title)
		p.Summaries = append(p.Summaries, sv.ShortDescription)
		p.CategoryCodes = append(p.CategoryCodes, sv.CategoryCode)
		p.Keywords = append(p.Keywords, strings.Join(sv.Keywords, " "))
		p.Bodies = append(p.Bodies, strings.Join([]string{
			sv.ShortDescription, catalog.PlainText(sv.Audience), catalog.PlainText(sv.Description),
		}, "\n"))
	}
	if len(p.ServiceIds) == 0 {
		return nil
	}
	if err := tx.PublicationSearchInsert(ctx, p); err != nil {
		return fmt.Errorf("search insert: %w", err)
	}
	return nil
}
