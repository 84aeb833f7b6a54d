package s3

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/buckets"
	"github.com/vigilhq/vigil/internal/store"
)

// maxKeys is a listing's page size: 1,000 unless the request asks for
// fewer.
func maxKeys(n *int32) int {
	if n == nil || *n > 1000 {
		return 1000
	}
	return max(int(*n), 0)
}

// encoder returns how a listing writes keys and prefixes: as they are,
// or URL-encoded (EncodingType=url, with "/" left as it is, as S3 does).
func encoder(t EncodingType) (func(string) *string, error) {
	switch t {
	case "":
		return func(s string) *string { return &s }, nil
	case EncodingTypeUrl:
		return func(s string) *string {
			return api.Ptr(strings.ReplaceAll(url.QueryEscape(s), "%2F", "/"))
		}, nil
	}
	return nil, s3Error("InvalidArgument", "Invalid Encoding Method specified in Request")
}

func objectEntries(list []store.BucketObject, enc func(string) *string, withOwner bool, account string) []Object {
	out := make([]Object, len(list))
	for i, o := range list {
		out[i] = Object{Key: enc(o.Key), LastModified: api.Ptr(time.UnixMilli(o.Modified).UTC()), ETag: api.Ptr(o.ETag),
			Size: api.Ptr(o.Size), StorageClass: ObjectStorageClassSTANDARD}
		if withOwner {
			out[i].Owner = owner(account)
		}
	}
	return out
}

func prefixEntries(list []string, enc func(string) *string) []CommonPrefix {
	out := make([]CommonPrefix, len(list))
	for i, p := range list {
		out[i] = CommonPrefix{Prefix: enc(p)}
	}
	return out
}

// ListObjects lists a bucket's keys (version 1: markers).
func (p *Provider) ListObjects(ctx context.Context, in *ListObjectsRequest) (*ListObjectsOutput, error) {
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	sc := scope(ctx)
	l := buckets.List{Bucket: *in.Bucket, Prefix: api.Value(in.Prefix), Delimiter: api.Value(in.Delimiter),
		After: api.Value(in.Marker), MaxKeys: maxKeys(in.MaxKeys)}
	res, err := p.b.ListObjects(ctx, sc, l)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListObjectsOutput{
		Name: in.Bucket, Prefix: enc(l.Prefix), Marker: enc(l.After), MaxKeys: api.Ptr(int32(l.MaxKeys)),
		IsTruncated: api.Ptr(res.Truncated), EncodingType: in.EncodingType,
		Contents: objectEntries(res.Objects, enc, true, sc.Account), CommonPrefixes: prefixEntries(res.CommonPrefixes, enc),
	}
	if in.Delimiter != nil {
		out.Delimiter = enc(*in.Delimiter)
	}
	if res.Truncated && l.Delimiter != "" {
		// S3 gives NextMarker only to delimited listings; the others
		// continue from their last key.
		out.NextMarker = enc(res.Last)
	}
	return out, nil
}

// ListObjectsV2 lists a bucket's keys (version 2: continuation tokens,
// which are the cursor, base64).
func (p *Provider) ListObjectsV2(ctx context.Context, in *ListObjectsV2Request) (*ListObjectsV2Output, error) {
	if len(in.OptionalObjectAttributes) > 0 {
		return nil, notImplemented("x-amz-optional-object-attributes")
	}
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	sc := scope(ctx)
	l := buckets.List{Bucket: *in.Bucket, Prefix: api.Value(in.Prefix), Delimiter: api.Value(in.Delimiter),
		After: api.Value(in.StartAfter), MaxKeys: maxKeys(in.MaxKeys)}
	if in.ContinuationToken != nil {
		after, err := base64.RawURLEncoding.DecodeString(*in.ContinuationToken)
		if err != nil || *in.ContinuationToken == "" {
			return nil, s3Error("InvalidArgument", "The continuation token provided is incorrect")
		}
		l.After = string(after)
	}
	res, err := p.b.ListObjects(ctx, sc, l)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListObjectsV2Output{
		Name: in.Bucket, Prefix: enc(l.Prefix), MaxKeys: api.Ptr(int32(l.MaxKeys)), IsTruncated: api.Ptr(res.Truncated),
		EncodingType: in.EncodingType, ContinuationToken: in.ContinuationToken, StartAfter: in.StartAfter,
		KeyCount:       api.Ptr(int32(len(res.Objects) + len(res.CommonPrefixes))),
		Contents:       objectEntries(res.Objects, enc, api.Value(in.FetchOwner), sc.Account),
		CommonPrefixes: prefixEntries(res.CommonPrefixes, enc),
	}
	if in.Delimiter != nil {
		out.Delimiter = enc(*in.Delimiter)
	}
	if in.StartAfter != nil {
		out.StartAfter = enc(*in.StartAfter)
	}
	if res.Truncated {
		out.NextContinuationToken = api.Ptr(base64.RawURLEncoding.EncodeToString([]byte(res.Last)))
	}
	return out, nil
}

// ListObjectVersions lists every version and delete marker.
func (p *Provider) ListObjectVersions(ctx context.Context, in *ListObjectVersionsRequest) (*ListObjectVersionsOutput, error) {
	if in.Delimiter != nil || len(in.OptionalObjectAttributes) > 0 {
		return nil, notImplemented("delimiters and optional attributes in ListObjectVersions")
	}
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	sc := scope(ctx)
	n := maxKeys(in.MaxKeys)
	res, err := p.b.ListObjectVersions(ctx, sc, *in.Bucket, api.Value(in.Prefix), api.Value(in.KeyMarker), api.Value(in.VersionIdMarker), n)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListObjectVersionsOutput{
		Name: in.Bucket, Prefix: enc(api.Value(in.Prefix)), KeyMarker: enc(api.Value(in.KeyMarker)), VersionIdMarker: in.VersionIdMarker,
		MaxKeys: api.Ptr(int32(n)), IsTruncated: api.Ptr(res.Truncated), EncodingType: in.EncodingType,
	}
	if res.Truncated {
		out.NextKeyMarker, out.NextVersionIdMarker = enc(res.NextKey), api.Ptr(res.NextVersionID)
	}
	for i, o := range res.Versions {
		modified := api.Ptr(time.UnixMilli(o.Modified).UTC())
		latest := api.Ptr(res.Latest[i])
		if o.DeleteMarker {
			out.DeleteMarkers = append(out.DeleteMarkers, DeleteMarkerEntry{Key: enc(o.Key), VersionId: api.Ptr(o.VersionID),
				IsLatest: latest, LastModified: modified, Owner: owner(sc.Account)})
			continue
		}
		out.Versions = append(out.Versions, ObjectVersion{Key: enc(o.Key), VersionId: api.Ptr(o.VersionID), IsLatest: latest,
			LastModified: modified, ETag: api.Ptr(o.ETag), Size: api.Ptr(o.Size), StorageClass: ObjectVersionStorageClassSTANDARD,
			Owner: owner(sc.Account)})
	}
	return out, nil
}
