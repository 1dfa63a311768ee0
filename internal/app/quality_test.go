package app_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/app"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/testenv"
)

var serviceLinkRE = regexp.MustCompile(`href="(/servizi/[a-z0-9-]+)"`)

// rate posts the rating block's form to host as a browser on origin would (origin "" sends
// none); json asks for the script's answer.
func rate(t *testing.T, a *app.App, host, origin string, form url.Values, json bool, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("POST", "/valutazione", strings.NewReader(form.Encode()))
	req.Host = host
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Mozilla/5.0 prova-valutazione")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if json {
		req.Header.Set("Accept", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := a.Handler().Test(req, 30_000)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestPageRatingOverHTTP posts the rating block of Cerveteri's pages as the plain form and as
// the script do: only the panel matching the stars is kept; a page of another host (another
// comune's included), or a request that names no origin, is refused and stores nothing; a
// rating sent on Grandate's host is Grandate's only (RLS); an invalid plain form comes back
// with the message next to its field and the input kept; the pages carrying the block stay
// cacheable and set no cookie; past the hourly limit the client gets 429.
func TestPageRatingOverHTTP(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a, err := app.New(ctx, env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	_, err = a.SeedDemo(ctx, pw)
	require.NoError(t, err)
	const host, other = "cerveteri.carta.test", "grandate.carta.test"
	svc := quality.New(quality.Deps{DB: env.DB, Log: quietLog()})
	cerveteri, err := env.Tenants.BySlug(ctx, "cerveteri")
	require.NoError(t, err)
	grandate, err := env.Tenants.BySlug(ctx, "grandate")
	require.NoError(t, err)
	count := func(slug string) int {
		tn := cerveteri
		if slug == "grandate" {
			tn = grandate
		}
		rs, err := svc.Ratings(ctx, tn, 1000)
		require.NoError(t, err)
		return len(rs)
	}

	// The block is on the home and on a service page, and they stay shared pages.
	anon := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	resp, home := anon.do("GET", "/", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, home, `data-element="feedback"`)
	require.Empty(t, resp.Header.Values("Set-Cookie"), "the block carries no token: no cookie")
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	resp2, _ := anon.do("GET", "/", nil)
	require.Equal(t, etag, resp2.Header.Get("ETag"), "the same cached bytes")
	_, list := anon.do("GET", "/servizi", nil)
	m := serviceLinkRE.FindStringSubmatch(list)
	require.NotNil(t, m)
	servicePath := m[1]
	_, page := anon.do("GET", servicePath, nil)
	require.Contains(t, page, `<input type="hidden" name="path" value="`+servicePath+`">`)

	// The plain form: both panels sent, the negative one kept for 2 stars; back to the page's
	// thanks.
	resp, _ = rate(t, a, host, "http://"+host, url.Values{"path": {servicePath}, "stars": {"2"},
		"negative": {"non-complete"}, "positive": {"chiare"}, "details": {"  Mancano gli orari.  "}}, false)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, servicePath+"#valutazione-grazie", resp.Header.Get("Location"))
	rs, err := svc.Ratings(ctx, cerveteri, 10)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, quality.Rating{ID: rs[0].ID, Path: servicePath, Stars: 2, Answer: "non-complete", Details: "Mancano gli orari.",
		RatedOn: rs[0].RatedOn}, rs[0])

	// The script: JSON both ways, and Sec-Fetch-Site where a browser sends no Origin.
	resp, body := rate(t, a, host, "", url.Values{"path": {"/"}, "stars": {"5"}, "positive": {"chiare"}}, true,
		"Sec-Fetch-Site", "same-origin")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var ans struct {
		OK      bool              `json:"ok"`
		Message string            `json:"message"`
		Errors  map[string]string `json:"errors"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	require.True(t, ans.OK)
	require.Equal(t, "Grazie, il tuo parere ci aiuterà a migliorare il servizio!", ans.Message)
	resp, body = rate(t, a, host, "http://"+host, url.Values{"path": {"/"}, "stars": {"4"}}, true)
	require.Equal(t, http.StatusConflict, resp.StatusCode, "the same visitor rated the home today")
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	require.Equal(t, quality.MsgAlreadyRate, ans.Message)
	resp, body = rate(t, a, host, "http://"+host, url.Values{"path": {"/carta"}, "stars": {"0"}}, true)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.NoError(t, json.Unmarshal([]byte(body), &ans))
	require.Equal(t, quality.MsgStars, ans.Errors["stars"])
	require.Equal(t, 2, count("cerveteri"))

	// Another host, another comune's host, a foreign scheme, no origin at all: refused.
	for _, origin := range []string{"https://example.org", "http://" + other, "https://" + host, "null"} {
		resp, _ = rate(t, a, host, origin, url.Values{"path": {"/uffici"}, "stars": {"3"}}, false)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, origin)
	}
	resp, _ = rate(t, a, host, "", url.Values{"path": {"/uffici"}, "stars": {"3"}}, false, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = rate(t, a, host, "", url.Values{"path": {"/uffici"}, "stars": {"3"}}, false)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Equal(t, 2, count("cerveteri"))

	// On Grandate's host the rating is Grandate's; Cerveteri does not see it.
	before := count("grandate")
	resp, _ = rate(t, a, other, "http://"+other, url.Values{"path": {"/"}, "stars": {"1"}, "negative": {"problemi-tecnici"}}, false)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, before+1, count("grandate"))
	require.Equal(t, 2, count("cerveteri"))

	// A plain form refused: the block again, the message next to the field, the input kept.
	long := strings.Repeat("a", 201)
	resp, body = rate(t, a, host, "http://"+host, url.Values{"path": {"/uffici"}, "stars": {"4"}, "positive": {"capivo"},
		"details": {long}}, false)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, quality.MsgDetails)
	require.Contains(t, body, `value="`+long+`"`)
	require.Regexp(t, `id="rating-star-4" name="stars" value="4" checked`, body)
	require.Regexp(t, `value="capivo" checked`, body)
	require.Equal(t, 2, count("cerveteri"))

	// The honeypot: answered as a success, nothing stored.
	resp, _ = rate(t, a, host, "http://"+host, url.Values{"path": {"/uffici"}, "stars": {"4"}, "sito_web": {"http://spam"}}, false)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, 2, count("cerveteri"))

	// The hourly limit per tenant and client IP.
	limited := false
	for i := 0; i <= quality.RateLimit && !limited; i++ {
		resp, _ = rate(t, a, host, "http://"+host, url.Values{"path": {"/argomenti"}, "stars": {"3"}}, true)
		limited = resp.StatusCode == http.StatusTooManyRequests
	}
	require.True(t, limited, "no 429 after %d ratings", quality.RateLimit+1)
}

// TestSatisfactionSurveyOverHTTP: a service page links to its questionnaire, which asks the
// standard items and shows a QR code of its own absolute address; an answer needs the form's
// CSRF token, is refused next to the field when a score is off the scale, and is taken once a
// day; the redattore types in a paper questionnaire and hides an item, which the citizen's
// questionnaire then no longer asks; the URP may do neither.
func TestSatisfactionSurveyOverHTTP(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a, err := app.New(ctx, env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	_, err = a.SeedDemo(ctx, pw)
	require.NoError(t, err)
	const host = "cerveteri.carta.test"
	cerveteri, err := env.Tenants.BySlug(ctx, "cerveteri")
	require.NoError(t, err)
	svc := quality.New(quality.Deps{DB: env.DB, Log: quietLog()})

	citizen := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	_, list := citizen.do("GET", "/servizi", nil)
	servicePath := serviceLinkRE.FindStringSubmatch(list)[1]
	_, page := citizen.do("GET", servicePath, nil)
	surveyPath := servicePath + "/questionario"
	require.Contains(t, page, `href="`+surveyPath+`"`)

	resp, form := citizen.do("GET", surveyPath, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, q := range quality.StandardQuestions {
		require.Contains(t, form, "<legend class=\"h6\">"+q.Label+"</legend>")
	}
	require.Contains(t, form, `src="`+surveyPath+`/qr.svg"`)
	abs := env.Cfg.TenantURL("cerveteri") + surveyPath
	require.Contains(t, form, abs)
	resp, svg := citizen.do("GET", surveyPath+"/qr.svg", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "image/svg+xml", resp.Header.Get("Content-Type"))
	want, err := quality.QRSVG(abs)
	require.NoError(t, err)
	require.Equal(t, string(want), svg, "the code carries the page's real address")
	resp, _ = citizen.do("GET", "/servizi/non-esiste/questionario", nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	token := csrfRE.FindStringSubmatch(form)[1]
	resp, _ = citizen.do("POST", surveyPath, url.Values{"q_cortesia": {"5"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "no CSRF token")
	resp, body := citizen.do("POST", surveyPath, url.Values{"_csrf": {token}, "q_cortesia": {"9"}, "suggestions": {"Orari più ampi"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `<div class="invalid-feedback d-block" id="f-q-cortesia-error">`+quality.MsgScore+`</div>`)
	require.Contains(t, body, ">Orari più ampi</textarea>")
	resp, _ = citizen.do("POST", surveyPath, url.Values{"_csrf": {token}, "q_cortesia": {"5"}, "q_attesa": {"2"}, "age_band": {"45-64"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, surveyPath+"?inviato=1", resp.Header.Get("Location"))
	_, body = citizen.do("GET", surveyPath+"?inviato=1", nil)
	require.Contains(t, body, quality.MsgSurveyDone)
	resp, body = citizen.do("POST", surveyPath, url.Values{"_csrf": {token}, "q_cortesia": {"4"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Contains(t, body, quality.MsgAnswered)

	// Staff: the URP may not, the redattore may.
	urp := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, urp.login("urp@cerveteri.demo", pw).StatusCode)
	resp, _ = urp.do("GET", "/admin/qualita/cartacei", nil)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	red := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, red.login("redattore@cerveteri.demo", pw).StatusCode)
	resp, paper := red.do("GET", "/admin/qualita/cartacei", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	staffToken := csrfRE.FindStringSubmatch(paper)[1]
	resp, body = red.do("POST", "/admin/qualita/cartacei", url.Values{"_csrf": {staffToken}, "q_complessiva": {"4"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, html.EscapeString(quality.MsgReceived))
	resp, _ = red.do("POST", "/admin/qualita/cartacei", url.Values{"_csrf": {staffToken}, "q_complessiva": {"4"},
		"received_on": {"2026-01-15"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	rs, err := svc.Responses(ctx, cerveteri, 10)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	channels := []quality.Channel{rs[0].Channel, rs[1].Channel}
	require.ElementsMatch(t, []quality.Channel{quality.Online, quality.Paper}, channels)

	resp, _ = red.do("POST", "/admin/qualita/questionario/cortesia/nascondi", url.Values{"_csrf": {staffToken}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, form = citizen.do("GET", "/questionario", nil)
	require.NotContains(t, form, "Cortesia del personale")
	require.Contains(t, form, "Competenza del personale")
	_, audit := red.do("GET", "/admin/qualita", nil)
	require.Contains(t, audit, "Cartaceo")
}

var kioskLinkRE = regexp.MustCompile(`<strong>https?://[^/<]+(/sportello/[A-Za-z0-9_-]{43})</strong>`)

// TestCounterKioskOverHTTP: the redattore activates a kiosk for an office and sees its link
// once; the tablet shows the three faces, asks the reason after the dissatisfied one, thanks
// and returns to the faces; the link does not open on another comune's host, and no longer
// once revoked.
func TestCounterKioskOverHTTP(t *testing.T) {
	env := testenv.Get(t)
	ctx := context.Background()
	a, err := app.New(ctx, env.Cfg, quietLog())
	require.NoError(t, err)
	defer a.Close()
	_, err = a.SeedDemo(ctx, pw)
	require.NoError(t, err)
	const host = "cerveteri.carta.test"

	red := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	require.Equal(t, http.StatusSeeOther, red.login("redattore@cerveteri.demo", pw).StatusCode)
	resp, page := red.do("GET", "/admin/qualita/sportelli", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	office := regexp.MustCompile(`<option value="([0-9a-f-]{36})">`).FindStringSubmatch(page)
	require.NotNil(t, office)
	token := csrfRE.FindStringSubmatch(page)[1]
	resp, page = red.do("POST", "/admin/qualita/sportelli", url.Values{"_csrf": {token}, "office": {office[1]}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := kioskLinkRE.FindStringSubmatch(page)
	require.NotNil(t, m, "the link is shown once")
	link := m[1]
	_, again := red.do("GET", "/admin/qualita/sportelli", nil)
	require.NotContains(t, again, link)

	tablet := &client{t: t, a: a, host: host, cookies: map[string]string{}}
	resp, faces := tablet.do("GET", link, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
	for _, f := range quality.Faces {
		require.Contains(t, faces, `name="face" value="`+string(f)+`"`)
		require.Contains(t, faces, html.EscapeString(f.Label()))
	}
	tk := csrfRE.FindStringSubmatch(faces)[1]
	resp, body := tablet.do("POST", link, url.Values{"_csrf": {tk}, "face": {"insoddisfatto"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "Che cosa non è andato?")
	resp, body = tablet.do("POST", link, url.Values{"_csrf": {tk}, "face": {"insoddisfatto"}, "step": {"reason"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, quality.MsgReason)
	resp, _ = tablet.do("POST", link, url.Values{"_csrf": {tk}, "face": {"insoddisfatto"}, "step": {"reason"}, "reason": {"attesa"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, link+"?grazie=1", resp.Header.Get("Location"))
	_, body = tablet.do("GET", link+"?grazie=1", nil)
	require.Contains(t, body, `<meta http-equiv="refresh" content="5;url=`+link+`">`)
	resp, _ = tablet.do("POST", link, url.Values{"_csrf": {tk}, "face": {"soddisfatto"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	_, list := red.do("GET", "/admin/qualita/sportelli", nil)
	require.Regexp(t, `<td>1</td><td>0</td><td>1</td>`, list, "one satisfied, none neutral, one dissatisfied")

	elsewhere := &client{t: t, a: a, host: "grandate.carta.test", cookies: map[string]string{}}
	resp, _ = elsewhere.do("GET", link, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)

	id := regexp.MustCompile(`/admin/qualita/sportelli/([0-9a-f-]{36})/revoca`).FindStringSubmatch(list)
	require.NotNil(t, id)
	resp, _ = red.do("POST", "/admin/qualita/sportelli/"+id[1]+"/revoca", url.Values{"_csrf": {token}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = tablet.do("GET", link, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
