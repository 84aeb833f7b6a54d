package buckets

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// readHook is a store that counts the reads of objects' latest rows and
// can run a write in the middle of one (after the row is read, before it
// is returned).
type readHook struct {
	bucketStore
	reads  int
	during func()
}

func (h *readHook) Object(ctx context.Context, bucket, key, versionID string) (*store.BucketObject, error) {
	h.reads++
	o, err := h.bucketStore.Object(ctx, bucket, key, versionID)
	if during := h.during; during != nil {
		h.during = nil
		during()
	}
	return o, err
}

func get(t *testing.T, s *Service, key string) string {
	t.Helper()
	o, err := s.GetObject(context.Background(), sc, "bkt1", key, "", "", Conditions{})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	return body(t, o)
}

func putString(t *testing.T, s *Service, key, content string) *store.BucketObject {
	t.Helper()
	o, err := s.PutObject(context.Background(), sc, Put{Bucket: "bkt1", Key: key, Body: strings.NewReader(content)})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return o
}

// The cached latest rows follow every write: overwrites, deletes of the
// latest version (the one before becomes the latest), multipart uploads;
// a GET after a PUT reads no row.
func TestObjectRowsFollowWrites(t *testing.T) {
	s, _, _, _ := newService(t)
	hook := &readHook{bucketStore: s.st.(*objectRows).bucketStore}
	s.st.(*objectRows).bucketStore = hook
	ctx := context.Background()
	if _, err := s.CreateBucket(ctx, sc, "bkt1", ""); err != nil {
		t.Fatal(err)
	}
	putString(t, s, "k", "one")
	hook.reads = 0
	if got := get(t, s, "k"); got != "one" || hook.reads != 0 {
		t.Fatalf("GET after PUT = %q with %d row reads; want one and none", got, hook.reads)
	}
	putString(t, s, "k", "two")
	if got := get(t, s, "k"); got != "two" {
		t.Fatalf("GET after an overwrite = %q", got)
	}
	if err := s.SetVersioning(ctx, sc, "bkt1", "Enabled"); err != nil {
		t.Fatal(err)
	}
	v3 := putString(t, s, "k", "three")
	if got := get(t, s, "k"); got != "three" {
		t.Fatalf("GET = %q", got)
	}
	if _, err := s.DeleteObject(ctx, sc, "bkt1", "k", v3.VersionID); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, "k"); got != "two" {
		t.Fatalf("GET after deleting the latest version = %q, want the one before", got)
	}
	if _, err := s.DeleteObject(ctx, sc, "bkt1", "k", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetObject(ctx, sc, "bkt1", "k", "", "", Conditions{}); !errors.Is(err, errNoSuchKey) {
		t.Fatalf("GET after a delete marker: %v, want NoSuchKey", err)
	}
	up, err := s.CreateUpload(ctx, sc, Put{Bucket: "bkt1", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	part, err := s.UploadPart(ctx, sc, "bkt1", "k", up.ID, 1, strings.NewReader("four"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompleteUpload(ctx, sc, "bkt1", "k", up.ID, []CompletedPart{{Number: 1, ETag: part.ETag}}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, "k"); got != "four" {
		t.Fatalf("GET after a multipart upload = %q", got)
	}
}

// A GET that a write overtakes (after it read the row, before it opened
// the blob the write removes) reads the row again, and does not leave
// its stale row cached.
func TestObjectRowsReadRacingWrite(t *testing.T) {
	s, _, _, _ := newService(t)
	hook := &readHook{bucketStore: s.st.(*objectRows).bucketStore}
	s.st.(*objectRows).bucketStore = hook
	if _, err := s.CreateBucket(context.Background(), sc, "bkt1", ""); err != nil {
		t.Fatal(err)
	}
	putString(t, s, "k", "old")
	s.st.(*objectRows).latest.Forget(objectKey{"bkt1", "k"})
	hook.during = func() { putString(t, s, "k", "new") }
	if got := get(t, s, "k"); got != "new" {
		t.Fatalf("GET overtaken by a PUT = %q, want new", got)
	}
	s.st.(*objectRows).latest.Forget(objectKey{"bkt1", "k"})
	hook.during = func() { putString(t, s, "k", "newer") }
	if _, err := s.st.Object(context.Background(), "bkt1", "k", ""); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, "k"); got != "newer" {
		t.Fatalf("GET after a read raced a write = %q, want newer", got)
	}
}

// A blob being read is not recycled under its reader; a recycled file
// holds only what its next blob writes.
func TestBlobRecycling(t *testing.T) {
	b, err := openBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w, err := b.write(strings.NewReader("a longer first blob"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.open(w.name)
	if err != nil {
		t.Fatal(err)
	}
	b.remove([]string{w.name})
	if len(b.free) != 0 {
		t.Fatal("a blob open for reading was recycled")
	}
	if got, err := io.ReadAll(r); err != nil || string(got) != "a longer first blob" {
		t.Fatalf("read %q, %v", got, err)
	}
	r.Close()
	w, err = b.write(strings.NewReader("a longer second blob"))
	if err != nil {
		t.Fatal(err)
	}
	b.remove([]string{w.name})
	if len(b.free) != 1 {
		t.Fatalf("%d files recycled, want 1", len(b.free))
	}
	w, err = b.write(strings.NewReader("short"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.free) != 0 {
		t.Fatal("the recycled file was not reused")
	}
	r, err = b.open(w.name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := io.ReadAll(r); err != nil || string(got) != "short" {
		t.Fatalf("a blob written over a recycled file reads %q, %v", got, err)
	}
}
