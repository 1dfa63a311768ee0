package site_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// fixedNow is Tuesday 3 March 2026, 10:00 in Rome: the main desk (seed 000's hours) is open.
var fixedNow = time.Date(2026, 3, 3, 10, 0, 0, 0, site.Rome())

func fixedClock() time.Time { return fixedNow }

func withClock(d *site.Deps) { d.Clock = fixedClock }

// Fixed ids, so that pages (and golden files) do not change from run to run.
var (
	idDesk      = uuid.MustParse("0b0e0000-0000-4000-8000-000000000001")
	idBranch    = uuid.MustParse("0b0e0000-0000-4000-8000-000000000002")
	idPerson    = uuid.MustParse("0b0e0000-0000-4000-8000-000000000003")
	idSegr      = uuid.MustParse("0b0e0000-0000-4000-8000-000000000010")
	idSAD       = uuid.MustParse("0b0e0000-0000-4000-8000-000000000011")
	idFamiglia  = uuid.MustParse("0b0e0000-0000-4000-8000-000000000012")
	idNido      = uuid.MustParse("0b0e0000-0000-4000-8000-000000000013")
	idDocSAD    = uuid.MustParse("0b0e0000-0000-4000-8000-000000000020")
	idDocCarta  = uuid.MustParse("0b0e0000-0000-4000-8000-000000000021")
	idStdFirst  = uuid.MustParse("0b0e0000-0000-4000-8000-000000000030")
	idStdAccess = uuid.MustParse("0b0e0000-0000-4000-8000-000000000031")
)

// docBytes are the bytes of a fixture document: a minimal PDF.
func docBytes(name string) []byte { return []byte("%PDF-1.4\n% " + name + "\n%%EOF\n") }

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func document(id uuid.UUID, kind, title, filename string) catalog.Document {
	b := docBytes(filename)
	return catalog.Document{ID: id, Kind: kind, Title: title, Filename: filename, ContentType: "application/pdf",
		Size: len(b), SHA256: shaHex(b)}
}

func sections() []catalog.Section {
	var out []catalog.Section
	for i, s := range catalog.DefaultSections {
		out = append(out, catalog.Section{Key: s.Key, Title: s.Title, Body: s.Body, Position: i})
	}
	return out
}

func nationalCategories() []catalog.Category {
	var out []catalog.Category
	for i, c := range catalog.NationalCategories {
		out = append(out, catalog.Category{ID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(c.Code)), Code: c.Code,
			Name: c.Name, Description: c.Description, Position: i, National: true})
	}
	return out
}

func seedHours() []catalog.Interval {
	var hs []catalog.Interval
	for wd := 1; wd <= 5; wd++ {
		hs = append(hs, catalog.Interval{Weekday: wd, Opens: "09:00", Closes: "12:00"})
	}
	return append(hs, catalog.Interval{Weekday: 2, Opens: "15:30", Closes: "17:30"},
		catalog.Interval{Weekday: 4, Opens: "15:30", Closes: "17:30"})
}

func ptr[T any](v T) *T { return &v }

// demoCarta is a Carta like the demo comune's (seed 000: Cerveteri), with every field of a
// service filled on "assistenza-domiciliare-anziani".
func demoCarta() *catalog.Carta {
	changed := time.Date(2026, 3, 2, 11, 0, 0, 0, site.Rome())
	return &catalog.Carta{
		Categories: nationalCategories(),
		Offices: []catalog.Office{
			{ID: idDesk, Slug: "sportello-polivalente", Name: "Sportello polivalente dei servizi sociali",
				Description: "Lo sportello unico per **tutti** i servizi sociali.", Address: "Piazza Risorgimento 1",
				PostalCode: "00052", City: "Cerveteri", Phone: "06 8963 0201", Email: "servizisociali@comune.cerveteri.example.it",
				PEC: "protocollo@pec.comune.cerveteri.example.it", MainDesk: true, Hours: seedHours(),
				Exceptions: []catalog.Exception{{From: "2026-04-06", To: "2026-04-06", Closed: true, Reason: "Lunedì dell'Angelo"}}},
			{ID: idBranch, Slug: "sportello-cerenova", Name: "Sportello di Cerenova", Address: "Via Fontana Morella 12",
				PostalCode: "00052", City: "Cerveteri", Phone: "06 8963 0300",
				Hours: []catalog.Interval{{Weekday: 3, Opens: "09:00", Closes: "12:00"}}},
		},
		People: []catalog.Person{{ID: idPerson, Name: "Anna Bianchi", RoleTitle: "Responsabile del Servizio Sociale",
			Area: "Servizi sociali", Email: "a.bianchi@comune.cerveteri.example.it", Phone: "06 8963 0210", OfficeID: &idDesk}},
		Services: []catalog.Service{
			{ID: idSegr, Slug: "segretariato-sociale", Status: "attivo", CategoryCode: "ACC", MacroLevel: 1,
				Title: "Segretariato sociale", ShortDescription: "Informazione, orientamento e ascolto sui servizi sociali del territorio.",
				Audience: "Tutti i cittadini residenti.", Coverage: "comune", HowTo: "Presentati allo sportello negli orari di apertura.",
				NeededIntro: "Un documento di identità.", Obtained: "Informazioni e orientamento.", Timing: "Il colloquio si svolge il giorno stesso.",
				CostKind: "gratuito", ResponsibleUnit: "Servizio Sociale", Topics: []string{"Assistenza sociale", "Accesso all'informazione"},
				NationalCategory: "Salute, benessere e assistenza", Keywords: []string{"orientamento", "ascolto"},
				Position: 1, LastChangedVersion: 1, LastChangedAt: changed},
			{ID: idSAD, Slug: "assistenza-domiciliare-anziani", Status: "attivo", CategoryCode: "ELD", MacroLevel: 2,
				NomenclatorCode: "B1", Title: "Assistenza domiciliare per anziani",
				ShortDescription: "Aiuto a casa per le persone anziane non del tutto autosufficienti: igiene, pasti, commissioni.",
				Description:      "Il servizio di assistenza domiciliare (SAD) aiuta le persone anziane a restare a casa propria.",
				Audience:         "Persone con più di **65 anni**, residenti, non del tutto autosufficienti.", Coverage: "comune",
				HowTo:       "1. Prenota un colloquio con l'assistente sociale.\n2. Presenta la domanda con i documenti richiesti.",
				NeededIntro: "Per presentare la domanda servono:", NeededItems: []string{"attestazione ISEE in corso di validità", "certificato medico"},
				Obtained: "Un piano di assistenza personalizzato, con le ore settimanali di aiuto a domicilio.",
				Timing:   "La visita domiciliare si svolge entro 15 giorni dalla domanda.",
				Deadlines: []catalog.Deadline{{Label: "Scadenza domande del primo semestre", DueOn: "2026-03-31", Description: "per l'avvio ad aprile"},
					{Label: "Visita domiciliare", Description: "entro 15 giorni"}},
				CostKind: "isee", CostText: "Compartecipazione in base alla fascia ISEE.",
				OfficeID: &idDesk, BookingURL: "https://prenota.comune.cerveteri.example.it/sad", BookingText: "Puoi prenotare il colloquio anche online.",
				Constraints: "Il servizio non sostituisce l'assistenza sanitaria.", Conditions: "Le condizioni sono descritte nel regolamento.",
				Contacts: "Per informazioni: lunedì e mercoledì mattina.", ResponsibleUnit: "Servizio Sociale – Area anziani",
				ResponsiblePersonID: &idPerson, Providers: "Cooperativa sociale accreditata «Il Faro».",
				Topics: []string{"Assistenza sociale", "Assistenza agli invalidi"}, NationalCategory: "Salute, benessere e assistenza",
				Keywords: []string{"SAD", "badante", "domicilio"},
				Standards: []catalog.Standard{
					{ID: idStdFirst, Dimension: "tempestivita", Description: "Primo colloquio entro 7 giorni lavorativi dalla richiesta",
						Indicator: "Giorni tra richiesta e colloquio", Target: ptr(7.0), Unit: "giorni lavorativi"},
					{ID: idStdAccess, Dimension: "accessibilita", Description: "Sportello aperto almeno 20 ore a settimana",
						Indicator: "Ore di apertura settimanali", Target: ptr(20.0), Unit: "ore", HigherIsBetter: true},
				},
				Documents:          []catalog.Document{document(idDocSAD, "condizioni", "Regolamento del servizio", "regolamento-sad.pdf")},
				Position:           1,
				LastChangedVersion: 1, LastChangedAt: changed},
			{ID: idFamiglia, Slug: "consulenza-familiare", Status: "attivo", CategoryCode: "FAM", Title: "Consulenza familiare",
				ShortDescription: "Perché chiedere aiuto quando la famiglia attraversa un momento difficile: colloqui e mediazione.",
				Audience:         "Famiglie con figli minori.", Coverage: "comune", HowTo: "Telefona allo sportello.", NeededIntro: "Nessun documento.",
				Obtained: "Colloqui di sostegno.", Timing: "Primo colloquio entro due settimane.", CostKind: "gratuito",
				ResponsibleUnit: "Servizio Sociale – Area famiglie", Topics: []string{"Assistenza sociale"},
				NationalCategory: "Salute, benessere e assistenza", Keywords: []string{"perché", "mediazione"}, Position: 1,
				LastChangedVersion: 1, LastChangedAt: changed},
			{ID: idNido, Slug: "asilo-nido", Status: "sospeso", StatusReason: "lavori di ristrutturazione fino a settembre",
				CategoryCode: "FAM", Title: "Asilo nido comunale", ShortDescription: "Il nido per i bambini da 3 a 36 mesi.",
				Audience: "Bambini da 3 a 36 mesi.", Coverage: "comune", HowTo: "Iscrizione online.", NeededIntro: "ISEE del nucleo.",
				Obtained: "Un posto al nido.", Timing: "Graduatoria a giugno.", CostKind: "isee", OfficeID: &idBranch,
				DigitalURL: "https://istanze.comune.cerveteri.example.it/nido", DigitalLabel: "Iscriviti online",
				ResponsibleUnit: "Ufficio Scuola", Topics: []string{"Istruzione", "Nascita"}, NationalCategory: "Educazione e formazione",
				Keywords: []string{"nido"}, Position: 2, LastChangedVersion: 1, LastChangedAt: changed},
		},
		Sections:  sections(),
		Documents: []catalog.Document{document(idDocCarta, "carta", "La Carta dei Servizi Sociali (PDF)", "carta-dei-servizi.pdf")},
	}
}

// publish stores c as tn's next published version (number, date, note) the way a publication
// does: the snapshot, the publication state and the search index, in one tenant transaction.
func publish(t *testing.T, env *testenv.Env, tn *tenant.Tenant, c *catalog.Carta, at time.Time, note string) int {
	t.Helper()
	ctx := context.Background()
	var number int
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		cur, err := catalog.CurrentVersion(ctx, tx, tn.ID)
		if err != nil {
			return err
		}
		number = cur + 1
		first := at
		if cur > 0 {
			prev, err := catalog.LoadPublished(ctx, tx, tn.ID, cur)
			if err != nil {
				return err
			}
			first = prev.FirstPublishedAt
		}
		cp := *c
		cp.Format = catalog.SnapshotFormat
		cp.Tenant = catalog.TenantRef{ID: tn.ID, Slug: tn.Slug, Name: tn.Name, Kind: string(tn.Kind)}
		cp.Version, cp.PublishedAt, cp.FirstPublishedAt, cp.Note = number, at, first, note
		snap, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		if _, err := tx.Raw.Exec(ctx, `INSERT INTO carta_versions (tenant_id, number, published_at, publisher_label, note, snapshot)
			VALUES ($1, $2, $3, 'Test', $4, $5)`, tn.ID, number, at, note, snap); err != nil {
			return err
		}
		if _, err := tx.Raw.Exec(ctx, `INSERT INTO carta_state (tenant_id, published_version, first_published_at, last_published_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE
			SET published_version = excluded.published_version, last_published_at = excluded.last_published_at`,
			tn.ID, number, first, at); err != nil {
			return err
		}
		if _, err := tx.Raw.Exec(ctx, `DELETE FROM service_search WHERE tenant_id = $1`, tn.ID); err != nil {
			return err
		}
		for _, s := range cp.Services {
			kw := strings.Join(s.Keywords, " ")
			body := s.ShortDescription + " " + catalog.PlainText(s.Audience) + " " + catalog.PlainText(s.Description)
			if _, err := tx.Raw.Exec(ctx, `INSERT INTO service_search (tenant_id, service_id, version, slug, title, summary, category_code, document, plain)
				VALUES ($1, $2, $3, $4, $5, $6, $7,
				  setweight(to_tsvector('carta_it', $5), 'A') || setweight(to_tsvector('carta_it', $8), 'B') || setweight(to_tsvector('carta_it', $9), 'C'),
				  lower(unaccent($5 || ' ' || $8)))`,
				tn.ID, s.ID, number, s.Slug, s.Title, s.ShortDescription, s.CategoryCode, kw, body); err != nil {
				return err
			}
		}
		return nil
	}))
	return number
}

// storeDocument puts a file's bytes in the tenant's documents table, as staff uploading it do.
func storeDocument(t *testing.T, env *testenv.Env, tn *tenant.Tenant, d catalog.Document, data []byte) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		_, err := tx.Raw.Exec(ctx, `INSERT INTO documents (tenant_id, id, kind, title, filename, content_type, size_bytes, sha256, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (tenant_id, id) DO UPDATE SET sha256 = excluded.sha256, data = excluded.data, size_bytes = excluded.size_bytes`,
			tn.ID, d.ID, d.Kind, d.Title, d.Filename, d.ContentType, len(data), shaHex(data), data)
		return err
	}))
}
