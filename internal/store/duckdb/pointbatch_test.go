package duckdb

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// decodeAll returns the points of a batch.
func decodeAll(b []byte) ([]store.StoredPoint, error) {
	var out []store.StoredPoint
	err := decodePoints(b, func(p *store.StoredPoint) { out = append(out, *p) })
	return out, err
}

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
	got, err := decodeAll(b)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range got {
		want := store.StoredPoint{MetricID: ids[i], PointValue: points[i].PointValue}
		if !reflect.DeepEqual(p, want) {
			t.Errorf("point %d = %+v; want %+v", i, p, want)
		}
	}
	for n := range len(b) {
		if _, err := decodeAll(b[:n]); n > 0 && !errors.Is(err, errBatch) {
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
		points, err := decodeAll(b)
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
		back, err := decodeAll(again)
		if err != nil || len(back) != len(points) {
			t.Fatalf("re-encoded batch decodes to %d points, %v; want %d", len(back), err, len(points))
		}
	})
}
