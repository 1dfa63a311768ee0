package audit

import (
	"strings"

	"github.com/google/uuid"
)

// objectKinds names the kinds of object an entry is about.
var objectKinds = map[string]string{
	"service":            "Servizio",
	"office":             "Ufficio",
	"person":             "Persona responsabile",
	"category":           "Area di utenza",
	"section":            "Sezione della parte generale",
	"document":           "Documento",
	"user":               "Utente",
	"invitation":         "Invito",
	"complaint":          "Reclamo",
	"complaint_template": "Modello di risposta",
	"tenant":             "Ente",
	"carta":              "Carta dei Servizi",
	"carta_schedule":     "Pubblicazione programmata",
	"office_exception":   "Chiusura o orario straordinario",
	"ambito_service":     "Servizio dell'ambito",
	"open311_key":        "Chiave API Open311",
}

// KindLabel is the Italian name of a kind of object ("Servizio"), empty for none.
func KindLabel(kind string) string {
	if l, ok := objectKinds[kind]; ok {
		return l
	}
	return ""
}

// liveKinds are the kinds whose staff page exists only while the object does: the trail
// asks the database which still exist before linking to them.
var liveKinds = map[string]bool{
	"service": true, "office": true, "person": true, "category": true, "section": true,
	"document": true, "user": true,
}

// live is an object of a page of the trail that still exists.
type live struct {
	name, parent string
}

// objectURL is the staff page of an entry's object, or "" when there is none (any more).
func objectURL(it *Item, l *live) string {
	if liveKinds[it.ObjectType] {
		if l == nil {
			return ""
		}
		switch it.ObjectType {
		case "service":
			return "/admin/carta/servizi/" + it.ObjectID
		case "office":
			return "/admin/carta/uffici/" + it.ObjectID
		case "person":
			return "/admin/carta/persone/" + it.ObjectID
		case "category":
			return "/admin/carta/categorie/" + it.ObjectID
		case "section":
			return "/admin/carta/parte-generale/" + it.ObjectID
		case "document":
			return "/admin/carta/servizi/" + l.parent + "/documenti"
		case "user":
			return "/admin/utenti/" + it.ObjectID
		}
	}
	switch {
	case it.ObjectType == "tenant" && strings.HasPrefix(it.Action, "profile."):
		return "/admin/ente"
	case it.ObjectType == "carta" && it.Action == "carta.publish" && isNumber(it.ObjectID):
		return "/admin/carta/versioni/" + it.ObjectID // versions are never deleted
	case it.ObjectType == "carta_schedule":
		return "/admin/carta/pubblicazione"
	case it.ObjectType == "complaint" && isUUID(it.ObjectID):
		return "/admin/reclami/" + it.ObjectID
	case it.ObjectType == "complaint_template":
		return "/admin/reclami/modelli"
	case it.ObjectType == "invitation":
		return "/admin/utenti" // open invitations are listed there
	}
	return ""
}

// objectName is what to call an entry's object: the name recorded with it, else its current
// name, else a readable id (a version number). Never a bare UUID: it means nothing to a reader.
func objectName(it *Item, l *live) string {
	switch {
	case it.ObjectName != "":
		return it.ObjectName
	case l != nil && l.name != "":
		return l.name
	case it.ObjectType == "carta" && it.Action == "carta.publish" && isNumber(it.ObjectID):
		return "Versione " + it.ObjectID
	case it.ObjectID == "" || isUUID(it.ObjectID):
		return ""
	}
	return it.ObjectID
}

func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
