package web

import (
	"errors"
	"log/slog"
	"net/url"
	"strconv"
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

// ErrorResponse is what an ErrorWriter writes for a failed request: the status, the Italian
// message the user may read, the message of each form field for a form error (422) and, for
// a 5xx, the request id to quote to support. It never holds the internal cause.
type ErrorResponse struct {
	Status    int
	Message   string
	Fields    map[string]string
	RequestID string
}

// ErrorWriter writes the response of a failed request in a format of its own (JSON, the XML
// of Open311, ...). ErrorHandler has already logged the error and removed the failed
// handler's Content-Encoding and Cache-Control; headers such as Retry-After are kept.
type ErrorWriter func(c *fiber.Ctx, e ErrorResponse) error

// ErrorOption configures ErrorHandler.
type ErrorOption func(*errorConfig)

type errorFormat struct {
	prefix string
	write  ErrorWriter
}

type errorConfig struct{ formats []errorFormat }

// APIPrefix is the path under which ErrorHandler answers errors in JSON (WriteJSONError)
// unless an option registers another writer for it.
const APIPrefix = "/api"

// WithErrorFormat makes ErrorHandler answer the requests whose path is prefix or lies under it
// ("/open311" covers "/open311" and "/open311/...", not "/open311x") with w, whatever their
// Accept header says. The longest matching prefix wins; for the same prefix, the last option.
// A future Open311 endpoint registers its own format this way:
//
//	web.ErrorHandler(render, log, web.WithErrorFormat("/open311", open311.WriteError))
func WithErrorFormat(prefix string, w ErrorWriter) ErrorOption {
	prefix = "/" + strings.Trim(prefix, "/")
	return func(cfg *errorConfig) {
		cfg.formats = append(cfg.formats, errorFormat{prefix: prefix, write: w})
	}
}

// writerFor returns the writer registered for path, or nil.
func (cfg *errorConfig) writerFor(path string) ErrorWriter {
	var best ErrorWriter
	bestLen := -1
	for _, f := range cfg.formats {
		if !underPrefix(path, f.prefix) {
			continue
		}
		if len(f.prefix) >= bestLen {
			best, bestLen = f.write, len(f.prefix)
		}
	}
	return best
}

func underPrefix(path, prefix string) bool {
	if prefix == "/" {
		return true
	}
	return path == prefix || (strings.HasPrefix(path, prefix) && path[len(prefix)] == '/')
}

// jsonError is the body of WriteJSONError.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Code      int               `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// WriteJSONError writes {"error": {"code": <status>, "message": "<Italian message>"}}, with
// "fields" (field name -> message) for a form error and "request_id" for a 5xx. It is the
// writer of the paths under APIPrefix and of clients that prefer JSON to HTML.
func WriteJSONError(c *fiber.Ctx, e ErrorResponse) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(e.Status).JSON(jsonError{Error: jsonErrorBody{
		Code: e.Status, Message: e.Message, Fields: e.Fields, RequestID: e.RequestID,
	}})
}

// prefersJSON reports whether an Accept header asks for JSON rather than HTML: application/json
// (or a +json type) is acceptable and ranked above text/html, application/xhtml+xml and
// text/*. Wildcards "*/*" count for neither, so a browser's Accept always gets HTML.
func prefersJSON(accept string) bool {
	if accept == "" {
		return false
	}
	var jsonQ, htmlQ float64
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		typ := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, p := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 {
					f = 0
				}
				q = min(f, 1)
			}
		}
		switch {
		case typ == "application/json" || (strings.HasPrefix(typ, "application/") && strings.HasSuffix(typ, "+json")):
			jsonQ = max(jsonQ, q)
		case typ == "text/html" || typ == "application/xhtml+xml" || typ == "text/*":
			htmlQ = max(htmlQ, q)
		}
	}
	return jsonQ > 0 && jsonQ > htmlQ
}

// ErrorHandler turns every error a handler returns into a status page: *apperr.Error by its
// kind, *fiber.Error by its code, anything else as 500. Internal causes go to log only; a 500
// page shows a request id to quote. A GET under /admin without a login is redirected to the
// login page instead. Pages use the citizen layout on a tenant host, the staff layout for a
// logged-in user under /admin, and the neutral platform layout otherwise.
//
// Not every client reads pages. The format of the answer is chosen in this order:
//   - a path under a prefix registered with WithErrorFormat: that prefix's writer;
//   - a path under APIPrefix ("/api"), or an Accept header that prefers JSON to HTML:
//     WriteJSONError, {"error": {"code": 404, "message": "..."}} (no login redirect either);
//   - otherwise the HTML page.
func ErrorHandler(r *Renderer, log *slog.Logger, opts ...ErrorOption) fiber.ErrorHandler {
	if log == nil {
		log = slog.Default()
	}
	cfg := &errorConfig{formats: []errorFormat{{prefix: APIPrefix, write: WriteJSONError}}}
	for _, o := range opts {
		o(cfg)
	}
	return func(c *fiber.Ctx, err error) error {
		status, msg := classify(err)
		path := c.Path()
		write := cfg.writerFor(path)
		if write == nil {
			c.Vary(fiber.HeaderAccept)
			if prefersJSON(c.Get(fiber.HeaderAccept)) {
				write = WriteJSONError
			}
		}
		if write == nil && status == fiber.StatusUnauthorized && isAdminPath(path) && path != "/admin/login" &&
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
		// A stale Content-Type or encoding set by the failed handler must not survive.
		c.Response().Header.Del(fiber.HeaderContentEncoding)
		c.Response().Header.Del(fiber.HeaderCacheControl)
		if write != nil {
			resp := ErrorResponse{Status: status, Message: msg, RequestID: vm.RequestID}
			if e, ok := apperr.As(err); ok && status == fiber.StatusUnprocessableEntity {
				resp.Fields = e.Fields
			}
			if werr := write(c, resp); werr == nil {
				return nil
			} else {
				log.Error("error response failed", "err", werr, "path", path)
			}
			c.Response().Header.Del(fiber.HeaderContentEncoding)
		} else {
			vm.Page = NewPage(c, title)
			name := "web/error-platform"
			switch {
			case vm.Staff != nil && isAdminPath(path):
				name = "web/error-admin"
			case vm.Tenant != nil:
				name = "web/error-citizen"
			}
			if r != nil {
				if rerr := r.Render(c, status, name, vm); rerr == nil {
					return nil
				} else {
					log.Error("error page failed", "err", rerr, "page", name)
				}
			}
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.Status(status).SendString(title + ": " + msg)
	}
}
