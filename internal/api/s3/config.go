package s3

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/buckets"
)

// PutBucketVersioning enables or suspends versioning.
func (p *Provider) PutBucketVersioning(ctx context.Context, in *PutBucketVersioningRequest) (*PutBucketVersioningOutput, error) {
	if in.VersioningConfiguration.MFADelete != "" || in.MFA != nil {
		return nil, notImplemented("MFA delete")
	}
	if err := p.b.SetVersioning(ctx, scope(ctx), *in.Bucket, string(in.VersioningConfiguration.Status)); err != nil {
		return nil, apiError(err)
	}
	return &PutBucketVersioningOutput{}, nil
}

// GetBucketVersioning returns a bucket's versioning state (none when it
// was never set).
func (p *Provider) GetBucketVersioning(ctx context.Context, in *GetBucketVersioningRequest) (*GetBucketVersioningOutput, error) {
	b, err := p.b.Bucket(ctx, scope(ctx), *in.Bucket, "s3:GetBucketVersioning")
	if err != nil {
		return nil, apiError(err)
	}
	return &GetBucketVersioningOutput{Status: BucketVersioningStatus(b.Versioning)}, nil
}

// PutBucketPolicy sets a bucket's policy.
func (p *Provider) PutBucketPolicy(ctx context.Context, in *PutBucketPolicyRequest) (*PutBucketPolicyOutput, error) {
	if err := p.b.PutConfig(ctx, scope(ctx), *in.Bucket, buckets.ConfigPolicy, *in.Policy); err != nil {
		return nil, apiError(err)
	}
	return &PutBucketPolicyOutput{}, nil
}

// GetBucketPolicy returns a bucket's policy.
func (p *Provider) GetBucketPolicy(ctx context.Context, in *GetBucketPolicyRequest) (*GetBucketPolicyOutput, error) {
	doc, err := p.b.Config(ctx, scope(ctx), *in.Bucket, buckets.ConfigPolicy)
	if err != nil {
		return nil, apiError(err)
	}
	if doc == "" {
		return nil, s3Error("NoSuchBucketPolicy", "The bucket policy does not exist")
	}
	return &GetBucketPolicyOutput{Policy: &doc}, nil
}

// DeleteBucketPolicy removes a bucket's policy.
func (p *Provider) DeleteBucketPolicy(ctx context.Context, in *DeleteBucketPolicyRequest) (*DeleteBucketPolicyOutput, error) {
	if err := p.b.DeleteConfig(ctx, scope(ctx), *in.Bucket, buckets.ConfigPolicy); err != nil {
		return nil, apiError(err)
	}
	return &DeleteBucketPolicyOutput{}, nil
}

// putJSON stores a configuration the API keeps as the JSON of its
// generated type.
func (p *Provider) putJSON(ctx context.Context, bucket, kind string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cannot encode the %s of %s: %w", kind, bucket, err)
	}
	return apiError(p.b.PutConfig(ctx, scope(ctx), bucket, kind, string(doc)))
}

// getJSON reads a configuration putJSON stored into v; false when the
// bucket has none.
func (p *Provider) getJSON(ctx context.Context, bucket, kind string, v any) (bool, error) {
	doc, err := p.b.Config(ctx, scope(ctx), bucket, kind)
	if err != nil || doc == "" {
		return false, apiError(err)
	}
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return false, fmt.Errorf("cannot read the %s of %s: %w", kind, bucket, err)
	}
	return true, nil
}

// PutBucketTagging replaces a bucket's tags.
func (p *Provider) PutBucketTagging(ctx context.Context, in *PutBucketTaggingRequest) (*PutBucketTaggingOutput, error) {
	seen := map[string]bool{}
	for _, t := range in.Tagging.TagSet {
		k := api.Value(t.Key)
		if seen[k] {
			return nil, s3Error("InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		seen[k] = true
	}
	if err := p.putJSON(ctx, *in.Bucket, buckets.ConfigTagging, in.Tagging.TagSet); err != nil {
		return nil, err
	}
	return &PutBucketTaggingOutput{}, nil
}

// GetBucketTagging returns a bucket's tags.
func (p *Provider) GetBucketTagging(ctx context.Context, in *GetBucketTaggingRequest) (*GetBucketTaggingOutput, error) {
	out := &GetBucketTaggingOutput{}
	ok, err := p.getJSON(ctx, *in.Bucket, buckets.ConfigTagging, &out.TagSet)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, s3Error("NoSuchTagSet", "The TagSet does not exist")
	}
	return out, nil
}

// DeleteBucketTagging removes a bucket's tags.
func (p *Provider) DeleteBucketTagging(ctx context.Context, in *DeleteBucketTaggingRequest) (*DeleteBucketTaggingOutput, error) {
	if err := p.b.DeleteConfig(ctx, scope(ctx), *in.Bucket, buckets.ConfigTagging); err != nil {
		return nil, apiError(err)
	}
	return &DeleteBucketTaggingOutput{}, nil
}

// PutBucketEncryption stores a bucket's default encryption, which must
// be SSE-S3 (AES256): Vigil encrypts nothing and reports what S3 does.
func (p *Provider) PutBucketEncryption(ctx context.Context, in *PutBucketEncryptionRequest) (*PutBucketEncryptionOutput, error) {
	for _, r := range in.ServerSideEncryptionConfiguration.Rules {
		if d := r.ApplyServerSideEncryptionByDefault; d != nil && d.SSEAlgorithm != ServerSideEncryptionAES256 {
			return nil, notImplemented("default encryption " + string(d.SSEAlgorithm))
		}
	}
	if err := p.putJSON(ctx, *in.Bucket, buckets.ConfigEncryption, in.ServerSideEncryptionConfiguration); err != nil {
		return nil, err
	}
	return &PutBucketEncryptionOutput{}, nil
}

// GetBucketEncryption returns a bucket's default encryption: SSE-S3
// unless configured, as S3 answers since 2023.
func (p *Provider) GetBucketEncryption(ctx context.Context, in *GetBucketEncryptionRequest) (*GetBucketEncryptionOutput, error) {
	c := &ServerSideEncryptionConfiguration{}
	ok, err := p.getJSON(ctx, *in.Bucket, buckets.ConfigEncryption, c)
	if err != nil {
		return nil, err
	}
	if !ok {
		c.Rules = []ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &ServerSideEncryptionByDefault{SSEAlgorithm: ServerSideEncryptionAES256},
			BucketKeyEnabled: api.Ptr(false)}}
	}
	return &GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: c}, nil
}

// DeleteBucketEncryption resets a bucket's default encryption.
func (p *Provider) DeleteBucketEncryption(ctx context.Context, in *DeleteBucketEncryptionRequest) (*DeleteBucketEncryptionOutput, error) {
	if err := p.b.DeleteConfig(ctx, scope(ctx), *in.Bucket, buckets.ConfigEncryption); err != nil {
		return nil, apiError(err)
	}
	return &DeleteBucketEncryptionOutput{}, nil
}

// PutBucketLogging stores a bucket's server access logging settings:
// the target bucket must exist and belong to the bucket's owner.
func (p *Provider) PutBucketLogging(ctx context.Context, in *PutBucketLoggingRequest) (*PutBucketLoggingOutput, error) {
	if e := in.BucketLoggingStatus.LoggingEnabled; e != nil {
		if len(e.TargetGrants) > 0 {
			return nil, notImplemented("TargetGrants (ACL grants on log objects)")
		}
		if f := e.TargetObjectKeyFormat; f != nil && f.PartitionedPrefix != nil {
			return nil, notImplemented("PartitionedPrefix log object keys")
		}
		b, err := p.b.Bucket(ctx, scope(ctx), *in.Bucket, "s3:PutBucketLogging")
		if err != nil {
			return nil, apiError(err)
		}
		if err := p.b.CheckLoggingTarget(ctx, b.Account, *e.TargetBucket); err != nil {
			return nil, apiError(err)
		}
	}
	if err := p.putJSON(ctx, *in.Bucket, buckets.ConfigLogging, in.BucketLoggingStatus); err != nil {
		return nil, err
	}
	return &PutBucketLoggingOutput{}, nil
}

// GetBucketLogging returns a bucket's logging settings.
func (p *Provider) GetBucketLogging(ctx context.Context, in *GetBucketLoggingRequest) (*GetBucketLoggingOutput, error) {
	var st BucketLoggingStatus
	if _, err := p.getJSON(ctx, *in.Bucket, buckets.ConfigLogging, &st); err != nil {
		return nil, err
	}
	return &GetBucketLoggingOutput{LoggingEnabled: st.LoggingEnabled}, nil
}
