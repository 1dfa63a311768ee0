package cartapdf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/itlang"
)

// rome is the time zone of every date printed.
var rome = itlang.Rome

// dateIT formats t as "2 gennaio 2026", the first of the month as "1º gennaio 2026", in
// Italian time.
func dateIT(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return itlang.Date(t)
}

// datePrep joins an articulated preposition with t: datePrep("del", t) is "del 12 marzo 2026",
// "dell'8 marzo 2026" or "del 1º marzo 2026"; datePrep("il", t) is "il 12 marzo 2026" or
// "l'8 marzo 2026".
func datePrep(prep string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if prep == "il" {
		if d := t.In(itlang.Rome).Day(); d == 8 || d == 11 {
			return "l'" + itlang.Date(t)
		}
		return "il " + itlang.Date(t)
	}
	return itlang.DatePrep(prep, t)
}

// versionOf is "versione 3 del 12 marzo 2026".
func versionOf(n int, t time.Time) string {
	return strings.TrimSpace(fmt.Sprintf("versione %d %s", n, datePrep("del", t)))
}

// parseDay reads a "2006-01-02" date in Italian time.
func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, rome)
	return t, err == nil
}

// dayIT formats a "2006-01-02" date as "2 gennaio 2026"; anything else is returned as is.
func dayIT(s string) string {
	t, ok := parseDay(s)
	if !ok {
		return s
	}
	return dateIT(t)
}

// dayPrep is datePrep for a "2006-01-02" date: dayPrep("dal", "2026-08-01") is "dal 1º agosto
// 2026"; anything unreadable is written after the simple preposition as is.
func dayPrep(prep, s string) string {
	t, ok := parseDay(s)
	if !ok {
		return prep + " " + s
	}
	return datePrep(prep, t)
}

var (
	giorni      = [...]string{"", "Lunedì", "Martedì", "Mercoledì", "Giovedì", "Venerdì", "Sabato", "Domenica"}
	giorniBrevi = [...]string{"", "lun", "mar", "mer", "gio", "ven", "sab", "dom"}
)

// clock turns "09:00" into "9:00", as Italians write hours.
func clock(s string) string {
	if len(s) == 5 && s[0] == '0' {
		return s[1:]
	}
	return s
}

// daySchedules returns, for each ISO weekday 1..7, its intervals as "9:00–12:00, 15:30–17:30"
// ("" when closed).
func daySchedules(hours []catalog.Interval) [8]string {
	sorted := slices.Clone(hours)
	slices.SortStableFunc(sorted, func(a, b catalog.Interval) int {
		if a.Weekday != b.Weekday {
			return a.Weekday - b.Weekday
		}
		return strings.Compare(a.Opens, b.Opens)
	})
	var days [8][]string
	for _, h := range sorted {
		if h.Weekday >= 1 && h.Weekday <= 7 {
			days[h.Weekday] = append(days[h.Weekday], clock(h.Opens)+"–"+clock(h.Closes))
		}
	}
	var out [8]string
	for d := 1; d <= 7; d++ {
		out[d] = strings.Join(days[d], ", ")
	}
	return out
}

// weeklyHours lists each open day on its own line: "Lunedì: 9:00–12:00".
func weeklyHours(hours []catalog.Interval) []string {
	days := daySchedules(hours)
	var out []string
	for d := 1; d <= 7; d++ {
		if days[d] != "" {
			out = append(out, giorni[d]+": "+days[d])
		}
	}
	return out
}

// compactHours folds days with the same hours together for the guida sintetica:
// "lun–ven 9:00–12:00; mar, gio anche 15:30–17:30" would be clever, but a plain grouping reads
// unambiguously: "lun, mer, ven 9:00–12:00 · mar, gio 9:00–12:00, 15:30–17:30".
func compactHours(hours []catalog.Interval) string {
	days := daySchedules(hours)
	var order []string
	groups := map[string][]int{}
	for d := 1; d <= 7; d++ {
		if days[d] == "" {
			continue
		}
		if _, ok := groups[days[d]]; !ok {
			order = append(order, days[d])
		}
		groups[days[d]] = append(groups[days[d]], d)
	}
	parts := make([]string, 0, len(order))
	for _, sched := range order {
		parts = append(parts, dayList(groups[sched])+" "+sched)
	}
	return strings.Join(parts, " · ")
}

// dayList names days, folding runs of three or more: [1 2 3 4 5] → "lun–ven".
func dayList(days []int) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, giorniBrevi[days[i]]+"–"+giorniBrevi[days[j]])
		default:
			for k := i; k <= j; k++ {
				parts = append(parts, giorniBrevi[days[k]])
			}
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// exceptionText describes a closure or special hours.
func exceptionText(e catalog.Exception) string {
	when := dayIT(e.From)
	if e.To != "" && e.To != e.From {
		when = dayPrep("dal", e.From) + " " + dayPrep("al", e.To)
	}
	var s string
	if e.Closed {
		s = when + ": chiuso"
	} else {
		s = when + ": aperto " + clock(e.Opens) + "–" + clock(e.Closes)
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// address joins an office's address lines.
func address(o catalog.Office) string {
	city := strings.TrimSpace(strings.TrimSpace(o.PostalCode) + " " + strings.TrimSpace(o.City))
	return joinNonEmpty(", ", o.Address, city)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// number formats a target value the Italian way: 7, 7,5, 90.
func number(f float64) string {
	return strings.Replace(strconv.FormatFloat(f, 'f', -1, 64), ".", ",", 1)
}

// target states a standard's target in words, so that its direction is never ambiguous.
func target(s catalog.Standard) string {
	if s.Target == nil {
		return ""
	}
	v := number(*s.Target)
	if s.Unit != "" {
		if s.Unit == "%" {
			v += "%"
		} else {
			v += " " + s.Unit
		}
	}
	if s.HigherIsBetter {
		return "almeno " + v
	}
	return "al massimo " + v
}

func costLabel(kind string) string {
	for _, k := range catalog.CostKinds {
		if k.Key == kind {
			return k.Label
		}
	}
	return ""
}

func statusLabel(s catalog.Service) string {
	switch s.Status {
	case "sospeso":
		if s.StatusReason != "" {
			return "Sospeso: " + s.StatusReason
		}
		return "Sospeso"
	case "attivo", "":
		return "Attivo"
	}
	return s.Status
}

// personLine is "Nome Cognome, ruolo".
func personLine(p catalog.Person) string {
	return joinNonEmpty(", ", p.Name, p.RoleTitle)
}

// contactLine is "tel. 06 123 · email x@y".
func contactLine(phone, email, pec string) string {
	var parts []string
	if phone != "" {
		parts = append(parts, "tel. "+phone)
	}
	if email != "" {
		parts = append(parts, "e-mail "+email)
	}
	if pec != "" {
		parts = append(parts, "PEC "+pec)
	}
	return strings.Join(parts, " · ")
}
