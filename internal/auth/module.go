package auth

import (
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/mail"
	"github.com/cartasociale/carta/internal/module"
)

// Module is the accounts' pages and the worker of the e-mails carrying one-time links. Their
// routes are not in it: the app mounts them around the staff area they guard (Register,
// RequireLogin, LoadSession).
func Module(s *Service, sender mail.Sender) *module.Module {
	return &module.Module{
		Name:      "auth",
		Templates: Pages(),
		Workers:   []jobs.Registration{Workers(s, sender)},
		UseJobs:   func(c *jobs.Client) { s.UseJobs(c) },
	}
}
