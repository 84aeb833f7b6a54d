package logs

import (
	"context"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	engine "github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
)

// StartLiveTail streams newly ingested events: a sessionStart event, then
// a sessionUpdate every second, until the client goes away or the session
// times out after three hours.
func (s *Provider) StartLiveTail(ctx context.Context, in *StartLiveTailRequest) (*StartLiveTailResponse, error) {
	sess, err := s.engine.StartLiveTail(ctx, scope(ctx), engine.TailQuery{
		Identifiers: in.LogGroupIdentifiers, Streams: in.LogStreamNames, Prefixes: in.LogStreamNamePrefixes,
		Pattern: api.Value(in.LogEventFilterPattern),
	})
	if err != nil {
		return nil, apiError(err)
	}
	requestID := request.FromContext(ctx).ID
	timeout := s.tailTimeout
	if timeout == 0 {
		timeout = engine.TailTimeout
	}
	protocol.SetEventStream(ctx, func(ctx context.Context, send func(any) error) error {
		defer sess.Close()
		start := &LiveTailSessionStart{
			RequestId: &requestID, SessionId: &sess.ID, LogGroupIdentifiers: sess.Identifiers,
			LogStreamNames: sess.Streams, LogStreamNamePrefixes: sess.Prefixes, LogEventFilterPattern: api.Ptr(sess.Pattern),
		}
		if err := send(&StartLiveTailResponseStream{SessionStart: start}); err != nil {
			return err
		}
		ticker := time.NewTicker(engine.TailInterval)
		defer ticker.Stop()
		deadline := time.NewTimer(timeout)
		defer deadline.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-deadline.C:
				return send(&StartLiveTailResponseStream{SessionTimeoutException: &SessionTimeoutException{
					Message: api.Ptr("Session timed out after three hours. Start a new session to continue.")}})
			case <-ticker.C:
				events, sampled := sess.Take()
				update := &LiveTailSessionUpdate{SessionMetadata: &LiveTailSessionMetadata{Sampled: &sampled},
					SessionResults: make([]LiveTailSessionLogEvent, len(events))}
				for i, ev := range events {
					update.SessionResults[i] = LiveTailSessionLogEvent{
						LogStreamName: api.Ptr(ev.Stream), LogGroupIdentifier: api.Ptr(ev.GroupIdentifier), Message: api.Ptr(ev.Message),
						Timestamp: api.Ptr(ev.Timestamp), IngestionTime: api.Ptr(ev.Ingestion),
					}
				}
				if err := send(&StartLiveTailResponseStream{SessionUpdate: update}); err != nil {
					return err
				}
			}
		}
	})
	return &StartLiveTailResponse{}, nil
}
