package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

const acct = "123456789012"

// memBuckets is a bucket store in memory: one bucket, "logs", refusing
// the others.
type memBuckets struct {
	mu      sync.Mutex
	objects map[string]Object
	refuse  bool
	// refuseKeys refuses the keys containing it ("": none).
	refuseKeys string
}

func (m *memBuckets) CheckDelivery(_ context.Context, o Object) error {
	switch {
	case o.Bucket != "logs":
		return &DeliveryError{Code: "NoSuchBucket", Message: "The specified bucket does not exist"}
	case m.refuse || (m.refuseKeys != "" && strings.Contains(o.Key, m.refuseKeys)):
		return &DeliveryError{Code: "AccessDenied", Message: "Access Denied"}
	}
	return nil
}

func (m *memBuckets) Deliver(ctx context.Context, o Object) error {
	if err := m.CheckDelivery(ctx, o); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[o.Key] = o
	return nil
}

func (m *memBuckets) keys(prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// memDestinations records what trails send: topic "alerts" and log
// group "trail" exist; fail makes every dispatch fail.
type memDestinations struct {
	mu   sync.Mutex
	sent []dispatch.Message
	fail bool
}

func (m *memDestinations) CheckTopic(_ context.Context, topic, _ string) error {
	if !strings.HasSuffix(topic, ":alerts") {
		return errors.New("no such topic")
	}
	return nil
}

func (m *memDestinations) CheckLogGroup(_ context.Context, group string) error {
	if !strings.Contains(group, ":log-group:trail:") {
		return errors.New("no such log group")
	}
	return nil
}

func (m *memDestinations) Dispatch(_ context.Context, msg dispatch.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("throttled")
	}
	m.sent = append(m.sent, msg)
	return nil
}

// sealer seals nothing: the tests need no secrecy.
type sealer struct{}

func (sealer) Seal(b []byte) []byte          { return b }
func (sealer) Open(b []byte) ([]byte, error) { return b, nil }

type world struct {
	store   store.CloudTrail
	svc     *Service
	rec     *Recorder
	buckets *memBuckets
	dests   *memDestinations
	clk     *clock.Fake
}

func newWorld(t *testing.T) *world {
	st := embeddedtest.Open(t)
	w := &world{buckets: &memBuckets{objects: map[string]Object{}}, dests: &memDestinations{}, clk: clock.NewFake(time.Date(2026, 3, 1, 10, 2, 0, 0, time.UTC))}
	w.store = st.CloudTrail()
	w.svc = New(Options{Store: st.CloudTrail(), Tags: st.Tags(), Buckets: w.buckets, Destinations: w.dests, Sealer: sealer{}, Clock: w.clk})
	w.rec = w.svc.Recorder(func(e *audit.Event) bool { return e.EventSource == "s3.amazonaws.com" && e.Operation != "CreateBucket" })
	t.Cleanup(func() {
		if err := w.rec.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return w
}

// call records an API call made now, and waits until it is stored.
func (w *world) call(t *testing.T, region, op string, readOnly bool) {
	t.Helper()
	w.rec.Record(context.Background(), &audit.Event{
		Time: w.clk.Now(), Region: region, Service: "logs", EventSource: "logs.amazonaws.com", Operation: op, ReadOnly: readOnly,
		Principal: request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", AccessKey: "AKIAEXAMPLE", UserID: acct},
		RequestID: "r-" + op,
	})
	w.flush(t)
}

// flush waits until the recorder stored what it was given.
func (w *world) flush(t *testing.T) {
	t.Helper()
	if err := w.rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestLookupEvents(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for i, op := range []string{"CreateLogGroup", "DescribeLogGroups", "PutRetentionPolicy"} {
		w.call(t, "us-east-1", op, i == 1)
		w.clk.Advance(time.Second)
	}
	w.call(t, "eu-west-1", "CreateLogGroup", false)
	events, next, err := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", Limit: 2})
	if err != nil || len(events) != 2 || events[0].Name != "PutRetentionPolicy" || next == "" {
		t.Fatalf("LookupEvents = %v, %q, %v; want the 2 newest and a token", events, next, err)
	}
	rest, next, err := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", Limit: 2, Token: next})
	if err != nil || len(rest) != 1 || rest[0].Name != "CreateLogGroup" || next != "" {
		t.Fatalf("page 2 = %v, %q, %v", rest, next, err)
	}
	var rec map[string]any
	if err := json.Unmarshal(rest[0].Record, &rec); err != nil {
		t.Fatal(err)
	}
	if rec["eventName"] != "CreateLogGroup" || rec["eventSource"] != "logs.amazonaws.com" || rec["awsRegion"] != "us-east-1" {
		t.Errorf("record = %v", rec)
	}
	if rest[0].Username != "root" {
		t.Errorf("Username = %q; want root", rest[0].Username)
	}
	ro, _, _ := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", Attribute: "ReadOnly", Value: "true"})
	if len(ro) != 1 || ro[0].Name != "DescribeLogGroups" {
		t.Errorf("ReadOnly=true = %v", ro)
	}
	var e *Error
	if _, _, err := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", Attribute: "ResourceName", Value: "x"}); !errors.As(err, &e) || e.Code != InvalidLookupAttributes {
		t.Errorf("ResourceName lookup = %v; want InvalidLookupAttributes", err)
	}
	if _, _, err := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", Token: "garbage"}); !errors.As(err, &e) || e.Code != InvalidNextToken {
		t.Errorf("bad token = %v; want InvalidNextToken", err)
	}
	now := w.clk.Now()
	if _, _, err := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", From: now, To: now.Add(-time.Hour)}); !errors.As(err, &e) || e.Code != InvalidTimeRange {
		t.Errorf("reversed range = %v; want InvalidTimeRange", err)
	}
	// 90 days later the events are gone: the hourly job marks what is
	// stored, and deletes what a mark 90 days old covers.
	if err := w.svc.ExpireEvents(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(Retention + time.Minute)
	if err := w.svc.ExpireEvents(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if left, _, _ := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", From: now.Add(-time.Hour)}); len(left) != 0 {
		t.Errorf("after 90 days: %d events", len(left))
	}
}

func TestTrailSettings(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	change := func(name, bucket string) TrailChange {
		return TrailChange{Account: acct, Region: "us-east-1", Name: name, Bucket: &bucket}
	}
	var e *Error
	for _, c := range []struct {
		change TrailChange
		code   Code
	}{
		{change("ab", "logs"), InvalidTrailName},
		{change("a..b", "logs"), InvalidTrailName},
		{change("-ab", "logs"), InvalidTrailName},
		{change("10.0.0.1", "logs"), InvalidTrailName},
		{change("good", "Bad_Bucket"), InvalidBucketName},
		{change("good", "absent"), BucketDoesNotExist},
	} {
		if _, err := w.svc.CreateTrail(ctx, c.change); !errors.As(err, &e) || e.Code != c.code {
			t.Errorf("CreateTrail(%s, %s) = %v; want %s", c.change.Name, *c.change.Bucket, err, c.code)
		}
	}
	w.buckets.refuse = true
	if _, err := w.svc.CreateTrail(ctx, change("good", "logs")); !errors.As(err, &e) || e.Code != InsufficientBucket {
		t.Errorf("CreateTrail(bucket refusing) = %v; want InsufficientS3BucketPolicy", err)
	}
	w.buckets.refuse = false
	multi := true
	c := change("good", "logs")
	c.MultiRegion = &multi
	tr, err := w.svc.CreateTrail(ctx, c)
	if err != nil || tr.ARN != "arn:aws:cloudtrail:us-east-1:"+acct+":trail/good" || !tr.IncludeGlobal || !tr.MultiRegion {
		t.Fatalf("CreateTrail = %+v, %v", tr, err)
	}
	if _, err := w.svc.CreateTrail(ctx, c); !errors.As(err, &e) || e.Code != TrailAlreadyExists {
		t.Errorf("CreateTrail(again) = %v; want TrailAlreadyExists", err)
	}
	// A multi-region trail shows in the other regions, and changes only
	// in its home region.
	shadow, err := w.svc.Trail(ctx, acct, "eu-west-1", "good")
	if err != nil || shadow.Region != "us-east-1" {
		t.Fatalf("Trail(from eu-west-1) = %+v, %v", shadow, err)
	}
	if err := w.svc.SetLogging(ctx, acct, "eu-west-1", "good", true); !errors.As(err, &e) || e.Code != InvalidHomeRegion {
		t.Errorf("StartLogging(from eu-west-1) = %v; want InvalidHomeRegion", err)
	}
	if _, err := w.svc.Trail(ctx, "999999999999", "us-east-1", tr.ARN); !errors.As(err, &e) || e.Code != TrailNotFound {
		t.Errorf("Trail(another account's ARN) = %v; want TrailNotFound", err)
	}
	if _, err := w.svc.PutEventSelectors(ctx, acct, "us-east-1", "good", []EventSelector{{ReadWriteType: "Sometimes"}}, nil); !errors.As(err, &e) || e.Code != InvalidEventSelectors {
		t.Errorf("PutEventSelectors(bad type) = %v", err)
	}
	lambda := []EventSelector{{ReadWriteType: "All", DataResources: []DataResource{{Type: "AWS::Lambda::Function", Values: []string{"arn:aws:lambda"}}}}}
	if _, err := w.svc.PutEventSelectors(ctx, acct, "us-east-1", "good", lambda, nil); !errors.As(err, &e) || e.Code != InvalidEventSelectors {
		t.Errorf("PutEventSelectors(Lambda data events) = %v; want a refusal", err)
	}
	noType := []AdvancedSelector{{Fields: []FieldSelector{{Field: "eventCategory", Equals: []string{"Data"}}}}}
	if _, err := w.svc.PutEventSelectors(ctx, acct, "us-east-1", "good", nil, noType); !errors.As(err, &e) || e.Code != InvalidEventSelectors {
		t.Errorf("PutEventSelectors(data without resources.type) = %v; want a refusal", err)
	}
	for i := 2; i <= MaxTrailsPerRegion; i++ {
		if _, err := w.svc.CreateTrail(ctx, change("trail"+string(rune('0'+i)), "logs")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.CreateTrail(ctx, change("onetoomany", "logs")); !errors.As(err, &e) || e.Code != TooManyTrails {
		t.Errorf("CreateTrail(6th) = %v; want MaximumNumberOfTrailsExceeded", err)
	}
}

// startTrail creates a logging trail with validation over the bucket.
func startTrail(t *testing.T, w *world, name string, selectors []EventSelector) *Trail {
	t.Helper()
	ctx := context.Background()
	bucket, on := "logs", true
	tr, err := w.svc.CreateTrail(ctx, TrailChange{Account: acct, Region: "us-east-1", Name: name, Bucket: &bucket, Validation: &on})
	if err != nil {
		t.Fatal(err)
	}
	if selectors != nil {
		if _, err := w.svc.PutEventSelectors(ctx, acct, "us-east-1", name, selectors, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.svc.SetLogging(ctx, acct, "us-east-1", name, true); err != nil {
		t.Fatal(err)
	}
	return tr
}

// tick moves the clock to the next delivery time and runs the delivery.
func (w *world) tick(t *testing.T) {
	t.Helper()
	w.clk.Set(NextDelivery(w.clk.Now()))
	if err := w.svc.Deliver(context.Background(), w.clk.Now()); err != nil {
		t.Fatal(err)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeliveryAndDigests(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.call(t, "us-east-1", "BeforeTheTrail", false)
	startTrail(t, w, "audit", []EventSelector{{ReadWriteType: "WriteOnly", IncludeManagementEvents: true}})
	for h := 0; h < 3; h++ {
		for i := 0; i < 12; i++ {
			w.call(t, "us-east-1", "CreateLogGroup", false)
			w.call(t, "us-east-1", "DescribeLogGroups", true)
			w.tick(t)
		}
	}
	logs := w.buckets.keys("AWSLogs/" + acct + "/CloudTrail/us-east-1/")
	if len(logs) != 36 {
		t.Fatalf("log files = %d; want 36 (one a delivery)", len(logs))
	}
	names := 0
	for _, k := range logs {
		if !strings.HasPrefix(k, "AWSLogs/"+acct+"/CloudTrail/us-east-1/2026/03/01/"+acct+"_CloudTrail_us-east-1_20260301T") || !strings.HasSuffix(k, ".json.gz") || len(k) != len(logs[0]) {
			t.Errorf("log file key %s", k)
		}
		var file struct{ Records []map[string]any }
		if err := json.Unmarshal(gunzip(t, w.buckets.objects[k].Body), &file); err != nil {
			t.Fatal(err)
		}
		for _, r := range file.Records {
			if r["eventName"] != "CreateLogGroup" {
				t.Errorf("a WriteOnly trail delivered %v", r["eventName"])
			}
			names++
		}
	}
	if names != 36 {
		t.Errorf("records delivered = %d; want 36 (not the call before the trail, nor the reads)", names)
	}
	digests := w.buckets.keys("AWSLogs/" + acct + "/CloudTrail-Digest/us-east-1/")
	if len(digests) != 3 {
		t.Fatalf("digests = %v; want 3 (hourly)", digests)
	}
	keys, err := w.svc.PublicKeys(ctx, "us-east-1", w.clk.Now().Add(-4*time.Hour), w.clk.Now())
	if err != nil || len(keys) != 1 {
		t.Fatalf("PublicKeys = %v, %v", keys, err)
	}
	validate(t, w.buckets, keys, digests)
	st, _ := w.svc.Status(ctx, acct, "us-east-1", "audit")
	if !st.Logging || st.Delivered != ms(w.clk.Now()) || st.DigestDelivered == 0 || st.DeliveryError != "" {
		t.Errorf("status = %+v", st)
	}
	// A bucket that refuses keeps the events for later, and says why.
	w.buckets.refuse = true
	w.call(t, "us-east-1", "DeleteLogGroup", false)
	w.tick(t)
	st, _ = w.svc.Status(ctx, acct, "us-east-1", "audit")
	if st.DeliveryError != "AccessDenied" {
		t.Errorf("status after a refusal = %+v", st)
	}
	w.buckets.refuse = false
	w.tick(t)
	if n := len(w.buckets.keys("AWSLogs/" + acct + "/CloudTrail/us-east-1/")); n != 37 {
		t.Errorf("log files after the bucket came back = %d; want 37", n)
	}
}

// validate checks digests as `aws cloudtrail validate-logs` does: each
// signed by a listed key over the string to sign, each naming the one
// before it, each log file's hash that of its uncompressed content.
func validate(t *testing.T, b *memBuckets, keys []PublicKey, digests []string) {
	t.Helper()
	byPrint := map[string]*rsa.PublicKey{}
	for _, k := range keys {
		pub, err := x509.ParsePKCS1PublicKey(k.Value)
		if err != nil {
			t.Fatal(err)
		}
		byPrint[k.Fingerprint] = pub
	}
	var previous map[string]any
	var previousKey, previousSignature string
	for _, key := range digests {
		o := b.objects[key]
		raw := gunzip(t, o.Body)
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		if d["digestS3Object"] != key || d["digestS3Bucket"] != "logs" || o.Metadata["signature-algorithm"] != "SHA256withRSA" {
			t.Errorf("digest %s: %v, metadata %v", key, d, o.Metadata)
		}
		sum := sha256.Sum256(raw)
		prev := "null"
		if previous != nil {
			prev = previousSignature
			if d["previousDigestS3Object"] != previousKey || d["previousDigestSignature"] != previousSignature || d["digestStartTime"] != previous["digestEndTime"] {
				t.Errorf("digest %s does not chain to %s", key, previousKey)
			}
		} else if d["previousDigestSignature"] != nil {
			t.Errorf("first digest names a previous one: %v", d["previousDigestSignature"])
		}
		toSign := d["digestEndTime"].(string) + "\n" + "logs/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev
		signed := sha256.Sum256([]byte(toSign))
		sig, _ := hex.DecodeString(o.Metadata["signature"])
		pub := byPrint[d["digestPublicKeyFingerprint"].(string)]
		if pub == nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, signed[:], sig) != nil {
			t.Errorf("digest %s: bad signature", key)
		}
		// Files delivered at an hour's end go in the next hour's digest:
		// the first hour (from 10:02) has 11 deliveries, the others 12.
		files, want := d["logFiles"].([]any), 12
		if previous == nil {
			want = 11
		}
		if len(files) != want {
			t.Errorf("digest %s lists %d log files; want %d", key, len(files), want)
		}
		for _, f := range files {
			f := f.(map[string]any)
			sum := sha256.Sum256(gunzip(t, b.objects[f["s3Object"].(string)].Body))
			if f["hashValue"] != hex.EncodeToString(sum[:]) {
				t.Errorf("log file %s: hash differs", f["s3Object"])
			}
		}
		previous, previousKey, previousSignature = d, key, o.Metadata["signature"]
	}
}

func TestNotificationsAndLogGroup(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bucket, topic, group, role := "logs", "nope", "arn:aws:logs:us-east-1:"+acct+":log-group:trail:*", "arn:aws:iam::"+acct+":role/ct"
	c := TrailChange{Account: acct, Region: "us-east-1", Name: "notified", Bucket: &bucket, SNSTopic: &topic}
	var e *Error
	if _, err := w.svc.CreateTrail(ctx, c); !errors.As(err, &e) || e.Code != InsufficientTopic {
		t.Errorf("CreateTrail(absent topic) = %v; want InsufficientSnsTopicPolicy", err)
	}
	topic = "alerts"
	c.LogGroupARN = &group
	if _, err := w.svc.CreateTrail(ctx, c); !errors.As(err, &e) || e.Code != InvalidLogsRole {
		t.Errorf("CreateTrail(log group without role) = %v; want InvalidCloudWatchLogsRoleArn", err)
	}
	c.LogsRoleARN = &role
	other := "arn:aws:logs:us-east-1:" + acct + ":log-group:other:*"
	c.LogGroupARN = &other
	if _, err := w.svc.CreateTrail(ctx, c); !errors.As(err, &e) || e.Code != InvalidLogGroup {
		t.Errorf("CreateTrail(absent log group) = %v; want InvalidCloudWatchLogsLogGroupArn", err)
	}
	c.LogGroupARN = &group
	tr, err := w.svc.CreateTrail(ctx, c)
	if err != nil || tr.SNSTopicARN != "arn:aws:sns:us-east-1:"+acct+":alerts" {
		t.Fatalf("CreateTrail = %+v, %v", tr, err)
	}
	if err := w.svc.SetLogging(ctx, acct, "us-east-1", "notified", true); err != nil {
		t.Fatal(err)
	}
	w.call(t, "us-east-1", "CreateLogGroup", false)
	w.call(t, "us-east-1", "DescribeLogGroups", true)
	w.dests.fail = true
	w.tick(t)
	st, _ := w.svc.Status(ctx, acct, "us-east-1", "notified")
	if st.NotificationError == "" || st.LogsError == "" || st.Delivered == 0 {
		t.Errorf("status after failing destinations = %+v; want both errors, the file delivered", st)
	}
	w.dests.fail = false
	w.call(t, "us-east-1", "DeleteLogGroup", false)
	w.tick(t)
	var notes, events []string
	for _, m := range w.dests.sent {
		switch m.Kind {
		case NotificationKind:
			var n struct {
				S3Bucket    string
				S3ObjectKey []string
			}
			if err := json.Unmarshal(m.Payload, &n); err != nil || n.S3Bucket != "logs" || len(n.S3ObjectKey) != 1 || m.Target != tr.SNSTopicARN {
				t.Errorf("notification %s to %s", m.Payload, m.Target)
			}
			notes = append(notes, n.S3ObjectKey[0])
		case dispatch.LogEventsKind:
			var le dispatch.LogEvents
			if err := json.Unmarshal(m.Payload, &le); err != nil || le.Stream != acct+"_CloudTrail_us-east-1" || m.Target != group {
				t.Errorf("log events %s to %s", m.Payload, m.Target)
			}
			for _, ev := range le.Events {
				var rec struct{ EventName string }
				json.Unmarshal([]byte(ev.Message), &rec)
				events = append(events, rec.EventName)
			}
		}
	}
	// The second run notifies of its own file only (the first file's
	// notification failed), and delivers to the log group what the first
	// run could not: all three calls, reads too (the default selector).
	if len(notes) != 1 {
		t.Errorf("notifications = %v; want the second file's", notes)
	}
	if strings.Join(events, " ") != "CreateLogGroup DescribeLogGroups DeleteLogGroup" {
		t.Errorf("events in the log group = %v", events)
	}
	st, _ = w.svc.Status(ctx, acct, "us-east-1", "notified")
	if st.NotificationError != "" || st.LogsError != "" || st.Notified == 0 || st.LogsDelivered == 0 {
		t.Errorf("status after the destinations came back = %+v", st)
	}
}

// s3Input stands for the generated input of an S3 object operation.
type s3Input struct {
	Bucket, Key *string
}

// s3Call records an S3 call on bucket/key.
func (w *world) s3Call(t *testing.T, op, bucket, key string, readOnly bool) {
	t.Helper()
	w.rec.Record(context.Background(), &audit.Event{
		Time: w.clk.Now(), Region: "us-east-1", Service: "s3", EventSource: "s3.amazonaws.com", Operation: op, ReadOnly: readOnly,
		Principal: request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", AccessKey: "AKIAEXAMPLE", UserID: acct},
		Request:   &s3Input{Bucket: &bucket, Key: &key}, RequestID: "r-" + op,
	})
	w.flush(t)
}

// TestS3DataEvents: S3's object operations are recorded only for a trail
// that selects them, never in the event history, and delivered with
// their resources; advanced selectors choose them by ARN prefix and
// readOnly.
func TestS3DataEvents(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.s3Call(t, "PutObject", "photos", "a.jpg", false) // no trail wants it yet
	startTrail(t, w, "objects", []EventSelector{{ReadWriteType: "WriteOnly", IncludeManagementEvents: false,
		DataResources: []DataResource{{Type: S3ObjectType, Values: []string{"arn:aws:s3:::photos/2026/"}}}}})
	w.s3Call(t, "PutObject", "photos", "2026/b.jpg", false)
	w.s3Call(t, "GetObject", "photos", "2026/b.jpg", true)  // a read
	w.s3Call(t, "PutObject", "photos", "2025/c.jpg", false) // another prefix
	w.s3Call(t, "PutObject", "other", "2026/d.jpg", false)  // another bucket
	w.rec.Record(ctx, &audit.Event{Time: w.clk.Now(), Region: "eu-west-1", Service: "s3", EventSource: "s3.amazonaws.com",
		Operation: "PutObject", Principal: request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":root"},
		Request: &s3Input{Bucket: strp("photos"), Key: strp("2026/e.jpg")}}) // another region than the trail's
	w.flush(t)
	if last, _ := w.store.LastEventSeq(ctx); last > 0 {
		all, _ := w.store.EventsAfter(ctx, acct, []string{"eu-west-1"}, 0, last, 0)
		if len(all) != 0 {
			t.Errorf("a data event of a region no trail delivers was recorded: %+v", all)
		}
	}
	w.call(t, "us-east-1", "CreateLogGroup", false) // management, not included
	w.tick(t)
	var names []string
	for _, k := range w.buckets.keys("AWSLogs/" + acct + "/CloudTrail/") {
		var file struct {
			Records []struct {
				EventName, EventCategory string
				ManagementEvent          bool
				Resources                []struct{ Type, ARN string }
			}
		}
		if err := json.Unmarshal(gunzip(t, w.buckets.objects[k].Body), &file); err != nil {
			t.Fatal(err)
		}
		for _, r := range file.Records {
			names = append(names, r.EventName+" "+r.Resources[0].ARN)
			if r.EventCategory != "Data" || r.ManagementEvent || len(r.Resources) != 2 || r.Resources[1].Type != "AWS::S3::Bucket" {
				t.Errorf("data event record = %+v", r)
			}
		}
	}
	if strings.Join(names, ",") != "PutObject arn:aws:s3:::photos/2026/b.jpg" {
		t.Errorf("delivered = %v; want the write under the prefix only", names)
	}
	history, _, _ := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1"})
	for _, e := range history {
		if e.Category != "Management" {
			t.Errorf("a data event in the event history: %s", e.Name)
		}
	}
	// Advanced selectors: reads of any bucket's objects ending in .jpg.
	reads := []AdvancedSelector{{Fields: []FieldSelector{{Field: "eventCategory", Equals: []string{"Data"}},
		{Field: "resources.type", Equals: []string{S3ObjectType}}, {Field: "readOnly", Equals: []string{"true"}},
		{Field: "resources.ARN", EndsWith: []string{".jpg"}}}}}
	if _, err := w.svc.PutEventSelectors(ctx, acct, "us-east-1", "objects", nil, reads); err != nil {
		t.Fatal(err)
	}
	w.s3Call(t, "GetObject", "other", "x.jpg", true)
	w.s3Call(t, "GetObject", "other", "x.png", true)
	w.s3Call(t, "PutObject", "other", "y.jpg", false)
	before := w.buckets.keys("AWSLogs/" + acct + "/CloudTrail/")
	w.tick(t)
	var added []string
	for _, k := range w.buckets.keys("AWSLogs/" + acct + "/CloudTrail/") {
		if !slices.Contains(before, k) {
			added = append(added, string(gunzip(t, w.buckets.objects[k].Body)))
		}
	}
	if len(added) != 1 || strings.Count(added[0], `"eventName"`) != 1 || !strings.Contains(added[0], `"ARN":"arn:aws:s3:::other/x.jpg"`) {
		t.Errorf("log files of the advanced selectors = %v; want one with the read of x.jpg", added)
	}
}

// records returns the eventNames of the records of the log files under
// prefix, sorted.
func (w *world) records(t *testing.T, prefix string) []string {
	t.Helper()
	var names []string
	for _, k := range w.buckets.keys(prefix) {
		var file struct{ Records []struct{ EventName string } }
		if err := json.Unmarshal(gunzip(t, w.buckets.objects[k].Body), &file); err != nil {
			t.Fatal(err)
		}
		for _, r := range file.Records {
			names = append(names, r.EventName)
		}
	}
	slices.Sort(names)
	return names
}

// TestStopAndRestart: a stopped trail still delivers what was recorded
// before it stopped, nothing recorded while stopped (in its bucket or its
// log group), and what is recorded after it starts again.
func TestStopAndRestart(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bucket, group, role := "logs", "arn:aws:logs:us-east-1:"+acct+":log-group:trail:*", "arn:aws:iam::"+acct+":role/ct"
	if _, err := w.svc.CreateTrail(ctx, TrailChange{Account: acct, Region: "us-east-1", Name: "trail", Bucket: &bucket, LogGroupARN: &group, LogsRoleARN: &role}); err != nil {
		t.Fatal(err)
	}
	on := func(b bool) {
		if err := w.svc.SetLogging(ctx, acct, "us-east-1", "trail", b); err != nil {
			t.Fatal(err)
		}
	}
	on(true)
	w.call(t, "us-east-1", "BeforeStop", false)
	on(false)
	w.tick(t)
	w.call(t, "us-east-1", "WhileStopped", false)
	w.tick(t)
	on(true)
	w.call(t, "us-east-1", "AfterRestart", false)
	w.tick(t)
	if got := strings.Join(w.records(t, "AWSLogs/"), " "); got != "AfterRestart BeforeStop" {
		t.Errorf("delivered to the bucket: %s; want BeforeStop and AfterRestart", got)
	}
	var sent []string
	for _, m := range w.dests.sent {
		var le dispatch.LogEvents
		json.Unmarshal(m.Payload, &le)
		for _, e := range le.Events {
			var r struct{ EventName string }
			json.Unmarshal([]byte(e.Message), &r)
			sent = append(sent, r.EventName)
		}
	}
	slices.Sort(sent)
	if got := strings.Join(sent, " "); got != "AfterRestart BeforeStop" {
		t.Errorf("delivered to the log group: %s; want BeforeStop and AfterRestart", got)
	}
}

// TestPartialRefusal: a bucket that refuses one region's file of a run
// and takes another's gets each event once, however many runs it takes;
// each region's digest is signed with that region's key.
func TestPartialRefusal(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	bucket, multi, on := "logs", true, true
	if _, err := w.svc.CreateTrail(ctx, TrailChange{Account: acct, Region: "us-east-1", Name: "trail", Bucket: &bucket, MultiRegion: &multi, Validation: &on}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SetLogging(ctx, acct, "us-east-1", "trail", true); err != nil {
		t.Fatal(err)
	}
	w.buckets.refuseKeys = "/CloudTrail/us-east-1/"
	w.call(t, "us-east-1", "InVirginia", false)
	w.call(t, "eu-west-1", "InIreland", false)
	for range 3 {
		w.tick(t)
	}
	if got := w.records(t, "AWSLogs/"+acct+"/CloudTrail/eu-west-1/"); strings.Join(got, " ") != "InIreland" {
		t.Errorf("eu-west-1 records after 3 runs with us-east-1 refused: %v; want InIreland once", got)
	}
	w.buckets.refuseKeys = ""
	w.clk.Set(w.clk.Now().Truncate(time.Hour).Add(time.Hour - DeliverEvery))
	w.tick(t)
	if got := strings.Join(w.records(t, "AWSLogs/"+acct+"/CloudTrail/"), " "); got != "InIreland InVirginia" {
		t.Errorf("records once the bucket takes both: %s; want each once", got)
	}
	defer func() {
		// Single-region again: no more digests of eu-west-1.
		single := false
		if _, err := w.svc.UpdateTrail(ctx, TrailChange{Account: acct, Region: "us-east-1", Name: "trail", MultiRegion: &single}); err != nil {
			t.Fatal(err)
		}
		w.clk.Set(w.clk.Now().Add(time.Hour - DeliverEvery))
		w.tick(t)
		if n := len(w.buckets.keys("AWSLogs/" + acct + "/CloudTrail-Digest/eu-west-1/")); n != 1 {
			t.Errorf("eu-west-1 digests after the trail became single-region: %d; want still 1", n)
		}
		if n := len(w.buckets.keys("AWSLogs/" + acct + "/CloudTrail-Digest/us-east-1/")); n != 2 {
			t.Errorf("us-east-1 digests: %d; want 2", n)
		}
	}()
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		digests := w.buckets.keys("AWSLogs/" + acct + "/CloudTrail-Digest/" + region + "/")
		keys, _ := w.svc.PublicKeys(ctx, region, w.clk.Now().Add(-2*time.Hour), w.clk.Now())
		if len(digests) != 1 || len(keys) != 1 {
			t.Fatalf("%s: digests %v, keys %v", region, digests, keys)
		}
		var d struct{ DigestPublicKeyFingerprint string }
		json.Unmarshal(gunzip(t, w.buckets.objects[digests[0]].Body), &d)
		if d.DigestPublicKeyFingerprint != keys[0].Fingerprint {
			t.Errorf("%s digest signed by %s; want the region's key %s", region, d.DigestPublicKeyFingerprint, keys[0].Fingerprint)
		}
	}
}

func strp(s string) *string { return &s }
