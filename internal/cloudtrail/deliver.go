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
	"time"

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
	trails, err := s.opt.Store.AllTrails(ctx)
	if err != nil {
		return err
	}
	through, err := s.opt.Store.LastEventSeq(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range trails {
		if err := s.deliverTrail(ctx, t.ARN, through, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (s *Service) deliverTrail(ctx context.Context, arn string, through int64, now time.Time) error {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	stored, err := s.opt.Store.Trail(ctx, arn)
	if err != nil {
		return err
	}
	t, err := decodeTrail(stored)
	if err != nil || !t.State.Logging {
		return err
	}
	var regions []string
	if !t.MultiRegion {
		regions = []string{t.Region}
	}
	cursor := stored.Delivered
	for cursor < through {
		events, err := s.opt.Store.EventsAfter(ctx, t.Account, regions, cursor, through, deliverBatch)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			break
		}
		last := events[len(events)-1].Seq
		files, err := s.writeLogFiles(ctx, t, events, now)
		t.State.DeliveryAttempt = ms(now)
		if err != nil {
			var d *DeliveryError
			if !errors.As(err, &d) {
				return err
			}
			t.State.DeliveryError = d.Code
			return s.opt.Store.SetTrailState(ctx, arn, mustJSON(t.State), cursor)
		}
		if len(files) > 0 {
			t.State.Delivered, t.State.DeliveryError = ms(now), ""
		}
		if !t.Validation {
			files = nil
		}
		for _, f := range files {
			if t.State.Chains == nil {
				t.State.Chains = map[string]*Chain{}
			}
			if t.State.Chains[f.Region] == nil {
				t.State.Chains[f.Region] = &Chain{End: t.State.StartLogging}
			}
		}
		if err := s.opt.Store.SetTrailState(ctx, arn, mustJSON(t.State), last, files...); err != nil {
			return err
		}
		cursor = last
	}
	if t.Validation {
		return s.digest(ctx, t, now)
	}
	return nil
}

// writeLogFiles writes the events the trail selects as one log file a
// region, and returns the files.
func (s *Service) writeLogFiles(ctx context.Context, t *Trail, events []store.TrailEvent, now time.Time) ([]store.TrailLogFile, error) {
	byRegion := map[string][]*store.TrailEvent{}
	for i := range events {
		if e := &events[i]; t.selects(e) {
			byRegion[e.Region] = append(byRegion[e.Region], e)
		}
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	var files []store.TrailLogFile
	for _, region := range regions {
		f, err := s.writeLogFile(ctx, t, region, byRegion[region], now)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// LogFileKey returns the key of a trail's log file of a region written at
// now: AWS's layout, with a random 16-character suffix.
func LogFileKey(prefix, account, region string, now time.Time, suffix string) string {
	now = now.UTC()
	return logPrefix(prefix, account, "CloudTrail", region) + now.Format("2006/01/02/") +
		account + "_CloudTrail_" + region + "_" + now.Format("20060102T1504Z") + "_" + suffix + ".json.gz"
}

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

func (s *Service) writeLogFile(ctx context.Context, t *Trail, region string, events []*store.TrailEvent, now time.Time) (store.TrailLogFile, error) {
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
		Region: region, Bucket: t.Bucket, Key: LogFileKey(t.Prefix, t.Account, region, now, uniqueSuffix()),
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
