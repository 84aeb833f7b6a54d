package buckets

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// bucketCacheTTL is how long a bucket's row is cached: a change made on
// another node shows within it (S3 too says changes to a bucket's
// configuration take a while to propagate); this process's own changes
// show at once.
const bucketCacheTTL = 10 * time.Second

// bucket returns a bucket's row (shared: not to be changed), or
// ErrNotFound.
func (s *Service) bucket(ctx context.Context, name string) (*store.Bucket, error) {
	now := s.clock.Now()
	if b, ok := s.rows.Get(name, now); ok {
		return b, nil
	}
	epoch := s.rows.Epoch()
	b, err := s.st.Bucket(ctx, name)
	if err == nil {
		s.rows.Fill(name, b, now.Add(bucketCacheTTL), epoch)
	}
	return b, err
}

// access returns a bucket once the caller may act on it, or on its key
// when key is not empty, with action: its owner's account always may;
// another account only when the bucket's policy allows the caller
// (arn:aws:iam::ACCOUNT:root, or the account id) the action on the
// bucket's or object's ARN
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-walkthroughs-managing-access-example2.html).
// It fails with NoSuchBucket, or AccessDenied.
func (s *Service) access(ctx context.Context, sc Scope, name, action, key string) (*store.Bucket, error) {
	b, err := s.bucket(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newError("NoSuchBucket", name, "The specified bucket does not exist")
	}
	if err != nil {
		return nil, err
	}
	if b.Account == sc.Account {
		return b, nil
	}
	resource := "arn:aws:s3:::" + name
	if key != "" {
		resource += "/" + key
	}
	principal := sc.Principal
	if principal == "" {
		principal = "arn:aws:iam::" + sc.Account + ":root"
	}
	ok, err := s.policyAllows(ctx, name, &policy.Request{Principal: policy.Principal{Account: sc.Account, ARN: principal},
		Action: action, Resource: resource})
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, newError("AccessDenied", name, "Access Denied")
	}
	return b, nil
}

// BucketPolicy returns the policy of the bucket an S3 ARN names
// (arn:aws:s3:::BUCKET or arn:aws:s3:::BUCKET/KEY) and its owner: nil
// when it has none, or when there is no such bucket. The front door
// decides the calls of IAM principals with it, as S3 does: its Deny
// statements bind the owner's principals too.
func (s *Service) BucketPolicy(ctx context.Context, arn string) (*policy.Policy, string, error) {
	name, _, _ := strings.Cut(strings.TrimPrefix(arn, "arn:aws:s3:::"), "/")
	b, err := s.bucket(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	now := s.clock.Now()
	doc, ok := s.docs.Get(name, now)
	if !ok {
		epoch := s.docs.Epoch()
		doc, err = s.st.BucketConfig(ctx, name, ConfigPolicy)
		if errors.Is(err, store.ErrNotFound) {
			doc, err = "", nil
		}
		if err != nil {
			return nil, "", err
		}
		s.docs.Fill(name, doc, now.Add(bucketCacheTTL), epoch)
	}
	if doc == "" {
		return nil, b.Account, nil
	}
	p, err := s.policies.Parse(doc)
	if err != nil {
		return nil, b.Account, nil // stored before Vigil read policies as it does now
	}
	return p, b.Account, nil
}

// policyAllows evaluates a bucket's policy (none allows nothing).
func (s *Service) policyAllows(ctx context.Context, bucket string, req *policy.Request) (bool, error) {
	doc, err := s.st.BucketConfig(ctx, bucket, ConfigPolicy)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p, err := s.policies.Parse(doc)
	if err != nil {
		return false, nil
	}
	return p.Evaluate(req) == policy.Allow, nil
}

// configActions are the IAM actions that read and write each kind of
// bucket configuration.
var configActions = map[string][2]string{
	ConfigTagging:    {"s3:GetBucketTagging", "s3:PutBucketTagging"},
	ConfigEncryption: {"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"},
	ConfigLogging:    {"s3:GetBucketLogging", "s3:PutBucketLogging"},
	configLifecycle:  {"s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"},
}

// configAccess returns a bucket whose configuration of a kind the caller
// may read (or write): a bucket's policy only its owner's account may
// touch, as S3 answers others 405 MethodNotAllowed.
func (s *Service) configAccess(ctx context.Context, sc Scope, bucket, kind string, write bool) (*store.Bucket, error) {
	actions, ok := configActions[kind]
	if !ok {
		b, err := s.access(ctx, sc, bucket, "s3:GetBucketPolicy", "")
		if err == nil && b.Account != sc.Account {
			return nil, newError("MethodNotAllowed", bucket, "The specified method is not allowed against this resource.")
		}
		return b, err
	}
	action := actions[0]
	if write {
		action = actions[1]
	}
	return s.access(ctx, sc, bucket, action, "")
}
