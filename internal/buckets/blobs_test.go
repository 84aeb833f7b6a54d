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
	const callers = 64
	var entered sync.WaitGroup
	entered.Add(callers)
	fsync := func() error {
		n := started.Add(1)
		if n == 1 {
			// The first sync lasts until every caller has come: they
			// all need a sync that starts after it, and share one.
			entered.Wait()
		}
		finished.Store(n)
		return nil
	}
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			before := started.Load()
			entered.Done()
			if err := g.sync(fsync); err != nil {
				t.Error(err)
			}
			if got := finished.Load(); got <= before {
				t.Errorf("returned after sync %d; a sync after %d was needed", got, before)
			}
		}()
	}
	wg.Wait()
	if n := started.Load(); n < 2 || n >= callers {
		t.Errorf("%d syncs for %d callers; want them shared (the first caller's, and few after it)", n, callers)
	}
}
