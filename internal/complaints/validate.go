package complaints

import (
	"strings"

	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/web"
)

// Submission is what a citizen (or a staff member taking a phone or counter complaint) files.
// Service is the id of a service of the published Carta, or nil for "altro".
type Submission struct {
	Channel      Channel
	Consent      bool
	ServiceID    *uuid.UUID
	ServiceTitle string     // filled by Submit from the published Carta
	serviceOwner *uuid.UUID // the tenant publishing the service, filled by Submit
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
	// Uploads are the tokens of the pending uploads to attach (Service.Upload), at most
	// MaxAttachments.
	Uploads []string
}

// Messages of the form's fields.
const (
	msgConsent   = "Per presentare il reclamo devi dichiarare di aver letto l'informativa sul trattamento dei dati personali."
	msgWhat      = "Descrivi che cosa è successo (al massimo 4000 caratteri)."
	msgFirstName = "Inserisci il tuo nome."
	msgLastName  = "Inserisci il tuo cognome."
	msgContact   = "Indica almeno un modo per risponderti: un indirizzo email o un numero di telefono."
	msgRelation  = "Indica che relazione hai con la persona per cui presenti il reclamo."
	msgOnBehalf  = "Indica nome e cognome della persona per cui presenti il reclamo."
	msgService   = "Scegli il servizio dall'elenco, oppure «Altro»."
	msgStandard  = "Scegli uno degli standard del servizio, oppure lascia vuoto."
)

// Normalize trims every field; Validate then checks it. Field keys are the form's names.
func (s *Submission) Normalize() {
	for _, p := range []*string{&s.Standard, &s.WhatHappened, &s.Request, &s.FirstName, &s.LastName,
		&s.FiscalCode, &s.Email, &s.Phone, &s.OnBehalfOf, &s.Relation} {
		*p = strings.TrimSpace(*p)
	}
}

// Validate returns the Italian message of each wrong field; empty when the submission can be
// filed. The codice fiscale is optional but, when given, must be right.
func (s *Submission) Validate() map[string]string {
	f := map[string]string{}
	// An API client accepts the data terms for its users (Open311); everyone else, including
	// staff recording a phone or counter complaint, confirms the notice was given.
	if !s.Consent && s.Channel != "open311" {
		f["consent"] = msgConsent
	}
	set := func(key string, norm *string, msg string) {
		if msg != "" {
			f[key] = msg
		} else {
			*norm = strings.TrimSpace(*norm)
		}
	}
	var msg string
	// web.Text leaves "required" to its caller: an empty answer gets the field's own message.
	need := func(v string, max int) (string, bool) {
		n, m := web.Text(v, 1, max)
		return n, m == "" && n != ""
	}
	var ok bool
	if s.WhatHappened, ok = need(s.WhatHappened, 4000); !ok {
		f["what_happened"] = msgWhat
	}
	if s.Request, msg = web.Text(s.Request, 0, 2000); msg != "" {
		f["request"] = msg
	}
	if s.FirstName, ok = need(s.FirstName, 100); !ok {
		f["first_name"] = msgFirstName
	}
	if s.LastName, ok = need(s.LastName, 100); !ok {
		f["last_name"] = msgLastName
	}
	if s.FiscalCode != "" {
		s.FiscalCode, msg = web.CodiceFiscale(s.FiscalCode)
		set("fiscal_code", &s.FiscalCode, msg)
	}
	if s.Email != "" {
		s.Email, msg = web.Email(s.Email)
		set("email", &s.Email, msg)
	}
	if s.Phone != "" {
		s.Phone, msg = web.Phone(s.Phone)
		set("phone", &s.Phone, msg)
	}
	if s.Email == "" && s.Phone == "" && f["email"] == "" && f["phone"] == "" {
		f["email"] = msgContact
	}
	if s.OnBehalfOf != "" || s.Relation != "" {
		if s.OnBehalfOf, ok = need(s.OnBehalfOf, 200); !ok {
			f["on_behalf_of"] = msgOnBehalf
		}
		if s.Relation, ok = need(s.Relation, 100); !ok {
			f["relation"] = msgRelation
		}
	}
	if s.Standard, msg = web.Text(s.Standard, 0, 500); msg != "" {
		f["standard"] = msgStandard
	}
	return f
}
