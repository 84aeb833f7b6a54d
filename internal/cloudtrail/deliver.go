package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/store"
)

// DeliverEvery is how often trails deliver their log files, on the
// clock's multiples of it.
const DeliverEvery = 5 * time.Minute

// NextDelivery is the time of the delivery run after after.
func NextDelivery(after time.Time) time.Time { return after.Truncate(DeliverEvery).Add(DeliverEvery) }

// deliverBatch bounds the events read at once, and so the events of a
// log file.
const deliverBatch = 5000

// logPrefix returns the folder of a trail's files of one kind
// ("CloudTrail", "CloudTrail-Digest") for a region:
// [prefix/]AWSLogs/ACCOUNT/KIND/REGION/.
func logPrefix(prefix, account, kind, region string) string {
	p := "AWSLogs/" + account + "/" + kind + "/"
	if region != "" {
		p += region + "/"
	}
	if prefix != "" {
		p = prefix + "/" + p
	}
	return p
}

// Deliver makes every logging trail deliver the events recorded since its
// last delivery, and the digests that are due; a periodic job. A trail
// whose bucket refuses keeps its events for the next run and reports the
// error in its status.
func (s *Service) Deliver(ctx context.Context, now time.Time) error {
	through, err := s.opt.Store.LastEventSeq(ctx)
	if err != nil {
		return err
	}
	return s.eachTrail(ctx, func(stored *store.Trail, t *Trail) error { return s.deliverTrail(ctx, stored, t, through, now) })
}

// eachTrail runs fn on every trail (withTrail); a trail deleted meanwhile
// is skipped, and one trail's error does not stop the others.
func (s *Service) eachTrail(ctx context.Context, fn func(stored *store.Trail, t *Trail) error) error {
	trails, err := s.opt.Store.AllTrails(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range trails {
		if err := s.withTrail(ctx, t.ARN, fn); err != nil && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// withTrail runs fn on a trail as stored and decoded, holding stateMu:
// what changes a trail's state reads it afresh under the lock.
func (s *Service) withTrail(ctx context.Context, arn string, fn func(stored *store.Trail, t *Trail) error) error {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	stored, err := s.opt.Store.Trail(ctx, arn)
	if err != nil {
		return err
	}
	t, err := decodeTrail(stored)
	if err != nil {
		return err
	}
	return fn(stored, t)
}

func (s *Service) deliverTrail(ctx context.Context, stored *store.Trail, t *Trail, through int64, now time.Time) error {
	if !t.State.Logging {
		// A stopped trail delivers what was recorded until it stopped.
		if t.State.StopSeq <= stored.Delivered {
			return nil
		}
		through = min(through, t.State.StopSeq)
	}
	d := &delivery{svc: s, trail: t, cursor: stored.Delivered, through: through, now: now}
	if t.LogGroupARN != "" && t.State.LogsCursor == nil {
		// A log group newly set gets the events from this run on.
		from := d.cursor
		t.State.LogsCursor = &from
	}
	if err := d.files(ctx); err != nil {
		return err
	}
	if t.LogGroupARN != "" {
		if err := d.logs(ctx); err != nil {
			return err
		}
	}
	if t.Validation {
		if err := s.digest(ctx, t, now); err != nil {
			return err
		}
	}
	if !t.State.Logging && d.cursor >= t.State.StopSeq {
		t.State.StopSeq = 0
		return d.save(ctx)
	}
	return nil
}

// delivery is a run of a trail's deliveries.
type delivery struct {
	svc   *Service
	trail *Trail
	// cursor is the Seq of the last event delivered to the bucket;
	// through the last to deliver in this run.
	cursor, through int64
	now             time.Time
}

// regions are the regions whose events the trail delivers (nil: all).
func (d *delivery) regions() []string {
	if d.trail.MultiRegion {
		return nil
	}
	return []string{d.trail.Region}
}

// save stores the trail's state and the bucket's cursor, and log files.
func (d *delivery) save(ctx context.Context, files ...store.TrailLogFile) error {
	return d.svc.opt.Store.SetTrailState(ctx, d.trail.ARN, mustJSON(d.trail.State), d.cursor, files...)
}

// files delivers the events after the cursor to the bucket, as a log file
// a region and batch, and notifies the trail's topic of each.
func (d *delivery) files(ctx context.Context) error {
	t, st := d.trail, &d.trail.State
	for d.cursor < d.through {
		events, err := d.svc.opt.Store.EventsAfter(ctx, t.Account, d.regions(), d.cursor, d.through, deliverBatch)
		if err != nil || len(events) == 0 {
			return err
		}
		last := events[len(events)-1].Seq
		files, err := d.svc.writeLogFiles(ctx, t, events, d.now)
		st.DeliveryAttempt = ms(d.now)
		if len(files) > 0 {
			st.Delivered = ms(d.now)
		}
		d.notify(ctx, files)
		for _, f := range files {
			if !slices.Contains(st.Regions, f.Region) {
				st.Regions = append(st.Regions, f.Region)
			}
		}
		if err != nil {
			// The files written stay written: a retry leaves their events
			// out of their files.
			if st.Written == nil {
				st.Written = map[string]int64{}
			}
			for _, f := range files {
				st.Written[writtenKey(f.Region, insightFile(f.Key))] = last
			}
			var refused *DeliveryError
			if errors.As(err, &refused) {
				st.DeliveryError = refused.Code
			}
			if serr := d.save(ctx, d.digested(files)...); serr != nil || refused != nil {
				return serr
			}
			return err
		}
		st.DeliveryError, st.Written = "", nil
		d.cursor = last
		if err := d.save(ctx, d.digested(files)...); err != nil {
			return err
		}
	}
	return nil
}

// digested returns the files a digest will list (none without
// validation; not those of Insights events), opening the chains of their
// regions.
func (d *delivery) digested(files []store.TrailLogFile) []store.TrailLogFile {
	t, st := d.trail, &d.trail.State
	files = slices.DeleteFunc(slices.Clone(files), func(f store.TrailLogFile) bool { return !t.Validation || insightFile(f.Key) })
	for _, f := range files {
		if st.Chains == nil {
			st.Chains = map[string]*Chain{}
		}
		if st.Chains[f.Region] == nil {
			st.Chains[f.Region] = &Chain{End: st.StartLogging}
		}
	}
	return files
}

// writtenKey names a region's files of events, or of Insights events,
// in State.Written.
func writtenKey(region string, insight bool) string {
	if insight {
		return region + "|CloudTrail-Insight"
	}
	return region + "|CloudTrail"
}

// notify publishes a notification of each file to the trail's topic, as
// CloudTrail does: {"s3Bucket": …, "s3ObjectKey": [key]}. A refusal is
// reported in the trail's status; the files stay delivered.
func (d *delivery) notify(ctx context.Context, files []store.TrailLogFile) {
	t, st := d.trail, &d.trail.State
	if t.SNSTopicARN == "" || len(files) == 0 {
		return
	}
	st.NotificationAttempt = ms(d.now)
	// The topic's policy is checked once a run, not once a file.
	if err := d.svc.opt.Destinations.CheckTopic(ctx, t.SNSTopicARN, t.ARN); err != nil {
		st.NotificationError = err.Error()
		return
	}
	for _, f := range files {
		body := mustJSON(map[string]any{"s3Bucket": f.Bucket, "s3ObjectKey": []string{f.Key}})
		err := d.svc.opt.Destinations.Dispatch(ctx, dispatch.Message{
			ID: f.Key, Kind: NotificationKind, Version: 1, Target: t.SNSTopicARN, Payload: body,
			Source: dispatch.Source{Service: "cloudtrail", Account: t.Account, Region: t.Region, ARN: t.ARN},
		})
		if err != nil {
			st.NotificationError = err.Error()
			return
		}
	}
	st.Notified, st.NotificationError = ms(d.now), ""
}

// NotificationKind is the kind of the messages a trail publishes to its
// topic.
const NotificationKind = "cloudtrail.notification"

// logEventsBatch bounds the events of one delivery to a log group, as
// PutLogEvents bounds a call.
const logEventsBatch = 10000

// logs delivers the events after the trail's log group cursor to the log
// group, in the stream ACCOUNT_CloudTrail_REGION of each region. A
// refusal is reported in the trail's status and retried at the next run.
func (d *delivery) logs(ctx context.Context) error {
	t, st := d.trail, &d.trail.State
	for *st.LogsCursor < d.through {
		events, err := d.svc.opt.Store.EventsAfter(ctx, t.Account, d.regions(), *st.LogsCursor, d.through, logEventsBatch)
		if err != nil || len(events) == 0 {
			return err
		}
		byRegion := map[string]*dispatch.LogEvents{}
		var regions []string
		for i := range events {
			e := &events[i]
			if !t.selects(e) {
				continue
			}
			le := byRegion[e.Region]
			if le == nil {
				le = &dispatch.LogEvents{Stream: t.Account + "_CloudTrail_" + e.Region}
				byRegion[e.Region] = le
				regions = append(regions, e.Region)
			}
			le.Events = append(le.Events, dispatch.LogEvent{Timestamp: e.Time, Message: string(e.Record)})
		}
		for _, r := range regions {
			err := d.svc.opt.Destinations.Dispatch(ctx, dispatch.Message{
				ID: t.ARN + "/" + r + "/" + strconv.FormatInt(events[0].Seq, 10), Kind: dispatch.LogEventsKind, Version: 1,
				Target: t.LogGroupARN, Payload: mustJSON(byRegion[r]),
				Source: dispatch.Source{Service: "cloudtrail", Account: t.Account, Region: t.Region, Principal: t.LogsRoleARN, ARN: t.ARN},
			})
			if err != nil {
				st.LogsError = err.Error()
				return d.save(ctx)
			}
		}
		*st.LogsCursor, st.LogsDelivered, st.LogsError = events[len(events)-1].Seq, ms(d.now), ""
		if err := d.save(ctx); err != nil {
			return err
		}
	}
	return nil
}

// delivers says whether the trail delivers e: the events its selectors
// choose, and the Insights events it found.
func (t *Trail) delivers(e *store.TrailEvent) bool {
	if e.Category == "Insight" {
		return e.Resource == t.ARN
	}
	return t.selects(e)
}

// fileKind is what a log file holds: a region's events ("CloudTrail") or
// its Insights events ("CloudTrail-Insight"), which digests leave out.
type fileKind struct{ region, kind string }

// writeLogFiles writes the events the trail delivers as one log file a
// region and kind, and returns the files; on an error, those written
// before it. Events a partly refused batch already wrote
// (State.Written) are left out.
func (s *Service) writeLogFiles(ctx context.Context, t *Trail, events []store.TrailEvent, now time.Time) ([]store.TrailLogFile, error) {
	byFile := map[fileKind][]*store.TrailEvent{}
	for i := range events {
		e := &events[i]
		insight := e.Category == "Insight"
		if !t.delivers(e) || e.Seq <= t.State.Written[writtenKey(e.Region, insight)] {
			continue
		}
		k := fileKind{e.Region, "CloudTrail"}
		if insight {
			k.kind = "CloudTrail-Insight"
		}
		byFile[k] = append(byFile[k], e)
	}
	kinds := make([]fileKind, 0, len(byFile))
	for k := range byFile {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b fileKind) int { return strings.Compare(a.region+" "+a.kind, b.region+" "+b.kind) })
	var files []store.TrailLogFile
	for _, k := range kinds {
		f, err := s.writeLogFile(ctx, t, k, byFile[k], now)
		if err != nil {
			return files, err
		}
		files = append(files, f)
	}
	return files, nil
}

// LogFileKey returns the key of a trail's log file of a region and kind
// ("CloudTrail", "CloudTrail-Insight") written at now: AWS's layout, with
// a random 16-character suffix.
func LogFileKey(prefix, account, region, kind string, now time.Time, suffix string) string {
	now = now.UTC()
	return logPrefix(prefix, account, kind, region) + now.Format("2006/01/02/") +
		account + "_" + kind + "_" + region + "_" + now.Format("20060102T1504Z") + "_" + suffix + ".json.gz"
}

// insightFile says whether a log file holds Insights events.
func insightFile(key string) bool { return strings.Contains(key, "/CloudTrail-Insight/") }

// uniqueSuffix is the random part of a log file's name.
func uniqueSuffix() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

func (s *Service) writeLogFile(ctx context.Context, t *Trail, k fileKind, events []*store.TrailEvent, now time.Time) (store.TrailLogFile, error) {
	slices.SortStableFunc(events, func(a, b *store.TrailEvent) int { return compareInt(a.Time, b.Time) })
	var raw bytes.Buffer
	raw.WriteString(`{"Records":[`)
	for i, e := range events {
		if i > 0 {
			raw.WriteByte(',')
		}
		raw.Write(e.Record)
	}
	raw.WriteString("]}")
	sum := sha256.Sum256(raw.Bytes())
	f := store.TrailLogFile{
		Region: k.region, Bucket: t.Bucket, Key: LogFileKey(t.Prefix, t.Account, k.region, k.kind, now, uniqueSuffix()),
		HashSHA256: hex.EncodeToString(sum[:]), Oldest: events[0].Time, Newest: events[len(events)-1].Time, Delivered: ms(now),
	}
	err := s.opt.Buckets.Deliver(ctx, Object{
		SourceAccount: t.Account, SourceARN: t.ARN, Bucket: f.Bucket, Key: f.Key, Body: gzipped(raw.Bytes()),
	})
	return f, err
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

// gzipped returns b compressed as a gzip file.
func gzipped(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	_, _ = w.Write(b) // a bytes.Buffer does not fail
	_ = w.Close()
	return out.Bytes()
}
