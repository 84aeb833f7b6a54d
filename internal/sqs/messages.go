package sqs

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Limits of the message operations.
const (
	maxBatch      = 10
	maxAttributes = 10
	maxWait       = 20
	// dedupWindow is FIFO deduplication's: "If a message with a
	// particular message deduplication ID is sent successfully, any
	// messages sent with the same message deduplication ID are accepted
	// successfully but aren't delivered during the 5-minute
	// deduplication interval."
	dedupWindow = 5 * time.Minute
	// attemptWindow is how long a FIFO receive may be retried by its
	// ReceiveRequestAttemptId; the expiry deletes the attempts with the
	// deduplication records, past the same 5 minutes.
	attemptWindow = dedupWindow
)

// Attribute is a message attribute.
type Attribute struct {
	Name, DataType string
	StringValue    string
	BinaryValue    []byte
}

// SendInput is a message to send.
type SendInput struct {
	// ID is the entry's id in a batch.
	ID   string
	Body string
	// DelaySeconds is nil for the queue's delay.
	DelaySeconds     *int
	Attributes       []Attribute
	TraceHeader      string
	GroupID, DedupID string
}

// SendResult is a sent message, or the error that refused it.
type SendResult struct {
	ID, MessageID                     string
	MD5Body, MD5Attributes, MD5System string
	SequenceNumber                    string
	Err                               error
}

// messageData is what the store keeps of a message beyond its body: the
// message's attributes as encoded.
type messageData struct {
	Attributes  []storedAttribute `json:"attributes,omitempty"`
	TraceHeader string            `json:"traceHeader,omitempty"`
	SenderID    string            `json:"senderId"`
}

type storedAttribute struct {
	Name     string `json:"name"`
	DataType string `json:"dataType"`
	String   string `json:"string,omitempty"`
	Binary   []byte `json:"binary,omitempty"`
}

// numbers are the values a Number attribute takes: decimal integers and
// floating-point numbers, not NaN, infinities or hexadecimal.
var numbers = regexp.MustCompile(`^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`)

// fifoIDs are the MessageGroupIds and MessageDeduplicationIds SQS takes:
// "up to 128 characters ... alphanumeric characters and punctuation".
var fifoIDs = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

// attributeNames are the names a message attribute takes.
var attributeNames = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// checkMessageAttributes checks a message's attributes and returns their
// size in bytes.
func checkMessageAttributes(attrs []Attribute) (int, error) {
	if len(attrs) > maxAttributes {
		return 0, errorf(InvalidParameterValue, "Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxAttributes)
	}
	size := 0
	for _, a := range attrs {
		lower := strings.ToLower(a.Name)
		if !attributeNames.MatchString(a.Name) || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") ||
			strings.HasPrefix(a.Name, ".") || strings.HasSuffix(a.Name, ".") || strings.Contains(a.Name, "..") {
			return 0, errorf(InvalidParameterValue, "Message attribute name '%s' is invalid.", a.Name)
		}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch base {
		case "String", "Number":
			if a.StringValue == "" {
				return 0, errorf(InvalidParameterValue, "Message (user) attribute '%s' must contain a non-empty value of type '%s'.", a.Name, base)
			}
			if base == "Number" {
				if !numbers.MatchString(a.StringValue) {
					return 0, errorf(InvalidParameterValue, "Can't cast the value of message (user) attribute '%s' to a number.", a.Name)
				}
			}
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return 0, errorf(InvalidParameterValue, "Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", a.Name)
			}
		default:
			return 0, errorf(InvalidParameterValue, "The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", a.Name)
		}
		size += len(a.Name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return size, nil
}

// attributesMD5 is the MD5 digest of message attributes as SQS computes
// it (and the SDKs check): for each attribute by name, the lengths
// (4 bytes, big-endian) and bytes of its name, its data type, a
// transport byte (1 for strings, 2 for binary) and its value.
func attributesMD5(attrs []storedAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	sorted := slices.Clone(attrs)
	slices.SortFunc(sorted, func(a, b storedAttribute) int { return strings.Compare(a.Name, b.Name) })
	h := md5.New()
	field := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, a := range sorted {
		field([]byte(a.Name))
		field([]byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			field(a.Binary)
		} else {
			h.Write([]byte{1})
			field([]byte(a.String))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func bodyMD5(body string) string {
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// validBody returns a body as SQS keeps it: "Amazon SQS does not throw an
// exception or completely reject the message if it contains invalid
// characters. Instead, it replaces those invalid characters with U+FFFD
// before storing the message in the queue, as long as the message body
// contains at least one valid character."
func validBody(body string) (string, bool) {
	ok := false
	var b strings.Builder
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		i += size
		if r == utf8.RuneError && size == 1 || !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			b.WriteRune(utf8.RuneError)
			continue
		}
		ok = true
		b.WriteRune(r)
	}
	return b.String(), ok
}

// SendMessages sends messages to a queue (SendMessage is one, a batch up
// to 10) from the account sender: durable once it returns. Entries
// refused are reported in their result; the others are stored together.
func (s *Service) SendMessages(ctx context.Context, sc Scope, sender, queueURL string, in []SendInput, batch bool) ([]SendResult, error) {
	if batch {
		if err := checkBatch(len(in), "SendMessageBatchRequestEntry", func(i int) string { return in[i].ID }); err != nil {
			return nil, err
		}
	}
	q, attrs, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return nil, err
	}
	return s.send(ctx, q, attrs, sender, in, batch, batch)
}

// send sends messages to queue q, whose attributes are attrs. With
// perEntry an entry refused is reported in its result, else it fails the
// call; with limitTotal the entries' sizes together must stay within the
// queue's MaximumMessageSize, as a batch's must.
func (s *Service) send(ctx context.Context, q *store.Queue, attrs map[string]string, sender string, in []SendInput, perEntry, limitTotal bool) ([]SendResult, error) {
	fifo := attrs["FifoQueue"] == "true"
	maxSize := intValue(attrs, "MaximumMessageSize")
	now := s.opt.Clock.Now()
	results := make([]SendResult, len(in))
	var msgs []store.QueueMessage
	var index []int
	total := 0
	for i, e := range in {
		results[i].ID = e.ID
		m, size, err := s.message(q, attrs, e, fifo, now, sender)
		total += size
		if err == nil && size > maxSize {
			err = errorf(InvalidParameterValue, "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", maxSize)
		}
		if err != nil {
			if !perEntry {
				return nil, err
			}
			results[i].Err = err
			continue
		}
		msgs = append(msgs, m)
		index = append(index, i)
	}
	if limitTotal && total > maxSize {
		return nil, errorf(BatchRequestTooLong, "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxSize, total)
	}
	if len(msgs) > 0 {
		stored, err := s.opt.Store.SendMessages(ctx, q.ARN, msgs, now.Add(-dedupWindow).UnixMilli())
		if err != nil {
			return nil, err
		}
		for j, m := range stored {
			r, e := &results[index[j]], &in[index[j]]
			r.MessageID, r.MD5Body, r.MD5Attributes = m.ID, bodyMD5(e.Body), attributesMD5(storedAttributes(e.Attributes))
			if e.TraceHeader != "" {
				r.MD5System = attributesMD5([]storedAttribute{{Name: "AWSTraceHeader", DataType: "String", String: e.TraceHeader}})
			}
			if fifo {
				r.SequenceNumber = fmt.Sprintf("%020d", m.Seq)
			}
		}
		s.wake(q.ARN)
	}
	return results, nil
}

// message checks one message to send and returns it as stored, and its
// size.
func (s *Service) message(q *store.Queue, attrs map[string]string, e SendInput, fifo bool, now time.Time, sender string) (store.QueueMessage, int, error) {
	var m store.QueueMessage
	if e.Body == "" {
		return m, 0, errorf(MissingParameter, "The request must contain the parameter MessageBody.")
	}
	body, ok := validBody(e.Body)
	if !ok {
		return m, 0, errorf(InvalidMessageContents, "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	size, err := checkMessageAttributes(e.Attributes)
	if err != nil {
		return m, 0, err
	}
	size += len(e.Body)
	delay := intValue(attrs, "DelaySeconds")
	if e.DelaySeconds != nil {
		if fifo {
			return m, 0, errorf(InvalidParameterValue, "Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *e.DelaySeconds)
		}
		if *e.DelaySeconds < 0 || *e.DelaySeconds > 900 {
			return m, 0, errorf(InvalidParameterValue, "Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *e.DelaySeconds)
		}
		delay = *e.DelaySeconds
	}
	for _, id := range []struct{ name, value string }{{"MessageGroupId", e.GroupID}, {"MessageDeduplicationId", e.DedupID}} {
		if id.value != "" && !fifoIDs.MatchString(id.value) {
			return m, 0, errorf(InvalidParameterValue, "Value %s for parameter %s is invalid. Reason: %s can only include alphanumeric and punctuation characters. 1 to 128 in length.", id.value, id.name, id.name)
		}
	}
	dedup := e.DedupID
	if fifo {
		if e.GroupID == "" {
			return m, 0, errorf(MissingParameter, "The request must contain the parameter MessageGroupId.")
		}
		if dedup == "" {
			if value(attrs, "ContentBasedDeduplication") != "true" {
				return m, 0, errorf(InvalidParameterValue, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(e.Body))
			dedup = hex.EncodeToString(sum[:])
		}
		if value(attrs, "DeduplicationScope") == "messageGroup" {
			// Deduplicated within its group: the store's key names both.
			dedup = e.GroupID + groupSeparator + dedup
		}
	} else if dedup != "" {
		return m, 0, errorf(InvalidParameterValue, "Value %s for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.", dedup)
	}
	b, err := json.Marshal(messageData{TraceHeader: e.TraceHeader, SenderID: sender, Attributes: storedAttributes(e.Attributes)})
	if err != nil {
		return m, 0, err
	}
	at := now.UnixMilli()
	m = store.QueueMessage{QueueARN: q.ARN, ID: request.NewTimeUUID(now), Body: body, Attributes: b, GroupID: e.GroupID, DeduplicationID: dedup,
		Sent: at, VisibleAt: at + int64(delay)*1000, Expires: at + int64(intValue(attrs, "MessageRetentionPeriod"))*1000}
	return m, size, nil
}

// storedAttributes returns message attributes as a message keeps them.
func storedAttributes(as []Attribute) []storedAttribute {
	var out []storedAttribute
	for _, a := range as {
		out = append(out, storedAttribute{Name: a.Name, DataType: a.DataType, String: a.StringValue, Binary: a.BinaryValue})
	}
	return out
}

// groupSeparator joins a message group and a deduplication id in the
// key of a queue deduplicated per group; SQS's ids are printable ASCII,
// which it is not.
const groupSeparator = "\x00"

// batchIDs are the ids a batch entry takes.
var batchIDs = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatch checks a batch's size and its entries' ids; entry names
// them in messages (SendMessageBatchRequestEntry).
func checkBatch(n int, entry string, id func(int) string) error {
	switch {
	case n == 0:
		return errorf(EmptyBatchRequest, "There should be at least one %s in the request.", entry)
	case n > maxBatch:
		return errorf(TooManyEntriesInBatchRequest, "Maximum number of entries per request are %d. You have sent %d.", maxBatch, n)
	}
	seen := map[string]bool{}
	for i := range n {
		if !batchIDs.MatchString(id(i)) {
			return errorf(InvalidBatchEntryID, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
		}
		if seen[id(i)] {
			return errorf(BatchEntryIdsNotDistinct, "Id %s repeated.", id(i))
		}
		seen[id(i)] = true
	}
	return nil
}

// wake wakes the long polls waiting on a queue.
func (s *Service) wake(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.waiters[arn]; ok {
		close(ch)
		delete(s.waiters, arn)
	}
}

// waiter returns a channel closed when a message is next sent to a queue.
func (s *Service) waiter(arn string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.waiters[arn]
	if !ok {
		ch = make(chan struct{})
		s.waiters[arn] = ch
	}
	return ch
}

// ReceiveInput is a ReceiveMessage request.
type ReceiveInput struct {
	QueueURL string
	// Max, Visibility and Wait are nil for their defaults: 1, the queue's
	// VisibilityTimeout and ReceiveMessageWaitTimeSeconds.
	Max, Visibility, Wait *int
	// SystemAttributes are the system attribute names asked for ("All"
	// for every one); MessageAttributes the message attribute names
	// ("All", ".*", or a prefix followed by ".*").
	SystemAttributes, MessageAttributes []string
	// AttemptID is a FIFO receive's ReceiveRequestAttemptId ("": none),
	// which a standard queue ignores.
	AttemptID string
}

// Received is a received message.
type Received struct {
	MessageID, ReceiptHandle, Body, MD5Body, MD5Attributes string
	SystemAttributes                                       map[string]string
	Attributes                                             []Attribute
}

// repoll is how often a long poll looks again when no message is sent
// meanwhile: messages also become visible when their delay or visibility
// timeout ends.
const repoll = time.Second

// ReceiveMessages receives messages, waiting up to Wait seconds for one
// to arrive when none is there.
func (s *Service) ReceiveMessages(ctx context.Context, sc Scope, in ReceiveInput) ([]Received, error) {
	q, attrs, err := s.queueOf(ctx, sc, in.QueueURL)
	if err != nil {
		return nil, err
	}
	max, visibility, wait := 1, intValue(attrs, "VisibilityTimeout"), intValue(attrs, "ReceiveMessageWaitTimeSeconds")
	if in.Max != nil {
		if max = *in.Max; max < 1 || max > maxBatch {
			return nil, errorf(InvalidParameterValue, "Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
		}
	}
	if in.Visibility != nil {
		if visibility = *in.Visibility; visibility < 0 || visibility > 43200 {
			return nil, errorf(InvalidParameterValue, "Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", visibility)
		}
	}
	if in.Wait != nil {
		if wait = *in.Wait; wait < 0 || wait > maxWait {
			return nil, errorf(InvalidParameterValue, "Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", wait)
		}
	}
	fifo := attrs["FifoQueue"] == "true"
	attempt := ""
	if fifo {
		if attempt = in.AttemptID; attempt != "" && !fifoIDs.MatchString(attempt) {
			return nil, errorf(InvalidParameterValue, "Value %s for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.", attempt)
		}
	}
	var redrive *store.Redrive
	if p := attrs["RedrivePolicy"]; p != "" {
		if redrive, err = parseRedrive(p); err != nil {
			return nil, err
		}
	}
	deadline := s.opt.Clock.Now().Add(time.Duration(wait) * time.Second)
	for {
		woken := s.waiter(q.ARN)
		now := s.opt.Clock.Now()
		// A retried attempt returns its messages again: "You can use
		// ReceiveRequestAttemptId only for 5 minutes after a
		// ReceiveMessage action."
		got, err := s.opt.Store.ReceiveMessages(ctx, store.ReceiveRequest{
			QueueARN: q.ARN, Now: now.UnixMilli(), VisibleUntil: now.Add(time.Duration(visibility) * time.Second).UnixMilli(),
			Max: max, FIFO: fifo, Receipt: func(*store.QueueMessage) string { return newReceipt() }, Redrive: redrive,
			AttemptID: attempt, AttemptSince: now.Add(-attemptWindow).UnixMilli(),
		})
		if err != nil {
			return nil, err
		}
		if len(got) > 0 || !now.Before(deadline) {
			return received(q, got, in)
		}
		t := s.opt.Clock.NewTimer(min(deadline.Sub(now), repoll))
		select {
		case <-woken:
			t.Stop()
		case <-t.C():
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

// newReceipt returns the token of a receive.
func newReceipt() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("BUG: sqs: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// receiptHandle is the handle of a receive: the message's id and the
// receive's token.
func receiptHandle(m *store.QueueMessage) string {
	return base64.RawURLEncoding.EncodeToString([]byte("1 " + m.ID + " " + m.Receipt))
}

// parseReceipt reads a receipt handle.
func parseReceipt(h string) (id, token string, err error) {
	b, derr := base64.RawURLEncoding.DecodeString(h)
	parts := strings.Split(string(b), " ")
	if derr != nil || len(parts) != 3 || parts[0] != "1" || parts[1] == "" {
		return "", "", errorf(ReceiptHandleIsInvalid, "The input receipt handle \"%s\" is not a valid receipt handle.", h)
	}
	return parts[1], parts[2], nil
}

// received describes received messages with the attributes asked for.
func received(q *store.Queue, got []store.QueueMessage, in ReceiveInput) ([]Received, error) {
	out := make([]Received, len(got))
	for i := range got {
		m := &got[i]
		var data messageData
		if err := json.Unmarshal(m.Attributes, &data); err != nil {
			return nil, fmt.Errorf("cannot read message %s of %s: %w", m.ID, q.Name, err)
		}
		r := Received{MessageID: m.ID, ReceiptHandle: receiptHandle(m), Body: m.Body, MD5Body: bodyMD5(m.Body)}
		system := map[string]string{
			"SenderId": data.SenderID, "SentTimestamp": strconv.FormatInt(m.Sent, 10),
			"ApproximateReceiveCount": strconv.Itoa(m.ReceiveCount), "ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.FirstReceived, 10),
		}
		if data.TraceHeader != "" {
			system["AWSTraceHeader"] = data.TraceHeader
		}
		if m.GroupID != "" {
			system["MessageGroupId"] = m.GroupID
		}
		if m.SourceARN != "" {
			system["DeadLetterQueueSourceArn"] = m.SourceARN
		}
		if m.DeduplicationID != "" {
			// A FIFO message: every one has a deduplication id.
			_, dedup, grouped := strings.Cut(m.DeduplicationID, groupSeparator)
			if !grouped {
				dedup = m.DeduplicationID
			}
			system["MessageDeduplicationId"], system["SequenceNumber"] = dedup, fmt.Sprintf("%020d", m.Seq)
		}
		for k := range system {
			if !slices.Contains(in.SystemAttributes, "All") && !slices.Contains(in.SystemAttributes, k) {
				delete(system, k)
			}
		}
		if len(system) > 0 {
			r.SystemAttributes = system
		}
		var kept []storedAttribute
		for _, a := range data.Attributes {
			if wanted(in.MessageAttributes, a.Name) {
				kept = append(kept, a)
				r.Attributes = append(r.Attributes, Attribute{Name: a.Name, DataType: a.DataType, StringValue: a.String, BinaryValue: a.Binary})
			}
		}
		r.MD5Attributes = attributesMD5(kept)
		out[i] = r
	}
	return out, nil
}

// wanted reports whether a message attribute is among names: "All" or
// ".*" for every one, "prefix.*" for those that begin with "prefix.".
func wanted(names []string, name string) bool {
	for _, n := range names {
		switch {
		case n == "All" || n == ".*" || n == name:
			return true
		case strings.HasSuffix(n, ".*") && strings.HasPrefix(name, strings.TrimSuffix(n, "*")):
			return true
		}
	}
	return false
}

// DeleteMessages deletes received messages by receipt handle; entries
// refused are reported by index (a single DeleteMessage fails instead).
func (s *Service) DeleteMessages(ctx context.Context, sc Scope, queueURL string, ids, handles []string, batch bool) ([]error, error) {
	if batch {
		if err := checkBatch(len(handles), "DeleteMessageBatchRequestEntry", func(i int) string { return ids[i] }); err != nil {
			return nil, err
		}
	}
	q, _, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(handles))
	var msgs []string
	for i, h := range handles {
		id, _, err := parseReceipt(h)
		if err != nil {
			if !batch {
				return nil, err
			}
			errs[i] = err
			continue
		}
		msgs = append(msgs, id)
	}
	return errs, s.opt.Store.DeleteMessages(ctx, q.ARN, msgs)
}

// ChangeVisibility changes the visibility timeout of received messages;
// entries refused are reported by index (a single call fails instead).
func (s *Service) ChangeVisibility(ctx context.Context, sc Scope, queueURL string, ids, handles []string, timeouts []int, batch bool) ([]error, error) {
	if batch {
		if err := checkBatch(len(handles), "ChangeMessageVisibilityBatchRequestEntry", func(i int) string { return ids[i] }); err != nil {
			return nil, err
		}
	}
	q, _, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return nil, err
	}
	now := s.opt.Clock.Now()
	errs := make([]error, len(handles))
	for i, h := range handles {
		err := s.changeVisibility(ctx, q, h, timeouts[i], now)
		if err != nil && !batch {
			return nil, err
		}
		errs[i] = err
	}
	return errs, nil
}

func (s *Service) changeVisibility(ctx context.Context, q *store.Queue, handle string, timeout int, now time.Time) error {
	if timeout < 0 || timeout > 43200 {
		return errorf(InvalidParameterValue, "Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", timeout)
	}
	id, token, err := parseReceipt(handle)
	if err != nil {
		return err
	}
	err = s.opt.Store.ChangeVisibility(ctx, q.ARN, id, token, now.UnixMilli(), now.Add(time.Duration(timeout)*time.Second).UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		return errorf(MessageNotInflight, "Message does not exist or is not available for visibility timeout change.")
	}
	if err == nil && timeout == 0 {
		s.wake(q.ARN)
	}
	return err
}

// ExpireMessages deletes the messages past their queues' retention, and
// the deduplication records and receive attempts past their window: the
// job of the composition root.
func (s *Service) ExpireMessages(ctx context.Context, now time.Time) error {
	_, err := s.opt.Store.DeleteExpiredMessages(ctx, now.UnixMilli(), now.Add(-dedupWindow).UnixMilli())
	return err
}

// Target returns the dispatcher's target of SQS queue ARNs: another
// service's delivery (an SNS notification, an event rule's) sent to the
// queue as a message whose body is the payload; a FIFO queue takes its
// group and deduplication ids from the message's MessageGroupId and
// MessageDeduplicationId headers. Several deliveries to a queue are sent
// in one write (dispatch.BatchTarget).
func (s *Service) Target() dispatch.BatchTarget { return target{s} }

type target struct{ s *Service }

func (target) Action() string { return "sqs:SendMessage" }

func (t target) Deliver(ctx context.Context, to dispatch.Address, m *dispatch.Message) error {
	return t.DeliverBatch(ctx, to, []*dispatch.Message{m})[0]
}

func (t target) DeliverBatch(ctx context.Context, to dispatch.Address, ms []*dispatch.Message) []error {
	s := t.s
	errs := make([]error, len(ms))
	refused := func(err error) error {
		var e *Error
		if errors.As(err, &e) {
			return &dispatch.Error{Code: "InvalidTarget", Err: err}
		}
		return err
	}
	q, attrs, err := s.queueOf(ctx, Scope{Account: to.Account, Region: to.Region}, "/"+to.Account+"/"+to.Resource)
	if err != nil {
		for i := range errs {
			errs[i] = refused(err)
		}
		return errs
	}
	var in []SendInput
	var at []int
	allowed := map[dispatch.Source]error{}
	for i, m := range ms {
		aerr, ok := allowed[m.Source]
		if !ok {
			aerr = allowsService(q.ARN, attrs["Policy"], m.Source)
			allowed[m.Source] = aerr
		}
		e := SendInput{Body: string(m.Payload)}
		if a := m.Header[dispatch.MessageAttributesHeader]; a != "" && aerr == nil {
			if e.Attributes, aerr = headerAttributes(a); aerr != nil {
				aerr = &dispatch.Error{Code: "InvalidTarget", Err: aerr}
			}
		}
		if aerr != nil {
			errs[i] = aerr
			continue
		}
		if attrs["FifoQueue"] == "true" {
			// A FIFO queue takes the sender's group, and its deduplication
			// id or, without one, the delivery's, which its retries share.
			e.GroupID, e.DedupID = m.Header["MessageGroupId"], m.Header["MessageDeduplicationId"]
			if e.DedupID == "" {
				sum := sha256.Sum256([]byte(m.ID))
				e.DedupID = hex.EncodeToString(sum[:])
			}
		}
		in = append(in, e)
		at = append(at, i)
	}
	if len(in) == 0 {
		return errs
	}
	// A message is sent from its source's account: one Deliver's, or the
	// queue's own, as DispatchBatch batches only those.
	results, err := s.send(ctx, q, attrs, ms[at[0]].Source.Account, in, true, false)
	for j, i := range at {
		switch {
		case err != nil:
			errs[i] = refused(err)
		case results[j].Err != nil:
			errs[i] = refused(results[j].Err)
		}
	}
	return errs
}

// servicePrincipals are the service principals of the services that
// deliver to queues: a queue takes their messages only when its policy
// allows them sqs:SendMessage, in the sender's account too, as in AWS
// (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html).
var servicePrincipals = map[string]string{"sns": "sns.amazonaws.com", "events": "events.amazonaws.com"}

// queuePolicies holds the queue policies parsed for deliveries: a
// queue's policy is read at every one.
var queuePolicies policy.Cache

// allowsService checks that a queue's policy lets a service's delivery
// in; deliveries of other sources (a Vigil component acting as the
// account) need none.
func allowsService(queueARN, doc string, src dispatch.Source) error {
	service, ok := servicePrincipals[src.Service]
	if !ok {
		return nil
	}
	denied := func(why string) error {
		return &dispatch.Error{Code: "AccessDenied", Err: fmt.Errorf("the policy of %s does not allow %s to send it messages%s", queueARN, service, why)}
	}
	if doc == "" {
		return denied(": the queue has no policy")
	}
	p, err := queuePolicies.Parse(doc)
	if err != nil {
		return denied(": " + err.Error())
	}
	ctx := map[string][]string{"aws:SourceAccount": {src.Account}}
	if src.ARN != "" {
		ctx["aws:SourceArn"] = []string{src.ARN}
	}
	if p.Evaluate(&policy.Request{Principal: policy.Principal{Service: service}, Action: "sqs:SendMessage", Resource: queueARN,
		Context: ctx}) != policy.Allow {
		return denied("")
	}
	return nil
}

// headerAttributes reads the attributes a delivery carries
// (dispatch.MessageAttributesHeader).
func headerAttributes(h string) ([]Attribute, error) {
	var list []struct{ Name, Type, Value string }
	if err := json.Unmarshal([]byte(h), &list); err != nil {
		return nil, fmt.Errorf("cannot read the message attributes of a delivery: %w", err)
	}
	out := make([]Attribute, len(list))
	for i, a := range list {
		out[i] = Attribute{Name: a.Name, DataType: a.Type, StringValue: a.Value}
		if strings.HasPrefix(a.Type, "Binary") {
			b, err := base64.StdEncoding.DecodeString(a.Value)
			if err != nil {
				return nil, fmt.Errorf("the binary message attribute %s is not base64: %w", a.Name, err)
			}
			out[i].StringValue, out[i].BinaryValue = "", b
		}
	}
	return out, nil
}
