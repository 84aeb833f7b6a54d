package audit

import (
	"context"
	"slices"
)

// Multi returns a Sink that hands each event to every one of sinks, in
// order.
func Multi(sinks ...Sink) Sink {
	return multi(slices.Clone(sinks))
}

type multi []Sink

func (m multi) Record(ctx context.Context, e *Event) {
	for _, s := range m {
		s.Record(ctx, e)
	}
}
