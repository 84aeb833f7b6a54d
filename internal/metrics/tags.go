package metrics

import (
	"context"
	"slices"
	"strings"
)

// taggableTypes are the CloudWatch resource types that take tags.
var taggableTypes = []string{"alarm", "alarm-mute-rule", "insight-rule", "metric-stream"}

// CheckTaggable answers TagResource, UntagResource and
// ListTagsForResource for a resource ARN: the resources CloudWatch tags
// are alarms, Contributor Insights rules and metric streams; the API
// answers for the alarms of the caller's account and region, and a
// well-formed ARN of anything else names a resource Vigil does not have.
func (e *Engine) CheckTaggable(_ context.Context, sc Scope, arn string) error {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "cloudwatch" || !slices.Contains(taggableTypes, parts[5]) || parts[6] == "" {
		return errorf(InvalidParameterValue, "The value %s for parameter ResourceARN is invalid: it is not the ARN of a CloudWatch alarm, Contributor Insights rule or metric stream.", arn)
	}
	return errorf(ResourceNotFound, "The resource %s does not exist.", arn)
}
