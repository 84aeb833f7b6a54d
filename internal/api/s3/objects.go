package s3

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/buckets"
	"github.com/vigilhq/vigil/internal/store"
)

// systemHeaders gathers the headers an object keeps.
func systemHeaders(contentType, encoding, disposition, language, cacheControl, expires *string) map[string]string {
	h := map[string]string{}
	set := func(name string, v *string) {
		if v != nil && *v != "" {
			h[name] = *v
		}
	}
	set("Content-Type", contentType)
	set("Content-Disposition", disposition)
	set("Content-Language", language)
	set("Cache-Control", cacheControl)
	set("Expires", expires)
	if encoding != nil {
		// aws-chunked framed the upload; it is no property of the object.
		var keep []string
		for _, e := range strings.Split(*encoding, ",") {
			if e = strings.TrimSpace(e); e != "" && e != "aws-chunked" {
				keep = append(keep, e)
			}
		}
		if len(keep) > 0 {
			h["Content-Encoding"] = strings.Join(keep, ",")
		}
	}
	return h
}

// unsupportedWrite refuses the object options Vigil does not implement.
func unsupportedWrite(sse ServerSideEncryption, kmsKey, customerAlg *string, storageClass StorageClass, tagging *string,
	lockMode ObjectLockMode, redirect *string) error {
	switch {
	case sse != "" && sse != ServerSideEncryptionAES256:
		return notImplemented("server-side encryption " + string(sse))
	case kmsKey != nil, customerAlg != nil:
		return notImplemented("SSE-KMS and SSE-C keys")
	case storageClass != "" && storageClass != StorageClassSTANDARD:
		return notImplemented("the storage class " + string(storageClass))
	case tagging != nil:
		return notImplemented("object tagging (x-amz-tagging)")
	case lockMode != "":
		return notImplemented("S3 Object Lock")
	case redirect != nil:
		return notImplemented("website redirects")
	}
	return nil
}

// versionOut is a version id as S3 reports it: none for the "null"
// version of a bucket that never had versioning.
func versionOut(id string) *string {
	if id == "" || id == "null" {
		return nil
	}
	return &id
}

// PutObject stores an object.
func (p *Provider) PutObject(ctx context.Context, in *PutObjectRequest) (*PutObjectOutput, error) {
	if err := unsupportedWrite(in.ServerSideEncryption, in.SSEKMSKeyId, in.SSECustomerAlgorithm, in.StorageClass, in.Tagging,
		in.ObjectLockMode, in.WebsiteRedirectLocation); err != nil {
		return nil, err
	}
	if in.WriteOffsetBytes != nil {
		return nil, notImplemented("appends (x-amz-write-offset-bytes)")
	}
	if err := plainACL(string(in.ACL), in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP); err != nil {
		return nil, err
	}
	sum, err := contentMD5(in.ContentMD5)
	if err != nil {
		return nil, err
	}
	put := buckets.Put{Bucket: *in.Bucket, Key: *in.Key, Body: in.Body, ContentMD5: sum, Metadata: in.Metadata,
		Headers: systemHeaders(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl, in.Expires),
		IfMatch: api.Value(in.IfMatch), IfNoneMatch: api.Value(in.IfNoneMatch)}
	o, err := p.b.PutObject(ctx, scope(ctx), put)
	if err != nil {
		return nil, apiError(err)
	}
	return &PutObjectOutput{ETag: &o.ETag, VersionId: versionOut(o.VersionID), ServerSideEncryption: ServerSideEncryptionAES256,
		ChecksumCRC32: checksum(in.Body, in.ChecksumCRC32, "crc32"), ChecksumCRC32C: checksum(in.Body, in.ChecksumCRC32C, "crc32c"),
		ChecksumCRC64NVME: checksum(in.Body, in.ChecksumCRC64NVME, "crc64nvme"),
		ChecksumSHA1:      checksum(in.Body, in.ChecksumSHA1, "sha1"), ChecksumSHA256: checksum(in.Body, in.ChecksumSHA256, "sha256")}, nil
}

// header returns a stored header, nil when absent.
func header(o *store.BucketObject, name string) *string {
	if v, ok := o.Headers[name]; ok {
		return &v
	}
	return nil
}

func conditions(ifMatch, ifNoneMatch *string, modSince, unmodSince *time.Time) buckets.Conditions {
	return buckets.Conditions{IfMatch: api.Value(ifMatch), IfNoneMatch: api.Value(ifNoneMatch),
		IfModifiedSince: modSince, IfUnmodifiedSince: unmodSince}
}

// override is a response-* query parameter's value, else the stored one.
func override(q *string, stored *string) *string {
	if q != nil {
		return q
	}
	return stored
}

// GetObject returns an object or a range of it.
func (p *Provider) GetObject(ctx context.Context, in *GetObjectRequest) (*GetObjectOutput, error) {
	if in.PartNumber != nil {
		return nil, notImplemented("GetObject by partNumber")
	}
	if in.SSECustomerAlgorithm != nil {
		return nil, notImplemented("SSE-C keys")
	}
	o, err := p.b.GetObject(ctx, scope(ctx), *in.Bucket, *in.Key, api.Value(in.VersionId), api.Value(in.Range),
		conditions(in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince))
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetObjectOutput{
		Body: o.Body, AcceptRanges: api.Ptr("bytes"), ContentLength: api.Ptr(o.Length), ETag: &o.ETag,
		LastModified: api.Ptr(time.UnixMilli(o.Modified).UTC()), VersionId: versionOut(o.VersionID), Metadata: o.Metadata,
		ContentType:          override(in.ResponseContentType, header(&o.BucketObject, "Content-Type")),
		ContentEncoding:      override(in.ResponseContentEncoding, header(&o.BucketObject, "Content-Encoding")),
		ContentDisposition:   override(in.ResponseContentDisposition, header(&o.BucketObject, "Content-Disposition")),
		ContentLanguage:      override(in.ResponseContentLanguage, header(&o.BucketObject, "Content-Language")),
		CacheControl:         override(in.ResponseCacheControl, header(&o.BucketObject, "Cache-Control")),
		Expires:              header(&o.BucketObject, "Expires"),
		ServerSideEncryption: ServerSideEncryptionAES256,
	}
	if in.ResponseExpires != nil {
		out.Expires = api.Ptr(in.ResponseExpires.UTC().Format(http.TimeFormat))
	}
	if o.ContentRange != "" {
		out.ContentRange = &o.ContentRange
	}
	if o.Parts > 0 {
		out.PartsCount = api.Ptr(int32(o.Parts))
	}
	return out, nil
}

// HeadObject returns an object's metadata.
func (p *Provider) HeadObject(ctx context.Context, in *HeadObjectRequest) (*HeadObjectOutput, error) {
	if in.PartNumber != nil || in.Range != nil {
		return nil, notImplemented("HeadObject by partNumber or Range")
	}
	o, err := p.b.HeadObject(ctx, scope(ctx), *in.Bucket, *in.Key, api.Value(in.VersionId),
		conditions(in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince))
	if err != nil {
		return nil, apiError(err)
	}
	out := &HeadObjectOutput{
		AcceptRanges: api.Ptr("bytes"), ContentLength: &o.Size, ETag: &o.ETag,
		LastModified: api.Ptr(time.UnixMilli(o.Modified).UTC()), VersionId: versionOut(o.VersionID), Metadata: o.Metadata,
		ContentType: header(o, "Content-Type"), ContentEncoding: header(o, "Content-Encoding"),
		ContentDisposition: header(o, "Content-Disposition"), ContentLanguage: header(o, "Content-Language"),
		CacheControl: header(o, "Cache-Control"), Expires: header(o, "Expires"),
		ServerSideEncryption: ServerSideEncryptionAES256,
	}
	if o.Parts > 0 {
		out.PartsCount = api.Ptr(int32(o.Parts))
	}
	return out, nil
}

// DeleteObject deletes an object or one of its versions.
func (p *Provider) DeleteObject(ctx context.Context, in *DeleteObjectRequest) (*DeleteObjectOutput, error) {
	if in.IfMatch != nil || in.IfMatchLastModifiedTime != nil || in.IfMatchSize != nil {
		return nil, notImplemented("conditional deletes")
	}
	d, err := p.b.DeleteObject(ctx, scope(ctx), *in.Bucket, *in.Key, api.Value(in.VersionId))
	if err != nil {
		return nil, apiError(err)
	}
	out := &DeleteObjectOutput{VersionId: versionOut(d.VersionID)}
	if d.DeleteMarker {
		out.DeleteMarker = api.Ptr(true)
	}
	return out, nil
}

// DeleteObjects deletes up to 1,000 objects, reporting each.
func (p *Provider) DeleteObjects(ctx context.Context, in *DeleteObjectsRequest) (*DeleteObjectsOutput, error) {
	if len(in.Delete.Objects) > 1000 {
		return nil, s3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	sc := scope(ctx)
	// Only a missing bucket fails the whole request; a caller of
	// another account is answered key by key.
	if _, err := p.b.Bucket(ctx, sc, *in.Bucket, "s3:DeleteObject"); err != nil && !errors.Is(err, buckets.ErrAccessDenied) {
		return nil, apiError(err)
	}
	quiet := api.Value(in.Delete.Quiet)
	out := &DeleteObjectsOutput{}
	for _, id := range in.Delete.Objects {
		d, err := p.b.DeleteObject(ctx, sc, *in.Bucket, *id.Key, api.Value(id.VersionId))
		if err != nil {
			var e *buckets.Error
			if !errors.As(err, &e) {
				return nil, err
			}
			out.Errors = append(out.Errors, Error{Key: id.Key, VersionId: id.VersionId, Code: &e.Code, Message: &e.Message})
			continue
		}
		if quiet {
			continue
		}
		del := DeletedObject{Key: id.Key, VersionId: id.VersionId}
		if d.DeleteMarker {
			del.DeleteMarker = api.Ptr(true)
			if id.VersionId == nil {
				del.DeleteMarkerVersionId = api.Ptr(d.VersionID)
			}
		}
		out.Deleted = append(out.Deleted, del)
	}
	return out, nil
}

// CopyObject copies an object.
func (p *Provider) CopyObject(ctx context.Context, in *CopyObjectRequest) (*CopyObjectOutput, error) {
	if err := unsupportedWrite(in.ServerSideEncryption, in.SSEKMSKeyId, in.SSECustomerAlgorithm, in.StorageClass, in.Tagging,
		in.ObjectLockMode, in.WebsiteRedirectLocation); err != nil {
		return nil, err
	}
	if in.TaggingDirective == TaggingDirectiveREPLACE || in.CopySourceSSECustomerAlgorithm != nil || in.IfMatch != nil || in.IfNoneMatch != nil {
		return nil, notImplemented("tagging directives, SSE-C sources and conditional writes on CopyObject")
	}
	if err := plainACL(string(in.ACL), in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP); err != nil {
		return nil, err
	}
	src, err := buckets.ParseCopySource(*in.CopySource)
	if err != nil {
		return nil, apiError(err)
	}
	o, err := p.b.CopyObject(ctx, scope(ctx), buckets.Copy{
		Source: src, Bucket: *in.Bucket, Key: *in.Key, ReplaceMetadata: in.MetadataDirective == MetadataDirectiveREPLACE,
		Conditions: conditions(in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince),
		Headers:    systemHeaders(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl, in.Expires),
		Metadata:   in.Metadata,
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &CopyObjectOutput{
		CopyObjectResult:    &CopyObjectResult{ETag: &o.ETag, LastModified: api.Ptr(time.UnixMilli(o.Modified).UTC())},
		VersionId:           versionOut(o.VersionID),
		CopySourceVersionId: versionOut(src.VersionID), ServerSideEncryption: ServerSideEncryptionAES256,
	}, nil
}
