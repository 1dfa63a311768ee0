package deploy

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// publiccode mirrors the publiccode.yml 0.4 keys this product uses, plus the optional ones it
// may add. Decoding is strict, so a misspelt key (the Italian extension's are easy to get
// wrong) fails instead of being ignored by the catalogue.
type publiccode struct {
	PubliccodeYmlVersion string   `yaml:"publiccodeYmlVersion"`
	Name                 string   `yaml:"name"`
	ApplicationSuite     string   `yaml:"applicationSuite"`
	URL                  string   `yaml:"url"`
	LandingURL           string   `yaml:"landingURL"`
	IsBasedOn            any      `yaml:"isBasedOn"`
	SoftwareVersion      string   `yaml:"softwareVersion"`
	ReleaseDate          string   `yaml:"releaseDate"`
	Logo                 string   `yaml:"logo"`
	MonochromeLogo       string   `yaml:"monochromeLogo"`
	InputTypes           []string `yaml:"inputTypes"`
	OutputTypes          []string `yaml:"outputTypes"`
	Platforms            []string `yaml:"platforms"`
	Categories           []string `yaml:"categories"`
	UsedBy               []string `yaml:"usedBy"`
	Roadmap              string   `yaml:"roadmap"`
	DevelopmentStatus    string   `yaml:"developmentStatus"`
	SoftwareType         string   `yaml:"softwareType"`
	IntendedAudience     *struct {
		Countries            []string `yaml:"countries"`
		UnsupportedCountries []string `yaml:"unsupportedCountries"`
		Scope                []string `yaml:"scope"`
	} `yaml:"intendedAudience"`
	Description map[string]struct {
		LocalisedName    string   `yaml:"localisedName"`
		GenericName      string   `yaml:"genericName"`
		ShortDescription string   `yaml:"shortDescription"`
		LongDescription  string   `yaml:"longDescription"`
		Documentation    string   `yaml:"documentation"`
		APIDocumentation string   `yaml:"apiDocumentation"`
		Features         []string `yaml:"features"`
		Screenshots      []string `yaml:"screenshots"`
		Videos           []string `yaml:"videos"`
		Awards           []string `yaml:"awards"`
	} `yaml:"description"`
	Legal struct {
		License            string `yaml:"license"`
		MainCopyrightOwner string `yaml:"mainCopyrightOwner"`
		RepoOwner          string `yaml:"repoOwner"`
		AuthorsFile        string `yaml:"authorsFile"`
	} `yaml:"legal"`
	Maintenance struct {
		Type        string `yaml:"type"`
		Contractors []struct {
			Name    string `yaml:"name"`
			Email   string `yaml:"email"`
			Website string `yaml:"website"`
			Until   string `yaml:"until"`
		} `yaml:"contractors"`
		Contacts []struct {
			Name        string `yaml:"name"`
			Email       string `yaml:"email"`
			Phone       string `yaml:"phone"`
			Affiliation string `yaml:"affiliation"`
		} `yaml:"contacts"`
	} `yaml:"maintenance"`
	Localisation struct {
		LocalisationReady  *bool    `yaml:"localisationReady"`
		AvailableLanguages []string `yaml:"availableLanguages"`
	} `yaml:"localisation"`
	DependsOn *struct {
		Open        []dependency `yaml:"open"`
		Proprietary []dependency `yaml:"proprietary"`
		Hardware    []dependency `yaml:"hardware"`
	} `yaml:"dependsOn"`
	IT *struct {
		CountryExtensionVersion string `yaml:"countryExtensionVersion"`
		Conforme                *struct {
			LineeGuidaDesign        *bool `yaml:"lineeGuidaDesign"`
			ModelloInteroperabilita *bool `yaml:"modelloInteroperabilita"`
			MisureMinimeSicurezza   *bool `yaml:"misureMinimeSicurezza"`
			GDPR                    *bool `yaml:"gdpr"`
		} `yaml:"conforme"`
		Piattaforme *struct {
			SPID   *bool `yaml:"spid"`
			CIE    *bool `yaml:"cie"`
			ANPR   *bool `yaml:"anpr"`
			PagoPA *bool `yaml:"pagopa"`
			IO     *bool `yaml:"io"`
		} `yaml:"piattaforme"`
		Riuso *struct {
			CodiceIPA string `yaml:"codiceIPA"`
		} `yaml:"riuso"`
	} `yaml:"it"`
}

type dependency struct {
	Name       string `yaml:"name"`
	VersionMin string `yaml:"versionMin"`
	VersionMax string `yaml:"versionMax"`
	Version    string `yaml:"version"`
	Optional   *bool  `yaml:"optional"`
}

// The standard's controlled vocabularies (categories-list and scope-list).
var (
	publiccodeCategories = strings.Fields(`accounting agile-project-management applicant-tracking
		application-development appointment-scheduling backup billing-and-invoicing blog budgeting
		business-intelligence business-process-management cad call-center-management cloud-management
		collaboration communications compliance-management contact-management content-management crm
		customer-service-and-support data-analytics data-collection data-visualization
		digital-asset-management digital-citizenship document-management donor-management e-commerce
		e-signature email-management email-marketing employee-management enterprise-project-management
		enterprise-social-networking erp event-management facility-management
		feedback-and-reviews-management financial-reporting fleet-management fundraising gamification
		geographic-information-systems grant-management graphic-design help-desk hr ide
		identity-management instant-messaging inventory-management it-asset-management it-development
		it-management it-security it-service-management knowledge-management
		learning-management-system marketing mind-mapping mobile-marketing mobile-payment
		network-management office online-booking online-community payment-gateway payroll
		predictive-analysis procurement productivity-suite project-collaboration project-management
		property-management real-estate-management remote-support resource-management sales-management
		seo service-desk social-media-management survey talent-management task-management
		taxes-management test-management time-management time-tracking translation video-conferencing
		video-editing visitor-management voip warehouse-management web-collaboration web-conferencing
		website-builder workflow-management`)
	publiccodeScopes = strings.Fields(`agriculture culture defence education emergency-services
		employment energy environment finance-and-economic-development foreign-affairs government
		healthcare infrastructures justice local-authorities manufacturing research
		science-and-technology security society sport tourism transportation welfare`)
)

func loadPubliccode(t *testing.T) (publiccode, error) {
	t.Helper()
	b, err := os.ReadFile("../publiccode.yml")
	require.NoError(t, err)
	return decodePubliccode(b)
}

func decodePubliccode(b []byte) (publiccode, error) {
	var pc publiccode
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err := dec.Decode(&pc)
	return pc, err
}

func TestPubliccode(t *testing.T) {
	t.Parallel()
	pc, err := loadPubliccode(t)
	require.NoError(t, err, "publiccode.yml must decode with only the standard's keys")
	for _, p := range checkPubliccode(pc) {
		t.Error(p)
	}

	// The licence declared is the licence shipped.
	lic, err := os.ReadFile("../LICENSE")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(lic), "EUROPEAN UNION PUBLIC LICENCE v. 1.2"), "LICENSE is not the EUPL-1.2 text")
	require.Equal(t, "EUPL-1.2", pc.Legal.License)
	// The official text is complete: fifteen articles and the appendix of compatible licences.
	for _, want := range []string{"15.Applicable Law", "Appendix", "Compatible Licences",
		"European Union Public Licence (EUPL) v. 1.1, v. 1.2",
		"All other changes or additions to this Appendix require the production of a new EUPL version."} {
		require.Contains(t, string(lic), want)
	}
}

func TestPubliccodeChecksFire(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../publiccode.yml")
	require.NoError(t, err)
	cases := []struct {
		name, want string
		breaks     func(*publiccode)
	}{
		{"version", "publiccodeYmlVersion", func(p *publiccode) { p.PubliccodeYmlVersion = "0.1" }},
		{"no name", "name", func(p *publiccode) { p.Name = "" }},
		{"bad url", "url", func(p *publiccode) { p.URL = "github.com/x" }},
		{"bad date", "releaseDate", func(p *publiccode) { p.ReleaseDate = "23/11/2026" }},
		{"no platforms", "platforms", func(p *publiccode) { p.Platforms = nil }},
		{"unknown category", "category", func(p *publiccode) { p.Categories = append(p.Categories, "social-services") }},
		{"status", "developmentStatus", func(p *publiccode) { p.DevelopmentStatus = "alpha" }},
		{"type", "softwareType", func(p *publiccode) { p.SoftwareType = "web" }},
		{"short too long", "shortDescription", func(p *publiccode) {
			d := p.Description["it"]
			d.ShortDescription = strings.Repeat("à", 151)
			p.Description["it"] = d
		}},
		{"long too short", "longDescription", func(p *publiccode) {
			d := p.Description["it"]
			d.LongDescription = "Breve."
			p.Description["it"] = d
		}},
		{"no features", "features", func(p *publiccode) {
			d := p.Description["it"]
			d.Features = nil
			p.Description["it"] = d
		}},
		{"no italian", "description", func(p *publiccode) { delete(p.Description, "it") }},
		{"license", "license", func(p *publiccode) { p.Legal.License = "EUPL" }},
		{"no contacts", "contacts", func(p *publiccode) { p.Maintenance.Contacts = nil }},
		{"no localisation flag", "localisationReady", func(p *publiccode) { p.Localisation.LocalisationReady = nil }},
		{"no postgres", "PostgreSQL", func(p *publiccode) { p.DependsOn.Open = p.DependsOn.Open[1:] }},
		{"extension version", "countryExtensionVersion", func(p *publiccode) { p.IT.CountryExtensionVersion = "0.2" }},
		{"ipa code", "codiceIPA", func(p *publiccode) { p.IT.Riuso.CodiceIPA = "Comune di Roma" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pc, err := decodePubliccode(b)
			require.NoError(t, err)
			require.Empty(t, checkPubliccode(pc))
			c.breaks(&pc)
			problems := checkPubliccode(pc)
			require.NotEmpty(t, problems, "breaking %s went unnoticed", c.name)
			require.Contains(t, strings.Join(problems, "\n"), c.want)
		})
	}

	// A misspelt key is refused by the strict decoding.
	bad := bytes.Replace(b, []byte("modelloInteroperabilita"), []byte("modelloInteroperatibilita"), 1)
	require.NotEqual(t, b, bad)
	_, err = decodePubliccode(bad)
	require.Error(t, err)
}

var (
	dateRE      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	ipaRE       = regexp.MustCompile(`^[a-z0-9_]{2,20}$`)
	langRE      = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	versionRE   = regexp.MustCompile(`^0\.4(\.\d+)?$`)
	softwareTys = []string{"standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
		"standalone/backend", "standalone/other", "addon", "library", "configurationFiles"}
)

// checkPubliccode applies the standard's required keys, vocabularies and limits, as the
// catalogue's parser does, and what this product must declare.
func checkPubliccode(pc publiccode) []string {
	var p []string
	fail := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }

	if !versionRE.MatchString(pc.PubliccodeYmlVersion) {
		fail("publiccodeYmlVersion %q, want 0.4", pc.PubliccodeYmlVersion)
	}
	if strings.TrimSpace(pc.Name) == "" {
		fail("name is required")
	}
	if u, err := url.Parse(pc.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		fail("url %q must be the https address of the repository", pc.URL)
	}
	if pc.SoftwareVersion != "" || pc.ReleaseDate != "" {
		if _, err := time.Parse(time.DateOnly, pc.ReleaseDate); err != nil || !dateRE.MatchString(pc.ReleaseDate) {
			fail("releaseDate %q must be YYYY-MM-DD (required with softwareVersion)", pc.ReleaseDate)
		}
	}
	if len(pc.Platforms) == 0 {
		fail("platforms: at least one is required")
	} else if !slices.Contains(pc.Platforms, "web") {
		fail("platforms: the product is used from a browser: web")
	}
	if len(pc.Categories) == 0 {
		fail("categories: at least one is required")
	}
	for _, c := range pc.Categories {
		if !slices.Contains(publiccodeCategories, c) {
			fail("categories: %q is not a category of the standard's list", c)
		}
	}
	if !slices.Contains([]string{"concept", "development", "beta", "stable", "obsolete"}, pc.DevelopmentStatus) {
		fail("developmentStatus %q is not one of concept, development, beta, stable, obsolete", pc.DevelopmentStatus)
	}
	if !slices.Contains(softwareTys, pc.SoftwareType) {
		fail("softwareType %q is not one of %v", pc.SoftwareType, softwareTys)
	}
	if a := pc.IntendedAudience; a != nil {
		for _, s := range a.Scope {
			if !slices.Contains(publiccodeScopes, s) {
				fail("intendedAudience.scope: %q is not in the standard's scope list", s)
			}
		}
	}

	_, ok := pc.Description["it"]
	if !ok {
		fail("description: the Italian description (it) is required")
	}
	for lang, d := range pc.Description {
		if !langRE.MatchString(lang) {
			fail("description: %q is not a BCP 47 language tag", lang)
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(d.ShortDescription)); n == 0 || n > 150 {
			fail("description.%s.shortDescription: %d characters, want 1 to 150", lang, n)
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(d.LongDescription)); n < 150 || n > 10000 {
			fail("description.%s.longDescription: %d characters, want 150 to 10000", lang, n)
		}
		if n := utf8.RuneCountInString(d.GenericName); n > 35 {
			fail("description.%s.genericName: %d characters, at most 35", lang, n)
		}
		if len(d.Features) == 0 {
			fail("description.%s.features: at least one is required", lang)
		}
		for _, f := range d.Features {
			if n := utf8.RuneCountInString(f); n == 0 || n > 100 {
				fail("description.%s.features: %q has %d characters, want 1 to 100", lang, f, n)
			}
		}
	}

	if pc.Legal.License != "EUPL-1.2" {
		fail("legal.license %q, want EUPL-1.2 (the LICENSE file)", pc.Legal.License)
	}

	switch pc.Maintenance.Type {
	case "internal", "community":
		if len(pc.Maintenance.Contacts) == 0 {
			fail("maintenance.contacts: required when maintenance.type is %s", pc.Maintenance.Type)
		}
	case "contract":
		if len(pc.Maintenance.Contractors) == 0 {
			fail("maintenance.contractors: required when maintenance.type is contract")
		}
	case "none":
	default:
		fail("maintenance.type %q is not one of internal, contract, community, none", pc.Maintenance.Type)
	}
	for _, c := range pc.Maintenance.Contacts {
		if c.Name == "" {
			fail("maintenance.contacts: a contact without name")
		}
		if c.Email != "" {
			if _, err := mail.ParseAddress(c.Email); err != nil {
				fail("maintenance.contacts: e-mail %q: %v", c.Email, err)
			}
		}
	}

	if pc.Localisation.LocalisationReady == nil {
		fail("localisation.localisationReady is required")
	}
	if !slices.Contains(pc.Localisation.AvailableLanguages, "it") {
		fail("localisation.availableLanguages must include it")
	}

	var deps []string
	if pc.DependsOn != nil {
		for _, d := range pc.DependsOn.Open {
			if d.Name == "" {
				fail("dependsOn.open: a dependency without name")
			}
			deps = append(deps, d.Name+" "+d.VersionMin)
		}
	}
	for _, want := range []string{"PostgreSQL 15", "Redis 7"} {
		if !slices.Contains(deps, want) {
			fail("dependsOn.open: want %s (versionMin) in %v", want, deps)
		}
	}

	if pc.IT == nil {
		fail("it: the Italian extension is required for the national catalogue")
	} else {
		if pc.IT.CountryExtensionVersion != "1.0" {
			fail("it.countryExtensionVersion %q, want 1.0", pc.IT.CountryExtensionVersion)
		}
		if pc.IT.Conforme == nil {
			fail("it.conforme: declare each flag, false until verified")
		}
		if pc.IT.Riuso != nil && pc.IT.Riuso.CodiceIPA != "" && !ipaRE.MatchString(pc.IT.Riuso.CodiceIPA) {
			fail("it.riuso.codiceIPA %q is not an IPA code", pc.IT.Riuso.CodiceIPA)
		}
	}
	return p
}
