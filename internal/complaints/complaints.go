// Package complaints is the reclami domain: a citizen files a complaint about a service of the
// published Carta, gets a protocol number and a due date (30 calendar days unless the tenant
// set another), and follows it through a private link; the URP takes it in charge, answers it
// and closes it. The use cases live in Service (no Fiber import), called alike by the citizen
// and staff handlers, the job workers and, later, the Open311 adapter; the store alone calls
// the Complaint* queries.
package complaints

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Status is where a complaint stands.
type Status string

// The states of a complaint (DOMAIN.md "Complaints").
const (
	Received       Status = "ricevuto"
	TakenInCharge  Status = "preso_in_carico"
	UnderReview    Status = "in_istruttoria"
	Answered       Status = "risposto"
	Closed         Status = "chiuso"
	NotCompetent   Status = "non_di_competenza"
	statusAllValue        = "tutti"
)

var statusLabels = map[Status]string{
	Received:      "Ricevuto",
	TakenInCharge: "Preso in carico",
	UnderReview:   "In istruttoria",
	Answered:      "Risposto",
	Closed:        "Chiuso",
	NotCompetent:  "Non di competenza",
}

// Statuses lists the states in their order.
var Statuses = []Status{Received, TakenInCharge, UnderReview, Answered, Closed, NotCompetent}

// Label is the status in Italian.
func (s Status) Label() string { return statusLabels[s] }

// Open reports whether the URP still owes an answer.
func (s Status) Open() bool { return s == Received || s == TakenInCharge || s == UnderReview }

// Outcome is how the answer decided the complaint.
type Outcome string

// The outcomes of an answer.
const (
	Upheld          Outcome = "accolto"
	PartiallyUpheld Outcome = "parzialmente_accolto"
	Rejected        Outcome = "respinto"
)

var outcomeLabels = map[Outcome]string{Upheld: "Accolto", PartiallyUpheld: "Parzialmente accolto", Rejected: "Respinto"}

// Outcomes lists the outcomes in their order.
var Outcomes = []Outcome{Upheld, PartiallyUpheld, Rejected}

// Label is the outcome in Italian.
func (o Outcome) Label() string { return outcomeLabels[o] }

// Channel is how the complaint arrived.
type Channel string

// Channels.
const (
	Web     Channel = "web"
	Phone   Channel = "telefono"
	Counter Channel = "sportello"
	// Open311 is a complaint an API client filed through the tenant's Open311 endpoint.
	Open311 Channel = "open311"
)

// serviceOther is the form's and the inbox's value for "a service not in the Carta".
const serviceOther = "altro"

// Complaint is one complaint as staff see it.
type Complaint struct {
	ID           uuid.UUID
	Year, Number int
	Channel      Channel
	Status       Status
	ServiceID    *uuid.UUID
	ServiceTitle string
	Standard     string
	WhatHappened string
	Request      string
	FirstName    string
	LastName     string
	FiscalCode   string
	Email        string
	Phone        string
	OnBehalfOf   string
	Relation     string
	SubmittedAt  time.Time
	DueOn        time.Time // a calendar day, in Italian time
	Outcome      Outcome
	Reply        string
	RepliedAt    *time.Time
	ClosedAt     *time.Time
	// After the answer: the first one (for the indicators), what the author said of it, and
	// the reopenings.
	FirstRepliedAt *time.Time
	Solved         *bool
	SolvedAt       *time.Time
	ReopenedAt     *time.Time
	ReopenCount    int
	// The number and day of the comune's official protocol register, recorded by staff.
	OfficialProtocol   string
	OfficialProtocolOn *time.Time
	// Forwarding (forward.go): where the original is, for a copy received from another
	// tenant, and where the complaint went, for an original forwarded away.
	OriginTenantID *uuid.UUID
	OriginID       *uuid.UUID
	ForwardedTo    *uuid.UUID
	// ServiceOwnerID is the tenant whose Carta published the service: the complaint's own,
	// or its ambito's for an ambito service (which the ambito sees, ambito.go).
	ServiceOwnerID *uuid.UUID
}

// Protocol is the complaint's number as the citizen reads it: "2026/000123".
func (c *Complaint) Protocol() string { return Protocol(c.Year, c.Number) }

// Protocol formats a year and number.
func Protocol(year, number int) string { return fmt.Sprintf("%d/%06d", year, number) }

// Author is the name of who filed it.
func (c *Complaint) Author() string { return c.FirstName + " " + c.LastName }

// Overdue reports whether the answer is late on day today.
func (c *Complaint) Overdue(today time.Time) bool {
	return c.Status.Open() && c.DueOn.Before(dayOf(today))
}

// Event is a step of a complaint's history.
type Event struct {
	At        time.Time
	Kind      string
	Status    Status
	Note      string
	Public    bool
	ActorName string
	Office    string // the office a contribution comes from
}

var eventLabels = map[string]string{
	"submitted":                 "Reclamo ricevuto",
	"status":                    "Stato cambiato",
	"note":                      "Nota interna",
	"assigned":                  "Assegnato agli uffici",
	"contribution":              "Contributo di un ufficio",
	"reminder":                  "Promemoria della scadenza",
	"reply":                     "Risposta inviata",
	"closed":                    "Reclamo chiuso",
	"solved":                    "Il cittadino conferma che il problema è risolto",
	"not_solved":                "Il cittadino dice che il problema non è risolto",
	"reopened":                  "Reclamo riaperto dal cittadino",
	"protocol":                  "Registrato al protocollo dell'ente",
	"protocol_pec":              "Inviato alla casella del protocollo",
	"reminder:" + remindWeek:    "Promemoria: la risposta scade tra 7 giorni",
	"reminder:" + remindTwoDays: "Promemoria: la risposta scade tra 2 giorni",
	"reminder:" + remindOverdue: "Avviso: risposta in ritardo",
	"forwarded":                 "Reclamo inoltrato",
	"received":                  "Reclamo ricevuto per inoltro",
	"returned":                  "Reclamo restituito per competenza",
}

// Label is the event in Italian.
func (e Event) Label() string {
	if l, ok := eventLabels[e.Kind]; ok {
		return l
	}
	return e.Kind
}
