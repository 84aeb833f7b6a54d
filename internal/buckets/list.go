package buckets

import (
	"context"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// List is a listing of a bucket's keys.
type List struct {
	Bucket, Prefix, Delimiter string
	// After is the cursor: keys after it are listed; a cursor that is a
	// common prefix (ends with the delimiter) skips the keys under it.
	After   string
	MaxKeys int
}

// Listing is a page of keys and common prefixes.
type Listing struct {
	Objects        []store.BucketObject
	CommonPrefixes []string
	Truncated      bool
	// Last is the last key or common prefix of the page, the cursor of
	// the next.
	Last string
}

// listPage is how many rows a listing reads from the store at a time.
const listPage = 1000

// skipPast returns the cursor after every key that begins with prefix
// (0xff never occurs in UTF-8).
func skipPast(prefix string) string { return prefix + "\xff" }

// ListObjects lists the latest versions of a bucket's keys, keys with
// the delimiter after the prefix rolled up into common prefixes.
func (s *Service) ListObjects(ctx context.Context, sc Scope, l List) (*Listing, error) {
	if _, err := s.Bucket(ctx, sc, l.Bucket, "s3:ListBucket"); err != nil {
		return nil, err
	}
	after := l.After
	if l.Delimiter != "" && strings.HasPrefix(after, l.Prefix) && strings.HasSuffix(after, l.Delimiter) {
		after = skipPast(after)
	}
	out := &Listing{}
	if l.MaxKeys <= 0 {
		return out, nil
	}
	for {
		page, err := s.st.Objects(ctx, l.Bucket, l.Prefix, after, listPage)
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			if len(out.Objects)+len(out.CommonPrefixes) == l.MaxKeys {
				out.Truncated = true
				return out, nil
			}
			if cp, ok := commonPrefix(o.Key, l.Prefix, l.Delimiter); ok {
				out.CommonPrefixes = append(out.CommonPrefixes, cp)
				out.Last = cp
				after = skipPast(cp)
				break
			}
			out.Objects = append(out.Objects, o)
			out.Last, after = o.Key, o.Key
		}
		if len(page) == 0 {
			return out, nil
		}
	}
}

// commonPrefix returns the common prefix key rolls up into, if any.
func commonPrefix(key, prefix, delimiter string) (string, bool) {
	if delimiter == "" {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delimiter)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delimiter)], true
}

// Versions is a page of ListObjectVersions.
type Versions struct {
	Versions []store.BucketObject
	// Latest tells which versions are their key's current one.
	Latest    []bool
	Truncated bool
	// NextKey and NextVersionID continue a truncated listing.
	NextKey, NextVersionID string
}

// ListObjectVersions lists every version and delete marker of the keys
// with the prefix, by key and newest first, after (keyMarker,
// versionIDMarker).
func (s *Service) ListObjectVersions(ctx context.Context, sc Scope, bucket, prefix, keyMarker, versionIDMarker string, maxKeys int) (*Versions, error) {
	if _, err := s.Bucket(ctx, sc, bucket, "s3:ListBucketVersions"); err != nil {
		return nil, err
	}
	var afterSeq int64
	if keyMarker != "" && versionIDMarker != "" {
		o, err := s.st.Object(ctx, bucket, keyMarker, versionIDMarker)
		if err != nil {
			return nil, newError("InvalidArgument", versionIDMarker, "Invalid version id specified")
		}
		afterSeq = o.Seq
	}
	list, err := s.st.ObjectVersions(ctx, bucket, prefix, keyMarker, afterSeq, maxKeys+1)
	if err != nil {
		return nil, err
	}
	out := &Versions{Versions: list}
	if len(list) > maxKeys {
		// MaxKeys 0 asks for an empty page, which continues nowhere.
		out.Versions, out.Truncated = list[:maxKeys], maxKeys > 0
		if maxKeys > 0 {
			last := list[maxKeys-1]
			out.NextKey, out.NextVersionID = last.Key, last.VersionID
		}
	}
	// A key's versions come newest first: the first of each key is its
	// current one, unless the page continues a key.
	out.Latest = make([]bool, len(out.Versions))
	for i, o := range out.Versions {
		if i == 0 {
			out.Latest[i] = afterSeq == 0 || o.Key != keyMarker
		} else {
			out.Latest[i] = out.Versions[i-1].Key != o.Key
		}
	}
	return out, nil
}
