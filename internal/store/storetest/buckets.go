package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Buckets checks the backend's store.Buckets: bucket names global, delete
// only when empty, configurations, object versions (the "null" version
// replaced, others kept, delete markers hiding a key), listings in byte
// order, multipart uploads completed or aborted with their parts' blobs
// returned, and all of it kept across a reopen.
func Buckets(t *testing.T, open Open) {
	ctx := context.Background()
	storeOf := func(t *testing.T, b Backend) store.Buckets {
		t.Helper()
		need(t, b.Buckets != nil, "Buckets")
		return b.Buckets
	}
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	put := func(t *testing.T, s store.Buckets, key, version, blob string) []string {
		t.Helper()
		o := store.BucketObject{Bucket: "b1", Key: key, VersionID: version, Size: 1, ETag: `"e"`, Modified: 1,
			Headers: map[string]string{"Content-Type": "text/plain"}, Blob: blob}
		g, err := s.PutObject(ctx, &o)
		must(t, err)
		got, err := s.Object(ctx, "b1", key, version)
		must(t, err)
		if o.Seq == 0 || got.Seq != o.Seq {
			t.Fatalf("PutObject set Seq %d; the stored version has %d", o.Seq, got.Seq)
		}
		return g
	}
	keys := func(t *testing.T, s store.Buckets, prefix, after string) []string {
		t.Helper()
		list, err := s.Objects(ctx, "b1", prefix, after, 0)
		must(t, err)
		var out []string
		for _, o := range list {
			out = append(out, o.Key)
		}
		return out
	}

	t.Run("buckets", func(t *testing.T) {
		s := storeOf(t, fresh(t, open))
		must(t, s.CreateBucket(ctx, store.Bucket{Name: "b1", Account: "111111111111", Region: "us-east-1", Created: 5}))
		if err := s.CreateBucket(ctx, store.Bucket{Name: "b1", Account: "222222222222", Region: "eu-west-1"}); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateBucket of a taken name: %v, want ErrExists", err)
		}
		got, err := s.Bucket(ctx, "b1")
		if err != nil || !reflect.DeepEqual(*got, store.Bucket{Name: "b1", Account: "111111111111", Region: "us-east-1", Created: 5}) {
			t.Fatalf("Bucket = %+v, %v", got, err)
		}
		if list, _ := s.Buckets(ctx, "222222222222"); len(list) != 0 {
			t.Fatalf("Buckets of another account = %v", list)
		}
		must(t, s.PutBucketConfig(ctx, "b1", "policy", "{}"))
		if doc, err := s.BucketConfig(ctx, "b1", "policy"); doc != "{}" || err != nil {
			t.Fatalf("BucketConfig = %q, %v", doc, err)
		}
		if names, _ := s.BucketsWithConfig(ctx, "policy"); !reflect.DeepEqual(names, []string{"b1"}) {
			t.Fatalf("BucketsWithConfig = %v", names)
		}
		put(t, s, "k", "null", "blob1")
		if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, store.ErrExists) {
			t.Fatalf("DeleteBucket of a bucket with objects: %v, want ErrExists", err)
		}
		g, err := s.DeleteObjectVersion(ctx, "b1", "k", "null")
		if err != nil || !reflect.DeepEqual(g, []string{"blob1"}) {
			t.Fatalf("DeleteObjectVersion = %v, %v", g, err)
		}
		must(t, s.DeleteBucket(ctx, "b1"))
		if _, err := s.BucketConfig(ctx, "b1", "policy"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("config outlived its bucket: %v", err)
		}
		if err := s.DeleteBucket(ctx, "b1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteBucket twice: %v", err)
		}
	})

	t.Run("versions and listings", func(t *testing.T) {
		s := storeOf(t, fresh(t, open))
		must(t, s.CreateBucket(ctx, store.Bucket{Name: "b1", Account: "111111111111", Region: "us-east-1"}))
		put(t, s, "a/1", "null", "x1")
		if g := put(t, s, "a/1", "null", "x2"); !reflect.DeepEqual(g, []string{"x1"}) {
			t.Fatalf("replacing the null version returned %v, want [x1]", g)
		}
		put(t, s, "a/2", "v1", "y1")
		put(t, s, "a/2", "v2", "y2")
		put(t, s, "b", "null", "")
		o, err := s.Object(ctx, "b1", "a/2", "")
		if err != nil || o.VersionID != "v2" || o.Headers["Content-Type"] != "text/plain" {
			t.Fatalf("latest of a/2 = %+v, %v", o, err)
		}
		if got := keys(t, s, "a/", ""); !reflect.DeepEqual(got, []string{"a/1", "a/2"}) {
			t.Fatalf("Objects(a/) = %v", got)
		}
		if got := keys(t, s, "", "a/1"); !reflect.DeepEqual(got, []string{"a/2", "b"}) {
			t.Fatalf("Objects after a/1 = %v", got)
		}
		_, err = s.PutObject(ctx, &store.BucketObject{Bucket: "b1", Key: "a/2", VersionID: "m1", DeleteMarker: true})
		must(t, err)
		if got := keys(t, s, "", ""); !reflect.DeepEqual(got, []string{"a/1", "b"}) {
			t.Fatalf("Objects with a delete marker = %v", got)
		}
		vs, err := s.ObjectVersions(ctx, "b1", "a/2", "", 0, 0)
		must(t, err)
		var ids []string
		for _, v := range vs {
			ids = append(ids, v.VersionID)
		}
		if !reflect.DeepEqual(ids, []string{"m1", "v2", "v1"}) {
			t.Fatalf("versions = %v, want newest first", ids)
		}
		rest, err := s.ObjectVersions(ctx, "b1", "", "a/2", vs[1].Seq, 0)
		must(t, err)
		if len(rest) != 2 || rest[0].VersionID != "v1" || rest[1].Key != "b" {
			t.Fatalf("versions after v2 = %+v", rest)
		}
	})

	t.Run("uploads survive a reopen", func(t *testing.T) {
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := storeOf(t, b)
			must(t, s.CreateBucket(ctx, store.Bucket{Name: "b1", Account: "111111111111", Region: "us-east-1"}))
			must(t, s.CreateUpload(ctx, store.Upload{ID: "u1", Bucket: "b1", Key: "k", Metadata: map[string]string{"m": "v"}}))
			must(t, s.CreateUpload(ctx, store.Upload{ID: "u2", Bucket: "b1", Key: "k"}))
			for _, n := range []int{2, 1} {
				_, err := s.PutPart(ctx, store.UploadPart{UploadID: "u1", Number: n, Size: 1, ETag: `"p"`, Blob: "p" + string(rune('0'+n))})
				must(t, err)
			}
			if g, err := s.PutPart(ctx, store.UploadPart{UploadID: "u1", Number: 2, Blob: "p2b"}); err != nil || !reflect.DeepEqual(g, []string{"p2"}) {
				t.Fatalf("replacing a part returned %v, %v", g, err)
			}
			if _, err := s.PutPart(ctx, store.UploadPart{UploadID: "nope", Number: 1}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("PutPart of no upload: %v", err)
			}
		})
		s := storeOf(t, b)
		u, err := s.Upload(ctx, "b1", "u1")
		if err != nil || u.Metadata["m"] != "v" {
			t.Fatalf("Upload = %+v, %v", u, err)
		}
		ups, err := s.Uploads(ctx, "b1", "", "k", "u1", 0)
		if err != nil || len(ups) != 1 || ups[0].ID != "u2" {
			t.Fatalf("Uploads after u1 = %+v, %v", ups, err)
		}
		parts, err := s.Parts(ctx, "u1", 0, 0)
		if err != nil || len(parts) != 2 || parts[0].Number != 1 || parts[1].Blob != "p2b" {
			t.Fatalf("Parts = %+v, %v", parts, err)
		}
		var blobs []string
		must(t, s.Blobs(ctx, func(b string) { blobs = append(blobs, b) }))
		if len(blobs) != 2 {
			t.Fatalf("Blobs = %v", blobs)
		}
		whole := store.BucketObject{Bucket: "b1", Key: "k", VersionID: "null", Blob: "whole", Parts: 2}
		g, err := s.CompleteUpload(ctx, "u1", &whole)
		if err != nil || len(g) != 2 {
			t.Fatalf("CompleteUpload = %v, %v", g, err)
		}
		if got, err := s.Object(ctx, "b1", "k", ""); err != nil || whole.Seq == 0 || got.Seq != whole.Seq {
			t.Fatalf("CompleteUpload set Seq %d; the stored object: %+v, %v", whole.Seq, got, err)
		}
		if _, err := s.Upload(ctx, "b1", "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("completed upload still there: %v", err)
		}
		if _, err := s.AbortUpload(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("AbortUpload of a completed upload: %v", err)
		}
		if _, err := s.AbortUpload(ctx, "u2"); err != nil {
			t.Fatal(err)
		}
		if o, err := s.Object(ctx, "b1", "k", "null"); err != nil || o.Parts != 2 {
			t.Fatalf("completed object = %+v, %v", o, err)
		}
	})

	t.Run("access logs", func(t *testing.T) {
		s := storeOf(t, fresh(t, open))
		recs := []store.AccessLogRecord{
			{Target: "logs", Prefix: "p/", Bucket: "b1", Owner: "111111111111", Line: "one"},
			{Target: "logs", Prefix: "p/", Bucket: "b1", Owner: "111111111111", Line: "two \"quoted\""},
			{Target: "other", Bucket: "b2", Owner: "222222222222", Line: "three"},
		}
		must(t, s.AppendAccessLogs(ctx, recs))
		if recs[0].ID == 0 || recs[1].ID <= recs[0].ID || recs[2].ID <= recs[1].ID {
			t.Fatalf("IDs = %d %d %d; want increasing", recs[0].ID, recs[1].ID, recs[2].ID)
		}
		got, err := s.AccessLogs(ctx, 0, 10)
		if err != nil || !reflect.DeepEqual(got, recs) {
			t.Fatalf("AccessLogs = %+v, %v; want %+v", got, err, recs)
		}
		if got, _ := s.AccessLogs(ctx, recs[0].ID, 1); len(got) != 1 || got[0].ID != recs[1].ID {
			t.Fatalf("AccessLogs after the first, 1 = %+v", got)
		}
		must(t, s.DeleteAccessLogs(ctx, []int64{recs[0].ID, recs[2].ID}))
		if got, _ := s.AccessLogs(ctx, 0, 10); len(got) != 1 || got[0] != recs[1] {
			t.Fatalf("AccessLogs after deleting two = %+v", got)
		}
		more := []store.AccessLogRecord{{Target: "logs", Bucket: "b1", Owner: "111111111111", Line: "four"}}
		must(t, s.AppendAccessLogs(ctx, more))
		if more[0].ID <= recs[2].ID {
			t.Fatalf("ID after deletions = %d; want more than %d", more[0].ID, recs[2].ID)
		}
	})
}
