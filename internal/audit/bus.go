package audit

import (
	"context"

	"github.com/vigilhq/vigil/internal/svcevents"
)

// BusSinkOptions configure a BusSink.
type BusSinkOptions struct {
	// Filter chooses the events published (all when nil).
	Filter func(*Event) bool
	// NewID returns the records' event ids (svcevents.NewID when nil).
	NewID func() string
}

// BusSink is a Sink that publishes each API call on a bus of service
// events as EventBridge receives it from CloudTrail: detail type "AWS API
// Call via CloudTrail", source "aws." and the service's IAM prefix, no
// resources, and the call's TrailRecord as detail.
//
// Read-only calls are published too, marked ReadOnly: EventBridge gets
// them, and matches them only against rules in the state
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html),
// which the rules' consumer decides.
//
// BusSink encodes the record in Record: wrap it in an Async to keep the
// work off the request's goroutine.
type BusSink struct {
	bus *svcevents.Bus
	opt BusSinkOptions
}

// NewBusSink returns a BusSink publishing to bus.
func NewBusSink(bus *svcevents.Bus, opt BusSinkOptions) *BusSink {
	if opt.NewID == nil {
		opt.NewID = svcevents.NewID
	}
	return &BusSink{bus: bus, opt: opt}
}

// Record publishes e, unless no one listens, the filter refuses it, or it
// names no operation (a request Vigil could not route, which CloudTrail
// would not know either).
func (s *BusSink) Record(ctx context.Context, e *Event) {
	if e.Operation == "" || !s.bus.HasSubscribers() || (s.opt.Filter != nil && !s.opt.Filter(e)) {
		return
	}
	// Params writes valid JSON: AppendJSON needs no check.
	detail := NewTrailRecord(e, s.opt.NewID()).AppendJSON(nil)
	source := "aws." + e.Service
	if e.EventSource != "" {
		source = EventBridgeSource(e.EventSource)
	}
	s.bus.Publish(ctx, &svcevents.Event{
		DetailType: svcevents.DetailTypeAPICall, Source: source,
		Account: e.Principal.Account, Region: e.Region, Time: e.Time, Detail: detail, ReadOnly: e.ReadOnly,
	})
}
