package s3

import (
	"io"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/audit"
)

// TestUploadParams: a PutObject's CloudTrail requestParameters hold its
// bucket and key, neither its streamed body nor the enum members it did
// not give.
func TestUploadParams(t *testing.T) {
	bucket, key := "photos", "a.jpg"
	got := string(audit.Params(&PutObjectRequest{Bucket: &bucket, Key: &key, Body: io.NopCloser(strings.NewReader("object bytes"))}))
	if got != `{"bucket":"photos","key":"a.jpg"}` {
		t.Errorf("Params(PutObject) = %s; want the bucket and key only", got)
	}
}
