package metrics

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// TestFolderSketchesLikeValues: a sample that sketches its values once it
// holds foldExact of them equals the sample of all its values sketched at
// once, as CloudWatch data is rolled up.
func TestFolderSketchesLikeValues(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	f := newFolder()
	var all observations
	for i := range 5 * foldExact {
		v := r.NormFloat64()*100 + 500
		p := store.StoredPoint{MetricID: 7, PointValue: store.PointValue{Timestamp: 60_000 + int64(i), Resolution: 60, Unit: "Bytes", Count: 1, Sum: v, Min: v, Max: v}}
		if i%10 == 0 { // a statistic set of equal values
			p.Count, p.Sum = 3, 3*v
		}
		f.add(&p)
		all.addPoint(&p.PointValue)
	}
	if len(f.samples) != 1 {
		t.Fatalf("%d samples; want 1", len(f.samples))
	}
	for k, o := range f.samples {
		if o.sketch == nil {
			t.Fatal("the sample kept its values")
		}
		if got, want := o.sample(k.minute), all.sample(60); !reflect.DeepEqual(got, want) {
			t.Errorf("sample = %+v; want %+v", got, want)
		}
	}
}

// TestRollUpInSteps: a job that reads and writes in several steps (small
// job sizes) leaves what one step does: the same statistics, nothing
// pending, the recent high-resolution points kept as put; and once they
// are three hours old, the same minutes.
func TestRollUpInSteps(t *testing.T) {
	defer func(r, s, h int) { rollupRead, rollupSamples, rollupHigh = r, s, h }(rollupRead, rollupSamples, rollupHigh)
	for _, sizes := range [][3]int{
		{3, 2, 1},             // a write after every read
		{3, 1 << 20, 1 << 20}, // folding across all the reads, one write
		{6, 5, 3},
	} {
		rollupRead, rollupSamples, rollupHigh = sizes[0], sizes[1], sizes[2]
		e, clk := newTestEngine(t)
		start := clk.Now().Add(-30 * time.Minute).Truncate(time.Minute)
		for i := range 12 {
			ts := start.Add(time.Duration(i) * 20 * time.Second)
			put(t, e,
				Datum{Namespace: "App", Name: "M", Value: float64(i), Timestamp: ts, Unit: "Seconds"},
				Datum{Namespace: "App", Name: "M", Value: float64(i * i), Timestamp: ts.Add(time.Second), Unit: "Seconds", StorageResolution: 1},
				Datum{Namespace: "App", Name: "Other", Value: 1, Timestamp: ts},
			)
		}
		end := start.Add(4 * time.Minute)
		minutes := func() [][]Datapoint {
			_, other, err := e.GetMetricStatistics(context.Background(), testScope, StatisticsQuery{
				Metric: MetricID{Namespace: "App", Name: "Other"}, Start: start, End: end, Period: 60, Unit: "None", Statistics: []string{"SampleCount"}})
			if err != nil {
				t.Fatal(err)
			}
			return [][]Datapoint{
				statistics(t, e, start, end, 60, "", "SampleCount", "Sum", "Minimum", "Maximum"),
				statistics(t, e, start, end, 60, "", "p50", "p90"),
				other,
			}
		}
		tens := func() []Datapoint { return statistics(t, e, start, end, 10, "", "SampleCount", "Maximum") }
		before, beforeTens := minutes(), tens()
		if len(before[0]) != 4 || len(before[2]) != 4 || len(beforeTens) != 12 {
			t.Fatalf("%v: before the roll-up: %d and %d minutes, %d ten-second periods; want 4, 4 and 12", sizes, len(before[0]), len(before[2]), len(beforeTens))
		}
		if err := e.RollUp(context.Background(), clk.Now()); err != nil {
			t.Fatal(err)
		}
		if after, afterTens := minutes(), tens(); !reflect.DeepEqual(after, before) || !reflect.DeepEqual(afterTens, beforeTens) {
			t.Errorf("%v: after the roll-up: %+v, %+v; want %+v, %+v", sizes, after, afterTens, before, beforeTens)
		}
		through, err := e.opt.Store.PendingPoints(context.Background(), 0, 1, func(p *store.StoredPoint) { t.Errorf("%v: pending after the roll-up: %+v", sizes, p) })
		if err != nil || through != 0 {
			t.Errorf("%v: PendingPoints = %d, %v; want nothing pending", sizes, through, err)
		}
		clk.Advance(4 * time.Hour)
		if err := e.RollUp(context.Background(), clk.Now()); err != nil {
			t.Fatal(err)
		}
		if after := minutes(); !reflect.DeepEqual(after, before) {
			t.Errorf("%v: four hours later: %+v; want %+v", sizes, after, before)
		}
	}
}
