package duckdb

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func TestPointBatchRoundTrip(t *testing.T) {
	points := []store.MetricPoint{
		{PointValue: store.PointValue{Timestamp: 1_700_000_060_000, Resolution: 60, Unit: "Bytes", Count: 1, Sum: 7, Min: 7, Max: 7}},
		{PointValue: store.PointValue{Timestamp: 1_700_000_000_000, Resolution: 1, Unit: "None", Count: 3, Sum: 6, Min: 1, Max: 3, Dist: []byte{1, 2, 3}}},
		{PointValue: store.PointValue{Timestamp: 1_700_000_120_000, Resolution: 60, Unit: "Bytes", Count: 1, Sum: -0.5, Min: -0.5, Max: -0.5}},
	}
	ids := []int64{5, 1 << 40, 5}
	b, lo, hi := encodePoints(ids, points)
	if lo != 1_700_000_000_000 || hi != 1_700_000_120_000 {
		t.Errorf("range = %d..%d", lo, hi)
	}
	got, err := decodePoints(b, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range got {
		want := store.StoredPoint{MetricID: ids[i], PointValue: points[i].PointValue}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("point %d = %+v; want %+v", i, p, want)
		}
	}
	only5, _ := decodePoints(b, func(id, ts int64) bool { return id == 5 && ts > 1_700_000_060_000 }, nil)
	if len(only5) != 1 || only5[0].Sum != -0.5 {
		t.Errorf("filtered = %+v", only5)
	}
	for n := range len(b) {
		if _, err := decodePoints(b[:n], nil, nil); n > 0 && !errors.Is(err, errBatch) {
			t.Errorf("truncated to %d bytes: err = %v", n, err)
		}
	}
}

// FuzzDecodePoints: batches come from the database file, which a disk or
// a person can corrupt; decoding must fail cleanly, never panic, and what
// decodes must encode back to the same points.
func FuzzDecodePoints(f *testing.F) {
	b, _, _ := encodePoints([]int64{1, 2}, []store.MetricPoint{
		{PointValue: store.PointValue{Timestamp: 60_000, Resolution: 60, Unit: "Count", Count: 1, Sum: 1, Min: 1, Max: 1}},
		{PointValue: store.PointValue{Timestamp: 0, Resolution: 1, Count: 2, Sum: 3, Min: 1, Max: 2, Dist: []byte{9}}},
	})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		points, err := decodePoints(b, nil, nil)
		if err != nil {
			if !errors.Is(err, errBatch) {
				t.Fatalf("error %v does not wrap errBatch", err)
			}
			return
		}
		ids := make([]int64, len(points))
		mps := make([]store.MetricPoint, len(points))
		for i, p := range points {
			ids[i], mps[i].PointValue = p.MetricID, p.PointValue
		}
		again, _, _ := encodePoints(ids, mps)
		back, err := decodePoints(again, nil, nil)
		if err != nil || len(back) != len(points) {
			t.Fatalf("re-encoded batch decodes to %d points, %v; want %d", len(back), err, len(points))
		}
	})
}

// TestSortPoints checks the index sort against a stable sort of the points.
func TestSortPoints(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	// Random points, and points as clients send them: each batch holds
	// every metric, time goes up.
	for _, ts := range []func(i int) int64{func(int) int64 { return r.Int64N(30) }, func(i int) int64 { return int64(i / 20) }} {
		points := make([]store.StoredPoint, 5000)
		for i := range points {
			points[i] = store.StoredPoint{MetricID: 1000 - r.Int64N(20)*7, PointValue: store.PointValue{
				Timestamp: ts(i), Unit: []string{"None", "Bytes", "Seconds"}[r.IntN(3)], Sum: float64(i)}}
		}
		want := slices.Clone(points)
		slices.SortStableFunc(want, func(a, b store.StoredPoint) int {
			return cmp.Or(cmp.Compare(a.MetricID, b.MetricID), strings.Compare(a.Unit, b.Unit), cmp.Compare(a.Timestamp, b.Timestamp))
		})
		if got := sortPoints(points); !slices.EqualFunc(got, want, func(a, b store.StoredPoint) bool { return a.Sum == b.Sum }) {
			t.Error("sortPoints differs from a stable sort by metric, unit and time")
		}
	}
}
