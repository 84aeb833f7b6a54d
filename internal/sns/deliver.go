package sns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/snsmsg"
	"github.com/vigilhq/vigil/internal/store"
)

// The outbox kind of SNS deliveries, and the version of its payload.
const (
	KindDelivery    = "sns.delivery"
	deliveryVersion = 1
)

// deliveryPolicy retries as AWS's default HTTP delivery policy: 3 retries,
// 20 seconds apart; then the delivery is kept as a dead letter.
var deliveryPolicy = outbox.Policy{MinBackoff: 20 * time.Second, MaxBackoff: 20 * time.Second, Jitter: 0.05, MaxAttempts: 4, Batch: 1024}

// The types of message delivered.
const (
	typeNotification             = snsmsg.Notification
	typeSubscriptionConfirmation = snsmsg.SubscriptionConfirmation
	typeUnsubscribeConfirmation  = snsmsg.UnsubscribeConfirmation
)

// delivery is a message on its way to one subscription: the outbox
// payload.
type delivery struct {
	Type            string             `json:"type"`
	SubscriptionARN string             `json:"subscriptionArn"`
	TopicARN        string             `json:"topicArn"`
	Protocol        string             `json:"protocol"`
	Endpoint        string             `json:"endpoint"`
	MessageID       string             `json:"messageId"`
	Message         string             `json:"message"`
	Subject         string             `json:"subject,omitempty"`
	Token           string             `json:"token,omitempty"`
	Timestamp       int64              `json:"timestamp"`
	Attributes      []snsmsg.Attribute `json:"attributes,omitempty"`
	// Raw delivers the message alone (RawMessageDelivery).
	Raw bool `json:"raw,omitempty"`
	// SignatureVersion is the topic's, "1" when unset.
	SignatureVersion string `json:"signatureVersion,omitempty"`
	// GroupID and DedupID are a FIFO topic's publish's, for a FIFO queue.
	GroupID string `json:"groupId,omitempty"`
	DedupID string `json:"dedupId,omitempty"`
}

// item returns the outbox item of a delivery to sub.
func (s *Service) item(sub *store.Subscription, d delivery) (store.OutboxItem, error) {
	d.SubscriptionARN, d.TopicARN, d.Protocol, d.Endpoint = sub.ARN, sub.TopicARN, sub.Protocol, sub.Endpoint
	if d.MessageID == "" {
		d.MessageID = request.NewUUID()
	}
	now := s.opt.Clock.Now().UnixMilli()
	d.Timestamp = now
	b, err := json.Marshal(d)
	if err != nil {
		return store.OutboxItem{}, err
	}
	return store.OutboxItem{Kind: KindDelivery, Version: deliveryVersion, Account: sub.Account, Region: sub.Region,
		Target: sub.Endpoint, Payload: b, NextAttempt: now}, nil
}

// push enqueues items and tells the outbox.
func (s *Service) push(ctx context.Context, items []store.OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	if err := s.opt.Outbox.EnqueueOutbox(ctx, items); err != nil {
		return err
	}
	if s.opt.Notify != nil {
		s.opt.Notify()
	}
	return nil
}

// enqueue enqueues one delivery to sub.
func (s *Service) enqueue(ctx context.Context, sub *store.Subscription, d delivery) error {
	it, err := s.item(sub, d)
	if err != nil {
		return err
	}
	return s.push(ctx, []store.OutboxItem{it})
}

// deliverBatch makes the deliveries of items to one endpoint: a
// notification to a subscription that still exists and is confirmed, or
// a confirmation message, sent to the endpoint (a 2xx answer delivers an
// HTTP one, anything else is retried); those to an SQS queue are sent in
// one write.
func (s *Service) deliverBatch(ctx context.Context, items []store.OutboxItem) []error {
	errs := make([]error, len(items))
	subs := map[string]*store.Subscription{}
	pend := make([]*pending, len(items))
	var queued []dispatch.Message
	var at []int
	for i, it := range items {
		p, err := s.prepare(ctx, it, subs)
		if err != nil || p == nil {
			errs[i] = err
			continue
		}
		pend[i] = p
		msg, err := s.message(it, &p.d)
		switch {
		case err != nil:
			errs[i] = s.finish(ctx, it, p, err)
		case p.d.Protocol == "sqs":
			queued, at = append(queued, msg), append(at, i)
		default:
			errs[i] = s.finish(ctx, it, p, s.opt.Dispatcher.Dispatch(ctx, msg))
		}
	}
	for j, err := range s.opt.Dispatcher.DispatchBatch(ctx, queued) {
		errs[at[j]] = s.finish(ctx, items[at[j]], pend[at[j]], err)
	}
	return errs
}

// pending is a delivery read from its outbox item, to be made.
type pending struct {
	d delivery
	// deadLetters is the subscription's dead-letter queue ("": none).
	deadLetters string
}

// prepare reads the delivery of an item, or nil when there is nothing to
// deliver: a notification to a subscription deleted or unconfirmed
// since. subs holds the subscriptions read, by ARN.
func (s *Service) prepare(ctx context.Context, it store.OutboxItem, subs map[string]*store.Subscription) (*pending, error) {
	if it.Version != deliveryVersion {
		return nil, outbox.Permanent(fmt.Errorf("SNS delivery payload of version %d; this Vigil reads version %d", it.Version, deliveryVersion))
	}
	p := &pending{}
	if err := json.Unmarshal(it.Payload, &p.d); err != nil {
		return nil, outbox.Permanent(fmt.Errorf("cannot read an SNS delivery: %w", err))
	}
	if p.d.Type != typeNotification {
		return p, nil
	}
	sub, ok := subs[p.d.SubscriptionARN]
	if !ok {
		var err error
		sub, err = s.opt.Store.Subscription(ctx, p.d.SubscriptionARN)
		switch {
		case errors.Is(err, store.ErrNotFound):
			sub = nil
		case err != nil:
			return nil, err
		}
		subs[p.d.SubscriptionARN] = sub
	}
	if sub == nil || !sub.Confirmed {
		return nil, nil // unsubscribed since: nothing to deliver
	}
	var err error
	if p.deadLetters, err = redriveTarget(sub); err != nil {
		return nil, err
	}
	return p, nil
}

// finish ends an attempt at a delivery that ended with err: when it was
// the last attempt, the message goes to the subscription's dead-letter
// queue, as SNS's redrive policy says.
func (s *Service) finish(ctx context.Context, it store.OutboxItem, p *pending, err error) error {
	d := &p.d
	if err == nil || p.deadLetters == "" || !outbox.IsPermanent(err) && it.Attempts+1 < deliveryPolicy.MaxAttempts {
		return err
	}
	body, berr := s.body(&delivery{Type: d.Type, SubscriptionARN: d.SubscriptionARN, TopicARN: d.TopicARN, MessageID: d.MessageID,
		Message: d.Message, Subject: d.Subject, Timestamp: d.Timestamp, Attributes: d.Attributes, SignatureVersion: d.SignatureVersion})
	if berr != nil {
		return err
	}
	if derr := s.opt.Dispatcher.Dispatch(ctx, dispatch.Message{ID: outbox.IdempotencyKey(it) + "/dlq", Kind: KindDelivery, Version: deliveryVersion,
		Source: dispatch.Source{Service: "sns", Account: it.Account, Region: it.Region, ARN: d.TopicARN}, Target: p.deadLetters, Payload: body}); derr != nil {
		return fmt.Errorf("%w; and the dead-letter queue %s refused it: %v", err, p.deadLetters, derr)
	}
	s.opt.Logger.Info("SNS delivery moved to its dead-letter queue", "subscription", d.SubscriptionARN, "queue", p.deadLetters, "err", err)
	return nil
}

// redrivePolicy is a subscription's RedrivePolicy.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
}

// redriveTarget returns the dead-letter queue of a subscription ("" for
// none).
func redriveTarget(sub *store.Subscription) (string, error) {
	attrs, err := decodeAttributes(sub.Attributes)
	if err != nil || attrs["RedrivePolicy"] == "" {
		return "", err
	}
	var p redrivePolicy
	if err := json.Unmarshal([]byte(attrs["RedrivePolicy"]), &p); err != nil {
		return "", err
	}
	return p.DeadLetterTargetArn, nil
}

// message returns the dispatcher's message of one attempt at a delivery.
func (s *Service) message(it store.OutboxItem, d *delivery) (dispatch.Message, error) {
	msg := dispatch.Message{ID: outbox.IdempotencyKey(it), Kind: KindDelivery, Version: deliveryVersion,
		Source: dispatch.Source{Service: "sns", Account: it.Account, Region: it.Region, ARN: d.TopicARN}, Target: d.Endpoint}
	if d.Protocol == "sqs" {
		body, err := s.body(d)
		if err != nil {
			return msg, outbox.Permanent(err)
		}
		msg.Payload = body
		msg.Header = map[string]string{"MessageGroupId": d.GroupID, "MessageDeduplicationId": d.DedupID}
		if d.Raw && len(d.Attributes) > 0 {
			// A raw delivery's attributes become the SQS message's.
			b, err := json.Marshal(d.Attributes)
			if err != nil {
				return msg, outbox.Permanent(err)
			}
			msg.Header[dispatch.MessageAttributesHeader] = string(b)
		}
		return msg, nil
	}
	if d.Protocol == "email" || d.Protocol == "email-json" {
		return msg, outbox.Permanent(s.email(d, &msg))
	}
	body, err := s.body(d)
	if err != nil {
		return msg, outbox.Permanent(err)
	}
	header := map[string]string{
		"Content-Type": "text/plain; charset=UTF-8", "User-Agent": "Amazon Simple Notification Service Agent",
		"x-amz-sns-message-type": d.Type, "x-amz-sns-message-id": d.MessageID, "x-amz-sns-topic-arn": d.TopicARN,
	}
	if d.Type != typeSubscriptionConfirmation {
		header["x-amz-sns-subscription-arn"] = d.SubscriptionARN
	}
	if d.Raw {
		header["x-amz-sns-rawdelivery"] = "true"
	}
	msg.Payload, msg.Header = body, header
	return msg, nil
}

// email makes msg the email of a delivery to an email or email-json
// subscription: AWS's subject, and the text AWS writes (email) or the
// signed JSON document (email-json).
func (s *Service) email(d *delivery, msg *dispatch.Message) error {
	msg.Target = "mailto:" + d.Endpoint
	switch {
	case d.Type == typeSubscriptionConfirmation:
		msg.Subject = "AWS Notification - Subscription Confirmation"
	case d.Type == typeUnsubscribeConfirmation:
		msg.Subject = "AWS Notification - Unsubscribe Confirmation"
	case d.Subject != "":
		msg.Subject = d.Subject
	default:
		msg.Subject = "AWS Notification Message"
	}
	if d.Protocol == "email-json" {
		body, err := s.body(d)
		msg.Payload = body
		return err
	}
	switch d.Type {
	case typeSubscriptionConfirmation:
		msg.Payload = []byte("You have chosen to subscribe to the topic: \n" + d.TopicARN +
			"\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\nConfirm subscription: " +
			s.subscribeURL(d) + "\n")
	case typeUnsubscribeConfirmation:
		msg.Payload = []byte("You have chosen to deactivate subscription " + d.SubscriptionARN +
			".\n\nTo cancel this operation and restore the subscription, visit: " + s.subscribeURL(d) + "\n")
	default:
		msg.Payload = []byte(d.Message + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
			s.unsubscribeURL(d) + "\n\nPlease do not reply directly to this email. If you have any questions or comments regarding this email, please contact the owner of the topic.\n")
	}
	return nil
}

// subscribeURL and unsubscribeURL are the links of a delivery.
func (s *Service) subscribeURL(d *delivery) string {
	return s.base() + "/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(d.TopicARN) + "&Token=" + d.Token
}

func (s *Service) unsubscribeURL(d *delivery) string {
	return s.base() + "/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(d.SubscriptionARN)
}

// body is what a delivery POSTs: the message alone for raw delivery,
// else AWS's JSON document, signed.
func (s *Service) body(d *delivery) ([]byte, error) {
	if d.Raw && d.Type == typeNotification {
		return []byte(d.Message), nil
	}
	m := &snsmsg.Message{
		Type: d.Type, MessageId: d.MessageID, TopicArn: d.TopicARN, Message: d.Message,
		Timestamp: snsmsg.FormatTimestamp(time.UnixMilli(d.Timestamp)), SigningCertURL: s.CertURL(),
	}
	switch d.Type {
	case typeNotification:
		m.Subject, m.MessageAttributes = d.Subject, d.Attributes
		m.UnsubscribeURL = s.unsubscribeURL(d)
	default:
		m.Token = d.Token
		m.SubscribeURL = s.subscribeURL(d)
	}
	version := d.SignatureVersion
	if version == "" {
		version = snsmsg.SignatureVersion1
	}
	if err := s.opt.Signer.Sign(m, version); err != nil {
		return nil, err
	}
	return m.Marshal()
}

// CertPath is where Vigil serves its signing certificate, under which
// CertURL names the certificate's file.
const CertPath = "/_vigil/sns/"

// CertURL is the SigningCertURL of the messages Vigil signs.
func (s *Service) CertURL() string {
	return s.base() + CertPath + s.opt.Signer.CertFileName()
}
