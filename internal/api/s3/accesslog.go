package s3

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/buckets"
)

// logOperations are the operation names of S3's server access log
// records (https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html);
// an operation not listed is REST.<method>.<OPERATION>.
var logOperations = map[string]string{
	"GetObject": "REST.GET.OBJECT", "HeadObject": "REST.HEAD.OBJECT", "PutObject": "REST.PUT.OBJECT",
	"DeleteObject": "REST.DELETE.OBJECT", "CopyObject": "REST.COPY.OBJECT", "DeleteObjects": "REST.POST.MULTI_OBJECT_DELETE",
	"CreateMultipartUpload": "REST.POST.UPLOADS", "UploadPart": "REST.PUT.PART", "UploadPartCopy": "REST.COPY.PART",
	"CompleteMultipartUpload": "REST.POST.UPLOAD", "AbortMultipartUpload": "REST.DELETE.UPLOAD", "ListParts": "REST.GET.UPLOAD",
	"ListMultipartUploads": "REST.GET.UPLOADS", "ListObjects": "REST.GET.BUCKET", "ListObjectsV2": "REST.GET.BUCKET",
	"ListObjectVersions": "REST.GET.BUCKETVERSIONS", "HeadBucket": "REST.HEAD.BUCKET", "CreateBucket": "REST.PUT.BUCKET",
	"DeleteBucket": "REST.DELETE.BUCKET", "GetBucketLocation": "REST.GET.LOCATION",
	"GetBucketPolicy": "REST.GET.BUCKETPOLICY", "PutBucketPolicy": "REST.PUT.BUCKETPOLICY", "DeleteBucketPolicy": "REST.DELETE.BUCKETPOLICY",
	"GetBucketVersioning": "REST.GET.VERSIONING", "PutBucketVersioning": "REST.PUT.VERSIONING",
	"GetBucketTagging": "REST.GET.TAGGING", "PutBucketTagging": "REST.PUT.TAGGING", "DeleteBucketTagging": "REST.DELETE.TAGGING",
	"GetBucketLogging": "REST.GET.LOGGING_STATUS", "PutBucketLogging": "REST.PUT.LOGGING_STATUS",
	"GetBucketLifecycleConfiguration": "REST.GET.LIFECYCLE", "PutBucketLifecycleConfiguration": "REST.PUT.LIFECYCLE",
	"DeleteBucketLifecycle": "REST.DELETE.LIFECYCLE", "GetBucketEncryption": "REST.GET.ENCRYPTION",
	"PutBucketEncryption": "REST.PUT.ENCRYPTION", "DeleteBucketEncryption": "REST.DELETE.ENCRYPTION",
}

// AccessLogSink is the audit sink that hands every S3 request that names
// a bucket to the bucket store's server access logs.
type AccessLogSink struct {
	B      *buckets.Service
	Logger *slog.Logger
}

// Record logs e when it is an S3 request to a bucket.
func (k AccessLogSink) Record(ctx context.Context, e *audit.Event) {
	if e.Service != "s3" || e.HTTP == nil || e.Request == nil {
		return
	}
	in := fields(e.Request)
	if in.bucket == "" {
		return
	}
	r := AccessRecordOf(e)
	r.Bucket, r.Key, r.VersionID = in.bucket, in.key, in.version
	if err := k.B.LogAccess(ctx, r); err != nil && k.Logger != nil {
		k.Logger.Warn("cannot log an S3 request", "bucket", in.bucket, "request_id", e.RequestID, "error", err)
	}
}

// AccessRecordOf is the access log record of an S3 request, but for its
// bucket, key and version id.
func AccessRecordOf(e *audit.Event) buckets.AccessRecord {
	h := e.HTTP
	op, ok := logOperations[e.Operation]
	if !ok {
		op = "REST." + h.Method + "." + strings.ToUpper(e.Operation)
	}
	r := buckets.AccessRecord{
		Time: e.Time, RemoteIP: e.SourceIP, Requester: e.Principal.ARN, RequestID: e.RequestID, Operation: op,
		RequestURI: h.Method + " " + h.URI + " " + h.Proto, Status: h.Status, ErrorCode: e.ErrorCode,
		BytesSent: h.BytesSent, ObjectSize: objectSize(e.Request, e.Response), TotalTime: h.Total, TurnAround: h.TurnAround,
		Referer: h.Referer, UserAgent: e.UserAgent, HostID: e.RequestID,
		SignatureVersion: h.SignatureVersion, AuthType: h.AuthType, HostHeader: h.Host,
	}
	if t := e.TLS; t != nil {
		r.TLSVersion, r.CipherSuite = t.Version, t.CipherSuite
	}
	return r
}

// objectSize is the size of the object a request wrote or read (the
// whole object's, for a range), 0 when it names none.
func objectSize(req, resp any) int64 {
	switch out := resp.(type) {
	case *GetObjectOutput:
		if out.ContentRange != nil {
			var a, b, n int64
			if _, err := fmt.Sscanf(*out.ContentRange, "bytes %d-%d/%d", &a, &b, &n); err == nil {
				return n
			}
		}
		if out.ContentLength != nil {
			return *out.ContentLength
		}
	case *HeadObjectOutput:
		if out.ContentLength != nil {
			return *out.ContentLength
		}
	}
	var body io.Reader
	switch in := req.(type) {
	case *PutObjectRequest:
		body = in.Body
	case *UploadPartRequest:
		body = in.Body
	}
	if n, ok := body.(interface{ Size() int64 }); ok {
		return n.Size()
	}
	return 0
}

// target are the bucket, key and version id an input names.
type target struct {
	bucket, key, version string
}

// fieldIndexes caches, per input type, the indexes of its Bucket, Key
// and VersionId fields (-1 when absent). The generated inputs are few.
var fieldIndexes sync.Map // reflect.Type → [3]int

func fields(in any) target {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return target{}
	}
	v = v.Elem()
	idx, ok := fieldIndexes.Load(v.Type())
	if !ok {
		var ix [3]int
		for i, name := range []string{"Bucket", "Key", "VersionId"} {
			ix[i] = -1
			if f, ok := v.Type().FieldByName(name); ok && len(f.Index) == 1 && f.Type == reflect.TypeFor[*string]() {
				ix[i] = f.Index[0]
			}
		}
		idx, _ = fieldIndexes.LoadOrStore(v.Type(), ix)
	}
	var out [3]string
	for i, x := range idx.([3]int) {
		if x >= 0 {
			if p := v.Field(x); !p.IsNil() {
				out[i] = p.Elem().String()
			}
		}
	}
	return target{bucket: out[0], key: out[1], version: out[2]}
}
