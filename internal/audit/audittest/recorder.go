// Package audittest provides an audit.Sink for tests.
package audittest

import (
	"context"
	"sync"

	"github.com/vigilhq/vigil/internal/audit"
)

// Recorder keeps every event it receives.
type Recorder struct {
	mu     sync.Mutex
	events []audit.Event
}

// Record keeps a copy of e.
func (r *Recorder) Record(_ context.Context, e *audit.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, *e)
}

// Events returns the events recorded so far.
func (r *Recorder) Events() []audit.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]audit.Event(nil), r.events...)
}
