package catalogio

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// clean is what every cell goes through before validation: line breaks made \n (Excel writes
// \r\n, and browsers submit textareas with \r\n, so a stored draft may hold either), control
// characters other than tab and line break dropped, surrounding blanks trimmed.
func clean(v string) string {
	if strings.ContainsRune(v, '\r') {
		v = strings.ReplaceAll(v, "\r\n", "\n")
		v = strings.ReplaceAll(v, "\r", "\n")
	}
	if strings.IndexFunc(v, isDroppedControl) >= 0 {
		v = strings.Map(func(r rune) rune {
			if isDroppedControl(r) {
				return -1
			}
			return r
		}, v)
	}
	return strings.TrimSpace(v)
}

func isDroppedControl(r rune) bool {
	return (unicode.IsControl(r) && r != '\n' && r != '\t') || r == '\uFEFF'
}

// fold makes a value comparable the way people mean it: lower case, accents removed, curly
// apostrophes straightened, runs of blanks made one space ("Mobilita  sostenibile" matches
// "Mobilità sostenibile").
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.NewReplacer("’", "'", "‘", "'", "`", "'", "´", "'").Replace(out)
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// MaxSlugLen is the longest slug the services table accepts.
const MaxSlugLen = 120

// validSlug reports whether s can be a service's slug.
func validSlug(s string) bool { return len(s) <= MaxSlugLen && slugRE.MatchString(s) }

// slugify turns a title into a slug, Italian accents folded ("Attività per l'infanzia" →
// "attivita-per-l-infanzia"). Room is left for a "-NN" suffix that makes it unique.
func slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range fold(title) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	const room = MaxSlugLen - 10
	if len(s) > room {
		s = s[:room]
		if i := strings.LastIndexByte(s, '-'); i > room/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	if s == "" {
		s = "servizio"
	}
	return s
}

// uniqueSlug returns base, or base-2, base-3, ... whichever is not taken, and marks it taken.
func uniqueSlug(base string, taken map[string]bool) string {
	s := base
	for n := 2; taken[s]; n++ {
		s = base + "-" + strconv.Itoa(n)
	}
	taken[s] = true
	return s
}

// splitList splits a cell holding several values on any of seps and on line breaks, trimming
// each value and dropping empty ones.
func splitList(v string, seps string) []string {
	f := strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || strings.ContainsRune(seps, r) })
	out := make([]string, 0, len(f))
	for _, s := range f {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
