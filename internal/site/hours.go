package site

import (
	"cmp"
	"slices"
	"time"
	_ "time/tzdata" // Europe/Rome must resolve in minimal containers too

	"github.com/cartasociale/carta/internal/catalog"
)

// rome is the time zone of every opening hour: offices publish local times.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic("site: Europe/Rome: " + err.Error())
	}
	return l
}()

// Rome is the zone of opening hours and of every date on the citizen site.
func Rome() *time.Location { return rome }

const dateLayout = "2006-01-02"

// Day is an office's opening on one calendar day: the weekly intervals, or those of an
// exception (special hours), or none (closed, with the reason when an exception closes it).
type Day struct {
	Date      time.Time // midnight in Rome
	Intervals []catalog.Interval
	// Exception is the closure or the special hours that replace the weekly ones that day.
	Exception *catalog.Exception
}

// Closed reports whether the office does not open at all that day.
func (d Day) Closed() bool { return len(d.Intervals) == 0 }

// Reason is the reason of the day's exception, if any.
func (d Day) Reason() string {
	if d.Exception == nil {
		return ""
	}
	return d.Exception.Reason
}

// Special reports whether exceptional hours replace the weekly ones that day.
func (d Day) Special() bool { return d.Exception != nil && !d.Exception.Closed }

// isoWeekday maps Go's Sunday=0 to ISO's Sunday=7.
func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

func applies(e catalog.Exception, o *catalog.Office, date string) bool {
	if e.OfficeID != nil && *e.OfficeID != o.ID {
		return false
	}
	return e.From <= date && date <= e.To
}

// HoursOn is o's opening on the calendar day of t (in Rome): the weekly intervals of that
// weekday, unless an exception covers the day. A closure wins over special hours; several
// special-hours exceptions on the same day add up.
func HoursOn(o *catalog.Office, t time.Time) Day {
	t = t.In(rome)
	d := Day{Date: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, rome)}
	if o == nil {
		return d
	}
	date := d.Date.Format(dateLayout)
	var special []catalog.Interval
	for i := range o.Exceptions {
		e := &o.Exceptions[i]
		if !applies(*e, o, date) {
			continue
		}
		if e.Closed {
			d.Exception = e
			return d
		}
		if d.Exception == nil {
			d.Exception = e
		}
		special = append(special, catalog.Interval{Weekday: isoWeekday(d.Date), Opens: e.Opens, Closes: e.Closes})
	}
	if d.Exception != nil {
		d.Intervals = sortIntervals(special)
		return d
	}
	wd := isoWeekday(d.Date)
	for _, iv := range o.Hours {
		if iv.Weekday == wd {
			d.Intervals = append(d.Intervals, iv)
		}
	}
	d.Intervals = sortIntervals(d.Intervals)
	return d
}

func sortIntervals(ivs []catalog.Interval) []catalog.Interval {
	slices.SortStableFunc(ivs, func(a, b catalog.Interval) int {
		return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(minutesOf(a.Opens), minutesOf(b.Opens)))
	})
	return ivs
}

// TodayHours is an alias of HoursOn that reads better at call sites about "today".
func TodayHours(o *catalog.Office, date time.Time) Day { return HoursOn(o, date) }

// minutesOf reads "15:04" (also "9:00" and "15:04:05") as minutes after midnight; -1 when
// unreadable, so that a malformed interval never counts as open.
func minutesOf(s string) int {
	var h, m int
	if len(s) < 4 {
		return -1
	}
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		h = h*10 + int(s[i]-'0')
	}
	if i == 0 || i > 2 || i >= len(s) || s[i] != ':' || len(s) < i+3 {
		return -1
	}
	for _, c := range s[i+1 : i+3] {
		if c < '0' || c > '9' {
			return -1
		}
		m = m*10 + int(c-'0')
	}
	if h > 24 || m > 59 {
		return -1
	}
	return h*60 + m
}

// OpenNow reports whether o is open at t: some interval of that day (exceptions applied)
// with opens ≤ time of day < closes, in Rome.
func OpenNow(o *catalog.Office, t time.Time) bool {
	t = t.In(rome)
	now := t.Hour()*60 + t.Minute()
	for _, iv := range HoursOn(o, t).Intervals {
		op, cl := minutesOf(iv.Opens), minutesOf(iv.Closes)
		if op >= 0 && cl >= 0 && op <= now && now < cl {
			return true
		}
	}
	return false
}

// NextOpening returns the next moment, after t and within two weeks, at which o opens, and
// whether there is one; a citizen reads "apre lunedì alle 9:00".
func NextOpening(o *catalog.Office, t time.Time) (time.Time, bool) {
	t = t.In(rome)
	now := t.Hour()*60 + t.Minute()
	for i := range 15 {
		day := HoursOn(o, t.AddDate(0, 0, i))
		for _, iv := range day.Intervals {
			op := minutesOf(iv.Opens)
			if op < 0 || (i == 0 && op <= now) {
				continue
			}
			d := day.Date
			return time.Date(d.Year(), d.Month(), d.Day(), op/60, op%60, 0, 0, rome), true
		}
	}
	return time.Time{}, false
}

// WeekdayHours is one row of an office's weekly timetable.
type WeekdayHours struct {
	Weekday   int // ISO
	Name      string
	Intervals []catalog.Interval
}

var weekdayNames = [...]string{"", "Lunedì", "Martedì", "Mercoledì", "Giovedì", "Venerdì", "Sabato", "Domenica"}

// WeekdayName is the Italian name of an ISO weekday.
func WeekdayName(wd int) string {
	if wd < 1 || wd > 7 {
		return ""
	}
	return weekdayNames[wd]
}

// WeeklyHours is o's timetable, Monday to Sunday; days without intervals are listed as closed.
func WeeklyHours(o *catalog.Office) []WeekdayHours {
	out := make([]WeekdayHours, 7)
	for i := range out {
		out[i] = WeekdayHours{Weekday: i + 1, Name: weekdayNames[i+1]}
	}
	for _, iv := range o.Hours {
		if iv.Weekday >= 1 && iv.Weekday <= 7 {
			out[iv.Weekday-1].Intervals = append(out[iv.Weekday-1].Intervals, iv)
		}
	}
	for i := range out {
		out[i].Intervals = sortIntervals(out[i].Intervals)
	}
	return out
}

// UpcomingExceptions lists o's exceptions that end on or after the day of t, earliest first.
func UpcomingExceptions(o *catalog.Office, t time.Time) []catalog.Exception {
	today := t.In(rome).Format(dateLayout)
	var out []catalog.Exception
	for _, e := range o.Exceptions {
		if e.OfficeID != nil && *e.OfficeID != o.ID {
			continue
		}
		if e.To >= today {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b catalog.Exception) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// NextChange is the first moment after t at which what a page says about offices (open now,
// today's hours) may change: the next opening or closing of any of them today, or the next
// midnight. A page rendered at t is right until then.
func NextChange(offices []*catalog.Office, t time.Time) time.Time {
	t = t.In(rome)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, rome)
	now := t.Hour()*60 + t.Minute()
	for _, o := range offices {
		for _, iv := range HoursOn(o, t).Intervals {
			for _, m := range []int{minutesOf(iv.Opens), minutesOf(iv.Closes)} {
				if m > now {
					at := time.Date(t.Year(), t.Month(), t.Day(), m/60, m%60, 0, 0, rome)
					if at.Before(next) {
						next = at
					}
				}
			}
		}
	}
	return next
}
