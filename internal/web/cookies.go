package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// setCookie sets a cookie with the attributes every cookie of the product carries: the
// __Host- prefix (no Domain, so one comune's subdomain can never set or read another's),
// Secure, HttpOnly, SameSite=Lax and Path=/. Browsers treat http://*.localhost as a secure
// context, so Secure cookies work in development too.
func setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: "/", Secure: true, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode,
	}
	if maxAge > 0 {
		ck.MaxAge = int(maxAge / time.Second)
	} else {
		ck.SessionOnly = true
	}
	c.Cookie(ck)
}

// deleteCookie expires a cookie; the __Host- prefix requires Secure and Path=/ on deletion too.
func deleteCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: name, Path: "/", Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: time.Unix(1, 0).UTC(),
	})
}
