package catalog

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// foldTable maps the accented letters of Italian (and of the names of its linguistic
// minorities and of foreign places met in services' titles) to plain ASCII, so that
// "Attività per l'età evolutiva" becomes "attivita-per-l-eta-evolutiva".
var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'ā': "a",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i",
	'ò': "o", 'ó': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'ō': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u",
	'ç': "c", 'ć': "c", 'č': "c", 'ñ': "n", 'ń': "n", 'š': "s", 'ś': "s", 'ž': "z", 'ź': "z", 'ż': "z",
	'ý': "y", 'ÿ': "y", 'ł': "l", 'đ': "d", 'ß': "ss", 'æ': "ae", 'œ': "oe",
}

// foldASCII lower-cases s and replaces accented letters with their plain form; other
// non-ASCII characters are dropped.
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case foldTable[r] != "":
			b.WriteString(foldTable[r])
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// Slugify turns a title into a URL slug: lower-case ASCII letters and digits separated by
// single hyphens, at most max characters, cut at a word boundary when possible.
func Slugify(title string, max int) string {
	words := strings.FieldsFunc(foldASCII(title), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	var b strings.Builder
	for _, w := range words {
		extra := len(w)
		if b.Len() > 0 {
			extra++
		}
		if b.Len()+extra > max {
			if b.Len() == 0 {
				b.WriteString(w[:max])
			}
			break
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(w)
	}
	return b.String()
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s is a slug as the schema accepts it (at most max characters).
func ValidSlug(s string, max int) bool { return len(s) <= max && slugRE.MatchString(s) }

// withSuffix returns base with "-n" appended, shortened so the whole fits in max.
func withSuffix(base string, n, max int) string {
	suf := "-" + strconv.Itoa(n)
	if len(base)+len(suf) > max {
		base = strings.TrimRight(base[:max-len(suf)], "-")
	}
	return base + suf
}

var codeRE = regexp.MustCompile(`^[A-Z0-9_-]{2,20}$`)

// ValidCategoryCode reports whether s is a category code as the schema accepts it.
func ValidCategoryCode(s string) bool { return codeRE.MatchString(s) }

// CategoryCodeFrom builds a category code from a name: upper-case words joined by hyphens,
// at most 20 characters ("Giovani e adolescenti" → "GIOVANI-E").
func CategoryCodeFrom(name string) string {
	c := strings.ToUpper(Slugify(name, 20))
	if len(c) < 2 {
		c = "CAT"
	}
	return c
}
