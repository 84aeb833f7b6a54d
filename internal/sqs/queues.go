package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// queueNames are the names a queue takes: "up to 80 characters ...
// alphanumeric characters, hyphens (-), and underscores (_)"; a FIFO
// queue's end in .fifo.
var queueNames = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// attribute is a settable queue attribute: its default and its check.
type attribute struct {
	def   string
	check func(v string) bool
}

func intRange(lo, hi int) func(string) bool {
	return func(v string) bool {
		n, err := strconv.Atoi(v)
		return err == nil && n >= lo && n <= hi
	}
}

func boolean(v string) bool { return v == "true" || v == "false" }

func jsonText(v string) bool { return v == "" || json.Valid([]byte(v)) }

func anyValue(string) bool { return true }

// attributes are the settable attributes with AWS's defaults and ranges.
var attributes = map[string]attribute{
	"DelaySeconds":                  {"0", intRange(0, 900)},
	"MaximumMessageSize":            {"262144", intRange(1024, 1048576)},
	"MessageRetentionPeriod":        {"345600", intRange(60, 1209600)},
	"ReceiveMessageWaitTimeSeconds": {"0", intRange(0, 20)},
	"VisibilityTimeout":             {"30", intRange(0, 43200)},
	"Policy":                        {"", jsonText},
	"RedrivePolicy":                 {"", jsonText},
	"RedriveAllowPolicy":            {"", jsonText},
	"KmsMasterKeyId":                {"", anyValue},
	"KmsDataKeyReusePeriodSeconds":  {"300", intRange(60, 86400)},
	"SqsManagedSseEnabled":          {"true", boolean},
	"FifoQueue":                     {"", boolean},
	"ContentBasedDeduplication":     {"false", boolean},
	"DeduplicationScope":            {"queue", func(v string) bool { return v == "queue" || v == "messageGroup" }},
	"FifoThroughputLimit":           {"perQueue", func(v string) bool { return v == "perQueue" || v == "perMessageGroupId" }},
}

// fifoOnly are the attributes of FIFO queues only.
var fifoOnly = map[string]bool{"ContentBasedDeduplication": true, "DeduplicationScope": true, "FifoThroughputLimit": true}

// checkAttributes checks attributes given to CreateQueue or
// SetQueueAttributes.
func checkAttributes(attrs map[string]string, fifo bool) error {
	for k, v := range attrs {
		a, ok := attributes[k]
		if !ok {
			return errorf(InvalidAttributeName, "Unknown Attribute %s.", k)
		}
		if !a.check(v) {
			return errorf(InvalidAttributeValue, "Invalid value for the parameter %s.", k)
		}
		if fifoOnly[k] && !fifo {
			return errorf(InvalidAttributeName, "Unknown Attribute %s.", k)
		}
		if k == "RedrivePolicy" && v != "" {
			if _, err := parseRedrive(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// redrivePolicy is a queue's RedrivePolicy.
type redrivePolicy struct {
	TargetARN       string `json:"deadLetterTargetArn"`
	MaxReceiveCount any    `json:"maxReceiveCount"`
}

// parseRedrive reads a RedrivePolicy ("maxReceiveCount" a number or a
// string of one, 1 to 1000).
func parseRedrive(v string) (*store.Redrive, error) {
	var p redrivePolicy
	bad := errorf(InvalidAttributeValue, "Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map or deadLetterTargetArn and maxReceiveCount are missing.", v)
	if err := json.Unmarshal([]byte(v), &p); err != nil || p.TargetARN == "" || p.MaxReceiveCount == nil {
		return nil, bad
	}
	var n int
	shown := fmt.Sprint(p.MaxReceiveCount)
	switch c := p.MaxReceiveCount.(type) {
	case float64:
		n, shown = int(c), strconv.FormatFloat(c, 'f', -1, 64)
	case string:
		n, _ = strconv.Atoi(c)
	}
	if n < 1 || n > 1000 {
		return nil, errorf(InvalidAttributeValue, "Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both inclusive.", v, shown)
	}
	return &store.Redrive{TargetARN: p.TargetARN, MaxReceiveCount: n}, nil
}

// value returns an attribute's value or its default.
func value(attrs map[string]string, name string) string {
	if v, ok := attrs[name]; ok {
		return v
	}
	return attributes[name].def
}

func intValue(attrs map[string]string, name string) int {
	n, _ := strconv.Atoi(value(attrs, name))
	return n
}

// CreateQueue creates a queue, or returns the URL of the queue of that
// name when its attributes agree, as AWS does.
func (s *Service) CreateQueue(ctx context.Context, sc Scope, base, name string, attrs, tags map[string]string) (string, error) {
	fifo := attrs["FifoQueue"] == "true"
	stem := name
	if fifo {
		var ok bool
		if stem, ok = strings.CutSuffix(name, ".fifo"); !ok {
			return "", errorf(InvalidParameterValue, "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
	}
	if !queueNames.MatchString(stem) || len(name) > 80 {
		return "", errorf(InvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if !fifo && strings.HasSuffix(name, ".fifo") {
		return "", errorf(InvalidParameterValue, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if err := checkAttributes(attrs, fifo); err != nil {
		return "", err
	}
	stored := maps.Clone(attrs)
	if err := encryption(attrs, stored); err != nil {
		return "", err
	}
	if len(tags) > maxTags {
		return "", errorf(InvalidParameterValue, "Too many tags added for queue %s.", name)
	}
	now := s.opt.Clock.Now().UnixMilli()
	q, created, err := s.opt.Store.CreateQueue(ctx, store.Queue{Account: sc.Account, Region: sc.Region, Name: name,
		ARN: queueARN(sc, name), Attributes: encodeAttributes(stored), Created: now, Updated: now})
	if err != nil {
		return "", err
	}
	if !created {
		old, err := decodeAttributes(q.Attributes)
		if err != nil {
			return "", err
		}
		for k, v := range attrs {
			if value(old, k) != v {
				return "", errorf(QueueNameExists, "A queue already exists with the same name and a different value for attribute %s", k)
			}
		}
		return QueueURL(base, q), nil
	}
	if len(tags) > 0 {
		if err := s.opt.Tags.TagResource(ctx, q.ARN, tags, nil, maxTags); err != nil {
			return "", err
		}
	}
	return QueueURL(base, q), nil
}

// maxTags is how many tags a queue takes.
const maxTags = 50

// GetQueueURL returns the URL of a queue of the caller's account.
func (s *Service) GetQueueURL(ctx context.Context, sc Scope, base, name, owner string) (string, error) {
	if owner != "" && owner != sc.Account {
		return "", errorf(QueueDoesNotExist, "The specified queue does not exist.")
	}
	q, _, err := s.queueNamed(ctx, sc, name)
	if err != nil {
		return "", err
	}
	return QueueURL(base, q), nil
}

// listMax is the most queues ListQueues returns: 1,000, or MaxResults.
const listMax = 1000

// page is a page of a list of queues by name, as ListQueues and
// ListDeadLetterSourceQueues take it.
type page struct {
	// after is the name the page starts after; limit how many queues to
	// read: one more than MaxResults (max) to know whether a page
	// follows, or listMax without it.
	after      string
	limit, max int
}

// newPage checks MaxResults (1 to 1,000; 0 when not given) and the
// NextToken of the page before.
func newPage(maxResults int, token string) (page, error) {
	if maxResults < 0 || maxResults > listMax {
		return page{}, errorf(InvalidParameterValue, "Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", maxResults)
	}
	if token != "" && maxResults == 0 {
		return page{}, errorf(InvalidParameterValue, "MaxResults is a mandatory parameter when you provide a value for NextToken.")
	}
	after, err := decodeToken(token)
	if err != nil {
		return page{}, err
	}
	p := page{after: after, limit: listMax, max: maxResults}
	if maxResults > 0 {
		p.limit = maxResults + 1
	}
	return p, nil
}

// urls returns the URLs of the page's queues (qs, as read) and the
// token of the next page ("" when none follows).
func (p page) urls(base string, qs []store.Queue) ([]string, string) {
	var next string
	if p.max > 0 && len(qs) > p.max {
		qs = qs[:p.max]
		next = encodeToken(qs[p.max-1].Name)
	}
	out := make([]string, len(qs))
	for i := range qs {
		out[i] = QueueURL(base, &qs[i])
	}
	return out, next
}

// ListQueues lists the URLs of the queues whose names begin with prefix,
// by name; with maxResults (1 to 1,000) a page at a time.
func (s *Service) ListQueues(ctx context.Context, sc Scope, base, prefix string, maxResults int, token string) ([]string, string, error) {
	p, err := newPage(maxResults, token)
	if err != nil {
		return nil, "", err
	}
	qs, err := s.opt.Store.Queues(ctx, sc.Account, sc.Region, prefix, p.after, p.limit)
	if err != nil {
		return nil, "", err
	}
	urls, next := p.urls(base, qs)
	return urls, next, nil
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(ctx context.Context, sc Scope, queueURL string) error {
	q, _, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return err
	}
	if err := s.opt.Store.DeleteQueue(ctx, q.ARN); err != nil {
		return err
	}
	return store.RemoveTags(ctx, s.opt.Tags, q.ARN)
}

// GetQueueAttributes returns the attributes asked for ("All" for every
// one), with those SQS computes.
func (s *Service) GetQueueAttributes(ctx context.Context, sc Scope, queueURL string, names []string) (map[string]string, error) {
	q, attrs, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return nil, err
	}
	counts, err := s.opt.Store.Counts(ctx, q.ARN, s.opt.Clock.Now().UnixMilli())
	if err != nil {
		return nil, err
	}
	fifo, kms := attrs["FifoQueue"] == "true", attrs["KmsMasterKeyId"] != ""
	all := map[string]string{
		"QueueArn":                              q.ARN,
		"ApproximateNumberOfMessages":           strconv.FormatInt(counts.Visible, 10),
		"ApproximateNumberOfMessagesNotVisible": strconv.FormatInt(counts.InFlight, 10),
		"ApproximateNumberOfMessagesDelayed":    strconv.FormatInt(counts.Delayed, 10),
		"CreatedTimestamp":                      strconv.FormatInt(q.Created/1000, 10),
		"LastModifiedTimestamp":                 strconv.FormatInt(q.Updated/1000, 10),
	}
	for k, a := range attributes {
		// FIFO queues' attributes are a FIFO queue's only; the data key
		// reuse period is reported with a KMS key only, as AWS does.
		if (fifoOnly[k] || k == "FifoQueue") && !fifo || k == "KmsDataKeyReusePeriodSeconds" && !kms {
			continue
		}
		if v := value(attrs, k); v != "" || a.def != "" {
			all[k] = v
		}
	}
	if len(names) == 0 {
		return map[string]string{}, nil
	}
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return all, nil
		}
		if _, known := all[n]; !known {
			if _, settable := attributes[n]; !settable {
				return nil, errorf(InvalidAttributeName, "Unknown Attribute %s.", n)
			}
			continue
		}
		out[n] = all[n]
	}
	return out, nil
}

// SetQueueAttributes sets attributes of a queue.
func (s *Service) SetQueueAttributes(ctx context.Context, sc Scope, queueURL string, set map[string]string) error {
	q, attrs, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return err
	}
	if _, ok := set["FifoQueue"]; ok {
		return errorf(InvalidAttributeName, "Unknown Attribute FifoQueue.")
	}
	if err := checkAttributes(set, attrs["FifoQueue"] == "true"); err != nil {
		return err
	}
	next := maps.Clone(attrs)
	for k, v := range set {
		next[k] = v
	}
	if err := encryption(set, next); err != nil {
		return err
	}
	return s.opt.Store.SetQueueAttributes(ctx, q.ARN, encodeAttributes(next), s.opt.Clock.Now().UnixMilli())
}

// encryption applies to the attributes a queue gets (next) from those a
// request sets AWS's rule that a queue is encrypted one way at a time:
// a KMS key set turns SQS-managed encryption off, and both at once are
// refused (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html).
func encryption(set, next map[string]string) error {
	if next["KmsMasterKeyId"] == "" {
		return nil
	}
	if set["SqsManagedSseEnabled"] == "true" {
		return errorf(InvalidAttributeName, "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
	}
	if set["KmsMasterKeyId"] != "" {
		next["SqsManagedSseEnabled"] = "false"
	}
	return nil
}

// purgeEvery is how often a queue may be purged: "Only one PurgeQueue
// operation on a queue is allowed every 60 seconds."
const purgeEvery = 60 * time.Second

// PurgeQueue deletes every message of a queue.
func (s *Service) PurgeQueue(ctx context.Context, sc Scope, queueURL string) error {
	q, attrs, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return err
	}
	now := s.opt.Clock.Now()
	if last, err := strconv.ParseInt(attrs[purgedAttribute], 10, 64); err == nil && now.Before(time.UnixMilli(last).Add(purgeEvery)) {
		return errorf(PurgeQueueInProgress, "Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name)
	}
	if _, err := s.opt.Store.PurgeQueue(ctx, q.ARN); err != nil {
		return err
	}
	attrs[purgedAttribute] = strconv.FormatInt(now.UnixMilli(), 10)
	return s.opt.Store.SetQueueAttributes(ctx, q.ARN, encodeAttributes(attrs), q.Updated)
}

// purgedAttribute keeps when a queue was last purged, among its stored
// attributes (never reported: attributes lists only the ones SQS has).
const purgedAttribute = "vigil:purged"

// Tags returns a queue's tags.
func (s *Service) Tags(ctx context.Context, sc Scope, queueURL string) (map[string]string, error) {
	q, _, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return nil, err
	}
	return s.opt.Tags.ResourceTags(ctx, q.ARN)
}

// Tag adds and removes a queue's tags.
func (s *Service) Tag(ctx context.Context, sc Scope, queueURL string, add map[string]string, remove []string) error {
	q, _, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return err
	}
	err = s.opt.Tags.TagResource(ctx, q.ARN, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(InvalidParameterValue, "Too many tags added for queue %s.", q.Name)
	}
	return err
}
