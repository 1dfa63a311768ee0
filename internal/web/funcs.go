package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/itlang"
)

// rome is the time zone of every date shown to people.
var rome = itlang.Rome

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	}
	return time.Time{}, false
}

// DateIT formats t as "2 gennaio 2026" ("1º gennaio 2026") in Italian time.
func DateIT(t time.Time) string { return itlang.Date(t) }

// DateTimeIT formats t as "2 gennaio 2026, 14:05" in Italian time.
func DateTimeIT(t time.Time) string { return itlang.DateTime(t) }

// FieldError is what the "field-error" partial renders: the message tied to its input by ID.
type FieldError struct {
	Name, ID, Message string
}

// Field is what the "form-field" partial renders: a labelled Bootstrap Italia input with its
// help text and error message tied by aria-describedby.
type Field struct {
	Name, ID, Label, Type, Value string
	Help, HelpID                 string
	Error, ErrorID               string
	Autocomplete                 string
	MaxLength                    int
	Required                     bool
	Inputmode                    string
}

// DescribedBy lists the ids of the help and error texts, for aria-describedby.
func (f Field) DescribedBy() string {
	var ids []string
	if f.Error != "" {
		ids = append(ids, f.ErrorID)
	}
	if f.Help != "" {
		ids = append(ids, f.HelpID)
	}
	return strings.Join(ids, " ")
}

func fieldID(name string) string { return "f-" + strings.NewReplacer("_", "-", ".", "-").Replace(name) }

func (r *Renderer) funcs() template.FuncMap {
	return template.FuncMap{
		// asset returns the fingerprinted URL of a static file, e.g. {{asset "app.css"}}.
		"asset": func(p string) (string, error) {
			u, ok := r.static.url(p)
			if !ok && !r.dev {
				return "", fmt.Errorf("unknown static file %q", p)
			}
			return u, nil
		},
		// sprite returns the URL of a Bootstrap Italia icon, for <use href="...">.
		"sprite": func(id string) string {
			u, _ := r.static.url("vendor/bootstrap-italia/svg/sprites.svg")
			return u + "#" + id
		},
		"csrfField": func(vm any) (template.HTML, error) {
			p, err := pageOf(vm)
			if err != nil {
				return "", err
			}
			return template.HTML(`<input type="hidden" name="` + CSRFField + `" value="` +
				template.HTMLEscapeString(p.CSRF) + `">`), nil
		},
		"fieldErr": func(vm any, name string) (FieldError, error) {
			p, err := pageOf(vm)
			if err != nil {
				return FieldError{}, err
			}
			return FieldError{Name: name, ID: fieldID(name) + "-error", Message: p.Errors[name]}, nil
		},
		// field builds a Field for the "form-field" partial from the page's input and errors:
		// {{template "form-field" (field . "email" "Email" "type=email" "autocomplete=email")}}.
		// Options: type=, help=, autocomplete=, maxlength=, inputmode=, required.
		"field": func(vm any, name, label string, opts ...string) (Field, error) {
			p, err := pageOf(vm)
			if err != nil {
				return Field{}, err
			}
			id := fieldID(name)
			f := Field{Name: name, ID: id, Label: label, Type: "text", Value: p.Form[name],
				Error: p.Errors[name], ErrorID: id + "-error", HelpID: id + "-help"}
			for _, o := range opts {
				k, v, _ := strings.Cut(o, "=")
				switch k {
				case "type":
					f.Type = v
				case "help":
					f.Help = v
				case "autocomplete":
					f.Autocomplete = v
				case "inputmode":
					f.Inputmode = v
				case "maxlength":
					f.MaxLength, _ = strconv.Atoi(v)
				case "required":
					f.Required = true
				default:
					return Field{}, fmt.Errorf("field %s: unknown option %q", name, o)
				}
			}
			return f, nil
		},
		"roleLabel": access.RoleLabel,
		// The rating block's lists (rating.go).
		"ratingPath":     func() string { return RatingPath },
		"ratingStars":    func() []string { return ratingStars },
		"ratingNegative": func() []RatingChoice { return RatingNegative },
		"ratingPositive": func() []RatingChoice { return RatingPositive },
		"date": func(v any) string {
			if t, ok := asTime(v); ok {
				return DateIT(t)
			}
			return ""
		},
		// dateDel is the date after "del": "dell'8 marzo 2026", "del 1º maggio 2026".
		"dateDel": func(v any) string {
			if t, ok := asTime(v); ok {
				return itlang.DatePrep("del", t)
			}
			return ""
		},
		// di and nel put the articulated preposition before an ente's name: {{di .Tenant.Name}}
		// is "del Comune di Cerveteri", {{nel .Tenant.Ambito.Name}} "nell'Ambito di Putignano".
		"di":  itlang.Of,
		"nel": itlang.In,
		"dateTime": func(v any) string {
			if t, ok := asTime(v); ok {
				return DateTimeIT(t)
			}
			return ""
		},
		// isoDate is a calendar day for <time datetime="2026-03-08">.
		"isoDate": func(v any) string {
			if t, ok := asTime(v); ok {
				return t.In(rome).Format(time.DateOnly)
			}
			return ""
		},
		// isoTime is for <time datetime="...">.
		"isoTime": func(v any) string {
			if t, ok := asTime(v); ok {
				return t.In(rome).Format(time.RFC3339)
			}
			return ""
		},
		// tenantURL is the absolute URL of another tenant's site, or "" when unknown.
		"tenantURL": func(slug string) string {
			if r.tenantURL == nil || slug == "" {
				return ""
			}
			return r.tenantURL(slug)
		},
		"socialLabel": SocialLabel,
		"socialIcon":  socialIcon,
		// tel turns a phone number as written into a tel: URI body.
		"tel": func(s string) string {
			var b strings.Builder
			for i, c := range s {
				if c >= '0' && c <= '9' || (c == '+' && i == 0) {
					b.WriteRune(c)
				}
			}
			return b.String()
		},
		// flashRole is "alert" for what must interrupt a screen reader, "status" otherwise.
		"flashRole": func(kind string) string {
			if kind == "danger" || kind == "warning" {
				return "alert"
			}
			return "status"
		},
		"add": func(a, b int) int { return a + b },
	}
}

// SocialNetworks are the networks a tenant may link, in display order, with their label.
var SocialNetworks = []struct{ Key, Label string }{
	{"facebook", "Facebook"}, {"instagram", "Instagram"}, {"x", "X (Twitter)"},
	{"youtube", "YouTube"}, {"linkedin", "LinkedIn"}, {"telegram", "Telegram"},
	{"whatsapp", "WhatsApp"}, {"mastodon", "Mastodon"}, {"threads", "Threads"},
	{"bluesky", "Bluesky"}, {"tiktok", "TikTok"}, {"flickr", "Flickr"},
}

// SocialLabel is the display name of a social network key.
func SocialLabel(key string) string {
	for _, n := range SocialNetworks {
		if n.Key == key {
			return n.Label
		}
	}
	return key
}

func socialIcon(key string) string {
	switch key {
	case "x":
		return "it-twitter"
	case "facebook", "instagram", "youtube", "linkedin", "telegram", "whatsapp", "mastodon",
		"threads", "bluesky", "tiktok", "flickr":
		return "it-" + key
	}
	return "it-link"
}
