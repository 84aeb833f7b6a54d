package embedded

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/storetest"
)

// FuzzInsightsQuery runs every query that compiles against a few events:
// a compiled plan must always render to SQL that DuckDB accepts and runs.
func FuzzInsightsQuery(f *testing.F) {
	for _, q := range storetest.InsightsQueries(f) {
		f.Add(q)
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
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	groups := storetest.LoadEvents(f, s.Logs(), "123456789012", "us-east-1", []storetest.Event{
		{Group: "/g", Stream: "a", Timestamp: day + 1000, Message: `{"a":1,"b":"x","c":[1,2],"d":{"e":"f"}}`},
		{Group: "/g", Stream: "b", Timestamp: day + 2000, Message: "plain text a=1 [ERROR] x"},
		{Group: "/g", Stream: "b", Timestamp: day + 3000, Message: "REPORT RequestId: r\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t"},
	})
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
		_, err = s.Querier().RunLogQuery(ctx, store.LogQuery{Plan: plan, Groups: groups, Start: day, End: day + 86_400_000})
		if err != nil && ctx.Err() == nil && !strings.Contains(err.Error(), "Out of Range") {
			t.Fatalf("query %q: %v", query, err)
		}
	})
}
