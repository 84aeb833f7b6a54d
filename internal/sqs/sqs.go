// Package sqs is Vigil's Amazon SQS: standard and FIFO queues whose
// messages are durable once SendMessage answers, received with
// visibility timeouts and long polling on Vigil's clock, moved to
// dead-letter queues after their maximum receives and back by message
// move tasks, and expired after their retention period.
package sqs

import (
	"context"
	"errors"
	"log/slog"
	"slices"
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
	ResourceNotFound
	OverLimit
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
// account is not found: Vigil keeps queue policies without enforcing
// them.
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
	return s.readQueue(ctx, sc, name, errorf(QueueDoesNotExist, "The specified queue does not exist."))
}

// queueByARN reads the queue an ARN names (the parameter param) and its
// attributes: a queue of the caller's scope, as queueOf reads them.
func (s *Service) queueByARN(ctx context.Context, sc Scope, arn, param string) (*store.Queue, map[string]string, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || slices.Contains(parts, "") {
		return nil, nil, errorf(InvalidParameterValue, "You must use this format to specify the %s: arn:<partition>:<service>:<region>:<account-id>:<resource-id>", param)
	}
	missing := errorf(ResourceNotFound, "The resource that you specified for the %s parameter doesn't exist.", param)
	if parts[2] != "sqs" || parts[3] != sc.Region || parts[4] != sc.Account {
		return nil, nil, missing
	}
	return s.readQueue(ctx, sc, parts[5], missing)
}

// readQueue reads a queue of the caller's scope and its attributes, or
// fails with missing.
func (s *Service) readQueue(ctx context.Context, sc Scope, name string, missing error) (*store.Queue, map[string]string, error) {
	q, err := s.opt.Store.Queue(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, missing
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
