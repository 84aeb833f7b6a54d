package storetest

import (
	"context"
	"errors"
	"slices"
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
			Groups: []string{"/a", "/b"}, Status: "Running", Created: created, UserIdentity: "arn:aws:iam::111111111111:root", Statistics: "{}"}
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
			got.UserIdentity != want.UserIdentity || got.Statistics != "{}" || got.Results != nil {
			t.Errorf("LogQueryRecord = %+v; want %+v", got, want)
		}

		// Putting a record again replaces it: the query completes.
		done := record("q1", 100)
		done.Status, done.Duration, done.Statistics, done.Results = "Complete", 42, `{"recordsMatched":1}`, []byte(`[[{"field":"@message","value":"x"}]]`)
		if err := s.PutLogQuery(ctx, done); err != nil {
			t.Fatal(err)
		}
		got, err = s.LogQueryRecord(ctx, acct, region, "q1")
		if err != nil || got.Status != "Complete" || got.Duration != 42 || got.Statistics != done.Statistics || string(got.Results) != string(done.Results) {
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
			if r.ID == "q1" && (r.Status != "Complete" || r.Statistics != done.Statistics || !slices.Equal(r.Groups, done.Groups)) {
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
		if list, err := s.LogQueryRecords(ctx, acct, region); err != nil || !slices.Equal(recordIDs(list), []string{"q2", "q1"}) {
			t.Errorf("LogQueryRecords after reopening = %v, %v; want [q2 q1]", recordIDs(list), err)
		}
		if list, err := s.LogQueryDefinitions(ctx, acct, region); err != nil || !slices.Equal(definitionIDs(list), []string{"d1"}) {
			t.Errorf("LogQueryDefinitions after reopening = %v, %v; want [d1]", definitionIDs(list), err)
		}
	})
}
