package web

// The shared validators of citizen forms (reclami, segnalazioni, valutazioni, questionari).
// Each takes what the person typed and returns the normalized value to store and an Italian
// message to show next to the field, "" when the value is fine. An empty value is never an
// error here: whether a field is required is the caller's decision, so every validator returns
// ("", "") for an input that is empty once trimmed. None of them reads the request: they are
// plain functions, usable from use cases and imports as well as from handlers.

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages of the validators, exported so that tests and pages can refer to them.
const (
	MsgCodiceFiscaleForm  = "Il codice fiscale deve avere 16 caratteri: 6 lettere, 2 numeri, 1 lettera, 2 numeri, 1 lettera, 3 numeri e 1 lettera finale."
	MsgCodiceFiscaleCheck = "Il codice fiscale non è valido: controlla di averlo scritto bene (l'ultimo carattere non corrisponde)."
	MsgPartitaIVAForm     = "La partita IVA deve avere 11 cifre."
	MsgPartitaIVACheck    = "La partita IVA non è valida: controlla di averla scritta bene (l'ultima cifra non corrisponde)."
	MsgEmail              = "Scrivi un indirizzo email valido, per esempio nome@esempio.it."
	MsgPhone              = "Scrivi un numero di telefono italiano: un fisso che inizia con 0 o un cellulare che inizia con 3, con o senza +39."
	MsgURL                = "Scrivi un indirizzo web completo, che inizi con https:// o http://, per esempio https://www.esempio.it."
	MsgTextInvalidUTF8    = "Il testo contiene caratteri non leggibili: riscrivilo e riprova."
	MsgTextControl        = "Il testo contiene caratteri non ammessi: cancellali e riprova."
)

// omocodia maps the letters that replace digits in a codice fiscale given to a second person
// with the same data (L=0, M=1, ... V=9).
const omocodia = "LMNPQRSTUV"

// cfDigitPositions are the 0-based positions of the digits that omocodia may replace.
var cfDigitPositions = [...]int{6, 7, 9, 10, 12, 13, 14}

// cfOdd is the value of each character in an odd (1st, 3rd, ...) position: digits share the
// value of the letter of the same rank (0 as A, 1 as B, ...).
var cfOdd = [26]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

// CodiceFiscale checks a person's codice fiscale. It trims it, removes spaces and upper-cases
// it, checks the 16-character form (month letter among ABCDEHLMPRST, day 01-31 or 41-71 for
// women, omocodia letters in place of digits) and the check character of the official odd and
// even tables. It returns the normalized code and "" when valid. The 11-digit numeric code of
// organisations is a partita IVA: see PartitaIVA.
func CodiceFiscale(s string) (normalized, msg string) {
	cf := strings.ToUpper(removeSpaces(s))
	if cf == "" {
		return "", ""
	}
	if !cfForm(cf) {
		return cf, MsgCodiceFiscaleForm
	}
	if cf[15] != cfCheck(cf[:15]) {
		return cf, MsgCodiceFiscaleCheck
	}
	return cf, ""
}

// cfForm reports whether cf (upper case) has the shape of a codice fiscale.
func cfForm(cf string) bool {
	if len(cf) != 16 {
		return false
	}
	digits := [16]bool{}
	for _, p := range cfDigitPositions {
		digits[p] = true
	}
	decoded := make([]byte, 16)
	for i := 0; i < 16; i++ {
		ch := cf[i]
		switch {
		case digits[i] && ch >= '0' && ch <= '9':
			decoded[i] = ch
		case digits[i] && strings.IndexByte(omocodia, ch) >= 0:
			decoded[i] = '0' + byte(strings.IndexByte(omocodia, ch))
		case !digits[i] && ch >= 'A' && ch <= 'Z':
			decoded[i] = ch
		default:
			return false
		}
	}
	if strings.IndexByte("ABCDEHLMPRST", decoded[8]) < 0 {
		return false
	}
	day := int(decoded[9]-'0')*10 + int(decoded[10]-'0')
	return (day >= 1 && day <= 31) || (day >= 41 && day <= 71)
}

// cfCheck computes the check character of the first 15 characters of a codice fiscale.
func cfCheck(first15 string) byte {
	sum := 0
	for i := 0; i < 15; i++ {
		ch := first15[i]
		v := int(ch - 'A')
		if ch >= '0' && ch <= '9' {
			v = int(ch - '0')
		}
		if i%2 == 0 { // 1st, 3rd, ... character
			sum += cfOdd[v]
		} else {
			sum += v
		}
	}
	return byte('A' + sum%26)
}

// PartitaIVA checks the 11-digit number of an organisation (its partita IVA, which is also its
// numeric codice fiscale): spaces are removed and an "IT" prefix is accepted and dropped; the
// last digit must be the check digit of the first ten (the Luhn rule).
func PartitaIVA(s string) (normalized, msg string) {
	p := strings.ToUpper(removeSpaces(s))
	if p == "" {
		return "", ""
	}
	p = strings.TrimPrefix(p, "IT")
	if len(p) != 11 || strings.Trim(p, "0123456789") != "" {
		return p, MsgPartitaIVAForm
	}
	if p == "00000000000" {
		return p, MsgPartitaIVACheck
	}
	sum := 0
	for i := 0; i < 10; i++ {
		d := int(p[i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	if int(p[10]-'0') != (10-sum%10)%10 {
		return p, MsgPartitaIVACheck
	}
	return p, ""
}

// Email checks one plain e-mail address (no display name, no angle brackets), at most 254
// characters, with a domain of at least two labels. The domain is lower-cased; the part
// before @ is kept as typed.
func Email(s string) (normalized, msg string) {
	e := strings.TrimSpace(s)
	if e == "" {
		return "", ""
	}
	if len(e) > 254 || !utf8.ValidString(e) || strings.ContainsAny(e, " \t\r\n\"<>()[],;\\") {
		return e, MsgEmail
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Name != "" || addr.Address != e {
		return e, MsgEmail
	}
	at := strings.LastIndexByte(e, '@')
	local, domain := e[:at], strings.ToLower(e[at+1:])
	if local == "" || len(local) > 64 || !validDomain(domain) {
		return e, MsgEmail
	}
	return local + "@" + domain, ""
}

// ValidEmail reports whether s is, as it is, an address Email accepts: for the forms that keep
// their own messages.
func ValidEmail(s string) bool {
	_, msg := Email(s)
	return msg == "" && s != "" && s == strings.TrimSpace(s)
}

// validDomain reports whether d is a host name of at least two labels: letters, digits and
// inner hyphens, a top-level label of at least two letters.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) && !strings.HasPrefix(tld, "xn--") {
			return false
		}
	}
	return true
}

// Phone checks an Italian telephone number: a fixed line starting with 0 or a mobile starting
// with 3, optionally after +39 or 0039, with spaces, dots and dashes between the digits, and
// 6 to 13 digits once those are removed. The normalized form is the international one without
// separators, "+39" and the digits ("+390689611", "+393331234567"), fit for tel: links.
func Phone(s string) (normalized, msg string) {
	p := strings.TrimSpace(s)
	if p == "" {
		return "", ""
	}
	var b strings.Builder
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-':
		case r == '+' && i == 0:
			b.WriteRune(r)
		default:
			return p, MsgPhone
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+39"):
		n = n[3:]
	case strings.HasPrefix(n, "+"):
		return p, MsgPhone
	case strings.HasPrefix(n, "0039"):
		n = n[4:]
	}
	if len(n) < 6 || len(n) > 13 || (n[0] != '0' && n[0] != '3') {
		return p, MsgPhone
	}
	return "+39" + n, ""
}

// URL checks an absolute http or https address with a host and without a user name or
// password in it (a classic way to disguise where a link goes). Scheme and host are
// lower-cased.
func URL(s string) (normalized, msg string) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return "", ""
	}
	if len(raw) > 2048 || !utf8.ValidString(raw) || strings.IndexFunc(raw, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0 {
		return raw, MsgURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Opaque != "" {
		return raw, MsgURL
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return raw, MsgURL
	}
	host := strings.ToLower(u.Hostname())
	if host == "" || (!validDomain(host) && !isIPLiteral(host) && host != "localhost") {
		return raw, MsgURL
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), ""
}

func isIPLiteral(h string) bool {
	if strings.Contains(h, ":") { // IPv6, brackets already removed by Hostname
		return strings.Trim(h, "0123456789abcdef:.") == ""
	}
	parts := strings.Split(h, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// Text checks free text (a complaint's description, a comment): it must be valid UTF-8 and
// hold no control character other than newline and tab. Line breaks are normalized to "\n"
// (browsers send "\r\n") and the text is trimmed; its length in characters (runes, so "è"
// counts one) must be between min and max, max <= 0 meaning no upper limit.
func Text(s string, min, max int) (normalized, msg string) {
	if !utf8.ValidString(s) {
		return "", MsgTextInvalidUTF8
	}
	t := strings.ReplaceAll(s, "\r\n", "\n")
	t = strings.ReplaceAll(t, "\r", "\n")
	t = strings.TrimSpace(t)
	if t == "" {
		return "", ""
	}
	for _, r := range t {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return t, MsgTextControl
		}
	}
	n := utf8.RuneCountInString(t)
	switch {
	case n < min:
		return t, fmt.Sprintf("Il testo è troppo breve: scrivi almeno %s.", characters(min))
	case max > 0 && n > max:
		return t, fmt.Sprintf("Il testo è troppo lungo: puoi scrivere al massimo %s (ora sono %d).", characters(max), n)
	}
	return t, ""
}

func characters(n int) string {
	if n == 1 {
		return "1 carattere"
	}
	return fmt.Sprintf("%d caratteri", n)
}

// removeSpaces drops every white-space character, inside as well as around s.
func removeSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
