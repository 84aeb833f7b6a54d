package logs

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/store"
)

// CreateLogStream creates a stream in a group.
func (e *Engine) CreateLogStream(ctx context.Context, sc Scope, group, name string) error {
	g, err := e.group(ctx, sc, group, "")
	if err != nil {
		return err
	}
	err = e.opt.Store.CreateLogStream(ctx, &store.LogStream{GroupID: g.ID, Name: name, Created: e.now()})
	if errors.Is(err, store.ErrExists) {
		return errorf(ResourceAlreadyExists, "The specified log stream already exists")
	}
	return err
}

// DeleteLogStream deletes a stream and its events.
func (e *Engine) DeleteLogStream(ctx context.Context, sc Scope, group, name string) error {
	g, err := e.group(ctx, sc, group, "")
	if err != nil {
		return err
	}
	s, err := e.stream(ctx, g, name)
	if err != nil {
		return err
	}
	defer e.cache.forgetStream(streamName{g.ID, name})
	return e.opt.Store.DeleteLogStream(ctx, s.ID)
}

// StreamQuery is DescribeLogStreams' input.
type StreamQuery struct {
	Group, GroupIdentifier string
	Prefix                 string
	OrderByLastEventTime   bool
	Descending             bool
	Limit                  int
	NextToken              string
}

// streamCursor is DescribeLogStreams' page token.
type streamCursor struct {
	Name      string `json:"n"`
	LastEvent *int64 `json:"l,omitempty"`
}

// DescribeLogStreams lists a group's streams, a page at a time.
func (e *Engine) DescribeLogStreams(ctx context.Context, sc Scope, q StreamQuery) (*store.LogGroup, []store.LogStream, string, error) {
	if q.OrderByLastEventTime && q.Prefix != "" {
		return nil, nil, "", errorf(InvalidParameter, "Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	g, err := e.group(ctx, sc, q.Group, q.GroupIdentifier)
	if err != nil {
		return nil, nil, "", err
	}
	limit := q.Limit
	if limit == 0 {
		limit = 50
	}
	sq := store.LogStreamQuery{GroupID: g.ID, Prefix: q.Prefix, ByLastEvent: q.OrderByLastEventTime, Descending: q.Descending, Limit: limit + 1}
	if q.NextToken != "" {
		var c streamCursor
		if err := decodeToken(q.NextToken, "streams", &c); err != nil {
			return nil, nil, "", err
		}
		sq.After = &store.LogStream{Name: c.Name, LastEvent: c.LastEvent}
	}
	streams, err := e.opt.Store.LogStreams(ctx, sq)
	if err != nil {
		return nil, nil, "", err
	}
	next := ""
	if len(streams) > limit {
		streams = streams[:limit]
		last := streams[limit-1]
		next = encodeToken("streams", streamCursor{Name: last.Name, LastEvent: last.LastEvent})
	}
	return g, streams, next, nil
}
