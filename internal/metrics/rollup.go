package metrics

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/chunk"
	"github.com/vigilhq/vigil/internal/store"
)

// Resolutions and retention follow CloudWatch's: "Data points with a period
// of less than 60 seconds are available for 3 hours. Data points with a
// period of 60 seconds (1-minute) are available for 15 days. Data points
// with a period of 300 seconds (5-minute) are available for 63 days. Data
// points with a period of 3600 seconds (1 hour) are available for 455 days
// (15 months)."
//
// Data points are stored as they are put (table metric_points) and a job
// that runs every minute folds them into roll-up chunks of 60-second
// samples, one chunk per metric, unit and hour. High-resolution points are
// also kept as they were put for three hours, and join the 60-second
// chunks when they leave that window. A day of 60-second chunks older than
// 15 days becomes one chunk of 300-second samples; a week of 300-second
// chunks older than 63 days becomes one chunk of 3600-second samples, which
// are deleted after 455 days. Every sample keeps the exact SampleCount,
// Sum, Minimum and Maximum and a distribution sketch (see stats.Sketch for
// the accuracy of percentiles after roll-ups).

// tier is a roll-up resolution.
type tier struct {
	res  int   // seconds
	span int64 // milliseconds a chunk covers
	keep time.Duration
}

const (
	hour = int64(time.Hour / time.Millisecond)
	day  = 24 * hour
	week = 7 * day

	highResKeep = 3 * time.Hour
)

var tiers = []tier{
	{60, hour, 15 * 24 * time.Hour},
	{300, day, 63 * 24 * time.Hour},
	{3600, week, 455 * 24 * time.Hour},
}

// Job sizes, which bound its memory: how many pending points a read
// takes, how many samples and high-resolution points the job holds before
// it writes them (checked between reads, so a read's worth more at most),
// and how many metrics' chunks a downsampling step takes.
// Variables, so that tests can take small steps.
var (
	rollupRead    = 200_000
	rollupSamples = 20_000
	rollupHigh    = 200_000
	downsampleMax = 1000
)

// RollUp runs the roll-up job once, at now: it folds the pending points
// into chunks, moves high-resolution points past three hours into them,
// converts chunks past their tier's retention to the next tier and deletes
// the data past 455 days. The composition root schedules it (every
// minute, at the clock's time).
func (e *Engine) RollUp(ctx context.Context, nowTime time.Time) error {
	now := nowTime.UnixMilli()
	recent := now - highResKeep.Milliseconds()
	// The pending points are read in commit order and folded as they are
	// read; the samples are written, with the recent high-resolution
	// points kept raw, when the reads reach the end or memory's bound.
	f := newFolder()
	var high []store.StoredPoint
	var after, applied int64
	for {
		n := 0
		through, err := e.opt.Store.PendingPoints(ctx, after, rollupRead, func(p *store.StoredPoint) {
			n++
			if p.Resolution == 1 && p.Timestamp >= recent {
				// A copy of the distribution: p's shares the batch read.
				q := *p
				q.Dist = bytes.Clone(p.Dist)
				high = append(high, q)
			} else {
				f.add(p)
			}
		})
		if err != nil {
			return err
		}
		after = max(after, through)
		last := n < rollupRead
		if after > applied && (last || len(f.samples) >= rollupSamples || len(high) >= rollupHigh) {
			puts, err := e.fold(ctx, f)
			if err != nil {
				return err
			}
			if err := e.opt.Store.ApplyRollup(ctx, store.RollupChange{PointsThrough: after, HighRes: high, Put: puts}); err != nil {
				return err
			}
			f, high, applied = newFolder(), nil, after
		}
		if last {
			break
		}
	}
	high, err := e.opt.Store.HighResPoints(ctx, recent)
	if err != nil {
		return err
	}
	if len(high) > 0 {
		f := newFolder()
		for i := range high {
			f.add(&high[i])
		}
		puts, err := e.fold(ctx, f)
		if err != nil {
			return err
		}
		if err := e.opt.Store.ApplyRollup(ctx, store.RollupChange{HighResBefore: recent, Put: puts}); err != nil {
			return err
		}
	}
	for i, t := range tiers {
		if err := e.downsample(ctx, now, t, i+1); err != nil {
			return err
		}
	}
	return nil
}

// folder folds points, in any order, into the 60-second samples they
// belong to. The samples are kept in a map by metric, unit and minute and
// only they are sorted: sorting the points cost the job more than folding
// them.
type folder struct {
	samples map[sampleKey]*observations
	// units numbers the units seen; unit and unitID cache the last one
	// (the points of a write share their unit strings).
	units  map[string]int32
	names  []string
	unit   string
	unitID int32
}

type sampleKey struct {
	metric int64
	minute int64 // seconds
	unit   int32
}

// foldExact is how many values a sample keeps before it sketches them:
// the sample is sketched when it is written anyway, and the sketch's size
// is bounded while values are not.
const foldExact = 256

func newFolder() *folder {
	return &folder{samples: map[sampleKey]*observations{}, units: map[string]int32{}, unitID: -1}
}

func (f *folder) add(p *store.StoredPoint) {
	if f.unitID < 0 || p.Unit != f.unit {
		id, ok := f.units[p.Unit]
		if !ok {
			id = int32(len(f.names))
			f.units[p.Unit] = id
			f.names = append(f.names, p.Unit)
		}
		f.unit, f.unitID = p.Unit, id
	}
	k := sampleKey{p.MetricID, floor(p.Timestamp, 60_000) / 1000, f.unitID}
	o := f.samples[k]
	if o == nil {
		o = &observations{}
		f.samples[k] = o
	}
	o.addPoint(&p.PointValue)
	if o.sketch == nil && o.values.Len() >= foldExact {
		o.toSketch()
	}
}

// chunks returns the samples as 60-second chunks, in (metric, unit,
// start) order.
func (f *folder) chunks() ([]store.Rollup, error) {
	keys := slices.SortedFunc(maps.Keys(f.samples), func(a, b sampleKey) int {
		return cmp.Or(cmp.Compare(a.metric, b.metric), strings.Compare(f.names[a.unit], f.names[b.unit]), cmp.Compare(a.minute, b.minute))
	})
	t := tiers[0]
	var built []store.Rollup
	var enc chunk.Encoder
	var key store.RollupKey
	flush := func() {
		if enc.Len() > 0 {
			built = append(built, store.Rollup{RollupKey: key, Stop: key.Start + t.span, Data: clone(enc.Bytes())})
			enc.Reset()
		}
	}
	for _, k := range keys {
		if rk := (store.RollupKey{MetricID: k.metric, Unit: f.names[k.unit], Resolution: t.res, Start: floor(k.minute*1000, t.span)}); rk != key {
			flush()
			key = rk
		}
		if err := enc.Append(f.samples[k].sample(k.minute)); err != nil {
			return nil, err
		}
	}
	flush()
	return built, nil
}

// fold returns the chunks of f's samples merged with the stored chunks.
func (e *Engine) fold(ctx context.Context, f *folder) ([]store.Rollup, error) {
	built, err := f.chunks()
	if err != nil {
		return nil, err
	}
	return e.mergeStored(ctx, built)
}

// mergeStored merges new chunks with the stored chunks of the same keys.
func (e *Engine) mergeStored(ctx context.Context, built []store.Rollup) ([]store.Rollup, error) {
	keys := make([]store.RollupKey, len(built))
	for i, r := range built {
		keys[i] = r.RollupKey
	}
	stored, err := e.opt.Store.Rollups(ctx, store.RollupQuery{Keys: keys})
	if err != nil {
		return nil, err
	}
	old := make(map[store.RollupKey][]byte, len(stored))
	for _, r := range stored {
		old[r.RollupKey] = r.Data
	}
	for i := range built {
		if o, ok := old[built[i].RollupKey]; ok {
			merged, err := chunk.Merge(o, built[i].Data)
			if err != nil {
				return nil, fmt.Errorf("metric %d: stored roll-up: %w", built[i].MetricID, err)
			}
			built[i].Data = merged
		}
	}
	return built, nil
}

// downsample converts the chunks of tier t whose whole span of the next
// tier (index next, none past the last) is past t's retention, a bounded
// number of metrics at a time.
func (e *Engine) downsample(ctx context.Context, now int64, t tier, next int) error {
	cut := now - t.keep.Milliseconds()
	if next < len(tiers) {
		cut = floor(cut, tiers[next].span)
	} else {
		cut -= t.span // chunks that end before the cut
	}
	for {
		old, err := e.opt.Store.Rollups(ctx, store.RollupQuery{Resolution: t.res, StartBefore: cut, MaxMetrics: downsampleMax})
		if err != nil || len(old) == 0 {
			return err
		}
		change := store.RollupChange{}
		for _, r := range old {
			change.Delete = append(change.Delete, r.RollupKey)
		}
		if next < len(tiers) {
			if change.Put, err = e.coarsen(ctx, old, tiers[next]); err != nil {
				return err
			}
		}
		if err := e.opt.Store.ApplyRollup(ctx, change); err != nil {
			return err
		}
	}
}

// coarsen re-aggregates chunks, in (metric, unit, start) order, into the
// chunks of tier to.
func (e *Engine) coarsen(ctx context.Context, old []store.Rollup, to tier) ([]store.Rollup, error) {
	var built []store.Rollup
	var enc chunk.Encoder
	var key store.RollupKey
	var cur *chunk.Sample
	step := int64(to.res)
	flush := func() error {
		if cur != nil {
			if err := enc.Append(*cur); err != nil {
				return err
			}
			cur = nil
		}
		if enc.Len() > 0 {
			built = append(built, store.Rollup{RollupKey: key, Stop: key.Start + to.span, Data: clone(enc.Bytes())})
			enc.Reset()
		}
		return nil
	}
	for _, r := range old {
		samples, err := chunk.Decode(r.Data)
		if err != nil {
			return nil, fmt.Errorf("metric %d: stored roll-up: %w", r.MetricID, err)
		}
		for _, s := range samples {
			k := store.RollupKey{MetricID: r.MetricID, Unit: r.Unit, Resolution: to.res, Start: floor(s.T*1000, to.span)}
			if k != key {
				if err := flush(); err != nil {
					return nil, err
				}
				key = k
			}
			t := s.T - s.T%step
			switch {
			case cur == nil:
				s.T = t
				cur = &s
			case cur.T == t:
				c := chunk.Combine(*cur, s)
				cur = &c
			default:
				if err := enc.Append(*cur); err != nil {
					return nil, err
				}
				s.T = t
				cur = &s
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return e.mergeStored(ctx, built)
}

// floor rounds t down to a multiple of step (t ≥ 0).
func floor(t, step int64) int64 { return t - t%step }

func clone(b []byte) []byte { return append([]byte(nil), b...) }
