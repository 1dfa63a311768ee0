package mail

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

// The messages the product sends. Each is parsed once at start, in its own set (every text
// template defines its own "subject"); a broken template stops the program before it serves.
var templates = map[string]pair{
	"password_reset": parse("password_reset"),
	"invitation":     parse("invitation"),
}

type pair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

func parse(name string) pair {
	return pair{
		text: texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/"+name+".txt")),
		html: htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/"+name+".html")),
	}
}

// ResetData fills the password-reset message.
type ResetData struct {
	Name       string // the recipient's display name
	TenantName string // the ente whose site the request came from; empty on the platform
	URL        string // the one-time link
	ValidFor   string // how long the link works, in words ("un'ora")
}

// PasswordReset builds the message carrying a password-reset link.
func PasswordReset(to string, d ResetData) (Message, error) {
	return compose("password_reset", to, d)
}

// InviteData fills the invitation message.
type InviteData struct {
	Name       string
	TenantName string
	URL        string // the one-time link that accepts the invitation
	HasAccount bool   // the person already has a password: they accept by confirming it
	Roles      string // the roles offered, in Italian
	ValidFor   string
}

// Invitation builds the message inviting a person to the staff area of a tenant.
func Invitation(to string, d InviteData) (Message, error) {
	return compose("invitation", to, d)
}

func compose(name, to string, data any) (Message, error) {
	var subject, text, html bytes.Buffer
	t := templates[name]
	if err := t.text.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Message{}, err
	}
	if err := t.text.ExecuteTemplate(&text, name+".txt", data); err != nil {
		return Message{}, err
	}
	if err := t.html.ExecuteTemplate(&html, name+".html", data); err != nil {
		return Message{}, err
	}
	return Message{
		To:      to,
		Subject: strings.TrimSpace(subject.String()),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}, nil
}
