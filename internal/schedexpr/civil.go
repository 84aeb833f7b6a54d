package schedexpr

import "time"

// civil is a wall-clock time to the minute, in no particular zone.
type civil struct {
	year, month, day, hour, minute int
}

// civilOf returns the wall-clock minute of t in its own location.
func civilOf(t time.Time) civil {
	y, mo, d := t.Date()
	h, mi, _ := t.Clock()
	return civil{y, int(mo), d, h, mi}
}

func isLeap(y int) bool {
	return y%4 == 0 && (y%100 != 0 || y%400 == 0)
}

// daysIn returns the number of days of month m of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch returns the number of days from 1970-01-01 to the given
// date of the proleptic Gregorian calendar. It counts in 400-year eras of
// 146,097 days, starting each year on March 1 so that the leap day ends
// it.
func daysSinceEpoch(y, m, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400                    // year of era, 0-399
	mp := int64((m + 9) % 12)              // month from March, 0-11
	doy := (153*mp+2)/5 + int64(d) - 1     // day of the March-based year
	doe := yoe*365 + yoe/4 - yoe/100 + doy // day of era
	return era*146097 + doe - 719468       // 719468: days from 0000-03-01 to 1970-01-01
}

// weekday returns the day of the week of a date, 0 for Sunday.
func weekday(y, m, d int) int {
	w := (daysSinceEpoch(y, m, d) + 4) % 7 // 1970-01-01 was a Thursday
	if w < 0 {
		w += 7
	}
	return int(w)
}

// unixOf returns the Unix time of c read as UTC.
func unixOf(c civil) int64 {
	return daysSinceEpoch(c.year, c.month, c.day)*86400 + int64(c.hour)*3600 + int64(c.minute)*60
}

// resolve returns the instants at which loc's clocks show c (at second
// zero): the earliest of them, and whether there is one. When there is
// none, c falls in a gap (clocks moving forward), and after is the first
// instant after the gap.
func resolve(c civil, loc *time.Location) (first time.Time, ok bool, after time.Time) {
	u := unixOf(c)
	// The offsets in force a day either side of u (read as UTC) include
	// those before and after any transition near c: offsets are within
	// ±26 hours of UTC, and zones change them far less often than daily.
	var offsets [3]int
	for i, probe := range [3]int64{u - 86400, u, u + 86400} {
		_, offsets[i] = time.Unix(probe, 0).In(loc).Zone()
	}
	for _, off := range offsets {
		t := time.Unix(u-int64(off), 0).In(loc)
		if civilOf(t) == c && t.Second() == 0 && (!ok || t.Before(first)) {
			first, ok = t, true
		}
	}
	if ok {
		return first, true, time.Time{}
	}
	// In a gap, c read with the offset before the transition falls after
	// it; the zone period that instant lies in starts at the transition.
	t := time.Unix(u-int64(offsets[0]), 0).In(loc)
	if start, _ := t.ZoneBounds(); !start.IsZero() && !start.After(t) {
		t = start
	}
	return time.Time{}, false, t
}
