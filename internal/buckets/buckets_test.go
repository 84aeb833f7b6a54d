package buckets

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

var sc = Scope{Account: "111111111111", Region: "us-east-1"}

func newService(t *testing.T) (*Service, *clock.Fake, store.Buckets, string) {
	t.Helper()
	st := embeddedtest.Open(t).Buckets()
	c := clock.NewFake(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{Store: st, Dir: dir, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, st, dir
}

// body reads and closes an object's body.
func body(t *testing.T, o *Object) string {
	t.Helper()
	defer o.Body.Close()
	b, err := io.ReadAll(o.Body)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != o.Length {
		t.Errorf("read %d bytes of an object whose Length is %d", len(b), o.Length)
	}
	return string(b)
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestBuckets(t *testing.T) {
	ctx := context.Background()
	s, _, _, _ := newService(t)
	f := func(sc Scope, name, loc, want string) {
		t.Helper()
		_, err := s.CreateBucket(ctx, sc, name, loc)
		if got := code(err); got != want {
			t.Errorf("CreateBucket(%s, %q) = %s, want %q", name, loc, got, want)
		}
	}
	f(sc, "ok-bucket", "", "")
	f(sc, "ok-bucket", "", "")
	f(Scope{Account: "222222222222", Region: "us-east-1"}, "ok-bucket", "", "BucketAlreadyExists")
	f(Scope{Account: "111111111111", Region: "eu-west-1"}, "eu-bucket", "eu-west-1", "")
	f(Scope{Account: "111111111111", Region: "eu-west-1"}, "eu-bucket", "eu-west-1", "BucketAlreadyOwnedByYou")
	f(Scope{Account: "111111111111", Region: "eu-west-1"}, "eu-bucket2", "", "IllegalLocationConstraintException")
	for _, bad := range []string{"ab", "Upper", "a..b", "192.168.1.1", "-abc", "xn--abc", strings.Repeat("a", 64)} {
		f(sc, bad, "", "InvalidBucketName")
	}
	if _, err := s.PutObject(ctx, sc, Put{Bucket: "ok-bucket", Key: "k", Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if got := code(s.DeleteBucket(ctx, sc, "ok-bucket")); got != "BucketNotEmpty" {
		t.Errorf("DeleteBucket of a full bucket = %s", got)
	}
	if got := code(s.DeleteBucket(ctx, Scope{Account: "222222222222"}, "ok-bucket")); got != "AccessDenied" {
		t.Errorf("DeleteBucket by another account = %s", got)
	}
}

func TestObjects(t *testing.T) {
	ctx := context.Background()
	s, c, _, _ := newService(t)
	if _, err := s.CreateBucket(ctx, sc, "bkt1", ""); err != nil {
		t.Fatal(err)
	}
	o, err := s.PutObject(ctx, sc, Put{Bucket: "bkt1", Key: "k", Body: strings.NewReader("hello world"), Metadata: map[string]string{"a": "b"}})
	if err != nil || o.ETag != `"5eb63bbbe01eeed093cb22bb8f5acdc3"` || o.Headers["Content-Type"] != "binary/octet-stream" {
		t.Fatalf("PutObject = %+v, %v", o, err)
	}
	get := func(rng string, cond Conditions) (string, string, string) {
		t.Helper()
		o, err := s.GetObject(ctx, sc, "bkt1", "k", "", rng, cond)
		if err != nil {
			return "", "", code(err)
		}
		return body(t, o), o.ContentRange, ""
	}
	type want struct{ body, cr, code string }
	past, future := c.Now().Add(-time.Hour), c.Now().Add(time.Hour)
	for _, tc := range []struct {
		rng  string
		cond Conditions
		want want
	}{
		{"", Conditions{}, want{"hello world", "", ""}},
		{"bytes=0-4", Conditions{}, want{"hello", "bytes 0-4/11", ""}},
		{"bytes=6-", Conditions{}, want{"world", "bytes 6-10/11", ""}},
		{"bytes=-5", Conditions{}, want{"world", "bytes 6-10/11", ""}},
		{"bytes=6-100", Conditions{}, want{"world", "bytes 6-10/11", ""}},
		{"bytes=20-", Conditions{}, want{"", "", "InvalidRange"}},
		{"bytes=0-1,3-4", Conditions{}, want{"hello world", "", ""}},
		{"", Conditions{IfMatch: o.ETag}, want{"hello world", "", ""}},
		{"", Conditions{IfMatch: `"other"`}, want{"", "", "PreconditionFailed"}},
		{"", Conditions{IfNoneMatch: o.ETag}, want{"", "", "NotModified"}},
		{"", Conditions{IfModifiedSince: &future}, want{"", "", "NotModified"}},
		{"", Conditions{IfModifiedSince: &past}, want{"hello world", "", ""}},
		{"", Conditions{IfUnmodifiedSince: &past}, want{"", "", "PreconditionFailed"}},
	} {
		b, cr, e := get(tc.rng, tc.cond)
		if (want{b, cr, e}) != tc.want {
			t.Errorf("GetObject(%q, %+v) = %q %q %q, want %+v", tc.rng, tc.cond, b, cr, e, tc.want)
		}
	}
	if _, err := s.PutObject(ctx, sc, Put{Bucket: "bkt1", Key: "k", Body: strings.NewReader("x"), IfNoneMatch: "*"}); code(err) != "PreconditionFailed" {
		t.Errorf("If-None-Match: * over an object = %v", err)
	}
	cp, err := ParseCopySource("/bkt1/k")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CopyObject(ctx, sc, Copy{Source: cp, Bucket: "bkt1", Key: "k2", ReplaceMetadata: true, Metadata: map[string]string{"c": "d"}}); err != nil {
		t.Fatal(err)
	}
	if h, err := s.HeadObject(ctx, sc, "bkt1", "k2", "", Conditions{}); err != nil || h.Metadata["c"] != "d" || h.Size != 11 {
		t.Errorf("copied object = %+v, %v", h, err)
	}
	if _, err := s.CopyObject(ctx, sc, Copy{Source: cp, Bucket: "bkt1", Key: "k"}); code(err) != "InvalidRequest" {
		t.Errorf("copy onto itself = %v", err)
	}
	if _, err := s.DeleteObject(ctx, sc, "bkt1", "k", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.HeadObject(ctx, sc, "bkt1", "k", "", Conditions{}); code(err) != "NoSuchKey" {
		t.Errorf("deleted object: %v", err)
	}
}

func TestVersioningAndListing(t *testing.T) {
	ctx := context.Background()
	s, _, _, _ := newService(t)
	s.CreateBucket(ctx, sc, "bkt1", "")
	if err := s.SetVersioning(ctx, sc, "bkt1", "Enabled"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a/1", "a/2", "b/1", "c", "a/1"} {
		if _, err := s.PutObject(ctx, sc, Put{Bucket: "bkt1", Key: k, Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := s.DeleteObject(ctx, sc, "bkt1", "c", "")
	if err != nil || !d.DeleteMarker || d.VersionID == "null" {
		t.Fatalf("DeleteObject in a versioned bucket = %+v, %v", d, err)
	}
	v, err := s.ListObjectVersions(ctx, sc, "bkt1", "", "", "", 1000)
	if err != nil || len(v.Versions) != 6 || !v.Latest[0] || v.Latest[1] {
		t.Fatalf("ListObjectVersions = %+v, %v", v, err)
	}
	if v, err := s.ListObjectVersions(ctx, sc, "bkt1", "", "", "", 0); err != nil || len(v.Versions) != 0 || v.Truncated || v.NextKey != "" {
		t.Fatalf("ListObjectVersions(max-keys 0) = %+v, %v; want an empty page that continues nowhere", v, err)
	}
	l, err := s.ListObjects(ctx, sc, List{Bucket: "bkt1", Delimiter: "/", MaxKeys: 1000})
	if err != nil || strings.Join(l.CommonPrefixes, ",") != "a/,b/" || len(l.Objects) != 0 {
		t.Fatalf("delimited listing = %+v, %v", l, err)
	}
	l, err = s.ListObjects(ctx, sc, List{Bucket: "bkt1", Delimiter: "/", MaxKeys: 1})
	if err != nil || !l.Truncated || l.Last != "a/" {
		t.Fatalf("first page = %+v, %v", l, err)
	}
	l, err = s.ListObjects(ctx, sc, List{Bucket: "bkt1", Delimiter: "/", MaxKeys: 1, After: l.Last})
	if err != nil || l.Truncated || strings.Join(l.CommonPrefixes, ",") != "b/" {
		t.Fatalf("second page = %+v, %v", l, err)
	}
}

func TestMultipart(t *testing.T) {
	ctx := context.Background()
	s, _, _, _ := newService(t)
	s.CreateBucket(ctx, sc, "bkt1", "")
	u, err := s.CreateUpload(ctx, sc, Put{Bucket: "bkt1", Key: "big"})
	if err != nil {
		t.Fatal(err)
	}
	p1 := strings.Repeat("a", minPartSize)
	e1, err := s.UploadPart(ctx, sc, "bkt1", "big", u.ID, 1, strings.NewReader(p1), nil)
	if err != nil {
		t.Fatal(err)
	}
	e2, err := s.UploadPart(ctx, sc, "bkt1", "big", u.ID, 2, strings.NewReader("tail"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompleteUpload(ctx, sc, "bkt1", "big", u.ID, []CompletedPart{{2, e2.ETag}, {1, e1.ETag}}); code(err) != "InvalidPartOrder" {
		t.Errorf("parts out of order: %v", err)
	}
	o, err := s.CompleteUpload(ctx, sc, "bkt1", "big", u.ID, []CompletedPart{{1, e1.ETag}, {2, e2.ETag}})
	if err != nil || !strings.HasSuffix(o.ETag, `-2"`) || o.Size != int64(len(p1)+4) {
		t.Fatalf("CompleteUpload = %+v, %v", o, err)
	}
	if err := s.AbortUpload(ctx, sc, "bkt1", "big", u.ID); code(err) != "NoSuchUpload" {
		t.Errorf("abort after complete: %v", err)
	}
}

func TestDeliver(t *testing.T) {
	ctx := context.Background()
	s, _, _, _ := newService(t)
	s.CreateBucket(ctx, sc, "trail", "")
	d := Delivery{Service: "cloudtrail.amazonaws.com", SourceAccount: sc.Account, SourceARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/t",
		Bucket: "trail", Key: "AWSLogs/111111111111/x.json.gz", Body: []byte("{}"), ContentType: "application/json", ContentEncoding: "gzip"}
	if err := s.Deliver(ctx, Delivery{Bucket: "none"}); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("Deliver to no bucket: %v", err)
	}
	if err := s.Deliver(ctx, d); !errors.Is(err, ErrAccessDenied) {
		t.Errorf("Deliver without a policy: %v", err)
	}
	pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
		"Action":"s3:PutObject","Resource":"arn:aws:s3:::trail/AWSLogs/111111111111/*",
		"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"111111111111"}}}]}`
	if err := s.PutConfig(ctx, sc, "trail", ConfigPolicy, `{"Statement":`); code(err) != "MalformedPolicy" {
		t.Errorf("malformed policy: %v", err)
	}
	if err := s.PutConfig(ctx, sc, "trail", ConfigPolicy, pol); err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(ctx, d); err != nil {
		t.Fatalf("Deliver with a policy: %v", err)
	}
	o, err := s.HeadObject(ctx, sc, "trail", d.Key, "", Conditions{})
	if err != nil || o.Headers["Content-Encoding"] != "gzip" || o.Headers["Content-Type"] != "application/json" {
		t.Errorf("delivered object = %+v, %v", o, err)
	}
	other := d
	other.SourceAccount = "999999999999"
	if err := s.Deliver(ctx, other); !errors.Is(err, ErrAccessDenied) {
		t.Errorf("Deliver for another source account: %v", err)
	}
}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	s, c, _, _ := newService(t)
	s.CreateBucket(ctx, sc, "bkt1", "")
	s.PutObject(ctx, sc, Put{Bucket: "bkt1", Key: "logs/1", Body: strings.NewReader("x")})
	s.PutObject(ctx, sc, Put{Bucket: "bkt1", Key: "keep", Body: strings.NewReader("x")})
	if err := s.PutLifecycle(ctx, sc, "bkt1", []Rule{{ID: "r", Prefix: "logs/", Enabled: true, Days: 1}}); err != nil {
		t.Fatal(err)
	}
	// Created at noon: expires at the second midnight after (noon + 1 day, rounded up).
	for _, step := range []struct {
		at   time.Time
		gone bool
	}{{c.Now().Add(35 * time.Hour), false}, {c.Now().Add(36 * time.Hour), true}} {
		if err := s.ExpireObjects(ctx, step.at); err != nil {
			t.Fatal(err)
		}
		_, err := s.HeadObject(ctx, sc, "bkt1", "logs/1", "", Conditions{})
		if gone := code(err) == "NoSuchKey"; gone != step.gone {
			t.Errorf("at %v: gone = %v, want %v", step.at, gone, step.gone)
		}
	}
	if _, err := s.HeadObject(ctx, sc, "bkt1", "keep", "", Conditions{}); err != nil {
		t.Errorf("object outside the rule expired: %v", err)
	}
}

func TestOrphansRemovedAtOpen(t *testing.T) {
	ctx := context.Background()
	s, c, st, dir := newService(t)
	s.CreateBucket(ctx, sc, "bkt1", "")
	o, err := s.PutObject(ctx, sc, Put{Bucket: "bkt1", Key: "k", Body: strings.NewReader("kept")})
	if err != nil {
		t.Fatal(err)
	}
	// A crash between a blob's rename and its row's commit, and one in
	// the middle of writing a temporary file.
	orphan := filepath.Join(dir, "objects", "deadbeef")
	torn := filepath.Join(dir, "tmp", "put-1")
	for _, p := range []string{orphan, torn} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(ctx, Options{Store: st, Dir: dir, Clock: c}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{orphan, torn} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived the open: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "objects", o.Blob)); err != nil {
		t.Errorf("a stored object's file was removed: %v", err)
	}
}
