package buckets

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// maxPartNumber is S3's largest part number.
const maxPartNumber = 10000

// minPartSize is the least size of every part but the last.
const minPartSize = 5 << 20

// CreateUpload starts a multipart upload of an object that will carry
// p's headers and metadata (p.Body is ignored).
func (s *Service) CreateUpload(ctx context.Context, sc Scope, p Put) (*store.Upload, error) {
	if _, err := s.access(ctx, sc, p.Bucket, "s3:PutObject", p.Key); err != nil {
		return nil, err
	}
	u := store.Upload{ID: newName(), Bucket: p.Bucket, Key: p.Key, Initiated: s.clock.Now().UnixMilli(),
		Headers: withDefaultType(p.Headers), Metadata: p.Metadata}
	if err := s.st.CreateUpload(ctx, u); err != nil {
		return nil, err
	}
	return &u, nil
}

func noSuchUpload(id string) *Error {
	return newError("NoSuchUpload", id, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

// upload returns an upload of a bucket for the key, once the caller may
// act on it with action.
func (s *Service) upload(ctx context.Context, sc Scope, bucket, key, id, action string) (*store.Upload, error) {
	if _, err := s.access(ctx, sc, bucket, action, key); err != nil {
		return nil, err
	}
	u, err := s.st.Upload(ctx, bucket, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Key != key) {
		return nil, noSuchUpload(id)
	}
	return u, err
}

// UploadPart stores a part of an upload, which data reads (a read error
// fails it); contentMD5, when not nil, is the MD5 the part must have.
func (s *Service) UploadPart(ctx context.Context, sc Scope, bucket, key, uploadID string, number int, data io.Reader, contentMD5 []byte) (*store.UploadPart, error) {
	if number < 1 || number > maxPartNumber {
		return nil, newError("InvalidArgument", fmt.Sprint(number), "Part number must be an integer between 1 and 10000, inclusive")
	}
	if _, err := s.upload(ctx, sc, bucket, key, uploadID, "s3:PutObject"); err != nil {
		return nil, err
	}
	w, err := s.blobs.write(data)
	if err != nil {
		return nil, err
	}
	blob := w.name
	if contentMD5 != nil && string(contentMD5) != string(w.md5[:]) {
		s.blobs.remove([]string{blob})
		return nil, newError("BadDigest", key, "The Content-MD5 you specified did not match what we received.")
	}
	p := store.UploadPart{UploadID: uploadID, Number: number, Size: w.size, ETag: etag(w.md5),
		Modified: s.clock.Now().UnixMilli(), Blob: blob}
	garbage, err := s.st.PutPart(ctx, p)
	if err != nil {
		s.blobs.remove([]string{blob})
		if errors.Is(err, store.ErrNotFound) {
			return nil, noSuchUpload(uploadID)
		}
		return nil, err
	}
	s.blobs.remove(garbage)
	return &p, nil
}

// UploadPartCopy stores a part copied from (a range of) an object.
func (s *Service) UploadPartCopy(ctx context.Context, sc Scope, src CopySource, c Conditions, rng, bucket, key, uploadID string, number int) (*store.UploadPart, error) {
	o, err := s.GetObject(ctx, sc, src.Bucket, src.Key, src.VersionID, "", c)
	if err != nil {
		return nil, err
	}
	defer o.Body.Close()
	var data io.Reader = o.Body
	if rng != "" {
		r, ok, err := ParseRange(rng, o.Size)
		if err != nil || !ok || strings.Contains(rng, "=-") || strings.HasSuffix(rng, "-") || r.End >= o.Size {
			return nil, newError("InvalidArgument", rng, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
		}
		ra, ok := o.Body.(io.ReaderAt)
		if !ok {
			return nil, fmt.Errorf("BUG: buckets: object %s cannot be read at an offset", src.Key)
		}
		data = io.NewSectionReader(ra, r.Start, r.End+1-r.Start)
	}
	return s.UploadPart(ctx, sc, bucket, key, uploadID, number, data, nil)
}

// Parts lists an upload's parts after a part number.
func (s *Service) Parts(ctx context.Context, sc Scope, bucket, key, uploadID string, after, limit int) (*store.Upload, []store.UploadPart, error) {
	u, err := s.upload(ctx, sc, bucket, key, uploadID, "s3:ListMultipartUploadParts")
	if err != nil {
		return nil, nil, err
	}
	parts, err := s.st.Parts(ctx, uploadID, after, limit)
	return u, parts, err
}

// Uploads lists a bucket's uploads in progress.
func (s *Service) Uploads(ctx context.Context, sc Scope, bucket, prefix, afterKey, afterID string, limit int) ([]store.Upload, error) {
	if _, err := s.Bucket(ctx, sc, bucket, "s3:ListBucketMultipartUploads"); err != nil {
		return nil, err
	}
	return s.st.Uploads(ctx, bucket, prefix, afterKey, afterID, limit)
}

// AbortUpload removes an upload and its parts.
func (s *Service) AbortUpload(ctx context.Context, sc Scope, bucket, key, uploadID string) error {
	if _, err := s.upload(ctx, sc, bucket, key, uploadID, "s3:AbortMultipartUpload"); err != nil {
		return err
	}
	garbage, err := s.st.AbortUpload(ctx, uploadID)
	if errors.Is(err, store.ErrNotFound) {
		return noSuchUpload(uploadID)
	}
	s.blobs.remove(garbage)
	return err
}

// CompletedPart is a part a CompleteMultipartUpload names.
type CompletedPart struct {
	Number int
	ETag   string
}

// CompleteUpload assembles the named parts, in ascending order, into the
// object; its ETag is the MD5 of the parts' MD5s followed by "-N".
func (s *Service) CompleteUpload(ctx context.Context, sc Scope, bucket, key, uploadID string, want []CompletedPart) (*store.BucketObject, error) {
	u, err := s.upload(ctx, sc, bucket, key, uploadID, "s3:PutObject")
	if err != nil {
		return nil, err
	}
	b, err := s.access(ctx, sc, bucket, "s3:PutObject", key)
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return nil, newError("MalformedXML", uploadID, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	stored, err := s.st.Parts(ctx, uploadID, 0, 0)
	if err != nil {
		return nil, err
	}
	byNumber := make(map[int]store.UploadPart, len(stored))
	for _, p := range stored {
		byNumber[p.Number] = p
	}
	var blobs []string
	var size int64
	sums := md5.New()
	for i := 1; i < len(want); i++ {
		if want[i].Number <= want[i-1].Number {
			return nil, newError("InvalidPartOrder", uploadID, "The list of parts was not in ascending order. Parts must be ordered by part number.")
		}
	}
	for i, w := range want {
		p, ok := byNumber[w.Number]
		if !ok || strings.Trim(w.ETag, `"`) != strings.Trim(p.ETag, `"`) {
			return nil, newError("InvalidPart", uploadID, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
		}
		if i < len(want)-1 && p.Size < minPartSize {
			return nil, newError("EntityTooSmall", uploadID, "Your proposed upload is smaller than the minimum allowed object size.")
		}
		blobs, size = append(blobs, p.Blob), size+p.Size
		sum, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		sums.Write(sum)
	}
	blob, err := s.blobs.concat(blobs)
	if err != nil {
		return nil, err
	}
	o := store.BucketObject{
		Bucket: bucket, Key: key, VersionID: versionFor(b), Size: size,
		ETag:     fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(sums.Sum(nil)), len(want)),
		Modified: s.clock.Now().UnixMilli(), Headers: u.Headers, Metadata: u.Metadata, Blob: blob, Parts: len(want),
	}
	garbage, err := s.st.CompleteUpload(ctx, uploadID, &o)
	if err != nil {
		s.blobs.remove([]string{blob})
		if errors.Is(err, store.ErrNotFound) {
			return nil, noSuchUpload(uploadID)
		}
		return nil, err
	}
	s.blobs.remove(garbage)
	return &o, nil
}
