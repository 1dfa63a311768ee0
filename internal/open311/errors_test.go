package open311

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/web"
)

// TestWriteErrorSpeaksGeoReport: under /open311 every error is the spec's list of
// {code, description} in the path's format, with 403 and 404 kept and any other client error
// answered 400; paths elsewhere keep the application's format.
func TestWriteErrorSpeaksGeoReport(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: web.ErrorHandler(nil, nil, web.WithErrorFormat(Prefix, WriteError))})
	errs := map[string]error{
		"forbidden": apperr.New(apperr.Forbidden, "Chiave mancante."),
		"missing":   apperr.New(apperr.NotFound, "Servizio non trovato."),
		"invalid":   apperr.InvalidFields(map[string]string{"first_name": "Inserisci il tuo nome."}),
		"login":     apperr.New(apperr.Unauthorized, "Accedi."),
	}
	for _, prefix := range []string{"/open311/v2/", "/api/"} {
		app.Get(prefix+":which.:format", func(c *fiber.Ctx) error { return errs[c.Params("which")] })
	}
	get := func(path string) (int, string, string) {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	for which, want := range map[string]int{"forbidden": 403, "missing": 404, "invalid": 400, "login": 403} {
		status, ct, body := get("/open311/v2/" + which + ".json")
		require.Equal(t, want, status, which)
		require.Equal(t, mimeJSON, ct)
		var list []map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &list), body)
		require.EqualValues(t, want, list[0]["code"])
		for _, e := range list {
			require.Len(t, e, 2, "code and description only")
		}
		status, ct, body = get("/open311/v2/" + which + ".xml")
		require.Equal(t, want, status)
		require.Equal(t, mimeXML, ct)
		var x errorsXML
		require.NoError(t, xml.Unmarshal([]byte(body), &x), body)
		require.Equal(t, want, x.Errors[0].Code)
	}
	_, _, body := get("/open311/v2/invalid.json")
	require.Contains(t, body, "Inserisci il tuo nome. (parametro first_name)")
	status, _, body := get("/api/missing.json")
	require.Equal(t, 404, status)
	require.Contains(t, body, `"error":{`, "other prefixes keep their format")
}
