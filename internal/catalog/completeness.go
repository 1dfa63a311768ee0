package catalog

import (
	"strings"

	"github.com/google/uuid"
)

// Missing is a required field an active service lacks; publication refuses to go ahead while
// there is any. Field is the name of the field in the staff form (so a page can link to it);
// Label is its Italian name.
type Missing struct {
	ServiceSlug, ServiceTitle, Field, Label string
}

// Required fields of an active service, in the order of the form (DOMAIN.md, "A service").
var requiredFields = []struct {
	Field, Label string
	present      func(s *Service) bool
}{
	{"title", "Titolo", func(s *Service) bool { return filled(s.Title) }},
	{"short_description", "Descrizione breve", func(s *Service) bool { return filled(s.ShortDescription) }},
	{"category", "Area di utenza", func(s *Service) bool { return filled(s.CategoryCode) }},
	{"audience", "A chi è rivolto", func(s *Service) bool { return filled(s.Audience) }},
	{"how_to", "Come fare", func(s *Service) bool { return filled(s.HowTo) }},
	{"needed", "Cosa serve", func(s *Service) bool { return filled(s.NeededIntro) || anyFilled(s.NeededItems) }},
	{"obtained", "Cosa si ottiene", func(s *Service) bool { return filled(s.Obtained) }},
	{"timing", "Tempi e scadenze", func(s *Service) bool { return filled(s.Timing) || len(s.Deadlines) > 0 }},
	{"conditions", "Condizioni di servizio", func(s *Service) bool {
		if filled(s.Conditions) {
			return true
		}
		for _, d := range s.Documents {
			if d.Kind == "condizioni" {
				return true
			}
		}
		return false
	}},
	{"responsible_unit", "Unità organizzativa responsabile", func(s *Service) bool { return filled(s.ResponsibleUnit) }},
	{"topics", "Argomenti", func(s *Service) bool {
		for _, t := range s.Topics {
			if ValidTopic(t) {
				return true
			}
		}
		return false
	}},
	{"national_category", "Categoria del servizio", func(s *Service) bool { return ValidServiceCategory(s.NationalCategory) }},
}

// RequiredField is a field an active service must have before the Carta can be published:
// Field is its name in the staff form, Label its Italian name.
type RequiredField struct{ Field, Label string }

// RequiredFields lists the fields publication requires of an active service, in the order of
// the form. It is the one rule: the staff form, the import template's "obbligatoria" markers
// and the import's warnings all read it.
func RequiredFields() []RequiredField {
	out := make([]RequiredField, len(requiredFields))
	for i, f := range requiredFields {
		out[i] = RequiredField{Field: f.Field, Label: f.Label}
	}
	return out
}

// RequiredFieldLabel is the Italian label of a required field name, "" for others.
func RequiredFieldLabel(field string) string {
	for _, f := range requiredFields {
		if f.Field == field {
			return f.Label
		}
	}
	return ""
}

// Completeness lists, service by service in the Carta's order, every required field an
// active service (status attivo) lacks. Suspended and archived services are not checked:
// citizens see a suspended one only as suspended, with its reason.
func Completeness(c *Carta) []Missing {
	if c == nil {
		return nil
	}
	var out []Missing
	for i := range c.Services {
		s := &c.Services[i]
		if s.Status != StatusActive {
			continue
		}
		for _, f := range requiredFields {
			if !f.present(s) {
				out = append(out, Missing{ServiceSlug: s.Slug, ServiceTitle: s.Title, Field: f.Field, Label: f.Label})
			}
		}
	}
	return out
}

func filled(s string) bool { return strings.TrimSpace(s) != "" }

func anyFilled(ss []string) bool {
	for _, s := range ss {
		if filled(s) {
			return true
		}
	}
	return false
}

// ServiceFieldURL is the address, in the staff area, of the form field of service id that a
// Missing names (Missing.Field), for pages that list what to complete.
func ServiceFieldURL(id uuid.UUID, field string) string {
	anchor := map[string]string{"needed": "needed_intro", "topics": "topics"}[field]
	if anchor == "" {
		anchor = field
	}
	return "/admin/carta/servizi/" + id.String() + "#" + fieldIDOf(anchor)
}
