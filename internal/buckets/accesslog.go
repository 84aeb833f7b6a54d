package buckets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/store"
)

// Server access logging
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html):
// the API hands every request to a bucket to LogAccess, which keeps a
// record line for the buckets whose logging is enabled in memory;
// FlushAccessLogs (a job, every second) moves them into the store, and
// DeliverAccessLogs (a job) writes them as log objects into the target
// buckets whose policy lets logging.s3.amazonaws.com in. A crash loses
// the records of at most the last second's requests (and of those still
// in the audit queue): delivery is best-effort, as S3's is.

// AccessRecord is one request of a bucket's server access log, in the
// fields of S3's record format
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html).
type AccessRecord struct {
	Owner, Bucket                                                   string // Owner is filled by LogAccess
	Time                                                            time.Time
	RemoteIP                                                        string
	Requester                                                       string // the requester's ARN, "" when anonymous
	RequestID                                                       string
	Operation                                                       string // REST.GET.OBJECT …
	Key                                                             string
	RequestURI                                                      string // "GET /bucket/key HTTP/1.1"
	Status                                                          int
	ErrorCode                                                       string
	BytesSent                                                       int64
	ObjectSize                                                      int64
	TotalTime                                                       time.Duration
	TurnAround                                                      time.Duration
	Referer                                                         string
	UserAgent                                                       string
	VersionID                                                       string
	HostID                                                          string
	SignatureVersion, CipherSuite, AuthType, HostHeader, TLSVersion string
}

// accessTimeLayout is the record's time, as [06/Feb/2019:00:00:38 +0000].
const accessTimeLayout = "[02/Jan/2006:15:04:05 -0700]"

// AppendLine appends the record's line, without a newline, to b. Every
// field is one space-free token, or a quoted string free of quotes and
// control characters, so that a line is always 26 fields.
func (r *AccessRecord) AppendLine(b []byte) []byte {
	field := func(s string) {
		if s == "" {
			b = append(b, '-')
		} else {
			b = appendToken(b, s)
		}
		b = append(b, ' ')
	}
	quoted := func(s string) {
		if s == "" {
			s = "-"
		}
		b = append(b, '"')
		b = appendQuoted(b, s)
		b = append(b, '"', ' ')
	}
	num := func(n int64) {
		if n <= 0 {
			b = append(b, '-', ' ')
		} else {
			b = append(strconv.AppendInt(b, n, 10), ' ')
		}
	}
	field(r.Owner)
	field(r.Bucket)
	b = append(r.Time.UTC().AppendFormat(b, accessTimeLayout), ' ')
	field(r.RemoteIP)
	field(r.Requester)
	field(r.RequestID)
	field(r.Operation)
	if r.Key == "" {
		b = append(b, '-', ' ')
	} else {
		// URL-encoded, as S3 logs keys; nothing left to escape.
		b = append(append(b, strings.ReplaceAll(url.PathEscape(r.Key), "%2F", "/")...), ' ')
	}
	quoted(r.RequestURI)
	b = append(strconv.AppendInt(b, int64(r.Status), 10), ' ')
	field(r.ErrorCode)
	num(r.BytesSent)
	num(r.ObjectSize)
	b = append(strconv.AppendInt(b, r.TotalTime.Milliseconds(), 10), ' ')
	if r.TurnAround > 0 {
		b = append(strconv.AppendInt(b, r.TurnAround.Milliseconds(), 10), ' ')
	} else {
		b = append(b, '-', ' ')
	}
	quoted(r.Referer)
	quoted(r.UserAgent)
	field(r.VersionID)
	field(r.HostID)
	field(r.SignatureVersion)
	field(r.CipherSuite)
	field(r.AuthType)
	field(r.HostHeader)
	field(r.TLSVersion)
	field("") // access point ARN
	b = append(b, '-')
	return b
}

// appendToken appends s with spaces, quotes and control characters
// percent-encoded.
func appendToken(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '"' || c == 0x7f || c == '%' {
			b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

// appendQuoted appends s with quotes, backslashes and control characters
// percent-encoded (spaces kept).
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c == '"' || c == '\\' || c == 0x7f {
			b = append(b, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

// logTarget is where a bucket's access logs go; nil when logging is off.
type logTarget struct {
	owner, bucket, prefix string
}

// loggingDoc is the stored logging configuration (the API's
// BucketLoggingStatus as JSON).
type loggingDoc struct {
	LoggingEnabled *struct {
		TargetBucket, TargetPrefix *string
	}
}

const (
	// maxPendingRecords bounds the records kept in memory between
	// flushes; past it records are dropped (and counted).
	maxPendingRecords = 100_000
	// targetCacheTTL is how long a bucket's logging target is cached: a
	// change made on another node shows within it.
	targetCacheTTL = 10 * time.Second
	// logDeliveryBatch is how many records DeliverAccessLogs reads at once.
	logDeliveryBatch = 10_000
	// LogDeliveryService is the principal that delivers access logs.
	LogDeliveryService = "logging.s3.amazonaws.com"
)

// accessLogs is the engine's state of server access logging.
type accessLogs struct {
	targets *cache.TTL[string, *logTarget]
	mu      sync.Mutex
	pending []store.AccessLogRecord
	dropped int64
}

func newAccessLogs() *accessLogs {
	return &accessLogs{targets: cache.NewTTL[string, *logTarget](4096, targetCacheTTL)}
}

// CheckLoggingTarget refuses a logging target that does not exist or
// that owner (the logged bucket's owner) does not own, as S3 does.
func (s *Service) CheckLoggingTarget(ctx context.Context, owner, target string) error {
	b, err := s.st.Bucket(ctx, target)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil || b.Account != owner {
		return newError("InvalidTargetBucketForLogging", target, "The owner for the bucket to be logged and the target bucket must be the same.")
	}
	return nil
}

// target returns where a bucket's access logs go, nil when it has no
// logging.
func (s *Service) target(ctx context.Context, bucket string) (*logTarget, error) {
	now := s.clock.Now()
	if t, ok := s.logs.targets.Get(bucket, now); ok {
		return t, nil
	}
	var t *logTarget
	doc, err := s.st.BucketConfig(ctx, bucket, ConfigLogging)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		var d loggingDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return nil, fmt.Errorf("cannot read the logging configuration of %s: %w", bucket, err)
		}
		if e := d.LoggingEnabled; e != nil && e.TargetBucket != nil && *e.TargetBucket != "" {
			b, err := s.bucket(ctx, bucket)
			if err != nil {
				return nil, err
			}
			t = &logTarget{owner: b.Account, bucket: *e.TargetBucket}
			if e.TargetPrefix != nil {
				t.prefix = *e.TargetPrefix
			}
		}
	}
	s.logs.targets.Put(bucket, t, now)
	return t, nil
}

// LogAccess records a request to a bucket in its server access log, when
// the bucket has logging enabled. It reads the store at most once per
// bucket every ten seconds.
func (s *Service) LogAccess(ctx context.Context, r AccessRecord) error {
	t, err := s.target(ctx, r.Bucket)
	if err != nil || t == nil {
		return err
	}
	r.Owner = t.owner
	rec := store.AccessLogRecord{Target: t.bucket, Prefix: t.prefix, Bucket: r.Bucket, Owner: t.owner, Line: string(r.AppendLine(nil))}
	l := s.logs
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) >= maxPendingRecords {
		l.dropped++
		return nil
	}
	l.pending = append(l.pending, rec)
	return nil
}

// FlushAccessLogs moves the records LogAccess kept into the store. It is
// the step of a job every node runs for itself, every second.
func (s *Service) FlushAccessLogs(ctx context.Context, _ time.Time) error {
	l := s.logs
	l.mu.Lock()
	recs, dropped := l.pending, l.dropped
	l.pending, l.dropped = nil, 0
	l.mu.Unlock()
	if err := s.st.AppendAccessLogs(ctx, recs); err != nil {
		l.mu.Lock()
		l.pending = append(recs, l.pending...)[:min(len(recs)+len(l.pending), maxPendingRecords)]
		l.dropped += dropped
		l.mu.Unlock()
		return err
	}
	if dropped > 0 {
		return fmt.Errorf("dropped %d server access log records: more than %d waited between flushes", dropped, maxPendingRecords)
	}
	return nil
}

// DeliverAccessLogs writes the stored records as log objects, one per
// target, prefix and logged bucket, named TargetPrefix +
// YYYY-mm-DD-HH-MM-SS-UniqueString after now, as logging.s3.amazonaws.com
// (the target bucket's policy must allow it s3:PutObject, with
// aws:SourceArn the logged bucket and aws:SourceAccount its owner).
// Records a target refuses (no such bucket, access denied) are dropped,
// as S3 drops them; other failures leave them for the next run. It is the
// step of a periodic job.
func (s *Service) DeliverAccessLogs(ctx context.Context, now time.Time) error {
	var after int64
	for {
		recs, err := s.st.AccessLogs(ctx, after, logDeliveryBatch)
		if err != nil || len(recs) == 0 {
			return err
		}
		after = recs[len(recs)-1].ID
		type group struct {
			first *store.AccessLogRecord
			ids   []int64
			body  []byte
		}
		var order []string
		groups := map[string]*group{}
		for i := range recs {
			r := &recs[i]
			k := r.Target + "\x00" + r.Prefix + "\x00" + r.Bucket + "\x00" + r.Owner
			g := groups[k]
			if g == nil {
				g = &group{first: r}
				groups[k] = g
				order = append(order, k)
			}
			g.ids = append(g.ids, r.ID)
			g.body = append(append(g.body, r.Line...), '\n')
		}
		var done []int64
		for _, k := range order {
			g := groups[k]
			key := g.first.Prefix + now.UTC().Format("2006-01-02-15-04-05-") + strings.ToUpper(newName()[:16])
			err := s.Deliver(ctx, Delivery{Service: LogDeliveryService, SourceAccount: g.first.Owner,
				SourceARN: "arn:aws:s3:::" + g.first.Bucket, Bucket: g.first.Target, Key: key, Body: g.body, ContentType: "text/plain"})
			if err != nil && !errors.Is(err, ErrNoSuchBucket) && !errors.Is(err, ErrAccessDenied) {
				s.st.DeleteAccessLogs(ctx, done)
				return fmt.Errorf("cannot deliver the access logs of %s: %w", g.first.Bucket, err)
			}
			done = append(done, g.ids...)
		}
		if err := s.st.DeleteAccessLogs(ctx, done); err != nil {
			return err
		}
		if len(recs) < logDeliveryBatch {
			return nil
		}
	}
}
