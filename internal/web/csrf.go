package web

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
)

// CSRFCookie is the double-submit cookie; CSRFField the form field that must repeat it.
const (
	CSRFCookie = "__Host-csrf"
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
)

// ErrCSRF is what a form posted with a missing or stale token gets.
var ErrCSRF = apperr.New(apperr.Forbidden, "La sessione del modulo è scaduta: ricarica la pagina e riprova.")

// csrfState is the request's token. The cookie is set lazily: only when a rendered page
// actually contains the token (a form, the logout button) or a handler asks for it, so that
// citizen pages without forms set no cookie at all.
type csrfState struct {
	token     string
	cookieSet bool // the browser has (or is being sent) this token
}

type csrfKey struct{}

// tokenLen is the length of 32 random bytes in unpadded base64url.
const tokenLen = 43

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func validTokenFormat(t string) bool {
	if len(t) != tokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil
}

func csrfStateOf(c *fiber.Ctx) *csrfState {
	if st, ok := c.Locals(csrfKey{}).(*csrfState); ok {
		return st
	}
	st := &csrfState{}
	if v := c.Cookies(CSRFCookie); validTokenFormat(v) {
		st.token = strings.Clone(v)
		st.cookieSet = true
	} else {
		st.token = newToken()
	}
	c.Locals(csrfKey{}, st)
	return st
}

// csrfToken returns the request's token without committing to a cookie yet.
func csrfToken(c *fiber.Ctx) string { return csrfStateOf(c).token }

// CSRFToken returns the request's token and makes sure the browser gets the cookie, for
// handlers that hand the token out other than through a rendered page.
func CSRFToken(c *fiber.Ctx) string {
	st := csrfStateOf(c)
	if !st.cookieSet {
		setCookie(c, CSRFCookie, st.token, 0)
		st.cookieSet = true
	}
	return st.token
}

// RotateCSRF replaces the token (call it after login and logout, when the privilege of the
// browser changes) and returns the new one; pages rendered later in the same request use it.
func RotateCSRF(c *fiber.Ctx) string {
	st := &csrfState{token: newToken(), cookieSet: true}
	c.Locals(csrfKey{}, st)
	setCookie(c, CSRFCookie, st.token, 0)
	return st.token
}

// commitCSRF sets the cookie when the rendered page carries a token the browser lacks.
func commitCSRF(c *fiber.Ctx, page []byte) {
	st, ok := c.Locals(csrfKey{}).(*csrfState)
	if !ok || st.cookieSet {
		return
	}
	if bytes.Contains(page, []byte(st.token)) {
		setCookie(c, CSRFCookie, st.token, 0)
		st.cookieSet = true
	}
}

// CSRF checks every request that may change state (anything but GET, HEAD, OPTIONS, TRACE):
// the token in the form field _csrf, or in the X-CSRF-Token header, must equal the
// __Host-csrf cookie. A mismatch gets the 403 page asking to reload the form.
func CSRF() fiber.Handler {
	return func(c *fiber.Ctx) error {
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
			return c.Next()
		}
		cookie := c.Cookies(CSRFCookie)
		if !validTokenFormat(cookie) {
			return ErrCSRF
		}
		sent := c.FormValue(CSRFField)
		if sent == "" {
			sent = c.Get(CSRFHeader)
		}
		if len(sent) != len(cookie) || subtle.ConstantTimeCompare([]byte(sent), []byte(cookie)) != 1 {
			return ErrCSRF
		}
		return c.Next()
	}
}
