package scale

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// batch runs the product's own sqlc queries (db.Queries built on it) as one pgx batch: Exec
// only queues the statement, and send runs them all in one round trip inside the tenant's
// transaction, under its row-level security. Only :exec queries may go through it; a query
// that returns rows needs its answer at once and runs on the transaction instead.
//
// COPY would be faster still, but PostgreSQL refuses COPY FROM into a table with row-level
// security for a role it applies to ("COPY FROM not supported with row-level security"), and
// the seeder must write as the runtime role.
type batch struct{ b pgx.Batch }

var errBatchRows = errors.New("scale: a query returning rows cannot be batched")

func (q *batch) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	q.b.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

func (q *batch) Query(context.Context, string, ...any) (pgx.Rows, error) { return nil, errBatchRows }

func (q *batch) QueryRow(context.Context, string, ...any) pgx.Row { return errRow{} }

type errRow struct{}

func (errRow) Scan(...any) error { return errBatchRows }

// send runs the queued statements; the first failure is returned.
func (q *batch) send(ctx context.Context, tx pgx.Tx) error {
	if q.b.Len() == 0 {
		return nil
	}
	err := tx.SendBatch(ctx, &q.b).Close()
	q.b = pgx.Batch{}
	return err
}

// writeDraft writes d as tx's tenant's draft: the national categories and default general
// part (catalog.EnsureDefaults, as for any new tenant), offices with hours, tenant-wide
// closures, people, services with their standards and deadlines. Statements that return an id
// run one by one; the rest go in three batches.
func writeDraft(ctx context.Context, tx *tenant.Tx, d draftContent) error {
	if err := catalog.EnsureDefaults(ctx, tx); err != nil {
		return err
	}
	cats, err := tx.CatalogCategoryList(ctx)
	if err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	catID := make(map[string]uuid.UUID, len(cats))
	for _, c := range cats {
		catID[c.Code] = c.ID
	}

	officeIDs := make([]uuid.UUID, len(d.offices))
	for i, o := range d.offices {
		id, err := tx.DemoOfficeInsert(ctx, db.DemoOfficeInsertParams{
			Slug: o.slug, Name: o.name, Description: o.description, Address: o.address, PostalCode: o.postalCode,
			City: o.city, Phone: o.phone, Email: o.email, Pec: o.pec, IsMainDesk: o.mainDesk, Position: int32(i),
		})
		if err != nil {
			return fmt.Errorf("office %s: %w", o.slug, err)
		}
		officeIDs[i] = id
	}

	var b batch
	bq := db.New(&b)
	for i, o := range d.offices {
		for _, h := range o.hours {
			if err := bq.CatalogOfficeHoursInsert(ctx, db.CatalogOfficeHoursInsertParams{
				OfficeID: officeIDs[i], Weekday: int16(h.Weekday), Opens: clock(h.Opens), Closes: clock(h.Closes),
			}); err != nil {
				return err
			}
		}
	}
	for _, c := range d.closures {
		if err := bq.DemoOfficeExceptionInsert(ctx, db.DemoOfficeExceptionInsertParams{
			DateFrom: pgDate(c.from), DateTo: pgDate(c.to), Reason: c.reason,
		}); err != nil {
			return err
		}
	}
	for i, p := range d.people {
		office := officeIDs[p.office]
		if err := bq.DemoPersonInsert(ctx, db.DemoPersonInsertParams{
			Name: p.name, RoleTitle: p.role, Area: p.area, Email: p.email, Phone: p.phone, OfficeID: &office, Position: int32(i),
		}); err != nil {
			return err
		}
	}
	if err := b.send(ctx, tx.Raw); err != nil {
		return fmt.Errorf("hours, closures, people: %w", err)
	}
	people, err := tx.CatalogPersonList(ctx)
	if err != nil {
		return fmt.Errorf("people: %w", err)
	}
	if len(people) != len(d.people) {
		return fmt.Errorf("people: wrote %d, read %d", len(d.people), len(people))
	}

	// Services go in one batch (the import's :exec insert); their ids are then read back by
	// slug, a small round trip each, for the standards and deadlines of the second batch.
	for i, s := range d.services {
		p := db.CatalogioServiceInsertParams{
			Slug: s.slug, Status: catalog.StatusActive, Title: s.title, ShortDescription: s.short,
			Description: s.description, Audience: s.audience, Coverage: s.coverage, HowTo: s.howTo,
			NeededIntro: s.neededIntro, NeededItems: s.neededItems, Obtained: s.obtained, Timing: s.timing,
			CostKind: s.costKind, CostText: s.costText, DigitalLabel: s.digitalLabel, DigitalUrl: s.digitalURL,
			BookingUrl: s.bookingURL, BookingText: s.bookingTxt, ConstraintsText: s.constraints,
			SpecialCases: s.specialCases, MoreInfo: s.moreInfo, ConditionsText: s.conditions,
			ContactsText: s.contacts, ResponsibleUnit: s.unit, Providers: s.providers, Topics: s.topics,
			NationalCategory: s.natCat, Keywords: s.keywords, Position: int32(i + 1),
		}
		if id, ok := catID[s.category]; ok {
			p.CategoryID = &id
		}
		macro := int16(s.macro)
		p.MacroLevel = &macro
		if s.office >= 0 {
			p.OfficeID = &officeIDs[s.office]
		}
		person := people[s.person].ID
		p.ResponsiblePersonID = &person
		if err := bq.CatalogioServiceInsert(ctx, p); err != nil {
			return err
		}
	}
	if err := b.send(ctx, tx.Raw); err != nil {
		return fmt.Errorf("services: %w", err)
	}
	for _, s := range d.services {
		id, err := tx.DemoServiceIDBySlug(ctx, s.slug)
		if err != nil {
			return fmt.Errorf("service %s: %w", s.slug, err)
		}
		for i, st := range s.standards {
			target, err := numeric(st.Target)
			if err != nil {
				return err
			}
			if err := bq.DemoStandardInsert(ctx, db.DemoStandardInsertParams{
				ServiceID: id, Dimension: st.Dimension, Description: st.Description, Indicator: st.Indicator,
				Formula: st.Formula, Target: target, Unit: st.Unit, HigherIsBetter: st.HigherIsBetter, Position: int32(i),
			}); err != nil {
				return err
			}
		}
		for i, dl := range s.deadlines {
			var due pgtype.Date
			if dl.DueOn != "" {
				t, err := time.Parse(time.DateOnly, dl.DueOn)
				if err != nil {
					return err
				}
				due = pgDate(t)
			}
			if err := bq.CatalogDeadlineInsert(ctx, db.CatalogDeadlineInsertParams{
				ServiceID: id, Label: dl.Label, DueOn: due, Description: dl.Description, Position: int32(i),
			}); err != nil {
				return err
			}
		}
	}
	if err := b.send(ctx, tx.Raw); err != nil {
		return fmt.Errorf("standards, deadlines: %w", err)
	}
	return nil
}

func clock(hm string) pgtype.Time {
	h, m, _ := strings.Cut(hm, ":")
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	return pgtype.Time{Microseconds: int64(hh*3600+mm*60) * 1_000_000, Valid: true}
}

func pgDate(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }

func numeric(f *float64) (pgtype.Numeric, error) {
	var n pgtype.Numeric
	if f == nil {
		return n, nil
	}
	err := n.Scan(strconv.FormatFloat(*f, 'f', -1, 64))
	return n, err
}
