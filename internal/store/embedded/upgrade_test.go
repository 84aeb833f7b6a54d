package embedded

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// untar extracts a gzipped tar of a data directory into a new directory.
func untar(t *testing.T, archive string) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(h.Name)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUpgradeFromDuckDBState opens a data directory that the release of
// stop 8 wrote (all state in DuckDB: a root account, two log groups, one
// with retention and tags, two streams with events, a metric and a
// subscription filter, a destination, a saved query, an anomaly detector,
// a metric) and checks that the resource state moved to the state store
// with its ids, that the events still read with their stream names, and
// that the moved tables are gone from DuckDB.
func TestUpgradeFromDuckDBState(t *testing.T) {
	dir := untar(t, "testdata/datadir-stop8.tar.gz")
	ctx := context.Background()
	for round := range 2 { // the second open finds everything moved already
		s := openTest(t, dir)
		accounts, err := s.Accounts().ListAccounts(ctx)
		if err != nil || len(accounts) != 1 {
			t.Fatalf("round %d: accounts = %v, %v; want the root account", round, accounts, err)
		}
		acct := accounts[0].ID
		keys, err := s.Accounts().AccessKeys(ctx, acct)
		if err != nil || len(keys) != 1 || keys[0].ID != "AKIA5KUM576BXYTS2T3L" || !keys[0].Active || len(keys[0].SealedSecret) == 0 {
			t.Fatalf("access keys = %+v, %v; want the root key", keys, err)
		}
		l := s.Logs()
		groups, err := l.LogGroups(ctx, store.LogGroupQuery{Account: acct, Region: "us-east-1"})
		if err != nil || len(groups) != 2 || groups[0].Name != "/legacy/app" || groups[1].Name != "/legacy/other" {
			t.Fatalf("groups = %+v, %v", groups, err)
		}
		app, other := groups[0], groups[1]
		if app.MetricFilterCount != 1 || app.StoredBytes == 0 || other.RetentionDays != 30 {
			t.Errorf("groups = %+v; want a metric filter and stored bytes on /legacy/app, retention 30 on /legacy/other", groups)
		}
		tags, err := s.Tags().ResourceTags(ctx, "arn:aws:logs:us-east-1:"+acct+":log-group:/legacy/app")
		if err != nil || tags["team"] != "ops" {
			t.Errorf("tags = %v, %v; want team=ops", tags, err)
		}
		streams, err := l.LogStreams(ctx, store.LogStreamQuery{GroupID: app.ID})
		if err != nil || len(streams) != 2 || streams[0].LastEvent == nil {
			t.Fatalf("streams = %+v, %v; want web-1 and web-2 with events", streams, err)
		}
		events, err := l.LogEvents(ctx, store.LogEventQuery{GroupID: app.ID, StreamPrefix: "web-2"})
		if err != nil || len(events) != 5 || events[0].Stream != "web-2" {
			t.Errorf("events of web-2 = %+v, %v; want 5 named web-2", events, err)
		}
		subs, err := l.SubscriptionFilters(ctx, app.ID)
		if err != nil || len(subs) != 1 {
			t.Errorf("subscription filters = %+v, %v", subs, err)
		}
		dests, err := l.LogDestinations(ctx, acct, "us-east-1", "")
		if err != nil || len(dests) != 1 || dests[0].Name != "d1" {
			t.Errorf("destinations = %+v, %v", dests, err)
		}
		defs, err := s.LogQueries().LogQueryDefinitions(ctx, acct, "us-east-1")
		if err != nil || len(defs) != 1 || !slices.Equal(defs[0].Groups, []string{"/legacy/app"}) {
			t.Errorf("query definitions = %+v, %v", defs, err)
		}
		detectors, err := s.Metrics().AnomalyDetectors(ctx, acct, "us-east-1")
		if err != nil || len(detectors) != 1 {
			t.Errorf("anomaly detectors = %+v, %v", detectors, err)
		}
		metrics, err := s.Metrics().ListMetrics(ctx, store.MetricQuery{Account: acct, Region: "us-east-1"})
		if err != nil || len(metrics) == 0 {
			t.Errorf("metrics = %+v, %v", metrics, err)
		}
		legacy, err := s.tel.LegacyState(ctx)
		if err != nil || len(legacy) != 0 {
			t.Errorf("legacy tables left in DuckDB: %d, %v", len(legacy), err)
		}
		// A new stream gets an id no event ever had.
		st := &store.LogStream{GroupID: app.ID, Name: "web-3", Created: 1}
		if err := l.CreateLogStream(ctx, st); err != nil {
			t.Fatal(err)
		}
		for _, old := range streams {
			if st.ID <= old.ID {
				t.Errorf("new stream id %d is not above the imported %d", st.ID, old.ID)
			}
		}
		if err := l.DeleteLogStream(ctx, st.ID); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}
