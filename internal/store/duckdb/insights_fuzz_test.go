package duckdb

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/store"
)

// FuzzInsightsQuery runs every query that compiles against a few events:
// a compiled plan must always render to SQL that DuckDB accepts and runs.
func FuzzInsightsQuery(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.txtar"))
	for _, file := range files {
		for _, c := range parseCorpus(f, file).cases {
			f.Add(c.query)
		}
	}
	// Inputs the fuzzer found once.
	for _, q := range []string{"fields no.", "fields a.`b`.", "fields ``", "filter\"\x00\"", "filter a like /\x00/"} {
		f.Add(q)
	}
	s, err := Open(context.Background(), f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	events := []corpusEvent{
		{group: "/g", stream: "a", ts: corpusDay.UnixMilli() + 1000, message: `{"a":1,"b":"x","c":[1,2],"d":{"e":"f"}}`},
		{group: "/g", stream: "b", ts: corpusDay.UnixMilli() + 2000, message: "plain text a=1 [ERROR] x"},
		{group: "/g", stream: "b", ts: corpusDay.UnixMilli() + 3000, message: "REPORT RequestId: r\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t"},
	}
	groups := loadEvents(f, s, events)
	f.Fuzz(func(t *testing.T, query string) {
		q, err := insights.Parse(query)
		if err != nil {
			return
		}
		plan, err := insights.Compile(q, insights.Options{})
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = s.RunLogQuery(ctx, store.LogQuery{Plan: plan, Groups: groups, Start: corpusDay.UnixMilli(), End: corpusDay.UnixMilli() + 86_400_000})
		if err != nil && ctx.Err() == nil && !strings.Contains(err.Error(), "Out of Range") {
			t.Fatalf("query %q: %v", query, err)
		}
	})
}
