package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/store"
)

// The benchmarks run over 10 million stored events (~200-byte lines, half
// JSON, half plain text) generated once into a directory under the
// system's temporary directory named by benchDataVersion; delete it (or
// bump the version) to regenerate.
//
//	go test ./internal/store/duckdb -run '^$' -bench Insights -benchtime 5x

const (
	benchDataVersion = "insights-bench-v2"
	benchEvents      = 10_000_000
	benchStart       = int64(1_704_067_200_000) // 2024-01-01
	benchSpacing     = 60                       // ms between events: ~7 days in all
)

func benchStore(b *testing.B) (*Store, []store.LogGroupRef) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "vigil-"+benchDataVersion)
	ready := filepath.Join(dir, "ready")
	if _, err := os.Stat(ready); err != nil {
		os.RemoveAll(dir)
		s, err := Open(context.Background(), dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generating %d events in %s", benchEvents, dir)
		_, err = s.db.Exec(`INSERT INTO log_groups VALUES (1, '123456789012', 'us-east-1', '/bench/app', 0, NULL, NULL, 'STANDARD', false);
			INSERT INTO log_streams SELECT i, 1, 'stream-' || i, 0 FROM range(1, 11) t(i);`)
		if err != nil {
			b.Fatal(err)
		}
		_, err = s.db.Exec(`INSERT INTO log_events
			SELECT 1, 1 + i % 10, ` + itoa(benchStart) + ` + i * ` + itoa(benchSpacing) + `, ` + itoa(benchStart) + ` + i * ` + itoa(benchSpacing) + ` + 500, i + 1,
			CASE WHEN i % 2 = 0 THEN
				'{"level":"' || lvl || '","path":"/api/' || p || '","latency":' || lat || ',"request_id":"' || rid ||
				'","user":"u' || (h % 1000) || '","status":' || st || ',"msg":"request handled by worker ' || (h % 64) || ' in region us-east-1"}'
			ELSE
				strftime(epoch_ms(` + itoa(benchStart) + ` + i * ` + itoa(benchSpacing) + `), '%Y-%m-%dT%H:%M:%S') || ' ' || lvl || ' [worker-' || (h % 64) ||
				'] request ' || rid || ' handled for user u' || (h % 1000) || ' status=' || st || ' bytes=' || (h % 100000) ||
				' region=us-east-1 latency=' || lat || 'ms path=/api/' || p
			END
			FROM (SELECT i, h,
				CASE WHEN h % 100 < 5 THEN 'ERROR' WHEN h % 100 < 15 THEN 'WARN' ELSE 'INFO' END AS lvl,
				'r' || (h % 50) AS p, (h % 2000) AS lat, substr(md5(i::VARCHAR), 1, 24) AS rid,
				CASE WHEN h % 100 < 5 THEN 500 ELSE 200 END AS st
				FROM (SELECT i, hash(i) % 1000003 AS h FROM range(` + itoa(benchEvents) + `) t(i)))`)
		if err != nil {
			b.Fatal(err)
		}
		_, err = s.db.Exec(`INSERT INTO log_stream_stats SELECT stream_id, group_id, min(ts), max(ts), max(ingest), sum(strlen(message))
			FROM log_events GROUP BY stream_id, group_id`)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(ready, nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, []store.LogGroupRef{{ID: 1, Log: "123456789012:/bench/app"}}
}

func itoa(n int64) string { return insights.FormatNumber(float64(n)) }

func benchQuery(b *testing.B, query string) {
	s, groups := benchStore(b)
	plan := insights.MustCompile(query)
	q := store.LogQuery{Plan: plan, Groups: groups, Start: benchStart, End: benchStart + benchEvents*benchSpacing}
	b.ResetTimer()
	var res *store.LogQueryResult
	for b.Loop() {
		var err error
		if res, err = s.RunLogQuery(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(res.Rows)), "rows")
	b.ReportMetric(res.RecordsMatched, "matched")
}

func BenchmarkInsightsCountByBin(b *testing.B) {
	benchQuery(b, `stats count(*) by bin(5m)`)
}

func BenchmarkInsightsFilterStatsByLevel(b *testing.B) {
	benchQuery(b, `filter @message like /ERROR/ | stats count(*) by level`)
}

func BenchmarkInsightsParseAvgByPath(b *testing.B) {
	benchQuery(b, `parse @message "* latency=*ms path=*" as a, latency, path | stats avg(latency) as avgLatency by path | sort avgLatency desc | limit 20`)
}

func BenchmarkInsightsLatest20(b *testing.B) {
	benchQuery(b, `fields @timestamp, @message | sort @timestamp desc | limit 20`)
}
