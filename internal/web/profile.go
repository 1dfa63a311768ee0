package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/tenant"
)

type profileKey struct{}

// LoadProfile reads the profile of the request's tenant once per request, for the header and
// footer of every page (error pages included when it runs before routing). Mounting it twice
// costs nothing: a loaded profile is kept.
func LoadProfile(tenants *tenant.Store) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, ok := c.Locals(profileKey{}).(tenant.Profile); ok {
			return c.Next()
		}
		t := tenant.FromContext(c.UserContext())
		if t == nil {
			return c.Next()
		}
		p, err := tenants.Profile(c.UserContext(), t.ID)
		if err != nil {
			return fmt.Errorf("profile of %s: %w", t.Slug, err)
		}
		c.Locals(profileKey{}, p)
		return c.Next()
	}
}

// SetProfile replaces the request's profile, e.g. right after a handler changed it.
func SetProfile(c *fiber.Ctx, p tenant.Profile) { c.Locals(profileKey{}, p) }

// ProfileFrom returns the profile loaded for the request, or the zero profile.
func ProfileFrom(c *fiber.Ctx) tenant.Profile {
	p, _ := c.Locals(profileKey{}).(tenant.Profile)
	return p
}
