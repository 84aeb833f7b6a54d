// Package sqs is Vigil's Amazon SQS: standard and FIFO queues whose
// messages are durable once SendMessage answers, received with
// visibility timeouts and long polling on Vigil's clock, moved to
// dead-letter queues after their maximum receives, and expired after
// their retention period.
package sqs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"

	"github.com/vigilhq/vigil/internal/attrmap"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/fault"
	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Scope is the account and region of a request.
type Scope struct {
	Account, Region string
}

// Code is the kind of an Error, which the API maps to its exception.
type Code = fault.Code

// The error codes, as the SQS model names its errors.
const (
	InvalidParameterValue Code = iota + 1
	QueueDoesNotExist
	QueueNameExists
	InvalidAttributeName
	InvalidAttributeValue
	ReceiptHandleIsInvalid
	MessageNotInflight
	InvalidMessageContents
	EmptyBatchRequest
	TooManyEntriesInBatchRequest
	BatchEntryIdsNotDistinct
	InvalidBatchEntryID
	BatchRequestTooLong
	PurgeQueueInProgress
	MissingParameter
	UnsupportedOperation
)

// Error is a refused request, with the message the API returns.
type Error = fault.Error

var errorf = fault.Errorf

// Options configure a Service.
type Options struct {
	Store  store.SQS
	Tags   store.Tags
	Clock  clock.Clock
	Logger *slog.Logger
}

// Service is Vigil's SQS.
type Service struct {
	opt Options

	// mu guards waiters: the long polls waiting on each queue, woken
	// when a message is sent to it (on this node).
	mu      sync.Mutex
	waiters map[string]chan struct{}
	// baseURL is where clients reach Vigil; queue URLs start with it.
	baseURL request.BaseURL
}

// SetBaseURL sets where clients reach Vigil, once its listener is known.
func (s *Service) SetBaseURL(u string) { s.baseURL.Set(u) }

// Base returns where clients reach Vigil ("" until SetBaseURL).
func (s *Service) Base() string { return s.baseURL.String() }

// New returns a Service.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opt: opt, waiters: map[string]chan struct{}{}}
}

// queueARN is the ARN of a queue.
func queueARN(sc Scope, name string) string {
	return "arn:aws:sqs:" + sc.Region + ":" + sc.Account + ":" + name
}

// QueueURL is the URL of a queue under base (Vigil's URL):
// base/ACCOUNT/NAME, the form of AWS's queue URLs.
func QueueURL(base string, q *store.Queue) string {
	return strings.TrimSuffix(base, "/") + "/" + q.Account + "/" + q.Name
}

// queueOf reads the queue a QueueUrl names, in the caller's region: the
// account and name are its last two path segments, whatever its host
// (clients build queue URLs from their endpoint). A queue of another
// account is not found: Vigil has no queue policies yet.
func (s *Service) queueOf(ctx context.Context, sc Scope, queueURL string) (*store.Queue, map[string]string, error) {
	path := queueURL
	if i := strings.Index(path, "://"); i >= 0 {
		path = path[i+3:]
		if j := strings.IndexByte(path, '/'); j >= 0 {
			path = path[j:]
		} else {
			path = ""
		}
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-2] != sc.Account {
		return nil, nil, errorf(QueueDoesNotExist, "The specified queue does not exist.")
	}
	return s.queueNamed(ctx, sc, parts[len(parts)-1])
}

// queueNamed reads a queue of the caller's scope and its attributes.
func (s *Service) queueNamed(ctx context.Context, sc Scope, name string) (*store.Queue, map[string]string, error) {
	q, err := s.opt.Store.Queue(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errorf(QueueDoesNotExist, "The specified queue does not exist.")
	}
	if err != nil {
		return nil, nil, err
	}
	attrs, err := decodeAttributes(q.Attributes)
	if err != nil {
		return nil, nil, err
	}
	return q, attrs, nil
}

// encodeAttributes and decodeAttributes keep a resource's attributes in
// the store.
var (
	encodeAttributes = attrmap.Encode
	decodeAttributes = attrmap.Decode
)

// tokenPrefix marks this service's next tokens.
const tokenPrefix = "sqs1:"

func encodeToken(key string) string { return pagetoken.Encode(tokenPrefix, key) }

func decodeToken(t string) (string, error) {
	key, ok := pagetoken.Decode(tokenPrefix, t)
	if !ok {
		return "", errorf(InvalidParameterValue, "Invalid NextToken value.")
	}
	return key, nil
}
