package anomaly

import (
	"math"
	"time"
)

const (
	hour = 3600
	day  = 24 * hour
	week = 7 * day

	// mondayShift moves Unix seconds so that multiples of a week fall on
	// Mondays at midnight: 1970-01-01 was a Thursday.
	mondayShift = 3 * day
)

// zoneCache converts Unix seconds to wall-clock seconds in a location,
// remembering the offset's validity range so that a run of timestamps
// looks the zone up once per daylight-saving period.
type zoneCache struct {
	loc        *time.Location
	start, end int64 // the cached offset holds for start <= t < end
	off        int64
	ok         bool
}

// local returns t shifted by the location's UTC offset at t: the wall
// clock read as if it were UTC.
func (z *zoneCache) local(t int64) int64 {
	if !z.ok || t < z.start || t >= z.end {
		tm := time.Unix(t, 0).In(z.loc)
		_, off := tm.Zone()
		s, e := tm.ZoneBounds()
		z.start, z.end = math.MinInt64, math.MaxInt64
		if !s.IsZero() {
			z.start = s.Unix()
		}
		if !e.IsZero() {
			z.end = e.Unix()
		}
		if t < z.start || t >= z.end {
			// Out of the range time can represent; do not cache.
			z.start, z.end = t, t+1
		}
		z.off, z.ok = int64(off), true
	}
	return t + z.off
}

// phaseDay, phaseWeek and phaseHour return where wall-clock seconds ls
// fall in the day, the week (from Monday 00:00) and the hour.
func phaseDay(ls int64) int64  { return mod(ls, day) }
func phaseWeek(ls int64) int64 { return mod(ls+mondayShift, week) }
func phaseHour(ls int64) int64 { return mod(ls, hour) }
