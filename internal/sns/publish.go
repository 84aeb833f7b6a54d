package sns

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/snsmsg"
	"github.com/vigilhq/vigil/internal/store"
)

// Limits of Publish.
const (
	// maxMessage is the largest message, with its attributes: 256 KiB.
	maxMessage = 256 * 1024
	// maxSubject bounds a subject: "less than 100 characters long".
	maxSubject = 100
	// maxAttributes is how many message attributes a message takes.
	maxAttributes = 10
)

// Attribute is a message attribute of a publish.
type Attribute struct {
	// DataType is String, Number or Binary, optionally with a custom
	// suffix (String.Array, Number.float).
	DataType    string
	StringValue string
	BinaryValue []byte
}

// PublishInput is a Publish request.
type PublishInput struct {
	TopicARN, Message, Subject, MessageStructure string
	Attributes                                   map[string]Attribute
	MessageGroupID, MessageDeduplicationID       string
}

// Published is a message published: its id and, on a FIFO topic, its
// sequence number.
type Published struct {
	MessageID, SequenceNumber string
}

// Publish publishes a message to every confirmed subscription of a topic:
// once it returns, the deliveries are in the outbox.
func (s *Service) Publish(ctx context.Context, sc Scope, in PublishInput) (Published, error) {
	p, err := s.publisher(ctx, sc, in.TopicARN)
	if err != nil {
		return Published{}, err
	}
	id, items, err := p.items(in)
	if err != nil {
		return Published{}, err
	}
	seqs, err := p.sequenceNumbers(ctx, 1)
	if err != nil {
		return Published{}, err
	}
	if err := s.push(ctx, items); err != nil {
		return Published{}, err
	}
	return Published{MessageID: id, SequenceNumber: seqs[0]}, nil
}

// BatchResult is the outcome of one entry of PublishBatch: the message
// published, or the error that refused it.
type BatchResult struct {
	ID string
	Published
	Err error
}

// Limits of PublishBatch.
const maxBatch = 10

// batchIDs are the ids a batch entry takes.
var batchIDs = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// PublishBatch publishes up to 10 messages to a topic, each as Publish
// would; the entries refused are reported apart, and the deliveries of
// the others are enqueued together.
func (s *Service) PublishBatch(ctx context.Context, sc Scope, topic string, ids []string, entries []PublishInput) ([]BatchResult, error) {
	switch {
	case len(entries) == 0:
		return nil, errorf(EmptyBatch, "The batch request doesn't contain any entries.")
	case len(entries) > maxBatch:
		return nil, errorf(TooManyEntries, "The batch request contains more entries than permissible.")
	}
	seen := map[string]bool{}
	size := 0
	for i, id := range ids {
		if !batchIDs.MatchString(id) {
			return nil, errorf(InvalidBatchEntryID, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id] {
			return nil, errorf(BatchEntryIDsNotDistinct, "Two or more batch entries in the request have the same Id.")
		}
		seen[id] = true
		size += len(entries[i].Message)
	}
	if size > maxMessage {
		return nil, errorf(BatchRequestTooLong, "The length of all the messages put together is more than the limit.")
	}
	p, err := s.publisher(ctx, sc, topic)
	if err != nil {
		return nil, err
	}
	out := make([]BatchResult, len(entries))
	var items []store.OutboxItem
	published := 0
	for i, in := range entries {
		in.TopicARN = topic
		id, its, err := p.items(in)
		out[i] = BatchResult{ID: ids[i], Published: Published{MessageID: id}, Err: err}
		items = append(items, its...)
		if err == nil {
			published++
		}
	}
	seqs, err := p.sequenceNumbers(ctx, published)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Err == nil {
			out[i].SequenceNumber, seqs = seqs[0], seqs[1:]
		}
	}
	if err := s.push(ctx, items); err != nil {
		return nil, err
	}
	return out, nil
}

// sequenceStride spaces a topic's sequence numbers: AWS's are "large,
// non-consecutive" numbers that grow, and clients must not count on
// them following each other.
const sequenceStride = 1000

// sequenceNumbers returns the SequenceNumbers of n messages published to
// a FIFO topic, in increasing order, or n empty strings for a standard
// topic. They are reserved in the store, so that they grow across
// restarts; a publish that fails after reserving them leaves a gap.
// Each is 20 digits, as AWS's look ("10000000000000003000"): 1
// followed by the store's number times the stride.
func (p *publisher) sequenceNumbers(ctx context.Context, n int) ([]string, error) {
	out := make([]string, n)
	if p.topicAttrs["FifoTopic"] != "true" || n == 0 {
		return out, nil
	}
	last, err := p.s.opt.Store.NextSequence(ctx, n)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = fmt.Sprintf("1%019d", (last-int64(n-1-i))*sequenceStride)
	}
	return out, nil
}

// publisher is a topic ready to publish to: its attributes and its
// confirmed subscriptions with theirs.
type publisher struct {
	s          *Service
	topicAttrs map[string]string
	subs       []store.Subscription
	subAttrs   []map[string]string
	// filters are the subscriptions' filter policies (nil: none).
	filters []*filter
}

// publisher reads a topic and its confirmed subscriptions.
func (s *Service) publisher(ctx context.Context, sc Scope, topic string) (*publisher, error) {
	t, err := s.topic(ctx, sc, topic)
	if err != nil {
		return nil, err
	}
	p := &publisher{s: s}
	if p.topicAttrs, err = decodeAttributes(t.Attributes); err != nil {
		return nil, err
	}
	subs, err := s.opt.Store.Subscriptions(ctx, t.Account, t.Region, t.ARN, "", 0)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if !sub.Confirmed {
			continue
		}
		attrs, err := decodeAttributes(sub.Attributes)
		if err != nil {
			return nil, err
		}
		f, err := filterOf(attrs)
		if err != nil {
			return nil, err
		}
		p.subs = append(p.subs, sub)
		p.subAttrs = append(p.subAttrs, attrs)
		p.filters = append(p.filters, f)
	}
	return p, nil
}

// items checks a message and returns its id and its deliveries.
func (p *publisher) items(in PublishInput) (string, []store.OutboxItem, error) {
	msgs, attrs, err := checkPublish(in)
	if err != nil {
		return "", nil, err
	}
	if p.topicAttrs["FifoTopic"] == "true" && in.MessageGroupID == "" {
		return "", nil, errorf(InvalidParameter, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	}
	if p.topicAttrs["FifoTopic"] != "true" && (in.MessageGroupID != "" || in.MessageDeduplicationID != "") {
		return "", nil, errorf(InvalidParameter, "Invalid parameter: The request includes MessageGroupId or MessageDeduplicationId parameters which are not valid for this topic type")
	}
	if p.topicAttrs["FifoTopic"] == "true" && in.MessageDeduplicationID == "" {
		if p.topicAttrs["ContentBasedDeduplication"] != "true" {
			return "", nil, errorf(InvalidParameter, "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		sum := sha256.Sum256([]byte(in.Message))
		in.MessageDeduplicationID = hex.EncodeToString(sum[:])
	}
	id := request.NewUUID()
	var items []store.OutboxItem
	for i := range p.subs {
		sub := &p.subs[i]
		message, ok := msgs[sub.Protocol]
		if !ok {
			message = msgs["default"]
		}
		if f := p.filters[i]; f != nil && !f.accepts(message, attrs) {
			continue
		}
		it, err := p.s.item(sub, delivery{Type: typeNotification, MessageID: id, Message: message, Subject: in.Subject,
			Attributes: attrs, Raw: p.subAttrs[i]["RawMessageDelivery"] == "true", SignatureVersion: p.topicAttrs["SignatureVersion"],
			GroupID: in.MessageGroupID, DedupID: in.MessageDeduplicationID})
		if err != nil {
			return "", nil, err
		}
		items = append(items, it)
	}
	return id, items, nil
}

// checkPublish checks a publish and returns its message by protocol
// ("default" for those without their own) and its attributes as
// delivered.
func checkPublish(in PublishInput) (map[string]string, []snsmsg.Attribute, error) {
	if in.Message == "" {
		return nil, nil, errorf(InvalidParameter, "Invalid parameter: Empty message")
	}
	if !utf8.ValidString(in.Message) {
		return nil, nil, errorf(InvalidParameter, "Invalid parameter: Message must be UTF-8 text")
	}
	if in.Subject != "" && (utf8.RuneCountInString(in.Subject) >= maxSubject || !subjectText(in.Subject)) {
		return nil, nil, errorf(InvalidParameter, "Invalid parameter: Subject")
	}
	if len(in.Attributes) > maxAttributes {
		return nil, nil, errorf(InvalidParameter, "Invalid parameter: MessageAttributes: Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in.Attributes), maxAttributes)
	}
	size := len(in.Message)
	var attrs []snsmsg.Attribute
	for _, name := range slices.Sorted(maps.Keys(in.Attributes)) {
		a := in.Attributes[name]
		base, _, _ := strings.Cut(a.DataType, ".")
		var value string
		switch {
		case base == "String" || base == "Number":
			if !utf8.ValidString(a.StringValue) {
				return nil, nil, errorf(InvalidParameter, "Invalid parameter: The message attribute '%s' must be UTF-8 text.", name)
			}
			if a.StringValue == "" {
				return nil, nil, errorf(InvalidParameter, "Invalid parameter: The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, base)
			}
			value = a.StringValue
		case base == "Binary":
			if len(a.BinaryValue) == 0 {
				return nil, nil, errorf(InvalidParameter, "Invalid parameter: The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			value = base64.StdEncoding.EncodeToString(a.BinaryValue)
		default:
			return nil, nil, errorf(InvalidParameter, "Invalid parameter: The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
		attrs = append(attrs, snsmsg.Attribute{Name: name, Type: a.DataType, Value: value})
	}
	if size > maxMessage {
		return nil, nil, errorf(InvalidParameter, "Invalid parameter: Message too long")
	}
	msgs := map[string]string{"default": in.Message}
	switch in.MessageStructure {
	case "":
	case "json":
		var byProtocol map[string]string
		if err := json.Unmarshal([]byte(in.Message), &byProtocol); err != nil {
			return nil, nil, errorf(InvalidParameter, "Invalid parameter: Message Structure - JSON message body failed to parse")
		}
		if _, ok := byProtocol["default"]; !ok {
			return nil, nil, errorf(InvalidParameter, "Invalid parameter: Message Structure - No default entry in JSON message body")
		}
		msgs = byProtocol
	default:
		return nil, nil, errorf(InvalidParameter, "Invalid parameter: MessageStructure")
	}
	return msgs, attrs, nil
}

// subjectText reports whether a subject is what SNS takes: "UTF-8 text
// with no line breaks or control characters".
func subjectText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// deliverToTopic is the dispatcher's target for SNS topic ARNs: another
// service's notification (an alarm action) published to the topic.
func (s *Service) deliverToTopic(ctx context.Context, to dispatch.Address, m *dispatch.Message) error {
	_, err := s.Publish(ctx, Scope{Account: to.Account, Region: to.Region}, PublishInput{TopicARN: to.Raw, Message: string(m.Payload), Subject: m.Subject})
	if _, refused := err.(*Error); refused {
		return outbox.Permanent(err)
	}
	return err
}
