package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/buckets"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
)

// Provider implements the S3 operations on the bucket store.
type Provider struct {
	Unimplemented
	b *buckets.Service
}

// New returns the S3 API over the bucket store.
func New(b *buckets.Service) *Provider { return &Provider{b: b} }

// scope returns the request's account and region.
func scope(ctx context.Context) buckets.Scope {
	info := request.FromContext(ctx)
	return buckets.Scope{Account: info.Principal.Account, Region: info.Region, Principal: info.Principal.ARN}
}

// statuses are the HTTP statuses of the bucket store's error codes
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html);
// the codes not listed are 400s.
var statuses = map[string]int{
	"NoSuchBucket": 404, "NoSuchKey": 404, "NoSuchVersion": 404, "NoSuchUpload": 404,
	"NoSuchLifecycleConfiguration": 404, "NoSuchTagSet": 404, "NoSuchBucketPolicy": 404,
	"BucketAlreadyExists": 409, "BucketAlreadyOwnedByYou": 409, "BucketNotEmpty": 409,
	"AccessDenied": 403, "PreconditionFailed": 412, "NotModified": 304, "InvalidRange": 416,
	"MethodNotAllowed": 405, "NotImplemented": 501,
}

// apiError turns the bucket store's errors into S3's XML errors.
func apiError(err error) error {
	var e *buckets.Error
	if !errors.As(err, &e) {
		return err
	}
	status, ok := statuses[e.Code]
	if !ok {
		status = http.StatusBadRequest
	}
	pe := &protocol.Error{Code: e.Code, Status: status, Message: e.Message, Server: status == 501}
	if e.Resource != "" {
		pe.Fields = []protocol.Field{{Name: "Resource", Value: e.Resource}}
	}
	return pe
}

// s3Error is an S3 error the API itself answers.
func s3Error(code, format string, args ...any) error {
	return apiError(&buckets.Error{Code: code, Message: fmt.Sprintf(format, args...)})
}

// notImplemented refuses an option Vigil does not support, naming it.
func notImplemented(option string) error {
	return s3Error("NotImplemented", "Vigil's bucket store does not implement %s.", option)
}

// contentMD5 decodes an upload's Content-MD5 (nil when absent), which
// the bucket store checks once it has the bytes.
func contentMD5(v *string) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(*v)
	if err != nil || len(sum) != md5.Size {
		return nil, s3Error("InvalidDigest", "The Content-MD5 you specified was invalid.")
	}
	return sum, nil
}

// checksum is an upload's x-amz-checksum-<alg> value as S3 echoes it: its
// header's, or its aws-chunked trailer's, which the front door verified
// and which is known once the body has been read.
func checksum(body io.Reader, header *string, alg string) *string {
	if header != nil {
		return header
	}
	if t, ok := body.(interface{ Trailers() http.Header }); ok {
		if v := t.Trailers().Get("X-Amz-Checksum-" + alg); v != "" {
			return &v
		}
	}
	return nil
}

// CreateBucket creates a bucket.
func (p *Provider) CreateBucket(ctx context.Context, in *CreateBucketRequest) (*CreateBucketOutput, error) {
	location := ""
	if c := in.CreateBucketConfiguration; c != nil {
		if c.Location != nil || c.Bucket != nil || len(c.Tags) > 0 {
			return nil, notImplemented("CreateBucketConfiguration Location, Bucket and Tags (directory buckets and tags at creation)")
		}
		location = string(c.LocationConstraint)
	}
	if in.ObjectLockEnabledForBucket != nil && *in.ObjectLockEnabledForBucket {
		return nil, notImplemented("S3 Object Lock")
	}
	if err := plainACL(string(in.ACL), in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP); err != nil {
		return nil, err
	}
	b, err := p.b.CreateBucket(ctx, scope(ctx), *in.Bucket, location)
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateBucketOutput{Location: api.Ptr("/" + b.Name), BucketArn: api.Ptr("arn:aws:s3:::" + b.Name)}, nil
}

// plainACL accepts the canned ACLs that match what Vigil enforces (the
// owner alone) and refuses grants.
func plainACL(acl string, grants ...*string) error {
	switch acl {
	case "", "private", "bucket-owner-full-control":
	default:
		return notImplemented("the canned ACL " + acl)
	}
	for _, g := range grants {
		if g != nil {
			return notImplemented("ACL grants (x-amz-grant-*)")
		}
	}
	return nil
}

// HeadBucket tells whether a bucket exists and the caller owns it.
func (p *Provider) HeadBucket(ctx context.Context, in *HeadBucketRequest) (*HeadBucketOutput, error) {
	b, err := p.b.Bucket(ctx, scope(ctx), *in.Bucket, "s3:ListBucket")
	if err != nil {
		return nil, apiError(err)
	}
	return &HeadBucketOutput{BucketRegion: &b.Region, BucketArn: api.Ptr("arn:aws:s3:::" + b.Name)}, nil
}

// ListBuckets lists the caller's buckets.
func (p *Provider) ListBuckets(ctx context.Context, in *ListBucketsRequest) (*ListBucketsOutput, error) {
	if in.MaxBuckets != nil || in.ContinuationToken != nil || in.BucketRegion != nil {
		return nil, notImplemented("ListBuckets pagination and region filters")
	}
	sc := scope(ctx)
	list, err := p.b.ListBuckets(ctx, sc)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListBucketsOutput{Owner: owner(sc.Account), Buckets: []Bucket{}, Prefix: in.Prefix}
	for _, b := range list {
		if in.Prefix != nil && !strings.HasPrefix(b.Name, *in.Prefix) {
			continue
		}
		out.Buckets = append(out.Buckets, Bucket{Name: api.Ptr(b.Name), CreationDate: api.Ptr(time.UnixMilli(b.Created).UTC()),
			BucketRegion: api.Ptr(b.Region), BucketArn: api.Ptr("arn:aws:s3:::" + b.Name)})
	}
	return out, nil
}

func owner(account string) *Owner { return &Owner{ID: api.Ptr(account)} }

// DeleteBucket deletes an empty bucket.
func (p *Provider) DeleteBucket(ctx context.Context, in *DeleteBucketRequest) (*DeleteBucketOutput, error) {
	if err := p.b.DeleteBucket(ctx, scope(ctx), *in.Bucket); err != nil {
		return nil, apiError(err)
	}
	return &DeleteBucketOutput{}, nil
}

// GetBucketLocation returns a bucket's region: empty for us-east-1, as
// S3 answers.
func (p *Provider) GetBucketLocation(ctx context.Context, in *GetBucketLocationRequest) (*GetBucketLocationOutput, error) {
	b, err := p.b.Bucket(ctx, scope(ctx), *in.Bucket, "s3:GetBucketLocation")
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetBucketLocationOutput{}
	if b.Region != "us-east-1" {
		out.LocationConstraint = BucketLocationConstraint(b.Region)
	}
	return out, nil
}
