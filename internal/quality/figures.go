package quality

import (
	"fmt"
	"math"
	"strings"
)

// MinCases is the sample below which a rate or a mean is not shown: "n.d." (DOMAIN.md).
const MinCases = 5

// NotAvailable is what a figure over fewer than MinCases cases shows.
const NotAvailable = "n.d."

// Rate is a share: Num of Den cases.
type Rate struct{ Num, Den int }

// Known reports whether the rate has enough cases to be shown.
func (r Rate) Known() bool { return r.Den >= MinCases }

// Value is the share in percent (0 when Den is 0).
func (r Rate) Value() float64 {
	if r.Den == 0 {
		return 0
	}
	return 100 * float64(r.Num) / float64(r.Den)
}

// String is the percentage as Italian readers write it ("73%", "66,7%"), or "n.d.".
func (r Rate) String() string {
	if !r.Known() {
		return NotAvailable
	}
	return decimal(r.Value(), 1) + "%"
}

// Mean is an average of N values summing to Sum.
type Mean struct {
	Sum float64
	N   int
}

// Known reports whether the mean has enough cases to be shown.
func (m Mean) Known() bool { return m.N >= MinCases }

// Value is the mean (0 when N is 0).
func (m Mean) Value() float64 {
	if m.N == 0 {
		return 0
	}
	return m.Sum / float64(m.N)
}

// String is the mean with one decimal and a comma ("3,8"), or "n.d.".
func (m Mean) String() string {
	if !m.Known() {
		return NotAvailable
	}
	return decimal(m.Value(), 1)
}

// decimal formats v with digits decimals, an Italian comma, and no trailing ",0".
func decimal(v float64, digits int) string {
	p := math.Pow(10, float64(digits))
	v = math.Round(v*p) / p
	s := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.*f", digits, v), "0"), ".")
	return strings.Replace(s, ".", ",", 1)
}

// Change is the difference between this year's figure and last year's, "n.d." when either is
// not known: percentage points for rates, units for means and counts.
type Change struct {
	Delta float64
	Known bool
	Unit  string // "punti", "" for means
}

// String is the signed change ("+4,2 punti", "−0,3", "=").
func (c Change) String() string {
	if !c.Known {
		return NotAvailable
	}
	d := math.Round(c.Delta*10) / 10
	var s string
	switch {
	case d > 0:
		s = "+" + decimal(d, 1)
	case d < 0:
		s = "−" + decimal(-d, 1)
	default:
		return "invariato"
	}
	if c.Unit != "" {
		s += " " + c.Unit
	}
	return s
}

// RateChange compares two rates in percentage points.
func RateChange(now, before Rate) Change {
	return Change{Delta: now.Value() - before.Value(), Known: now.Known() && before.Known(), Unit: "punti"}
}

// MeanChange compares two means.
func MeanChange(now, before Mean) Change {
	return Change{Delta: now.Value() - before.Value(), Known: now.Known() && before.Known()}
}

// CountChange compares two counts (always known).
func CountChange(now, before int) Change {
	return Change{Delta: float64(now - before), Known: true}
}
