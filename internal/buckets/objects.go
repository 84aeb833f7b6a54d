package buckets

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Put is an object to store.
type Put struct {
	Bucket, Key string
	// Body reads the object's bytes (nil for none); a read error fails
	// the write, which then stores nothing.
	Body io.Reader
	// ContentMD5 is the MD5 the bytes must have (Content-MD5), nil for
	// no check.
	ContentMD5 []byte
	// Headers are the system headers kept with the object (Content-Type,
	// Content-Encoding, Content-Disposition, Content-Language,
	// Cache-Control, Expires); Metadata the user metadata.
	Headers, Metadata map[string]string
	// IfMatch and IfNoneMatch make the write conditional (S3's
	// conditional writes: If-None-Match: * refuses to overwrite).
	IfMatch, IfNoneMatch string
}

// Conditions are a read's preconditions (RFC 9110 section 13).
type Conditions struct {
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince *time.Time
}

// Object is an object read back: its metadata and, for a GET, a reader
// of its bytes (only the range asked for, which ContentRange then
// describes, Length bytes), which the caller closes.
type Object struct {
	store.BucketObject
	Body         io.ReadCloser
	Length       int64
	ContentRange string
}

// etag is S3's ETag of a single-part upload: the MD5 of the bytes, hex,
// quoted.
func etag(sum [md5.Size]byte) string {
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func noSuchKey(key string) *Error {
	return newError("NoSuchKey", key, "The specified key does not exist.")
}

// versionFor returns the version id a write to a bucket gets.
func versionFor(b *store.Bucket) string {
	if b.Versioning == "Enabled" {
		return newName()
	}
	return "null"
}

// PutObject stores an object and returns its stored version.
func (s *Service) PutObject(ctx context.Context, sc Scope, p Put) (*store.BucketObject, error) {
	b, err := s.access(ctx, sc, p.Bucket, "s3:PutObject", p.Key)
	if err != nil {
		return nil, err
	}
	if p.IfMatch != "" || p.IfNoneMatch != "" {
		if err := s.checkWrite(ctx, p); err != nil {
			return nil, err
		}
	}
	return s.store(ctx, b, p)
}

// checkWrite applies a conditional write's If-Match / If-None-Match: *.
func (s *Service) checkWrite(ctx context.Context, p Put) error {
	if p.IfNoneMatch != "" && p.IfNoneMatch != "*" {
		return newError("NotImplemented", p.Key, "If-None-Match on a write only supports the value *.")
	}
	cur, err := s.latest(ctx, p.Bucket, p.Key)
	if err != nil && !errors.Is(err, errNoSuchKey) {
		return err
	}
	switch {
	case p.IfNoneMatch == "*" && cur != nil:
		return newError("PreconditionFailed", p.Key, "At least one of the pre-conditions you specified did not hold")
	case p.IfMatch != "" && cur == nil:
		return noSuchKey(p.Key)
	case p.IfMatch != "" && !etagMatches(p.IfMatch, cur.ETag):
		return newError("PreconditionFailed", p.Key, "At least one of the pre-conditions you specified did not hold")
	}
	return nil
}

// errNoSuchKey matches NoSuchKey errors.
var errNoSuchKey = &Error{Code: "NoSuchKey"}

// latest returns the current version of a key, NoSuchKey when there is
// none or it is a delete marker.
func (s *Service) latest(ctx context.Context, bucket, key string) (*store.BucketObject, error) {
	o, err := s.st.Object(ctx, bucket, key, "")
	if errors.Is(err, store.ErrNotFound) || (err == nil && o.DeleteMarker) {
		return nil, noSuchKey(key)
	}
	return o, err
}

// store writes an object's bytes, then its row.
func (s *Service) store(ctx context.Context, b *store.Bucket, p Put) (*store.BucketObject, error) {
	body := p.Body
	if body == nil {
		body = strings.NewReader("")
	}
	w, err := s.blobs.write(body)
	if err != nil {
		return nil, err
	}
	blob := w.name
	if p.ContentMD5 != nil && string(p.ContentMD5) != string(w.md5[:]) {
		s.blobs.remove([]string{blob})
		return nil, newError("BadDigest", p.Key, "The Content-MD5 you specified did not match what we received.")
	}
	o := store.BucketObject{
		Bucket: b.Name, Key: p.Key, VersionID: versionFor(b), Size: w.size, ETag: etag(w.md5),
		Modified: s.clock.Now().UnixMilli(), Headers: p.Headers, Metadata: p.Metadata, Blob: blob,
	}
	if o.Headers == nil || o.Headers["Content-Type"] == "" {
		o.Headers = withDefaultType(o.Headers)
	}
	garbage, err := s.st.PutObject(ctx, &o)
	if err != nil {
		s.blobs.remove([]string{blob})
		return nil, err
	}
	s.blobs.remove(garbage)
	return &o, nil
}

// withDefaultType gives an object S3's default Content-Type.
func withDefaultType(h map[string]string) map[string]string {
	out := map[string]string{"Content-Type": "binary/octet-stream"}
	for k, v := range h {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// object returns a version of an object ("" the latest) that is not a
// delete marker.
func (s *Service) object(ctx context.Context, sc Scope, bucket, key, versionID string) (*store.BucketObject, error) {
	action := "s3:GetObject"
	if versionID != "" {
		action = "s3:GetObjectVersion"
	}
	if _, err := s.access(ctx, sc, bucket, action, key); err != nil {
		return nil, err
	}
	if versionID == "" {
		return s.latest(ctx, bucket, key)
	}
	o, err := s.st.Object(ctx, bucket, key, versionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newError("NoSuchVersion", key, "The specified version does not exist.")
	}
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		return nil, newError("MethodNotAllowed", key, "The specified method is not allowed against this resource.")
	}
	return o, nil
}

// HeadObject returns an object's metadata, after its preconditions.
func (s *Service) HeadObject(ctx context.Context, sc Scope, bucket, key, versionID string, c Conditions) (*store.BucketObject, error) {
	o, err := s.object(ctx, sc, bucket, key, versionID)
	if err != nil {
		return nil, err
	}
	return o, c.check(o)
}

// GetObject returns an object, or the part of it rng asks for (an HTTP
// Range header value; "" for all of it).
func (s *Service) GetObject(ctx context.Context, sc Scope, bucket, key, versionID, rng string, c Conditions) (*Object, error) {
	var o *store.BucketObject
	var f io.ReadSeekCloser
	var err error
	// A write that replaces the version read may remove its blob before
	// it is open: then the row is read again.
	for try := 0; f == nil; try++ {
		if o, err = s.HeadObject(ctx, sc, bucket, key, versionID, c); err != nil {
			return nil, err
		}
		if f, err = s.blobs.open(o.Blob); err != nil && (try == 2 || !errors.Is(err, fs.ErrNotExist)) {
			return nil, err
		}
	}
	var r Range
	ok := false
	if rng != "" {
		if r, ok, err = ParseRange(rng, o.Size); err != nil {
			f.Close()
			return nil, &Error{Code: "InvalidRange", Resource: key, Message: err.Error()}
		}
	}
	out := &Object{BucketObject: *o, Body: f, Length: o.Size}
	if ok {
		if _, err := f.Seek(r.Start, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("cannot read object %s: %w", key, err)
		}
		out.Length = r.End + 1 - r.Start
		out.Body = readCloser{io.LimitReader(f, out.Length), f}
		out.ContentRange = r.ContentRange(o.Size)
	}
	return out, nil
}

// etagMatches reports whether an If-Match / If-None-Match list names
// etag ("*" names any).
func etagMatches(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag || `"`+t+`"` == etag {
			return true
		}
	}
	return false
}

// check applies the preconditions in RFC 9110's order, as S3 does:
// If-Match before If-Unmodified-Since, If-None-Match before
// If-Modified-Since.
func (c Conditions) check(o *store.BucketObject) error {
	modified := time.UnixMilli(o.Modified).Truncate(time.Second)
	failed := newError("PreconditionFailed", o.Key, "At least one of the pre-conditions you specified did not hold")
	switch {
	case c.IfMatch != "" && !etagMatches(c.IfMatch, o.ETag):
		return failed
	case c.IfMatch == "" && c.IfUnmodifiedSince != nil && modified.After(*c.IfUnmodifiedSince):
		return failed
	}
	notModified := newError("NotModified", o.Key, "Not Modified")
	switch {
	case c.IfNoneMatch != "" && etagMatches(c.IfNoneMatch, o.ETag):
		return notModified
	case c.IfNoneMatch == "" && c.IfModifiedSince != nil && !modified.After(*c.IfModifiedSince):
		return notModified
	}
	return nil
}

// Deleted is the outcome of deleting an object.
type Deleted struct {
	VersionID    string // the version removed, or the delete marker's
	DeleteMarker bool   // a delete marker was added or removed
}

// DeleteObject deletes an object: without a version id, it removes the
// "null" version, or (versioning enabled or suspended) adds a delete
// marker; with one, it removes that version. A missing key is no error.
func (s *Service) DeleteObject(ctx context.Context, sc Scope, bucket, key, versionID string) (*Deleted, error) {
	action := "s3:DeleteObject"
	if versionID != "" {
		action = "s3:DeleteObjectVersion"
	}
	b, err := s.access(ctx, sc, bucket, action, key)
	if err != nil {
		return nil, err
	}
	if versionID != "" {
		o, err := s.st.Object(ctx, bucket, key, versionID)
		if errors.Is(err, store.ErrNotFound) {
			return &Deleted{VersionID: versionID}, nil
		}
		if err != nil {
			return nil, err
		}
		garbage, err := s.st.DeleteObjectVersion(ctx, bucket, key, versionID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		s.blobs.remove(garbage)
		return &Deleted{VersionID: versionID, DeleteMarker: o.DeleteMarker}, nil
	}
	if b.Versioning == "" {
		garbage, err := s.st.DeleteObjectVersion(ctx, bucket, key, "null")
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		s.blobs.remove(garbage)
		return &Deleted{}, nil
	}
	marker := store.BucketObject{Bucket: bucket, Key: key, VersionID: versionFor(b), DeleteMarker: true, Modified: s.clock.Now().UnixMilli()}
	garbage, err := s.st.PutObject(ctx, &marker)
	if err != nil {
		return nil, err
	}
	s.blobs.remove(garbage)
	return &Deleted{VersionID: marker.VersionID, DeleteMarker: true}, nil
}

// Copy is a CopyObject request.
type Copy struct {
	Source            CopySource
	Bucket, Key       string
	Conditions        Conditions // x-amz-copy-source-if-*
	ReplaceMetadata   bool       // x-amz-metadata-directive: REPLACE
	Headers, Metadata map[string]string
}

// CopyObject copies an object, with its metadata or (ReplaceMetadata)
// the request's.
func (s *Service) CopyObject(ctx context.Context, sc Scope, c Copy) (*store.BucketObject, error) {
	src, err := s.GetObject(ctx, sc, c.Source.Bucket, c.Source.Key, c.Source.VersionID, "", c.Conditions)
	if err != nil {
		if e := (*Error)(nil); errors.As(err, &e) && e.Code == "NotModified" {
			return nil, newError("PreconditionFailed", c.Source.Key, "At least one of the pre-conditions you specified did not hold")
		}
		return nil, err
	}
	defer src.Body.Close()
	b, err := s.access(ctx, sc, c.Bucket, "s3:PutObject", c.Key)
	if err != nil {
		return nil, err
	}
	same := c.Source.Bucket == c.Bucket && c.Source.Key == c.Key && c.Source.VersionID == ""
	if same && !c.ReplaceMetadata && b.Versioning == "" {
		return nil, newError("InvalidRequest", c.Key, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	p := Put{Bucket: c.Bucket, Key: c.Key, Body: src.Body, Headers: src.Headers, Metadata: src.Metadata}
	if c.ReplaceMetadata {
		p.Headers, p.Metadata = c.Headers, c.Metadata
	}
	return s.store(ctx, b, p)
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (r readCloser) Close() error { return r.c.Close() }
