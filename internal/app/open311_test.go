package app_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/demo"
)

// The GeoReport v2 fields of each answer (REFERENCE.md "C. Open311 GeoReport v2"): every
// field an object has must be one of allowed, and each of required must be there.
type fieldSet struct{ allowed, required []string }

var georeport = map[string]fieldSet{
	"discovery": {allowed: []string{"changeset", "contact", "key_service", "endpoints"},
		required: []string{"changeset", "contact", "key_service", "endpoints"}},
	"endpoint": {allowed: []string{"specification", "url", "changeset", "type", "formats"},
		required: []string{"specification", "url", "changeset", "type", "formats"}},
	"service": {allowed: []string{"service_code", "service_name", "description", "metadata", "type", "keywords", "group"},
		required: []string{"service_code", "service_name", "metadata", "type"}},
	"service_definition": {allowed: []string{"service_code", "attributes"}, required: []string{"service_code", "attributes"}},
	"attribute": {allowed: []string{"variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"},
		required: []string{"variable", "code", "datatype", "required", "order", "description"}},
	"value":   {allowed: []string{"key", "name"}, required: []string{"key", "name"}},
	"created": {allowed: []string{"service_request_id", "token", "service_notice", "account_id"}, required: []string{"service_request_id"}},
	"request": {allowed: []string{"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
		"agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address",
		"address_id", "zipcode", "lat", "long", "media_url"},
		required: []string{"service_request_id", "status", "service_code", "requested_datetime"}},
	"error": {allowed: []string{"code", "description"}, required: []string{"code", "description"}},
}

func requireFields(t *testing.T, kind string, obj map[string]any) {
	t.Helper()
	fs := georeport[kind]
	for k := range obj {
		require.Contains(t, fs.allowed, k, "%s: field %q is not GeoReport v2", kind, k)
	}
	for _, k := range fs.required {
		require.Contains(t, obj, k, "%s: field %q missing", kind, k)
	}
	for _, k := range []string{"service_request_id", "service_code", "token"} {
		if v, ok := obj[k]; ok {
			require.IsType(t, "", v, "%s: %s must be a string", kind, k)
		}
	}
	if v, ok := obj["status"]; ok {
		require.Contains(t, []any{"open", "closed"}, v)
	}
}

// jsonArray decodes a JSON array of objects and checks each against kind.
func jsonArray(t *testing.T, resp *http.Response, body, kind string) []map[string]any {
	t.Helper()
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	var out []map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &out), body)
	for _, o := range out {
		requireFields(t, kind, o)
	}
	return out
}

func requireAPIError(t *testing.T, resp *http.Response, body string, status int, contains string) {
	t.Helper()
	require.Equal(t, status, resp.StatusCode, body)
	errs := jsonArray(t, resp, body, "error")
	require.NotEmpty(t, errs, body)
	require.EqualValues(t, status, errs[0]["code"])
	require.Contains(t, body, contains)
}

type xmlServices struct {
	XMLName  xml.Name `xml:"services"`
	Services []struct {
		Code string `xml:"service_code"`
		Name string `xml:"service_name"`
	} `xml:"service"`
}

type xmlRequests struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []struct {
		ID     string `xml:"service_request_id"`
		Status string `xml:"status"`
		Notice string `xml:"service_notice"`
	} `xml:"request"`
}

type xmlErrors struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []struct {
		Code        int    `xml:"code"`
		Description string `xml:"description"`
	} `xml:"error"`
}

var keyRE = regexp.MustCompile(`value="(o311_[A-Za-z0-9_-]{43})"`)

// TestOpen311OverHTTP drives the Open311 GeoReport v2 endpoint as a client application would,
// on the real application: discovery, services and their definitions, filing a complaint with
// an API key issued (and revoked) by the ente admin, reading the requests back without any
// personal data, the status after the URP's answer, and the spec's error format.
func TestOpen311OverHTTP(t *testing.T) {
	a, _, env := mailApp(t)
	ctx := context.Background()
	const host = "cerveteri.carta.test"
	cli := &client{t: t, a: a, host: host, cookies: map[string]string{}}

	// Discovery, in both formats.
	resp, body := cli.do("GET", "/open311/v2/discovery.json", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	var disc map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &disc))
	requireFields(t, "discovery", disc)
	eps := disc["endpoints"].([]any)
	require.Len(t, eps, 1)
	ep := eps[0].(map[string]any)
	requireFields(t, "endpoint", ep)
	require.Equal(t, "http://wiki.open311.org/GeoReport_v2", ep["specification"])
	require.Contains(t, ep["formats"], "text/xml", "XML is the spec's required format")
	require.True(t, strings.HasSuffix(ep["url"].(string), "/open311/v2/"), ep["url"])
	resp, body = cli.do("GET", "/open311/v2/discovery.xml", nil)
	require.Equal(t, "text/xml; charset=utf-8", resp.Header.Get("Content-Type"))
	var dx struct {
		XMLName   xml.Name `xml:"discovery"`
		Endpoints []struct {
			Formats []string `xml:"formats>format"`
		} `xml:"endpoints>endpoint"`
	}
	require.NoError(t, xml.Unmarshal([]byte(body), &dx), body)
	require.Equal(t, []string{"text/xml", "application/json"}, dx.Endpoints[0].Formats)

	// Services: those of the citizen site, then "altro".
	resp, body = cli.do("GET", "/open311/v2/services.json", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	svcs := jsonArray(t, resp, body, "service")
	require.Greater(t, len(svcs), 1)
	require.Equal(t, "altro", svcs[len(svcs)-1]["service_code"])
	grouped := false
	for _, s := range svcs {
		require.Equal(t, true, s["metadata"])
		require.Equal(t, "realtime", s["type"])
		if s["service_code"] != "altro" {
			_, err := uuid.Parse(s["service_code"].(string))
			require.NoError(t, err)
		}
		grouped = grouped || s["group"] != ""
	}
	require.True(t, grouped, "services carry their category as group")
	resp, body = cli.do("GET", "/open311/v2/services.xml", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var sx xmlServices
	require.NoError(t, xml.Unmarshal([]byte(body), &sx), body)
	require.Len(t, sx.Services, len(svcs))
	require.Equal(t, svcs[0]["service_name"], sx.Services[0].Name)

	// A definition: the standards as a list, and the required texts.
	var code, standard string
	for _, s := range svcs {
		resp, body = cli.do("GET", "/open311/v2/services/"+s["service_code"].(string)+".json", nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		var def map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &def))
		requireFields(t, "service_definition", def)
		required := map[string]bool{}
		for _, at := range def["attributes"].([]any) {
			at := at.(map[string]any)
			requireFields(t, "attribute", at)
			if at["required"] == true {
				required[at["code"].(string)] = true
			}
			if at["code"] == "standard" && code == "" {
				require.Equal(t, "singlevaluelist", at["datatype"])
				require.Equal(t, false, at["required"])
				v := at["values"].([]any)[0].(map[string]any)
				requireFields(t, "value", v)
				code, standard = s["service_code"].(string), v["key"].(string)
			}
		}
		require.Equal(t, map[string]bool{"what_happened": true, "first_name": true, "last_name": true}, required)
	}
	require.NotEmpty(t, code, "a demo service with standards")
	resp, body = cli.do("GET", "/open311/v2/services/"+uuid.NewString()+".json", nil)
	requireAPIError(t, resp, body, http.StatusNotFound, "Servizio non trovato")

	// Another jurisdiction: 404 in the spec's format, JSON and XML.
	resp, body = cli.do("GET", "/open311/v2/services.json?jurisdiction_id=grandate", nil)
	requireAPIError(t, resp, body, http.StatusNotFound, "Giurisdizione non trovata")
	resp, body = cli.do("GET", "/open311/v2/services.json?jurisdiction_id=cerveteri", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = cli.do("GET", "/open311/v2/services.xml?jurisdiction_id=grandate", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	var ex xmlErrors
	require.NoError(t, xml.Unmarshal([]byte(body), &ex), body)
	require.Equal(t, 404, ex.Errors[0].Code)
	resp, body = cli.do("GET", "/open311/v2/tokens/abc.json", nil)
	requireAPIError(t, resp, body, http.StatusNotFound, "service_request_id")
	resp, body = cli.do("GET", "/open311/v2/nulla.json", nil)
	requireAPIError(t, resp, body, http.StatusNotFound, "non trovata")

	// The ente admin issues a key, shown once.
	admin := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, admin.login(demo.Email("admin", "cerveteri"), pw).StatusCode)
	_, page := admin.do("GET", "/admin", nil)
	require.Contains(t, page, `href="/admin/open311"`)
	_, page = admin.do("GET", "/admin/open311", nil)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	resp, _ = admin.do("POST", "/admin/open311", url.Values{"label": {"App Segnalazioni"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "the staff area still wants its CSRF token")
	resp, page = admin.do("POST", "/admin/open311", url.Values{"_csrf": {csrf}, "label": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, page, `id="f-label-error">Indica a chi`)
	resp, page = admin.do("POST", "/admin/open311", url.Values{"_csrf": {csrf}, "label": {"App Segnalazioni"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, page)
	key := keyRE.FindStringSubmatch(page)
	require.NotNil(t, key, page)
	_, page = admin.do("GET", "/admin/open311", nil)
	require.NotContains(t, page, key[1], "the key is shown once")
	require.Contains(t, page, "App Segnalazioni")
	var stored int
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT count(*) FROM open311_keys WHERE strpos(encode(key_hash, 'escape'), $1) > 0 OR label = $1`, key[1]).Scan(&stored))
	require.Zero(t, stored, "only the key's hash is stored")
	urp := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login(demo.Email("urp", "cerveteri"), pw).StatusCode)
	resp, _ = urp.do("GET", "/admin/open311", nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "only the ente admin issues keys")

	// Filing: no key, a wrong one, another tenant's host, bad input, then a good request.
	const email, phone, what = "giulia.bianchi@example.it", "3331234567", "Nessuno ha richiamato dopo la prima telefonata."
	good := url.Values{"service_code": {code}, "attribute[standard]": {standard}, "description": {what},
		"first_name": {"Giulia"}, "last_name": {"Bianchi"}, "email": {email}, "phone": {phone}}
	with := func(k string, extra url.Values) url.Values {
		v := url.Values{}
		for kk, vv := range good {
			v[kk] = vv
		}
		if k != "" {
			v.Set("api_key", k)
		}
		for kk, vv := range extra {
			v[kk] = vv
		}
		return v
	}
	resp, body = cli.do("POST", "/open311/v2/requests.json", with("", nil))
	requireAPIError(t, resp, body, http.StatusForbidden, "Manca la chiave API")
	resp, body = cli.do("POST", "/open311/v2/requests.json", with("o311_"+strings.Repeat("x", 43), nil))
	requireAPIError(t, resp, body, http.StatusForbidden, "non è valida")
	other := &client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}
	resp, body = other.do("POST", "/open311/v2/requests.json", with(key[1], url.Values{"service_code": {"altro"}, "attribute[standard]": nil}))
	requireAPIError(t, resp, body, http.StatusForbidden, "non è valida")
	resp, body = cli.do("POST", "/open311/v2/requests.json", with(key[1], url.Values{"first_name": {""}, "email": {"non-una-mail"}, "phone": nil}))
	requireAPIError(t, resp, body, http.StatusBadRequest, "Inserisci il tuo nome.")
	require.Contains(t, body, "(parametro email)")
	resp, body = cli.do("POST", "/open311/v2/requests.json", with(key[1], url.Values{"service_code": {"nessuno"}}))
	requireAPIError(t, resp, body, http.StatusBadRequest, "Scegli il servizio")
	resp, body = cli.do("POST", "/open311/v2/requests.json", with(key[1], url.Values{"jurisdiction_id": {"grandate"}}))
	requireAPIError(t, resp, body, http.StatusNotFound, "Giurisdizione non trovata")

	resp, body = cli.do("POST", "/open311/v2/requests.json", with(key[1], nil))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	made := jsonArray(t, resp, body, "created")
	require.Len(t, made, 1)
	protocol := made[0]["service_request_id"].(string)
	require.Regexp(t, `^\d{4}/\d{6}$`, protocol)
	require.NotContains(t, made[0], "token", "never both an id and a token")
	require.Contains(t, made[0]["service_notice"], "la risposta arriverà entro")
	resp, body = cli.do("POST", "/open311/v2/requests.xml", with(key[1], url.Values{"service_code": {"altro"}, "attribute[standard]": nil}))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Equal(t, "text/xml; charset=utf-8", resp.Header.Get("Content-Type"))
	var rx xmlRequests
	require.NoError(t, xml.Unmarshal([]byte(body), &rx), body)
	require.Len(t, rx.Requests, 1)
	require.Regexp(t, `^\d{4}/\d{6}$`, rx.Requests[0].ID)
	altroProtocol := rx.Requests[0].ID

	var channel, gotEmail string
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT channel, email FROM complaints WHERE what_happened = $1 AND service_id = $2`,
		what, uuid.MustParse(code)).Scan(&channel, &gotEmail))
	require.Equal(t, "open311", channel)
	require.Equal(t, email, gotEmail)

	// Reading back: public fields only.
	noPersonalData := func(body string) {
		t.Helper()
		for _, s := range []string{email, "Giulia", "Bianchi", what, phone, "+39" + phone} {
			require.NotContains(t, body, s)
		}
	}
	resp, body = cli.do("GET", "/open311/v2/requests.json", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	noPersonalData(body)
	all := jsonArray(t, resp, body, "request")
	byID := map[string]map[string]any{}
	for _, r := range all {
		byID[r["service_request_id"].(string)] = r
	}
	require.Contains(t, byID, protocol)
	require.Contains(t, byID, altroProtocol)
	r := byID[protocol]
	require.Equal(t, "open", r["status"])
	require.Equal(t, code, r["service_code"])
	require.Equal(t, "Comune di Cerveteri", r["agency_responsible"])
	require.NotEmpty(t, r["expected_datetime"])
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$`, r["requested_datetime"])
	require.Equal(t, "altro", byID[altroProtocol]["service_code"])

	one := "/open311/v2/requests/" + url.PathEscape(protocol) + ".json"
	resp, body = cli.do("GET", one, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	noPersonalData(body)
	got := jsonArray(t, resp, body, "request")
	require.Len(t, got, 1, "one request, as an array")
	require.Equal(t, protocol, got[0]["service_request_id"])
	resp, body = cli.do("GET", "/open311/v2/requests/"+strings.Replace(protocol, "/", "-", 1)+".xml", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	noPersonalData(body)
	rx = xmlRequests{}
	require.NoError(t, xml.Unmarshal([]byte(body), &rx), body)
	require.Equal(t, "open", rx.Requests[0].Status)
	resp, body = cli.do("GET", "/open311/v2/requests/1999-000001.json", nil)
	requireAPIError(t, resp, body, http.StatusNotFound, "Reclamo non trovato")
	resp, body = other.do("GET", one, nil)
	requireAPIError(t, resp, body, http.StatusNotFound, "Reclamo non trovato")

	// Filters.
	ids := func(path string) []string {
		t.Helper()
		resp, body := cli.do("GET", path, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		var out []string
		for _, r := range jsonArray(t, resp, body, "request") {
			out = append(out, r["service_request_id"].(string))
		}
		return out
	}
	require.Equal(t, []string{protocol}, ids("/open311/v2/requests.json?service_request_id="+url.QueryEscape(protocol+",1999/000001")))
	byCode := ids("/open311/v2/requests.json?service_code=altro," + uuid.NewString())
	require.Contains(t, byCode, altroProtocol)
	require.NotContains(t, byCode, protocol)
	require.Contains(t, ids("/open311/v2/requests.json?status=open"), protocol)
	require.NotContains(t, ids("/open311/v2/requests.json?status=closed"), protocol)
	require.Empty(t, ids("/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"))
	resp, body = cli.do("GET", "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2021-01-01T00:00:00Z", nil)
	requireAPIError(t, resp, body, http.StatusBadRequest, "90 giorni")
	resp, body = cli.do("GET", "/open311/v2/requests.json?status=in_corso", nil)
	requireAPIError(t, resp, body, http.StatusBadRequest, "Stato non valido")

	// The URP answers: the request is closed for Open311, with the public reply as notes.
	tn, err := env.Tenants.BySlug(ctx, "cerveteri")
	require.NoError(t, err)
	svc := complaints.New(complaints.Deps{DB: env.DB, Tenants: env.Tenants, SiteURL: func(string) string { return "http://" + host }})
	var cid uuid.UUID
	require.NoError(t, env.Admin.QueryRow(ctx, `SELECT id FROM complaints WHERE tenant_id = $1 AND year || '/' || lpad(number::text, 6, '0') = $2`,
		tn.ID, protocol).Scan(&cid))
	_, err = svc.Reply(ctx, tn, cid, complaints.Upheld, "Il servizio la richiamerà entro venerdì.")
	require.NoError(t, err)
	resp, body = cli.do("GET", one, nil)
	got = jsonArray(t, resp, body, "request")
	require.Equal(t, "closed", got[0]["status"])
	require.Equal(t, "Il servizio la richiamerà entro venerdì.", got[0]["status_notes"])
	require.GreaterOrEqual(t, got[0]["updated_datetime"], got[0]["requested_datetime"])
	require.Contains(t, ids("/open311/v2/requests.json?status=closed"), protocol)
	require.NotContains(t, ids("/open311/v2/requests.json?status=open"), protocol)

	// A revoked key files nothing.
	_, page = admin.do("GET", "/admin/open311", nil)
	kid := regexp.MustCompile(`action="/admin/open311/([0-9a-f-]{36})/revoca"`).FindStringSubmatch(page)
	require.NotNil(t, kid, page)
	require.Contains(t, page, "Ultimo uso")
	resp, _ = admin.do("POST", "/admin/open311/"+kid[1]+"/revoca", url.Values{"_csrf": {csrfRE.FindStringSubmatch(page)[1]}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = admin.do("GET", "/admin/open311", nil)
	require.Contains(t, page, "Revocata il")
	resp, body = cli.do("POST", "/open311/v2/requests.json", with(key[1], nil))
	requireAPIError(t, resp, body, http.StatusForbidden, "revocata")

	// Both changes are in the trail, in Italian.
	_, page = admin.do("GET", "/admin/registro", nil)
	require.Contains(t, page, "Chiave API Open311 creata")
	require.Contains(t, page, "Chiave API Open311 revocata")
}
