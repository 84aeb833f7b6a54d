// Package sns is Vigil's Amazon SNS: topics, subscriptions and the
// delivery of what is published to them. A publish is durable once it is
// in the outbox, one item per confirmed subscription; the outbox delivers
// each at least once, with retries, signing HTTP(S) deliveries as AWS
// does (package snsmsg), so that AWS's message validators accept them.
//
// It delivers to HTTP and HTTPS endpoints, SQS queues and, through an
// SMTP relay, email; the other protocols (SMS, mobile push, Lambda,
// Firehose) answer a clear error at Subscribe naming what Vigil does not
// deliver. Topic policies are checked (package policy) and kept, not
// enforced; see docs/sns.md.
package sns

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/fault"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/snsmsg"
	"github.com/vigilhq/vigil/internal/store"
)

// Scope is the account and region of a request.
type Scope struct {
	Account, Region string
}

// Code is the kind of an Error, which the API maps to its exception.
type Code = fault.Code

// The error codes.
const (
	InvalidParameter Code = iota + 1
	NotFound
	AuthorizationError
	TagLimitExceeded
	ResourceNotFound
	EmptyBatch
	TooManyEntries
	InvalidBatchEntryID
	BatchEntryIDsNotDistinct
	BatchRequestTooLong
)

// Error is a refused request, with the message the API returns.
type Error = fault.Error

var errorf = fault.Errorf

// Options configure a Service.
type Options struct {
	Store store.SNS
	Tags  store.Tags
	// Outbox and Notify enqueue deliveries and say so.
	Outbox store.Outbox
	Notify func()
	// Signer signs what is delivered to HTTP(S) endpoints.
	Signer *snsmsg.Signer
	// Dispatcher makes the HTTP(S) deliveries and sends email (its http,
	// https and mailto targets).
	Dispatcher *dispatch.Dispatcher
	// Email is true when the dispatcher can send email (an SMTP relay is
	// configured): email and email-json subscriptions are refused
	// otherwise.
	Email  bool
	Clock  clock.Clock
	Logger *slog.Logger
}

// Service is Vigil's SNS.
type Service struct {
	opt Options
	// subscribing serializes Subscribe's look-up and write, so that an
	// endpoint subscribed twice at once gets one subscription (on this
	// node; nodes sharing a database need the store to enforce it).
	subscribing sync.Mutex
	// baseURL is where clients reach Vigil: the links in messages
	// (SubscribeURL, UnsubscribeURL, SigningCertURL) start with it.
	baseURL request.BaseURL
}

// SetBaseURL sets where clients reach Vigil, once its listener is known.
func (s *Service) SetBaseURL(u string) { s.baseURL.Set(u) }

// base returns the base URL of links ("" until SetBaseURL).
func (s *Service) base() string { return s.baseURL.String() }

// New returns a Service.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opt: opt}
}

// RegisterDeliveries makes the service the deliverer of its outbox kind
// in p, and the target of SNS topic ARNs in d (alarm actions, event
// rules): the composition root's wiring, which tests share.
func (s *Service) RegisterDeliveries(p *outbox.Processor, d *dispatch.Dispatcher) {
	p.Register(KindDelivery, outbox.Batched(d.Batches, s.deliverBatch), deliveryPolicy)
	d.Register(dispatch.Match{Service: "sns", Type: ""}, dispatch.NewTarget("sns:Publish", s.deliverToTopic))
}

// topicARN returns the ARN of a topic.
func topicARN(sc Scope, name string) string {
	return "arn:aws:sns:" + sc.Region + ":" + sc.Account + ":" + name
}

// topic reads the topic of an ARN in the caller's scope, or NotFound.
func (s *Service) topic(ctx context.Context, sc Scope, arn string) (*store.Topic, error) {
	if !strings.HasPrefix(arn, topicARN(sc, "")) {
		if _, err := parseARN(arn); err != nil {
			return nil, err
		}
		// Another account's or region's topic: Vigil does not enforce
		// topic policies yet, so it is not found here.
		return nil, errorf(NotFound, "Topic does not exist")
	}
	t, err := s.opt.Store.Topic(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(NotFound, "Topic does not exist")
	}
	return t, err
}

// tokenPrefix marks this service's next tokens.
const tokenPrefix = "sns1:"

func encodeToken(key string) string { return pagetoken.Encode(tokenPrefix, key) }

func decodeToken(t string) (string, error) {
	key, ok := pagetoken.Decode(tokenPrefix, t)
	if !ok {
		return "", errorf(InvalidParameter, "Invalid parameter: NextToken")
	}
	return key, nil
}

// parseARN checks that s is an SNS topic ARN.
func parseARN(arn string) (dispatch.Address, error) {
	a, err := dispatch.Parse(arn)
	if err != nil || a.Service != "sns" || a.Type != "" || a.Account == "" || a.Region == "" {
		return a, errorf(InvalidParameter, "Invalid parameter: TopicArn")
	}
	return a, nil
}
