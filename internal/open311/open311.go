// Package open311 is the Open311 GeoReport v2 endpoint of each tenant's site
// (/open311/v2/…, jurisdiction_id = the tenant's slug), a thin adapter over complaints.Service:
// the services are the ones a complaint can be about (Service.Choices), a POST files a
// complaint through Service.Submit with the channel "open311", and the GETs read the tenant's
// complaints through Service.List. It holds no rule of its own about complaints.
//
// Choices of this adapter, where the spec leaves room or does not fit a complaint about a
// social service:
//   - A POST needs an API key issued by the tenant's ente admin (/admin/open311). The client
//     application accepts, by the terms under which it got the key, to give its users the
//     tenant's privacy notice before they file: the complaint is filed without the consent
//     box of the citizen form (complaints.Submission.Validate lets the open311 channel do so).
//   - A location (lat/long, address_string, address_id) is not required and is ignored: a
//     complaint is about a service, not a place.
//   - Requests are created at once, so the POST answers service_request_id (the protocol
//     number, "2026/000123") and never a token; GET /tokens/{id} always answers 404.
//   - The GETs are public, as the spec wants, and show no personal data: neither the author's
//     names, e-mail, phone and codice fiscale nor the text of the complaint (no description).
//     status_notes carry the public reply once the URP has answered.
//   - GET /requests reads at most complaints.MaxLimit (1000) of the tenant's newest complaints.
//   - Errors answer [{"code", "description"}] (XML <errors><error>) in Italian with 400, 403
//     or 404 (429 past the POST rate limit, 5xx for a failure of ours).
package open311

import (
	"encoding/json"
	"encoding/xml"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/web"
)

// Prefix is where the endpoint lives on every tenant's host.
const Prefix = "/open311"

// BasePath is the GeoReport v2 base URL path, the discovery's endpoint url.
const BasePath = Prefix + "/v2/"

// Content types of the two formats.
const (
	mimeJSON = "application/json; charset=utf-8"
	mimeXML  = "text/xml; charset=utf-8"
)

// AltroCode is the service code of a complaint about no service of the Carta.
const AltroCode = "altro"

// xmlFormat reports whether the request's path asks for XML (".xml"), the spec's default
// format; anything else is answered in JSON.
func xmlFormat(c *fiber.Ctx) bool { return strings.HasSuffix(c.Path(), ".xml") }

// apiError is one error of the body.
type apiError struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type errorsXML struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []apiError `xml:"error"`
}

// send writes v in the request's format: v for JSON, x (its XML document) for XML.
func send(c *fiber.Ctx, status int, v, x any) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if xmlFormat(c) {
		b, err := xml.Marshal(x)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, mimeXML)
		return c.Status(status).Send(append([]byte(xml.Header), b...))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, mimeJSON)
	return c.Status(status).Send(b)
}

func sendErrors(c *fiber.Ctx, status int, errs []apiError) error {
	return send(c, status, errs, errorsXML{Errors: errs})
}

// WriteError is the error format of the paths under Prefix, for web.WithErrorFormat: the
// spec's list of errors, with 403 and 404 kept, 429 and 5xx kept, and any other client error
// answered 400.
func WriteError(c *fiber.Ctx, e web.ErrorResponse) error {
	status := e.Status
	switch {
	case status == fiber.StatusForbidden, status == fiber.StatusNotFound, status == fiber.StatusTooManyRequests, status >= 500:
	case status == fiber.StatusUnauthorized:
		status = fiber.StatusForbidden
	default:
		status = fiber.StatusBadRequest
	}
	msg := e.Message
	if e.RequestID != "" {
		msg += " (codice della richiesta: " + e.RequestID + ")"
	}
	errs := []apiError{{Code: status, Description: msg}}
	for _, k := range sortedKeys(e.Fields) {
		errs = append(errs, apiError{Code: fiber.StatusBadRequest, Description: fieldMessage(k, e.Fields[k])})
	}
	return sendErrors(c, status, errs)
}
