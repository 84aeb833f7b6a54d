package events

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// A replay (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html)
// sends an archive's events of a time range again to the archive's bus,
// to all its rules or to those FilterArns names, each event with a new
// id and "replay-name" in its envelope (so that no archive keeps it
// again). It is STARTING when started; the scheduler's job (RunReplays)
// makes it RUNNING and sends replayBatch events of it, in the order of
// their times, at each run, keeping how far it went in the store, until
// it is COMPLETED; CancelReplay makes it CANCELLING, and the next run
// CANCELLED. A replay whose archive is deleted FAILS.

// ReplayEvery is how often the scheduler runs RunReplays: with
// replayBatch, a replay sends up to 100 events a second.
const ReplayEvery = time.Second

// Replays' limits.
const (
	// maxActiveReplays is how many replays of an account and region may
	// be STARTING or RUNNING at once (recorded on AWS by LocalStack's
	// tests_concurrency_error_too_many_active_replays).
	maxActiveReplays = 10
	// replayBatch is how many events a replay sends at each run of the
	// job.
	replayBatch = 100
	// maxStepped is how many replays a run of the job steps.
	maxStepped = 1000
)

// replayDefinition is what a replay holds beyond what the store looks
// it up by.
type replayDefinition struct {
	Description string   `json:"description,omitempty"`
	Destination string   `json:"destination"`
	FilterARNs  []string `json:"filterArns,omitempty"`
}

// ReplaySettings are what StartReplay is given: the archive to replay,
// the events to replay (those whose time is from EventStart and before
// EventEnd), and where to (the archive's bus, the rules FilterARNs names
// when it names any).
type ReplaySettings struct {
	Name, Description, ArchiveARN string
	EventStart, EventEnd          time.Time
	Destination                   string
	FilterARNs                    []string
}

// Replay is a replay as the API describes it; a zero time is none.
type Replay struct {
	ReplaySettings
	ARN, State, StateReason                   string
	EventLastReplayed, ReplayStart, ReplayEnd time.Time
}

func replayARN(sc Scope, name string) string {
	return "arn:aws:events:" + sc.Region + ":" + sc.Account + ":replay/" + name
}

// optionalTime is a time of the store, zero for 0.
func optionalTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return msTime(ms)
}

func describeReplay(r *store.EventReplay) (Replay, error) {
	var def replayDefinition
	if err := json.Unmarshal(r.Definition, &def); err != nil {
		return Replay{}, fmt.Errorf("cannot read replay %s: %w", r.ARN, err)
	}
	return Replay{
		ReplaySettings: ReplaySettings{Name: r.Name, Description: def.Description, ArchiveARN: r.ArchiveARN, EventStart: msTime(r.EventStart),
			EventEnd: msTime(r.EventEnd), Destination: def.Destination, FilterARNs: def.FilterARNs},
		ARN: r.ARN, State: r.State, StateReason: r.Reason, EventLastReplayed: optionalTime(r.LastReplayed),
		ReplayStart: msTime(r.Started), ReplayEnd: optionalTime(r.Ended),
	}, nil
}

// StartReplay starts replaying an archive's events to its bus.
func (s *Service) StartReplay(ctx context.Context, sc Scope, set ReplaySettings) (Replay, error) {
	account, region, bus, ok := parseBusARN(set.Destination)
	if !ok {
		return Replay{}, errorf(Validation, "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")
	}
	if account == sc.Account && region == sc.Region {
		if _, err := s.bus(ctx, sc, bus); err != nil {
			return Replay{}, err
		}
	}
	archive := resourceName(set.ArchiveARN)
	a, err := s.opt.Store.Archive(ctx, archiveARN(sc, archive))
	if errors.Is(err, store.ErrNotFound) || err == nil && a.ARN != set.ArchiveARN {
		return Replay{}, errorf(Validation, "Parameter EventSourceArn is not valid. Reason: Archive %s does not exist.", archive)
	}
	if err != nil {
		return Replay{}, err
	}
	switch {
	case a.BusARN != set.Destination:
		return Replay{}, errorf(Validation, "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	case !set.EventStart.Before(set.EventEnd):
		return Replay{}, errorf(Validation, "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	def, err := json.Marshal(replayDefinition{Description: set.Description, Destination: set.Destination, FilterARNs: set.FilterARNs})
	if err != nil {
		return Replay{}, err
	}
	r := store.EventReplay{ARN: replayARN(sc, set.Name), Account: sc.Account, Region: sc.Region, Name: set.Name, ArchiveARN: a.ARN,
		Definition: def, EventStart: set.EventStart.UnixMilli(), EventEnd: set.EventEnd.UnixMilli(), Started: s.now(),
		ReplayProgress: store.ReplayProgress{State: store.ReplayStarting, CursorTime: set.EventStart.UnixMilli()}}
	err = s.opt.Store.StartReplay(ctx, r, maxActiveReplays)
	switch {
	case errors.Is(err, store.ErrExists):
		return Replay{}, errorf(ResourceAlreadyExists, "Replay %s already exists.", set.Name)
	case errors.Is(err, store.ErrLimit):
		return Replay{}, errorf(LimitExceeded, "The requested resource exceeds the maximum number allowed.")
	case err != nil:
		return Replay{}, err
	}
	return describeReplay(&r)
}

// DescribeReplay describes a replay.
func (s *Service) DescribeReplay(ctx context.Context, sc Scope, name string) (Replay, error) {
	r, err := s.opt.Store.Replay(ctx, replayARN(sc, name))
	if errors.Is(err, store.ErrNotFound) {
		return Replay{}, errorf(ResourceNotFound, "Replay %s does not exist.", name)
	}
	if err != nil {
		return Replay{}, err
	}
	return describeReplay(r)
}

// ListReplays lists the replays by name, those whose names begin with
// prefix, or of the archive archiveARN, or in the state state.
func (s *Service) ListReplays(ctx context.Context, sc Scope, prefix, archiveARN, state, token string, limit int) ([]Replay, string, error) {
	if err := exclusiveFilters("ListReplays", prefix, archiveARN, state); err != nil {
		return nil, "", err
	}
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	rs, err := s.opt.Store.Replays(ctx, sc.Account, sc.Region, prefix, archiveARN, state, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	return listPage(rs, limit, func(r store.EventReplay) string { return r.Name }, describeReplay)
}

// CancelReplay cancels a STARTING or RUNNING replay: it is CANCELLING
// until the next run of the job.
func (s *Service) CancelReplay(ctx context.Context, sc Scope, name string) (Replay, error) {
	r, err := s.opt.Store.CancelReplay(ctx, replayARN(sc, name))
	if errors.Is(err, store.ErrNotFound) {
		if _, err := s.DescribeReplay(ctx, sc, name); err != nil {
			return Replay{}, err
		}
		return Replay{}, errorf(IllegalStatus, "Replay %s is not in a valid state for this operation.", name)
	}
	if err != nil {
		return Replay{}, err
	}
	return describeReplay(r)
}

// RunReplays steps every replay under way at now: the scheduler's job.
func (s *Service) RunReplays(ctx context.Context, now time.Time) error {
	rs, err := s.opt.Store.ActiveReplays(ctx, maxStepped)
	if err != nil {
		return err
	}
	var errs []error
	for i := range rs {
		if err := s.stepReplay(ctx, &rs[i], now); err != nil {
			errs = append(errs, fmt.Errorf("cannot replay %s: %w", rs[i].ARN, err))
		}
	}
	return errors.Join(errs...)
}

// stepReplay moves a replay on: a CANCELLING one is CANCELLED; a
// STARTING or RUNNING one is RUNNING and sends its next events, and is
// COMPLETED when none are left. The events are in the outbox before the
// replay's progress is stored: a step a crash interrupts is made again,
// and its events, which carry the same ids, delivered again.
func (s *Service) stepReplay(ctx context.Context, r *store.EventReplay, now time.Time) error {
	from := r.ReplayProgress
	to := from
	if from.State == store.ReplayCancelling {
		to.State, to.Ended = store.ReplayCancelled, now.UnixMilli()
	} else {
		to.State = store.ReplayRunning
		d, err := s.replayEvents(ctx, r, &to, now)
		if err != nil {
			return err
		}
		if err := s.commit(ctx, d); err != nil {
			return err
		}
	}
	_, err := s.opt.Store.AdvanceReplay(ctx, r.ARN, from, to)
	return err
}

// replayEvents routes the next events of a running replay to the rules
// of its bus, and moves its progress to past them.
func (s *Service) replayEvents(ctx context.Context, r *store.EventReplay, to *store.ReplayProgress, now time.Time) (delivery, error) {
	var def replayDefinition
	if err := json.Unmarshal(r.Definition, &def); err != nil {
		return delivery{}, err
	}
	_, err := s.opt.Store.Archive(ctx, r.ArchiveARN)
	if errors.Is(err, store.ErrNotFound) {
		to.State, to.Reason, to.Ended = store.ReplayFailed, archiveNotFound(resourceName(r.ArchiveARN)).Error(), now.UnixMilli()
		return delivery{}, nil
	}
	if err != nil {
		return delivery{}, err
	}
	evs, err := s.opt.Store.ArchivedEvents(ctx, r.ArchiveARN, to.CursorTime, to.CursorSeq, r.EventEnd, replayBatch)
	if err != nil {
		return delivery{}, err
	}
	var only func(*compiledRule) bool
	if len(def.FilterARNs) > 0 {
		only = func(c *compiledRule) bool { return slices.Contains(def.FilterARNs, c.ARN) }
	}
	_, _, bus, _ := parseBusARN(def.Destination)
	sc := Scope{Account: r.Account, Region: r.Region}
	var d delivery
	for _, ev := range evs {
		var evt svcevents.Event
		if err := json.Unmarshal(ev.Event, &evt); err != nil {
			return delivery{}, fmt.Errorf("cannot read event %d of %s: %w", ev.Seq, r.ArchiveARN, err)
		}
		evt.ID, evt.ReplayName = replayEventID(r.ARN, ev.Seq), r.Name
		routed, err := s.route(ctx, sc, bus, &evt, only)
		if err != nil {
			return delivery{}, err
		}
		d.add(routed)
		to.CursorTime, to.CursorSeq, to.LastReplayed = ev.Time, ev.Seq, ev.Time
	}
	if len(evs) < replayBatch {
		to.State, to.Ended = store.ReplayCompleted, now.UnixMilli()
	}
	return d, nil
}

// replayEventID is the id of an archived event (by its Seq) as a replay
// sends it: a new id, as on AWS, but the same each time that replay
// sends that event (a version 5 UUID of their names).
func replayEventID(replayARN string, seq int64) string {
	h := sha1.Sum(fmt.Appendf(nil, "%s/%d", replayARN, seq))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
