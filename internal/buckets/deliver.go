package buckets

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// Delivery is an object a service writes into a bucket on an account's behalf.
type Delivery struct {
	Service                      string // the service principal, "cloudtrail.amazonaws.com"
	SourceAccount, SourceARN     string // for aws:SourceAccount / aws:SourceArn conditions
	Bucket, Key                  string
	Body                         []byte
	ContentType, ContentEncoding string
	Metadata                     map[string]string // user metadata (x-amz-meta-<name>)
}

// Deliver writes a service's object into a bucket whose policy allows
// the service s3:PutObject on the object, as AWS's delivering services
// require (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):
// the policy's conditions see aws:SourceAccount, aws:SourceArn and
// s3:x-amz-acl = bucket-owner-full-control. It fails with an error
// wrapping ErrNoSuchBucket or ErrAccessDenied.
func (s *Service) Deliver(ctx context.Context, d Delivery) error {
	b, err := s.deliverable(ctx, d)
	if err != nil {
		return err
	}
	h := map[string]string{"Content-Type": d.ContentType}
	if d.ContentEncoding != "" {
		h["Content-Encoding"] = d.ContentEncoding
	}
	if _, err := s.store(ctx, b, Put{Bucket: d.Bucket, Key: d.Key, Body: bytes.NewReader(d.Body), Headers: h, Metadata: d.Metadata}); err != nil {
		return fmt.Errorf("cannot deliver %s to s3://%s: %w", d.Key, d.Bucket, err)
	}
	return nil
}

// CheckDelivery says whether Deliver(d) would be let in, writing nothing:
// services check a destination when it is configured.
func (s *Service) CheckDelivery(ctx context.Context, d Delivery) error {
	_, err := s.deliverable(ctx, d)
	return err
}

// deliverable returns the bucket of d when it exists and its policy lets
// the service in.
func (s *Service) deliverable(ctx context.Context, d Delivery) (*store.Bucket, error) {
	b, err := s.bucket(ctx, d.Bucket)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("cannot deliver %s to s3://%s: %w", d.Key, d.Bucket, newError("NoSuchBucket", d.Bucket, "The specified bucket does not exist"))
	}
	if err != nil {
		return nil, err
	}
	return b, s.allowsDelivery(ctx, d)
}

func (s *Service) allowsDelivery(ctx context.Context, d Delivery) error {
	denied := func(why string) error {
		return fmt.Errorf("the policy of bucket %s does not allow %s to put %s%s: %w", d.Bucket, d.Service, d.Key, why,
			newError("AccessDenied", d.Bucket, "Access Denied"))
	}
	doc, err := s.st.BucketConfig(ctx, d.Bucket, ConfigPolicy)
	if errors.Is(err, store.ErrNotFound) {
		return denied(" (the bucket has no policy)")
	}
	if err != nil {
		return err
	}
	p, err := s.policies.Parse(doc)
	if err != nil {
		return denied(": " + err.Error())
	}
	cond := map[string][]string{"s3:x-amz-acl": {"bucket-owner-full-control"}}
	if d.SourceAccount != "" {
		cond["aws:SourceAccount"] = []string{d.SourceAccount}
	}
	if d.SourceARN != "" {
		cond["aws:SourceArn"] = []string{d.SourceARN}
	}
	req := &policy.Request{Principal: policy.Principal{Service: d.Service}, Action: "s3:PutObject",
		Resource: "arn:aws:s3:::" + d.Bucket + "/" + d.Key, Context: cond}
	if p.Evaluate(req) != policy.Allow {
		return denied("")
	}
	return nil
}
