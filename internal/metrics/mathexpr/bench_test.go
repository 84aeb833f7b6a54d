package mathexpr

import (
	"fmt"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// benchEnv holds n series of points one-minute points, every seventh
// point missing.
func benchEnv(n, points int) *fakeEnv {
	env := newFakeEnv()
	env.end = int64(points) * 60
	for i := range n {
		s := Series{Series: series.Series{Label: fmt.Sprintf("s%d", i)}, Period: 60}
		for k := range points {
			if (k+i)%7 == 0 {
				continue
			}
			s.Timestamps = append(s.Timestamps, int64(k)*60)
			s.Values = append(s.Values, float64(k%100+i+1))
		}
		env.addMetric(fmt.Sprintf("m%d", i+1), s)
	}
	return env
}

func benchEval(b *testing.B, expr string, n int) {
	e, err := Parse(expr)
	if err != nil {
		b.Fatal(err)
	}
	env := benchEnv(n, 1440)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*1440)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkSumMetrics sums 100 series of 1,440 points.
func BenchmarkSumMetrics(b *testing.B) { benchEval(b, "SUM(METRICS())", 100) }

// BenchmarkRatio divides two series of 1,440 points and scales them.
func BenchmarkRatio(b *testing.B) { benchEval(b, "m1/m2*100", 2) }

// BenchmarkRatioArray divides 100 series by one, point by point.
func BenchmarkRatioArray(b *testing.B) { benchEval(b, "METRICS()/m2*100", 100) }

// BenchmarkFillLinear interpolates the gaps of one series of 1,440 points.
func BenchmarkFillLinear(b *testing.B) { benchEval(b, "FILL(m1, LINEAR)", 1) }

// BenchmarkFillLinearArray interpolates the gaps of 100 series.
func BenchmarkFillLinearArray(b *testing.B) { benchEval(b, "FILL(METRICS(), LINEAR)", 100) }

// BenchmarkParse parses a typical expression.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(`IF(FIRST(SORT(METRICS("errors"), AVG, DESC)) > 100, m1 / PERIOD(m1), FILL(m2, REPEAT))`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchMatch matches a query against a metric.
func BenchmarkSearchMatch(b *testing.B) {
	q, err := ParseSearch(`{AWS/Lambda,FunctionName} MetricName="Errors" OR (MetricName="Invocations" AND (ProjectA OR ProjectB))`)
	if err != nil {
		b.Fatal(err)
	}
	dims := map[string]string{"FunctionName": "ProjectB-worker"}
	b.ReportAllocs()
	for b.Loop() {
		if !q.Match("AWS/Lambda", "Invocations", dims) {
			b.Fatal("no match")
		}
	}
}
