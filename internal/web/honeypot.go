package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// HoneypotField is the name of the trap input that the "honeypot" partial renders into citizen
// forms ({{template "honeypot"}}). People cannot see, reach or hear it, so a value in it comes
// from a robot filling every input. The name looks like an ordinary optional field on purpose,
// and matches none of the browsers' autofill categories.
const HoneypotField = "sito_web"

// Honeypot reports whether the submitted form filled the trap input: the handler should then
// answer as if the submission had succeeded (so the robot learns nothing) and store nothing.
// A value of white space only does not count.
func Honeypot(c *fiber.Ctx) bool {
	return strings.TrimSpace(c.FormValue(HoneypotField)) != ""
}
