package insightsql

import (
	"fmt"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// benchEnv holds n metrics of 180 one-minute points each (three hours),
// every seventh point missing, spread over groups values of the
// dimension Service. Its series are built once, so the benchmark measures
// the query, not the Env.
func benchEnv(n, points, groups int) *fakeEnv {
	env := newFakeEnv()
	env.series = map[string][]series.Series{}
	for i := range n {
		env.add(Metric{Namespace: "MyApp", Name: "Latency", Dimensions: map[string]string{
			"Service": fmt.Sprintf("svc-%02d", i%groups), "Host": fmt.Sprintf("h%04d", i),
		}}, nil)
		var sum, count, lo, hi series.Series
		for k := range points {
			if (k+i)%7 == 0 {
				continue
			}
			t, v := int64(k)*60, float64(k%100+i%13+1)
			for _, s := range []*series.Series{&sum, &count, &lo, &hi} {
				s.Timestamps = append(s.Timestamps, t)
			}
			sum.Values = append(sum.Values, 2*v)
			count.Values = append(count.Values, 2)
			lo.Values = append(lo.Values, v-1)
			hi.Values = append(hi.Values, v+1)
		}
		env.series[statSum] = append(env.series[statSum], sum)
		env.series[statSampleCount] = append(env.series[statSampleCount], count)
		env.series[statMinimum] = append(env.series[statMinimum], lo)
		env.series[statMaximum] = append(env.series[statMaximum], hi)
	}
	return env
}

func benchQuery(b *testing.B, query string) {
	const metrics, points = 1000, 180
	q, err := Parse(query)
	if err != nil {
		b.Fatal(err)
	}
	env := benchEnv(metrics, points, 20)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Eval(env, 60, 0, points*60); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(metrics*points)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkGroupBySum sums 1,000 metrics of 180 points into 20 groups.
func BenchmarkGroupBySum(b *testing.B) {
	benchQuery(b, "SELECT SUM(Latency) FROM MyApp GROUP BY Service")
}

// BenchmarkGroupByAvg averages 1,000 metrics of 180 points into 20
// groups, reading Sum and SampleCount, ordered by their maxima.
func BenchmarkGroupByAvg(b *testing.B) {
	benchQuery(b, "SELECT AVG(Latency) FROM MyApp GROUP BY Service ORDER BY MAX() DESC LIMIT 10")
}

// BenchmarkGroupByHost makes one group of each of the 1,000 metrics.
func BenchmarkGroupByHost(b *testing.B) {
	benchQuery(b, "SELECT MAX(Latency) FROM SCHEMA(MyApp, Service, Host) WHERE Service != 'svc-00' GROUP BY Host")
}

// BenchmarkParse parses the richest documented query.
func BenchmarkParse(b *testing.B) {
	const query = `SELECT SUM(RequestCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, AvailabilityZone)
		WHERE LoadBalancer = 'app/load-balancer-1' GROUP BY AvailabilityZone ORDER BY MAX() DESC LIMIT 5`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(query); err != nil {
			b.Fatal(err)
		}
	}
}
