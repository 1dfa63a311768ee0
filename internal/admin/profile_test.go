package admin

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProfileValidation(t *testing.T) {
	t.Parallel()
	ok := ProfileInput{
		LegalAddress: "Via Roma 1", PostalCode: "00100", City: "Roma", Province: "rm",
		Phone: "+39 06 1234567", Email: "a@comune.example.it", PEC: "b@pec.example.it",
		WebsiteURL: "https://www.example.it", AccessibilityURL: "https://form.agid.gov.it/view/x",
		PrivacyURL: "https://www.example.it/privacy",
	}
	ok.Social[0].Network, ok.Social[0].URL = "x", "https://x.com/comune"
	require.Empty(t, ok.Validate())
	require.Equal(t, "RM", ok.Province)
	require.Empty(t, (&ProfileInput{}).Validate(), "every field is optional")

	cases := map[string]func(*ProfileInput){
		"email":             func(p *ProfileInput) { p.Email = "a@b" },
		"pec":               func(p *ProfileInput) { p.PEC = "Nome <b@pec.example.it>" },
		"website_url":       func(p *ProfileInput) { p.WebsiteURL = "http://www.example.it" },
		"privacy_url":       func(p *ProfileInput) { p.PrivacyURL = "https://user:pw@www.example.it" },
		"accessibility_url": func(p *ProfileInput) { p.AccessibilityURL = "https://form.agid.gov.it.evil.it/view/x" },
		"province":          func(p *ProfileInput) { p.Province = "R1" },
		"postal_code":       func(p *ProfileInput) { p.PostalCode = "0010a" },
		"phone":             func(p *ProfileInput) { p.Phone = "chiamaci" },
		"legal_address":     func(p *ProfileInput) { p.LegalAddress = string(bytes.Repeat([]byte("a"), 201)) },
		"social_network_2":  func(p *ProfileInput) { p.Social[2].Network, p.Social[2].URL = "myspace", "https://myspace.com/x" },
		"social_url_3":      func(p *ProfileInput) { p.Social[3].Network = "facebook" },
		"social_url_4":      func(p *ProfileInput) { p.Social[4].Network, p.Social[4].URL = "facebook", "javascript:alert(1)" },
	}
	for field, spoil := range cases {
		in := ok
		spoil(&in)
		errs := in.Validate()
		require.Contains(t, errs, field, field)
		require.Len(t, errs, 1, field)
	}
}

func TestCheckLogo(t *testing.T) {
	t.Parallel()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	ct, msg := checkLogo(png)
	require.Equal(t, "image/png", ct)
	require.Empty(t, msg)
	_, msg = checkLogo([]byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
	require.Empty(t, msg)
	_, msg = checkLogo([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	require.Empty(t, msg)
	_, msg = checkLogo([]byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`))
	require.Contains(t, msg, "SVG")
	_, msg = checkLogo(nil)
	require.NotEmpty(t, msg)
	_, msg = checkLogo(append(png, make([]byte, MaxLogoBytes)...))
	require.Contains(t, msg, "1 MB")
}
