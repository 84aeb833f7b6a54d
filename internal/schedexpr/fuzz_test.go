package schedexpr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fuzzStart maps a fuzzed number to a time from 1970 to about 2300.
func fuzzStart(n int64) time.Time {
	const span = 330 * 365 * 86400
	return time.Unix(int64(uint64(n)%span), int64(uint64(n)%1e9)).UTC()
}

// checkParsed checks a parsed schedule: its canonical form parses again
// to the same form and the same activations, which come strictly in
// order, on whole minutes for cron, and each is what Next returns just
// before it.
func checkParsed(t *testing.T, s Schedule, reparse func(string) (Schedule, error), from time.Time) {
	t.Helper()
	canon := s.String()
	s2, err := reparse(canon)
	if err != nil {
		t.Fatalf("canonical form %q does not parse: %v", canon, err)
	}
	if s2.String() != canon {
		t.Fatalf("canonical form %q parses to %q", canon, s2.String())
	}
	if r, ok := s.(*RateSchedule); ok {
		s2 = Anchor(s2, r.Start()) // the anchor is not part of the expression
	}
	_, isCron := s.(*CronSchedule)
	prev := from
	for range 6 {
		next, ok := s.Next(prev)
		next2, ok2 := s2.Next(prev)
		if ok != ok2 || !next.Equal(next2) {
			t.Fatalf("%s after %v: %v %v, but its canonical form gives %v %v", canon, prev, next, ok, next2, ok2)
		}
		if !ok {
			return
		}
		if !next.After(prev) {
			t.Fatalf("%s: Next(%v) = %v, not after it", canon, prev, next)
		}
		if isCron && (next.Second() != 0 || next.Nanosecond() != 0) {
			t.Fatalf("%s: activation %v is not on a whole minute", canon, next)
		}
		if again, ok := s.Next(next.Add(-time.Nanosecond)); !ok || !again.Equal(next) {
			t.Fatalf("%s: Next(%v - 1ns) = %v; want %v", canon, next, again, next)
		}
		prev = next
	}
}

func checkParseError(t *testing.T, err error, d Dialect) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Reason == "" || e.Message == "" || e.Dialect != d {
		t.Fatalf("error %#v lacks a reason, a message or its dialect", e)
	}
	if d == Rule && e.Message != ruleMessage {
		t.Fatalf("message %q; want %q", e.Message, ruleMessage)
	}
}

var fuzzSeeds = []string{
	"cron(0 10 * * ? *)", "cron(15 12 * * ? *)", "cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)",
	"cron(0/15 * * * ? *)", "cron(0/10 * ? * MON-FRI *)", "cron(0/5 8-17 ? * MON-FRI *)",
	"cron(0/30 20-2 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)", "cron(0 0 L * ? *)", "cron(0 0 LW * ? *)",
	"cron(0 0 15W * ? *)", "cron(0 0 ? * 6L *)", "cron(0 0 30 FEB ? *)", "cron(0 0 1 1 ? 2199)",
	"cron(0 0 28-2 NOV-FEB ? 2026-2030/2)", "rate(1 minute)", "rate(5 minutes)", "rate(7 days)",
	"cron(0 2 * * *)", "cron(0 2 * * SUN)", "cron(0 1 1 * *)", "cron(0 18 * * FRI)", "cron(0 23 * * *)",
	"cron(0 0 13 * FRI)", "cron(*/20 9-17/4 * * 1-5)", "cron(0 0 30 2 *)", "at(2026-01-01T00:00)",
	"at(2026-03-08T02:30:00)", "cron(0 0 * * * *)", "cron(", "", "rate(1 minutes)",
}

// FuzzParseRuleSchedule checks that ParseRuleSchedule never panics, that
// it refuses with an *Error, and that what it accepts behaves.
func FuzzParseRuleSchedule(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, int64(1772627696+i*86400))
	}
	f.Fuzz(func(t *testing.T, expr string, start int64) {
		s, err := ParseRuleSchedule(expr)
		if err != nil {
			checkParseError(t, err, Rule)
			return
		}
		if r, ok := s.(*RateSchedule); ok && start%2 == 0 {
			s = r.Anchored(fuzzStart(start / 2))
		}
		checkParsed(t, s, ParseRuleSchedule, fuzzStart(start))
	})
}

// fuzzZones are the zones the mute and scheduler fuzzers read expressions
// in: with and without daylight saving time, with half-hour changes, and
// with an offset of 5:45.
var fuzzZones = []string{"UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kathmandu"}

func fuzzZone(t *testing.T, n uint8) *time.Location {
	return mustLoad(t, fuzzZones[int(n)%len(fuzzZones)])
}

// FuzzParseMuteSchedule checks ParseMuteSchedule as FuzzParseRuleSchedule
// checks ParseRuleSchedule, in zones with daylight saving time.
func FuzzParseMuteSchedule(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, int64(1772627696+i*86400), uint8(i))
	}
	f.Add("cron(30 2 * * *)", int64(1772949600), uint8(1))     // 2026-03-08T06:00Z, before New York's gap
	f.Add("cron(*/5 1 * * *)", int64(1793507400), uint8(1))    // 2026-11-01T04:30Z, before its overlap
	f.Add("cron(15 2 * * *)", int64(1791036000), uint8(3))     // 2026-10-03T14:00Z, before Lord Howe's gap
	f.Add("at(2026-03-29T01:15)", int64(1774742400), uint8(2)) // in London's gap
	f.Fuzz(func(t *testing.T, expr string, start int64, zone uint8) {
		loc := fuzzZone(t, zone)
		s, err := ParseMuteSchedule(expr, loc)
		if err != nil {
			checkParseError(t, err, Mute)
			return
		}
		checkParsed(t, s, func(e string) (Schedule, error) { return ParseMuteSchedule(e, loc) }, fuzzStart(start))
	})
}

// FuzzParseSchedulerSchedule checks ParseSchedulerSchedule likewise.
func FuzzParseSchedulerSchedule(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, int64(1772627696+i*86400), uint8(i))
	}
	f.Fuzz(func(t *testing.T, expr string, start int64, zone uint8) {
		loc := fuzzZone(t, zone)
		s, err := ParseSchedulerSchedule(expr, loc)
		if err != nil {
			checkParseError(t, err, Scheduler)
			if !strings.HasPrefix(err.(*Error).Message, "Invalid Schedule Expression ") {
				t.Fatalf("message %q", err.(*Error).Message)
			}
			return
		}
		checkParsed(t, s, func(e string) (Schedule, error) { return ParseSchedulerSchedule(e, loc) }, fuzzStart(start))
	})
}

// FuzzParseISODuration checks that durations parse without panics and
// that what parses formats back to a duration that parses the same.
func FuzzParseISODuration(f *testing.F) {
	for _, s := range []string{"PT4H", "P2DT12H", "P7D", "PT1M30S", "PT0.5S", "P1Y", "PT", "P1DT1H1M1.000000001S"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODuration(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Reason == "" || e.Field != "Duration" {
				t.Fatalf("error %v is not a Duration *Error with a reason", err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q parses to a negative %v", s, d)
		}
		f := FormatISODuration(d)
		back, err := ParseISODuration(f)
		if err != nil || back != d {
			t.Fatalf("%q = %v formats as %q, which parses to %v, %v", s, d, f, back, err)
		}
	})
}
