package buckets

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestGroupSync: every caller returns only after a sync that started
// after it called, and concurrent callers share syncs.
func TestGroupSync(t *testing.T) {
	var g groupSync
	var started, finished atomic.Int64 // started counts syncs; finished is the number of the last one done
	fsync := func() error {
		n := started.Add(1)
		for range 1000 {
			// Long enough for callers to pile up.
		}
		finished.Store(n)
		return nil
	}
	const callers = 64
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			before := started.Load()
			if err := g.sync(fsync); err != nil {
				t.Error(err)
			}
			if got := finished.Load(); got <= before {
				t.Errorf("returned after sync %d; a sync after %d was needed", got, before)
			}
		}()
	}
	wg.Wait()
	if n := started.Load(); n < 1 || n > callers {
		t.Errorf("%d syncs for %d callers", n, callers)
	}
}
