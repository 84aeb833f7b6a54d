package sns

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/attrmap"
	"github.com/vigilhq/vigil/internal/store"
)

// encodeAttributes and decodeAttributes keep a resource's attributes in
// the store.
var (
	encodeAttributes = attrmap.Encode
	decodeAttributes = attrmap.Decode
)

// topicNames are the names a topic takes: "Topic names must be made up
// of only uppercase and lowercase ASCII letters, numbers, underscores,
// and hyphens, and must be between 1 and 256 characters long", and a
// FIFO topic's end in .fifo.
var topicNames = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// topicAttributes are the attributes CreateTopic and SetTopicAttributes
// take, and whether SetTopicAttributes may change them.
var topicAttributes = map[string]bool{
	"DeliveryPolicy": true, "DisplayName": true, "Policy": true, "SignatureVersion": true, "TracingConfig": true,
	"KmsMasterKeyId": true, "ContentBasedDeduplication": true, "ArchivePolicy": true, "FifoThroughputScope": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true, "HTTPFailureFeedbackRoleArn": true,
	"FifoTopic": false,
}

// checkTopicAttribute checks one attribute's value.
func checkTopicAttribute(name, value string, fifo bool) error {
	switch name {
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return errorf(InvalidParameter, "Invalid parameter: SignatureVersion")
		}
	case "FifoTopic", "ContentBasedDeduplication":
		if value != "true" && value != "false" {
			return errorf(InvalidParameter, "Invalid parameter: Attributes Reason: %s: Invalid value [%s] for %s. Valid values: [true, false]", name, value, name)
		}
		if name == "ContentBasedDeduplication" && value == "true" && !fifo {
			return errorf(InvalidParameter, "Invalid parameter: Attributes Reason: Content based deduplication can only be set for FIFO topics")
		}
	case "Policy", "DeliveryPolicy", "TracingConfig", "ArchivePolicy":
		if name == "TracingConfig" {
			if value != "PassThrough" && value != "Active" {
				return errorf(InvalidParameter, "Invalid parameter: Attributes Reason: TracingConfig: Invalid value [%s]. Valid values: [PassThrough, Active]", value)
			}
		} else if value != "" && !json.Valid([]byte(value)) {
			return errorf(InvalidParameter, "Invalid parameter: %s: failed to parse JSON", name)
		}
		if name == "Policy" && value != "" {
			return checkTopicPolicy(value)
		}
	}
	return nil
}

// CreateTopicInput is a CreateTopic request.
type CreateTopicInput struct {
	Name                 string
	Attributes, Tags     map[string]string
	DataProtectionPolicy string
}

// CreateTopic creates a topic, or returns the ARN of the topic of that
// name, as AWS does when its attributes agree.
func (s *Service) CreateTopic(ctx context.Context, sc Scope, in CreateTopicInput) (string, error) {
	name, attrs, tags := in.Name, in.Attributes, in.Tags
	fifo := attrs["FifoTopic"] == "true"
	base := name
	if fifo {
		var ok bool
		if base, ok = strings.CutSuffix(name, ".fifo"); !ok {
			return "", errorf(InvalidParameter, "Invalid parameter: Topic Name")
		}
	}
	if !topicNames.MatchString(base) || len(name) > 256 {
		return "", errorf(InvalidParameter, "Invalid parameter: Topic Name")
	}
	for k, v := range attrs {
		if _, ok := topicAttributes[k]; !ok {
			return "", errorf(InvalidParameter, "Invalid parameter: Attributes Reason: Unknown attribute %s", k)
		}
		if err := checkTopicAttribute(k, v, fifo); err != nil {
			return "", err
		}
	}
	if !fifo && strings.HasSuffix(name, ".fifo") {
		return "", errorf(InvalidParameter, "Invalid parameter: Topic Name")
	}
	if len(tags) > maxTags {
		return "", errorf(TagLimitExceeded, "Could not complete request: tag quota of per resource exceeded")
	}
	if in.DataProtectionPolicy != "" {
		if err := checkDataProtection(in.DataProtectionPolicy); err != nil {
			return "", err
		}
	}
	arn := topicARN(sc, name)
	t, created, err := s.opt.Store.CreateTopic(ctx, store.Topic{Account: sc.Account, Region: sc.Region, Name: name, ARN: arn,
		Attributes: encodeAttributes(attrs), DataProtectionPolicy: in.DataProtectionPolicy, Created: s.opt.Clock.Now().UnixMilli()})
	if err != nil {
		return "", err
	}
	if !created {
		old, err := decodeAttributes(t.Attributes)
		if err != nil {
			return "", err
		}
		differs := in.DataProtectionPolicy != "" && in.DataProtectionPolicy != t.DataProtectionPolicy
		for k, v := range attrs {
			differs = differs || old[k] != v
		}
		if differs {
			return "", errorf(InvalidParameter, "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
		}
		return arn, nil
	}
	if len(tags) > 0 {
		if err := s.tag(ctx, arn, tags, nil); err != nil {
			return "", err
		}
	}
	return arn, nil
}

// DeleteTopic deletes a topic and its subscriptions; deleting a topic
// that does not exist succeeds, as in AWS.
func (s *Service) DeleteTopic(ctx context.Context, sc Scope, arn string) error {
	if _, err := parseARN(arn); err != nil {
		return err
	}
	if !strings.HasPrefix(arn, topicARN(sc, "")) {
		return errorf(AuthorizationError, "User is not authorized to delete topic %s", arn)
	}
	if err := s.opt.Store.DeleteTopic(ctx, arn); err != nil {
		return err
	}
	return store.RemoveTags(ctx, s.opt.Tags, arn)
}

// listPage is the page size of ListTopics and the subscription lists.
const (
	topicsPage        = 100
	subscriptionsPage = 100
)

// ListTopics lists the topics of a scope by ARN, 100 at a time.
func (s *Service) ListTopics(ctx context.Context, sc Scope, token string) ([]string, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	ts, err := s.opt.Store.Topics(ctx, sc.Account, sc.Region, after, topicsPage+1)
	if err != nil {
		return nil, "", err
	}
	var next string
	if len(ts) > topicsPage {
		ts = ts[:topicsPage]
		next = encodeToken(ts[topicsPage-1].ARN)
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ARN
	}
	return out, next, nil
}

// defaultPolicy is the policy AWS gives a topic without one: every action
// on it to the owner's account.
func defaultPolicy(sc Scope, arn string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow",` +
		`"Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission",` +
		`"SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` + arn + `",` +
		`"Condition":{"StringEquals":{"AWS:SourceOwner":"` + sc.Account + `"}}}]}`
}

// effectiveDeliveryPolicy is AWS's default HTTP delivery policy, which
// Vigil's retries follow.
const effectiveDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,` +
	`"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,` +
	`"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

// GetTopicAttributes returns a topic's attributes, with those AWS
// computes.
func (s *Service) GetTopicAttributes(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	t, err := s.topic(ctx, sc, arn)
	if err != nil {
		return nil, err
	}
	attrs, err := decodeAttributes(t.Attributes)
	if err != nil {
		return nil, err
	}
	subs, err := s.opt.Store.Subscriptions(ctx, sc.Account, sc.Region, arn, "", 0)
	if err != nil {
		return nil, err
	}
	confirmed := 0
	for _, sub := range subs {
		if sub.Confirmed {
			confirmed++
		}
	}
	out := map[string]string{
		"TopicArn": arn, "Owner": sc.Account, "Policy": defaultPolicy(sc, arn), "DisplayName": "",
		"SubscriptionsConfirmed": strconv.Itoa(confirmed), "SubscriptionsPending": strconv.Itoa(len(subs) - confirmed),
		"SubscriptionsDeleted": "0", "EffectiveDeliveryPolicy": effectiveDeliveryPolicy,
	}
	for k, v := range attrs {
		out[k] = v
	}
	return out, nil
}

// SetTopicAttributes sets one attribute of a topic.
func (s *Service) SetTopicAttributes(ctx context.Context, sc Scope, arn, name, value string) error {
	if _, err := s.topic(ctx, sc, arn); err != nil {
		return err
	}
	if settable, ok := topicAttributes[name]; !ok || !settable {
		return errorf(InvalidParameter, "Invalid parameter: AttributeName")
	}
	return s.updateTopic(ctx, arn, func(_ *store.Topic, attrs map[string]string) error {
		if err := checkTopicAttribute(name, value, attrs["FifoTopic"] == "true"); err != nil {
			return err
		}
		if value == "" {
			delete(attrs, name)
		} else {
			attrs[name] = value
		}
		return nil
	})
}

// updateTopic changes a topic in one store transaction: update gets the
// topic and its attributes, decoded, and what it leaves of them is
// stored.
func (s *Service) updateTopic(ctx context.Context, arn string, update func(t *store.Topic, attrs map[string]string) error) error {
	err := s.opt.Store.UpdateTopic(ctx, arn, func(t *store.Topic) error {
		attrs, err := decodeAttributes(t.Attributes)
		if err != nil {
			return err
		}
		if err := update(t, attrs); err != nil {
			return err
		}
		t.Attributes = encodeAttributes(attrs)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return errorf(NotFound, "Topic does not exist")
	}
	return err
}

// maxTags is how many tags a topic takes.
const maxTags = 50

// tag adds and removes a resource's tags.
func (s *Service) tag(ctx context.Context, arn string, add map[string]string, remove []string) error {
	err := s.opt.Tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(TagLimitExceeded, "Could not complete request: tag quota of per resource exceeded")
	}
	return err
}

// Tags returns a topic's tags.
func (s *Service) Tags(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	if _, err := s.topic(ctx, sc, arn); err != nil {
		return nil, resourceNotFound(err)
	}
	return s.opt.Tags.ResourceTags(ctx, arn)
}

// Tag adds and removes a topic's tags.
func (s *Service) Tag(ctx context.Context, sc Scope, arn string, add map[string]string, remove []string) error {
	if _, err := s.topic(ctx, sc, arn); err != nil {
		return resourceNotFound(err)
	}
	return s.tag(ctx, arn, add, remove)
}

// resourceNotFound words a missing topic as the tagging operations do.
func resourceNotFound(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code == NotFound {
		return &Error{Code: ResourceNotFound, Message: "Resource does not exist"}
	}
	return err
}
