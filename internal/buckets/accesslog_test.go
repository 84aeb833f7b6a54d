package buckets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/golden"
)

// sampleRecord is a GET of an object as the API hands it over.
func sampleRecord() AccessRecord {
	return AccessRecord{
		Owner: "111111111111", Bucket: "logged-bucket", Time: time.Date(2019, 2, 6, 0, 0, 38, 0, time.UTC),
		RemoteIP: "192.0.2.3", Requester: "arn:aws:iam::111111111111:root", RequestID: "3E57427F3EXAMPLE",
		Operation: "REST.GET.OBJECT", Key: "photos/2019/a b.jpg", RequestURI: "GET /logged-bucket/photos/2019/a%20b.jpg?versionId=v1 HTTP/1.1",
		Status: 206, BytesSent: 113, ObjectSize: 4096, TotalTime: 7 * time.Millisecond, TurnAround: 3 * time.Millisecond,
		UserAgent: `aws-cli/1.45 "quoted" \ua`, VersionID: "v1", HostID: "3E57427F3EXAMPLE",
		SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", AuthType: "AuthHeader",
		HostHeader: "logged-bucket.localhost:4580", TLSVersion: "TLSv1.3",
	}
}

// TestAccessLogLine pins the record format (an on-disk format: log
// objects hold these lines).
func TestAccessLogLine(t *testing.T) {
	full := sampleRecord()
	bare := AccessRecord{Owner: "111111111111", Bucket: "logged-bucket", Time: full.Time, RemoteIP: "127.0.0.1",
		RequestID: "R2", Operation: "REST.PUT.OBJECT", Key: "k", RequestURI: "PUT /logged-bucket/k HTTP/1.1", Status: 403,
		ErrorCode: "AccessDenied", HostID: "R2"}
	var got []byte
	for _, r := range []AccessRecord{full, bare} {
		got = append(r.AppendLine(got), '\n')
	}
	golden.Check(t, "accesslog.golden", got)
}

func FuzzAccessLogLine(f *testing.F) {
	f.Add("photos/a b.jpg", `aws-cli "x"`, "GET /b/k HTTP/1.1", "-")
	f.Add("\n\r\x00", "\t", "", "\"")
	f.Fuzz(func(t *testing.T, key, ua, uri, referer string) {
		r := sampleRecord()
		r.Key, r.UserAgent, r.RequestURI, r.Referer, r.Requester = key, ua, uri, referer, ua
		line := string(r.AppendLine(nil))
		if strings.ContainsAny(line, "\n\r") {
			t.Fatalf("line holds a line break: %q", line)
		}
		// Three quoted fields, each free of quotes, around 23 tokens
		// (the time is two).
		parts := strings.Split(line, `"`)
		if len(parts) != 7 {
			t.Fatalf("%d quotes in %q; want 6", len(parts)-1, line)
		}
		n := len(strings.Fields(parts[0])) + len(strings.Fields(parts[2])) + len(strings.Fields(parts[4])) + len(strings.Fields(parts[6]))
		if n != 24 {
			t.Fatalf("%d unquoted tokens in %q; want 24", n, line)
		}
	})
}

const logDeliveryPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},
"Action":"s3:PutObject","Resource":"arn:aws:s3:::log-target/*",
"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::logged-bucket"},"StringEquals":{"aws:SourceAccount":"111111111111"}}}]}`

func TestAccessLogDelivery(t *testing.T) {
	ctx := context.Background()
	s, c, st, _ := newService(t)
	for _, b := range []string{"logged-bucket", "log-target", "quiet-bucket"} {
		if _, err := s.CreateBucket(ctx, sc, b, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CheckLoggingTarget(ctx, "222222222222", "log-target"); code(err) != "InvalidTargetBucketForLogging" {
		t.Errorf("another account's target: %v; want InvalidTargetBucketForLogging", err)
	}
	if err := s.PutConfig(ctx, sc, "logged-bucket", ConfigLogging, `{"LoggingEnabled":{"TargetBucket":"log-target","TargetPrefix":"access/"}}`); err != nil {
		t.Fatal(err)
	}
	log := func(bucket, id string) {
		t.Helper()
		r := sampleRecord()
		r.Bucket, r.RequestID, r.Time = bucket, id, c.Now()
		if err := s.LogAccess(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	objects := func() []string {
		t.Helper()
		list, err := st.Objects(ctx, "log-target", "", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range list {
			keys = append(keys, o.Key)
		}
		return keys
	}
	log("logged-bucket", "R1")
	log("quiet-bucket", "R2") // no logging: nothing kept
	log("logged-bucket", "R3")
	if err := s.FlushAccessLogs(ctx, c.Now()); err != nil {
		t.Fatal(err)
	}
	// Without a policy that lets the log delivery service in, the
	// records are dropped.
	if err := s.DeliverAccessLogs(ctx, c.Now()); err != nil {
		t.Fatal(err)
	}
	if keys := objects(); len(keys) != 0 {
		t.Fatalf("delivered without a policy: %v", keys)
	}
	if left, _ := st.AccessLogs(ctx, 0, 10); len(left) != 0 {
		t.Fatalf("refused records kept: %v", left)
	}
	if err := s.PutConfig(ctx, sc, "log-target", ConfigPolicy, logDeliveryPolicy); err != nil {
		t.Fatal(err)
	}
	log("logged-bucket", "R4")
	log("logged-bucket", "R5")
	if err := s.FlushAccessLogs(ctx, c.Now()); err != nil {
		t.Fatal(err)
	}
	c.Advance(5 * time.Minute)
	if err := s.DeliverAccessLogs(ctx, c.Now()); err != nil {
		t.Fatal(err)
	}
	keys := objects()
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "access/2026-01-01-12-05-00-") || len(keys[0]) != len("access/2026-01-01-12-05-00-")+16 {
		t.Fatalf("log objects = %v; want one access/2026-01-01-12-05-00-XXXXXXXXXXXXXXXX", keys)
	}
	o, err := s.GetObject(ctx, sc, "log-target", keys[0], "", "", Conditions{})
	if err != nil {
		t.Fatal(err)
	}
	text := body(t, o)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], " R4 REST.GET.OBJECT ") || !strings.Contains(lines[1], " R5 ") ||
		!strings.HasPrefix(lines[0], "111111111111 logged-bucket [01/Jan/2026:12:00:00 +0000] ") {
		t.Errorf("log object:\n%s", text)
	}
	if err := s.DeliverAccessLogs(ctx, c.Now()); err != nil || len(objects()) != 1 {
		t.Errorf("a second delivery with nothing new: %v, %v", err, objects())
	}
	// Logging turned off shows at once on this node.
	if err := s.PutConfig(ctx, sc, "logged-bucket", ConfigLogging, `{}`); err != nil {
		t.Fatal(err)
	}
	log("logged-bucket", "R6")
	if err := s.FlushAccessLogs(ctx, c.Now()); err != nil {
		t.Fatal(err)
	}
	if left, _ := st.AccessLogs(ctx, 0, 10); len(left) != 0 {
		t.Errorf("records kept with logging off: %v", left)
	}
}
