package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/buckets"
	logsengine "github.com/vigilhq/vigil/internal/logs"
)

// exportBuckets lets CloudWatch Logs export tasks write into Vigil's
// buckets as CloudWatch Logs, under the buckets' policies. AWS's
// documented export policy names the regional principal
// logs.REGION.amazonaws.com
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html);
// a policy naming logs.amazonaws.com lets the exports in too.
type exportBuckets struct{ a *App }

// PutExportObject writes an export task's object.
func (b exportBuckets) PutExportObject(ctx context.Context, o logsengine.ExportObject) error {
	var err error
	for _, principal := range []string{"logs." + o.Region + ".amazonaws.com", "logs.amazonaws.com"} {
		d := buckets.Delivery{Service: principal, SourceAccount: o.Account, SourceARN: o.GroupARN,
			Bucket: o.Bucket, Key: o.Key, Body: o.Body, ContentType: o.ContentType}
		if err = b.a.buckets.CheckDelivery(ctx, d); err == nil {
			err = b.a.buckets.Deliver(ctx, d)
			break
		}
		if !errors.Is(err, buckets.ErrAccessDenied) {
			break
		}
	}
	if errors.Is(err, buckets.ErrNoSuchBucket) && b.a.external != nil {
		// Not one of Vigil's buckets: the external S3 store's.
		err = b.a.external.put(ctx, o.Bucket, o.Key, o.ContentType, o.Body, nil)
	}
	var ext *externalError
	switch {
	case errors.Is(err, buckets.ErrNoSuchBucket), errors.As(err, &ext) && ext.Code == "NoSuchBucket":
		return fmt.Errorf("%w: %v", logsengine.ErrNoSuchBucket, err)
	case errors.Is(err, buckets.ErrAccessDenied), errors.As(err, &ext) && ext.Code == "AccessDenied":
		return fmt.Errorf("%w: %v", logsengine.ErrBucketDenied, err)
	}
	return err
}
