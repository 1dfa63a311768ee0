package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// loadRefs reads what a service form may point to.
func loadRefs(ctx context.Context, tx *tenant.Tx) (*formRefs, error) {
	var r formRefs
	var err error
	if r.Categories, err = loadCategories(ctx, tx); err != nil {
		return nil, err
	}
	if r.Offices, err = loadOffices(ctx, tx); err != nil {
		return nil, err
	}
	if r.People, err = loadPeople(ctx, tx); err != nil {
		return nil, err
	}
	return &r, nil
}

// uniqueSlug fills an empty slug from the title, adding -2, -3, ... until no other row of the
// tenant has it; a slug typed by the staff is kept as typed and reported when taken.
func uniqueSlug(ctx context.Context, slug *string, title string, max int, fallback string,
	taken func(ctx context.Context, s string) (bool, error)) (typedTaken bool, err error) {
	if *slug != "" {
		t, err := taken(ctx, *slug)
		return t, err
	}
	base := Slugify(title, max)
	if base == "" {
		base = fallback
	}
	cand := base
	for n := 2; ; n++ {
		t, err := taken(ctx, cand)
		if err != nil {
			return false, err
		}
		if !t {
			*slug = cand
			return false, nil
		}
		if n > 1000 {
			return false, fmt.Errorf("no free slug for %q", base)
		}
		cand = withSuffix(base, n, max)
	}
}

func serviceSlugTaken(tx *tenant.Tx, exclude uuid.UUID) func(context.Context, string) (bool, error) {
	return func(ctx context.Context, s string) (bool, error) {
		return tx.CatalogServiceSlugTaken(ctx, db.CatalogServiceSlugTakenParams{Slug: s, ExcludeID: exclude})
	}
}

func macroPtr(n int) *int16 {
	if n == 0 {
		return nil
	}
	v := int16(n)
	return &v
}

// insertService stores a new service with its deadlines and standards and returns its id.
func insertService(ctx context.Context, tx *tenant.Tx, s *Service, refs *formRefs, by *uuid.UUID) (uuid.UUID, error) {
	id, err := tx.CatalogServiceInsert(ctx, db.CatalogServiceInsertParams{
		Slug: s.Slug, Status: s.Status, StatusReason: s.StatusReason, CategoryID: refs.categoryID(s.CategoryCode),
		MacroLevel: macroPtr(s.MacroLevel), NomenclatorCode: s.NomenclatorCode, Title: s.Title,
		ShortDescription: s.ShortDescription, Description: s.Description, Audience: s.Audience,
		Coverage: s.Coverage, HowTo: s.HowTo, NeededIntro: s.NeededIntro, NeededItems: s.NeededItems,
		Obtained: s.Obtained, Timing: s.Timing, CostKind: s.CostKind, CostText: s.CostText, OfficeID: s.OfficeID,
		DigitalLabel: s.DigitalLabel, DigitalUrl: s.DigitalURL, BookingUrl: s.BookingURL, BookingText: s.BookingText,
		ConstraintsText: s.Constraints, SpecialCases: s.SpecialCases, MoreInfo: s.MoreInfo,
		ConditionsText: s.Conditions, ContactsText: s.Contacts, ResponsibleUnit: s.ResponsibleUnit,
		ResponsiblePersonID: s.ResponsiblePersonID, Providers: s.Providers, Topics: s.Topics,
		NationalCategory: s.NationalCategory, Keywords: s.Keywords, UpdatedBy: by,
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("insert service: %w", err)
	}
	s.ID = id
	return id, replaceServiceChildren(ctx, tx, s, nil)
}

// updateService stores the new values of an existing service; existing holds the ids of its
// standards as stored, which keep their id (measured values refer to them).
func updateService(ctx context.Context, tx *tenant.Tx, s *Service, refs *formRefs, existing []Standard, by *uuid.UUID) error {
	n, err := tx.CatalogServiceUpdate(ctx, db.CatalogServiceUpdateParams{
		ID: s.ID, Slug: s.Slug, Status: s.Status, StatusReason: s.StatusReason, CategoryID: refs.categoryID(s.CategoryCode),
		MacroLevel: macroPtr(s.MacroLevel), NomenclatorCode: s.NomenclatorCode, Title: s.Title,
		ShortDescription: s.ShortDescription, Description: s.Description, Audience: s.Audience,
		Coverage: s.Coverage, HowTo: s.HowTo, NeededIntro: s.NeededIntro, NeededItems: s.NeededItems,
		Obtained: s.Obtained, Timing: s.Timing, CostKind: s.CostKind, CostText: s.CostText, OfficeID: s.OfficeID,
		DigitalLabel: s.DigitalLabel, DigitalUrl: s.DigitalURL, BookingUrl: s.BookingURL, BookingText: s.BookingText,
		ConstraintsText: s.Constraints, SpecialCases: s.SpecialCases, MoreInfo: s.MoreInfo,
		ConditionsText: s.Conditions, ContactsText: s.Contacts, ResponsibleUnit: s.ResponsibleUnit,
		ResponsiblePersonID: s.ResponsiblePersonID, Providers: s.Providers, Topics: s.Topics,
		NationalCategory: s.NationalCategory, Keywords: s.Keywords, UpdatedBy: by,
	})
	if err != nil {
		return fmt.Errorf("update service: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("update service %s: no row", s.ID)
	}
	return replaceServiceChildren(ctx, tx, s, existing)
}

// replaceServiceChildren writes the deadlines (rewritten whole: nothing refers to them) and the
// standards (updated in place when the id is one of existing, added otherwise, and those no
// longer in the form removed).
func replaceServiceChildren(ctx context.Context, tx *tenant.Tx, s *Service, existing []Standard) error {
	if err := tx.CatalogDeadlinesDelete(ctx, s.ID); err != nil {
		return fmt.Errorf("deadlines: %w", err)
	}
	for i, d := range s.Deadlines {
		var due pgtype.Date
		if t, ok := parseDate(d.DueOn); ok {
			due = pgDate(t)
		}
		if err := tx.CatalogDeadlineInsert(ctx, db.CatalogDeadlineInsertParams{
			ServiceID: s.ID, Label: d.Label, DueOn: due, Description: d.Description, Position: int32(i),
		}); err != nil {
			return fmt.Errorf("deadline: %w", err)
		}
	}
	keep := make([]uuid.UUID, 0, len(s.Standards))
	for i := range s.Standards {
		st := &s.Standards[i]
		if st.ID == uuid.Nil || !slices.ContainsFunc(existing, func(e Standard) bool { return e.ID == st.ID }) {
			// Ids come from the form: one that is not this service's own is a new standard.
			st.ID = uuid.New()
		}
		target, err := pgNumber(st.Target)
		if err != nil {
			return fmt.Errorf("standard target: %w", err)
		}
		if err := tx.CatalogStandardUpsert(ctx, db.CatalogStandardUpsertParams{
			ServiceID: s.ID, ID: st.ID, Dimension: st.Dimension, Description: st.Description,
			Indicator: st.Indicator, Formula: st.Formula, Target: target, Unit: st.Unit,
			HigherIsBetter: st.HigherIsBetter, Position: int32(i),
		}); err != nil {
			return fmt.Errorf("standard: %w", err)
		}
		keep = append(keep, st.ID)
	}
	if err := tx.CatalogStandardsPrune(ctx, db.CatalogStandardsPruneParams{ServiceID: s.ID, Keep: keep}); err != nil {
		return fmt.Errorf("standards: %w", err)
	}
	return nil
}

// changedFields names the fields (as in the JSON of a version) whose value differs between a
// and b, for the audit trail.
func changedFields(a, b Service) []string {
	var ma, mb map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	var out []string
	for k, va := range ma {
		if k == "documents" || k == "position" || k == "last_changed_at" || k == "last_changed_version" {
			continue
		}
		if !reflect.DeepEqual(va, mb[k]) {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// reorder moves the item id one place up (delta -1) or down (+1) in ids (the current order)
// and returns the new order, or nil when it cannot move.
func reorder(ids []uuid.UUID, id uuid.UUID, delta int) []uuid.UUID {
	i := slices.Index(ids, id)
	j := i + delta
	if i < 0 || j < 0 || j >= len(ids) {
		return nil
	}
	out := slices.Clone(ids)
	out[i], out[j] = out[j], out[i]
	return out
}
