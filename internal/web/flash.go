package web

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"
)

// FlashCookie carries a one-shot message across a Post/Redirect/Get.
const FlashCookie = "__Host-flash"

type flashKey struct{}

var flashKinds = map[string]bool{"success": true, "info": true, "warning": true, "danger": true}

// SetFlash shows message on the next page rendered for this browser (normally the page the
// handler redirects to). kind is success, info, warning or danger.
func SetFlash(c *fiber.Ctx, kind, message string) {
	if !flashKinds[kind] {
		kind = "info"
	}
	f := &Flash{Kind: kind, Message: message}
	b, _ := json.Marshal(f)
	setCookie(c, FlashCookie, base64.RawURLEncoding.EncodeToString(b), 2*time.Minute)
	c.Locals(flashKey{}, f)
}

// takeFlash returns the pending message, if any, and clears it so it is shown once.
func takeFlash(c *fiber.Ctx) *Flash {
	if f, ok := c.Locals(flashKey{}).(*Flash); ok {
		// Set in this very request and shown now: the browser must not show it again.
		c.Locals(flashKey{}, nil)
		deleteCookie(c, FlashCookie)
		return f
	}
	v := c.Cookies(FlashCookie)
	if v == "" {
		return nil
	}
	deleteCookie(c, FlashCookie)
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) > 2048 {
		return nil
	}
	var f Flash
	if json.Unmarshal(raw, &f) != nil || !flashKinds[f.Kind] || f.Message == "" {
		return nil
	}
	return &f
}
