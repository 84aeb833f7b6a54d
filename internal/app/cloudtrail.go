package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/buckets"
	"github.com/vigilhq/vigil/internal/cloudtrail"
	"github.com/vigilhq/vigil/internal/dispatch"
	logsengine "github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/policy"
	snsengine "github.com/vigilhq/vigil/internal/sns"
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
	var ext *externalError
	if errors.As(err, &ext) {
		return &cloudtrail.DeliveryError{Code: ext.Code, Message: ext.Message}
	}
	for _, e := range []error{buckets.ErrNoSuchBucket, buckets.ErrAccessDenied} {
		if errors.Is(err, e) {
			var be *buckets.Error
			errors.As(e, &be)
			return &cloudtrail.DeliveryError{Code: be.Code, Message: err.Error()}
		}
	}
	return err
}

// Deliver writes into Vigil's bucket of that name or, without one, into
// the external S3 store's (Config.ExternalS3).
func (t trailBuckets) Deliver(ctx context.Context, o cloudtrail.Object) error {
	err := t.a.buckets.Deliver(ctx, trailDelivery(o))
	if errors.Is(err, buckets.ErrNoSuchBucket) && t.a.external != nil {
		err = t.a.external.put(ctx, o.Bucket, o.Key, "application/json", o.Body, o.Metadata)
	}
	return trailError(err)
}

func (t trailBuckets) CheckDelivery(ctx context.Context, o cloudtrail.Object) error {
	err := t.a.buckets.CheckDelivery(ctx, trailDelivery(o))
	if errors.Is(err, buckets.ErrNoSuchBucket) && t.a.external != nil {
		err = t.a.external.check(ctx, o.Bucket)
	}
	return trailError(err)
}

// trailDestinations are the topics and log groups of trails: checked in
// the SNS and logs engines, fed through the dispatcher.
type trailDestinations struct{ a *App }

// topicPolicies caches the topic policies trails are checked against.
var topicPolicies policy.Cache

// CheckTopic refuses a topic that does not exist or whose policy does not
// let cloudtrail.amazonaws.com publish for the trail.
func (d trailDestinations) CheckTopic(ctx context.Context, topicARN, trailARN string) error {
	to, err := dispatch.Parse(topicARN)
	if err != nil || to.Service != "sns" {
		return fmt.Errorf("%s is not a topic's ARN", topicARN)
	}
	attrs, err := d.a.sns.GetTopicAttributes(ctx, snsengine.Scope{Account: to.Account, Region: to.Region}, topicARN)
	if err != nil {
		return err
	}
	p, err := topicPolicies.Parse(attrs["Policy"])
	if err != nil {
		return err
	}
	trail, _ := dispatch.Parse(trailARN)
	req := &policy.Request{Principal: policy.Principal{Service: "cloudtrail.amazonaws.com"}, Action: "sns:Publish", Resource: topicARN,
		Context: map[string][]string{"aws:SourceArn": {trailARN}, "aws:SourceAccount": {trail.Account}}}
	if p.Evaluate(req) != policy.Allow {
		return fmt.Errorf("the policy of topic %s does not allow cloudtrail.amazonaws.com to publish for %s", topicARN, trailARN)
	}
	return nil
}

// CheckLogGroup refuses a log group that does not exist.
func (d trailDestinations) CheckLogGroup(ctx context.Context, groupARN string) error {
	to, err := dispatch.Parse(groupARN)
	if err != nil || to.Service != "logs" || to.Type != "log-group" {
		return fmt.Errorf("%s is not a log group's ARN", groupARN)
	}
	name := strings.TrimSuffix(to.Resource, ":*")
	groups, _, err := d.a.logs.DescribeLogGroups(ctx, logsengine.Scope{Account: to.Account, Region: to.Region}, logsengine.GroupQuery{Prefix: name, Limit: 1})
	if err != nil {
		return err
	}
	if len(groups) == 0 || groups[0].Name != name {
		return fmt.Errorf("log group %s does not exist", name)
	}
	return nil
}

// Dispatch sends a trail's notification or log events.
func (d trailDestinations) Dispatch(ctx context.Context, m dispatch.Message) error {
	return d.a.dispatch.Dispatch(ctx, m)
}

// flushAudit waits until the calls answered so far are in CloudTrail's
// event history: through the audit queue, then the recorder's.
func (a *App) flushAudit(ctx context.Context) error {
	if err := a.audit.Flush(ctx); err != nil {
		return err
	}
	return a.recorder.Flush(ctx)
}

// dataCall tells CloudTrail's data calls (S3's object operations …) from
// its management calls.
func dataCall(e *audit.Event) bool { return !managementCall(e) }

// settle waits, after a move of the --dev clock, for the jobs it made due
// and for the CloudTrail Lake queries under way.
func (a *App) settle(ctx context.Context) error {
	if err := a.sched.WaitIdle(ctx); err != nil {
		return err
	}
	return a.lake.WaitQueries(ctx)
}
