package site_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/site"
	"github.com/cartasociale/carta/internal/testenv"
)

var reopens = regexp.MustCompile(`Riapre [^<.]*\.`)

// A closed office says when it reopens the way a clerk would: "oggi" and "domani" rather than
// today's or tomorrow's date, the weekday and date within the week, the full date after.
func TestReopensTodayTomorrowOrOnADate(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, site.Rome()) }
	cases := []struct {
		now        time.Time
		path, want string
	}{
		// Tuesday 3 March, between the morning and the afternoon opening of the main desk.
		{at(3, 13, 0), "/uffici/sportello-polivalente", "Riapre oggi alle 15:30."},
		// Tuesday evening: the desk opens again on Wednesday morning.
		{at(3, 18, 0), "/uffici/sportello-polivalente", "Riapre domani alle 9:00."},
		// Friday evening: Monday, within the week.
		{at(6, 18, 0), "/uffici/sportello-polivalente", "Riapre lunedì 9 marzo alle 9:00."},
		// The branch opens on Wednesdays only: a week later, with the year.
		{at(4, 12, 30), "/uffici/sportello-cerenova", "Riapre mercoledì 11 marzo 2026 alle 9:00."},
		// The office list and the home page say the same.
		{at(3, 13, 0), "/uffici", "Riapre oggi alle 15:30."},
		{at(3, 18, 0), "/", "Riapre domani alle 9:00."},
	}
	tn := demoTenant(t, env)
	for _, c := range cases {
		app := newApp(t, env, func(d *site.Deps) { d.Clock = func() time.Time { return c.now } })
		res, body := get(t, app, host(tn), c.path)
		require.Equal(t, 200, res.StatusCode, c.path)
		said := reopens.FindAllString(body, -1)
		require.Contains(t, said, c.want, "%s at %s", c.path, c.now)
		for _, s := range said {
			require.NotContains(t, s, "martedì 3 marzo", "%s at %s: today is not named by its date", c.path, c.now)
			require.NotContains(t, s, "mercoledì 4 marzo 2026", "%s at %s", c.path, c.now)
		}
	}
}
