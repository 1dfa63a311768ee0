package web

import (
	"errors"
	"log/slog"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// ErrorPage is the view model of the error pages.
type ErrorPage struct {
	Page
	Status    int
	Message   string
	RequestID string // shown on 5xx pages so that a report can be matched with the log
}

// Generic texts per status: fiber's own messages are English and internal, never shown.
var statusText = map[int][2]string{ // title, message
	400: {"Richiesta non valida", "La richiesta non è valida."},
	401: {"Accesso richiesto", "Per continuare devi accedere."},
	403: {"Accesso negato", "Non hai i permessi per vedere questa pagina."},
	404: {"Pagina non trovata", "La pagina che cerchi non esiste o è stata spostata."},
	405: {"Operazione non consentita", "Questa operazione non è consentita su questa pagina."},
	408: {"Tempo scaduto", "La richiesta ha richiesto troppo tempo: riprova."},
	409: {"Conflitto", "L'operazione è in conflitto con dati già presenti."},
	413: {"Dati troppo grandi", "I dati o il file inviati sono troppo grandi."},
	415: {"Formato non supportato", "Il formato dei dati inviati non è supportato."},
	422: {"Dati non validi", "Alcuni dati non sono validi: correggili e riprova."},
	429: {"Troppe richieste", "Hai fatto troppe richieste: attendi qualche minuto e riprova."},
	500: {"Errore del server", "Si è verificato un errore imprevisto. Riprova più tardi; se il problema persiste, comunica il codice qui sotto all'assistenza."},
	503: {"Servizio non disponibile", "Il servizio non è al momento disponibile: riprova tra qualche minuto."},
}

func textFor(status int) (title, msg string) {
	if t, ok := statusText[status]; ok {
		return t[0], t[1]
	}
	if status >= 500 {
		return statusText[500][0], statusText[500][1]
	}
	return statusText[400][0], statusText[400][1]
}

// classify maps err to a status and the message the user may read.
func classify(err error) (status int, msg string) {
	if e, ok := apperr.As(err); ok {
		switch e.Kind {
		case apperr.Invalid:
			status = fiber.StatusBadRequest
			if len(e.Fields) > 0 {
				status = fiber.StatusUnprocessableEntity
			}
		case apperr.NotFound:
			status = fiber.StatusNotFound
		case apperr.Conflict:
			status = fiber.StatusConflict
		case apperr.Unauthorized:
			status = fiber.StatusUnauthorized
		case apperr.Forbidden:
			status = fiber.StatusForbidden
		case apperr.TooMany:
			status = fiber.StatusTooManyRequests
		case apperr.Unavailable:
			status = fiber.StatusServiceUnavailable
		default:
			// Internal: the message may be fine, but the rule is simpler: never show it.
			_, msg = textFor(fiber.StatusInternalServerError)
			return fiber.StatusInternalServerError, msg
		}
		if msg = e.Message; msg == "" {
			_, msg = textFor(status)
		}
		return status, msg
	}
	var fe *fiber.Error
	if errors.As(err, &fe) && fe.Code >= 400 && fe.Code < 600 {
		_, msg = textFor(fe.Code)
		return fe.Code, msg
	}
	_, msg = textFor(fiber.StatusInternalServerError)
	return fiber.StatusInternalServerError, msg
}

// SafeNext returns p when it is a path on this host (so that redirecting to it cannot send
// the user elsewhere), or "".
func SafeNext(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return p
}

func requestID(c *fiber.Ctx) string {
	if id := principal.OriginFrom(c.UserContext()).RequestID; id != "" {
		return id
	}
	if id, ok := c.Locals("requestid").(string); ok && id != "" {
		return id
	}
	return newToken()[:12]
}

// ErrorHandler turns every error a handler returns into a status page: *apperr.Error by its
// kind, *fiber.Error by its code, anything else as 500. Internal causes go to log only; a 500
// page shows a request id to quote. A GET under /admin without a login is redirected to the
// login page instead. Pages use the citizen layout on a tenant host, the staff layout for a
// logged-in user under /admin, and the neutral platform layout otherwise.
func ErrorHandler(r *Renderer, log *slog.Logger) fiber.ErrorHandler {
	if log == nil {
		log = slog.Default()
	}
	return func(c *fiber.Ctx, err error) error {
		status, msg := classify(err)
		path := c.Path()
		if status == fiber.StatusUnauthorized && isAdminPath(path) && path != "/admin/login" &&
			(c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) {
			target := "/admin/login"
			if next := SafeNext(c.OriginalURL()); next != "" {
				target += "?next=" + url.QueryEscape(next)
			}
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.Redirect(target, fiber.StatusSeeOther)
		}

		vm := &ErrorPage{Status: status, Message: msg}
		attrs := []any{"status", status, "method", c.Method(), "path", path}
		if t := tenant.FromContext(c.UserContext()); t != nil {
			attrs = append(attrs, "tenant", t.Slug)
		}
		switch {
		case status >= 500:
			vm.RequestID = requestID(c)
			log.Error("request failed", append(attrs, "request_id", vm.RequestID, "err", err)...)
		case status == fiber.StatusForbidden || status == fiber.StatusTooManyRequests:
			log.Info("request refused", append(attrs, "err", err)...)
		default:
			log.Debug("request error", append(attrs, "err", err)...)
		}

		title, _ := textFor(status)
		vm.Page = NewPage(c, title)
		name := "web/error-platform"
		switch {
		case vm.Staff != nil && isAdminPath(path):
			name = "web/error-admin"
		case vm.Tenant != nil:
			name = "web/error-citizen"
		}
		if r != nil {
			// A stale Content-Type or encoding set by the failed handler must not survive.
			c.Response().Header.Del(fiber.HeaderContentEncoding)
			c.Response().Header.Del(fiber.HeaderCacheControl)
			if rerr := r.Render(c, status, name, vm); rerr == nil {
				return nil
			} else {
				log.Error("error page failed", "err", rerr, "page", name)
			}
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(status).SendString(title + ": " + msg)
	}
}
