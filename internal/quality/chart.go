package quality

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

// Charts are drawn on the server as SVG, so that the dashboard and the report show them with
// no script. Each bar carries its value as text and the chart has a text alternative (and the
// page the same figures as a table): nothing is told by colour alone.

// Bar is one bar: a label under it and a value, shown above it ("n.d." bars are empty).
type Bar struct {
	Label string
	Value float64
	Text  string // what is written above the bar
}

// MonthBars are the twelve months, gen to dic, filled from value.
func MonthBars(value func(m time.Month) (float64, string)) []Bar {
	out := make([]Bar, 0, 12)
	for m := time.January; m <= time.December; m++ {
		v, text := value(m)
		out = append(out, Bar{Label: monthShort(m), Value: v, Text: text})
	}
	return out
}

func monthShort(m time.Month) string {
	return []string{"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"}[m-1]
}

// BarChart draws bars in an SVG of its own size, scaled to max (the largest value when 0),
// titled for assistive technologies.
func BarChart(title string, bars []Bar, max float64) template.HTML {
	const w, h, top, bottom, gap = 640, 220, 24, 28, 8
	if max <= 0 {
		for _, b := range bars {
			max = maxf(max, b.Value)
		}
	}
	if max <= 0 {
		max = 1
	}
	var alt []string
	var sb strings.Builder
	n := len(bars)
	if n == 0 {
		n = 1
	}
	bw := (w - gap*(n+1)) / n
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="quality-chart" role="img" aria-labelledby="%s">`, w, h, chartID(title))
	fmt.Fprintf(&sb, `<title id="%s">%s</title>`, chartID(title), template.HTMLEscapeString(title))
	fmt.Fprintf(&sb, `<line x1="0" y1="%d" x2="%d" y2="%d" stroke="#5c6f82" stroke-width="1"/>`, h-bottom, w, h-bottom)
	for i, b := range bars {
		x := gap + i*(bw+gap)
		bh := int((b.Value / max) * float64(h-top-bottom))
		y := h - bottom - bh
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#0066cc"/>`, x, y, bw, bh)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="#1a1a1a">%s</text>`, x+bw/2, y-6, template.HTMLEscapeString(b.Text))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="middle" font-size="12" fill="#1a1a1a">%s</text>`, x+bw/2, h-bottom+18, template.HTMLEscapeString(b.Label))
		alt = append(alt, b.Label+": "+b.Text)
	}
	sb.WriteString(`<desc>` + template.HTMLEscapeString(strings.Join(alt, "; ")) + `</desc></svg>`)
	return template.HTML(sb.String()) //nolint:gosec // every text in it is escaped above
}

func chartID(title string) string {
	var b strings.Builder
	b.WriteString("grafico-")
	for _, r := range strings.ToLower(title) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}
