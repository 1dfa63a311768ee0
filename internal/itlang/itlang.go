// Package itlang writes the small pieces of Italian that depend on the words around them:
// articulated prepositions before an ente's name ("del Comune di Cerveteri", "nell'Ambito
// di Putignano"), dates with the ordinal first of the month ("1º gennaio") and the elided
// article before 8 and 11 ("dell'8 marzo"), and times relative to today ("oggi alle 15:30").
//
// Every date is shown in Italian time (Europe/Rome), whatever the server's zone.
package itlang

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome must resolve in minimal containers too
	"unicode"
	"unicode/utf8"
)

// Rome is the time zone of every date shown to people.
var Rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Months are the Italian month names, January first.
var Months = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
	"agosto", "settembre", "ottobre", "novembre", "dicembre"}

// Weekdays are the Italian day names, Sunday first as in time.Weekday.
var Weekdays = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}

// gender of the head noun of an ente's name, by its first word (lower case).
var feminine = map[string]bool{
	"unione": true, "città": true, "citta": true, "azienda": true, "società": true, "societa": true,
	"comunità": true, "comunita": true, "provincia": true, "regione": true, "asl": true,
	"zona": true, "area": true, "federazione": true, "associazione": true, "cooperativa": true,
	"fondazione": true, "asp": true,
}

var masculine = map[string]bool{
	"comune": true, "ambito": true, "consorzio": true, "distretto": true, "municipio": true,
	"ente": true, "piano": true, "servizio": true, "ufficio": true, "territorio": true,
}

// prepositions: the simple one and its forms with il, lo, l', la.
var prepositions = map[string][4]string{
	"di":  {"del", "dello", "dell'", "della"},
	"a":   {"al", "allo", "all'", "alla"},
	"da":  {"dal", "dallo", "dall'", "dalla"},
	"in":  {"nel", "nello", "nell'", "nella"},
	"su":  {"sul", "sullo", "sull'", "sulla"},
	"per": {"per il", "per lo", "per l'", "per la"},
	"con": {"con il", "con lo", "con l'", "con la"},
}

func startsWithVowel(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("aeiouàèéìòùAEIOUÀÈÉÌÒÙhH", r)
}

// needsLo reports whether a masculine word takes "lo" (s impura, z, gn, ps, x, y).
func needsLo(w string) bool {
	w = strings.ToLower(w)
	if strings.HasPrefix(w, "z") || strings.HasPrefix(w, "gn") || strings.HasPrefix(w, "ps") ||
		strings.HasPrefix(w, "x") || strings.HasPrefix(w, "y") {
		return true
	}
	if len(w) > 1 && w[0] == 's' && !strings.ContainsRune("aeiou", rune(w[1])) {
		return true
	}
	return false
}

// Prep joins a simple preposition (di, a, da, in, su, per, con) with the name of an ente,
// choosing the article from the name's first word: Prep("di", "Comune di Cerveteri") is "del
// Comune di Cerveteri", Prep("in", "Ambito di Putignano") is "nell'Ambito di Putignano",
// Prep("di", "Unione dei Comuni della Murgia") is "dell'Unione dei Comuni della Murgia". A
// name whose first word is not a known noun (a proper name such as "Roma Capitale") takes the
// simple preposition.
func Prep(prep, name string) string {
	name = strings.TrimSpace(name)
	forms, ok := prepositions[prep]
	if !ok || name == "" {
		return strings.TrimSpace(prep + " " + name)
	}
	first := strings.ToLower(strings.FieldsFunc(name, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\''
	})[0])
	switch {
	case feminine[first]:
		if startsWithVowel(first) {
			return forms[2] + name
		}
		return forms[3] + " " + name
	case masculine[first]:
		switch {
		case startsWithVowel(first):
			return forms[2] + name
		case needsLo(first):
			return forms[1] + " " + name
		}
		return forms[0] + " " + name
	}
	if prep == "in" {
		return "a " + name // "a Roma Capitale": cities take "a", not "in"
	}
	return prep + " " + name
}

// Of is Prep("di", name): "del Comune di Cerveteri".
func Of(name string) string { return Prep("di", name) }

// In is Prep("in", name): "nel Comune di Noci", "nell'Ambito di Putignano".
func In(name string) string { return Prep("in", name) }

// DayMonth formats the day and month of t: "1º gennaio", "8 marzo".
func DayMonth(t time.Time) string {
	t = t.In(Rome)
	return ordinalDay(t.Day()) + " " + Months[t.Month()-1]
}

func ordinalDay(d int) string {
	if d == 1 {
		return "1º"
	}
	return fmt.Sprint(d)
}

// Date formats t as "2 gennaio 2026", the first of the month as "1º gennaio 2026".
func Date(t time.Time) string {
	t = t.In(Rome)
	return DayMonth(t) + " " + fmt.Sprint(t.Year())
}

// DateTime formats t as "2 gennaio 2026, 14:05" (a timestamp: "09:05" keeps its zero).
func DateTime(t time.Time) string {
	return Date(t) + ", " + t.In(Rome).Format("15:04")
}

// Clock formats the time of day as "9:00" or "15:30".
func Clock(t time.Time) string {
	t = t.In(Rome)
	return fmt.Sprintf("%d:%02d", t.Hour(), t.Minute())
}

// DatePrep joins a preposition with a date: DatePrep("del", t) is "dell'8 marzo 2026" or "del
// 12 marzo 2026", DatePrep("dal", t) "dall'11 aprile 2026". prep is the articulated form with
// "il" (del, dal, al, nel, sul); before 8 and 11, which begin with a vowel sound, it elides.
func DatePrep(prep string, t time.Time) string {
	return DayPrep(prep, t.In(Rome).Day()) + Date(t)[len(ordinalDay(t.In(Rome).Day())):]
}

// The is a date with its article: "il 12 marzo 2026", "l'8 marzo 2026", "l'11 aprile 2026",
// "il 1º maggio 2026" (after "entro", or at the start of a sentence with Capitalize).
func The(t time.Time) string {
	if d := t.In(Rome).Day(); d == 8 || d == 11 {
		return "l'" + Date(t)
	}
	return "il " + Date(t)
}

// Capitalize upper-cases the first letter: Capitalize(The(t)) is "L'8 marzo 2026".
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// DayPrep is the preposition and day alone: DayPrep("del", 8) is "dell'8", DayPrep("del", 1)
// "del 1º".
func DayPrep(prep string, day int) string {
	if day == 8 || day == 11 {
		if base, ok := strings.CutSuffix(prep, "l"); ok {
			return base + "ll'" + fmt.Sprint(day)
		}
	}
	return prep + " " + ordinalDay(day)
}

// When says when t is, seen from now, the way a counter clerk would: "oggi alle 15:30",
// "domani alle 9:00", "giovedì 10 dicembre alle 9:00" within a week, otherwise "giovedì 7
// gennaio 2027 alle 9:00". The hour 1 takes "all'1:00".
func When(t, now time.Time) string {
	t, now = t.In(Rome), now.In(Rome)
	at := atClock(t)
	dt := civilDays(t) - civilDays(now)
	switch {
	case dt == 0:
		return "oggi " + at
	case dt == 1:
		return "domani " + at
	case dt > 1 && dt < 7:
		return Weekdays[t.Weekday()] + " " + DayMonth(t) + " " + at
	}
	return Weekdays[t.Weekday()] + " " + Date(t) + " " + at
}

func atClock(t time.Time) string {
	if t.Hour() == 1 {
		return "all'" + Clock(t)
	}
	return "alle " + Clock(t)
}

// civilDays counts calendar days in Rome, so that "today" ends at local midnight.
func civilDays(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}
