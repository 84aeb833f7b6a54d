package sqs

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAttributesMD5Vectors checks the digests of message attributes
// against published values: the spec's own implementation here, and the
// engine's.
func TestAttributesMD5Vectors(t *testing.T) {
	s := func(name, value string) Attribute {
		return Attribute{Name: name, DataType: "String", StringValue: value}
	}
	n := func(name, value string) Attribute {
		return Attribute{Name: name, DataType: "Number", StringValue: value}
	}
	f := newFixture(t)
	for i, c := range []struct {
		attrs []Attribute
		want  string
	}{
		// The examples of the SQS Developer Guide and of the SDKs' tests.
		{[]Attribute{s("SellerName", "Example Store")}, "cd28f3b68aeee4b2eac9c66f2f694b58"},
		{[]Attribute{s("SellerName", "Example Store"), s("Region", "WA"), s("PostalCode", "99065"), s("City", "Any City")}, "66d793da93becb551e41562575418975"},
		{[]Attribute{s("City", "Any City"), s("PostalCode", "99065"), n("PricePerGallon", "1.99"), s("Region", "WA"), s("SellerName", "Example Store")}, "10809b55e3d9b22c17220b7dbaf283ef"},
		{[]Attribute{n("timestamp", "1493147359900")}, "235c5c510d26fb653d073faed50ae77c"},
		{[]Attribute{s("test_attribute_name_2", "test_attribute_value_2"), s("test_attribute_name_1", "test_attribute_value_1")}, "d53f3b558fe951154770f25cb63dbba9"},
		{[]Attribute{{Name: "test_attribute_name", DataType: "Binary", BinaryValue: []byte("test_attribute_value")}}, "23f6bd27ea87aab7dfeadcc9aebee495"},
	} {
		if got := specMD5(c.attrs); got != c.want {
			t.Fatalf("the spec's digest of %v = %s, want %s (the test's implementation is wrong)", c.attrs, got, c.want)
		}
		u := f.create(fmt.Sprint("q", i), nil)
		r := f.sendIn(u, SendInput{Body: "body", Attributes: c.attrs})
		if r.MD5Attributes != c.want {
			t.Errorf("MD5OfMessageAttributes of %v = %s, want %s", c.attrs, r.MD5Attributes, c.want)
		}
		// Received with all of them: the same digest.
		got := f.receive(ReceiveInput{QueueURL: u, MessageAttributes: []string{"All"}})
		if len(got) != 1 || got[0].MD5Attributes != c.want {
			t.Errorf("received MD5OfMessageAttributes of %v = %+v, want %s", c.attrs, got, c.want)
		}
	}
}

func TestSendMessageMD5(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	r := f.send(u, "test")
	if r.MD5Body != "098f6bcd4621d373cade4e832627b4f6" || r.MD5Attributes != "" || r.MD5System != "" || r.SequenceNumber != "" {
		t.Fatalf("send without attributes = %+v", r)
	}
	body := "héllo wörld ✓ 😀"
	if r := f.send(u, body); r.MD5Body != md5Hex(body) {
		t.Fatalf("MD5OfMessageBody of %q = %s, want %s", body, r.MD5Body, md5Hex(body))
	}

	// Every data type, custom types, names out of order and of every
	// case.
	attrs := []Attribute{
		{Name: "zeta", DataType: "String", StringValue: "last"},
		{Name: "Alpha", DataType: "Number", StringValue: "-12.5e3"},
		{Name: "alpha", DataType: "Number.int", StringValue: "42"},
		{Name: "blob", DataType: "Binary", BinaryValue: []byte{0, 1, 2, 0xff}},
		{Name: "gif", DataType: "Binary.gif", BinaryValue: []byte("GIF89a")},
		{Name: "my.attr-1_x", DataType: "String.json", StringValue: `{"a":"ü"}`},
		{Name: "unicode", DataType: "String", StringValue: "日本語 \u2028 😀"},
	}
	r = f.sendIn(u, SendInput{Body: "with attributes", Attributes: attrs, TraceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"})
	if want := specMD5(attrs); r.MD5Attributes != want {
		t.Errorf("MD5OfMessageAttributes = %s, want %s", r.MD5Attributes, want)
	}
	// The system attribute's digest is over AWSTraceHeader, a String.
	wantSystem := specMD5([]Attribute{{Name: "AWSTraceHeader", DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}})
	if r.MD5System != wantSystem {
		t.Errorf("MD5OfMessageSystemAttributes = %s, want %s", r.MD5System, wantSystem)
	}
	// A batch entry's digests are its own.
	rs, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{
		{ID: "a", Body: "one", Attributes: attrs[:2]},
		{ID: "b", Body: "two"},
		{ID: "c", Body: "three", Attributes: attrs[3:5], TraceHeader: "Root=x"},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []SendResult{
		{ID: "a", MD5Body: md5Hex("one"), MD5Attributes: specMD5(attrs[:2])},
		{ID: "b", MD5Body: md5Hex("two")},
		{ID: "c", MD5Body: md5Hex("three"), MD5Attributes: specMD5(attrs[3:5]),
			MD5System: specMD5([]Attribute{{Name: "AWSTraceHeader", DataType: "String", StringValue: "Root=x"}})},
	} {
		got := rs[i]
		if got.Err != nil || got.ID != want.ID || got.MD5Body != want.MD5Body || got.MD5Attributes != want.MD5Attributes || got.MD5System != want.MD5System {
			t.Errorf("batch entry %d = %+v, want %+v", i, got, want)
		}
	}
}

const invalidCharacters = "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"

func TestSendMessageInvalidCharacters(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for _, c := range []struct{ body, stored string }{
		{"plain", "plain"},
		{"tab\tlf\ncr\r", "tab\tlf\ncr\r"},
		{"\uE000\uFFFD\U00010000\U0010FFFF\uD7FF", "\uE000\uFFFD\U00010000\U0010FFFF\uD7FF"},
		{"a\x00b", "a\uFFFDb"},
		{"a\x08\x0B\x0C\x1Fb", "a\uFFFD\uFFFD\uFFFD\uFFFDb"},
		{"a\uFFFEb\uFFFF", "a\uFFFDb\uFFFD"},
		{"x\x7f", "x\x7f"}, // DEL is in #x20 to #xD7FF
	} {
		r := f.send(u, c.body)
		if r.MD5Body != md5Hex(c.body) {
			t.Errorf("MD5OfMessageBody of %q = %s, want the digest of the body sent, %s", c.body, r.MD5Body, md5Hex(c.body))
		}
		got := f.receiveOne(u)
		if got.Body != c.stored || got.MD5Body != md5Hex(c.stored) {
			t.Errorf("%q received as %q (MD5 %s), want %q (MD5 %s)", c.body, got.Body, got.MD5Body, c.stored, md5Hex(c.stored))
		}
		f.deleteMessage(u, got.ReceiptHandle)
	}
	// Invalid UTF-8 is replaced too.
	f.send(u, "ok\xff\xfe")
	if got := f.receiveOne(u); !strings.HasPrefix(got.Body, "ok\uFFFD") || !utf8Valid(got.Body) {
		t.Errorf("invalid UTF-8 received as %q", got.Body)
	}
	// Nothing valid: refused.
	for _, body := range []string{"\x00", "\x00\x01\x02", "\uFFFE", "\xff"} {
		_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: body}}, false)
		wantErr(t, err, InvalidMessageContents, invalidCharacters)
	}
	f.wantCounts(u, counts{inFlight: 1})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "?") == s }

// TestSendMessageBodyOfReplacementCharacter: U+FFFD is a valid character
// (#xE000 to #xFFFD): a body of it alone is not refused.
func TestSendMessageBodyOfReplacementCharacter(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for _, body := range []string{"\uFFFD", "\uFFFD\x00"} {
		_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: body}}, false)
		if err != nil {
			t.Errorf("SendMessage %q: %v", body, err)
		}
	}
}

// TestSendMessageEmptyBody: AWS refuses an empty body as a missing
// parameter: "MissingParameter: The request must contain the parameter
// MessageBody."
func TestSendMessageEmptyBody(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: ""}}, false)
	wantErr(t, err, MissingParameter, "The request must contain the parameter MessageBody.")
}

func TestSendMessageAttributeRules(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	send := func(attrs ...Attribute) error {
		_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: "b", Attributes: attrs}}, false)
		return err
	}
	str := func(name string) Attribute { return Attribute{Name: name, DataType: "String", StringValue: "v"} }
	for _, name := range []string{"a", "A", "a.b", "a-b_c.D9", "AWSx", "aws", "Amazonian", "x.AWS.y", strings.Repeat("n", 256)} {
		if err := send(str(name)); err != nil {
			t.Errorf("attribute name %q: %v", name, err)
		}
	}
	for _, name := range []string{"", ".a", "a.", "a..b", "AWS.x", "aws.x", "Aws.X", "Amazon.x", "amazon.x", "AMAZON.x",
		"a b", "a/b", "a:b", "é", strings.Repeat("n", 257)} {
		err := send(str(name))
		t.Run("name "+name, func(t *testing.T) { wantErr(t, err, InvalidParameterValue, "") })
	}
	for _, a := range []Attribute{
		{Name: "s", DataType: "String", StringValue: "x"},
		{Name: "s", DataType: "String.custom", StringValue: "x"},
		{Name: "n", DataType: "Number", StringValue: "12"},
		{Name: "n", DataType: "Number", StringValue: "-1.5"},
		{Name: "n", DataType: "Number", StringValue: "1e10"},
		{Name: "n", DataType: "Number", StringValue: "+3"},
		{Name: "n", DataType: "Number.float", StringValue: "0.000001"},
		{Name: "b", DataType: "Binary", BinaryValue: []byte{0}},
		{Name: "b", DataType: "Binary.png", BinaryValue: []byte("png")},
	} {
		if err := send(a); err != nil {
			t.Errorf("attribute %+v: %v", a, err)
		}
	}
	for _, c := range []struct {
		a   Attribute
		msg string
	}{
		{Attribute{Name: "a", DataType: "String"}, "Message (user) attribute 'a' must contain a non-empty value of type 'String'."},
		{Attribute{Name: "a", DataType: "Number"}, "Message (user) attribute 'a' must contain a non-empty value of type 'Number'."},
		{Attribute{Name: "a", DataType: "Binary"}, "Message (user) attribute 'a' must contain a non-empty value of type 'Binary'."},
		{Attribute{Name: "a", DataType: "Number", StringValue: "twelve"}, "Can't cast the value of message (user) attribute 'a' to a number."},
		{Attribute{Name: "a", DataType: "Number", StringValue: "1,5"}, "Can't cast the value of message (user) attribute 'a' to a number."},
		{Attribute{Name: "a", DataType: "string", StringValue: "x"}, "The type of message (user) attribute 'a' is invalid. You must use only the following supported type prefixes: Binary, Number, String."},
		{Attribute{Name: "a", DataType: "Text", StringValue: "x"}, "The type of message (user) attribute 'a' is invalid. You must use only the following supported type prefixes: Binary, Number, String."},
		{Attribute{Name: "a", DataType: "", StringValue: "x"}, ""},
		{Attribute{Name: "a", DataType: "StringX", StringValue: "x"}, ""},
	} {
		err := send(c.a)
		t.Run(fmt.Sprintf("%+v", c.a), func(t *testing.T) { wantErr(t, err, InvalidParameterValue, c.msg) })
	}
	// Up to 10.
	var ten []Attribute
	for i := range 11 {
		ten = append(ten, str(fmt.Sprintf("a%d", i)))
	}
	if err := send(ten[:10]...); err != nil {
		t.Errorf("10 attributes: %v", err)
	}
	wantErr(t, send(ten...), InvalidParameterValue, "Number of message attributes [11] exceeds the allowed maximum [10].")
}

// TestSendMessageNumberAttributeNotANumber: a Number attribute is a
// number ("positive or negative integers or floating-point numbers ...
// between 10^-128 and 10^+126"): not NaN, not an infinity, not
// hexadecimal, which Go's ParseFloat takes.
func TestSendMessageNumberAttributeNotANumber(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for _, v := range []string{"NaN", "nan", "Inf", "+Inf", "-Infinity", "0x1F", "0x1p-2"} {
		_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: "b",
			Attributes: []Attribute{{Name: "n", DataType: "Number", StringValue: v}}}}, false)
		t.Run(v, func(t *testing.T) {
			wantErr(t, err, InvalidParameterValue, "Can't cast the value of message (user) attribute 'n' to a number.")
		})
	}
}

func TestSendMessageSize(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", map[string]string{"MaximumMessageSize": "1024"})
	tooLong := "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
	send := func(in SendInput) error {
		_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{in}, false)
		return err
	}
	if err := send(SendInput{Body: strings.Repeat("x", 1024)}); err != nil {
		t.Errorf("a body of 1024 bytes: %v", err)
	}
	wantErr(t, send(SendInput{Body: strings.Repeat("x", 1025)}), InvalidParameterValue, tooLong)
	// Bytes, not characters.
	wantErr(t, send(SendInput{Body: strings.Repeat("é", 513)}), InvalidParameterValue, tooLong)
	// The attributes count: name, type and value.
	attr := func(n int) []Attribute {
		return []Attribute{{Name: "n", DataType: "String", StringValue: strings.Repeat("v", n)}}
	}
	if err := send(SendInput{Body: strings.Repeat("x", 1000), Attributes: attr(17)}); err != nil {
		t.Errorf("1000 + 1 + 6 + 17 bytes: %v", err)
	}
	wantErr(t, send(SendInput{Body: strings.Repeat("x", 1000), Attributes: attr(18)}), InvalidParameterValue, tooLong)
	bin := []Attribute{{Name: "b", DataType: "Binary", BinaryValue: make([]byte, 17)}}
	if err := send(SendInput{Body: strings.Repeat("x", 1000), Attributes: bin}); err != nil {
		t.Errorf("1000 + 1 + 6 + 17 bytes of a binary attribute: %v", err)
	}
	f.wantCounts(u, counts{visible: 3})

	// The default: 256 KiB.
	d := f.create("default", nil)
	if _, err := f.svc.SendMessages(f.ctx, scope, scope.Account, d, []SendInput{{Body: strings.Repeat("x", 262144)}}, false); err != nil {
		t.Errorf("262144 bytes: %v", err)
	}
	_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, d, []SendInput{{Body: strings.Repeat("x", 262145)}}, false)
	wantErr(t, err, InvalidParameterValue, "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
}

func TestSendMessageDelay(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.sendIn(u, SendInput{Body: "15m", DelaySeconds: ip(900)})
	f.sendIn(u, SendInput{Body: "0", DelaySeconds: ip(0)})
	f.sendIn(u, SendInput{Body: "5s", DelaySeconds: ip(5)})
	for _, d := range []int{-1, 901} {
		_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: "x", DelaySeconds: ip(d)}}, false)
		wantErr(t, err, InvalidParameterValue, fmt.Sprintf("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", d))
	}
	f.wantCounts(u, counts{visible: 1, delayed: 2})
	f.clock.Advance(5 * time.Second)
	f.wantCounts(u, counts{visible: 2, delayed: 1})
	f.clock.Advance(895 * time.Second)
	f.wantCounts(u, counts{visible: 3})

	// The queue's delay, unless the message has its own.
	q := f.create("delayed", map[string]string{"DelaySeconds": "60"})
	f.send(q, "queue's")
	f.sendIn(q, SendInput{Body: "own", DelaySeconds: ip(0)})
	got := f.receiveOne(q)
	if got.Body != "own" {
		t.Fatalf("received %q", got.Body)
	}
	f.deleteMessage(q, got.ReceiptHandle)
	f.clock.Advance(59 * time.Second)
	f.receiveNone(q)
	f.clock.Advance(time.Second)
	if got := f.receiveOne(q); got.Body != "queue's" {
		t.Fatalf("received %q", got.Body)
	}

	// A FIFO queue takes no per-message delay, but has the queue's.
	fu := f.fifo("f.fifo", map[string]string{"DelaySeconds": "10"})
	_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, fu, []SendInput{{Body: "x", GroupID: "g", DedupID: "d", DelaySeconds: ip(5)}}, false)
	wantErr(t, err, InvalidParameterValue, "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
	f.sendGroup(fu, "x", "g", "d")
	f.wantCounts(fu, counts{delayed: 1})
	f.clock.Advance(10 * time.Second)
	f.wantCounts(fu, counts{visible: 1})
}

func TestSendMessageFIFO(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("f.fifo", nil)
	_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: "x", DedupID: "d"}}, false)
	wantErr(t, err, MissingParameter, "The request must contain the parameter MessageGroupId.")
	_, err = f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: "x", GroupID: "g"}}, false)
	wantErr(t, err, InvalidParameterValue, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")

	seqs := regexp.MustCompile(`^[0-9]{20}$`)
	first := f.sendGroup(u, "one", "g", "d1")
	second := f.sendGroup(u, "two", "g", "d2")
	if !seqs.MatchString(first.SequenceNumber) || !seqs.MatchString(second.SequenceNumber) || second.SequenceNumber <= first.SequenceNumber {
		t.Fatalf("sequence numbers %q then %q", first.SequenceNumber, second.SequenceNumber)
	}
	// A duplicate within 5 minutes: accepted as the original, not added.
	f.clock.Advance(5*time.Minute - time.Millisecond)
	dup := f.sendGroup(u, "another body", "other-group", "d1")
	if dup.MessageID != first.MessageID || dup.SequenceNumber != first.SequenceNumber {
		t.Fatalf("duplicate = %s %s, want the original's %s %s", dup.MessageID, dup.SequenceNumber, first.MessageID, first.SequenceNumber)
	}
	if dup.MD5Body != md5Hex("another body") {
		t.Errorf("the duplicate's MD5OfMessageBody = %s, want its own body's", dup.MD5Body)
	}
	f.wantCounts(u, counts{visible: 2})
	// Even after the original was received and deleted.
	got := f.receiveN(u, 10)
	if !slices.Equal(bodies(got), []string{"one", "two"}) {
		t.Fatalf("received %v", bodies(got))
	}
	for _, m := range got {
		f.deleteMessage(u, m.ReceiptHandle)
	}
	if again := f.sendGroup(u, "two again", "g", "d2"); again.MessageID != second.MessageID {
		t.Fatalf("a duplicate of a deleted message = %s, want %s", again.MessageID, second.MessageID)
	}
	f.wantCounts(u, counts{})
	// After 5 minutes: a new message.
	f.clock.Advance(2 * time.Millisecond)
	later := f.sendGroup(u, "one later", "g", "d1")
	if later.MessageID == first.MessageID || later.SequenceNumber <= second.SequenceNumber {
		t.Fatalf("after the window = %s %s", later.MessageID, later.SequenceNumber)
	}
	// The window runs from the new message.
	f.clock.Advance(4 * time.Minute)
	if dup := f.sendGroup(u, "x", "g", "d1"); dup.MessageID != later.MessageID {
		t.Fatalf("duplicate of the new message = %s, want %s", dup.MessageID, later.MessageID)
	}
	f.wantCounts(u, counts{visible: 1})

	// A standard queue takes no deduplication id.
	s := f.create("s", nil)
	_, err = f.svc.SendMessages(f.ctx, scope, scope.Account, s, []SendInput{{Body: "x", DedupID: "d"}}, false)
	wantErr(t, err, InvalidParameterValue, "Value d for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.")
}

func TestSendMessageContentBasedDeduplication(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("f.fifo", map[string]string{"ContentBasedDeduplication": "true"})
	a := f.sendIn(u, SendInput{Body: "same", GroupID: "g"})
	// The same body, even with other attributes or in another group
	// (deduplication is of the queue): a duplicate.
	b := f.sendIn(u, SendInput{Body: "same", GroupID: "h", Attributes: []Attribute{{Name: "x", DataType: "String", StringValue: "y"}}})
	if b.MessageID != a.MessageID || b.SequenceNumber != a.SequenceNumber {
		t.Fatalf("same body = %s, want %s", b.MessageID, a.MessageID)
	}
	c := f.sendIn(u, SendInput{Body: "other", GroupID: "g"})
	if c.MessageID == a.MessageID {
		t.Fatal("another body was taken for a duplicate")
	}
	// An explicit id wins over the body's.
	d := f.sendIn(u, SendInput{Body: "same", GroupID: "g", DedupID: "explicit"})
	if d.MessageID == a.MessageID {
		t.Fatal("a message with its own deduplication id was taken for a duplicate of its body")
	}
	got := f.receive(ReceiveInput{QueueURL: u, Max: ip(10), SystemAttributes: []string{"MessageDeduplicationId"}})
	if !slices.Equal(bodies(got), []string{"same", "other", "same"}) {
		t.Fatalf("received %v", bodies(got))
	}
	// The content-based id is the SHA-256 of the body, in hex.
	if id := got[0].SystemAttributes["MessageDeduplicationId"]; id != "0967115f2813a3541eaef77de9d9d5773f1c0c04314b0bbfe4ff3b3b1c55b5d5" {
		t.Errorf("content-based MessageDeduplicationId = %q", id)
	}
	if id := got[2].SystemAttributes["MessageDeduplicationId"]; id != "explicit" {
		t.Errorf("explicit MessageDeduplicationId = %q", id)
	}
}

// TestSendMessageDeduplicationScopeMessageGroup: with DeduplicationScope
// messageGroup, "deduplication occurs at the message group level": the
// same deduplication id in two groups is two messages.
func TestSendMessageDeduplicationScopeMessageGroup(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("f.fifo", map[string]string{"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"})
	a := f.sendGroup(u, "a", "group-a", "d")
	b := f.sendGroup(u, "b", "group-b", "d")
	if b.MessageID == a.MessageID {
		t.Errorf("the same deduplication id in another group was taken for a duplicate")
	}
	// Within a group, a duplicate still.
	if again := f.sendGroup(u, "a2", "group-a", "d"); again.MessageID != a.MessageID {
		t.Errorf("a duplicate in its group = %s, want %s", again.MessageID, a.MessageID)
	}
}

func TestSendMessageSender(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	if _, err := f.svc.SendMessages(f.ctx, scope, "999988887777", u, []SendInput{{Body: "x"}}, false); err != nil {
		t.Fatal(err)
	}
	got := f.receive(ReceiveInput{QueueURL: u, SystemAttributes: []string{"SenderId"}})
	if len(got) != 1 || got[0].SystemAttributes["SenderId"] != "999988887777" {
		t.Fatalf("received %+v", got)
	}
}

func TestSendMessageBatch(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	batch := func(in ...SendInput) ([]SendResult, error) {
		return f.svc.SendMessages(f.ctx, scope, scope.Account, u, in, true)
	}
	_, err := batch()
	wantErr(t, err, EmptyBatchRequest, "There should be at least one SendMessageBatchRequestEntry in the request.")
	var eleven []SendInput
	for i := range 11 {
		eleven = append(eleven, SendInput{ID: fmt.Sprint(i), Body: "x"})
	}
	_, err = batch(eleven...)
	wantErr(t, err, TooManyEntriesInBatchRequest, "Maximum number of entries per request are 10. You have sent 11.")
	_, err = batch(SendInput{ID: "a", Body: "x"}, SendInput{ID: "b", Body: "x"}, SendInput{ID: "a", Body: "y"})
	wantErr(t, err, BatchEntryIdsNotDistinct, "Id a repeated.")
	for _, id := range []string{"", "a b", "a.b", "é", strings.Repeat("i", 81)} {
		_, err = batch(SendInput{ID: "ok", Body: "x"}, SendInput{ID: id, Body: "x"})
		wantErr(t, err, InvalidBatchEntryID, "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
	}
	// The batch is checked before the queue.
	_, err = f.svc.SendMessages(f.ctx, scope, scope.Account, url("missing"), eleven, true)
	wantErr(t, err, TooManyEntriesInBatchRequest, "")
	_, err = f.svc.SendMessages(f.ctx, scope, scope.Account, url("missing"), eleven[:2], true)
	wantErr(t, err, QueueDoesNotExist, noQueue)
	f.wantCounts(u, counts{})

	// Ten, the ids of every form.
	if rs, err := batch(eleven[:10]...); err != nil || len(rs) != 10 {
		t.Fatalf("10 entries = %d, %v", len(rs), err)
	}
	if _, err := batch(SendInput{ID: strings.Repeat("i", 80), Body: "x"}, SendInput{ID: "A-b_9", Body: "x"}); err != nil {
		t.Fatalf("valid ids: %v", err)
	}
	f.receiveN(u, 10)
	f.receiveN(u, 10)
	f.wantCounts(u, counts{inFlight: 12})

	// Entries refused are reported; the others sent, in order.
	rs, err := batch(
		SendInput{ID: "first", Body: "first"},
		SendInput{ID: "badattr", Body: "x", Attributes: []Attribute{{Name: "AWS.x", DataType: "String", StringValue: "v"}}},
		SendInput{ID: "second", Body: "second"},
		SendInput{ID: "baddelay", Body: "x", DelaySeconds: ip(901)},
		SendInput{ID: "badbody", Body: "\x00"},
		SendInput{ID: "third", Body: "third"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 6 {
		t.Fatalf("%d results", len(rs))
	}
	for i, want := range []struct {
		id   string
		code Code
	}{{"first", 0}, {"badattr", InvalidParameterValue}, {"second", 0}, {"baddelay", InvalidParameterValue}, {"badbody", InvalidMessageContents}, {"third", 0}} {
		r := rs[i]
		if r.ID != want.id {
			t.Errorf("result %d is of %q, want %q", i, r.ID, want.id)
		}
		if want.code == 0 {
			if r.Err != nil || r.MessageID == "" || r.MD5Body != md5Hex(want.id) {
				t.Errorf("%s = %+v", want.id, r)
			}
			continue
		}
		if r.MessageID != "" {
			t.Errorf("%s refused has MessageId %s", want.id, r.MessageID)
		}
		wantErr(t, r.Err, want.code, "")
	}
	f.clock.Advance(30 * time.Second) // the receives above time out
	f.deleteAll(u)

	// Too long together.
	big := f.create("big", map[string]string{"MaximumMessageSize": "1048576"})
	var entries []SendInput
	for i := range 10 {
		entries = append(entries, SendInput{ID: fmt.Sprint(i), Body: strings.Repeat("x", 110_000)})
	}
	_, err = f.svc.SendMessages(f.ctx, scope, scope.Account, big, entries, true)
	wantPrefix(t, err, BatchRequestTooLong, "Batch requests cannot be longer than 1048576 bytes. You have sent 1100000 bytes.")
	f.wantCounts(big, counts{})
}

// deleteAll receives and deletes every visible message of a queue; the
// bodies of the first receive in order.
func (f *fixture) deleteAll(u string) []string {
	f.t.Helper()
	var out []string
	for {
		got := f.receiveN(u, 10)
		if len(got) == 0 {
			return out
		}
		for _, m := range got {
			out = append(out, m.Body)
			f.deleteMessage(u, m.ReceiptHandle)
		}
	}
}

// TestSendMessageBatchOrder: a batch's messages are received in its
// order, and a FIFO batch's duplicates are of its earlier entries.
func TestSendMessageBatchOrder(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	var in []SendInput
	for i := range 10 {
		in = append(in, SendInput{ID: fmt.Sprint(i), Body: fmt.Sprint(i)})
	}
	if _, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, in, true); err != nil {
		t.Fatal(err)
	}
	if got := f.deleteAll(u); !slices.Equal(got, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
		t.Fatalf("received %v", got)
	}
	fu := f.fifo("f.fifo", nil)
	rs, err := f.svc.SendMessages(f.ctx, scope, scope.Account, fu, []SendInput{
		{ID: "a", Body: "a", GroupID: "g", DedupID: "same"},
		{ID: "b", Body: "b", GroupID: "g", DedupID: "same"},
		{ID: "c", Body: "c", GroupID: "g"}, // no deduplication id
		{ID: "d", Body: "d", GroupID: "g", DedupID: "other"},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Err != nil || rs[1].MessageID != rs[0].MessageID || rs[1].SequenceNumber != rs[0].SequenceNumber {
		t.Errorf("in-batch duplicate = %+v, want %+v", rs[1], rs[0])
	}
	wantErr(t, rs[2].Err, InvalidParameterValue, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	if rs[3].Err != nil || rs[3].SequenceNumber <= rs[0].SequenceNumber {
		t.Errorf("d = %+v", rs[3])
	}
	if got := f.deleteAll(fu); !slices.Equal(got, []string{"a", "d"}) {
		t.Fatalf("received %v", got)
	}
}

// TestSendMessageFIFOIDRules: "MessageGroupId ... 128 characters. Valid
// values: alphanumeric characters and punctuation", as is
// MessageDeduplicationId.
func TestSendMessageFIFOIDRules(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("f.fifo", nil)
	send := func(group, dedup string) error {
		_, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{{Body: "x", GroupID: group, DedupID: dedup}}, false)
		return err
	}
	long := strings.Repeat("i", 128)
	for i, id := range []string{"a", long, `!"#$%&'()*+,-./:;<=>?@[\]^_` + "`{|}~", "A-z_0.9"} {
		if err := send(id, fmt.Sprint("d-", i)); err != nil {
			t.Errorf("MessageGroupId %q: %v", id, err)
		}
		if err := send("g", id); err != nil {
			t.Errorf("MessageDeduplicationId %q: %v", id, err)
		}
	}
	for _, c := range []struct{ label, id string }{{"129 characters", long + "i"}, {"space", "a b"}, {"non-ASCII", "é"}, {"tab", "tab\t"}} {
		err := send(c.id, "d")
		t.Run("MessageGroupId of "+c.label, func(t *testing.T) { wantErr(t, err, InvalidParameterValue, "") })
		err = send("g", c.id)
		t.Run("MessageDeduplicationId of "+c.label, func(t *testing.T) { wantErr(t, err, InvalidParameterValue, "") })
	}
}
