package logs

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/api"
	engine "github.com/vigilhq/vigil/internal/logs"
)

// PutLogEvents stores a batch of events; sequence tokens are accepted and
// ignored, as AWS does since 2023.
func (s *Provider) PutLogEvents(ctx context.Context, in *PutLogEventsRequest) (*PutLogEventsResponse, error) {
	events := make([]engine.InputEvent, len(in.LogEvents))
	for i, ev := range in.LogEvents {
		events[i] = engine.InputEvent{Timestamp: *ev.Timestamp, Message: *ev.Message}
	}
	put, err := s.engine.PutLogEvents(ctx, scope(ctx), *in.LogGroupName, "", *in.LogStreamName, events)
	if err != nil {
		return nil, apiError(err)
	}
	// AWS has ignored sequenceToken since 2023 but still returns a new
	// token each call; the CloudWatch agent and OpenTelemetry's CloudWatch
	// Logs exporters resend a successful call until they see one.
	out := &PutLogEventsResponse{NextSequenceToken: api.Ptr(sequenceToken(put.Token))}
	if rej := put.Rejected; rej != nil {
		out.RejectedLogEventsInfo = &RejectedLogEventsInfo{
			TooNewLogEventStartIndex: index(rej.TooNewStart),
			TooOldLogEventEndIndex:   index(rej.TooOldEnd),
			ExpiredLogEventEndIndex:  index(rej.ExpiredEnd),
		}
	}
	return out, nil
}

// sequenceToken words a number as a sequence token: 56 decimal digits,
// as AWS's look.
func sequenceToken(n int64) string { return fmt.Sprintf("%056d", n) }

// index returns an index member, absent when negative.
func index(i int) *int32 {
	if i < 0 {
		return nil
	}
	return api.Ptr(int32(i))
}

// GetLogEvents reads a log stream a page at a time.
func (s *Provider) GetLogEvents(ctx context.Context, in *GetLogEventsRequest) (*GetLogEventsResponse, error) {
	page, err := s.engine.GetLogEvents(ctx, scope(ctx), engine.GetQuery{
		Group: api.Value(in.LogGroupName), GroupIdentifier: api.Value(in.LogGroupIdentifier), Stream: *in.LogStreamName,
		Start: in.StartTime, End: in.EndTime, Token: api.Value(in.NextToken), Limit: int(api.Value(in.Limit)),
		StartFromHead: api.Value(in.StartFromHead),
	})
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetLogEventsResponse{Events: make([]OutputLogEvent, len(page.Events)),
		NextForwardToken: &page.ForwardToken, NextBackwardToken: &page.BackwardToken}
	for i, ev := range page.Events {
		out.Events[i] = OutputLogEvent{Timestamp: api.Ptr(ev.Timestamp), Message: api.Ptr(ev.Message), IngestionTime: api.Ptr(ev.Ingestion)}
	}
	return out, nil
}

// FilterLogEvents searches a log group's events with a filter pattern.
func (s *Provider) FilterLogEvents(ctx context.Context, in *FilterLogEventsRequest) (*FilterLogEventsResponse, error) {
	page, err := s.engine.FilterLogEvents(ctx, scope(ctx), engine.FilterQuery{
		Group: api.Value(in.LogGroupName), GroupIdentifier: api.Value(in.LogGroupIdentifier),
		StreamNames: in.LogStreamNames, StreamPrefix: api.Value(in.LogStreamNamePrefix),
		Start: in.StartTime, End: in.EndTime, Pattern: api.Value(in.FilterPattern),
		Token: api.Value(in.NextToken), Limit: int(api.Value(in.Limit)),
	})
	if err != nil {
		return nil, apiError(err)
	}
	out := &FilterLogEventsResponse{Events: make([]FilteredLogEvent, len(page.Events)), NextToken: api.OptionalString(page.NextToken)}
	for i, ev := range page.Events {
		out.Events[i] = FilteredLogEvent{
			LogStreamName: api.Ptr(ev.Stream), Timestamp: api.Ptr(ev.Timestamp), Message: api.Ptr(ev.Message),
			IngestionTime: api.Ptr(ev.Ingestion), EventId: api.Ptr(engine.EventID(ev.Seq)),
		}
	}
	return out, nil
}
