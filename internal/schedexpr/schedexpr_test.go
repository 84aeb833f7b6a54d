package schedexpr

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones of the DST tests, whatever the machine has
)

// after is the time the tables count from: Wednesday 4 March 2026.
var after = time.Date(2026, 3, 4, 12, 34, 56, 0, time.UTC)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// utc parses a time written as 2026-03-04T12:00 (UTC) or in RFC 3339.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339} {
		if v, err := time.Parse(layout, s); err == nil {
			return v
		}
	}
	t.Fatalf("bad time %q", s)
	return time.Time{}
}

// activations returns the first n activations of s after from, fewer if
// there are not n.
func activations(s Schedule, from time.Time, n int) []time.Time {
	var out []time.Time
	for range n {
		next, ok := s.Next(from)
		if !ok {
			break
		}
		out = append(out, next)
		from = next
	}
	return out
}

// checkNext checks the activations of s after from against want, in
// UTC; a want shorter than n means the schedule ends.
func checkNext(t *testing.T, s Schedule, from time.Time, want ...string) {
	t.Helper()
	got := activations(s, from, len(want)+1)
	var gotText []string
	for _, g := range got {
		gotText = append(gotText, g.UTC().Format("2006-01-02T15:04:05"))
	}
	var wantText []string
	for _, w := range want {
		wantText = append(wantText, utc(t, w).Format("2006-01-02T15:04:05"))
	}
	if strings.Join(gotText, " ") != strings.Join(wantText, " ") && !(len(gotText) == len(wantText)+1 &&
		strings.Join(gotText[:len(wantText)], " ") == strings.Join(wantText, " ")) {
		t.Errorf("%s after %s:\n got  %v\n want %v", s, from.UTC().Format(time.RFC3339), gotText, wantText)
	}
}

// checkEnds checks that s has exactly the activations want after from.
func checkEnds(t *testing.T, s Schedule, from time.Time, want ...string) {
	t.Helper()
	checkNext(t, s, from, want...)
	if got := activations(s, from, len(want)+1); len(got) > len(want) {
		t.Errorf("%s: activation %s after the last one wanted", s, got[len(want)].UTC().Format(time.RFC3339))
	}
}

func mustRule(t *testing.T, expr string) Schedule {
	t.Helper()
	s, err := ParseRuleSchedule(expr)
	if err != nil {
		t.Fatalf("ParseRuleSchedule(%q): %v", expr, err)
	}
	return s
}

func mustMute(t *testing.T, expr string, loc *time.Location) Schedule {
	t.Helper()
	s, err := ParseMuteSchedule(expr, loc)
	if err != nil {
		t.Fatalf("ParseMuteSchedule(%q): %v", expr, err)
	}
	return s
}

func mustScheduler(t *testing.T, expr string, loc *time.Location) Schedule {
	t.Helper()
	s, err := ParseSchedulerSchedule(expr, loc)
	if err != nil {
		t.Fatalf("ParseSchedulerSchedule(%q): %v", expr, err)
	}
	return s
}

// TestRuleDocExamples runs the examples of EventBridge's cron reference
// ("Run at 10:00 am (UTC+0) every day", …).
func TestRuleDocExamples(t *testing.T) {
	fri := utc(t, "2026-03-06T17:56")
	tests := []struct {
		expr string
		from time.Time
		want []string
	}{
		{"cron(0 10 * * ? *)", after, []string{"2026-03-05T10:00", "2026-03-06T10:00", "2026-03-07T10:00"}},
		{"cron(15 12 * * ? *)", after, []string{"2026-03-05T12:15", "2026-03-06T12:15", "2026-03-07T12:15"}},
		{"cron(0 18 ? * MON-FRI *)", after, []string{"2026-03-04T18:00", "2026-03-05T18:00", "2026-03-06T18:00", "2026-03-09T18:00"}},
		{"cron(0 8 1 * ? *)", after, []string{"2026-04-01T08:00", "2026-05-01T08:00", "2026-06-01T08:00"}},
		{"cron(0/15 * * * ? *)", after, []string{"2026-03-04T12:45", "2026-03-04T13:00", "2026-03-04T13:15"}},
		{"cron(0/10 * ? * MON-FRI *)", after, []string{"2026-03-04T12:40", "2026-03-04T12:50", "2026-03-04T13:00"}},
		{"cron(0/10 * ? * MON-FRI *)", utc(t, "2026-03-06T23:55"), []string{"2026-03-09T00:00", "2026-03-09T00:10"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", after, []string{"2026-03-04T12:35", "2026-03-04T12:40"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", fri, []string{"2026-03-09T08:00", "2026-03-09T08:05"}},
		{"cron(0/30 20-2 ? * MON-FRI *)", utc(t, "2026-03-06T23:00"), []string{
			"2026-03-06T23:30", "2026-03-09T00:00", "2026-03-09T00:30", "2026-03-09T01:00", "2026-03-09T01:30",
			"2026-03-09T02:00", "2026-03-09T02:30", "2026-03-09T20:00"}},
		{"cron(0 9 ? * 2#1 *)", after, []string{"2026-04-06T09:00", "2026-05-04T09:00", "2026-06-01T09:00"}},
		{"cron(0 20 * * ? *)", after, []string{"2026-03-04T20:00", "2026-03-05T20:00"}}, // PutRule's example
	}
	for _, tt := range tests {
		checkNext(t, mustRule(t, tt.expr), tt.from, tt.want...)
	}
}

// TestMuteDocExamples runs the examples of the mute rule's Schedule.
func TestMuteDocExamples(t *testing.T) {
	tests := []struct {
		expr string
		from time.Time
		want []string
	}{
		{"cron(0 2 * * *)", after, []string{"2026-03-05T02:00", "2026-03-06T02:00"}},
		{"cron(0 2 * * SUN)", after, []string{"2026-03-08T02:00", "2026-03-15T02:00"}},
		{"cron(0 1 1 * *)", after, []string{"2026-04-01T01:00", "2026-05-01T01:00"}},
		{"cron(0 18 * * FRI)", after, []string{"2026-03-06T18:00", "2026-03-13T18:00"}},
		{"cron(0 23 * * *)", after, []string{"2026-03-04T23:00", "2026-03-05T23:00"}},
	}
	for _, tt := range tests {
		checkNext(t, mustMute(t, tt.expr, nil), tt.from, tt.want...)
	}
	for _, tt := range []struct{ expr, from, want string }{
		{"at(2026-01-01T00:00)", "2025-12-31T00:00", "2026-01-01T00:00"},
		{"at(2024-05-10T14:00)", "2024-05-01T00:00", "2024-05-10T14:00"},
		{"at(2024-12-23T00:00)", "2024-12-22T23:59", "2024-12-23T00:00"},
	} {
		s := mustMute(t, tt.expr, nil)
		checkEnds(t, s, utc(t, tt.from), tt.want)
		checkEnds(t, s, utc(t, tt.want)) // strictly after: none at the activation itself
		if s.String() != tt.expr {
			t.Errorf("String() = %q; want %q", s.String(), tt.expr)
		}
	}
	// The Timezone moves activations: 02:00 in Tokyo is 17:00 UTC.
	checkNext(t, mustMute(t, "cron(0 2 * * *)", mustLoad(t, "Asia/Tokyo")), after, "2026-03-04T17:00", "2026-03-05T17:00")
}

// TestOperators exercises every operator of each cron dialect.
func TestOperators(t *testing.T) {
	rule := []struct {
		expr string
		from time.Time
		want []string // a trailing "end" means no more activations
	}{
		// , - * / on minutes, hours, months, years.
		{"cron(5,10,20-22 * * * ? *)", after, []string{"2026-03-04T13:05", "2026-03-04T13:10", "2026-03-04T13:20", "2026-03-04T13:21", "2026-03-04T13:22", "2026-03-04T14:05"}},
		{"cron(10-30/10 * * * ? *)", after, []string{"2026-03-04T13:10", "2026-03-04T13:20", "2026-03-04T13:30", "2026-03-04T14:10"}},
		{"cron(*/20 * * * ? *)", after, []string{"2026-03-04T12:40", "2026-03-04T13:00"}},
		{"cron(50-10/10 * * * ? *)", after, []string{"2026-03-04T12:50", "2026-03-04T13:00", "2026-03-04T13:10", "2026-03-04T13:50"}},
		{"cron(0 0/6 * * ? *)", after, []string{"2026-03-04T18:00", "2026-03-05T00:00", "2026-03-05T06:00"}},
		{"cron(0 0 1 JAN,JUL ? *)", after, []string{"2026-07-01T00:00", "2027-01-01T00:00"}},
		{"cron(0 0 1 NOV-FEB ? *)", after, []string{"2026-11-01T00:00", "2026-12-01T00:00", "2027-01-01T00:00", "2027-02-01T00:00", "2027-11-01T00:00"}},
		{"cron(0 0 1 2/5 ? *)", after, []string{"2026-07-01T00:00", "2026-12-01T00:00", "2027-02-01T00:00"}},
		{"cron(0 0 1 1 ? 2027-2028)", after, []string{"2027-01-01T00:00", "2028-01-01T00:00", "end"}},
		{"cron(0 0 1 1 ? 2030/50)", after, []string{"2030-01-01T00:00", "2080-01-01T00:00", "2130-01-01T00:00", "2180-01-01T00:00", "end"}},
		{"cron(0 0 1 1 ? 2199)", after, []string{"2199-01-01T00:00", "end"}},
		{"cron(0 0 1 1 ? 2026/500)", utc(t, "2025-01-01T00:00"), []string{"2026-01-01T00:00", "end"}},
		{"cron(0 0 1 1 ? 2026)", after, []string{"end"}},
		// Day-of-month: values, ranges, wrapping ranges, steps, L, LW, W.
		{"cron(0 0 28-2 * ? *)", after, []string{"2026-03-28T00:00", "2026-03-29T00:00", "2026-03-30T00:00", "2026-03-31T00:00", "2026-04-01T00:00", "2026-04-02T00:00", "2026-04-28T00:00"}},
		{"cron(0 0 5/10 * ? *)", after, []string{"2026-03-05T00:00", "2026-03-15T00:00", "2026-03-25T00:00", "2026-04-05T00:00"}},
		{"cron(0 0 L * ? *)", after, []string{"2026-03-31T00:00", "2026-04-30T00:00", "2026-05-31T00:00"}},
		{"cron(0 0 LW * ? *)", after, []string{"2026-03-31T00:00", "2026-04-30T00:00", "2026-05-29T00:00", "2026-06-30T00:00"}},
		{"cron(0 0 15W * ? *)", after, []string{"2026-03-16T00:00", "2026-04-15T00:00", "2026-05-15T00:00", "2026-06-15T00:00", "2026-07-15T00:00", "2026-08-14T00:00"}},
		{"cron(0 0 1W AUG ? 2026)", after, []string{"2026-08-03T00:00", "end"}},
		{"cron(0 0 31W * ? 2026)", after, []string{"2026-03-31T00:00", "2026-05-29T00:00", "2026-07-31T00:00", "2026-08-31T00:00", "2026-10-30T00:00", "2026-12-31T00:00", "end"}},
		{"cron(0 0 31 * ? *)", after, []string{"2026-03-31T00:00", "2026-05-31T00:00", "2026-07-31T00:00"}},
		{"cron(0 0 29 FEB ? *)", after, []string{"2028-02-29T00:00", "2032-02-29T00:00"}},
		{"cron(0 0 30 FEB ? *)", after, []string{"end"}},
		// Day-of-week: numbers (1 is Sunday), names, wrapping ranges, steps, L, nL, #.
		{"cron(0 0 ? * 1 *)", after, []string{"2026-03-08T00:00", "2026-03-15T00:00"}},
		{"cron(0 12 ? * FRI-MON *)", after, []string{"2026-03-06T12:00", "2026-03-07T12:00", "2026-03-08T12:00", "2026-03-09T12:00", "2026-03-13T12:00"}},
		{"cron(0 0 ? * 3/2 *)", after, []string{"2026-03-05T00:00", "2026-03-07T00:00", "2026-03-10T00:00"}},
		{"cron(0 0 ? * L *)", after, []string{"2026-03-07T00:00", "2026-03-14T00:00", "2026-03-21T00:00"}},
		{"cron(0 0 ? * 6L *)", after, []string{"2026-03-27T00:00", "2026-04-24T00:00", "2026-05-29T00:00"}},
		{"cron(0 0 ? * FRIL *)", after, []string{"2026-03-27T00:00", "2026-04-24T00:00"}},
		{"cron(0 0 ? * 6#5 *)", after, []string{"2026-05-29T00:00", "2026-07-31T00:00", "2026-10-30T00:00"}},
		{"cron(0 0 ? * MON#2 *)", after, []string{"2026-03-09T00:00", "2026-04-13T00:00"}},
		// Names and letters in any case.
		{"cron(0 18 ? * mon-fri *)", after, []string{"2026-03-04T18:00", "2026-03-05T18:00"}},
		{"cron(0 0 lw * ? *)", after, []string{"2026-03-31T00:00"}},
	}
	for _, tt := range rule {
		s := mustRule(t, tt.expr)
		if n := len(tt.want); tt.want[n-1] == "end" {
			checkEnds(t, s, tt.from, tt.want[:n-1]...)
		} else {
			checkNext(t, s, tt.from, tt.want...)
		}
	}

	mute := []struct {
		expr string
		want []string
	}{
		{"cron(0 0 * * 0)", []string{"2026-03-08T00:00", "2026-03-15T00:00"}},
		{"cron(0 0 * * 7)", []string{"2026-03-08T00:00", "2026-03-15T00:00"}},
		{"cron(0 0 * * 5-7)", []string{"2026-03-06T00:00", "2026-03-07T00:00", "2026-03-08T00:00", "2026-03-13T00:00"}},
		{"cron(0 0 * * sat,sun)", []string{"2026-03-07T00:00", "2026-03-08T00:00", "2026-03-14T00:00"}},
		// Both day fields restricted: either matches (Fridays, and the 13th).
		{"cron(0 0 13 * FRI)", []string{"2026-03-06T00:00", "2026-03-13T00:00", "2026-03-20T00:00", "2026-03-27T00:00", "2026-04-03T00:00", "2026-04-10T00:00", "2026-04-13T00:00"}},
		// Day-of-month starts with "*": both must match (odd Fridays).
		{"cron(0 0 */2 * FRI)", []string{"2026-03-13T00:00", "2026-03-27T00:00", "2026-04-03T00:00", "2026-04-17T00:00"}},
		{"cron(0 0 1 * *)", []string{"2026-04-01T00:00"}},
		{"cron(*/20 9-17/4 * * MON-FRI)", []string{"2026-03-04T13:00", "2026-03-04T13:20", "2026-03-04T13:40", "2026-03-04T17:00", "2026-03-04T17:20", "2026-03-04T17:40", "2026-03-05T09:00"}},
		{"cron(0 0 1 jan,jul *)", []string{"2026-07-01T00:00", "2027-01-01T00:00"}},
		{"cron(0,30 12 4 3 *)", []string{"2027-03-04T12:00", "2027-03-04T12:30", "2028-03-04T12:00"}},
	}
	for _, tt := range mute {
		checkNext(t, mustMute(t, tt.expr, nil), after, tt.want...)
	}
}

// TestImpossible checks that expressions naming days that never come end
// at once, without scanning minute by minute.
func TestImpossible(t *testing.T) {
	for _, expr := range []string{"cron(0 0 30 FEB ? *)", "cron(0 0 31 APR,JUN,SEP,NOV ? *)", "cron(0 0 30 2 ? 2020-2199)"} {
		checkEnds(t, mustRule(t, expr), after)
	}
	for _, expr := range []string{"cron(0 0 30 2 *)", "cron(* * 31 4,6,9,11 *)"} {
		checkEnds(t, mustMute(t, expr, mustLoad(t, "America/New_York")), after)
	}
	start := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	checkEnds(t, mustRule(t, "cron(59 23 31 DEC ? 2199)"), start, "2199-12-31T23:59")
	checkEnds(t, mustRule(t, "cron(0 0 29 2 ? 2100)"), start) // 2100 is not a leap year
	checkEnds(t, mustRule(t, "cron(0 0 ? * 2#1 *)"), utc(t, "2199-12-07T00:00"))
}

// TestDST checks the rule of AWS's EventBridge Scheduler: a local time in
// a spring-forward gap is skipped, one in a fall-back overlap activates
// once, at its first occurrence.
func TestDST(t *testing.T) {
	ny := mustLoad(t, "America/New_York")  // 2026-03-08 02:00 EST→03:00 EDT; 2026-11-01 02:00 EDT→01:00 EST
	london := mustLoad(t, "Europe/London") // 2026-03-29 01:00 GMT→02:00 BST; 2026-10-25 02:00 BST→01:00 GMT

	// 02:30 does not exist on 8 March in New York.
	checkNext(t, mustScheduler(t, "cron(30 2 * * ? *)", ny), utc(t, "2026-03-07T00:00"),
		"2026-03-07T07:30", "2026-03-09T06:30", "2026-03-10T06:30")
	// Every half hour across the gap: 01:30 EST, then 03:00 EDT.
	checkNext(t, mustScheduler(t, "cron(0/30 * * * ? *)", ny), utc(t, "2026-03-08T06:00"),
		"2026-03-08T06:30", "2026-03-08T07:00", "2026-03-08T07:30")
	// Every half hour across the overlap: 01:00 and 01:30 EDT, not again in EST.
	checkNext(t, mustScheduler(t, "cron(0/30 * * * ? *)", ny), utc(t, "2026-11-01T04:45"),
		"2026-11-01T05:00", "2026-11-01T05:30", "2026-11-01T07:00", "2026-11-01T07:30")
	// From inside the second 01:00-01:59, the next is 02:00 EST.
	checkNext(t, mustScheduler(t, "cron(0/30 * * * ? *)", ny), utc(t, "2026-11-01T06:10"), "2026-11-01T07:00")
	checkNext(t, mustScheduler(t, "cron(30 1 * * ? *)", ny), utc(t, "2026-10-31T12:00"),
		"2026-11-01T05:30", "2026-11-02T06:30")
	// A mute rule in London: 01:30 does not exist on 29 March.
	checkNext(t, mustMute(t, "cron(30 1 * * *)", london), utc(t, "2026-03-28T12:00"),
		"2026-03-30T00:30", "2026-03-31T00:30")
	checkNext(t, mustMute(t, "cron(30 1 * * *)", london), utc(t, "2026-10-24T12:00"),
		"2026-10-25T00:30", "2026-10-26T01:30")
	// Every minute through the overlap activates 60 times in the hour
	// 01:00-01:59 BST and then waits for 02:00 GMT.
	s := mustMute(t, "cron(* * * * *)", london)
	got := activations(s, utc(t, "2026-10-24T23:59"), 62)
	if g := got[59].UTC().Format(time.RFC3339); g != "2026-10-25T00:59:00Z" {
		t.Errorf("60th activation %s; want 2026-10-25T00:59:00Z", g)
	}
	if g := got[60].UTC().Format(time.RFC3339); g != "2026-10-25T02:00:00Z" {
		t.Errorf("61st activation %s; want 2026-10-25T02:00:00Z", g)
	}

	// at() in the gap activates when the gap ends; in the overlap, at the
	// first occurrence.
	for _, tt := range []struct {
		s    Schedule
		want string
	}{
		{mustScheduler(t, "at(2026-03-08T02:30:00)", ny), "2026-03-08T07:00:00"},
		{mustScheduler(t, "at(2026-03-08T03:00:00)", ny), "2026-03-08T07:00:00"},
		{mustScheduler(t, "at(2026-11-01T01:30:15)", ny), "2026-11-01T05:30:15"},
		{mustMute(t, "at(2026-03-29T01:15)", london), "2026-03-29T01:00:00"},
		{mustMute(t, "at(2026-10-25T01:15)", london), "2026-10-25T00:15:00"},
	} {
		checkEnds(t, tt.s, utc(t, "2026-01-01T00:00"), tt.want)
	}
	if s := mustScheduler(t, "at(2026-03-08T02:30:00)", ny); s.String() != "at(2026-03-08T02:30:00)" {
		t.Errorf("String() = %q; want the expression as written", s)
	}
	// Activations are returned in the schedule's location.
	if next, _ := mustMute(t, "cron(0 9 * * *)", ny).Next(after); next.Location() != ny || next.Hour() != 9 {
		t.Errorf("Next = %v; want 09:00 in New York", next)
	}
}

// TestRate checks rate expressions, their units, and their anchors.
func TestRate(t *testing.T) {
	for _, tt := range []struct {
		expr     string
		interval time.Duration
	}{
		{"rate(1 minute)", time.Minute}, {"rate(5 minutes)", 5 * time.Minute},
		{"rate(1 hour)", time.Hour}, {"rate(12 hours)", 12 * time.Hour},
		{"rate(1 day)", 24 * time.Hour}, {"rate(7 days)", 7 * 24 * time.Hour},
		{"rate(  15   minutes )", 15 * time.Minute},
	} {
		s := mustRule(t, tt.expr).(*RateSchedule)
		if s.Interval() != tt.interval {
			t.Errorf("%s: interval %v; want %v", tt.expr, s.Interval(), tt.interval)
		}
	}
	if s := mustRule(t, "rate(  15   minutes )"); s.String() != "rate(15 minutes)" {
		t.Errorf("String() = %q", s)
	}
	// Unanchored, a rate counts from the Unix epoch.
	checkNext(t, mustRule(t, "rate(5 minutes)"), after, "2026-03-04T12:35", "2026-03-04T12:40")
	checkNext(t, mustRule(t, "rate(1 day)"), after, "2026-03-05T00:00")
	// Anchored, from its start, which is an activation.
	start := utc(t, "2026-03-04T10:15:30")
	s := Anchor(mustRule(t, "rate(1 hour)"), start)
	checkNext(t, s, after, "2026-03-04T13:15:30", "2026-03-04T14:15:30")
	checkNext(t, s, utc(t, "2026-03-04T09:00"), "2026-03-04T10:15:30", "2026-03-04T11:15:30")
	checkNext(t, s, start, "2026-03-04T11:15:30")
	checkNext(t, s, start.Add(-time.Nanosecond), "2026-03-04T10:15:30")
	if s.String() != "rate(1 hour)" || s.(*RateSchedule).Start() != start {
		t.Errorf("anchored rate: %s from %v", s, s.(*RateSchedule).Start())
	}
	// Nanoseconds of the anchor are kept.
	ns := start.Add(123)
	if next, _ := Anchor(mustRule(t, "rate(1 minute)"), ns).Next(ns.Add(30 * time.Second)); !next.Equal(ns.Add(time.Minute)) {
		t.Errorf("Next = %v; want %v", next, ns.Add(time.Minute))
	}
	// A day is 24 hours, whatever the clocks do: across New York's spring
	// forward, noon EST is followed by 13:00 EDT.
	ny := mustLoad(t, "America/New_York")
	day := Anchor(mustScheduler(t, "rate(1 day)", ny), time.Date(2026, 3, 7, 12, 0, 0, 0, ny))
	checkNext(t, day, utc(t, "2026-03-07T18:00"), "2026-03-08T17:00", "2026-03-09T17:00")
	// Far from the anchor.
	checkNext(t, mustRule(t, "rate(7 days)"), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), "9999-01-07T00:00")
	checkNext(t, Anchor(mustRule(t, "rate(3 minutes)"), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)),
		time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), "3000-01-01T00:00", "3000-01-01T00:03")
	// Anchor leaves other schedules alone.
	c := mustRule(t, "cron(0 10 * * ? *)")
	if Anchor(c, start) != c {
		t.Error("Anchor changed a cron schedule")
	}
}

// TestActiveAt checks windows opened by activations, as mute rules use
// them.
func TestActiveAt(t *testing.T) {
	s := mustMute(t, "cron(0 18 * * FRI)", nil) // P2DT12H: Friday 18:00 to Monday 06:00
	d, err := ParseMuteDuration("P2DT12H")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at     string
		active bool
	}{
		{"2026-03-06T17:59", false}, {"2026-03-06T18:00", true}, {"2026-03-08T12:00", true},
		{"2026-03-09T05:59:59", true}, {"2026-03-09T06:00", false}, {"2026-03-11T00:00", false},
	} {
		start, ok := ActiveAt(s, d, utc(t, tt.at))
		if ok != tt.active || ok && !start.Equal(utc(t, "2026-03-06T18:00")) {
			t.Errorf("ActiveAt(%s) = %v, %v; want %v", tt.at, start, ok, tt.active)
		}
	}
}

// TestCanonical checks the canonical forms.
func TestCanonical(t *testing.T) {
	for _, tt := range []struct {
		d          Dialect
		expr, want string
	}{
		{Rule, "cron(05 08 * * ? *)", "cron(5 8 * * ? *)"},
		{Rule, "cron(0 18 ? * mon-fri *)", "cron(0 18 ? * MON-FRI *)"},
		{Rule, "cron( 0  10 * *\t? * )", "cron(0 10 * * ? *)"},
		{Rule, "cron(0/15 * * * ? *)", "cron(0/15 * * * ? *)"},
		{Rule, "cron(0 0 15w jan,Feb ? 2026-2030/2)", "cron(0 0 15W JAN,FEB ? 2026-2030/2)"},
		{Rule, "cron(0 0 ? * fri#03 *)", "cron(0 0 ? * FRI#3 *)"},
		{Rule, "cron(0 0 ? * 06l *)", "cron(0 0 ? * 6L *)"},
		{Rule, "rate(05 minutes)", "rate(5 minutes)"},
		{Mute, "cron(00 02 * * sun)", "cron(0 2 * * SUN)"},
		{Scheduler, "at(2026-01-01T00:00:00)", "at(2026-01-01T00:00:00)"},
	} {
		s, err := parse(tt.d, tt.expr, nil)
		if err != nil {
			t.Errorf("%v %q: %v", tt.d, tt.expr, err)
			continue
		}
		if s.String() != tt.want {
			t.Errorf("%v %q: String() = %q; want %q", tt.d, tt.expr, s.String(), tt.want)
		}
	}
}

// TestInvalid checks that invalid expressions are refused, with AWS's
// message where it is known and a reason naming the field.
func TestInvalid(t *testing.T) {
	long := "cron(0 0 1 1 ? " + strings.Repeat("2026,", 49) + "2026)"
	tests := []struct {
		d      Dialect
		expr   string
		field  string
		reason string
	}{
		{Rule, "", "", "the expression is empty"},
		{Rule, long, "", "at most 256"},
		{Rule, "cron(0 0 * * * *)", "Day-of-month", "one of Day-of-month and Day-of-week must be '?'"},
		{Rule, "cron(7 20 * * 1-7 *)", "Day-of-month", "must be '?'"},
		{Rule, "cron(0 0 ? * ? *)", "Day-of-month", "only one of Day-of-month and Day-of-week may be '?'"},
		{Rule, "cron(0 0 * * ?)", "", "cron expression has 5 fields; want 6"},
		{Rule, "cron(0 0 1 * ? * *)", "", "has 7 fields"},
		{Rule, "cron(*/60 * * * ? *)", "Minutes", "step 60 is out of range 1-59"},
		{Rule, "cron(0/0 * * * ? *)", "Minutes", "step 0 is out of range"},
		{Rule, "cron(60 * * * ? *)", "Minutes", "value 60 is out of range 0-59"},
		{Rule, "cron(0 24 * * ? *)", "Hours", "value 24 is out of range 0-23"},
		{Rule, "cron(0 0 32 * ? *)", "Day-of-month", "value 32 is out of range 1-31"},
		{Rule, "cron(0 0 0 * ? *)", "Day-of-month", "value 0 is out of range 1-31"},
		{Rule, "cron(0 0 1 13 ? *)", "Month", "value 13 is out of range 1-12"},
		{Rule, "cron(0 0 ? * 0 *)", "Day-of-week", "value 0 is out of range 1-7"},
		{Rule, "cron(0 0 ? * 8 *)", "Day-of-week", "value 8 is out of range 1-7"},
		{Rule, "cron(0 0 1 1 ? 1969)", "Year", "value 1969 is out of range 1970-2199"},
		{Rule, "cron(0 0 1 1 ? 2200)", "Year", "value 2200 is out of range 1970-2199"},
		{Rule, "cron(0 0 1 1 ? 2030-2027)", "Year", "range 2030-2027 runs backwards"},
		{Rule, "cron(0 0 1 1 ? 2026/0)", "Year", "step 0 is out of range 1-9999"},
		{Rule, "cron(0 0 1 1 ? 2026/10000)", "Year", "step 10000 is out of range 1-9999"},
		{Rule, "cron(0/100 0 1 1 ? *)", "Minutes", "step 100 is out of range 1-59"},
		{Rule, "cron(0 0 ? * 3#1,6#3 *)", "Day-of-week", "'#' follows a single day of the week"},
		{Rule, "cron(0 0 ? * 2#6 *)", "Day-of-week", "the n of 2#n must be 1-5"},
		{Rule, "cron(0 0 ? * 2#0 *)", "Day-of-week", "must be 1-5"},
		{Rule, "cron(0 0 ? * 0#1 *)", "Day-of-week", "value 0 is out of range 1-7"},
		{Rule, "cron(0 0 ? * 5-6L *)", "Day-of-week", "'L' follows a single day of the week"},
		{Rule, "cron(0 0 ? * L,2 *)", "Day-of-week", "'L' follows a single day of the week"},
		{Rule, "cron(0 0 ? * 8L *)", "Day-of-week", "value 8 is out of range 1-7"},
		{Rule, "cron(0 0 ?,1 * ? *)", "Day-of-month", "'?' must be the whole field"},
		{Rule, "cron(0 0 L,15 * ? *)", "Day-of-month", "must each be the only item"},
		{Rule, "cron(0 0 L-3 * ? *)", "Day-of-month", "must each be the only item"},
		{Rule, "cron(0 0 1-5W * ? *)", "Day-of-month", "'W' follows a single day of the month"},
		{Rule, "cron(0 0 W * ? *)", "Day-of-month", "'W' follows a single day"},
		{Rule, "cron(0 0 32W * ? *)", "Day-of-month", "value 32 is out of range 1-31"},
		{Rule, "cron(0 0 1#2 * ? *)", "Day-of-month", "'#' is only for Day-of-week"},
		{Rule, "cron(0 0 15 JANUARY ? *)", "Month", "neither a number nor a month name"},
		{Rule, "cron(0 0 ? * FOO *)", "Day-of-week", "neither a number nor a day name"},
		{Rule, "cron(0 L * * ? *)", "Hours", "\"L\" is only for Day-of-month and Day-of-week"},
		{Rule, "cron(? 0 * * ? *)", "Minutes", "\"?\" is only for Day-of-month and Day-of-week"},
		{Rule, "cron(0 0 1,,2 * ? *)", "Day-of-month", "empty item"},
		{Rule, "cron(0 0 1, * ? *)", "Day-of-month", "empty item"},
		{Rule, "cron(a 0 1 * ? *)", "Minutes", "\"A\" is not a number"},
		{Rule, "cron(-1 0 1 * ? *)", "Minutes", "missing value"},
		{Rule, "cron(1-2-3 0 1 * ? *)", "Minutes", "is not a number"},
		{Rule, "cron(0/5/2 0 1 * ? *)", "Minutes", "step \"5/2\" is not a number"},
		{Rule, "cron(00000 0 1 * ? *)", "Minutes", "out of range"},
		{Rule, "at(2026-01-01T00:00:00)", "", "EventBridge rule expressions take rate(value unit) or cron("},
		{Rule, "cron(0 0 1 * ? *", "", "want rate(value unit) or cron("},
		{Rule, "cron(0 0 ? * \u017fun *)", "", "a character 'ſ' that no expression takes"},
		{Mute, "cron(0 0 * * \x00)", "", "a character '\\x00'"},
		{Rule, "cron(0 0 (1) * ? *)", "", "want rate"},
		{Rule, "CRON(0 0 1 * ? *)", "", "expressions take"},
		{Rule, " cron(0 0 1 * ? *)", "", "expressions take"},
		{Rule, "rate(1 minutes)", "rate unit", "for a value of 1 the unit is singular: rate(1 minute)"},
		{Rule, "rate(5 hour)", "rate unit", "for a value above 1 the unit is plural: rate(5 hours)"},
		{Rule, "rate(0 minutes)", "rate value", "must be positive"},
		{Rule, "rate(-5 minutes)", "rate value", "not a positive whole number"},
		{Rule, "rate(1.5 hours)", "rate value", "not a positive whole number"},
		{Rule, "rate(5 seconds)", "rate unit", "is not minute, minutes"},
		{Rule, "rate(5 Minutes)", "rate unit", "is not minute"},
		{Rule, "rate(5)", "", "rate(value unit)"},
		{Rule, "rate(99999999999999999999 days)", "rate value", "longer than this implementation can count"},
		{Rule, "rate(200000 days)", "rate value", "longer than"},
		{Mute, "cron(0 2 * * ?)", "Day-of-week", "\"?\" is EventBridge syntax"},
		{Mute, "cron(0 2 * * * *)", "", "has 6 fields; want 5"},
		{Mute, "cron(0 2 * * 8)", "Day-of-week", "value 8 is out of range 0-7"},
		{Mute, "cron(0 2 L * *)", "Day-of-month", "\"L\" is EventBridge syntax"},
		{Mute, "cron(0 2 15W * *)", "Day-of-month", "\"W\" is EventBridge syntax"},
		{Mute, "cron(0 2 * * 2#1)", "Day-of-week", "\"#\" is EventBridge syntax"},
		{Mute, "cron(0 2 * * 5L)", "Day-of-week", "\"L\" is EventBridge syntax"},
		{Mute, "cron(5/10 * * * *)", "Minutes", "a step follows '*' or a range"},
		{Mute, "cron(0 20-2 * * *)", "Hours", "range 20-2 runs backwards"},
		{Mute, "cron(0 0 * * FRI-MON)", "Day-of-week", "range FRI-MON runs backwards"},
		{Mute, "rate(5 minutes)", "", "CloudWatch alarm mute rule expressions take cron("},
		{Mute, "at(2026-01-01T00:00:00)", "at", "want yyyy-MM-ddThh:mm"},
		{Mute, "at(2026-02-30T00:00)", "at", "2026-02-30 is not a date"},
		{Mute, "at(2026-13-01T00:00)", "at", "month 13 is out of range"},
		{Mute, "at(2026-1-01T00:00)", "at", "want yyyy-MM-ddThh:mm"},
		{Mute, "at(2026-01-01 00:00)", "at", "want yyyy-MM-ddThh:mm"},
		{Mute, "at(2026-01-01T24:00)", "at", "hour 24 is out of range"},
		{Mute, "at(2026-01-01T23:60)", "at", "minute 60 is out of range"},
		{Scheduler, "at(2026-01-01T00:00)", "at", "want yyyy-mm-ddThh:mm:ss"},
		{Scheduler, "at(2026-01-01T00:00:60)", "at", "second 60 is out of range"},
		{Scheduler, "rate(1 minutes)", "rate unit", "singular"},
		{Scheduler, "cron(0 0 * * ?)", "", "has 5 fields; want 6"},
		{Scheduler, "cron(0 0 * * * *)", "Day-of-month", "must be '?'"},
	}
	for _, tt := range tests {
		_, err := parse(tt.d, tt.expr, nil)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%v %q: err = %v; want an *Error", tt.d, tt.expr, err)
			continue
		}
		if e.Field != tt.field || !strings.Contains(e.Reason, tt.reason) || e.Input != tt.expr || e.Dialect != tt.d {
			t.Errorf("%v %q: field %q, reason %q; want field %q, reason containing %q", tt.d, tt.expr, e.Field, e.Reason, tt.field, tt.reason)
		}
		var wantMessage string
		switch {
		case tt.d == Rule:
			wantMessage = "Parameter ScheduleExpression is not valid."
		case tt.d == Scheduler:
			wantMessage = "Invalid Schedule Expression " + tt.expr
		case tt.field == "at":
			wantMessage = "At expressions must be a valid date in 'yyyy-MM-ddThh:mm' format"
		default:
			wantMessage = "Invalid schedule expression: " + e.Reason
		}
		if e.Message != wantMessage {
			t.Errorf("%v %q: message %q; want %q", tt.d, tt.expr, e.Message, wantMessage)
		}
		if !strings.Contains(err.Error(), e.Reason) {
			t.Errorf("%v %q: Error() = %q does not give the reason", tt.d, tt.expr, err)
		}
	}
}

// TestISODuration checks ISO 8601 durations: the examples of the mute
// rule's Duration, and refusals.
func TestISODuration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		out  string // FormatISODuration(want), if not in
	}{
		{"PT4H", 4 * time.Hour, ""},
		{"P2DT12H", 60 * time.Hour, ""},
		{"PT6H", 6 * time.Hour, ""},
		{"PT2H", 2 * time.Hour, ""},
		{"P7D", 7 * 24 * time.Hour, ""},
		{"PT1M", time.Minute, ""},
		{"P15D", 15 * 24 * time.Hour, ""},
		{"PT1M30S", 90 * time.Second, ""},
		{"P1DT1H1M1S", 25*time.Hour + time.Minute + time.Second, ""},
		{"PT36H", 36 * time.Hour, "P1DT12H"},
		{"PT90M", 90 * time.Minute, "PT1H30M"},
		{"PT0.5S", 500 * time.Millisecond, ""},
		{"PT1,25S", 1250 * time.Millisecond, "PT1.25S"},
		{"PT0.000000001S", 1, ""},
		{"PT0S", 0, ""},
		{"P0D", 0, "PT0S"},
	} {
		got, err := ParseISODuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseISODuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		out := tt.out
		if out == "" {
			out = tt.in
		}
		if f := FormatISODuration(tt.want); f != out {
			t.Errorf("FormatISODuration(%v) = %q; want %q", tt.want, f, out)
		}
	}
	for _, tt := range []struct{ in, reason string }{
		{"", "must start with P"},
		{"4H", "must start with P"},
		{"P", "no days, hours, minutes or seconds"},
		{"PT", "T must be followed"},
		{"P1DT", "T must be followed"},
		{"P1Y", "years, months and weeks are not supported"},
		{"P1M", "years, months and weeks are not supported"},
		{"P2W", "years, months and weeks are not supported"},
		{"P1H", "\"H\" is not a designator here; want D (days) before T"},
		{"PT1D", "want H, M or S after T"},
		{"PT1.5H", "only seconds may have a fraction"},
		{"PT1.S", "is not a number"},
		{"PT.5S", "is not a number"},
		{"PT1.2.3S", "is not a number"},
		{"PT0.1234567891S", "more than 9 decimals"},
		{"pt4h", "must start with P"},
		{"Pt4H", "\"t\" is not a designator"},
		{"-PT4H", "must start with P"},
		{"PT-4H", "is not a designator"},
		{"PT4H4H", "repeated or out of order"},
		{"PT4M4H", "repeated or out of order"},
		{"PT4", "has no designator"},
		{"PT99999999999999999999H", "too long"},
		{"PT2562048H", "too long"},
		{"P106751DT23H47M16.854775807S", ""}, // the longest that fits
		{"P106751DT23H47M16.854775808S", "too long"},
	} {
		_, err := ParseISODuration(tt.in)
		var e *Error
		switch {
		case tt.reason == "":
			if err != nil {
				t.Errorf("ParseISODuration(%q): %v", tt.in, err)
			}
		case !errors.As(err, &e):
			t.Errorf("ParseISODuration(%q): err = %v; want an *Error", tt.in, err)
		case !strings.Contains(e.Reason, tt.reason) || e.Field != "Duration" || !strings.Contains(e.Message, tt.reason):
			t.Errorf("ParseISODuration(%q): %q; want a reason containing %q", tt.in, e.Reason, tt.reason)
		}
	}
	for _, tt := range []struct {
		in string
		ok bool
	}{{"PT1M", true}, {"P15D", true}, {"PT59S", false}, {"PT0S", false}, {"P15DT1S", false}, {"P16D", false}, {"PT4H", true}, {"P1Y", false}} {
		_, err := ParseMuteDuration(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseMuteDuration(%q): %v; want ok %v", tt.in, err, tt.ok)
		}
	}
	if _, err := ParseMuteDuration("PT30S"); err == nil || err.(*Error).Message != "Duration must be at least 1 minute (PT1M) and at most 15 days (P15D)" {
		t.Errorf("ParseMuteDuration(PT30S): %v", err)
	}
	for _, d := range []time.Duration{-time.Hour, -1 << 63, 1<<63 - 1} {
		f := FormatISODuration(d)
		back, err := ParseISODuration(strings.TrimPrefix(f, "-"))
		if d > 0 && (err != nil || back != d) || d < 0 && !strings.HasPrefix(f, "-P") {
			t.Errorf("FormatISODuration(%d) = %q (back %v, %v)", d, f, back, err)
		}
	}
}

// TestDialectNames pins the services' names in messages.
func TestDialectNames(t *testing.T) {
	for d, want := range map[Dialect]string{Mute: "CloudWatch alarm mute rule", Rule: "EventBridge rule", Scheduler: "EventBridge Scheduler", 0: "Dialect(0)"} {
		if d.String() != want {
			t.Errorf("%d: %q; want %q", int(d), d.String(), want)
		}
	}
}

// BenchmarkNext measures Next on expressions that skip far.
func BenchmarkNext(b *testing.B) {
	for _, expr := range []string{"cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)", "cron(0 0 29 FEB ? *)", "cron(0 0 30 FEB ? *)", "cron(0 0 1 1 ? 2199)"} {
		s, err := ParseRuleSchedule(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			for b.Loop() {
				s.Next(after)
			}
		})
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	s, err := ParseMuteSchedule("cron(0 0 31 2 *)", ny)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("mute impossible", func(b *testing.B) {
		for b.Loop() {
			s.Next(after)
		}
	})
}
