package store

import "context"

// SNS topics and their subscriptions. Their attributes are the engine's
// to encode: the store keeps them as opaque bytes, and knows of a
// subscription only its topic, protocol, endpoint, whether it is
// confirmed and its confirmation token. Times are milliseconds since the
// epoch, on the caller's clock.

// Topic is an SNS topic of an account and region.
type Topic struct {
	Account, Region, Name string
	// ARN is arn:aws:sns:REGION:ACCOUNT:NAME.
	ARN string
	// Attributes are the topic's attributes, encoded by the engine.
	Attributes []byte
	// DataProtectionPolicy is the topic's data protection policy, as
	// given ("" when it has none).
	DataProtectionPolicy string
	// Created is when the topic was created (ms).
	Created int64
}

// Subscription is a subscription to a topic.
type Subscription struct {
	// ARN is the topic's ARN and a UUID; it identifies the subscription.
	ARN string
	// Account and Region are the topic's; Owner is the account that
	// subscribed.
	Account, Region, Owner string
	// TopicARN is the topic subscribed to.
	TopicARN string
	// Protocol (http, https, sqs, email, email-json …) and Endpoint say
	// where deliveries go.
	Protocol, Endpoint string
	// Confirmed is false until the endpoint confirms with Token (http,
	// https and email subscriptions start unconfirmed).
	Confirmed bool
	Token     string
	// Attributes are the subscription's attributes, encoded by the
	// engine.
	Attributes []byte
	// Created is when it was created (ms).
	Created int64
}

// SNS stores topics and subscriptions.
type SNS interface {
	// CreateTopic creates t unless a topic of its account, region and
	// name exists; it returns the topic stored, and whether it created
	// it.
	CreateTopic(ctx context.Context, t Topic) (*Topic, bool, error)
	// Topic returns the topic of an ARN, or ErrNotFound.
	Topic(ctx context.Context, arn string) (*Topic, error)
	// Topics lists the topics of an account and region by ARN, after the
	// ARN after ("": from the first), at most limit (0: no cap).
	Topics(ctx context.Context, account, region, after string, limit int) ([]Topic, error)
	// UpdateTopic changes a topic in one transaction: update gets the
	// topic as stored and changes it, and its Attributes and
	// DataProtectionPolicy are stored (its other fields are not). It
	// fails with ErrNotFound when the topic does not exist, and with
	// update's error, changing nothing.
	UpdateTopic(ctx context.Context, arn string, update func(t *Topic) error) error
	// NextSequence reserves n sequence numbers for the messages of FIFO
	// topics and returns the last: the n numbers up to it are greater
	// than any reserved before, for any topic, and are never reserved
	// again, across restarts included.
	NextSequence(ctx context.Context, n int) (int64, error)
	// DeleteTopic deletes a topic and its subscriptions, in one
	// transaction; a topic that does not exist is no error (AWS's
	// DeleteTopic is idempotent).
	DeleteTopic(ctx context.Context, arn string) error

	// PutSubscription creates or replaces a subscription (by ARN); it
	// fails with ErrNotFound, writing nothing, when its topic does not
	// exist.
	PutSubscription(ctx context.Context, s Subscription) error
	// Subscription returns the subscription of an ARN, or ErrNotFound.
	Subscription(ctx context.Context, arn string) (*Subscription, error)
	// FindSubscription returns the subscription of a topic with this
	// protocol and endpoint, or ErrNotFound (Subscribe returns the
	// existing one).
	FindSubscription(ctx context.Context, topicARN, protocol, endpoint string) (*Subscription, error)
	// Subscriptions lists the subscriptions of a topic ("": of every
	// topic of the account and region) by ARN, after the ARN after, at
	// most limit (0: no cap).
	Subscriptions(ctx context.Context, account, region, topicARN, after string, limit int) ([]Subscription, error)
	// ConfirmSubscription marks the subscription of a topic whose Token
	// is token confirmed and returns it, or fails with ErrNotFound.
	ConfirmSubscription(ctx context.Context, topicARN, token string) (*Subscription, error)
	// DeleteSubscription deletes a subscription, or fails with
	// ErrNotFound.
	DeleteSubscription(ctx context.Context, arn string) error
}
