package s3

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/buckets"
)

// PutBucketLifecycleConfiguration replaces a bucket's lifecycle rules.
// Vigil applies Expiration by Days or Date to objects under a prefix;
// rules with other actions or filters are refused by name.
func (p *Provider) PutBucketLifecycleConfiguration(ctx context.Context, in *PutBucketLifecycleConfigurationRequest) (*PutBucketLifecycleConfigurationOutput, error) {
	if in.LifecycleConfiguration == nil {
		return nil, s3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	var rules []buckets.Rule
	for _, r := range in.LifecycleConfiguration.Rules {
		switch {
		case len(r.Transitions) > 0, len(r.NoncurrentVersionTransitions) > 0:
			return nil, notImplemented("lifecycle transitions")
		case r.NoncurrentVersionExpiration != nil:
			return nil, notImplemented("NoncurrentVersionExpiration")
		case r.AbortIncompleteMultipartUpload != nil:
			return nil, notImplemented("AbortIncompleteMultipartUpload")
		case r.Expiration == nil:
			return nil, s3Error("InvalidRequest", "At least one action needs to be specified in a rule")
		case r.Expiration.ExpiredObjectDeleteMarker != nil:
			return nil, notImplemented("ExpiredObjectDeleteMarker")
		case r.Filter != nil && (r.Filter.Tag != nil || r.Filter.And != nil || r.Filter.ObjectSizeGreaterThan != nil || r.Filter.ObjectSizeLessThan != nil):
			return nil, notImplemented("lifecycle filters other than Prefix")
		}
		rule := buckets.Rule{ID: api.Value(r.ID), Prefix: api.Value(r.Prefix), Enabled: r.Status == ExpirationStatusEnabled,
			Days: int(api.Value(r.Expiration.Days))}
		if r.Filter != nil && r.Filter.Prefix != nil {
			rule.Prefix = *r.Filter.Prefix
		}
		if r.Expiration.Date != nil {
			rule.Date = r.Expiration.Date.UTC()
		}
		rules = append(rules, rule)
	}
	if err := p.b.PutLifecycle(ctx, scope(ctx), *in.Bucket, rules); err != nil {
		return nil, apiError(err)
	}
	return &PutBucketLifecycleConfigurationOutput{}, nil
}

// GetBucketLifecycleConfiguration returns a bucket's lifecycle rules.
func (p *Provider) GetBucketLifecycleConfiguration(ctx context.Context, in *GetBucketLifecycleConfigurationRequest) (*GetBucketLifecycleConfigurationOutput, error) {
	rules, err := p.b.Lifecycle(ctx, scope(ctx), *in.Bucket)
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetBucketLifecycleConfigurationOutput{}
	for _, r := range rules {
		status := ExpirationStatusDisabled
		if r.Enabled {
			status = ExpirationStatusEnabled
		}
		e := &LifecycleExpiration{}
		if r.Days > 0 {
			e.Days = api.Ptr(int32(r.Days))
		} else {
			e.Date = api.Ptr(r.Date)
		}
		out.Rules = append(out.Rules, LifecycleRule{ID: api.OptionalString(r.ID), Status: status, Expiration: e,
			Filter: &LifecycleRuleFilter{Prefix: api.Ptr(r.Prefix)}})
	}
	return out, nil
}

// DeleteBucketLifecycle removes a bucket's lifecycle rules.
func (p *Provider) DeleteBucketLifecycle(ctx context.Context, in *DeleteBucketLifecycleRequest) (*DeleteBucketLifecycleOutput, error) {
	if err := p.b.DeleteLifecycle(ctx, scope(ctx), *in.Bucket); err != nil {
		return nil, apiError(err)
	}
	return &DeleteBucketLifecycleOutput{}, nil
}
