package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// LogQueries checks the backend's store.LogQueries.
func LogQueries(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	queriesOf := func(t *testing.T, b Backend) store.LogQueries {
		t.Helper()
		need(t, b.LogQueries != nil, "LogQueries")
		return b.LogQueries
	}
	record := func(id string, created int64) store.LogQueryRecord {
		return store.LogQueryRecord{ID: id, Account: acct, Region: region, Query: "fields @message", Language: "CWLI",
			Groups: []string{"/a", "/b"}, Status: "Running", Created: created, UserIdentity: "arn:aws:iam::111111111111:root", Statistics: "{}",
			Owner: "node-a", Heartbeat: created}
	}
	// running is a query of node, which last heartbeat at heartbeat.
	running := func(id, node string, heartbeat int64) store.LogQueryRecord {
		r := record(id, heartbeat)
		r.Owner = node
		return r
	}
	start := func(t *testing.T, s store.LogQueries, q store.LogQueryRecord, limit int, aliveAfter int64, want bool) {
		t.Helper()
		got, err := s.StartLogQuery(ctx, q, limit, aliveAfter)
		if err != nil {
			t.Fatalf("StartLogQuery(%s, limit %d, alive after %d): %v", q.ID, limit, aliveAfter, err)
		}
		if got != want {
			t.Errorf("StartLogQuery(%s, limit %d, alive after %d) = %v; want %v", q.ID, limit, aliveAfter, got, want)
		}
	}
	heartbeat := func(t *testing.T, s store.LogQueries, owner string, ids []string, now int64, wantStop ...string) {
		t.Helper()
		stop, err := s.HeartbeatLogQueries(ctx, owner, ids, now)
		slices.Sort(stop)
		if err != nil || !slices.Equal(stop, wantStop) {
			t.Errorf("HeartbeatLogQueries(%s, %v, %d) = %v, %v; want %v", owner, ids, now, stop, err, wantStop)
		}
	}
	requestStop := func(t *testing.T, s store.LogQueries, account, region, id string, aliveAfter int64, want bool) {
		t.Helper()
		got, err := s.RequestStopLogQuery(ctx, account, region, id, aliveAfter)
		if err != nil || got != want {
			t.Errorf("RequestStopLogQuery(%s, %s, %s, alive after %d) = %v, %v; want %v", account, region, id, aliveAfter, got, err, want)
		}
	}
	// run reads a query's status, owner, heartbeat and stop request.
	run := func(t *testing.T, s store.LogQueries, id string) string {
		t.Helper()
		r, err := s.LogQueryRecord(ctx, acct, region, id)
		if err != nil {
			t.Fatalf("LogQueryRecord(%s): %v", id, err)
		}
		return fmt.Sprintf("%s %s %d %v", r.Status, r.Owner, r.Heartbeat, r.StopRequested)
	}
	recordIDs := func(rs []store.LogQueryRecord) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	definition := func(id, name string) store.LogQueryDefinition {
		return store.LogQueryDefinition{ID: id, Account: acct, Region: region, Name: name, Query: "stats count(*)", Language: "CWLI",
			Groups: []string{"/a"}, LastModified: 7}
	}
	definitionIDs := func(ds []store.LogQueryDefinition) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		return out
	}

	t.Run("query records", func(t *testing.T) {
		s := queriesOf(t, fresh(t, open))
		if got, err := s.LogQueryRecords(ctx, acct, region); err != nil || len(got) != 0 {
			t.Fatalf("LogQueryRecords on an empty store = %+v, %v; want none", got, err)
		}
		if _, err := s.LogQueryRecord(ctx, acct, region, "q1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LogQueryRecord(missing) = %v; want ErrNotFound", err)
		}
		for _, r := range []store.LogQueryRecord{record("q1", 100), record("q3", 300), record("q2b", 200), record("q2a", 200)} {
			if err := s.PutLogQuery(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		other := record("q9", 900)
		other.Account = "222222222222"
		if err := s.PutLogQuery(ctx, other); err != nil {
			t.Fatal(err)
		}
		otherRegion := record("q8", 800)
		otherRegion.Region = "eu-west-1"
		if err := s.PutLogQuery(ctx, otherRegion); err != nil {
			t.Fatal(err)
		}

		// A running query has no results; GetQueryResults tells that by
		// nil Results.
		got, err := s.LogQueryRecord(ctx, acct, region, "q1")
		if err != nil {
			t.Fatal(err)
		}
		if want := record("q1", 100); got.ID != want.ID || got.Account != acct || got.Region != region || got.Query != want.Query ||
			got.Language != want.Language || !slices.Equal(got.Groups, want.Groups) || got.Status != want.Status || got.Created != 100 ||
			got.UserIdentity != want.UserIdentity || got.Statistics != "{}" || got.Results != nil ||
			got.Owner != "node-a" || got.Heartbeat != 100 || got.StopRequested {
			t.Errorf("LogQueryRecord = %+v; want %+v", got, want)
		}

		// Putting a record again replaces it: the query completes.
		done := record("q1", 100)
		done.Status, done.Duration, done.Statistics, done.Results = "Complete", 42, `{"recordsMatched":1}`, []byte(`[[{"field":"@message","value":"x"}]]`)
		done.Owner, done.Heartbeat, done.StopRequested = "node-b", 150, true
		if err := s.PutLogQuery(ctx, done); err != nil {
			t.Fatal(err)
		}
		got, err = s.LogQueryRecord(ctx, acct, region, "q1")
		if err != nil || got.Status != "Complete" || got.Duration != 42 || got.Statistics != done.Statistics || string(got.Results) != string(done.Results) ||
			got.Owner != "node-b" || got.Heartbeat != 150 || !got.StopRequested {
			t.Errorf("LogQueryRecord after completion = %+v, %v; want %+v", got, err, done)
		}

		// Newest first, then by id; without results.
		list, err := s.LogQueryRecords(ctx, acct, region)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"q3", "q2a", "q2b", "q1"}; !slices.Equal(recordIDs(list), want) {
			t.Errorf("LogQueryRecords = %v; want %v (newest first, then by id)", recordIDs(list), want)
		}
		for _, r := range list {
			if r.Results != nil {
				t.Errorf("LogQueryRecords()[%s] has results; want none", r.ID)
			}
			if r.ID == "q1" && (r.Status != "Complete" || r.Statistics != done.Statistics || !slices.Equal(r.Groups, done.Groups) ||
				r.Owner != "node-b" || r.Heartbeat != 150 || !r.StopRequested) {
				t.Errorf("LogQueryRecords()[q1] = %+v; want the completed record", r)
			}
		}

		// Accounts and regions see their own queries only.
		if _, err := s.LogQueryRecord(ctx, "222222222222", region, "q1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LogQueryRecord(another account's query) = %v; want ErrNotFound", err)
		}
		if _, err := s.LogQueryRecord(ctx, acct, region, "q8"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LogQueryRecord(another region's query) = %v; want ErrNotFound", err)
		}
		if list, err := s.LogQueryRecords(ctx, "222222222222", region); err != nil || !slices.Equal(recordIDs(list), []string{"q9"}) {
			t.Errorf("LogQueryRecords(other account) = %v, %v; want [q9]", recordIDs(list), err)
		}
	})

	t.Run("start within the limit", func(t *testing.T) {
		s := queriesOf(t, fresh(t, open))
		for _, id := range []string{"q1", "q2", "q3"} {
			start(t, s, running(id, "node-a", 100), 3, 0, true)
		}
		// At the limit: nothing is created.
		start(t, s, running("q4", "node-b", 100), 3, 0, false)
		if _, err := s.LogQueryRecord(ctx, acct, region, "q4"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LogQueryRecord(a query refused) = %v; want ErrNotFound", err)
		}
		if got := run(t, s, "q1"); got != "Running node-a 100 false" {
			t.Errorf("started query = %s; want Running node-a 100 false", got)
		}
		// Other accounts and regions have limits of their own.
		other, otherRegion := running("o1", "node-a", 100), running("r1", "node-a", 100)
		other.Account, otherRegion.Region = "222222222222", "eu-west-1"
		start(t, s, other, 1, 0, true)
		start(t, s, otherRegion, 1, 0, true)
		// A query that ended no longer counts.
		done := running("q1", "node-a", 100)
		done.Status = "Complete"
		if err := s.PutLogQuery(ctx, done); err != nil {
			t.Fatal(err)
		}
		start(t, s, running("q4", "node-b", 200), 3, 0, true)
		start(t, s, running("q5", "node-b", 200), 3, 0, false)
		// Nor does a query whose heartbeat is not after aliveAfter: its
		// node died.
		start(t, s, running("q5", "node-b", 200), 3, 100, true) // q4 is alive, q2 and q3 not
		start(t, s, running("q6", "node-b", 300), 2, 100, false)
		heartbeat(t, s, "node-a", []string{"q2"}, 300)
		start(t, s, running("q6", "node-b", 300), 2, 250, true) // q2 is alive
		start(t, s, running("q7", "node-b", 300), 2, 250, false)
		// A heartbeat at aliveAfter is dead.
		start(t, s, running("q7", "node-b", 300), 3, 199, false) // q2, q4, q5, q6
		start(t, s, running("q7", "node-b", 300), 3, 200, true)  // q2, q6
		start(t, s, running("q8", "node-b", 300), 0, 0, false)
	})

	t.Run("concurrent starts never exceed the limit", func(t *testing.T) {
		s := queriesOf(t, fresh(t, open))
		const limit, tries = 10, 64
		var wg sync.WaitGroup
		var mu sync.Mutex
		var started []string
		for i := range tries {
			wg.Go(func() {
				q := running(fmt.Sprintf("q%02d", i), fmt.Sprintf("node-%d", i%3), 100)
				ok, err := s.StartLogQuery(ctx, q, limit, 0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					started = append(started, q.ID)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		list, err := s.LogQueryRecords(ctx, acct, region)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(started)
		stored := recordIDs(list)
		slices.Sort(stored)
		if len(started) != limit || !slices.Equal(stored, started) {
			t.Errorf("%d concurrent StartLogQuery with limit %d started %v and stored %v; want %d, the same", tries, limit, started, stored, limit)
		}
	})

	t.Run("heartbeat by the owner", func(t *testing.T) {
		s := queriesOf(t, fresh(t, open))
		done := running("a2", "node-a", 100)
		done.Status = "Complete"
		for _, r := range []store.LogQueryRecord{running("a1", "node-a", 100), done, running("b1", "node-b", 100)} {
			if err := s.PutLogQuery(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		// Only the owner's running queries of ids beat; unknown ids are
		// ignored.
		heartbeat(t, s, "node-a", []string{"a1", "a2", "b1", "missing"}, 500)
		heartbeat(t, s, "node-b", nil, 600)
		for id, want := range map[string]string{"a1": "Running node-a 500 false", "a2": "Complete node-a 100 false", "b1": "Running node-b 100 false"} {
			if got := run(t, s, id); got != want {
				t.Errorf("%s after node-a's heartbeat = %s; want %s", id, got, want)
			}
		}
	})

	t.Run("stop request", func(t *testing.T) {
		s := queriesOf(t, fresh(t, open))
		start(t, s, running("q1", "node-a", 100), 10, 0, true)
		start(t, s, running("q2", "node-a", 100), 10, 0, true)
		requestStop(t, s, acct, region, "q1", 99, true)
		if got := run(t, s, "q1"); got != "Running node-a 100 true" {
			t.Errorf("q1 after the stop request = %s; want it stop-requested", got)
		}
		requestStop(t, s, acct, region, "q1", 99, true) // asking again is no error
		// The owner's heartbeat tells it; another node's does not.
		heartbeat(t, s, "node-b", []string{"q1"}, 200)
		heartbeat(t, s, "node-a", []string{"q1", "q2"}, 200, "q1")
		// The query is another account's or region's, or none.
		for _, c := range [][3]string{{"222222222222", region, "q2"}, {acct, "eu-west-1", "q2"}, {acct, region, "missing"}} {
			if _, err := s.RequestStopLogQuery(ctx, c[0], c[1], c[2], 0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("RequestStopLogQuery(%v) = %v; want ErrNotFound", c, err)
			}
		}
		// Its owner died: the query is not running.
		requestStop(t, s, acct, region, "q2", 200, false)
		if got := run(t, s, "q2"); got != "Running node-a 200 false" {
			t.Errorf("q2 after a refused stop request = %s; want it unchanged", got)
		}
		// It ended.
		done := running("q2", "node-a", 200)
		done.Status = "Cancelled"
		if err := s.PutLogQuery(ctx, done); err != nil {
			t.Fatal(err)
		}
		requestStop(t, s, acct, region, "q2", 0, false)
		heartbeat(t, s, "node-a", []string{"q1", "q2"}, 300, "q1")
	})

	t.Run("old records deleted", func(t *testing.T) {
		s := queriesOf(t, fresh(t, open))
		other := record("q9", 100)
		other.Account = "222222222222"
		for _, r := range []store.LogQueryRecord{record("q1", 100), record("q2", 199), record("q3", 200), other} {
			if err := s.PutLogQuery(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.DeleteLogQueriesBefore(ctx, 200); err != nil || n != 3 {
			t.Fatalf("DeleteLogQueriesBefore(200) = %d, %v; want 3 (of every account)", n, err)
		}
		if list, err := s.LogQueryRecords(ctx, acct, region); err != nil || !slices.Equal(recordIDs(list), []string{"q3"}) {
			t.Errorf("LogQueryRecords = %v, %v; want [q3]", recordIDs(list), err)
		}
		if _, err := s.LogQueryRecord(ctx, acct, region, "q1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LogQueryRecord(deleted) = %v; want ErrNotFound", err)
		}
		// A record put again under a deleted id starts afresh.
		start(t, s, running("q1", "node-a", 300), 1, 250, true)
		if got := run(t, s, "q1"); got != "Running node-a 300 false" {
			t.Errorf("restarted q1 = %s", got)
		}
	})

	t.Run("query definitions", func(t *testing.T) {
		s := queriesOf(t, fresh(t, open))
		if got, err := s.LogQueryDefinitions(ctx, acct, region); err != nil || len(got) != 0 {
			t.Fatalf("LogQueryDefinitions on an empty store = %+v, %v; want none", got, err)
		}
		for _, d := range []store.LogQueryDefinition{definition("d1", "errors"), definition("d3", "Latency"), definition("d2", "errors"), definition("d4", "by host")} {
			if err := s.PutLogQueryDefinition(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		other := definition("d9", "a")
		other.Account = "222222222222"
		if err := s.PutLogQueryDefinition(ctx, other); err != nil {
			t.Fatal(err)
		}
		list, err := s.LogQueryDefinitions(ctx, acct, region)
		if err != nil {
			t.Fatal(err)
		}
		// By name (byte order), then by id.
		if want := []string{"d3", "d4", "d1", "d2"}; !slices.Equal(definitionIDs(list), want) {
			t.Fatalf("LogQueryDefinitions = %v; want %v (by name, then id)", definitionIDs(list), want)
		}
		if d, want := list[0], definition("d3", "Latency"); d.Account != acct || d.Region != region || d.Query != want.Query ||
			d.Language != want.Language || !slices.Equal(d.Groups, want.Groups) || d.LastModified != want.LastModified {
			t.Errorf("LogQueryDefinitions()[0] = %+v; want %+v", d, want)
		}
		// Putting a definition again replaces it, by id.
		renamed := definition("d1", "zeta")
		renamed.Groups, renamed.LastModified = nil, 8
		if err := s.PutLogQueryDefinition(ctx, renamed); err != nil {
			t.Fatal(err)
		}
		list, err = s.LogQueryDefinitions(ctx, acct, region)
		if err != nil || !slices.Equal(definitionIDs(list), []string{"d3", "d4", "d2", "d1"}) || len(list[3].Groups) != 0 || list[3].LastModified != 8 {
			t.Fatalf("LogQueryDefinitions after renaming d1 = %+v, %v; want d1 last, without groups", list, err)
		}
		if err := s.DeleteLogQueryDefinition(ctx, "222222222222", region, "d1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteLogQueryDefinition(another account's) = %v; want ErrNotFound", err)
		}
		if err := s.DeleteLogQueryDefinition(ctx, acct, region, "d1"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteLogQueryDefinition(ctx, acct, region, "d1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteLogQueryDefinition(deleted) = %v; want ErrNotFound", err)
		}
		if list, err := s.LogQueryDefinitions(ctx, acct, region); err != nil || !slices.Equal(definitionIDs(list), []string{"d3", "d4", "d2"}) {
			t.Errorf("LogQueryDefinitions after deleting d1 = %v, %v; want [d3 d4 d2]", definitionIDs(list), err)
		}
		if list, err := s.LogQueryDefinitions(ctx, "222222222222", region); err != nil || !slices.Equal(definitionIDs(list), []string{"d9"}) {
			t.Errorf("LogQueryDefinitions(other account) = %v, %v; want [d9]", definitionIDs(list), err)
		}
		if list, err := s.LogQueryDefinitions(ctx, acct, "eu-west-1"); err != nil || len(list) != 0 {
			t.Errorf("LogQueryDefinitions(other region) = %v, %v; want none", definitionIDs(list), err)
		}
	})

	t.Run("durable across reopening", func(t *testing.T) {
		done := record("q1", 100)
		done.Status, done.Results = "Complete", []byte(`[]`)
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := queriesOf(t, b)
			for _, r := range []store.LogQueryRecord{record("q1", 100), done, record("q2", 200)} {
				if err := s.PutLogQuery(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			start(t, s, running("q3", "node-b", 300), 10, 0, true)
			requestStop(t, s, acct, region, "q3", 0, true)
			for _, d := range []store.LogQueryDefinition{definition("d1", "a"), definition("d2", "b")} {
				if err := s.PutLogQueryDefinition(ctx, d); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.DeleteLogQueryDefinition(ctx, acct, region, "d2"); err != nil {
				t.Fatal(err)
			}
		})
		s := queriesOf(t, b)
		if got, err := s.LogQueryRecord(ctx, acct, region, "q1"); err != nil || got.Status != "Complete" || string(got.Results) != "[]" {
			t.Errorf("LogQueryRecord after reopening = %+v, %v; want the completed record", got, err)
		}
		if list, err := s.LogQueryRecords(ctx, acct, region); err != nil || !slices.Equal(recordIDs(list), []string{"q3", "q2", "q1"}) {
			t.Errorf("LogQueryRecords after reopening = %v, %v; want [q3 q2 q1]", recordIDs(list), err)
		}
		heartbeat(t, s, "node-b", []string{"q3"}, 400, "q3")
		if got := run(t, s, "q3"); got != "Running node-b 400 true" {
			t.Errorf("q3 after reopening = %s; want it running, stop-requested", got)
		}
		if list, err := s.LogQueryDefinitions(ctx, acct, region); err != nil || !slices.Equal(definitionIDs(list), []string{"d1"}) {
			t.Errorf("LogQueryDefinitions after reopening = %v, %v; want [d1]", definitionIDs(list), err)
		}
	})
}
