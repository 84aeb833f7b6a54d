// Package cloudtrail is CloudTrail: it records the API calls Vigil
// serves as CloudTrail events (the event history LookupEvents reads, 90
// days on the clock), and runs trails, which deliver the events of their
// account as gzipped log files to a bucket every five minutes and, with
// log file validation, hourly digest files signed with a per-region RSA
// key that `aws cloudtrail validate-logs` checks.
package cloudtrail

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/store"
)

// Code is the kind of a refused request; the API names its exception.
type Code string

// The codes of Error.
const (
	InvalidTrailName        Code = "InvalidTrailName"
	TrailNotFound           Code = "TrailNotFound"
	TrailAlreadyExists      Code = "TrailAlreadyExists"
	InvalidBucketName       Code = "InvalidS3BucketName"
	InvalidPrefix           Code = "InvalidS3Prefix"
	BucketDoesNotExist      Code = "S3BucketDoesNotExist"
	InsufficientBucket      Code = "InsufficientS3BucketPolicy"
	InvalidLookupAttributes Code = "InvalidLookupAttributes"
	InvalidTimeRange        Code = "InvalidTimeRange"
	InvalidNextToken        Code = "InvalidNextToken"
	InvalidEventSelectors   Code = "InvalidEventSelectors"
	InvalidParameter        Code = "InvalidParameter"
	InvalidCombination      Code = "InvalidParameterCombination"
	Unsupported             Code = "UnsupportedOperation"
	TooManyTrails           Code = "MaximumNumberOfTrailsExceeded"
	InvalidHomeRegion       Code = "InvalidHomeRegion"
	InvalidLogGroup         Code = "InvalidCloudWatchLogsLogGroupArn"
	InvalidLogsRole         Code = "InvalidCloudWatchLogsRoleArn"
	InsufficientTopic       Code = "InsufficientSnsTopicPolicy"
	InvalidKMSKey           Code = "InvalidKmsKeyId"
	NotOrganizationAccount  Code = "OrganizationsNotInUse"
	InvalidARN              Code = "CloudTrailARNInvalid"
	TagsLimit               Code = "TagsLimitExceeded"
	InvalidInsightSelectors Code = "InvalidInsightSelectors"
)

// Error is a refused request, worded for the client.
type Error struct {
	Code    Code
	Message string
}

// Error returns the code and the message.
func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Retention is how long the event history keeps an event.
const Retention = 90 * 24 * time.Hour

// Object is a file a trail writes into a bucket, as
// cloudtrail.amazonaws.com on behalf of the trail's account.
type Object struct {
	// SourceAccount and SourceARN are the trail's account and ARN, for
	// the bucket policy's aws:SourceAccount and aws:SourceArn.
	SourceAccount, SourceARN string
	Bucket, Key              string
	Body                     []byte
	// Metadata is the object's user metadata (a digest's signature).
	Metadata map[string]string
}

// DeliveryError is a bucket's refusal: Code is S3's error code
// (NoSuchBucket, AccessDenied), which GetTrailStatus reports.
type DeliveryError struct {
	Code, Message string
}

// Error returns the code and the message.
func (e *DeliveryError) Error() string { return e.Code + ": " + e.Message }

// Buckets is the bucket store trails write to.
type Buckets interface {
	// Deliver writes o, or fails with a *DeliveryError when the bucket
	// refuses it (absent, or its policy does not allow CloudTrail).
	Deliver(ctx context.Context, o Object) error
	// CheckDelivery says whether Deliver of o would be allowed, writing
	// nothing.
	CheckDelivery(ctx context.Context, o Object) error
}

// Destinations are the topics and log groups trails deliver to, through
// the dispatcher.
type Destinations interface {
	// CheckTopic says whether the topic exists and its policy lets the
	// trail publish (SNS:Publish for cloudtrail.amazonaws.com).
	CheckTopic(ctx context.Context, topicARN, trailARN string) error
	// CheckLogGroup says whether the log group exists.
	CheckLogGroup(ctx context.Context, groupARN string) error
	// Dispatch sends a notification to a topic, or log events
	// (dispatch.LogEventsKind) to a log group.
	Dispatch(ctx context.Context, m dispatch.Message) error
}

// Sealer seals the private keys of the signing key pairs.
type Sealer interface {
	Seal(plaintext []byte) []byte
	Open(sealed []byte) ([]byte, error)
}

// Options configure a Service.
type Options struct {
	Store   store.CloudTrail
	Tags    store.Tags
	Buckets Buckets
	// Destinations are the trails' topics and log groups.
	Destinations Destinations
	Sealer       Sealer
	Clock        clock.Clock
	Logger       *slog.Logger
}

// Service is CloudTrail for every account of this Vigil.
type Service struct {
	opt Options
	// stateMu serialises the changes of trails' states: the delivery job
	// and Start/StopLogging read, change and write them.
	stateMu sync.Mutex
	// dataTrails caches the logging trails by account,
	// which the recorder asks whether to record a data event (nil: to
	// read).
	dataMu     sync.Mutex
	dataTrails map[string][]*Trail
	// keys caches the signing keys of the regions (see keys.go).
	keysMu sync.Mutex
	keys   map[string][]signingKey
}

// New returns the service.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opt: opt, keys: map[string][]signingKey{}}
}

// ms is t in milliseconds since the epoch.
func ms(t time.Time) int64 { return t.UnixMilli() }
