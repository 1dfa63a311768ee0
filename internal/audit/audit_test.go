package audit_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// staff creates a staff account and returns it as the principal of a request.
func staff(t *testing.T, env *testenv.Env, name string) *principal.Staff {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "-" + uuid.NewString()[:8] + "@example.it"
	var id uuid.UUID
	require.NoError(t, env.Admin.QueryRow(context.Background(),
		"INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id", email, name).Scan(&id))
	return &principal.Staff{UserID: id, Email: email, Name: name}
}

// record writes e in tn as who (nil: the actor label of ctx) and returns its id.
func record(t *testing.T, env *testenv.Env, ctx context.Context, tn *tenant.Tenant, who *principal.Staff, e audit.Entry) int64 {
	t.Helper()
	if who != nil {
		ctx = principal.WithStaff(ctx, who)
	}
	var id int64
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		if err := audit.Record(ctx, tx, e); err != nil {
			return err
		}
		return tx.Raw.QueryRow(ctx, "SELECT max(id) FROM audit_log WHERE tenant_id = app_tenant()").Scan(&id)
	}))
	return id
}

// backdate moves an entry in time, as the owner: the runtime role may not change the trail.
func backdate(t *testing.T, env *testenv.Env, tn *tenant.Tenant, id int64, at time.Time) {
	t.Helper()
	_, err := env.Admin.Exec(context.Background(), "UPDATE audit_log SET at = $3 WHERE tenant_id = $1 AND id = $2", tn.ID, id, at)
	require.NoError(t, err)
}

func search(t *testing.T, env *testenv.Env, tn *tenant.Tenant, f audit.Filter) []audit.Item {
	t.Helper()
	ctx := context.Background()
	var items []audit.Item
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		var err error
		items, err = audit.Search(ctx, tx, f, 100)
		return err
	}))
	return items
}

func trail(t *testing.T, env *testenv.Env, tn *tenant.Tenant, f audit.Filter, limit int) audit.Page {
	t.Helper()
	ctx := context.Background()
	var p audit.Page
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
		var err error
		p, err = audit.Trail(ctx, tx, f, limit)
		return err
	}))
	return p
}

func actions(items []audit.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Action
	}
	return out
}

func TestRecordKeepsTheObjectsNameAndChanges(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	tn := env.NewTenant(t, tenant.KindComune)
	maria := staff(t, env, "Maria Rossi")
	record(t, env, context.Background(), tn, maria, audit.Entry{
		Action: "catalog.service.update", ObjectType: "service", ObjectID: uuid.NewString(),
		ObjectName: "Assistenza domiciliare" + strings.Repeat(" e altro", 60),
		Changes: []audit.Change{
			{Field: "Titolo", Before: "Assistenza", After: "Assistenza domiciliare"},
			{Field: "Password", Before: "vecchia", After: "nuova"}, // a careless caller
		},
		Details: map[string]any{"slug": "assistenza"},
	})
	// A login: the object is the actor, named by their e-mail without the caller saying so.
	record(t, env, context.Background(), tn, maria, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: maria.UserID.String()})

	items := search(t, env, tn, audit.Filter{})
	require.Len(t, items, 2)
	login, upd := items[0], items[1]
	require.Equal(t, maria.Email, login.ObjectName)
	require.Equal(t, []audit.Change{{Field: "Titolo", Before: "Assistenza", After: "Assistenza domiciliare"}}, upd.Changes,
		"a secret never reaches the trail")
	require.True(t, strings.HasPrefix(upd.ObjectName, "Assistenza domiciliare e altro"))
	require.Len(t, []rune(upd.ObjectName), audit.MaxObjectName)
	require.Equal(t, "assistenza", upd.Details["slug"])
	require.Equal(t, maria.Email, upd.Actor)
	require.Equal(t, "Maria Rossi", upd.ActorName)
}

func TestSearchFiltersByActorActionAndDay(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	tn := env.NewTenant(t, tenant.KindComune)
	maria, luca := staff(t, env, "Maria Rossi"), staff(t, env, "Luca Bianchi")
	cli := audit.WithActorLabel(context.Background(), "cli")
	rome := func(s string) time.Time {
		tt, err := time.ParseInLocation("2006-01-02 15:04", s, itlang.Rome)
		require.NoError(t, err)
		return tt
	}
	ids := map[string]int64{}
	for _, e := range []struct {
		key    string
		who    *principal.Staff
		action string
		at     string
	}{
		{"maria-service", maria, "catalog.service.update", "2026-02-28 23:30"},
		{"maria-person", maria, "catalog.person.create", "2026-03-01 00:10"},
		{"luca-service", luca, "catalog.service.create", "2026-03-15 12:00"},
		{"luca-roles", luca, "user.roles", "2026-03-31 23:59"},
		{"cli-publish", nil, "carta.publish", "2026-04-01 00:00"},
	} {
		ctx := context.Background()
		if e.who == nil {
			ctx = cli
		}
		ids[e.key] = record(t, env, ctx, tn, e.who, audit.Entry{Action: e.action, ObjectType: "service", ObjectID: uuid.NewString()})
		backdate(t, env, tn, ids[e.key], rome(e.at))
	}
	parse := func(q audit.Query) audit.Filter {
		f, errs := q.Parse()
		require.Empty(t, errs)
		return f
	}

	require.Equal(t, []string{"catalog.person.create", "catalog.service.update"},
		actions(search(t, env, tn, parse(audit.Query{User: maria.UserID.String()}))))
	require.Equal(t, []string{"carta.publish"}, actions(search(t, env, tn, parse(audit.Query{User: "sistema:cli"}))))
	require.Empty(t, search(t, env, tn, parse(audit.Query{User: "sistema:system"})))
	require.Equal(t, []string{"catalog.service.create", "catalog.service.update"},
		actions(search(t, env, tn, parse(audit.Query{Action: "gruppo:servizi"}))))
	require.Equal(t, []string{"user.roles"}, actions(search(t, env, tn, parse(audit.Query{Action: "user.roles"}))))
	// March 2026 in Italy: not the evening of 28 February, not midnight of 1 April.
	require.Equal(t, []string{"user.roles", "catalog.service.create", "catalog.person.create"},
		actions(search(t, env, tn, parse(audit.Query{From: "1/3/2026", To: "31/3/2026"}))))
	require.Equal(t, []string{"carta.publish"}, actions(search(t, env, tn, parse(audit.Query{From: "2026-04-01"}))))
	require.Equal(t, []string{"catalog.service.update"}, actions(search(t, env, tn, parse(audit.Query{To: "28/2/2026"}))))
	// Everything together, and the page cursor still applies.
	require.Equal(t, []string{"catalog.service.create"}, actions(search(t, env, tn,
		parse(audit.Query{User: luca.UserID.String(), Action: "gruppo:servizi", From: "1/3/2026", To: "31/3/2026"}))))
	f := parse(audit.Query{Action: "gruppo:servizi"})
	f.Before = ids["luca-service"]
	require.Equal(t, []string{"catalog.service.update"}, actions(search(t, env, tn, f)))

	// The filter's list of people: each staff member once, then the command line.
	ctx := context.Background()
	var list []audit.Actor
	require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) (err error) {
		list, err = audit.Actors(ctx, tx)
		return err
	}))
	require.Equal(t, []audit.Actor{
		{Name: "Luca Bianchi", Email: luca.Email, Value: luca.UserID.String()},
		{Name: "Maria Rossi", Email: maria.Email, Value: maria.UserID.String()},
		{Name: "Riga di comando", System: true, Value: "sistema:cli"},
	}, list)
}

func TestTrailNamesAndLinksObjects(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	tn := env.NewTenant(t, tenant.KindComune)
	maria := staff(t, env, "Maria Rossi")
	ctx := context.Background()
	var live, gone uuid.UUID
	require.NoError(t, env.Admin.QueryRow(ctx,
		"INSERT INTO services (tenant_id, slug, title) VALUES ($1, 'assistenza', 'Assistenza domiciliare') RETURNING id", tn.ID).Scan(&live))
	gone = uuid.New()
	_, err := env.Admin.Exec(ctx, "INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES ('g', $1, 'redattore', $2)",
		access.Subject(maria.UserID), tn.ID.String())
	require.NoError(t, err)

	record(t, env, ctx, tn, maria, audit.Entry{Action: "catalog.service.delete", ObjectType: "service", ObjectID: gone.String(),
		ObjectName: "Trasporto sociale", Changes: []audit.Change{{Field: "Titolo", Before: "Trasporto sociale"}}})
	// Recorded before entries had names: the service's current title stands in.
	record(t, env, ctx, tn, maria, audit.Entry{Action: "catalog.service.update", ObjectType: "service", ObjectID: live.String()})
	record(t, env, ctx, tn, maria, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: maria.UserID.String()})
	record(t, env, ctx, tn, maria, audit.Entry{Action: "profile.update", ObjectType: "tenant", ObjectID: tn.ID.String(), ObjectName: tn.Name})
	record(t, env, audit.WithActorLabel(ctx, "pubblicazione programmata"), tn, nil,
		audit.Entry{Action: "carta.publish", ObjectType: "carta", ObjectID: "3"})
	record(t, env, ctx, tn, maria, audit.Entry{Action: "something.new", ObjectType: "gadget", ObjectID: uuid.NewString()})

	p := trail(t, env, tn, audit.Filter{}, 10)
	require.Len(t, p.Rows, 6)
	require.Zero(t, p.NextBefore)
	unknown, publish, profile, login, update, deleted := p.Rows[0], p.Rows[1], p.Rows[2], p.Rows[3], p.Rows[4], p.Rows[5]

	require.Equal(t, "Servizio eliminato", deleted.Action)
	require.Equal(t, "Servizio", deleted.Kind)
	require.Equal(t, "Trasporto sociale", deleted.Name)
	require.Empty(t, deleted.URL, "no link to what no longer exists")
	require.True(t, deleted.Snapshot)
	require.Equal(t, audit.Actor{Name: "Maria Rossi", Email: maria.Email, Value: maria.UserID.String()}, deleted.Actor)

	require.Equal(t, "Servizio modificato", update.Action)
	require.Equal(t, "Assistenza domiciliare", update.Name)
	require.Equal(t, "/admin/carta/servizi/"+live.String(), update.URL)
	require.False(t, update.Snapshot)

	require.Equal(t, "Accesso all'area riservata", login.Action)
	require.Equal(t, maria.Email, login.Name)
	require.Equal(t, "/admin/utenti/"+maria.UserID.String(), login.URL)

	require.Equal(t, "Profilo dell'ente aggiornato", profile.Action)
	require.Equal(t, "Profilo dell'ente", profile.Kind)
	require.Equal(t, "/admin/ente", profile.URL)

	require.Equal(t, "Carta pubblicata", publish.Action)
	require.Equal(t, "Versione 3", publish.Name)
	require.Equal(t, "/admin/carta/versioni/3", publish.URL)
	require.Equal(t, audit.Actor{Name: "Pubblicazione programmata (automatica)", System: true, Value: "sistema:pubblicazione programmata"}, publish.Actor)

	require.Equal(t, "Altra attività", unknown.Action)
	require.Equal(t, "something.new", unknown.Code)
	require.Empty(t, unknown.Name, "a bare id is not a name")

	// Pages: the cursor points past the last row shown.
	p = trail(t, env, tn, audit.Filter{}, 4)
	require.Len(t, p.Rows, 4)
	require.Equal(t, p.Rows[3].ID, p.NextBefore)
	p = trail(t, env, tn, audit.Filter{Before: p.NextBefore}, 4)
	require.Len(t, p.Rows, 2)
	require.Zero(t, p.NextBefore)
}

func TestATenantNeverSeesAnothersTrail(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx := context.Background()
	ambito := env.NewTenant(t, tenant.KindAmbito)
	comune := env.Join(t, env.NewTenant(t, tenant.KindComune), ambito, false)
	other := env.NewTenant(t, tenant.KindComune)
	maria := staff(t, env, "Maria Rossi")
	var svc uuid.UUID
	require.NoError(t, env.Admin.QueryRow(ctx,
		"INSERT INTO services (tenant_id, slug, title) VALUES ($1, 'segreto', 'Servizio del comune') RETURNING id", comune.ID).Scan(&svc))
	record(t, env, ctx, comune, maria, audit.Entry{Action: "catalog.service.update", ObjectType: "service",
		ObjectID: svc.String(), ObjectName: "Servizio del comune"})
	require.Len(t, search(t, env, comune, audit.Filter{}), 1)

	// Neither another comune nor the comune's own ambito (which may read the comune's
	// services) sees the entry, its actor or the object's name.
	for _, tn := range []*tenant.Tenant{other, ambito} {
		require.Empty(t, search(t, env, tn, audit.Filter{}), tn.Name)
		require.Empty(t, search(t, env, tn, audit.Filter{ActorID: &maria.UserID}), tn.Name)
		require.NoError(t, env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			list, err := audit.Actors(ctx, tx)
			require.NoError(t, err)
			require.Empty(t, list)
			live, err := tx.AuditObjectsLive(ctx, []uuid.UUID{svc})
			require.NoError(t, err)
			require.Empty(t, live, "the trail names no object of another tenant")
			return nil
		}))
	}
	// An entry written for another tenant is refused.
	err := env.DB.InTx(ctx, other.ID, func(tx *tenant.Tx) error {
		_, err := tx.Raw.Exec(ctx, "INSERT INTO audit_log (tenant_id, actor_label, action) VALUES ($1, 'x', 'x')", comune.ID)
		return err
	})
	require.Error(t, err)
}

func TestRoleGrantFromTheCommandLineNamesUserAndRoles(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	tn := env.NewTenant(t, tenant.KindComune)
	anna := staff(t, env, "Anna Verdi")
	ctx := audit.WithActorLabel(context.Background(), "cli:user grant")
	enf, err := access.New(ctx, access.Deps{DB: env.DB, Redis: env.Redis, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	t.Cleanup(enf.Close)
	require.NoError(t, enf.GrantByEmail(ctx, anna.Email, tn.Slug, access.RoleRedattore))
	require.NoError(t, enf.GrantByEmail(ctx, anna.Email, tn.Slug, access.RoleResponsabile))

	p := trail(t, env, tn, audit.Filter{}, 10)
	require.Len(t, p.Rows, 2)
	second, first := p.Rows[0], p.Rows[1]
	require.Equal(t, "Ruolo assegnato", first.Action)
	require.Equal(t, anna.Email, first.Name)
	require.Equal(t, "/admin/utenti/"+anna.UserID.String(), first.URL)
	require.Equal(t, []audit.Change{{Field: "Ruoli", After: "Redattore"}}, first.Changes)
	require.Equal(t, []audit.Change{{Field: "Ruoli", Before: "Redattore", After: "Redattore, " + access.RoleLabel(access.RoleResponsabile)}}, second.Changes)
	require.Equal(t, audit.Actor{Name: "Riga di comando («carta user grant»)", System: true, Value: "sistema:cli:user grant"}, first.Actor)
}
