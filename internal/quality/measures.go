package quality

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// The measured values of the Carta's quality standards. The tenant that publishes a service
// measures its standards over a period (a month, a quarter, a year) and records the value;
// when the standard declares a target the product says whether it was met, otherwise staff do.
// The service page shows each standard's last value; the report and the plan read them all.

// Measure is one measured value of a standard.
type Measure struct {
	ID, ServiceID, StandardID uuid.UUID
	From, To                  time.Time // Italian days
	Value                     float64
	Unit                      string
	Met                       *bool
	Source                    string // "staff" or "calcolato"
	Note                      string
}

// Text is the value as the page shows it: "6 giorni lavorativi", "92,5 %".
func (m Measure) Text() string {
	v := decimal(m.Value, 2)
	if m.Unit == "" {
		return v
	}
	return v + " " + m.Unit
}

// Period is the period in Italian: "dal 1º gennaio 2026 al 30 giugno 2026".
func (m Measure) Period() string {
	return "dal " + itlang.Date(m.From) + " al " + itlang.Date(m.To)
}

// MetLabel says whether the standard was met: "rispettato", "non rispettato" or "".
func (m Measure) MetLabel() string {
	switch {
	case m.Met == nil:
		return ""
	case *m.Met:
		return "rispettato"
	default:
		return "non rispettato"
	}
}

// MeasuredStandard is a standard of a service with its measures, newest first.
type MeasuredStandard struct {
	catalog.Standard
	Measures []Measure
}

// MeasuredService is one of the tenant's own published services with its standards.
type MeasuredService struct {
	ID        uuid.UUID
	Slug      string
	Title     string
	Standards []MeasuredStandard
}

// MeasureInput is what staff type in.
type MeasureInput struct {
	StandardID string
	From, To   string // yyyy-mm-dd
	Value      string // Italian or dotted decimals
	Met        string // "si", "no" or "": used only when the standard declares no target
	Note       string
}

// Messages of the measures' form.
const (
	MsgMeasureStandard = "Scegli lo standard misurato."
	MsgMeasureFrom     = "Indica il primo giorno del periodo misurato."
	MsgMeasureTo       = "Indica l'ultimo giorno del periodo: non prima del primo e non dopo oggi."
	MsgMeasureValue    = "Scrivi il valore misurato come numero (per esempio 6 o 92,5)."
	MsgMeasureNote     = "La nota può avere al massimo 500 caratteri."
)

// MeasurableServices are t's own published services that declare standards (an ambito's
// services are measured by the ambito).
func (s *Service) MeasurableServices(ctx context.Context, t *tenant.Tenant) ([]MeasuredService, error) {
	var out []MeasuredService
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sh, err := shown(ctx, tx, t)
		if err != nil || sh == nil {
			return err
		}
		for _, sv := range sh.Services() {
			if sv.FromAmbito || len(sv.Standards) == 0 {
				continue
			}
			ms := MeasuredService{ID: sv.ID, Slug: sv.Slug, Title: sv.Title}
			for _, st := range sv.Standards {
				ms.Standards = append(ms.Standards, MeasuredStandard{Standard: st})
			}
			out = append(out, ms)
		}
		return nil
	})
	return out, err
}

// Measured returns t's own published service at slug with every measure of its
// standards.
func (s *Service) Measured(ctx context.Context, t *tenant.Tenant, slug string) (*MeasuredService, error) {
	var out *MeasuredService
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		sv, err := shownService(ctx, tx, t, slug)
		if err != nil {
			return err
		}
		if sv.FromAmbito {
			return apperr.ErrNotFound // the ambito measures it
		}
		out = &MeasuredService{ID: sv.ID, Slug: sv.Slug, Title: sv.Title}
		ms, err := store{tx}.measuresOf(ctx, sv.ID)
		if err != nil {
			return err
		}
		for _, st := range sv.Standards {
			m := MeasuredStandard{Standard: st}
			for _, x := range ms {
				if x.StandardID == st.ID {
					m.Measures = append(m.Measures, x)
				}
			}
			out.Standards = append(out.Standards, m)
		}
		return nil
	})
	return out, err
}

// AddMeasure records a measured value of a standard of t's own published service at slug.
func (s *Service) AddMeasure(ctx context.Context, t *tenant.Tenant, slug string, in MeasureInput) (*Measure, error) {
	svc, err := s.Measured(ctx, t, slug)
	if err != nil {
		return nil, err
	}
	errs := map[string]string{}
	var std *catalog.Standard
	for i := range svc.Standards {
		if svc.Standards[i].ID.String() == strings.TrimSpace(in.StandardID) {
			std = &svc.Standards[i].Standard
		}
	}
	if std == nil {
		errs["standard"] = MsgMeasureStandard
	}
	today := s.today()
	from, errFrom := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.From), itlang.Rome)
	if errFrom != nil {
		errs["from"] = MsgMeasureFrom
	}
	to, errTo := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.To), itlang.Rome)
	if errTo != nil || (errFrom == nil && to.Before(from)) || to.After(today) {
		errs["to"] = MsgMeasureTo
	}
	value, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(in.Value), ",", ".", 1), 64)
	if err != nil || value != value || value > 1e12 || value < -1e12 {
		errs["value"] = MsgMeasureValue
	}
	note := strings.TrimSpace(in.Note)
	if len([]rune(note)) > 500 {
		errs["note"] = MsgMeasureNote
	}
	if len(errs) > 0 {
		return nil, apperr.InvalidFields(errs)
	}
	m := Measure{ServiceID: svc.ID, StandardID: std.ID, From: from, To: to, Value: value, Unit: std.Unit, Source: "staff", Note: note}
	m.Met = metBy(std, value, in.Met)
	var out Measure
	err = s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		if out, err = (store{tx}).addMeasure(ctx, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "quality.measure", ObjectType: "standard",
			ObjectID: std.ID.String(), ObjectName: svc.Title + ": " + std.Description})
	})
	if err != nil {
		return nil, err
	}
	if s.d.OnPublicChange != nil {
		s.d.OnPublicChange(ctx, t)
	}
	return &out, nil
}

// metBy says whether value meets std: by its target when it declares one, else as staff said.
func metBy(std *catalog.Standard, value float64, said string) *bool {
	var met bool
	switch {
	case std.Target != nil && std.HigherIsBetter:
		met = value >= *std.Target
	case std.Target != nil:
		met = value <= *std.Target
	case said == "si":
		met = true
	case said == "no":
		met = false
	default:
		return nil
	}
	return &met
}

// LatestMeasures are the last measure of each standard among ids published by owner (t
// itself, or its ambito), read in t's transaction: for the service page.
func (s *Service) LatestMeasures(ctx context.Context, t *tenant.Tenant, owner uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Measure, error) {
	out := map[uuid.UUID]Measure{}
	if len(ids) == 0 {
		return out, nil
	}
	err := s.d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		ms, err := store{tx}.latestMeasures(ctx, owner, ids)
		for _, m := range ms {
			out[m.StandardID] = m
		}
		return err
	})
	return out, err
}
