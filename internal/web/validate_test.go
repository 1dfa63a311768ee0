package web_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/web"
)

type vcase struct {
	in, want, msg string
}

func runValidator(t *testing.T, f func(string) (string, string), cases []vcase) {
	t.Helper()
	for _, tc := range cases {
		got, msg := f(tc.in)
		require.Equal(t, tc.msg, msg, "message for %q", tc.in)
		if tc.msg == "" {
			require.Equal(t, tc.want, got, "normalized %q", tc.in)
		}
	}
}

// The valid codes below were computed by hand with the official odd/even tables (and
// cross-checked with an independent implementation), not with the code under test.
func TestCodiceFiscale(t *testing.T) {
	t.Parallel()
	form, check := web.MsgCodiceFiscaleForm, web.MsgCodiceFiscaleCheck
	runValidator(t, web.CodiceFiscale, []vcase{
		{"", "", ""},
		{"   ", "", ""},
		{"RSSMRA85T10A562S", "RSSMRA85T10A562S", ""},
		{"VRDGPP80A01H501U", "VRDGPP80A01H501U", ""},
		// A woman born on the 5th: day 45.
		{"BNCLRA90M45F205M", "BNCLRA90M45F205M", ""},
		// The highest day of a woman: 31 + 40.
		{"BNCLRA90M71F205C", "BNCLRA90M71F205C", ""},
		// Omocodia: the last digit 2 replaced by N, then also the day's 0 by L.
		{"RSSMRA85T10A56NH", "RSSMRA85T10A56NH", ""},
		{"RSSMRA85T1LA56NK", "RSSMRA85T1LA56NK", ""},
		// Every digit replaced.
		{"RSSMRAURTMLARNSY", "RSSMRAURTMLARNSY", ""},
		// Lower case, spaces inside and around are accepted and normalized.
		{"  rssmra85t10a562s ", "RSSMRA85T10A562S", ""},
		{"RSS MRA 85T10 A562S", "RSSMRA85T10A562S", ""},
		{"bnclra90m45f205m", "BNCLRA90M45F205M", ""},
		// Wrong check character.
		{"RSSMRA85T10A562T", "", check},
		{"VRDGPP80A01H501A", "", check},
		{"RSSMRA85T10A56NS", "", check}, // omocodia changes the check character
		// Wrong lengths.
		{"RSSMRA85T10A562", "", form},
		{"RSSMRA85T10A562SS", "", form},
		{"RSS", "", form},
		// Wrong shape.
		{"RSSMRA85X10A562S", "", form}, // X is no month
		{"RSSMRA85T32A562S", "", form}, // day 32
		{"RSSMRA85T00A562S", "", form}, // day 00
		{"RSSMRA85T72A562S", "", form}, // day 72
		{"RSSMRA85T35A562S", "", form}, // day 35 (between men's and women's)
		{"RSSMRA8AT10A562S", "", form}, // A is no omocodia letter
		{"RSSMR185T10A562S", "", form}, // digit among the name letters
		{"RSSMRA85T10A5625", "", form}, // digit as check character
		{"RSSMRA85T101562S", "", form}, // digit in the place of the comune's letter
		{"RSSMRÀ85T10A562S", "", form}, // not ASCII
		{"00488410010", "", form},      // an organisation's number: see PartitaIVA
		{"RSSMRA85T10A562S\x00", "", form},
	})
}

func TestPartitaIVA(t *testing.T) {
	t.Parallel()
	form, check := web.MsgPartitaIVAForm, web.MsgPartitaIVACheck
	runValidator(t, web.PartitaIVA, []vcase{
		{"", "", ""},
		{"00488410010", "00488410010", ""},
		{"07643520567", "07643520567", ""},
		{"02438750586", "02438750586", ""},
		{"00123456782", "00123456782", ""},
		{" 004 884 100 10 ", "00488410010", ""},
		{"IT00488410010", "00488410010", ""},
		{"it07643520567", "07643520567", ""},
		{"00488410011", "", check},
		{"07643520565", "", check},
		{"00000000000", "", check},
		{"0048841001", "", form},
		{"004884100100", "", form},
		{"0048841001A", "", form},
		{"RSSMRA85T10A562S", "", form},
	})
}

func TestEmail(t *testing.T) {
	t.Parallel()
	runValidator(t, web.Email, []vcase{
		{"", "", ""},
		{"maria.rossi@comune.cerveteri.rm.it", "maria.rossi@comune.cerveteri.rm.it", ""},
		{"  Maria.Rossi@Example.IT ", "Maria.Rossi@example.it", ""},
		{"m+reclami@example.it", "m+reclami@example.it", ""},
		{"nome@pec.città.it", "nome@pec.città.it", ""},
		{"nome@xn--citt-5qa.it", "nome@xn--citt-5qa.it", ""},
		{"maria", "", web.MsgEmail},
		{"maria@", "", web.MsgEmail},
		{"@example.it", "", web.MsgEmail},
		{"maria@example", "", web.MsgEmail},
		{"maria@example.i", "", web.MsgEmail},
		{"maria@-example.it", "", web.MsgEmail},
		{"maria@example..it", "", web.MsgEmail},
		{"maria@@example.it", "", web.MsgEmail},
		{"maria rossi@example.it", "", web.MsgEmail},
		{"Maria <maria@example.it>", "", web.MsgEmail},
		{"maria@example.it, luca@example.it", "", web.MsgEmail},
		{"maria@example.it\nBcc: x@example.it", "", web.MsgEmail},
		{strings.Repeat("a", 65) + "@example.it", "", web.MsgEmail},
		{"a@" + strings.Repeat("b", 250) + ".it", "", web.MsgEmail},
	})
}

func TestPhone(t *testing.T) {
	t.Parallel()
	runValidator(t, web.Phone, []vcase{
		{"", "", ""},
		{"06 8961 1", "+390689611", ""},
		{"06.89.61.1", "+390689611", ""},
		{"06-8961-1", "+390689611", ""},
		{"333 123 4567", "+393331234567", ""},
		{"+39 333 1234567", "+393331234567", ""},
		{"0039 06 8961 1", "+390689611", ""},
		{"+390612345678", "+390612345678", ""},
		{" 3331234567 ", "+393331234567", ""},
		{"0612345", "+390612345", ""},             // seven digits, a small comune's line
		{"061234", "+39061234", ""},               // six digits: the shortest
		{"0612345678901", "+390612345678901", ""}, // thirteen digits: the longest
		{"06123", "", web.MsgPhone},               // five digits
		{"06123456789012", "", web.MsgPhone},      // fourteen digits
		{"800 123 456", "", web.MsgPhone},         // neither fixed nor mobile
		{"+44 20 7946 0958", "", web.MsgPhone},    // not Italian
		{"+39 800123456", "", web.MsgPhone},       // not Italian fixed or mobile
		{"06/89611", "", web.MsgPhone},            // only spaces, dots and dashes
		{"(06) 89611", "", web.MsgPhone},
		{"333 123 4567 int. 2", "", web.MsgPhone},
		{"06 8961+1", "", web.MsgPhone},
		{"tre tre tre", "", web.MsgPhone},
		{"٠٦٨٩٦١١", "", web.MsgPhone}, // digits of another script
		{"+39", "", web.MsgPhone},
	})
}

func TestURL(t *testing.T) {
	t.Parallel()
	runValidator(t, web.URL, []vcase{
		{"", "", ""},
		{"https://www.comune.cerveteri.rm.it", "https://www.comune.cerveteri.rm.it", ""},
		{" HTTPS://WWW.Example.IT/Pagina?a=1#x ", "https://www.example.it/Pagina?a=1#x", ""},
		{"http://example.it:8080/a", "http://example.it:8080/a", ""},
		{"http://192.0.2.1/x", "http://192.0.2.1/x", ""},
		{"www.example.it", "", web.MsgURL},
		{"/percorso/relativo", "", web.MsgURL},
		{"ftp://example.it/file", "", web.MsgURL},
		{"javascript:alert(1)", "", web.MsgURL},
		{"mailto:maria@example.it", "", web.MsgURL},
		{"https://", "", web.MsgURL},
		{"https:///solo-percorso", "", web.MsgURL},
		{"https://utente:segreto@example.it/", "", web.MsgURL},
		{"https://example.it/con spazio", "", web.MsgURL},
		{"https://exa mple.it/", "", web.MsgURL},
		{"https://example/", "", web.MsgURL},
		{"https://example.it/\x00", "", web.MsgURL},
	})
}

func TestText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in       string
		min, max int
		want     string
		msg      string
	}{
		{"", 10, 100, "", ""},
		{" \n\t ", 10, 100, "", ""},
		{"Lo sportello era chiuso.", 10, 100, "Lo sportello era chiuso.", ""},
		{"  riga uno\r\nriga due\rriga tre\n\ttab  ", 1, 100, "riga uno\nriga due\nriga tre\n\ttab", ""},
		// Runes, not bytes: ten "è" are ten characters (twenty bytes).
		{strings.Repeat("è", 10), 10, 10, strings.Repeat("è", 10), ""},
		{strings.Repeat("è", 11), 1, 10, "", "Il testo è troppo lungo: puoi scrivere al massimo 10 caratteri (ora sono 11)."},
		{"breve", 10, 100, "", "Il testo è troppo breve: scrivi almeno 10 caratteri."},
		{"", 1, 0, "", ""},
		{"x", 2, 0, "", "Il testo è troppo breve: scrivi almeno 2 caratteri."},
		{"xy", 0, 1, "", "Il testo è troppo lungo: puoi scrivere al massimo 1 carattere (ora sono 2)."},
		{strings.Repeat("a", 5000), 1, 0, strings.Repeat("a", 5000), ""}, // max 0: no upper limit
		// A CRLF counts as one character, as the browser's counter shows it.
		{"ab\r\ncd", 1, 5, "ab\ncd", ""},
		{"campanello\x07", 1, 100, "", web.MsgTextControl},
		{"a\x00b", 1, 100, "", web.MsgTextControl},
		{"a\x1bb", 1, 100, "", web.MsgTextControl},
		{"a\u0085b", 1, 100, "", web.MsgTextControl}, // C1 control
		{"a\x7fb", 1, 100, "", web.MsgTextControl},
		{"ciao \xff\xfe", 1, 100, "", web.MsgTextInvalidUTF8},
		{"\xc3", 0, 100, "", web.MsgTextInvalidUTF8},
	}
	for _, tc := range cases {
		got, msg := web.Text(tc.in, tc.min, tc.max)
		require.Equal(t, tc.msg, msg, "%q", tc.in)
		if tc.msg == "" {
			require.Equal(t, tc.want, got, "%q", tc.in)
		}
	}
}
