package logs

import (
	"context"
	"errors"

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
	protocol.SetEventStream(ctx, func(ctx context.Context, send func(any) error) error {
		defer sess.Close()
		start := &LiveTailSessionStart{
			RequestId: &requestID, SessionId: &sess.ID, LogGroupIdentifiers: sess.Identifiers,
			LogStreamNames: sess.Streams, LogStreamNamePrefixes: sess.Prefixes, LogEventFilterPattern: api.Ptr(sess.Pattern),
		}
		if err := send(&StartLiveTailResponseStream{SessionStart: start}); err != nil {
			return err
		}
		err := sess.Run(ctx, s.tailTimeout, func(events []engine.TailEvent, sampled bool) error {
			update := &LiveTailSessionUpdate{SessionMetadata: &LiveTailSessionMetadata{Sampled: &sampled},
				SessionResults: make([]LiveTailSessionLogEvent, len(events))}
			for i, ev := range events {
				update.SessionResults[i] = LiveTailSessionLogEvent{
					LogStreamName: api.Ptr(ev.Stream), LogGroupIdentifier: api.Ptr(ev.GroupIdentifier), Message: api.Ptr(ev.Message),
					Timestamp: api.Ptr(ev.Timestamp), IngestionTime: api.Ptr(ev.Ingestion),
				}
			}
			return send(&StartLiveTailResponseStream{SessionUpdate: update})
		})
		if errors.Is(err, engine.ErrTailTimeout) {
			return send(&StartLiveTailResponseStream{SessionTimeoutException: &SessionTimeoutException{Message: api.Ptr(err.Error())}})
		}
		return err
	})
	return &StartLiveTailResponse{}, nil
}
