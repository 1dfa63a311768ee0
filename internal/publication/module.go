package publication

import (
	"github.com/cartasociale/carta/internal/access"
	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/module"
)

// UseJobs hands the Service the job client that enqueues scheduled publications (at start,
// before the first request: the client needs the Service's worker first).
func (s *Service) UseJobs(c *jobs.Client) { s.d.Jobs = c }

// Module is publishing, scheduling and the versions of the Carta in the staff area, with the
// scheduled publications' worker, all over svc (built once: the demo seeding publishes with
// it too).
func Module(svc *Service) *module.Module {
	return &module.Module{
		Name:      "publication",
		Templates: Templates,
		Workers:   []jobs.Registration{Workers(svc)},
		UseJobs:   svc.UseJobs,
		Staff:     func(r *access.Router) { Register(r, svc) },
	}
}
