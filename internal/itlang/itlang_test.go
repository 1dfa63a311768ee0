package itlang

import (
	"testing"
	"time"
)

func TestPrep(t *testing.T) {
	cases := []struct{ prep, name, want string }{
		{"di", "Comune di Cerveteri", "del Comune di Cerveteri"},
		{"in", "Comune di Noci", "nel Comune di Noci"},
		{"di", "Ambito di Putignano", "dell'Ambito di Putignano"},
		{"in", "Ambito territoriale sociale di Putignano", "nell'Ambito territoriale sociale di Putignano"},
		{"di", "Unione dei Comuni della Murgia", "dell'Unione dei Comuni della Murgia"},
		{"di", "Città di Torino", "della Città di Torino"},
		{"di", "Consorzio per i servizi sociali", "del Consorzio per i servizi sociali"},
		{"a", "Comune di Grandate", "al Comune di Grandate"},
		{"di", "Roma Capitale", "di Roma Capitale"},
		{"in", "Roma Capitale", "a Roma Capitale"},
		{"di", "", "di"},
	}
	for _, c := range cases {
		if got := Prep(c.prep, c.name); got != c.want {
			t.Errorf("Prep(%q, %q) = %q, want %q", c.prep, c.name, got, c.want)
		}
	}
}

func TestDates(t *testing.T) {
	d := func(y int, m time.Month, day, h, min int) time.Time { return time.Date(y, m, day, h, min, 0, 0, Rome) }
	cases := []struct{ got, want string }{
		{Date(d(2026, time.January, 1, 10, 0)), "1º gennaio 2026"},
		{Date(d(2026, time.March, 8, 10, 0)), "8 marzo 2026"},
		{DatePrep("del", d(2026, time.March, 8, 10, 0)), "dell'8 marzo 2026"},
		{DatePrep("dal", d(2026, time.April, 11, 10, 0)), "dall'11 aprile 2026"},
		{DatePrep("del", d(2026, time.April, 12, 10, 0)), "del 12 aprile 2026"},
		{DatePrep("del", d(2026, time.May, 1, 10, 0)), "del 1º maggio 2026"},
		{DateTime(d(2026, time.December, 3, 15, 30)), "3 dicembre 2026, 15:30"},
		// UTC late evening is already the next day in Rome.
		{Date(time.Date(2026, time.December, 31, 23, 30, 0, 0, time.UTC)), "1º gennaio 2027"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestWhen(t *testing.T) {
	now := time.Date(2026, time.December, 3, 12, 0, 0, 0, Rome) // a Thursday
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, time.December, 3, 15, 30, 0, 0, Rome), "oggi alle 15:30"},
		{time.Date(2026, time.December, 4, 9, 0, 0, 0, Rome), "domani alle 9:00"},
		{time.Date(2026, time.December, 7, 1, 0, 0, 0, Rome), "lunedì 7 dicembre all'1:00"},
		{time.Date(2026, time.December, 10, 9, 0, 0, 0, Rome), "giovedì 10 dicembre 2026 alle 9:00"},
		{time.Date(2027, time.January, 1, 9, 0, 0, 0, Rome), "venerdì 1º gennaio 2027 alle 9:00"},
	}
	for _, c := range cases {
		if got := When(c.t, now); got != c.want {
			t.Errorf("When(%v) = %q, want %q", c.t, got, c.want)
		}
	}
	// Just before midnight, 00:30 is tomorrow, not today.
	late := time.Date(2026, time.December, 3, 23, 50, 0, 0, Rome)
	if got := When(time.Date(2026, time.December, 4, 0, 30, 0, 0, Rome), late); got != "domani alle 0:30" {
		t.Errorf("got %q", got)
	}
}

func TestTheAndCapitalize(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 5, d, 12, 0, 0, 0, Rome) }
	for d, want := range map[int]string{1: "il 1º maggio 2026", 8: "l'8 maggio 2026", 11: "l'11 maggio 2026", 12: "il 12 maggio 2026"} {
		if got := The(day(d)); got != want {
			t.Errorf("The(%d) = %q, want %q", d, got, want)
		}
	}
	if got := Capitalize(The(day(8))); got != "L'8 maggio 2026" {
		t.Errorf("Capitalize = %q", got)
	}
	if Capitalize("") != "" {
		t.Error("Capitalize of empty")
	}
}
