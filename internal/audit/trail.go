package audit

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// Actor is who acted, as the trail shows it.
type Actor struct {
	Name   string // "Maria Rossi", or the Italian name of a non-human actor
	Email  string // a staff member's, empty for a non-human actor
	System bool   // the CLI, a scheduled job, the system
	Value  string // in the filter's URL
}

// Label is how the filter's list names the actor.
func (a Actor) Label() string {
	if a.Email != "" && a.Email != a.Name {
		return a.Name + " (" + a.Email + ")"
	}
	return a.Name
}

const systemPrefix = "sistema:"

func staffActor(id *uuid.UUID, label, name, email string) Actor {
	if id == nil {
		return Actor{Name: SystemLabel(label), System: true, Value: systemPrefix + label}
	}
	if email == "" {
		email = label
	}
	if name == "" {
		name = email
	}
	return Actor{Name: name, Email: email, Value: id.String()}
}

// SystemLabel is the Italian name of a non-human actor label.
func SystemLabel(label string) string {
	switch {
	case label == "" || label == "system":
		return "Sistema (operazione automatica)"
	case label == "cli":
		return "Riga di comando"
	case strings.HasPrefix(label, "cli:"):
		return "Riga di comando («carta " + strings.TrimPrefix(label, "cli:") + "»)"
	case label == "pubblicazione programmata":
		return "Pubblicazione programmata (automatica)"
	case label == "scale-seed":
		return "Caricamento di dati di prova"
	}
	return "Procedura automatica («" + label + "»)"
}

// Row is one entry as the trail shows it: in Italian, the object by name.
type Row struct {
	ID      int64
	At      time.Time
	Actor   Actor
	Action  string // the Italian name of the action
	Code    string // the action's code, only when it has no Italian name
	Kind    string // the kind of object, "Servizio"
	Name    string // the object's name, when known
	URL     string // its staff page, while it exists
	Changes []Change
	// Snapshot tells that Changes are the object's fields when created or deleted, rather
	// than values before → after.
	Snapshot bool
	IP       string
}

// Page is a page of the trail.
type Page struct {
	Rows       []Row
	NextBefore int64 // the cursor of the next (older) page, 0 when there is none
}

// Trail returns up to limit entries of tx's tenant that f selects, ready to show: actions and
// kinds in Italian, objects by name with a link to those that still exist.
func Trail(ctx context.Context, tx *tenant.Tx, f Filter, limit int) (Page, error) {
	items, err := Search(ctx, tx, f, int32(limit+1))
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(items) > limit {
		items = items[:limit]
		p.NextBefore = items[len(items)-1].ID
	}
	alive, err := liveObjects(ctx, tx, items)
	if err != nil {
		return Page{}, err
	}
	for i := range items {
		it := &items[i]
		l := alive[it.ObjectType+"/"+it.ObjectID]
		r := Row{ID: it.ID, At: it.At, Actor: staffActor(it.ActorID, it.Actor, it.ActorName, it.ActorEmail),
			Kind: KindLabel(it.ObjectType), Name: objectName(it, l), URL: objectURL(it, l),
			Changes: it.Changes, Snapshot: snapshotAction(it.Action), IP: it.IP}
		if it.ObjectType == "tenant" && it.ObjectID == tx.TenantID.String() {
			r.Kind = "" // the ente itself: its name heads the page
			if strings.HasPrefix(it.Action, "profile.") {
				r.Kind = "Profilo dell'ente"
			}
		}
		var ok bool
		if r.Action, ok = ActionLabel(it.Action); !ok {
			r.Action, r.Code = "Altra attività", it.Action
		}
		p.Rows = append(p.Rows, r)
	}
	return p, nil
}

// snapshotAction tells the actions that record an object's fields as they were created,
// deleted or sent, rather than what changed.
func snapshotAction(code string) bool {
	i := strings.LastIndexByte(code, '.')
	switch code[i+1:] {
	case "create", "delete", "upload", "remove", "invite", "publish", "schedule", "import", "hide":
		return true
	}
	return false
}

// liveObjects finds which objects of items still exist, keyed by "kind/id".
func liveObjects(ctx context.Context, tx *tenant.Tx, items []Item) (map[string]*live, error) {
	var ids []uuid.UUID
	for _, it := range items {
		if !liveKinds[it.ObjectType] {
			continue
		}
		if id, err := uuid.Parse(it.ObjectID); err == nil {
			ids = append(ids, id)
		}
	}
	out := map[string]*live{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.AuditObjectsLive(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ObjectType+"/"+r.ObjectID] = &live{name: r.Name, parent: r.ParentID}
	}
	return out, nil
}

// Actors lists everyone who appears in tx's tenant trail, for the filter: staff members by
// name, then non-human actors.
func Actors(ctx context.Context, tx *tenant.Tx) ([]Actor, error) {
	rows, err := tx.AuditActors(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Actor, 0, len(rows))
	for _, r := range rows {
		out = append(out, staffActor(r.ActorID, r.ActorLabel, r.ActorName, r.ActorEmail))
	}
	return out, nil
}

// Query is the trail's filter as typed in its form (or found in a link): who, which action
// or group of actions, from and to which day, and the page cursor.
type Query struct {
	User, Action, From, To string
	Before                 string
}

// Query parameter names, in Italian as the rest of the staff area's URLs.
const (
	ParamUser   = "utente"
	ParamAction = "azione"
	ParamFrom   = "dal"
	ParamTo     = "al"
	ParamBefore = "before"
)

// QueryFrom reads the filter from get (a URL query's values).
func QueryFrom(get func(string) string) Query {
	v := func(k string) string { return strings.TrimSpace(get(k)) }
	return Query{User: v(ParamUser), Action: v(ParamAction), From: v(ParamFrom), To: v(ParamTo), Before: v(ParamBefore)}
}

// Parse turns q into a Filter, or returns Italian messages by field (ParamUser, ParamFrom…)
// for what it cannot read. Days are calendar days in Italy; "al" includes its day.
func (q Query) Parse() (Filter, map[string]string) {
	var f Filter
	errs := map[string]string{}
	switch {
	case q.User == "":
	case strings.HasPrefix(q.User, systemPrefix):
		f.ActorLabel = strings.TrimPrefix(q.User, systemPrefix)
	default:
		id, err := uuid.Parse(q.User)
		if err != nil {
			errs[ParamUser] = "Scegli un utente dall'elenco."
		} else {
			f.ActorID = &id
		}
	}
	if q.Action != "" {
		codes, ok := ActionsFor(q.Action)
		if !ok {
			errs[ParamAction] = "Scegli un'azione dall'elenco."
		}
		f.Actions = codes
	}
	from, okFrom := parseDay(q.From)
	to, okTo := parseDay(q.To)
	if !okFrom {
		errs[ParamFrom] = "La data «dal» non è valida: scrivila come gg/mm/aaaa, per esempio 1/3/2026."
	}
	if !okTo {
		errs[ParamTo] = "La data «al» non è valida: scrivila come gg/mm/aaaa, per esempio 31/3/2026."
	}
	if from != nil {
		f.Since = from
	}
	if to != nil {
		end := to.AddDate(0, 0, 1)
		f.Until = &end
		if from != nil && to.Before(*from) {
			errs[ParamTo] = "La data «al» viene prima della data «dal»: scegli un giorno uguale o successivo."
		}
	}
	if q.Before != "" {
		n, err := strconv.ParseInt(q.Before, 10, 64)
		if err != nil || n <= 0 {
			errs[ParamBefore] = "Il parametro «before» non è valido."
		}
		f.Before = n
	}
	if len(errs) > 0 {
		return Filter{}, errs
	}
	return f, nil
}

// parseDay reads a day as the date field sends it (2026-03-01) or as people write it
// (1/3/2026, 01/03/2026, 1.3.2026); empty is no day and fine.
func parseDay(s string) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	for _, layout := range []string{"2006-01-02", "2/1/2006", "2.1.2006", "2-1-2006"} {
		if t, err := time.ParseInLocation(layout, s, itlang.Rome); err == nil {
			if t.Year() < 2000 || t.Year() > 2999 {
				return nil, false
			}
			return &t, true
		}
	}
	return nil, false
}

// Filtered tells whether q selects anything less than the whole trail.
func (q Query) Filtered() bool { return q.User != "" || q.Action != "" || q.From != "" || q.To != "" }

// Values are q's filter (not its cursor) as URL query values, for the links between pages.
func (q Query) Values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{ParamUser: q.User, ParamAction: q.Action, ParamFrom: q.From, ParamTo: q.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// LastLogins returns when each of users last logged in on the host of the tenant of tx, as
// its trail recorded it: a tenant learns nothing of their logins elsewhere.
func LastLogins(ctx context.Context, tx *tenant.Tx, users []uuid.UUID) (map[uuid.UUID]time.Time, error) {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.String()
	}
	rows, err := tx.AuditLastLogins(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]time.Time, len(rows))
	for _, r := range rows {
		out[r.UserID] = r.At
	}
	return out, nil
}
