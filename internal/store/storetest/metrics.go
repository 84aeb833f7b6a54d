package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Metrics checks the backend's store.Metrics.
func Metrics(t *testing.T, open Open) {
	ctx := context.Background()
	metrics := func(t *testing.T, b Backend) store.Metrics {
		t.Helper()
		need(t, b.Metrics != nil, "Metrics")
		return b.Metrics
	}
	key := func(name, dims string) store.MetricKey {
		return store.MetricKey{Account: "111111111111", Region: "us-east-1", Namespace: "App", Name: name, Dimensions: dims}
	}
	point := func(k store.MetricKey, ts int64, res int, v float64) store.MetricPoint {
		return store.MetricPoint{Key: k, PointValue: store.PointValue{Timestamp: ts, Resolution: res, Unit: "Count", Count: 1, Sum: v, Min: v, Max: v}}
	}
	idsOf := func(t *testing.T, s store.Metrics, keys ...store.MetricKey) []int64 {
		t.Helper()
		found, err := s.LookupMetrics(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[store.MetricKey]int64{}
		for _, m := range found {
			byKey[m.Key] = m.ID
		}
		ids := make([]int64, len(keys))
		for i, k := range keys {
			ids[i] = byKey[k]
		}
		return ids
	}

	t.Run("points, listing and lookup", func(t *testing.T) {
		s := metrics(t, fresh(t, open))
		a, b := key("Errors", `[["Host","a"]]`), key("Errors", `[["Host","b"]]`)
		c := key("Latency", `[]`)
		dist := []byte{1, 2, 3}
		pts := []store.MetricPoint{point(b, 1000, 60, 1), point(a, 2000, 60, 2), point(c, 3000, 1, 3)}
		pts[2].Dist = dist
		if err := s.PutMetricPoints(ctx, pts, 5000); err != nil {
			t.Fatal(err)
		}
		if err := s.PutMetricPoints(ctx, []store.MetricPoint{point(a, 4000, 60, 4)}, 90_000); err != nil {
			t.Fatal(err)
		}
		all, err := s.ListMetrics(ctx, store.MetricQuery{Account: a.Account, Region: a.Region})
		if err != nil {
			t.Fatal(err)
		}
		var keys []store.MetricKey
		for _, m := range all {
			keys = append(keys, m.Key)
		}
		if want := []store.MetricKey{a, b, c}; !slices.Equal(keys, want) {
			t.Fatalf("ListMetrics = %v; want %v", keys, want)
		}
		if all[0].LastSeen != 90_000 || all[1].LastSeen != 5000 {
			t.Errorf("LastSeen = %d, %d; want 90000, 5000", all[0].LastSeen, all[1].LastSeen)
		}
		recent, err := s.ListMetrics(ctx, store.MetricQuery{Account: a.Account, Region: a.Region, SeenSince: 60_000})
		if err != nil || len(recent) != 1 || recent[0].Key != a {
			t.Errorf("ListMetrics(SeenSince) = %v, %v; want only %v", recent, err, a)
		}
		page, err := s.ListMetrics(ctx, store.MetricQuery{Account: a.Account, Region: a.Region, Name: "Errors", AfterKey: &a, Limit: 5})
		if err != nil || len(page) != 1 || page[0].Key != b {
			t.Errorf("ListMetrics(after a) = %v, %v; want only %v", page, err, b)
		}
		other := key("Errors", `[["Host","z"]]`)
		ids := idsOf(t, s, a, other, c)
		if ids[0] == 0 || ids[1] != 0 || ids[2] == 0 {
			t.Fatalf("LookupMetrics ids = %v; want a and c found, not the other", ids)
		}
		d, err := s.MetricData(ctx, store.MetricDataQuery{IDs: []int64{ids[0], ids[2]}, Start: 0, End: 3500})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Points) != 2 || d.Points[0].Timestamp != 2000 || d.Points[1].MetricID != ids[2] || string(d.Points[1].Dist) != string(dist) || d.Points[1].Resolution != 1 {
			t.Errorf("MetricData points = %+v; want a@2000 and c@3000 with its distribution", d.Points)
		}
	})

	t.Run("roll-up steps", func(t *testing.T) {
		s := metrics(t, fresh(t, open))
		a, hr := key("Errors", `[]`), key("Fast", `[]`)
		if err := s.PutMetricPoints(ctx, []store.MetricPoint{point(hr, 61_000, 1, 2), point(a, 60_000, 60, 1)}, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.PutMetricPoints(ctx, []store.MetricPoint{point(a, 120_000, 60, 3)}, 1); err != nil {
			t.Fatal(err)
		}
		pendingPoints := func(after int64, limit int) ([]store.StoredPoint, int64) {
			t.Helper()
			var out []store.StoredPoint
			through, err := s.PendingPoints(ctx, after, limit, func(p *store.StoredPoint) { out = append(out, *p) })
			if err != nil {
				t.Fatal(err)
			}
			return out, through
		}
		pending, through := pendingPoints(0, 1)
		if len(pending) != 2 || through == 0 || pending[0].Timestamp != 61_000 || pending[1].Timestamp != 60_000 {
			t.Fatalf("PendingPoints(1) = %+v through %d; want the first write's 2 points, in the order they were put", pending, through)
		}
		next, nextThrough := pendingPoints(through, 1)
		if len(next) != 1 || next[0].Timestamp != 120_000 || nextThrough <= through {
			t.Fatalf("PendingPoints after %d = %+v through %d; want the second write's point", through, next, nextThrough)
		}
		if both, last := pendingPoints(0, 3); len(both) != 3 || last != nextThrough {
			t.Fatalf("PendingPoints(0, 3) = %+v through %d; want both writes' points through %d", both, last, nextThrough)
		}
		if more, last := pendingPoints(nextThrough, 1); len(more) != 0 || last != 0 {
			t.Fatalf("PendingPoints after the last write = %+v through %d; want nothing", more, last)
		}
		ids := idsOf(t, s, a, hr)
		chunk := store.Rollup{RollupKey: store.RollupKey{MetricID: ids[0], Unit: "Count", Resolution: 60, Start: 0}, Stop: 3_600_000, Data: []byte("chunk1")}
		var high []store.StoredPoint
		for _, p := range pending {
			if p.Resolution == 1 {
				high = append(high, p)
			}
		}
		if err := s.ApplyRollup(ctx, store.RollupChange{PointsThrough: through, HighRes: high, Put: []store.Rollup{chunk}}); err != nil {
			t.Fatal(err)
		}
		if rest, through2 := pendingPoints(0, 100); len(rest) != 1 || rest[0].Timestamp != 120_000 || through2 != nextThrough {
			t.Fatalf("PendingPoints after the step = %+v through %d; want the third point only", rest, through2)
		}
		d, err := s.MetricData(ctx, store.MetricDataQuery{IDs: ids, Start: 0, End: 200_000, Resolutions: []int{60}})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Points) != 2 || len(d.Rollups) != 1 || string(d.Rollups[0].Data) != "chunk1" {
			t.Fatalf("MetricData = %d points, %+v; want the pending and the high-resolution point, and the chunk", len(d.Points), d.Rollups)
		}
		if d, err := s.MetricData(ctx, store.MetricDataQuery{IDs: ids, Start: 3_600_000, End: 7_200_000, Resolutions: []int{60}}); err != nil || len(d.Rollups) != 0 {
			t.Errorf("MetricData after the chunk = %+v, %v; want no chunk", d.Rollups, err)
		}
		if d, err := s.MetricData(ctx, store.MetricDataQuery{IDs: ids, Start: 0, End: 200_000, Resolutions: []int{300}}); err != nil || len(d.Rollups) != 0 {
			t.Errorf("MetricData at 300 s = %+v, %v; want no chunk", d.Rollups, err)
		}

		// Replacing a chunk keeps one row per key.
		chunk.Data = []byte("chunk2")
		if err := s.ApplyRollup(ctx, store.RollupChange{Put: []store.Rollup{chunk}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Rollups(ctx, store.RollupQuery{Keys: []store.RollupKey{chunk.RollupKey, {MetricID: ids[1], Unit: "Count", Resolution: 60}}})
		if err != nil || len(got) != 1 || string(got[0].Data) != "chunk2" {
			t.Fatalf("Rollups(keys) = %+v, %v; want the replaced chunk only", got, err)
		}
		old, err := s.Rollups(ctx, store.RollupQuery{Resolution: 60, StartBefore: 1, MaxMetrics: 10})
		if err != nil || len(old) != 1 {
			t.Fatalf("Rollups(before) = %+v, %v; want the chunk", old, err)
		}
		hrPoints, err := s.HighResPoints(ctx, 62_000)
		if err != nil || len(hrPoints) != 1 || hrPoints[0].MetricID != ids[1] {
			t.Fatalf("HighResPoints = %+v, %v; want the high-resolution point", hrPoints, err)
		}
		if err := s.ApplyRollup(ctx, store.RollupChange{HighResBefore: 62_000, Delete: []store.RollupKey{chunk.RollupKey}}); err != nil {
			t.Fatal(err)
		}
		d, err = s.MetricData(ctx, store.MetricDataQuery{IDs: ids, Start: 0, End: 200_000, Resolutions: []int{60}})
		if err != nil || len(d.Points) != 1 || len(d.Rollups) != 0 {
			t.Fatalf("MetricData after deletion = %+v, %v; want the pending point only", d, err)
		}
	})

	t.Run("anomaly detectors", func(t *testing.T) {
		s := metrics(t, fresh(t, open))
		const acct, region = "111111111111", "us-east-1"
		for _, spec := range []string{`{"b":1}`, `{"a":1}`} {
			if err := s.PutAnomalyDetector(ctx, acct, region, store.AnomalyDetector{Spec: spec, Configuration: "{}", Created: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutAnomalyDetector(ctx, acct, region, store.AnomalyDetector{Spec: `{"a":1}`, Configuration: `{"x":2}`, Created: 2}); err != nil {
			t.Fatal(err)
		}
		got, err := s.AnomalyDetectors(ctx, acct, region)
		if err != nil || len(got) != 2 || got[0].Spec != `{"a":1}` || got[0].Configuration != `{"x":2}` || got[0].Created != 1 {
			t.Fatalf("AnomalyDetectors = %+v, %v; want a (updated configuration, first creation time) then b", got, err)
		}
		if other, err := s.AnomalyDetectors(ctx, acct, "eu-west-1"); err != nil || len(other) != 0 {
			t.Errorf("AnomalyDetectors(other region) = %v, %v; want none", other, err)
		}
		if err := s.DeleteAnomalyDetector(ctx, acct, region, `{"a":1}`); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAnomalyDetector(ctx, acct, region, `{"a":1}`); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteAnomalyDetector(missing) = %v; want ErrNotFound", err)
		}
	})

	// What was acknowledged is there after reopening, and a metric keeps
	// its id: putting points for it again does not make a second one.
	t.Run("durable across reopening", func(t *testing.T) {
		a, hr := key("Errors", `[["Host","a"]]`), key("Fast", `[]`)
		var before []store.Metric
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := metrics(t, b)
			if err := s.PutMetricPoints(ctx, []store.MetricPoint{point(a, 60_000, 60, 1), point(hr, 61_000, 1, 2)}, 90_000); err != nil {
				t.Fatal(err)
			}
			if err := s.PutAnomalyDetector(ctx, a.Account, a.Region, store.AnomalyDetector{Spec: `{"a":1}`, Configuration: "{}", Created: 1}); err != nil {
				t.Fatal(err)
			}
			var err error
			if before, err = s.ListMetrics(ctx, store.MetricQuery{Account: a.Account, Region: a.Region}); err != nil || len(before) != 2 {
				t.Fatalf("ListMetrics = %+v, %v; want 2 metrics", before, err)
			}
		})
		s := metrics(t, b)
		var pending []store.StoredPoint
		if _, err := s.PendingPoints(ctx, 0, 100, func(p *store.StoredPoint) { pending = append(pending, *p) }); err != nil || len(pending) != 2 {
			t.Errorf("PendingPoints after reopening = %+v, %v; want the 2 points", pending, err)
		}
		if err := s.PutMetricPoints(ctx, []store.MetricPoint{point(a, 120_000, 60, 3)}, 180_000); err != nil {
			t.Fatal(err)
		}
		after, err := s.ListMetrics(ctx, store.MetricQuery{Account: a.Account, Region: a.Region})
		if err != nil || len(after) != 2 || after[0].ID != before[0].ID || after[0].Key != a || after[1].ID != before[1].ID {
			t.Fatalf("ListMetrics after reopening and putting again = %+v, %v; want the same 2 metrics as before, %+v", after, err, before)
		}
		if after[0].FirstSeen != before[0].FirstSeen || after[0].LastSeen != 180_000 || after[1].LastSeen != before[1].LastSeen {
			t.Errorf("metrics after reopening = %+v; want first seen kept and a's last seen 180000 (before: %+v)", after, before)
		}
		if got, err := s.AnomalyDetectors(ctx, a.Account, a.Region); err != nil || len(got) != 1 {
			t.Errorf("AnomalyDetectors after reopening = %+v, %v; want the detector", got, err)
		}
	})
}
