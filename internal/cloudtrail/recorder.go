package cloudtrail

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// recordBatch bounds the events the recorder stores in one write.
const recordBatch = 1024

// Recorder is the audit sink that stores API calls as CloudTrail events.
// Its Record only queues an event (it runs on audit.Async's goroutine);
// a goroutine of its own stores what is queued in batches, so that
// recording keeps up with many calls a second while each write waits for
// the disk.
type Recorder struct {
	store  store.CloudTrail
	filter func(*audit.Event) bool
	log    *slog.Logger
	queue  chan recorded
	done   chan struct{}
}

// recorded is a queued event, or a Flush's mark (flushed not nil).
type recorded struct {
	e       store.TrailEvent
	flushed chan struct{}
}

// Recorder returns the sink that records the API calls filter accepts
// (all when nil), and starts its goroutine; Close stops it.
func (s *Service) Recorder(filter func(*audit.Event) bool) *Recorder {
	r := &Recorder{
		store: s.opt.Store, filter: filter, log: s.opt.Logger,
		queue: make(chan recorded, 4*recordBatch), done: make(chan struct{}),
	}
	go r.run()
	return r
}

// Record queues e's event, unless it names no operation (a request Vigil
// could not route) or the filter refuses it. It must not be called
// after Close.
func (r *Recorder) Record(_ context.Context, e *audit.Event) {
	if e.Operation == "" || (r.filter != nil && !r.filter(e)) {
		return
	}
	id := request.NewUUID()
	rec := audit.NewTrailRecord(e, id)
	r.queue <- recorded{e: store.TrailEvent{
		Account: e.Principal.Account, Region: e.Region, Time: ms(e.Time),
		ID: id, Name: e.Operation, Source: e.EventSource,
		Username: lookupName(e.Principal.ARN), AccessKey: e.Principal.AccessKey, ReadOnly: e.ReadOnly,
		Record: rec.AppendJSON(nil),
	}}
}

// Flush waits until the events recorded before it are stored, or until
// ctx ends. It must not be called after Close.
func (r *Recorder) Flush(ctx context.Context) error {
	mark := make(chan struct{})
	select {
	case r.queue <- recorded{flushed: mark}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-mark:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Recorder) run() {
	defer close(r.done)
	batch := make([]store.TrailEvent, 0, recordBatch)
	var marks []chan struct{}
	for q := range r.queue {
		batch, marks = batch[:0], marks[:0]
		for ok := true; ok; {
			if q.flushed != nil {
				marks = append(marks, q.flushed)
			} else {
				batch = append(batch, q.e)
			}
			if len(batch) == recordBatch {
				break
			}
			select {
			case q, ok = <-r.queue:
			default:
				ok = false
			}
		}
		// The events' own context is the request's, long gone.
		if len(batch) > 0 {
			if err := r.store.AppendEvents(context.Background(), batch); err != nil {
				r.log.Error("cannot record CloudTrail events", "events", len(batch), "err", err)
			}
		}
		for _, m := range marks {
			close(m)
		}
	}
}

// Close stores what is queued and stops the goroutine, or gives up when
// ctx ends.
func (r *Recorder) Close(ctx context.Context) error {
	close(r.queue)
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return errors.New("CloudTrail recorder: " + ctx.Err().Error())
	}
}

// lookupName is the Username LookupEvents shows and matches: "root" for
// an account's root, the user's name, or an assumed role's session name.
func lookupName(arn string) string {
	switch {
	case strings.HasSuffix(arn, ":root"):
		return "root"
	case strings.Contains(arn, ":user/"):
		return audit.UserName(arn)
	case strings.Contains(arn, ":assumed-role/") || strings.Contains(arn, ":federated-user/"):
		return arn[strings.LastIndexByte(arn, '/')+1:]
	}
	return ""
}
