package site

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/catalog"
)

// seedOffice has the hours of seed 000: Monday to Friday 9–12, Tuesday and Thursday also
// 15:30–17:30.
func seedOffice() *catalog.Office {
	o := &catalog.Office{ID: uuid.New(), Name: "Servizi sociali"}
	for wd := 1; wd <= 5; wd++ {
		o.Hours = append(o.Hours, catalog.Interval{Weekday: wd, Opens: "09:00", Closes: "12:00"})
	}
	// Listed out of order on purpose.
	o.Hours = append(o.Hours, catalog.Interval{Weekday: 4, Opens: "15:30", Closes: "17:30"},
		catalog.Interval{Weekday: 2, Opens: "15:30", Closes: "17:30"})
	return o
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, rome)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWeeklyHoursAndOpenNow(t *testing.T) {
	o := seedOffice()
	// Tuesday 3 March 2026.
	day := HoursOn(o, at("2026-03-03 08:00"))
	require.False(t, day.Closed())
	require.Equal(t, "9:00–12:00, 15:30–17:30", intervalsText(day.Intervals))
	require.Equal(t, time.Date(2026, 3, 3, 0, 0, 0, 0, rome), day.Date)

	for when, open := range map[string]bool{
		"2026-03-03 08:59": false, "2026-03-03 09:00": true, "2026-03-03 11:59": true,
		"2026-03-03 12:00": false, "2026-03-03 15:30": true, "2026-03-03 17:29": true,
		"2026-03-03 17:30": false,
		"2026-03-04 16:00": false, // Wednesday: mornings only
		"2026-03-07 10:00": false, // Saturday
		"2026-03-08 10:00": false, // Sunday (ISO 7)
	} {
		require.Equal(t, open, OpenNow(o, at(when)), when)
	}
	// The same instant in UTC is read in Rome: 08:30 UTC is 09:30 in Rome in winter.
	require.True(t, OpenNow(o, time.Date(2026, 3, 3, 8, 30, 0, 0, time.UTC)))
	// After the switch to summer time, 07:30 UTC is 09:30 in Rome.
	require.True(t, OpenNow(o, time.Date(2026, 3, 31, 7, 30, 0, 0, time.UTC)))
	require.False(t, OpenNow(o, time.Date(2026, 3, 31, 6, 30, 0, 0, time.UTC)))
}

func TestExceptionsReplaceTheWeek(t *testing.T) {
	o := seedOffice()
	other := uuid.New()
	o.Exceptions = []catalog.Exception{
		// A closure for every office (no OfficeID), over several days.
		{From: "2026-04-06", To: "2026-04-07", Closed: true, Reason: "Pasqua"},
		// Special hours on one day, in two pieces listed out of order.
		{OfficeID: &o.ID, From: "2026-03-12", To: "2026-03-12", Opens: "14:00", Closes: "16:00", Reason: "Assemblea"},
		{OfficeID: &o.ID, From: "2026-03-12", To: "2026-03-12", Opens: "08:00", Closes: "10:00"},
		// Another office's closure does not apply.
		{OfficeID: &other, From: "2026-03-10", To: "2026-03-10", Closed: true},
		// A closure wins over special hours the same day.
		{From: "2026-05-01", To: "2026-05-01", Opens: "09:00", Closes: "10:00"},
		{From: "2026-05-01", To: "2026-05-01", Closed: true, Reason: "Festa del lavoro"},
	}
	easter := HoursOn(o, at("2026-04-07 10:00"))
	require.True(t, easter.Closed())
	require.Equal(t, "Pasqua", easter.Reason())
	require.False(t, OpenNow(o, at("2026-04-07 10:00")))

	special := HoursOn(o, at("2026-03-12 09:00"))
	require.True(t, special.Special())
	require.Equal(t, "8:00–10:00, 14:00–16:00", intervalsText(special.Intervals))
	require.True(t, OpenNow(o, at("2026-03-12 08:30")))
	require.False(t, OpenNow(o, at("2026-03-12 11:00")), "the weekly 9–12 does not apply that day")
	require.True(t, OpenNow(o, at("2026-03-12 15:00")))

	require.True(t, OpenNow(o, at("2026-03-10 10:00")), "another office's closure")
	require.True(t, HoursOn(o, at("2026-05-01 09:30")).Closed())
	require.Equal(t, "Festa del lavoro", HoursOn(o, at("2026-05-01 09:30")).Reason())

	up := UpcomingExceptions(o, at("2026-03-12 18:00"))
	require.Len(t, up, 5, "today's count as upcoming; the other office's do not")
	require.Equal(t, "2026-03-12", up[0].From)
	require.Equal(t, "2026-04-06", up[2].From)
	require.Len(t, UpcomingExceptions(o, at("2026-04-07 00:00")), 3)
}

func TestNextOpeningAndNextChange(t *testing.T) {
	o := seedOffice()
	next, ok := NextOpening(o, at("2026-03-03 12:30")) // Tuesday after the morning
	require.True(t, ok)
	require.Equal(t, at("2026-03-03 15:30"), next)
	next, ok = NextOpening(o, at("2026-03-06 18:00")) // Friday evening → Monday
	require.True(t, ok)
	require.Equal(t, at("2026-03-09 09:00"), next)
	_, ok = NextOpening(&catalog.Office{}, at("2026-03-06 18:00"))
	require.False(t, ok)

	other := &catalog.Office{Hours: []catalog.Interval{{Weekday: 2, Opens: "10:15", Closes: "11:45"}}}
	offices := []*catalog.Office{o, other}
	require.Equal(t, at("2026-03-03 09:00"), NextChange(offices, at("2026-03-03 08:10")))
	require.Equal(t, at("2026-03-03 10:15"), NextChange(offices, at("2026-03-03 09:00")))
	require.Equal(t, at("2026-03-03 11:45"), NextChange(offices, at("2026-03-03 11:00")))
	require.Equal(t, at("2026-03-03 17:30"), NextChange(offices, at("2026-03-03 16:00")))
	require.Equal(t, at("2026-03-04 00:00"), NextChange(offices, at("2026-03-03 18:00")), "then midnight")
	require.Equal(t, at("2026-03-04 00:00"), NextChange(nil, at("2026-03-03 18:00")))
}

func TestWeeklyTimetable(t *testing.T) {
	w := WeeklyHours(seedOffice())
	require.Len(t, w, 7)
	require.Equal(t, "Lunedì", w[0].Name)
	require.Equal(t, "9:00–12:00, 15:30–17:30", intervalsText(w[1].Intervals))
	require.Equal(t, "9:00–12:00", intervalsText(w[2].Intervals))
	require.Empty(t, w[6].Intervals)
	require.Equal(t, "Domenica", WeekdayName(7))
}

func TestMinutesOf(t *testing.T) {
	for in, want := range map[string]int{"09:00": 540, "9:00": 540, "17:30": 1050, "17:30:00": 1050,
		"24:00": 1440, "": -1, "9": -1, "ab:cd": -1, "12:5": -1, "25:00": -1, "123:00": -1} {
		require.Equal(t, want, minutesOf(in), in)
	}
	// A malformed interval never counts as open.
	o := &catalog.Office{Hours: []catalog.Interval{{Weekday: 2, Opens: "x", Closes: "23:00"}}}
	require.False(t, OpenNow(o, at("2026-03-03 10:00")))
}
