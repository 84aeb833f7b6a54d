package metrics

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

// BenchmarkRollUp measures the roll-up job folding a minute of points put
// as metricsbench puts them: calls of 1,000 datums (20 metric names × 50
// hosts), each metric receiving one single value per call.
func BenchmarkRollUp(b *testing.B) {
	const calls = 100
	s, err := embedded.Open(context.Background(), b.TempDir(), embedded.Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	clk := clock.NewFake(t0)
	e := New(Options{Store: s.Metrics(), Clock: clk})
	data := make([]Datum, 0, 1000)
	for m := range 20 {
		for h := range 50 {
			data = append(data, Datum{Namespace: "Bench", Name: fmt.Sprintf("Metric%02d", m),
				Dimensions: []Dimension{{"Host", fmt.Sprintf("host-%02d", h)}}, Unit: "Milliseconds"})
		}
	}
	b.ReportAllocs()
	for i := range b.N {
		b.StopTimer()
		minute := t0.Add(time.Duration(i) * time.Minute)
		clk.Set(minute.Add(time.Minute))
		for c := range calls {
			for j := range data {
				data[j].Timestamp = minute.Add(time.Duration(c) * 500 * time.Millisecond)
				data[j].Value = float64((c*7 + j) % 97)
			}
			if err := e.Ingest(context.Background(), "123456789012", "us-east-1", data); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := e.RollUp(context.Background(), clk.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*calls*len(data)), "ns/point")
}
