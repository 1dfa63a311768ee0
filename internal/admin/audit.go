package admin

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/web"
)

// AuditPageSize is how many entries the trail shows at a time.
const AuditPageSize = 50

// actionLabels names the recorded actions in Italian; unknown ones are shown as recorded.
var actionLabels = map[string]string{
	"profile.update":        "Profilo dell'ente aggiornato",
	"profile.logo.update":   "Logo caricato",
	"profile.logo.remove":   "Logo rimosso",
	"tenant.create":         "Ente creato",
	"tenant.status":         "Stato dell'ente cambiato",
	"user.invite":           "Utente invitato",
	"user.create":           "Utente creato",
	"user.update":           "Utente modificato",
	"user.disable":          "Utente disattivato",
	"user.enable":           "Utente riattivato",
	"user.roles":            "Ruoli modificati",
	"user.role.grant":       "Ruolo assegnato",
	"user.role.revoke":      "Ruolo revocato",
	"auth.login":            "Accesso all'area riservata",
	"auth.logout":           "Uscita dall'area riservata",
	"auth.password.reset":   "Password reimpostata",
	"auth.password.change":  "Password cambiata",
	"carta.publish":         "Carta pubblicata",
	"carta.schedule":        "Pubblicazione programmata",
	"carta.schedule.cancel": "Pubblicazione programmata annullata",
	"carta.import":          "Servizi importati da foglio di calcolo",
	"service.create":        "Servizio creato",
	"service.update":        "Servizio modificato",
	"service.delete":        "Servizio eliminato",
	"office.create":         "Ufficio creato",
	"office.update":         "Ufficio modificato",
	"office.delete":         "Ufficio eliminato",
	"person.create":         "Responsabile aggiunto",
	"person.update":         "Responsabile modificato",
	"person.delete":         "Responsabile eliminato",
	"document.upload":       "Documento caricato",
	"document.remove":       "Documento rimosso",
	"section.update":        "Parte generale modificata",
	"ambito.service.hide":   "Servizio dell'ambito nascosto",
	"ambito.service.show":   "Servizio dell'ambito mostrato di nuovo",
}

// ActionLabel is the Italian name of a recorded action.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

var objectLabels = map[string]string{
	"tenant": "Ente", "user": "Utente", "profile": "Profilo", "service": "Servizio",
	"complaint": "Reclamo", "carta": "Carta", "carta_schedule": "Pubblicazione programmata",
	"office": "Ufficio", "person": "Responsabile", "document": "Documento", "section": "Sezione",
	"category": "Categoria",
}

// AuditRow is one line of the trail as shown.
type AuditRow struct {
	At     time.Time
	Actor  string
	Action string
	Object string
	IP     string
}

type auditPage struct {
	web.Page
	Rows       []AuditRow
	NextBefore int64 // 0 when there is nothing older
	Older      bool  // this is not the newest page
}

func (h *handlers) auditList(c *fiber.Ctx) error {
	t, err := requireTenant(c)
	if err != nil {
		return err
	}
	var before *int64
	if s := c.Query("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return apperr.New(apperr.Invalid, "Il parametro «before» non è valido.")
		}
		before = &n
	}
	ctx := c.UserContext()
	var items []audit.Item
	err = h.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		items, err = audit.List(ctx, tx, AuditPageSize+1, before)
		return err
	})
	if err != nil {
		return err
	}
	vm := &auditPage{Page: h.page(c, "Registro attività", web.Crumb{Label: "Registro attività"}), Older: before != nil}
	if len(items) > AuditPageSize {
		items = items[:AuditPageSize]
		vm.NextBefore = items[len(items)-1].ID
	}
	for _, it := range items {
		obj := it.ObjectType
		if l, ok := objectLabels[obj]; ok {
			obj = l
		}
		if it.ObjectID != "" && it.ObjectID != t.ID.String() {
			obj += " " + it.ObjectID
		}
		vm.Rows = append(vm.Rows, AuditRow{At: it.At, Actor: it.Actor, Action: ActionLabel(it.Action), Object: obj, IP: it.IP})
	}
	return h.Render.Render(c, fiber.StatusOK, "admin/audit", vm)
}
