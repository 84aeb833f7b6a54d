package s3

import (
	"context"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/buckets"
)

// CreateMultipartUpload starts a multipart upload.
func (p *Provider) CreateMultipartUpload(ctx context.Context, in *CreateMultipartUploadRequest) (*CreateMultipartUploadOutput, error) {
	if err := unsupportedWrite(in.ServerSideEncryption, in.SSEKMSKeyId, in.SSECustomerAlgorithm, in.StorageClass, in.Tagging,
		in.ObjectLockMode, in.WebsiteRedirectLocation); err != nil {
		return nil, err
	}
	if err := plainACL(string(in.ACL), in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWriteACP); err != nil {
		return nil, err
	}
	if in.ChecksumType == ChecksumTypeFULLOBJECT {
		// Each part's checksum is verified as it arrives; a full-object
		// checksum of the assembled object is not computed.
		return nil, notImplemented("full-object checksums of multipart uploads (x-amz-checksum-type: FULL_OBJECT)")
	}
	u, err := p.b.CreateUpload(ctx, scope(ctx), buckets.Put{Bucket: *in.Bucket, Key: *in.Key, Metadata: in.Metadata,
		Headers: systemHeaders(in.ContentType, in.ContentEncoding, in.ContentDisposition, in.ContentLanguage, in.CacheControl, in.Expires)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, UploadId: &u.ID, ServerSideEncryption: ServerSideEncryptionAES256}, nil
}

// UploadPart stores a part.
func (p *Provider) UploadPart(ctx context.Context, in *UploadPartRequest) (*UploadPartOutput, error) {
	if in.SSECustomerAlgorithm != nil {
		return nil, notImplemented("SSE-C keys")
	}
	sum, err := contentMD5(in.ContentMD5)
	if err != nil {
		return nil, err
	}
	part, err := p.b.UploadPart(ctx, scope(ctx), *in.Bucket, *in.Key, *in.UploadId, int(*in.PartNumber), in.Body, sum)
	if err != nil {
		return nil, apiError(err)
	}
	return &UploadPartOutput{ETag: &part.ETag, ServerSideEncryption: ServerSideEncryptionAES256,
		ChecksumCRC32: checksum(in.Body, in.ChecksumCRC32, "crc32"), ChecksumCRC32C: checksum(in.Body, in.ChecksumCRC32C, "crc32c"),
		ChecksumCRC64NVME: checksum(in.Body, in.ChecksumCRC64NVME, "crc64nvme"),
		ChecksumSHA1:      checksum(in.Body, in.ChecksumSHA1, "sha1"), ChecksumSHA256: checksum(in.Body, in.ChecksumSHA256, "sha256")}, nil
}

// UploadPartCopy stores a part copied from an object.
func (p *Provider) UploadPartCopy(ctx context.Context, in *UploadPartCopyRequest) (*UploadPartCopyOutput, error) {
	if in.SSECustomerAlgorithm != nil || in.CopySourceSSECustomerAlgorithm != nil {
		return nil, notImplemented("SSE-C keys")
	}
	src, err := buckets.ParseCopySource(*in.CopySource)
	if err != nil {
		return nil, apiError(err)
	}
	part, err := p.b.UploadPartCopy(ctx, scope(ctx), src,
		conditions(in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince),
		api.Value(in.CopySourceRange), *in.Bucket, *in.Key, *in.UploadId, int(*in.PartNumber))
	if err != nil {
		return nil, apiError(err)
	}
	return &UploadPartCopyOutput{CopyPartResult: &CopyPartResult{ETag: &part.ETag, LastModified: api.Ptr(time.UnixMilli(part.Modified).UTC())},
		CopySourceVersionId: versionOut(src.VersionID)}, nil
}

// ListParts lists an upload's parts.
func (p *Provider) ListParts(ctx context.Context, in *ListPartsRequest) (*ListPartsOutput, error) {
	sc := scope(ctx)
	n := maxKeys(in.MaxParts)
	after := int(api.Value(in.PartNumberMarker))
	_, parts, err := p.b.Parts(ctx, sc, *in.Bucket, *in.Key, *in.UploadId, after, n+1)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListPartsOutput{Bucket: in.Bucket, Key: in.Key, UploadId: in.UploadId, PartNumberMarker: api.Ptr(int32(after)),
		MaxParts: api.Ptr(int32(n)), IsTruncated: api.Ptr(n > 0 && len(parts) > n), Owner: owner(sc.Account),
		Initiator: &Initiator{ID: api.Ptr(sc.Account)}, StorageClass: StorageClassSTANDARD}
	if len(parts) > n {
		// max-parts 0 asks for an empty page, which continues nowhere.
		parts = parts[:n]
		if n > 0 {
			out.NextPartNumberMarker = api.Ptr(int32(parts[n-1].Number))
		}
	}
	for _, pt := range parts {
		out.Parts = append(out.Parts, Part{PartNumber: api.Ptr(int32(pt.Number)), ETag: api.Ptr(pt.ETag), Size: api.Ptr(pt.Size),
			LastModified: api.Ptr(time.UnixMilli(pt.Modified).UTC())})
	}
	return out, nil
}

// ListMultipartUploads lists a bucket's uploads in progress.
func (p *Provider) ListMultipartUploads(ctx context.Context, in *ListMultipartUploadsRequest) (*ListMultipartUploadsOutput, error) {
	if in.Delimiter != nil {
		return nil, notImplemented("delimiters in ListMultipartUploads")
	}
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	sc := scope(ctx)
	n := maxKeys(in.MaxUploads)
	list, err := p.b.Uploads(ctx, sc, *in.Bucket, api.Value(in.Prefix), api.Value(in.KeyMarker), api.Value(in.UploadIdMarker), n+1)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListMultipartUploadsOutput{Bucket: in.Bucket, Prefix: enc(api.Value(in.Prefix)), KeyMarker: enc(api.Value(in.KeyMarker)),
		UploadIdMarker: api.Ptr(api.Value(in.UploadIdMarker)), MaxUploads: api.Ptr(int32(n)), IsTruncated: api.Ptr(n > 0 && len(list) > n),
		EncodingType: in.EncodingType}
	if len(list) > n {
		list = list[:n]
		if n > 0 {
			out.NextKeyMarker, out.NextUploadIdMarker = enc(list[n-1].Key), api.Ptr(list[n-1].ID)
		}
	}
	for _, u := range list {
		out.Uploads = append(out.Uploads, MultipartUpload{UploadId: api.Ptr(u.ID), Key: enc(u.Key),
			Initiated: api.Ptr(time.UnixMilli(u.Initiated).UTC()), StorageClass: StorageClassSTANDARD,
			Owner: owner(sc.Account), Initiator: &Initiator{ID: api.Ptr(sc.Account)}})
	}
	return out, nil
}

// CompleteMultipartUpload assembles an upload's parts into its object.
func (p *Provider) CompleteMultipartUpload(ctx context.Context, in *CompleteMultipartUploadRequest) (*CompleteMultipartUploadOutput, error) {
	if in.IfMatch != nil || in.IfNoneMatch != nil || in.MpuObjectSize != nil {
		return nil, notImplemented("conditional writes and x-amz-mp-object-size on CompleteMultipartUpload")
	}
	var parts []buckets.CompletedPart
	if in.MultipartUpload != nil {
		for _, pt := range in.MultipartUpload.Parts {
			parts = append(parts, buckets.CompletedPart{Number: int(api.Value(pt.PartNumber)), ETag: api.Value(pt.ETag)})
		}
	}
	o, err := p.b.CompleteUpload(ctx, scope(ctx), *in.Bucket, *in.Key, *in.UploadId, parts)
	if err != nil {
		return nil, apiError(err)
	}
	return &CompleteMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, ETag: &o.ETag, VersionId: versionOut(o.VersionID),
		Location: api.Ptr("/" + *in.Bucket + "/" + *in.Key), ServerSideEncryption: ServerSideEncryptionAES256}, nil
}

// AbortMultipartUpload removes an upload and its parts.
func (p *Provider) AbortMultipartUpload(ctx context.Context, in *AbortMultipartUploadRequest) (*AbortMultipartUploadOutput, error) {
	if in.IfMatchInitiatedTime != nil {
		return nil, notImplemented("x-amz-if-match-initiated-time")
	}
	if err := p.b.AbortUpload(ctx, scope(ctx), *in.Bucket, *in.Key, *in.UploadId); err != nil {
		return nil, apiError(err)
	}
	return &AbortMultipartUploadOutput{}, nil
}
