package cartapdf

import (
	"encoding/binary"
	"errors"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"
)

// Fonts are the TrueType files embedded in every PDF: Titillium Web, the Designers Italia
// typeface (web.PDFFonts reads them from the binary).
type Fonts struct {
	Regular, Bold, Italic []byte
}

func (f Fonts) ok() bool { return len(f.Regular) > 0 && len(f.Bold) > 0 && len(f.Italic) > 0 }

// coverage is the set of BMP runes a font has glyphs for. fpdf indexes a 65,536-entry width
// table by rune (a rune beyond it panics) and prints an empty box for a rune the font lacks,
// so every string is cleaned against this set before it reaches fpdf.
type coverage struct {
	ranges [][2]rune // inclusive, sorted
}

func (c *coverage) has(r rune) bool {
	lo, hi := 0, len(c.ranges)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < c.ranges[m][0]:
			hi = m
		case r > c.ranges[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

var (
	coverageMu    sync.Mutex
	coverageCache = map[*byte]*coverage{}
)

// fontCoverage reads the format 4 (BMP) subtable of the font's cmap. The result is cached by
// the font's backing array: the same embedded bytes serve every request.
func fontCoverage(ttf []byte) (*coverage, error) {
	if len(ttf) == 0 {
		return nil, errors.New("empty font")
	}
	coverageMu.Lock()
	defer coverageMu.Unlock()
	if c, ok := coverageCache[&ttf[0]]; ok {
		return c, nil
	}
	c, err := parseCmap(ttf)
	if err != nil {
		return nil, err
	}
	coverageCache[&ttf[0]] = c
	return c, nil
}

var errBadFont = errors.New("font: not a TrueType font with a Unicode BMP cmap")

func parseCmap(b []byte) (*coverage, error) {
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint16(b[off:])), true
	}
	u32 := func(off int) (int, bool) {
		if off < 0 || off+4 > len(b) {
			return 0, false
		}
		return int(binary.BigEndian.Uint32(b[off:])), true
	}
	numTables, ok := u16(4)
	if !ok {
		return nil, errBadFont
	}
	cmap := -1
	for i := range numTables {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil, errBadFont
		}
		if string(b[rec:rec+4]) == "cmap" {
			cmap, _ = u32(rec + 8)
			break
		}
	}
	if cmap < 0 {
		return nil, errBadFont
	}
	n, ok := u16(cmap + 2)
	if !ok {
		return nil, errBadFont
	}
	sub := -1
	for i := range n {
		rec := cmap + 4 + 8*i
		pid, _ := u16(rec)
		eid, _ := u16(rec + 2)
		off, ok := u32(rec + 4)
		if !ok {
			return nil, errBadFont
		}
		if (pid == 3 && eid == 1) || (pid == 0 && eid <= 3) {
			if f, _ := u16(cmap + off); f == 4 {
				sub = cmap + off
				break
			}
		}
	}
	if sub < 0 {
		return nil, errBadFont
	}
	segX2, ok := u16(sub + 6)
	if !ok || segX2 == 0 {
		return nil, errBadFont
	}
	seg := segX2 / 2
	ends, starts := sub+14, sub+16+segX2
	c := &coverage{}
	for i := range seg {
		end, ok1 := u16(ends + 2*i)
		start, ok2 := u16(starts + 2*i)
		if !ok1 || !ok2 {
			return nil, errBadFont
		}
		if start == 0xFFFF {
			continue
		}
		c.ranges = append(c.ranges, [2]rune{rune(start), rune(end)})
	}
	return c, nil
}

// fallbacks spell out characters a Latin web font commonly lacks.
var fallbacks = map[rune]string{
	'≥': ">=", '≤': "<=", '≠': "!=", '→': "->", '←': "<-", '⇒': "=>", '✓': "v", '✔': "v",
	'✗': "x", '☐': "[ ]", '☑': "[x]", '…': "...", '−': "-", '×': "x", '‐': "-", '‑': "-",
	'“': "\"", '”': "\"", '„': "\"", '‘': "'", '’': "'", '‚': ",", '•': "-", '·': "-",
	'–': "-", '—': "-", '«': "\"", '»': "\"", '€': "EUR", '\u00a0': " ",
}

// glyphs is what every style of the family can print: a rune is used only when the regular,
// bold and italic files all have it, so switching style never turns a character into a box.
type glyphs []*coverage

func (g glyphs) has(r rune) bool {
	for _, c := range g {
		if !c.has(r) {
			return false
		}
	}
	return len(g) > 0
}

func newGlyphs(f Fonts) (glyphs, error) {
	var g glyphs
	for _, b := range [][]byte{f.Regular, f.Bold, f.Italic} {
		c, err := fontCoverage(b)
		if err != nil {
			return nil, err
		}
		g = append(g, c)
	}
	return g, nil
}

// clean makes s printable with the font: composed accents (NFC), no control or invisible
// characters, and characters outside the font replaced by a spelled-out fallback or dropped
// (emoji) — never a silent box.
func (c glyphs) clean(s string) string {
	s = norm.NFC.String(s)
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			sb.WriteRune(r)
			continue
		case r == '\t' || r == '\r' || r == '\u2028' || r == '\u2029':
			sb.WriteByte(' ')
			continue
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u00ad' || (r >= 0x200b && r <= 0x200f) || r == '\ufeff':
			continue
		}
		if r <= 0xFFFF && c.has(r) {
			sb.WriteRune(r)
			continue
		}
		if fb, ok := fallbacks[r]; ok {
			sb.WriteString(fb)
			continue
		}
		if r > 0xFFFF || (r >= 0x2600 && r <= 0x27BF) || (r >= 0xFE00 && r <= 0xFE0F) {
			continue // emoji, pictographs and their variation selectors carry no words
		}
		sb.WriteByte('?')
	}
	return sb.String()
}
