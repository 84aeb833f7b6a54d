package sns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/mail"
	"strings"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/eventpattern"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/snsmsg"
	"github.com/vigilhq/vigil/internal/store"
)

// PendingConfirmation is the SubscriptionArn AWS answers for a
// subscription not yet confirmed.
const PendingConfirmation = "pending confirmation"

// subscriptionAttributes are the attributes Subscribe and
// SetSubscriptionAttributes take.
var subscriptionAttributes = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

// checkSubscriptionAttribute checks one attribute's value.
func checkSubscriptionAttribute(name, value string) error {
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return errorf(InvalidParameter, "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
	case "RedrivePolicy":
		var p redrivePolicy
		if value == "" {
			return nil
		}
		if err := json.Unmarshal([]byte(value), &p); err != nil || p.DeadLetterTargetArn == "" {
			return errorf(InvalidParameter, "Invalid parameter: RedrivePolicy: Redrive policy is not a valid JSON map or deadLetterTargetArn is missing")
		}
		if a, err := dispatch.Parse(p.DeadLetterTargetArn); err != nil || a.Service != "sqs" || a.Type != "" {
			return errorf(InvalidParameter, "Invalid parameter: RedrivePolicy: deadLetterTargetArn is not an SQS queue ARN")
		}
	case "FilterPolicyScope":
		if value != "" && value != scopeAttributes && value != scopeBody {
			return errorf(InvalidParameter, "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", value)
		}
	case "ReplayPolicy":
		if value != "" {
			return errorf(InvalidParameter, "Invalid parameter: Attributes Reason: ReplayPolicy is not supported by Vigil (it replays FIFO topics' archives, which Vigil does not keep)")
		}
	}
	return nil
}

// checkEndpoint refuses the protocols Vigil does not deliver to, and an
// endpoint that does not suit its protocol.
func (s *Service) checkEndpoint(protocol, endpoint string) error {
	switch protocol {
	case "http", "https":
		if !strings.HasPrefix(endpoint, protocol+"://") || len(endpoint) <= len(protocol)+3 {
			return errorf(InvalidParameter, "Invalid parameter: Endpoint must match the specified protocol")
		}
		return nil
	case "sqs":
		if a, err := dispatch.Parse(endpoint); err != nil || a.Service != "sqs" || a.Type != "" || a.Account == "" || a.Region == "" {
			return errorf(InvalidParameter, "Invalid parameter: SQS endpoint ARN")
		}
		return nil
	case "email", "email-json":
		if !s.opt.Email {
			return errorf(InvalidParameter, "Invalid parameter: Vigil sends email through an SMTP relay, and none is configured (--smtp-relay)")
		}
		if a, err := mail.ParseAddress(endpoint); err != nil || a.Address != endpoint {
			return errorf(InvalidParameter, "Invalid parameter: Email address")
		}
		return nil
	case "sms", "application", "lambda", "firehose":
		return errorf(InvalidParameter, "Invalid parameter: Vigil does not deliver to %s endpoints", protocol)
	}
	return errorf(InvalidParameter, "Invalid parameter: Amazon SNS does not support this protocol string: %s", protocol)
}

// Subscribe subscribes an endpoint to a topic. An HTTP(S) subscription
// is pending until its endpoint confirms it with the token of the
// SubscriptionConfirmation Vigil sends it. Subscribing the same endpoint
// again returns the existing subscription.
func (s *Service) Subscribe(ctx context.Context, sc Scope, topicArn, protocol, endpoint string, attrs map[string]string, returnARN bool) (string, error) {
	t, err := s.topic(ctx, sc, topicArn)
	if err != nil {
		return "", err
	}
	if err := s.checkEndpoint(protocol, endpoint); err != nil {
		return "", err
	}
	for k, v := range attrs {
		if !subscriptionAttributes[k] {
			return "", errorf(InvalidParameter, "Invalid parameter: Attributes Reason: Unknown SubscribeAttribute %s", k)
		}
		if err := checkSubscriptionAttribute(k, v); err != nil {
			return "", err
		}
	}
	if _, err := filterOf(attrs); err != nil {
		return "", err
	}
	s.subscribing.Lock()
	defer s.subscribing.Unlock()
	old, err := s.opt.Store.FindSubscription(ctx, topicArn, protocol, endpoint)
	switch {
	case err == nil:
		if !old.Confirmed && !returnARN {
			return PendingConfirmation, nil
		}
		return old.ARN, nil
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	owner := request.FromContext(ctx).Principal.Account
	if owner == "" {
		owner = sc.Account
	}
	sub := store.Subscription{
		ARN: topicArn + ":" + request.NewUUID(), Account: t.Account, Region: t.Region, Owner: owner, TopicARN: topicArn,
		Protocol: protocol, Endpoint: endpoint, Token: newToken(), Attributes: encodeAttributes(attrs),
		Created: s.opt.Clock.Now().UnixMilli(),
		// An SQS queue is subscribed at once: there is no one to confirm.
		Confirmed: protocol == "sqs",
	}
	if err := s.opt.Store.PutSubscription(ctx, sub); err != nil {
		return "", err
	}
	if sub.Confirmed {
		return sub.ARN, nil
	}
	topicAttrs, err := decodeAttributes(t.Attributes)
	if err != nil {
		return "", err
	}
	if err := s.enqueue(ctx, &sub, delivery{Type: typeSubscriptionConfirmation, Token: sub.Token, SignatureVersion: topicAttrs["SignatureVersion"],
		Message: "You have chosen to subscribe to the topic " + topicArn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."}); err != nil {
		return "", err
	}
	if returnARN {
		return sub.ARN, nil
	}
	return PendingConfirmation, nil
}

// newToken returns a confirmation token: 128 random hexadecimal digits.
func newToken() string {
	b := make([]byte, 64)
	if _, err := rand.Read(b); err != nil {
		panic("BUG: sns: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// ConfirmSubscription confirms the subscription of a topic whose token
// is token, and returns its ARN. It is reached signed, through the API,
// or unsigned, through the SubscribeURL Vigil sent: the token
// authenticates.
func (s *Service) ConfirmSubscription(ctx context.Context, topicArn, token string) (string, error) {
	if _, err := parseARN(topicArn); err != nil {
		return "", err
	}
	sub, err := s.opt.Store.ConfirmSubscription(ctx, topicArn, token)
	if errors.Is(err, store.ErrNotFound) {
		return "", errorf(InvalidParameter, "Invalid token")
	}
	if err != nil {
		return "", err
	}
	return sub.ARN, nil
}

// Unsubscribe deletes a subscription and tells an HTTP(S) endpoint so.
func (s *Service) Unsubscribe(ctx context.Context, sc Scope, arn string) error {
	sub, err := s.subscription(ctx, sc, arn)
	if err != nil {
		return err
	}
	if err := s.opt.Store.DeleteSubscription(ctx, arn); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	version := ""
	if t, err := s.opt.Store.Topic(ctx, sub.TopicARN); err == nil {
		if attrs, err := decodeAttributes(t.Attributes); err == nil {
			version = attrs["SignatureVersion"]
		}
	}
	return s.enqueue(ctx, sub, delivery{Type: typeUnsubscribeConfirmation, Token: sub.Token, SignatureVersion: version,
		Message: "You have chosen to deactivate subscription " + arn + ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."})
}

// subscription reads a subscription of the caller's scope, or NotFound.
func (s *Service) subscription(ctx context.Context, sc Scope, arn string) (*store.Subscription, error) {
	if arn == PendingConfirmation || !strings.HasPrefix(arn, topicARN(sc, "")) {
		return nil, errorf(InvalidParameter, "Invalid parameter: SubscriptionArn")
	}
	sub, err := s.opt.Store.Subscription(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(NotFound, "Subscription does not exist")
	}
	return sub, err
}

// SubscriptionView is a subscription as the lists describe it.
type SubscriptionView struct {
	ARN, Owner, Protocol, Endpoint, TopicARN string
}

// ListSubscriptions lists the subscriptions of a topic ("": of every
// topic of the scope), 100 at a time; a pending one's ARN is "pending
// confirmation", as in AWS.
func (s *Service) ListSubscriptions(ctx context.Context, sc Scope, topicArn, token string) ([]SubscriptionView, string, error) {
	if topicArn != "" {
		if _, err := s.topic(ctx, sc, topicArn); err != nil {
			return nil, "", err
		}
	}
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	subs, err := s.opt.Store.Subscriptions(ctx, sc.Account, sc.Region, topicArn, after, subscriptionsPage+1)
	if err != nil {
		return nil, "", err
	}
	var next string
	if len(subs) > subscriptionsPage {
		subs = subs[:subscriptionsPage]
		next = encodeToken(subs[subscriptionsPage-1].ARN)
	}
	out := make([]SubscriptionView, len(subs))
	for i, sub := range subs {
		arn := sub.ARN
		if !sub.Confirmed {
			arn = PendingConfirmation
		}
		out[i] = SubscriptionView{ARN: arn, Owner: sub.Owner, Protocol: sub.Protocol, Endpoint: sub.Endpoint, TopicARN: sub.TopicARN}
	}
	return out, next, nil
}

// GetSubscriptionAttributes returns a subscription's attributes, with
// those AWS computes.
func (s *Service) GetSubscriptionAttributes(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	sub, err := s.subscription(ctx, sc, arn)
	if err != nil {
		return nil, err
	}
	attrs, err := decodeAttributes(sub.Attributes)
	if err != nil {
		return nil, err
	}
	out := map[string]string{
		"SubscriptionArn": sub.ARN, "TopicArn": sub.TopicARN, "Owner": sub.Owner, "Protocol": sub.Protocol, "Endpoint": sub.Endpoint,
		"PendingConfirmation": boolString(!sub.Confirmed), "ConfirmationWasAuthenticated": "false", "RawMessageDelivery": "false",
		"EffectiveDeliveryPolicy": effectiveDeliveryPolicy,
	}
	for k, v := range attrs {
		out[k] = v
	}
	return out, nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// SetSubscriptionAttributes sets one attribute of a subscription.
func (s *Service) SetSubscriptionAttributes(ctx context.Context, sc Scope, arn, name, value string) error {
	sub, err := s.subscription(ctx, sc, arn)
	if err != nil {
		return err
	}
	if !subscriptionAttributes[name] {
		return errorf(InvalidParameter, "Invalid parameter: AttributeName")
	}
	if err := checkSubscriptionAttribute(name, value); err != nil {
		return err
	}
	attrs, err := decodeAttributes(sub.Attributes)
	if err != nil {
		return err
	}
	if value == "" {
		delete(attrs, name)
	} else {
		attrs[name] = value
	}
	if _, err := filterOf(attrs); err != nil {
		return err
	}
	sub.Attributes = encodeAttributes(attrs)
	return s.opt.Store.PutSubscription(ctx, *sub)
}

// The scopes of a filter policy.
const (
	scopeAttributes = "MessageAttributes"
	scopeBody       = "MessageBody"
)

// filter is a subscription's filter policy, compiled.
type filter struct {
	pattern *eventpattern.Pattern
	body    bool
}

// filterOf compiles the filter policy of a subscription's attributes (nil
// for none), refusing an invalid one with SNS's message.
func filterOf(attrs map[string]string) (*filter, error) {
	policy := attrs["FilterPolicy"]
	if policy == "" {
		return nil, nil
	}
	scope := attrs["FilterPolicyScope"]
	if scope == "" {
		scope = scopeAttributes
	}
	p, err := eventpattern.ParseFilterPolicy([]byte(policy), scope)
	if err != nil {
		var e *eventpattern.Error
		if errors.As(err, &e) {
			return nil, errorf(InvalidParameter, "Invalid parameter: Attributes Reason: %s", e.Reason)
		}
		return nil, errorf(InvalidParameter, "Invalid parameter: FilterPolicy: %s", err)
	}
	return &filter{pattern: p, body: scope == scopeBody}, nil
}

// accepts reports whether a message passes the filter: its attributes
// (String as strings, Number as numbers, String.Array as the array it
// holds; Binary ones are not matched), or its body, which must then be a
// JSON object.
func (f *filter) accepts(message string, attrs []snsmsg.Attribute) bool {
	event := []byte(message)
	if !f.body {
		if len(attrs) == 0 {
			// "An empty set of attributes results in the filter not
			// matching", "exists": false included
			// (https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html).
			return false
		}
		fields := map[string]json.RawMessage{}
		for _, a := range attrs {
			switch base, _, _ := strings.Cut(a.Type, "."); {
			case base == "Number":
				fields[a.Name] = json.RawMessage(a.Value)
			case a.Type == "String.Array" && json.Valid([]byte(a.Value)):
				fields[a.Name] = json.RawMessage(a.Value)
			case base == "String":
				b, _ := json.Marshal(a.Value)
				fields[a.Name] = b
			}
		}
		b, err := json.Marshal(fields)
		if err != nil {
			return false
		}
		event = b
	}
	ok, err := f.pattern.Matches(event)
	return err == nil && ok
}
