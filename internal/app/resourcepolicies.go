package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/access"
	"github.com/vigilhq/vigil/internal/attrmap"
	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// resourcePolicies reads the resource-based policies of SQS queues and
// SNS topics (their Policy attribute) and event buses for the front
// door, cached resourcePolicyTTL: a policy changed shows within it, as
// AWS too says such changes take a while to apply.
type resourcePolicies struct {
	sqs    store.SQS
	sns    store.SNS
	events func(ctx context.Context, arn string) (*policy.Policy, string, error)
	clock  clock.Clock
	parsed policy.Cache
	cached *cache.TTL[string, cachedPolicy]
}

type cachedPolicy struct {
	p     *policy.Policy
	owner string
}

const resourcePolicyTTL = 10 * time.Second

func newResourcePolicies(sqs store.SQS, sns store.SNS, events func(context.Context, string) (*policy.Policy, string, error), c clock.Clock) *resourcePolicies {
	return &resourcePolicies{sqs: sqs, sns: sns, events: events, clock: c, cached: cache.NewTTL[string, cachedPolicy](10000, resourcePolicyTTL)}
}

// hooks are the hooks of access.Options.ServiceResources.
func (r *resourcePolicies) hooks() map[string]access.ResourcePolicy {
	events := func(ctx context.Context, arn string) (*policy.Policy, string, bool, error) {
		p, owner, err := r.events(ctx, arn)
		return p, owner, owner != "", err
	}
	return map[string]access.ResourcePolicy{"sqs": r.lookup(r.queue), "sns": r.lookup(r.topic), "events": r.lookup(events)}
}

// lookup caches what read finds of a resource that exists (one that
// does not is read again: it may be created the next moment).
func (r *resourcePolicies) lookup(read func(ctx context.Context, arn string) (*policy.Policy, string, bool, error)) access.ResourcePolicy {
	return func(ctx context.Context, arn string) (*policy.Policy, string, error) {
		now := r.clock.Now()
		if c, ok := r.cached.Get(arn, now); ok {
			return c.p, c.owner, nil
		}
		p, owner, exists, err := read(ctx, arn)
		if err == nil && exists {
			r.cached.Put(arn, cachedPolicy{p, owner}, now)
		}
		return p, owner, err
	}
}

// queue reads a queue's policy: arn:aws:sqs:REGION:ACCOUNT:NAME.
func (r *resourcePolicies) queue(ctx context.Context, arn string) (*policy.Policy, string, bool, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return nil, "", false, nil
	}
	q, err := r.sqs.Queue(ctx, parts[4], parts[3], parts[5])
	if errors.Is(err, store.ErrNotFound) {
		return nil, parts[4], false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	return r.attribute(q.Attributes), parts[4], true, nil
}

// topic reads a topic's policy.
func (r *resourcePolicies) topic(ctx context.Context, arn string) (*policy.Policy, string, bool, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return nil, "", false, nil
	}
	t, err := r.sns.Topic(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, parts[4], false, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	return r.attribute(t.Attributes), parts[4], true, nil
}

// attribute parses the Policy of encoded attributes (nil for none, or
// one stored before Vigil read policies as it does now).
func (r *resourcePolicies) attribute(encoded []byte) *policy.Policy {
	attrs, err := attrmap.Decode(encoded)
	if err != nil || attrs["Policy"] == "" {
		return nil
	}
	p, err := r.parsed.Parse(attrs["Policy"])
	if err != nil {
		return nil
	}
	return p
}
