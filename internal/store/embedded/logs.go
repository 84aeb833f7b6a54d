package embedded

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/duckdb"
	"github.com/vigilhq/vigil/internal/store/sqlite"
)

// Logs returns the CloudWatch Logs store: resource state from SQLite,
// events and their statistics from DuckDB.
func (s *Store) Logs() store.Logs { return logs{s.state.Logs(), s.tel.Logs(), s.outbox} }

type logs struct {
	sqlite.LogState
	events duckdb.LogEvents
	outbox *outbox
}

func (l logs) LogGroups(ctx context.Context, q store.LogGroupQuery) ([]store.LogGroup, error) {
	groups, err := l.LogState.LogGroups(ctx, q)
	if err != nil {
		return nil, err
	}
	return groups, l.storedBytes(ctx, groups)
}

func (l logs) LogGroupsWithRetention(ctx context.Context) ([]store.LogGroup, error) {
	groups, err := l.LogState.LogGroupsWithRetention(ctx)
	if err != nil {
		return nil, err
	}
	return groups, l.storedBytes(ctx, groups)
}

// storedBytes sets the groups' StoredBytes from their events' statistics.
func (l logs) storedBytes(ctx context.Context, groups []store.LogGroup) error {
	ids := make([]int64, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	bytes, err := l.events.StoredBytes(ctx, ids)
	if err != nil {
		return err
	}
	for i := range groups {
		groups[i].StoredBytes = bytes[groups[i].ID]
	}
	return nil
}

func (l logs) DeleteLogGroup(ctx context.Context, id int64, arn string) error {
	if err := l.LogState.DeleteLogGroup(ctx, id, arn); err != nil {
		return err
	}
	return l.purge(ctx)
}

func (l logs) DeleteLogStream(ctx context.Context, id int64) error {
	if err := l.LogState.DeleteLogStream(ctx, id); err != nil {
		return err
	}
	return l.purge(ctx)
}

// purge deletes the telemetry of the groups and streams deleted from the
// state store, and then the purges.
func (l logs) purge(ctx context.Context) error {
	purges, err := l.Purges(ctx)
	if err != nil {
		return err
	}
	for _, p := range purges {
		if err := l.events.Purge(ctx, p.Group, p.Stream); err != nil {
			return err
		}
		if err := l.PurgeDone(ctx, p.ID); err != nil {
			return err
		}
	}
	return nil
}

func (l logs) LogStreams(ctx context.Context, q store.LogStreamQuery) ([]store.LogStream, error) {
	if !q.ByLastEvent {
		after := ""
		if q.After != nil {
			after = q.After.Name
		}
		streams, err := l.LogState.LogStreams(ctx, q.GroupID, q.Prefix, after, q.Descending, q.Limit)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(streams))
		for i, st := range streams {
			ids[i] = st.ID
		}
		if len(ids) == 0 {
			return streams, nil
		}
		stats, err := l.events.StreamStats(ctx, q.GroupID, ids...)
		if err != nil {
			return nil, err
		}
		for i := range streams {
			setStats(&streams[i], stats)
		}
		return streams, nil
	}
	// By last event: the order comes from the statistics, so every
	// stream of the group is read and sorted here. Streams without
	// events sort as if their last event were at 0, then by name.
	streams, err := l.LogState.LogStreams(ctx, q.GroupID, q.Prefix, "", false, 0)
	if err != nil {
		return nil, err
	}
	stats, err := l.events.StreamStats(ctx, q.GroupID)
	if err != nil {
		return nil, err
	}
	for i := range streams {
		setStats(&streams[i], stats)
	}
	key := func(st *store.LogStream) (int64, string) {
		if st.LastEvent == nil {
			return 0, st.Name
		}
		return *st.LastEvent, st.Name
	}
	cmp := func(a, b *store.LogStream) int {
		at, an := key(a)
		bt, bn := key(b)
		if c := compareInt(at, bt); c != 0 {
			return c
		}
		return strings.Compare(an, bn)
	}
	slices.SortFunc(streams, func(a, b store.LogStream) int {
		if q.Descending {
			return cmp(&b, &a)
		}
		return cmp(&a, &b)
	})
	if q.After != nil {
		i, _ := slices.BinarySearchFunc(streams, q.After, func(st store.LogStream, after *store.LogStream) int {
			c := cmp(&st, after)
			if q.Descending {
				c = -c
			}
			if c == 0 {
				return -1 // the cursor itself is before what follows
			}
			return c
		})
		streams = streams[i:]
	}
	if q.Limit > 0 && len(streams) > q.Limit {
		streams = streams[:q.Limit]
	}
	return streams, nil
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func setStats(st *store.LogStream, stats map[int64]duckdb.StreamStats) {
	if s, ok := stats[st.ID]; ok {
		st.FirstEvent, st.LastEvent, st.LastIngestion = &s.FirstEvent, &s.LastEvent, &s.LastIngestion
	}
}

func (l logs) ReserveSeqs(ctx context.Context, n int) (int64, error) {
	return l.events.ReserveSeqs(ctx, n)
}

// Ingest stores a batch, and the deliveries it sets off with it, in
// DuckDB.
func (l logs) Ingest(ctx context.Context, b *store.IngestBatch) error {
	l.outbox.ingesting(b.Outbox)
	return l.events.Ingest(ctx, b)
}

func (l logs) DeleteEventsBefore(ctx context.Context, groupID, ts int64) (int64, error) {
	return l.events.DeleteEventsBefore(ctx, groupID, ts)
}

// LogEvents reads events from DuckDB, resolving a stream prefix to the
// streams it names and the events' stream ids to names.
func (l logs) LogEvents(ctx context.Context, q store.LogEventQuery) ([]store.LogEvent, error) {
	if q.StreamPrefix != "" {
		streams, err := l.LogState.LogStreams(ctx, q.GroupID, q.StreamPrefix, "", false, 0)
		if err != nil {
			return nil, err
		}
		if len(streams) == 0 {
			return nil, nil
		}
		ids := q.StreamIDs
		q.StreamIDs = nil
		for _, st := range streams {
			if len(ids) == 0 || slices.Contains(ids, st.ID) {
				q.StreamIDs = append(q.StreamIDs, st.ID)
			}
		}
		if len(q.StreamIDs) == 0 {
			return nil, nil
		}
		q.StreamPrefix = ""
	}
	events, err := l.events.LogEvents(ctx, q)
	if err != nil || len(events) == 0 {
		return events, err
	}
	var ids []int64
	for _, e := range events {
		if !slices.Contains(ids, e.StreamID) {
			ids = append(ids, e.StreamID)
		}
	}
	names, err := l.StreamNamesByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("cannot name the streams of log events: %w", err)
	}
	for i := range events {
		events[i].Stream = names[events[i].StreamID]
	}
	return events, nil
}
