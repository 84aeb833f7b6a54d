// Package storetest holds the conformance suites every storage backend must
// pass: one function per domain interface of package store, called from
// the backend's tests with an Open function for the backend.
//
// The suites pin what the interfaces' doc comments promise and what the
// engines built on them rely on: orders, cursors, not-found and
// already-exists errors, isolation between accounts and regions, and the
// durability of acknowledged writes across a close and reopen. A backend
// that passes them can replace another under the engines.
package storetest

import (
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Backend is an open backend: the interfaces it implements, all views of
// the same data. A suite uses the interface it checks and those its
// contract involves (log groups are tagged through Tags, ingestion
// enqueues to the Outbox, queries read the events of Logs); the others may
// be nil.
type Backend struct {
	// Accounts is checked by the Accounts suite.
	Accounts store.Accounts
	// Metrics is checked by the Metrics suite.
	Metrics store.Metrics
	// Logs is checked by the Logs suite, with Tags and Outbox.
	Logs store.Logs
	// Outbox is checked by the Outbox suite.
	Outbox store.Outbox
	// Tags is checked by the Tags suite.
	Tags store.Tags
	// LogQueries is checked by the LogQueries suite.
	LogQueries store.LogQueries
	// LogExports is checked by the LogExports suite.
	LogExports store.LogExports
	// LogQuerier is checked by the LogQuerier and InsightsCorpus suites,
	// over events stored through Logs.
	LogQuerier store.LogQuerier
	// Leases is checked by the Leases suite.
	Leases store.Leases
	// Alarms is checked by the Alarms suite, with Outbox (a state change
	// enqueues its actions).
	Alarms store.Alarms
	// SNS is checked by the SNS suite.
	SNS store.SNS
	// SQS is checked by the SQS suite.
	SQS store.SQS
	// Events is checked by the Events suite, with Outbox (archiving
	// enqueues the deliveries of the events).
	Events store.Events
	// Schedules is checked by the Schedules suite, with Outbox (an advance
	// enqueues its invocation).
	Schedules store.Schedules
	// SchemaRegistry is checked by the SchemaRegistry suite.
	SchemaRegistry store.SchemaRegistry
	// Dashboards is checked by the Dashboards suite, with Tags (a
	// dashboard's tags go with it).
	Dashboards store.Dashboards
	// Buckets is checked by the Buckets suite.
	Buckets store.Buckets
	// CloudTrail is checked by the CloudTrail suite, with Tags.
	CloudTrail store.CloudTrail
	// EventDataStores and LakeEvents are checked by the CloudTrailLake
	// suite, with Tags.
	EventDataStores store.EventDataStores
	LakeEvents      store.LakeEvents
	// IAM is checked by the IAM suite, with Accounts (the keys of the
	// accounts Vigil hosts are the authenticator's).
	IAM store.IAM
	// Organizations is checked by the Organizations suite, with Tags
	// (its resources' tags are theirs).
	Organizations store.Organizations
}

// Open opens the backend whose data lives under dir: a fresh, empty store
// when dir is a new directory, the data stored before when it is a
// directory opened (and closed) before. A backend that keeps its data
// elsewhere (PostgreSQL) derives its database or schema name from dir. The
// backend must stay open until t ends and be closed then (t.Cleanup); the
// suites open a directory again only after the test that had it open has
// ended.
type Open func(t *testing.T, dir string) Backend

// fresh opens a backend over a new, empty directory.
func fresh(t *testing.T, open Open) Backend {
	t.Helper()
	return open(t, t.TempDir())
}

// reopen opens a backend over a new directory, runs fill on it in a
// subtest, which closes the backend as it ends, and returns the backend
// opened again over the same data.
func reopen(t *testing.T, open Open, fill func(t *testing.T, b Backend)) Backend {
	t.Helper()
	dir := t.TempDir()
	if !t.Run("before reopening", func(t *testing.T) { fill(t, open(t, dir)) }) {
		t.FailNow()
	}
	return open(t, dir)
}

// need fails the test when the backend lacks an interface the suite uses.
func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if !ok {
		t.Fatalf("the backend has no %s: the suite needs it", what)
	}
}

// pages reads a listing page by page, each read with the cursor of the
// last item before it (after), until a page is empty, and returns the
// names of each page's items. It fails t on an error, on a page of more
// than size items, or past 20 pages.
func pages[T any](t *testing.T, what string, size int, read func(after string) ([]T, error), cursor, name func(T) string) [][]string {
	t.Helper()
	var out [][]string
	after := ""
	for range 20 {
		page, err := read(after)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		if len(page) > size {
			t.Fatalf("%s(after %q, %d) returned %d items", what, after, size, len(page))
		}
		names := make([]string, len(page))
		for i, v := range page {
			names[i] = name(v)
		}
		out = append(out, names)
		after = cursor(page[len(page)-1])
	}
	t.Fatalf("%s by pages of %d: more than 20 pages", what, size)
	return nil
}
