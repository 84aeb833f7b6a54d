package app

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/buckets"
	"github.com/vigilhq/vigil/internal/cloudtrail"
)

// trailBuckets lets CloudTrail's trails write into Vigil's buckets as
// cloudtrail.amazonaws.com, under the buckets' policies. It reads the
// bucket store from the App when called: CloudTrail is built first, as
// the audit hook records into it.
type trailBuckets struct{ a *App }

func trailDelivery(o cloudtrail.Object) buckets.Delivery {
	return buckets.Delivery{
		Service: "cloudtrail.amazonaws.com", SourceAccount: o.SourceAccount, SourceARN: o.SourceARN,
		Bucket: o.Bucket, Key: o.Key, Body: o.Body, ContentType: "application/json", Metadata: o.Metadata,
	}
}

// trailError gives a bucket's refusal the S3 error code trails report.
func trailError(err error) error {
	for _, e := range []error{buckets.ErrNoSuchBucket, buckets.ErrAccessDenied} {
		if errors.Is(err, e) {
			var be *buckets.Error
			errors.As(e, &be)
			return &cloudtrail.DeliveryError{Code: be.Code, Message: err.Error()}
		}
	}
	return err
}

func (t trailBuckets) Deliver(ctx context.Context, o cloudtrail.Object) error {
	return trailError(t.a.buckets.Deliver(ctx, trailDelivery(o)))
}

func (t trailBuckets) CheckDelivery(ctx context.Context, o cloudtrail.Object) error {
	return trailError(t.a.buckets.CheckDelivery(ctx, trailDelivery(o)))
}
