package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/tenant"
)

type profileKey struct{}

// lazyProfile loads the tenant's profile the first time a page asks for it: a page served
// from the page cache never pays for the read.
type lazyProfile struct {
	load   func() (tenant.Profile, error)
	loaded bool
	p      tenant.Profile
	err    error
}

func (l *lazyProfile) get() (tenant.Profile, error) {
	if !l.loaded {
		l.p, l.err = l.load()
		l.loaded = true
	}
	return l.p, l.err
}

// LoadProfile makes the profile of the request's tenant available to the page being rendered
// (header and footer, error pages included when it runs before routing). Nothing is read until
// a page needs it; mounting it twice costs nothing.
func LoadProfile(tenants *tenant.Store) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, ok := c.Locals(profileKey{}).(*lazyProfile); ok {
			return c.Next()
		}
		t := tenant.FromContext(c.UserContext())
		if t == nil {
			return c.Next()
		}
		ctx := c.UserContext()
		c.Locals(profileKey{}, &lazyProfile{load: func() (tenant.Profile, error) { return tenants.Profile(ctx, t.ID) }})
		return c.Next()
	}
}

// SetProfile replaces the request's profile, e.g. right after a handler changed it.
func SetProfile(c *fiber.Ctx, p tenant.Profile) {
	c.Locals(profileKey{}, &lazyProfile{loaded: true, p: p})
}

// ProfileFrom returns the profile of the request's tenant, reading it on first use; the zero
// profile when there is none or it cannot be read (the page still renders, without contacts).
func ProfileFrom(c *fiber.Ctx) tenant.Profile {
	l, ok := c.Locals(profileKey{}).(*lazyProfile)
	if !ok {
		return tenant.Profile{}
	}
	p, _ := l.get()
	return p
}

// ProfileErr returns ProfileFrom's profile and the error reading it, for handlers that must
// not show a page without it (the profile form).
func ProfileErr(c *fiber.Ctx) (tenant.Profile, error) {
	l, ok := c.Locals(profileKey{}).(*lazyProfile)
	if !ok {
		return tenant.Profile{}, nil
	}
	return l.get()
}
