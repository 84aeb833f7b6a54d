package buckets

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Range is a satisfiable byte range of an object, inclusive.
type Range struct {
	Start, End int64
}

// ContentRange is the Content-Range header of the range.
func (r Range) ContentRange(size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", r.Start, r.End, size)
}

// ParseRange reads an HTTP Range header for an object of size bytes
// (RFC 9110 section 14.1.2; S3 serves one range): "bytes=a-b", "bytes=a-"
// or "bytes=-n". ok is false for a header S3 ignores (another unit,
// several ranges, bad syntax), which serves the whole object; err is
// set for a range the object cannot satisfy (416 InvalidRange).
func ParseRange(h string, size int64) (r Range, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return Range{}, false, nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return Range{}, false, nil
	}
	unsatisfiable := errors.New("The requested range is not satisfiable")
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if first == "" {
		n, good := num(last)
		if !good {
			return Range{}, false, nil
		}
		if n == 0 || size == 0 {
			return Range{}, false, unsatisfiable
		}
		return Range{Start: max(size-n, 0), End: size - 1}, true, nil
	}
	start, good := num(first)
	if !good {
		return Range{}, false, nil
	}
	end := size - 1
	if last != "" {
		if end, good = num(last); !good || end < start {
			return Range{}, false, nil
		}
		end = min(end, size-1)
	}
	if start >= size {
		return Range{}, false, unsatisfiable
	}
	return Range{Start: start, End: end}, true, nil
}

// CopySource is the object an x-amz-copy-source header names.
type CopySource struct {
	Bucket, Key, VersionID string
}

// ParseCopySource reads an x-amz-copy-source header: "bucket/key" or
// "/bucket/key", URL-encoded, with an optional "?versionId=…".
func ParseCopySource(h string) (CopySource, error) {
	bad := func(why string) (CopySource, error) {
		return CopySource{}, &Error{Code: "InvalidArgument", Resource: h, Message: "Invalid copy source: " + why}
	}
	path, query, _ := strings.Cut(h, "?")
	path = strings.TrimPrefix(path, "/")
	bucket, key, found := strings.Cut(path, "/")
	if !found || bucket == "" || key == "" {
		return bad("it must name a bucket and a key, as bucket/key.")
	}
	key, err := url.PathUnescape(key)
	if err != nil {
		return bad("the key is not URL-encoded properly.")
	}
	var c CopySource
	c.Bucket, c.Key = bucket, key
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return bad("the query string is malformed.")
		}
		for k := range q {
			if k != "versionId" {
				return bad("only versionId may follow the key.")
			}
		}
		if c.VersionID = q.Get("versionId"); c.VersionID == "" {
			return bad("the versionId is empty.")
		}
	}
	return c, nil
}
