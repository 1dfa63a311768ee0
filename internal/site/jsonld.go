package site

import (
	"bytes"
	"encoding/json"
	"html/template"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/tenant"
)

// Licence of everything the site publishes (the national site model's default, CC BY 4.0,
// with the tenant as author).
const (
	LicenseURL   = "https://creativecommons.org/licenses/by/4.0/"
	LicenseLabel = "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"
)

// jsonldContext is schema.org as the default vocabulary, with the EU's Core Public Service
// Vocabulary (CPSV-AP: cpsv:PublicService; cv:hasChannel, cv:hasCost, cv:hasCompetentAuthority)
// and Dublin Core / SKOS for their properties. The national validator reads the plain
// schema.org keys (name, serviceType, serviceOperator.name, ...), which stay unprefixed.
var jsonldContext = map[string]any{
	"@vocab": "https://schema.org/",
	"cpsv":   "http://purl.org/vocab/cpsv#",
	"cv":     "http://data.europa.eu/m8g/",
	"dct":    "http://purl.org/dc/terms/",
	"skos":   "http://www.w3.org/2004/02/skos/core#",
}

// ld is a JSON-LD node. Keys are written in sorted order by encoding/json, so the output is
// stable for golden files and caches.
type ld = map[string]any

func (h *handlers) siteURL(t *tenant.Tenant) string { return h.Cfg.TenantURL(t.Slug) }

// serviceNode describes svc as schema.org GovernmentService and CPSV-AP public service.
func (h *handlers) serviceNode(t *tenant.Tenant, s *Site, svc *Service, office *Office) ld {
	base := h.siteURL(t)
	pageURL := base + serviceURL("", svc.Slug)
	operator := svc.Owner.Tenant.Name
	operatorURL := h.Cfg.TenantURL(svc.Owner.Tenant.Slug)
	area := t.Name
	if svc.Coverage == "ambito" && svc.FromAmbito {
		area = svc.Owner.Tenant.Name
	}
	audience := s.CategoryName(svc.CategoryCode)
	if plain := catalog.PlainText(svc.Audience); plain != "" {
		audience = audience + ": " + truncate(plain, 300)
	}
	serviceType := svc.NationalCategory
	if serviceType == "" {
		serviceType = s.CategoryName(svc.CategoryCode)
	}

	channel := ld{"@type": "ServiceChannel", "serviceUrl": pageURL, "name": "Di persona"}
	if svc.DigitalURL != "" {
		channel["serviceUrl"] = svc.DigitalURL
	}
	cvChannels := []ld{}
	if office != nil {
		loc := ld{"@type": "Place", "name": office.Name,
			"address": ld{"@type": "PostalAddress", "streetAddress": office.Address,
				"postalCode": office.PostalCode, "addressLocality": office.City, "addressCountry": "IT"}}
		if office.Phone != "" {
			loc["telephone"] = office.Phone
		}
		channel["serviceLocation"] = loc
		cvChannels = append(cvChannels, ld{"@type": "cv:Channel", "dct:type": "Sportello fisico",
			"dct:description": office.Name + ", " + office.Address + ", " + office.PostalCode + " " + office.City,
			"cv:ownedBy":      ld{"@id": h.Cfg.TenantURL(office.Owner.Tenant.Slug)}})
	} else {
		// The validator expects the keys: an ente without offices names its own seat.
		channel["serviceLocation"] = ld{"@type": "Place", "name": operator,
			"address": ld{"@type": "PostalAddress", "streetAddress": "", "postalCode": "", "addressLocality": ""}}
	}
	if svc.DigitalURL != "" {
		cvChannels = append(cvChannels, ld{"@type": "cv:Channel", "dct:type": "Online", "@id": svc.DigitalURL})
	}
	if svc.BookingURL != "" {
		cvChannels = append(cvChannels, ld{"@type": "cv:Channel", "dct:type": "Prenotazione", "@id": svc.BookingURL})
	}

	cost := ld{"@type": "cv:Cost", "dct:description": costLabel(svc.CostKind)}
	if txt := catalog.PlainText(svc.CostText); txt != "" {
		cost["dct:description"] = costLabel(svc.CostKind) + ". " + txt
	}
	if svc.CostKind == "gratuito" {
		cost["cv:value"] = 0
		cost["cv:currency"] = "http://publications.europa.eu/resource/authority/currency/EUR"
	}

	n := ld{
		"@type":            []string{"GovernmentService", "cpsv:PublicService"},
		"@id":              pageURL,
		"url":              pageURL,
		"identifier":       svc.ID.String(),
		"dct:identifier":   svc.ID.String(),
		"name":             svc.Title,
		"description":      svc.ShortDescription,
		"serviceType":      serviceType,
		"category":         s.CategoryName(svc.CategoryCode),
		"serviceOperator":  ld{"@type": "GovernmentOrganization", "name": operator, "url": operatorURL},
		"provider":         ld{"@type": "GovernmentOrganization", "name": operator, "url": operatorURL},
		"areaServed":       ld{"@type": "AdministrativeArea", "name": area},
		"audience":         ld{"@type": "Audience", "audienceType": audience},
		"availableChannel": channel,
		"termsOfService":   catalog.PlainText(svc.Conditions),
		"cv:hasChannel":    cvChannels,
		"cv:hasCost":       cost,
		"cv:hasCompetentAuthority": ld{"@type": "cv:PublicOrganisation", "@id": operatorURL,
			"skos:prefLabel": operator},
		"keywords": svc.Topics,
	}
	if svc.Status == catalog.StatusSuspended {
		n["cv:status"] = "sospeso"
	}
	if !svc.LastChangedAt.IsZero() {
		n["dct:modified"] = svc.LastChangedAt.In(rome).Format(dateLayout)
	}
	return n
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// marshalLD encodes v for a <script type="application/ld+json"> element. encoding/json escapes
// <, > and & as \u003c…, and U+2028/U+2029, so no "</script>" or "<!--" can end the element
// early whatever staff typed.
func marshalLD(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// serviceJSONLD is the metatag script of a service page.
func (h *handlers) serviceJSONLD(t *tenant.Tenant, s *Site, svc *Service, office *Office) template.JS {
	n := h.serviceNode(t, s, svc, office)
	n["@context"] = jsonldContext
	b, err := marshalLD(n)
	if err != nil {
		h.Log.Error("site: service JSON-LD", "err", err)
		return ""
	}
	return template.JS(b) //nolint:gosec // JSON with HTML-significant characters escaped
}

// cartaJSONLD is the whole published Carta as a JSON-LD graph: the dataset with its licence,
// then every service the site shows.
func (h *handlers) cartaJSONLD(t *tenant.Tenant, s *Site) ([]byte, error) {
	base := h.siteURL(t)
	author := ld{"@type": "GovernmentOrganization", "@id": base, "name": t.Name, "url": base}
	graph := []ld{{
		"@type":         []string{"Dataset", "dct:Dataset"},
		"@id":           base + "/opendata/carta.jsonld",
		"name":          "Carta dei Servizi Sociali – " + t.Name,
		"description":   "I servizi sociali pubblicati nella Carta dei Servizi " + itlang.Of(t.Name) + ", con canali di accesso, costi e autorità competente.",
		"url":           base + "/carta",
		"inLanguage":    "it",
		"license":       LicenseURL,
		"dct:license":   ld{"@id": LicenseURL},
		"author":        author,
		"creator":       author,
		"publisher":     author,
		"version":       s.Own.Version,
		"datePublished": s.Own.FirstPublishedAt.In(rome).Format(dateLayout),
		"dateModified":  s.Own.PublishedAt.In(rome).Format(dateLayout),
		"distribution": []ld{
			{"@type": "DataDownload", "encodingFormat": "application/ld+json", "contentUrl": base + "/opendata/carta.jsonld"},
			{"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": base + "/opendata/servizi.csv"},
		},
	}}
	for _, svc := range s.Services() {
		graph = append(graph, h.serviceNode(t, s, svc, s.OfficeFor(svc)))
	}
	return marshalLD(ld{"@context": jsonldContext, "@graph": graph})
}
