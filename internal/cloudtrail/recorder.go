package cloudtrail

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
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
	svc    *Service
	store  store.CloudTrail
	isData func(*audit.Event) bool
	log    *slog.Logger
	queue  chan recorded
	done   chan struct{}
}

// recorded is a queued event, or a Flush's mark (flushed not nil).
type recorded struct {
	e       store.TrailEvent
	flushed chan struct{}
}

// Recorder returns the sink that records API calls, and starts its
// goroutine; Close stops it. isData tells data calls (S3's GetObject …)
// from management calls (all are management calls when nil): the event
// history has the management events, and a data call is recorded only
// when a trail of its account selects it.
func (s *Service) Recorder(isData func(*audit.Event) bool) *Recorder {
	r := &Recorder{
		svc: s, store: s.opt.Store, isData: isData, log: s.opt.Logger,
		queue: make(chan recorded, 4*recordBatch), done: make(chan struct{}),
	}
	go r.run()
	return r
}

// Record queues e's event, unless it names no operation (a request Vigil
// could not route), or is a data call no trail selects. It must not be
// called after Close.
func (r *Recorder) Record(ctx context.Context, e *audit.Event) {
	if e.Operation == "" {
		return
	}
	ev := store.TrailEvent{
		Account: e.Principal.Account, Region: e.Region, Time: ms(e.Time), Name: e.Operation, Source: e.EventSource,
		Username: lookupName(e.Principal.ARN), AccessKey: e.Principal.AccessKey, ReadOnly: e.ReadOnly,
		Category: "Management", ErrorCode: e.ErrorCode,
	}
	var bucket string
	if r.isData != nil && r.isData(e) {
		// Decided before the record is made: a data call's input can be
		// large (a PutLogEvents' events), and most are not recorded.
		var key string
		var ok bool
		if bucket, key, ok = s3Object(e); !ok {
			return // a data event of a kind Vigil does not record
		}
		ev.Category, ev.Resource = "Data", "arn:aws:s3:::"+bucket+"/"+key
		if !r.svc.wantsData(ctx, &ev) {
			return
		}
	}
	ev.ID = request.NewUUID()
	rec := audit.NewTrailRecord(e, ev.ID)
	if ev.Category == "Data" {
		rec.EventCategory, rec.ManagementEvent = "Data", false
		rec.Resources = []audit.TrailResource{
			{Type: S3ObjectType, ARN: ev.Resource},
			{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + bucket},
		}
	}
	ev.Record = rec.AppendJSON(nil)
	r.queue <- recorded{e: ev}
}

// s3Object returns the bucket and key of an S3 call: its input's Bucket
// and Key members (the key is "" for calls on a bucket's objects, such
// as DeleteObjects).
func s3Object(e *audit.Event) (bucket, key string, ok bool) {
	if e.EventSource != "s3.amazonaws.com" || e.Request == nil {
		return "", "", false
	}
	v := reflect.ValueOf(e.Request)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return "", "", false
	}
	member := func(name string) string {
		f := v.Elem().FieldByName(name)
		if f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
			return f.Elem().String()
		}
		return ""
	}
	bucket = member("Bucket")
	return bucket, member("Key"), bucket != ""
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
