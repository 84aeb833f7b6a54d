// Package embeddedtest opens the embedded store for the tests of the
// packages built on it: in a temporary directory, closed when the test
// ends.
package embeddedtest

import (
	"context"
	"testing"

	"github.com/vigilhq/vigil/internal/store/embedded"
)

// Open opens an embedded store (one DuckDB thread: tests are many) in a
// temporary directory of t; it is closed when t ends, and a failed Close
// fails t.
func Open(t testing.TB) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return st
}
