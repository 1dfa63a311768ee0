package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/catalogio"
	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// Publish publishes a tenant's draft with a change note (publication.Service.Publish).
type Publish func(ctx context.Context, t *tenant.Tenant, note string) (*catalog.Carta, error)

// SeedCarte writes the demo Carte as drafts — offices, hours, people, then the services through
// the same spreadsheet import staff use — and publishes them, the ambito first so that its
// services appear in its member comuni. A tenant that has published already is left alone.
func SeedCarte(ctx context.Context, store *tenant.Store, d *tenant.DB, publish Publish) error {
	for _, e := range Enti {
		c, ok := contents[e.Slug]
		if !ok {
			continue
		}
		t, err := store.BySlug(ctx, e.Slug)
		if err != nil {
			return err
		}
		var published int
		if err := d.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
			var err error
			published, err = catalog.CurrentVersion(ctx, tx, t.ID)
			return err
		}); err != nil {
			return err
		}
		if published > 0 {
			if err := refreshGeneralPart(ctx, d, t, publish); err != nil {
				return fmt.Errorf("demo general part %s: %w", e.Slug, err)
			}
			continue
		}
		if err := d.InTx(ctx, t.ID, func(tx *tenant.Tx) error { return seedDraft(ctx, tx, c) }); err != nil {
			return fmt.Errorf("demo carta %s: %w", e.Slug, err)
		}
		res, err := catalogio.Import(ctx, d, t, servicesCSV(c))
		if err != nil {
			return fmt.Errorf("demo services %s: %w", e.Slug, err)
		}
		if !res.OK() {
			return fmt.Errorf("demo services %s: %+v", e.Slug, res.Problems)
		}
		if err := d.InTx(ctx, t.ID, func(tx *tenant.Tx) error { return seedStandards(ctx, tx, c) }); err != nil {
			return fmt.Errorf("demo standards %s: %w", e.Slug, err)
		}
		if _, err := publish(ctx, t, "Prima pubblicazione della Carta dei Servizi Sociali"); err != nil {
			return fmt.Errorf("demo publication %s: %w", e.Slug, err)
		}
	}
	return nil
}

// retiredSections are default texts of the general part that earlier demo Carte published and
// that are no longer true, by section key: the quality section promised that every page could
// be rated and an online questionnaire answered, before either existed.
var retiredSections = map[string]string{
	"qualita": `Per ogni servizio la Carta indica gli **standard di qualità** che l'ente si impegna a rispettare, con l'indicatore e il valore obiettivo. Ogni anno i valori misurati, i reclami e i risultati dei questionari di soddisfazione sono raccolti nel Rapporto annuale di valutazione; le azioni di miglioramento sono descritte nel Piano di miglioramento.

Il tuo parere conta: puoi valutare ogni pagina di questo sito e rispondere al questionario di soddisfazione.`,
}

// refreshGeneralPart brings an already published demo Carta up to date: a section of its draft
// that still holds a retired default text word for word gets today's default, and the draft is
// published again. Sections staff have edited are left alone.
func refreshGeneralPart(ctx context.Context, d *tenant.DB, t *tenant.Tenant, publish Publish) error {
	var changed []string
	err := d.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		secs, err := tx.CatalogSectionList(ctx)
		if err != nil {
			return err
		}
		for _, s := range secs {
			if old, ok := retiredSections[s.Key]; !ok || s.Body != old {
				continue
			}
			for _, ds := range catalog.DefaultSections {
				if ds.Key != s.Key {
					continue
				}
				if _, err := tx.CatalogSectionUpdate(ctx, db.CatalogSectionUpdateParams{ID: s.ID, Title: s.Title, Body: ds.Body}); err != nil {
					return err
				}
				changed = append(changed, s.Title)
			}
		}
		return nil
	})
	if err != nil || len(changed) == 0 {
		return err
	}
	_, err = publish(ctx, t, "Parte generale aggiornata: "+strings.Join(changed, ", "))
	return err
}

func seedDraft(ctx context.Context, tx *tenant.Tx, c carta) error {
	if err := catalog.EnsureDefaults(ctx, tx); err != nil {
		return err
	}
	n, err := tx.DemoOfficeCount(ctx)
	if err != nil || n > 0 {
		return err
	}
	offices := map[string]uuid.UUID{}
	for i, o := range c.Offices {
		id, err := tx.DemoOfficeInsert(ctx, db.DemoOfficeInsertParams{
			Slug: o.Slug, Name: o.Name, Description: o.Description, Address: o.Address, PostalCode: o.CAP,
			City: o.City, Phone: o.Phone, Email: o.Email, Pec: o.PEC, IsMainDesk: o.MainDesk, Position: int32(i),
		})
		if err != nil {
			return err
		}
		offices[o.Slug] = id
		for day := 1; day <= 7; day++ {
			for _, iv := range o.Hours[day] {
				from, to, _ := strings.Cut(iv, "-")
				if err := tx.DemoOfficeHourInsert(ctx, db.DemoOfficeHourInsertParams{
					OfficeID: id, Weekday: int16(day), Opens: clock(from), Closes: clock(to),
				}); err != nil {
					return err
				}
			}
		}
	}
	for _, h := range holidays(time.Now().Year()) {
		if err := tx.DemoOfficeExceptionInsert(ctx, db.DemoOfficeExceptionInsertParams{
			DateFrom: date(h.from), DateTo: date(h.to), Reason: h.reason,
		}); err != nil {
			return err
		}
	}
	for i, p := range c.People {
		var office *uuid.UUID
		if id, ok := offices[p.Office]; ok {
			office = &id
		}
		if err := tx.DemoPersonInsert(ctx, db.DemoPersonInsertParams{
			Name: p.Name, RoleTitle: p.Role, Area: p.Area, Email: p.Email, Phone: p.Phone, OfficeID: office, Position: int32(i),
		}); err != nil {
			return err
		}
	}
	return nil
}

type holiday struct {
	from, to time.Time
	reason   string
}

// holidays are the national closures of the coming months.
func holidays(year int) []holiday {
	d := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }
	return []holiday{
		{d(year, 12, 8), d(year, 12, 8), "Immacolata Concezione"},
		{d(year, 12, 24), d(year, 12, 26), "Festività natalizie"},
		{d(year, 12, 31), d(year+1, 1, 1), "Capodanno"},
		{d(year+1, 1, 6), d(year+1, 1, 6), "Epifania"},
	}
}

func seedStandards(ctx context.Context, tx *tenant.Tx, c carta) error {
	for _, s := range c.Services {
		if len(s.Standards) == 0 {
			continue
		}
		id, err := tx.DemoServiceIDBySlug(ctx, s.Slug)
		if err != nil {
			return fmt.Errorf("service %s: %w", s.Slug, err)
		}
		for i, st := range s.Standards {
			var target pgtype.Numeric
			if err := target.Scan(strconv.FormatFloat(st.Target, 'f', -1, 64)); err != nil {
				return err
			}
			if err := tx.DemoStandardInsert(ctx, db.DemoStandardInsertParams{
				ServiceID: id, Dimension: st.Dimension, Description: st.Description, Indicator: st.Indicator,
				Formula: st.Formula, Target: target, Unit: st.Unit, HigherIsBetter: st.HigherIsBetter, Position: int32(i),
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// servicesCSV writes the demo services in the import format staff download as a template.
func servicesCSV(c carta) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"slug", "titolo", "categoria", "livello_macro", "descrizione_breve", "cosa_e",
		"a_chi_e_rivolto", "copertura", "come_fare", "cosa_serve", "documenti_necessari", "cosa_si_ottiene",
		"tempi_e_scadenze", "costo_tipo", "costo_testo", "ufficio", "condizioni_di_servizio", "contatti",
		"unita_organizzativa", "responsabile", "erogatori", "argomenti", "categoria_nazionale", "parole_chiave"})
	for i, s := range c.Services {
		coverage := s.Coverage
		if coverage == "" {
			coverage = "comune"
		}
		_ = w.Write([]string{s.Slug, s.Title, s.Category, strconv.Itoa(s.Macro), s.Short, s.Description,
			s.Audience, coverage, s.HowTo, s.Needed, strings.Join(s.Items, "\n"), s.Obtained,
			s.Timing, s.CostKind, s.CostText, s.Office, s.Conditions, s.Contacts,
			s.Unit, s.Person, s.Providers, strings.Join(s.Topics, " | "), "Salute, benessere e assistenza",
			strings.Join(s.Keywords, ", ")})
		_ = i
	}
	w.Flush()
	return buf.Bytes()
}

func clock(hm string) pgtype.Time {
	t, _ := time.Parse("15:04", hm)
	return pgtype.Time{Microseconds: int64(t.Hour()*3600+t.Minute()*60) * 1_000_000, Valid: true}
}

func date(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }
