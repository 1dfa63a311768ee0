package web

import "github.com/gofiber/fiber/v2"

// ContentSecurityPolicy allows only the product's own files: no inline script or style, no
// framing, forms posting only to the same host. Page scripts live in static/app.js.
// font-src admits data: because Bootstrap Italia's CSS embeds the Video.js icon font as a data
// URL (a font cannot run code); without it every page logs a violation.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
	"style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// SecurityHeaders sets the security headers of every response. Strict-Transport-Security is
// sent only on HTTPS requests (as seen through the trusted proxy), so that a development
// server on http://*.localhost does not pin browsers to HTTPS.
func SecurityHeaders() fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if c.Protocol() == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}
