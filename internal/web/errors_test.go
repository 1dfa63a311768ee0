package web_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/testenv"
	"github.com/cartasociale/carta/internal/web"
)

type jsonErr struct {
	Error struct {
		Code      int               `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields"`
		RequestID string            `json:"request_id"`
	} `json:"error"`
}

func decodeJSONError(t *testing.T, res *http.Response, body string) jsonErr {
	t.Helper()
	require.Equal(t, "application/json", res.Header.Get("Content-Type"), body)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	var e jsonErr
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	var raw map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &raw))
	require.Len(t, raw, 1, "one top-level member, error: %s", body)
	return e
}

func jsonErrorApp(t *testing.T, opts ...web.ErrorOption) *fiber.App {
	t.Helper()
	prof := sampleProfile()
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(newRenderer(t), quiet, opts...)})
	app.Use(withContext(sampleTenant(), nil, &prof))
	secret := errors.New("pq: relation secret_table does not exist at 10.0.0.5")
	routes := map[string]error{
		"/notfound": apperr.ErrNotFound,
		"/form":     apperr.InvalidFields(map[string]string{"codice_fiscale": web.MsgCodiceFiscaleCheck}),
		"/internal": apperr.Wrap(apperr.Internal, "dettaglio "+secret.Error(), secret),
		"/toomany":  apperr.New(apperr.TooMany, web.MsgTooManyRequests),
		"/fiber":    fiber.NewError(fiber.StatusBadRequest, "internal english detail"),
		"/unauth":   apperr.New(apperr.Unauthorized, "Accedi."),
	}
	for path, err := range routes {
		for _, prefix := range []string{"", "/api/v1", "/open311", "/open311/v2", "/admin"} {
			app.All(prefix+path, func(c *fiber.Ctx) error {
				c.Set(fiber.HeaderContentEncoding, "gzip") // left behind by the failed handler
				return err
			})
		}
	}
	return app
}

func request(method, target, accept string) *http.Request {
	req := httptest.NewRequest(method, target, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return req
}

func TestErrorHandlerAnswersJSONUnderAPI(t *testing.T) {
	t.Parallel()
	app := jsonErrorApp(t)
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	cases := []struct {
		path    string
		status  int
		message string
	}{
		{"/api/v1/notfound", 404, "La risorsa richiesta non esiste."},
		{"/api/v1/fiber", 400, "La richiesta non è valida."},
		{"/api/v1/internal", 500, "Si è verificato un errore imprevisto. Riprova più tardi; se il problema persiste, comunica il codice qui sotto all'assistenza."},
		{"/api/v1/toomany", 429, web.MsgTooManyRequests},
		{"/api/v1/unauth", 401, "Accedi."},
		{"/api/v1/nessuna-rotta", 404, "La pagina che cerchi non esiste o è stata spostata."},
		{"/api", 404, "La pagina che cerchi non esiste o è stata spostata."},
	}
	for _, tc := range cases {
		// Under /api/ even a browser's Accept gets JSON.
		for _, accept := range []string{"", browser, "application/json"} {
			res, body := do(t, app, request(http.MethodGet, tc.path, accept))
			require.Equal(t, tc.status, res.StatusCode, tc.path)
			e := decodeJSONError(t, res, body)
			require.Equal(t, tc.status, e.Error.Code, tc.path)
			require.Equal(t, tc.message, e.Error.Message, tc.path)
			require.Empty(t, res.Header.Get("Content-Encoding"), tc.path)
			require.NotContains(t, body, "secret_table")
			require.NotContains(t, body, "10.0.0.5")
			require.NotContains(t, body, "internal english detail")
			if tc.status >= 500 {
				require.Equal(t, "req-1234", e.Error.RequestID)
			} else {
				require.NotContains(t, body, "request_id")
			}
		}
	}

	// A form error carries each field's message.
	res, body := do(t, app, request(http.MethodPost, "/api/v1/form", ""))
	require.Equal(t, 422, res.StatusCode)
	e := decodeJSONError(t, res, body)
	require.Equal(t, "Alcuni campi non sono validi: correggili e riprova.", e.Error.Message)
	require.Equal(t, map[string]string{"codice_fiscale": web.MsgCodiceFiscaleCheck}, e.Error.Fields)
	require.JSONEq(t, `{"error":{"code":404,"message":"La risorsa richiesta non esiste."}}`,
		func() string { _, b := do(t, app, request(http.MethodGet, "/api/v1/notfound", "")); return b }())

	// /apiary is not under /api.
	res, body = do(t, app, request(http.MethodGet, "/apiary", ""))
	require.Equal(t, 404, res.StatusCode)
	require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	require.Contains(t, body, "Pagina non trovata")
}

func TestErrorHandlerAnswersJSONToClientsThatPreferIt(t *testing.T) {
	t.Parallel()
	app := jsonErrorApp(t)
	for accept, wantJSON := range map[string]bool{
		"application/json":                               true,
		"application/json, text/plain, */*":              true, // axios, fetch wrappers
		"application/json, text/javascript, */*; q=0.01": true,
		"application/problem+json":                       true,
		"text/html;q=0.5, application/json":              true,
		"APPLICATION/JSON; charset=utf-8":                true,
		"":                                               false,
		"*/*":                                            false,
		"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8": false,
		"application/json, text/html":       false, // no preference: the page
		"application/json;q=0.5, text/html": false,
		"application/json;q=0.9, text/*":    false,
		"application/json;q=0":              false,
		"application/json;q=abc":            false,
		"application/xml":                   false,
	} {
		res, body := do(t, app, request(http.MethodGet, "/notfound", accept))
		require.Equal(t, 404, res.StatusCode, accept)
		require.Contains(t, res.Header.Get("Vary"), "Accept", "the format depends on Accept: %q", accept)
		if wantJSON {
			e := decodeJSONError(t, res, body)
			require.Equal(t, 404, e.Error.Code, accept)
			require.Equal(t, "La risorsa richiesta non esiste.", e.Error.Message, accept)
		} else {
			require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"), accept)
			require.Contains(t, body, "Pagina non trovata", accept)
			require.Contains(t, body, "Piazza Risorgimento 1", accept)
		}
	}

	// A script of the staff area that asks for JSON gets a 401, not the login page.
	res, body := do(t, app, request(http.MethodGet, "/admin/unauth", "application/json"))
	require.Equal(t, 401, res.StatusCode)
	require.Equal(t, "Accedi.", decodeJSONError(t, res, body).Error.Message)
	res, _ = do(t, app, request(http.MethodGet, "/admin/unauth", ""))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "a browser still goes to the login page")
}

func TestErrorHandlerCustomFormats(t *testing.T) {
	t.Parallel()
	var got []web.ErrorResponse
	open311 := func(c *fiber.Ctx, e web.ErrorResponse) error {
		got = append(got, e)
		c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
		return c.Status(e.Status).SendString(`<errors><error><code>` + http.StatusText(e.Status) + `</code><description>` + e.Message + `</description></error></errors>`)
	}
	v2 := func(c *fiber.Ctx, e web.ErrorResponse) error {
		return c.Status(e.Status).SendString("v2: " + e.Message + " " + e.Fields["codice_fiscale"])
	}
	failing := func(c *fiber.Ctx, e web.ErrorResponse) error { return errors.New("writer broke") }
	app := jsonErrorApp(t,
		web.WithErrorFormat("/open311/", open311),
		web.WithErrorFormat("open311/v2", v2), // longer prefix wins, slashes normalized
		web.WithErrorFormat("/api/v1", failing),
	)

	// The registered prefix wins over the Accept header, in both directions.
	res, body := do(t, app, request(http.MethodGet, "/open311/notfound", "application/json"))
	require.Equal(t, 404, res.StatusCode)
	require.Equal(t, "application/xml; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `<errors><error><code>Not Found</code><description>La risorsa richiesta non esiste.</description></error></errors>`, body)
	require.Empty(t, res.Header.Get("Content-Encoding"), "the failed handler's encoding is gone")
	res, body = do(t, app, request(http.MethodGet, "/open311", ""))
	require.Equal(t, 404, res.StatusCode)
	require.Contains(t, body, "<errors>")

	res, body = do(t, app, request(http.MethodPost, "/open311/v2/form", ""))
	require.Equal(t, 422, res.StatusCode)
	require.Equal(t, "v2: Alcuni campi non sono validi: correggili e riprova. "+web.MsgCodiceFiscaleCheck, body)
	require.Len(t, got, 2, "/open311/v2 goes to its own writer only")
	for _, e := range got {
		require.Equal(t, 404, e.Status)
		require.Empty(t, e.Fields)
		require.Empty(t, e.RequestID)
	}

	// A writer that fails falls back to plain Italian text, still without the cause.
	res, body = do(t, app, request(http.MethodGet, "/api/v1/internal", ""))
	require.Equal(t, 500, res.StatusCode)
	require.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"))
	require.True(t, strings.HasPrefix(body, "Errore del server: "), body)
	require.NotContains(t, body, "secret_table")

	// Other /api paths keep the JSON default; other paths keep HTML.
	res, body = do(t, app, request(http.MethodGet, "/api/v2/x", ""))
	require.Equal(t, 404, decodeJSONError(t, res, body).Error.Code)
	res, _ = do(t, app, request(http.MethodGet, "/open311x", ""))
	require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
}

// The rate limiter's 429 keeps its Retry-After whatever the format.
func TestRateLimitAnswersJSONUnderAPI(t *testing.T) {
	t.Parallel()
	rdb := testenv.Get(t).Redis
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(newRenderer(t), quiet)})
	app.Use(web.RateLimit(rdb, "api-"+uuid.NewString()[:8], 1, time.Minute))
	app.Post("/api/reclami", func(c *fiber.Ctx) error { return c.SendStatus(http.StatusCreated) })
	res, _ := do(t, app, request(http.MethodPost, "/api/reclami", ""))
	require.Equal(t, http.StatusCreated, res.StatusCode)
	res, body := do(t, app, request(http.MethodPost, "/api/reclami", ""))
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	e := decodeJSONError(t, res, body)
	require.Equal(t, web.MsgTooManyRequests, e.Error.Message)
	require.NotEmpty(t, res.Header.Get("Retry-After"))
}
