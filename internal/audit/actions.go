package audit

import "strings"

// Action is a recorded action code with its Italian name.
type Action struct {
	Code  string
	Label string
}

// Group is a family of actions the trail can be filtered by ("Servizi", "Utenti e ruoli").
type Group struct {
	Key     string // in the filter's URL
	Label   string
	Actions []Action
}

// Groups are every action the code base records, with its Italian name, by family, in the
// order the filter shows them. A test fails when an action recorded anywhere is missing here.
var Groups = []Group{
	{"servizi", "Servizi", []Action{
		{"catalog.service.create", "Servizio creato"},
		{"catalog.service.update", "Servizio modificato"},
		{"catalog.service.move", "Servizio spostato nell'elenco"},
		{"catalog.service.archive", "Servizio archiviato"},
		{"catalog.service.delete", "Servizio eliminato"},
		{"carta.import", "Servizi importati da un foglio di calcolo"},
		{"catalog.ambito.hide", "Servizio dell'ambito nascosto"},
		{"catalog.ambito.show", "Servizio dell'ambito mostrato di nuovo"},
	}},
	{"documenti", "Documenti", []Action{
		{"catalog.document.upload", "Documento caricato"},
		{"catalog.document.remove", "Documento tolto dal servizio"},
	}},
	{"uffici", "Uffici e orari", []Action{
		{"catalog.office.create", "Ufficio creato"},
		{"catalog.office.update", "Ufficio modificato"},
		{"catalog.office.delete", "Ufficio eliminato"},
		{"catalog.office.hours", "Orari di apertura modificati"},
		{"catalog.office.exception.create", "Chiusura o orario straordinario aggiunto"},
		{"catalog.office.exception.delete", "Chiusura o orario straordinario eliminato"},
	}},
	{"persone", "Persone responsabili", []Action{
		{"catalog.person.create", "Persona responsabile aggiunta"},
		{"catalog.person.update", "Persona responsabile modificata"},
		{"catalog.person.delete", "Persona responsabile eliminata"},
	}},
	{"categorie", "Aree di utenza", []Action{
		{"catalog.category.create", "Area di utenza creata"},
		{"catalog.category.update", "Area di utenza modificata"},
		{"catalog.category.delete", "Area di utenza eliminata"},
	}},
	{"parte-generale", "Parte generale", []Action{
		{"catalog.section.create", "Sezione della parte generale aggiunta"},
		{"catalog.section.update", "Sezione della parte generale modificata"},
		{"catalog.section.move", "Sezione della parte generale spostata"},
		{"catalog.section.delete", "Sezione della parte generale eliminata"},
		{"catalog.defaults", "Aree di utenza e sezioni predefinite aggiunte"},
	}},
	{"pubblicazione", "Pubblicazione", []Action{
		{"carta.publish", "Carta pubblicata"},
		{"carta.schedule", "Pubblicazione programmata"},
		{"carta.schedule.cancel", "Pubblicazione programmata annullata"},
	}},
	{"ente", "Ente e profilo", []Action{
		{"tenant.create", "Ente creato"},
		{"profile.update", "Profilo dell'ente aggiornato"},
		{"profile.logo.update", "Logo caricato"},
		{"profile.logo.remove", "Logo rimosso"},
	}},
	{"utenti", "Utenti e ruoli", []Action{
		{"user.invite", "Utente invitato"},
		{"user.invite_revoke", "Invito ritirato"},
		{"auth.invite_accept", "Invito accettato"},
		{"user.roles", "Ruoli modificati"},
		{"user.grant", "Ruolo assegnato"},
		{"user.revoke", "Ruolo revocato"},
		{"user.remove", "Utente rimosso dall'ente"},
	}},
	{"reclami", "Reclami", []Action{
		{"complaint.create", "Reclamo registrato dal personale"},
		{"complaint.view", "Reclamo consultato"},
		{"complaint.ambito.view", "Reclamo di un comune dell'ambito consultato"},
		{"complaint.export", "Dati dell'autore di un reclamo esportati"},
		{"complaint.status", "Stato del reclamo cambiato"},
		{"complaint.note", "Nota interna al reclamo"},
		{"complaint.assign", "Reclamo assegnato agli uffici"},
		{"complaint.contribution", "Contributo di un ufficio al reclamo"},
		{"complaint.reply", "Risposta al reclamo"},
		{"complaint.close", "Reclamo chiuso"},
		{"complaint.template.create", "Modello di risposta creato"},
		{"complaint.template.delete", "Modello di risposta eliminato"},
		{"complaint.forward", "Reclamo inoltrato per competenza"},
		{"complaint.letter", "Lettera di risposta scaricata"},
		{"complaint.protocol", "Protocollo dell'ente registrato sul reclamo"},
		{"complaint.settings", "Impostazioni dei reclami cambiate"},
		{"complaint.attachment.download", "Allegato di un reclamo scaricato"},
	}},
	{"qualita", "Qualità", []Action{
		{"quality.question.create", "Domanda aggiunta al questionario"},
		{"quality.question.hide", "Domanda nascosta dal questionario"},
		{"quality.question.show", "Domanda mostrata di nuovo nel questionario"},
		{"quality.survey.paper", "Questionario cartaceo registrato"},
		{"quality.measure", "Valore misurato di uno standard registrato"},
		{"quality.kiosk.create", "Postazione di valutazione allo sportello attivata"},
		{"quality.kiosk.revoke", "Postazione di valutazione allo sportello disattivata"},
		{"quality.plan.create", "Azione aggiunta al piano di miglioramento"},
		{"quality.plan.update", "Azione del piano di miglioramento modificata"},
		{"quality.plan.status", "Stato di un'azione del piano di miglioramento cambiato"},
		{"quality.plan.effect", "Effetto di un'azione del piano di miglioramento misurato"},
	}},
	{"open311", "Open311", []Action{
		{"open311.key.create", "Chiave API Open311 creata"},
		{"open311.key.revoke", "Chiave API Open311 revocata"},
	}},
	{"accessi", "Accessi", []Action{
		{"auth.login", "Accesso all'area riservata"},
		{"auth.password_reset", "Password reimpostata"},
	}},
}

var actionLabels = func() map[string]string {
	m := map[string]string{}
	for _, g := range Groups {
		for _, a := range g.Actions {
			m[a.Code] = a.Label
		}
	}
	return m
}()

// ActionLabel is the Italian name of an action code, and false for a code nobody named.
func ActionLabel(code string) (string, bool) {
	l, ok := actionLabels[code]
	return l, ok
}

// GroupOf returns the group with that key.
func GroupOf(key string) (Group, bool) {
	for _, g := range Groups {
		if g.Key == key {
			return g, true
		}
	}
	return Group{}, false
}

// groupPrefix marks a group in the action filter ("gruppo:servizi"), a code being a single
// action.
const groupPrefix = "gruppo:"

// ActionsFor turns the action filter's value — an action code or "gruppo:<key>" — into the
// codes it selects, and false for a value that names neither.
func ActionsFor(value string) ([]string, bool) {
	if key, ok := strings.CutPrefix(value, groupPrefix); ok {
		g, ok := GroupOf(key)
		if !ok {
			return nil, false
		}
		codes := make([]string, len(g.Actions))
		for i, a := range g.Actions {
			codes[i] = a.Code
		}
		return codes, true
	}
	if _, ok := actionLabels[value]; ok {
		return []string{value}, true
	}
	return nil, false
}

// GroupValue is the action filter's value that selects every action of g.
func GroupValue(g Group) string { return groupPrefix + g.Key }
