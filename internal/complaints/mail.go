package complaints

import (
	"bytes"
	"embed"
	"strings"
	"text/template"

	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/tenant"
)

//go:embed templates/mail/*.txt
var mailFS embed.FS

// The messages to the author, parsed once at start; each defines its "subject".
var mails = map[string]*template.Template{
	"acknowledgement": template.Must(template.ParseFS(mailFS, "templates/mail/acknowledgement.txt")),
	"reply":           template.Must(template.ParseFS(mailFS, "templates/mail/reply.txt")),
}

type mailData struct {
	C        *Complaint
	Ente     string // "del Comune di Cerveteri"
	Link     string
	Received string
	Due      string
}

func composeMail(which string, c *Complaint, t *tenant.Tenant, link string) (mail.Message, error) {
	d := mailData{C: c, Ente: itlang.Of(t.Name), Link: link, Received: itlang.DateTime(c.SubmittedAt), Due: itlang.Date(c.DueOn)}
	tp := mails[which]
	var subject, body bytes.Buffer
	if err := tp.ExecuteTemplate(&subject, "subject", d); err != nil {
		return mail.Message{}, err
	}
	if err := tp.ExecuteTemplate(&body, which+".txt", d); err != nil {
		return mail.Message{}, err
	}
	return mail.Message{To: c.Email, Subject: strings.TrimSpace(subject.String()), Text: strings.TrimSpace(body.String()) + "\n"}, nil
}
