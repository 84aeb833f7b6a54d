package schedexpr

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// The tests of this file check Next against a brute force: field texts
// paired with predicates written directly on the time package, a scan
// of every day (and, across daylight saving changes, every minute), and
// none of the package's own calendar code.

// term is a field's text and what it matches.
type term struct {
	text  string
	match func(v int) bool
}

// dayTerm is a day field's text and the days it matches.
type dayTerm struct {
	text  string
	match func(t time.Time) bool // nil for "?"
}

func oneOf(vs ...int) func(int) bool {
	return func(v int) bool {
		for _, w := range vs {
			if v == w {
				return true
			}
		}
		return false
	}
}

func all(int) bool { return true }

func isWeekday(t time.Time) bool { return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday }

func lastOfMonth(t time.Time) bool { return t.AddDate(0, 0, 1).Month() != t.Month() }

// nearestWeekday matches the weekday of t's month closest to day n.
func nearestWeekday(n int) func(time.Time) bool {
	return func(t time.Time) bool {
		best, bestDist := 0, 99
		for d := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC); d.Month() == t.Month(); d = d.AddDate(0, 0, 1) {
			dist := d.Day() - n
			if dist < 0 {
				dist = -dist
			}
			if isWeekday(d) && dist < bestDist && n <= lastDay(t) {
				best, bestDist = d.Day(), dist
			}
		}
		return t.Day() == best
	}
}

func lastDay(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

var (
	bruteMinutes = []term{
		{"*", all}, {"0", oneOf(0)}, {"*/15", oneOf(0, 15, 30, 45)}, {"5,35", oneOf(5, 35)},
		{"10-20/5", oneOf(10, 15, 20)}, {"50-10", func(v int) bool { return v >= 50 || v <= 10 }}, {"7/20", oneOf(7, 27, 47)},
	}
	bruteHours = []term{
		{"*", all}, {"0", oneOf(0)}, {"9-17", func(v int) bool { return v >= 9 && v <= 17 }},
		{"22-3", func(v int) bool { return v >= 22 || v <= 3 }}, {"*/6", oneOf(0, 6, 12, 18)}, {"12", oneOf(12)}, {"1/10", oneOf(1, 11, 21)},
	}
	bruteDOM = []dayTerm{
		{"?", nil}, {"*", func(time.Time) bool { return true }},
		{"1", func(t time.Time) bool { return t.Day() == 1 }}, {"15", func(t time.Time) bool { return t.Day() == 15 }},
		{"31", func(t time.Time) bool { return t.Day() == 31 }}, {"29", func(t time.Time) bool { return t.Day() == 29 }},
		{"10-20", func(t time.Time) bool { return t.Day() >= 10 && t.Day() <= 20 }},
		{"28-3", func(t time.Time) bool { return t.Day() >= 28 || t.Day() <= 3 }},
		{"2/9", func(t time.Time) bool { return oneOf(2, 11, 20, 29)(t.Day()) }},
		{"L", lastOfMonth},
		{"LW", func(t time.Time) bool {
			if !isWeekday(t) {
				return false
			}
			for u := t.AddDate(0, 0, 1); u.Month() == t.Month(); u = u.AddDate(0, 0, 1) {
				if isWeekday(u) {
					return false
				}
			}
			return true
		}},
		{"15W", nearestWeekday(15)}, {"1W", nearestWeekday(1)}, {"31W", nearestWeekday(31)},
	}
	bruteMonths = []term{
		{"*", all}, {"FEB", oneOf(2)}, {"JAN,JUL", oneOf(1, 7)}, {"NOV-FEB", oneOf(11, 12, 1, 2)},
		{"2/3", oneOf(2, 5, 8, 11)}, {"MAR-MAY", oneOf(3, 4, 5)},
	}
	bruteDOW = []dayTerm{
		{"?", nil}, {"*", func(time.Time) bool { return true }},
		{"MON-FRI", isWeekday},
		{"1", func(t time.Time) bool { return t.Weekday() == time.Sunday }},
		{"L", func(t time.Time) bool { return t.Weekday() == time.Saturday }},
		{"6L", func(t time.Time) bool { return t.Weekday() == time.Friday && t.AddDate(0, 0, 7).Month() != t.Month() }},
		{"2#1", func(t time.Time) bool { return t.Weekday() == time.Monday && t.Day() <= 7 }},
		{"7#5", func(t time.Time) bool { return t.Weekday() == time.Saturday && t.Day() > 28 }},
		{"4#3", func(t time.Time) bool { return t.Weekday() == time.Wednesday && t.Day() > 14 && t.Day() <= 21 }},
		{"FRI-MON", func(t time.Time) bool {
			return !isWeekday(t) || t.Weekday() == time.Friday || t.Weekday() == time.Monday
		}},
		{"3/2", func(t time.Time) bool { return oneOf(2, 4, 6)(int(t.Weekday())) }},
		{"SUN,WED", func(t time.Time) bool { return oneOf(0, 3)(int(t.Weekday())) }},
	}
	bruteYears = []term{
		{"*", all}, {"2026", oneOf(2026)}, {"2026-2028", oneOf(2026, 2027, 2028)}, {"2027/2", func(v int) bool { return v >= 2027 && v%2 == 1 }},
	}
)

// TestNextAgainstBruteForceRule compares Next with a day-by-day scan for
// random EventBridge expressions.
func TestNextAgainstBruteForceRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const want = 25
	end := time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC)
	compared := 0
	for tried := 0; tried < 400; {
		mi, h := bruteMinutes[rng.IntN(len(bruteMinutes))], bruteHours[rng.IntN(len(bruteHours))]
		mo, y := bruteMonths[rng.IntN(len(bruteMonths))], bruteYears[rng.IntN(len(bruteYears))]
		dom, dow := bruteDOM[rng.IntN(len(bruteDOM))], bruteDOW[rng.IntN(len(bruteDOW))]
		if (dom.match == nil) == (dow.match == nil) {
			continue // exactly one must be "?"
		}
		tried++
		expr := fmt.Sprintf("cron(%s %s %s %s %s %s)", mi.text, h.text, dom.text, mo.text, dow.text, y.text)
		s, err := ParseRuleSchedule(expr)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(400 * 24 * time.Hour))))
		from = from.Truncate(time.Second)
		var brute []time.Time
		for day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC); day.Before(end) && len(brute) < want; day = day.AddDate(0, 0, 1) {
			if !y.match(day.Year()) || !mo.match(int(day.Month())) {
				continue
			}
			if dom.match != nil && !dom.match(day) || dow.match != nil && !dow.match(day) {
				continue
			}
			for hh := 0; hh < 24 && len(brute) < want; hh++ {
				for mm := 0; mm < 60 && len(brute) < want; mm++ {
					if at := day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute); h.match(hh) && mi.match(mm) && at.After(from) {
						brute = append(brute, at)
					}
				}
			}
		}
		got := activations(s, from, want)
		for len(got) > 0 && !got[len(got)-1].Before(end) {
			got = got[:len(got)-1]
		}
		if fmt.Sprint(got) != fmt.Sprint(brute) {
			t.Errorf("%s after %s:\n got  %v\n want %v", expr, from.Format(time.RFC3339), got, brute)
		}
		compared += len(brute)
	}
	if compared < 5000 {
		t.Errorf("compared %d activations; the test has become vacuous", compared)
	}
}

// TestNextAgainstBruteForceDST compares Next with a minute-by-minute scan
// across daylight saving changes, for mute rules' standard cron: each
// local minute the expression names activates at its first occurrence,
// and a minute in a gap never does.
func TestNextAgainstBruteForceDST(t *testing.T) {
	minutes := []term{{"*/20", oneOf(0, 20, 40)}, {"0", oneOf(0)}, {"30", oneOf(30)}, {"0,59", oneOf(0, 59)}, {"*/7", func(v int) bool { return v%7 == 0 }}}
	hours := []term{{"*", all}, {"1-3", oneOf(1, 2, 3)}, {"2", oneOf(2)}, {"*/2", func(v int) bool { return v%2 == 0 }}, {"1,2", oneOf(1, 2)}}
	doms := []term{{"*", all}, {"8", oneOf(8)}, {"1", oneOf(1)}, {"*/2", func(v int) bool { return v%2 == 1 }}, {"25-31", func(v int) bool { return v >= 25 }}}
	months := []term{{"*", all}, {"3", oneOf(3)}, {"3,11", oneOf(3, 11)}, {"10-12", oneOf(10, 11, 12)}, {"4,10", oneOf(4, 10)}}
	dows := []term{{"*", all}, {"0", oneOf(0)}, {"7", oneOf(0)}, {"SUN", oneOf(0)}, {"1-5", oneOf(1, 2, 3, 4, 5)}, {"MON,SAT", oneOf(1, 6)}}
	zones := []struct {
		name   string
		starts []string // near the zone's changes of 2026
	}{
		{"America/New_York", []string{"2026-03-07T05:00", "2026-10-31T04:00", "2026-11-01T06:10"}},
		{"Europe/London", []string{"2026-03-28T00:00", "2026-10-24T23:00", "2026-10-25T01:20"}},
		{"Australia/Lord_Howe", []string{"2026-04-04T12:00", "2026-10-03T12:00"}}, // half-hour changes
		{"Asia/Tokyo", []string{"2026-03-07T00:00"}},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const want = 30
	compared := 0
	for range 60 {
		mi, h, dom, mo, dow := minutes[rng.IntN(len(minutes))], hours[rng.IntN(len(hours))], doms[rng.IntN(len(doms))],
			months[rng.IntN(len(months))], dows[rng.IntN(len(dows))]
		expr := fmt.Sprintf("cron(%s %s %s %s %s)", mi.text, h.text, dom.text, mo.text, dow.text)
		z := zones[rng.IntN(len(zones))]
		loc := mustLoad(t, z.name)
		s, err := ParseMuteSchedule(expr, loc)
		if err != nil {
			t.Errorf("%s: %v", expr, err)
			continue
		}
		domStar, dowStar := dom.text[0] == '*', dow.text[0] == '*'
		from := utc(t, z.starts[rng.IntN(len(z.starts))])
		seen := map[[5]int]bool{}
		var brute []time.Time
		// Start a few hours early, so that a local minute whose first
		// occurrence was before from is known to have activated already.
		for at := from.Add(-3 * time.Hour); len(brute) < want && at.Before(from.AddDate(0, 0, 20)); at = at.Add(time.Minute) {
			lt := at.In(loc)
			key := [5]int{lt.Year(), int(lt.Month()), lt.Day(), lt.Hour(), lt.Minute()}
			if lt.Second() != 0 || seen[key] {
				continue
			}
			seen[key] = true
			d, w := dom.match(lt.Day()), dow.match(int(lt.Weekday()))
			day := d && w
			if !domStar && !dowStar {
				day = d || w
			}
			if day && mo.match(int(lt.Month())) && h.match(lt.Hour()) && mi.match(lt.Minute()) && at.After(from) {
				brute = append(brute, at)
			}
		}
		got := activations(s, from, len(brute))
		for i := range got {
			got[i] = got[i].UTC()
		}
		if fmt.Sprint(got) != fmt.Sprint(brute) {
			t.Errorf("%s in %s after %s:\n got  %v\n want %v", expr, z.name, from.Format(time.RFC3339), got, brute)
		}
		compared += len(brute)
	}
	if compared < 600 {
		t.Errorf("compared %d activations; the test has become vacuous", compared)
	}
	t.Logf("compared %d activations", compared)
}
