package audit_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/audit"
)

func TestChangesListsWhatDiffers(t *testing.T) {
	t.Parallel()
	got := audit.Changes(
		map[string]string{"Titolo": "Assistenza", "Descrizione breve": "Aiuto a casa", "Costo": "Gratuito"},
		map[string]string{"Titolo": "Assistenza domiciliare", "Descrizione breve": "Aiuto a casa", "Vincoli": "Nessuno"})
	require.Equal(t, []audit.Change{
		{Field: "Titolo", Before: "Assistenza", After: "Assistenza domiciliare"},
		{Field: "Costo", Before: "Gratuito"},
		{Field: "Vincoli", After: "Nessuno"},
	}, got, "changed fields only, in the form's order")

	require.Empty(t, audit.Changes(map[string]string{"Nome": "x "}, map[string]string{"Nome": "x"}))
	require.Equal(t, []audit.Change{{Field: "Nome", After: "Ufficio"}}, audit.Changes(nil, map[string]string{"Nome": "Ufficio", "Note": ""}))
	require.Equal(t, []audit.Change{{Field: "Nome", Before: "Ufficio"}}, audit.Changes(map[string]string{"Nome": "Ufficio"}, nil))
}

func TestChangesNeverRecordSecrets(t *testing.T) {
	t.Parallel()
	got := audit.Changes(nil, map[string]string{"Password": "hunter2", "Token di invito": "abc", "password_hash": "x",
		"Codice segreto": "k", "Email": "a@example.it"})
	require.Equal(t, []audit.Change{{Field: "Email", After: "a@example.it"}}, got)
}

func TestChangesTruncateLongValues(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("è", audit.MaxValue+50)
	got := audit.Changes(nil, map[string]string{"Cos'è": long})
	require.Len(t, got, 1)
	require.Equal(t, audit.MaxValue, len([]rune(got[0].After)), "cut by characters, not bytes")
	require.True(t, strings.HasSuffix(got[0].After, "…"))
}

type office struct {
	ID   uuid.UUID
	Name string
}

type svc struct {
	Title        string     `json:"title"`
	Status       string     `json:"status"`
	Keywords     []string   `json:"keywords"`
	OfficeID     *uuid.UUID `json:"office_id,omitempty"`
	Password     string     `json:"password"`
	Position     int        `json:"position"`
	ResetToken   string     `json:"reset_token"`
	Deadlines    []deadline `json:"deadlines"`
	Undocumented string     `json:"undocumented"`
	Category     string     `json:"category_code"`
}

type category struct {
	ID   uuid.UUID
	Code string
	Name string
}

type deadline struct {
	Label string `json:"label"`
	DueOn string `json:"due_on"`
}

func TestSnapshotTakesOnlyNamedFieldsInItalian(t *testing.T) {
	t.Parallel()
	o1, o2 := uuid.New(), uuid.New()
	offices := []office{{o1, "Segretariato sociale"}, {o2, "Sportello unico"}}
	before := svc{Title: "Assistenza", Status: "attivo", Keywords: []string{"anziani"}, OfficeID: &o1,
		Password: "segreta", ResetToken: "tok", Position: 1, Undocumented: "x"}
	after := before
	after.Status, after.Keywords, after.OfficeID, after.Password, after.Position = "sospeso", []string{"anziani", "casa"}, &o2, "altra", 2
	after.Deadlines = []deadline{{"Domande", "2026-03-31"}}

	snap := audit.Snapshot("service", svc{Category: "ELD"}, []category{{uuid.New(), "ELD", "Anziani"}})
	require.Equal(t, "Anziani", snap["Area di utenza"], "a code by the name of what it names")
	require.Equal(t, "ELD", audit.Snapshot("service", svc{Category: "ELD"})["Area di utenza"])

	snap = audit.Snapshot("service", before, offices)
	require.Equal(t, "Attivo", snap["Stato"], "a code by its Italian name")
	require.Equal(t, "Segretariato sociale", snap["Ufficio a cui rivolgersi"], "an id by the name of what it points to")
	for _, v := range snap {
		require.NotContains(t, v, "segreta")
		require.NotContains(t, v, "tok")
	}
	require.NotContains(t, snap, "password")
	require.NotContains(t, snap, "Undocumented")

	got := audit.Updated("service", before, after, offices)
	require.Equal(t, []audit.Change{
		{Field: "Stato", Before: "Attivo", After: "Sospeso"},
		{Field: "Scadenze e fasi", After: "Domande, 2026-03-31"},
		{Field: "Ufficio a cui rivolgersi", Before: "Segretariato sociale", After: "Sportello unico"},
		{Field: "Parole chiave", Before: "anziani", After: "anziani; casa"},
	}, got)

	// An id nobody can name is left out rather than shown raw.
	require.Empty(t, audit.Snapshot("service", svc{OfficeID: &o1})["Ufficio a cui rivolgersi"])

	// A create lists the main fields only; form values work like structs.
	created := audit.Created("service", map[string]string{"title": "Assistenza", "audience": "Anziani", "_csrf": "x"})
	require.Equal(t, []audit.Change{{Field: "Titolo", After: "Assistenza"}}, created)
	require.Equal(t, []audit.Change{{Field: "Titolo", Before: "Principi"}, {Field: "Testo", Before: "Testo."}},
		audit.Deleted("section", map[string]string{"title": "Principi", "body": "Testo."}), "a kind without main fields records them all")
}

func TestJoin(t *testing.T) {
	t.Parallel()
	require.Equal(t, "A, B", audit.Join([]string{"a", "b"}, strings.ToUpper))
	require.Empty(t, audit.Join(nil, strings.ToUpper))
}

func TestQueryParse(t *testing.T) {
	t.Parallel()
	u := uuid.New()
	f, errs := audit.Query{User: u.String(), Action: "gruppo:servizi", From: "1/3/2026", To: "2026-03-31", Before: "40"}.Parse()
	require.Empty(t, errs)
	require.Equal(t, u, *f.ActorID)
	require.Contains(t, f.Actions, "catalog.service.update")
	require.Equal(t, "2026-03-01T00:00:00+01:00", f.Since.Format("2006-01-02T15:04:05Z07:00"))
	require.Equal(t, "2026-04-01T00:00:00+02:00", f.Until.Format("2006-01-02T15:04:05Z07:00"), "the last day included, in Italian time")
	require.Equal(t, int64(40), f.Before)

	f, errs = audit.Query{User: "sistema:cli"}.Parse()
	require.Empty(t, errs)
	require.Equal(t, "cli", f.ActorLabel)

	_, errs = audit.Query{User: "nessuno", Action: "x.y", From: "31/02/2026", To: "domani"}.Parse()
	require.Equal(t, map[string]string{
		audit.ParamUser:   "Scegli un utente dall'elenco.",
		audit.ParamAction: "Scegli un'azione dall'elenco.",
		audit.ParamFrom:   "La data «dal» non è valida: scrivila come gg/mm/aaaa, per esempio 1/3/2026.",
		audit.ParamTo:     "La data «al» non è valida: scrivila come gg/mm/aaaa, per esempio 31/3/2026.",
	}, errs)

	_, errs = audit.Query{From: "2026-03-10", To: "2026-03-01"}.Parse()
	require.Contains(t, errs[audit.ParamTo], "viene prima")
	_, errs = audit.Query{Before: "abc"}.Parse()
	require.NotEmpty(t, errs[audit.ParamBefore])
}

func TestSystemLabels(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Sistema (operazione automatica)", audit.SystemLabel("system"))
	require.Equal(t, "Riga di comando", audit.SystemLabel("cli"))
	require.Equal(t, "Riga di comando («carta user create»)", audit.SystemLabel("cli:user create"))
	require.Equal(t, "Pubblicazione programmata (automatica)", audit.SystemLabel("pubblicazione programmata"))
}
