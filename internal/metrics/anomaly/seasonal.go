package anomaly

// structure is a seasonal structure the model can take. They are listed
// from the simplest to the most complex; selection prefers the simpler of
// two structures that predict about as well.
type structure uint8

const (
	flat         structure = iota // a level
	hourly                        // a level and a minute-of-hour shape
	daily                         // a time-of-day shape
	dailyHourly                   // time of day, plus minute of hour
	weekly                        // time of day, plus day-of-week deviations
	weeklyHourly                  // time of day and week, plus minute of hour
	nStructures
)

var structureNames = [nStructures]string{"flat", "hourly", "daily", "daily+hourly", "weekly", "weekly+hourly"}

func (s structure) String() string { return structureNames[s] }

func (s structure) hasDaily() bool  { return s >= daily }
func (s structure) hasWeekly() bool { return s >= weekly }
func (s structure) hasHourly() bool { return s == hourly || s == dailyHourly || s == weeklyHourly }

const (
	// minSamples is how many training values each bucket's median of
	// the daily and hourly profiles draws on at least (pooling
	// neighbouring buckets when a bucket has fewer).
	minSamples = 12
	// minWeeklySamples is the same for the weekly deviations, which
	// two weeks of history make sparser.
	minWeeklySamples = 6
	// dailyWidth is the finest bucket of the daily profile, and
	// dailySmooth the least span of time of day one median covers.
	dailyWidth  = 300
	dailySmooth = 900
	// weeklyWidth is the finest bucket of the weekly deviations.
	weeklyWidth = 1800
)

// seasonal is a fitted seasonal structure: the expected value, before
// trend and level shift, at a wall-clock time.
type seasonal struct {
	kind   structure
	level  float64  // without a daily profile
	daily  *profile // time of day
	weekly *profile // deviation by time of week, on top of daily or level
	hourly *profile // deviation by minute of hour, on top of the rest
}

// at returns the seasonal value at wall-clock seconds ls.
func (s *seasonal) at(ls int64) float64 {
	v := s.level
	if s.daily != nil {
		v = s.daily.at(phaseDay(ls))
	}
	if s.weekly != nil {
		v += s.weekly.at(phaseWeek(ls))
	}
	if s.hourly != nil {
		v += s.hourly.at(phaseHour(ls))
	}
	return v
}

// atPoint is at for training point i, from its precomputed phases.
func (s *seasonal) atPoint(ts *trainSet, i int32) float64 {
	v := s.level
	if s.daily != nil {
		v = s.daily.at(ts.pd[i])
	}
	if s.weekly != nil {
		v += s.weekly.at(ts.pw[i])
	}
	if s.hourly != nil {
		v += s.hourly.at(ts.ph[i])
	}
	return v
}

// available reports whether the training data can support structure s:
// a profile needs at least two buckets per cycle at the metric's period,
// and day-of-week deviations need two weeks of history (13 days, to allow
// for gaps and exclusions) so that each weekday is seen twice.
func (ts *trainSet) available(s structure) bool {
	if s.hasDaily() && ts.dailyWidth()*2 > day {
		if !s.hasWeekly() {
			return false
		}
	}
	if s.hasWeekly() && (ts.span() < 13*day || ts.weeklyWidth()*2 > week) {
		return false
	}
	if s.hasHourly() && ts.period*2 > hour {
		return false
	}
	return true
}

func (ts *trainSet) dailyWidth() int64  { return max(ts.period, dailyWidth) }
func (ts *trainSet) weeklyWidth() int64 { return max(ts.period, weeklyWidth) }

// fit fits each of the structures want on the points idx, whose values
// are target[i]; the structures share their daily and weekly profiles.
// The result is indexed by structure; unwanted ones are nil.
func (ts *trainSet) fit(target []float64, idx []int32, want []structure) [nStructures]*seasonal {
	var out [nStructures]*seasonal
	needDaily, needWeekly := false, false
	for _, s := range want {
		needDaily = needDaily || (s.hasDaily() && ts.dailyWidth()*2 <= day)
		needWeekly = needWeekly || s.hasWeekly()
	}
	scratch := make([]float64, 0, len(idx))
	for _, i := range idx {
		scratch = append(scratch, target[i])
	}
	level := median(scratch)
	var dly, wk *profile
	if needDaily {
		w := ts.dailyWidth()
		half := int(dailySmooth / w / 2)
		dly = group(day, w, ts.period, ts.pd, target, idx).medianProfile(minSamples, half)
	}
	resid := ts.resid
	if needWeekly {
		for _, i := range idx {
			if dly != nil {
				resid[i] = target[i] - dly.at(ts.pd[i])
			} else {
				resid[i] = target[i] - level
			}
		}
		wk = group(week, ts.weeklyWidth(), ts.period, ts.pw, resid, idx).medianProfile(minWeeklySamples, 0)
	}
	for _, k := range want {
		s := &seasonal{kind: k, level: level}
		if k.hasDaily() {
			s.daily = dly
		}
		if k.hasWeekly() {
			s.weekly = wk
		}
		if k.hasHourly() {
			for _, i := range idx {
				resid[i] = target[i] - s.atPoint(ts, i)
			}
			s.hourly = group(hour, ts.period, ts.period, ts.ph, resid, idx).medianProfile(minSamples, 0)
		}
		out[k] = s
	}
	return out
}

// choose picks the seasonal structure for target (the values less the
// baseline) by two-fold cross-validation: each candidate is fitted on one
// fold and predicts the other, and the one with the smallest trimmed mean
// absolute error wins, except that a simpler structure within 2% of the
// best is preferred. It returns the structure and its out-of-fold
// residuals, which measure how far the metric strays from a model that
// has not seen the point: the band's width comes from them.
func (ts *trainSet) choose(target []float64) (structure, []float64) {
	var cands []structure
	for s := range nStructures {
		if ts.available(s) {
			cands = append(cands, s)
		}
	}
	folds := ts.folds(ts.available(weekly))
	var oof [nStructures][]float64
	for _, s := range cands {
		oof[s] = make([]float64, len(ts.t))
	}
	for f := range uint8(2) {
		var train, test []int32
		for i := range ts.t {
			if folds[i] == f {
				train = append(train, int32(i))
			} else {
				test = append(test, int32(i))
			}
		}
		fits := ts.fit(target, train, cands)
		for _, s := range cands {
			for _, i := range test {
				oof[s][i] = target[i] - fits[s].atPoint(ts, i)
			}
		}
	}
	var crit [nStructures]float64
	best := cands[0]
	buf := make([]float64, 0, len(ts.t))
	for _, s := range cands {
		crit[s] = trimmedMAE(oof[s], buf)
		if crit[s] < crit[best] {
			best = s
		}
	}
	for _, s := range cands {
		if s < best && crit[s] <= crit[best]*1.02 {
			best = s
			break
		}
	}
	return best, oof[best]
}

// folds splits the training points in two for cross-validation: by week
// when day-of-week deviations are candidates (so that each weekday is in
// both folds), else by day. Should a fold be empty, it splits by hour,
// then by point.
func (ts *trainSet) folds(byWeek bool) []uint8 {
	f := make([]uint8, len(ts.t))
	for _, width := range []int64{week, day, hour} {
		if width == week && !byWeek {
			continue
		}
		n := [2]int{}
		for i, t := range ts.t {
			f[i] = uint8((t - ts.first) / width % 2)
			n[f[i]]++
		}
		if n[0] > 0 && n[1] > 0 {
			return f
		}
	}
	for i := range f {
		f[i] = uint8(i % 2)
	}
	return f
}
