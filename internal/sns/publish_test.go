package sns

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/snsmsg"
)

func TestPublishToConfirmedOnly(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	subA := f.confirmed(topic, "/a", nil)
	subB := f.confirmed(topic, "/b", nil)
	f.subscribe(topic, "/pending", nil)
	f.step()
	f.take() // the pending one's confirmation
	id := f.publish(PublishInput{TopicARN: topic, Message: "disk full", Subject: "Disk"})
	if len(id) != 36 {
		t.Fatalf("MessageId %q is not a UUID", id)
	}
	if n := f.pending(); n != 2 {
		t.Fatalf("%d deliveries in the outbox, want 2", n)
	}
	f.step()
	hits := f.take()
	if len(hits) != 2 {
		t.Fatalf("delivered to %v, want /a and /b", paths(hits))
	}
	bySub := map[string]string{"/a": subA, "/b": subB}
	for _, h := range hits {
		sub, ok := bySub[h.Path]
		if !ok {
			t.Fatalf("delivered to %s", h.Path)
		}
		delete(bySub, h.Path)
		for k, v := range map[string]string{
			"x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": id, "x-amz-sns-topic-arn": topic,
			"x-amz-sns-subscription-arn": sub, "Content-Type": "text/plain; charset=UTF-8",
			"User-Agent": "Amazon Simple Notification Service Agent", "x-amz-sns-rawdelivery": "",
		} {
			if got := h.Header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", h.Path, k, got, v)
			}
		}
		m := f.parse(h)
		if m.Type != snsmsg.Notification || m.MessageId != id || m.TopicArn != topic || m.Message != "disk full" ||
			m.Subject != "Disk" || m.SignatureVersion != "1" || m.Timestamp != snsmsg.FormatTimestamp(t0) {
			t.Errorf("%s: message = %+v", h.Path, m)
		}
		if want := baseURL + "/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(sub); m.UnsubscribeURL != want {
			t.Errorf("UnsubscribeURL = %s, want %s", m.UnsubscribeURL, want)
		}
		if m.SigningCertURL != baseURL+CertPath+testSigner.CertFileName() {
			t.Errorf("SigningCertURL = %s", m.SigningCertURL)
		}
	}
	// A publish to a topic without confirmed subscriptions enqueues
	// nothing, but succeeds.
	empty := f.createTopic("empty", nil)
	if id := f.publish(PublishInput{TopicARN: empty, Message: "x"}); id == "" {
		t.Fatal("no MessageId")
	}
	if n := f.pending(); n != 0 {
		t.Fatalf("%d deliveries pending", n)
	}
}

func TestPublishNotificationBody(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/a", nil)
	id := f.publish(PublishInput{TopicARN: topic, Message: "line 1\nline \"2\" <é>", Attributes: map[string]Attribute{
		"severity": {DataType: "String", StringValue: "high"},
		"count":    {DataType: "Number", StringValue: "42"},
		"blob":     {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 0xff}},
		"list":     {DataType: "String.Array", StringValue: `["a","b"]`},
		"ratio":    {DataType: "Number.float", StringValue: "0.5"},
	}})
	f.step()
	h := f.takeOne()
	m := f.parse(h)
	if m.MessageId != id || m.Message != "line 1\nline \"2\" <é>" || m.Subject != "" {
		t.Errorf("message = %+v", m)
	}
	if strings.Contains(string(h.Body), `"Subject"`) {
		t.Errorf("a notification without a Subject has one:\n%s", h.Body)
	}
	want := []snsmsg.Attribute{
		{Name: "blob", Type: "Binary", Value: base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0xff})},
		{Name: "count", Type: "Number", Value: "42"},
		{Name: "list", Type: "String.Array", Value: `["a","b"]`},
		{Name: "ratio", Type: "Number.float", Value: "0.5"},
		{Name: "severity", Type: "String", Value: "high"},
	}
	if len(m.MessageAttributes) != len(want) {
		t.Fatalf("MessageAttributes = %+v, want %+v", m.MessageAttributes, want)
	}
	for i := range want {
		if m.MessageAttributes[i] != want[i] {
			t.Errorf("MessageAttributes[%d] = %+v, want %+v", i, m.MessageAttributes[i], want[i])
		}
	}
}

func TestPublishSignatureVersion2(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", map[string]string{"SignatureVersion": "2"})
	f.confirmed(topic, "/a", nil)
	f.publish(PublishInput{TopicARN: topic, Message: "m", Subject: "s"})
	f.step()
	m := f.parse(f.takeOne())
	if m.SignatureVersion != "2" {
		t.Fatalf("SignatureVersion = %q, want 2", m.SignatureVersion)
	}
	// The signature is SHA256withRSA: read as version 1 it fails.
	m.SignatureVersion = "1"
	if err := testSigner.Verify(m); err == nil {
		t.Fatal("a version 2 signature verifies as version 1")
	}

	// Set after the publish, it applies to later publishes.
	other := f.createTopic("other", nil)
	f.confirmed(other, "/b", nil)
	f.publish(PublishInput{TopicARN: other, Message: "before"})
	if err := f.svc.SetTopicAttributes(f.ctx, scope, other, "SignatureVersion", "2"); err != nil {
		t.Fatal(err)
	}
	f.publish(PublishInput{TopicARN: other, Message: "after"})
	f.step()
	for _, h := range f.take() {
		m := f.parse(h)
		if want := map[string]string{"before": "1", "after": "2"}[m.Message]; m.SignatureVersion != want {
			t.Errorf("%q signed with version %s, want %s", m.Message, m.SignatureVersion, want)
		}
	}
}

func TestPublishSubject(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	for _, ok := range []string{"a", strings.Repeat("s", 99), "ALARM: \"cpu-high\" in US East (N. Virginia)", "~!@#$%^&*()_+`{}|[]\\:;'<>?,./"} {
		if _, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m", Subject: ok}); err != nil {
			t.Errorf("Subject %q: %v", ok, err)
		}
	}
	for _, bad := range []string{strings.Repeat("s", 101), strings.Repeat("s", 1000), "line\nbreak", "carriage\rreturn", "tab\there",
		"nul\x00", "del\x7f", "bell\a"} {
		_, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m", Subject: bad})
		wantErr(t, err, InvalidParameter, "Invalid parameter: Subject")
	}
}

func TestPublishRefused(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/a", nil)
	for _, c := range []struct {
		name string
		in   PublishInput
		msg  string
	}{
		{"empty message", PublishInput{Message: ""}, "Invalid parameter: Empty message"},
		{"unknown structure", PublishInput{Message: "m", MessageStructure: "xml"}, "Invalid parameter: MessageStructure"},
		{"json not json", PublishInput{Message: "not json", MessageStructure: "json"},
			"Invalid parameter: Message Structure - JSON message body failed to parse"},
		{"json not strings", PublishInput{Message: `{"default":{"a":1}}`, MessageStructure: "json"},
			"Invalid parameter: Message Structure - JSON message body failed to parse"},
		{"json without default", PublishInput{Message: `{"http":"x"}`, MessageStructure: "json"},
			"Invalid parameter: Message Structure - No default entry in JSON message body"},
		{"attribute type", PublishInput{Message: "m", Attributes: map[string]Attribute{"a": {DataType: "Integer", StringValue: "1"}}},
			"Invalid parameter: The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{"attribute no type", PublishInput{Message: "m", Attributes: map[string]Attribute{"a": {StringValue: "1"}}},
			"Invalid parameter: The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."},
		{"empty string", PublishInput{Message: "m", Attributes: map[string]Attribute{"a": {DataType: "String"}}},
			"Invalid parameter: The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'."},
		{"empty number", PublishInput{Message: "m", Attributes: map[string]Attribute{"n": {DataType: "Number.int"}}},
			"Invalid parameter: The message attribute 'n' must contain non-empty message attribute value for message attribute type 'Number'."},
		{"empty binary", PublishInput{Message: "m", Attributes: map[string]Attribute{"b": {DataType: "Binary", StringValue: "x"}}},
			"Invalid parameter: The message attribute 'b' must contain non-empty message attribute value for message attribute type 'Binary'."},
		{"group on standard", PublishInput{Message: "m", MessageGroupID: "g"},
			"Invalid parameter: The request includes MessageGroupId or MessageDeduplicationId parameters which are not valid for this topic type"},
		{"dedup on standard", PublishInput{Message: "m", MessageDeduplicationID: "d"},
			"Invalid parameter: The request includes MessageGroupId or MessageDeduplicationId parameters which are not valid for this topic type"},
	} {
		c.in.TopicARN = topic
		_, err := f.svc.Publish(f.ctx, scope, c.in)
		if err == nil {
			t.Errorf("%s: Publish succeeded", c.name)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != InvalidParameter || e.Message != c.msg {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.msg)
		}
	}
	many := map[string]Attribute{}
	for _, k := range strings.Split("a b c d e f g h i j k", " ") {
		many[k] = Attribute{DataType: "String", StringValue: "v"}
	}
	_, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m", Attributes: many})
	wantErr(t, err, InvalidParameter, "Invalid parameter: MessageAttributes: Number of message attributes [11] exceeds the allowed maximum [10].")
	delete(many, "k")
	if _, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m", Attributes: many}); err != nil {
		t.Fatalf("10 attributes: %v", err)
	}
	_, err = f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic + "x", Message: "m"})
	wantErr(t, err, NotFound, "Topic does not exist")
	_, err = f.svc.Publish(f.ctx, other, PublishInput{TopicARN: topic, Message: "m"})
	wantErr(t, err, NotFound, "Topic does not exist")
	_, err = f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: "", Message: "m"})
	wantErr(t, err, InvalidParameter, "Invalid parameter: TopicArn")

	// Only the accepted 10-attribute publish is in the outbox.
	if n := f.pending(); n != 1 {
		t.Fatalf("%d deliveries pending, want 1", n)
	}
}

func TestPublishSizeLimit(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/a", nil)
	if _, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: strings.Repeat("x", 256*1024)}); err != nil {
		t.Fatalf("a message of 256 KiB: %v", err)
	}
	_, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: strings.Repeat("x", 256*1024+1)})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Message too long")
	// The attributes count: name, type and value.
	attr := map[string]Attribute{"k": {DataType: "String", StringValue: "v"}}
	if _, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: strings.Repeat("x", 256*1024-len("kStringv")), Attributes: attr}); err != nil {
		t.Fatalf("a message and attributes of 256 KiB: %v", err)
	}
	_, err = f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: strings.Repeat("x", 256*1024-len("kStringv")+1), Attributes: attr})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Message too long")
	// A 4-byte character counts 4 bytes.
	_, err = f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: strings.Repeat("😀", 64*1024) + "x"})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Message too long")

	f.step()
	hits := f.take()
	if len(hits) != 2 {
		t.Fatalf("%d deliveries, want 2", len(hits))
	}
	sizes := map[int]bool{}
	for _, h := range hits {
		sizes[len(f.parse(h).Message)] = true
	}
	if !sizes[256*1024] || !sizes[256*1024-len("kStringv")] {
		t.Errorf("delivered messages of %v bytes", sizes)
	}
}

// A message that is not UTF-8 cannot be delivered as published (the
// JSON document SNS sends, and the outbox payload, are UTF-8): Publish
// refuses it, rather than accept it and deliver another text. (The
// awsQuery front door passes such bytes through: Message=%FF.)
func TestPublishInvalidUTF8Refused(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/a", map[string]string{"RawMessageDelivery": "true"})
	for _, c := range []struct {
		name string
		in   PublishInput
	}{
		{"message", PublishInput{TopicARN: topic, Message: "bad \xff byte"}},
		{"attribute value", PublishInput{TopicARN: topic, Message: "m", Attributes: map[string]Attribute{"a": {DataType: "String", StringValue: "\xc3"}}}},
	} {
		_, err := f.svc.Publish(f.ctx, scope, c.in)
		if err == nil {
			f.step()
			var got []string
			for _, h := range f.take() {
				got = append(got, string(h.Body))
			}
			t.Errorf("Publish of a %s that is not UTF-8 succeeded, and the endpoint received %q (published %q)", c.name, got, c.in.Message)
			continue
		}
		wantPrefix(t, err, InvalidParameter, "Invalid parameter")
	}
}

func TestPublishMessageStructureJSON(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/a", nil)
	f.publish(PublishInput{TopicARN: topic, MessageStructure: "json",
		Message: `{"default":"for everyone","email":"for email","https":"for https","sqs":"for sqs"}`})
	f.step()
	if m := f.parse(f.takeOne()); m.Message != "for everyone" {
		t.Errorf("an http subscription got %q, want the default", m.Message)
	}
	f.publish(PublishInput{TopicARN: topic, MessageStructure: "json", Message: `{"default":"for everyone","http":"for http"}`})
	f.step()
	if m := f.parse(f.takeOne()); m.Message != "for http" {
		t.Errorf("an http subscription got %q, want its own", m.Message)
	}
	// Without MessageStructure, JSON is a message like any other.
	const j = `{"default":"d","http":"h"}`
	f.publish(PublishInput{TopicARN: topic, Message: j})
	f.step()
	if m := f.parse(f.takeOne()); m.Message != j {
		t.Errorf("got %q, want the JSON as published", m.Message)
	}
}

func TestPublishFIFO(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	_, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m"})
	wantErr(t, err, InvalidParameter, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	_, err = f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m", MessageDeduplicationID: "d"})
	wantErr(t, err, InvalidParameter, "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
	if _, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m", MessageGroupID: "g"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m", MessageGroupID: "g", MessageDeduplicationID: "d"}); err != nil {
		t.Fatal(err)
	}
}

func TestRawMessageDelivery(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	raw := f.confirmed(topic, "/raw", map[string]string{"RawMessageDelivery": "true"})
	f.confirmed(topic, "/json", nil)
	const msg = `{"alarm":"cpu","value":97.5}`
	id := f.publish(PublishInput{TopicARN: topic, Message: msg, Subject: "CPU",
		Attributes: map[string]Attribute{"a": {DataType: "String", StringValue: "b"}}})
	f.step()
	hits := f.take()
	if len(hits) != 2 {
		t.Fatalf("delivered to %v", paths(hits))
	}
	for _, h := range hits {
		switch h.Path {
		case "/raw":
			if string(h.Body) != msg {
				t.Errorf("raw body = %q, want %q", h.Body, msg)
			}
			for k, v := range map[string]string{
				"x-amz-sns-rawdelivery": "true", "x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": id,
				"x-amz-sns-subscription-arn": raw, "x-amz-sns-topic-arn": topic,
			} {
				if got := h.Header.Get(k); got != v {
					t.Errorf("raw header %s = %q, want %q", k, got, v)
				}
			}
		case "/json":
			if h.Header.Get("x-amz-sns-rawdelivery") != "" {
				t.Error("x-amz-sns-rawdelivery on a JSON delivery")
			}
			if m := f.parse(h); m.Message != msg || m.Subject != "CPU" {
				t.Errorf("json delivery = %+v", m)
			}
		}
	}
	// Turned off, the subscription gets the JSON document again.
	if err := f.svc.SetSubscriptionAttributes(f.ctx, scope, raw, "RawMessageDelivery", "false"); err != nil {
		t.Fatal(err)
	}
	f.publish(PublishInput{TopicARN: topic, Message: msg})
	f.step()
	for _, h := range f.take() {
		if m := f.parse(h); m.Message != msg {
			t.Errorf("%s got %q", h.Path, m.Message)
		}
	}
}

func TestPublishBatch(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/a", nil)
	entries := []PublishInput{
		{Message: "one", Subject: "first"},
		{Message: ""},
		{Message: "three", Attributes: map[string]Attribute{"n": {DataType: "Number", StringValue: "3"}}},
		{Message: "four", Subject: "bad\nsubject"},
	}
	res, err := f.svc.PublishBatch(f.ctx, scope, topic, []string{"e1", "e2", "e3", "e4"}, entries)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results", len(res))
	}
	for i, want := range []string{"", "Invalid parameter: Empty message", "", "Invalid parameter: Subject"} {
		r := res[i]
		if r.ID != []string{"e1", "e2", "e3", "e4"}[i] {
			t.Errorf("result %d has id %q", i, r.ID)
		}
		if want == "" {
			if r.Err != nil || len(r.MessageID) != 36 {
				t.Errorf("entry %s: %+v", r.ID, r)
			}
			continue
		}
		wantErr(t, r.Err, InvalidParameter, want)
	}
	f.step()
	got := map[string]string{}
	for _, h := range f.take() {
		m := f.parse(h)
		got[m.Message] = m.MessageId
	}
	if len(got) != 2 || got["one"] != res[0].MessageID || got["three"] != res[2].MessageID {
		t.Fatalf("delivered %v, want one and three with their ids", got)
	}

	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("id-%d", i)
		}
		return out
	}
	msgs := func(n int, size int) []PublishInput {
		out := make([]PublishInput, n)
		for i := range out {
			out[i] = PublishInput{Message: strings.Repeat("m", size)}
		}
		return out
	}
	_, err = f.svc.PublishBatch(f.ctx, scope, topic, nil, nil)
	wantErr(t, err, EmptyBatch, "")
	_, err = f.svc.PublishBatch(f.ctx, scope, topic, ids(11), msgs(11, 1))
	wantErr(t, err, TooManyEntries, "")
	_, err = f.svc.PublishBatch(f.ctx, scope, topic, []string{"a", "a"}, msgs(2, 1))
	wantErr(t, err, BatchEntryIDsNotDistinct, "")
	_, err = f.svc.PublishBatch(f.ctx, scope, topic, []string{"a b"}, msgs(1, 1))
	wantErr(t, err, InvalidBatchEntryID, "")
	_, err = f.svc.PublishBatch(f.ctx, scope, topic, []string{strings.Repeat("x", 81)}, msgs(1, 1))
	wantErr(t, err, InvalidBatchEntryID, "")
	_, err = f.svc.PublishBatch(f.ctx, scope, topic, ids(2), msgs(2, 128*1024+1))
	wantErr(t, err, BatchRequestTooLong, "")
	if _, err := f.svc.PublishBatch(f.ctx, scope, topic, ids(2), msgs(2, 128*1024)); err != nil {
		t.Fatalf("a batch of 256 KiB: %v", err)
	}
	_, err = f.svc.PublishBatch(f.ctx, scope, topic+"x", ids(1), msgs(1, 1))
	wantErr(t, err, NotFound, "Topic does not exist")
}
