package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptrace"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestSQSScenario runs testdata/sqs.json: standard and FIFO queues, their
// attributes, messages with attributes and their digests, visibility
// timeouts on Vigil's clock, batches, FIFO order and deduplication,
// dead-letter queues, purges, tags and SQS's errors, with every client
// (awsJson 1.0 from the Go SDK, boto3 and the CLI 1.45, awsQuery from
// the Debian CLI 2.9).
func TestSQSScenario(t *testing.T) {
	runScenario(t, "testdata/sqs.json")
}

// TestEventBridgeScenario runs testdata/events.json: buses, rules with
// event patterns and schedules, targets, PutEvents delivering to an SQS
// queue, a rate rule firing on Vigil's clock, TestEventPattern and
// EventBridge's errors, with every client (awsJson 1.1).
func TestEventBridgeScenario(t *testing.T) {
	runScenario(t, "testdata/events.json")
}

// TestEventArchiveScenario runs testdata/events-archive.json: an archive
// of a bus fed by its managed rule, a replay of it to one rule on the
// clock, bus policies, with every client.
func TestEventArchiveScenario(t *testing.T) {
	runScenario(t, "testdata/events-archive.json")
}

// TestSchedulerScenario runs testdata/scheduler.json: EventBridge
// Scheduler's groups and schedules (rate from a start date, a one-time
// schedule that deletes itself, a disabled one) invoking an SQS queue on
// Vigil's clock, with every client (restJson1).
func TestSchedulerScenario(t *testing.T) {
	runScenario(t, "testdata/scheduler.json")
}

// sqsClient returns the Go SDK's SQS client of a --dev Vigil.
func (v *vigil) sqsClient() *sqs.Client { return sqs.NewFromConfig(v.devConfig(devAccount)) }

// servicePolicy is a queue policy that lets a service (sns.amazonaws.com,
// events.amazonaws.com) send to the queue: AWS delivers a topic's or a
// rule's messages to a queue only when its policy allows it.
func servicePolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service +
		`"},"Action":"sqs:SendMessage","Resource":"*"}]}`
}

// createQueue creates a queue and returns its URL and ARN.
func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) (string, string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("GetQueueAttributes %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl), got.Attributes["QueueArn"]
}

// receiveAll receives what a queue has at once, without waiting, and
// deletes it.
func receiveAll(t *testing.T, c *sqs.Client, queue string) []sqstypes.Message {
	t.Helper()
	ctx := context.Background()
	var all []sqstypes.Message
	for range 100 {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"}})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(out.Messages) == 0 {
			return all
		}
		for _, m := range out.Messages {
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &queue, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("DeleteMessage: %v", err)
			}
		}
		all = append(all, out.Messages...)
	}
	t.Fatalf("%s never ran out of messages", queue)
	return nil
}

// TestSNSToSQS subscribes SQS queues to SNS topics: the subscription is
// confirmed at once, a publish arrives in the queue as SNS's signed JSON
// document (or as the message alone, its attributes as the SQS message's,
// with RawMessageDelivery), and a FIFO topic delivers each message group
// to a FIFO queue in order, once.
func TestSNSToSQS(t *testing.T) {
	v := start(t, true)
	q, n := v.sqsClient(), v.snsClient()
	ctx := context.Background()
	inbox, inboxARN := createQueue(t, q, "inbox", map[string]string{"Policy": servicePolicy("sns.amazonaws.com")})

	created, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(created.TopicArn)
	subscribed, err := n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("sqs"), Endpoint: &inboxARN,
		ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatal(err)
	}
	sub := aws.ToString(subscribed.SubscriptionArn)
	if !strings.HasPrefix(sub, topic+":") {
		t.Fatalf("Subscribe to a queue = %q; want the ARN of a subscription confirmed at once", sub)
	}
	attrs, err := n.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	if err != nil {
		t.Fatal(err)
	}
	if a := attrs.Attributes; a["PendingConfirmation"] != "false" || a["Protocol"] != "sqs" || a["Endpoint"] != inboxARN {
		t.Errorf("GetSubscriptionAttributes = %v; want a confirmed sqs subscription to %s", a, inboxARN)
	}

	// The JSON document, signed.
	pub, err := n.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("disk almost full"), Subject: aws.String("Disk alert"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"severity": {DataType: aws.String("String"), StringValue: aws.String("high")}}})
	if err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	got := receiveAll(t, q, inbox)
	if len(got) != 1 {
		t.Fatalf("the queue got %d messages after a publish; want 1", len(got))
	}
	body := []byte(aws.ToString(got[0].Body))
	var doc snsMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the queue's message is not SNS's JSON document: %v\n%s", err, body)
	}
	if doc.Type != "Notification" || doc.MessageId != aws.ToString(pub.MessageId) || doc.TopicArn != topic || doc.Subject != "Disk alert" ||
		doc.Message != "disk almost full" || doc.SignatureVersion != "1" || doc.Signature == "" ||
		!strings.HasPrefix(doc.SigningCertURL, v.endpoint+"/") || !strings.HasSuffix(doc.SigningCertURL, ".pem") ||
		!strings.Contains(doc.UnsubscribeURL, "Action=Unsubscribe") || !strings.Contains(doc.UnsubscribeURL, strings.ReplaceAll(sub, ":", "%3A")) ||
		!equalJSON(doc.MessageAttributes, map[string]struct{ Type, Value string }{"severity": {"String", "high"}}) {
		t.Errorf("the queue's message = %+v; want the Notification of %s", doc, aws.ToString(pub.MessageId))
	}
	if _, err := time.Parse(snsTimestamp, doc.Timestamp); err != nil {
		t.Errorf("Notification Timestamp %q: %v", doc.Timestamp, err)
	}
	if keys, want := jsonKeys(t, body), []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion",
		"Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}; !slices.Equal(keys, want) {
		t.Errorf("Notification members = %q; want AWS's %q", keys, want)
	}
	if len(got[0].MessageAttributes) != 0 {
		t.Errorf("a Notification in its JSON document has SQS message attributes %v; want none (they are in the document)", got[0].MessageAttributes)
	}
	if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import cryptography").Run() == nil {
		if code, out := snsVerify(t, py, v, body); code != 0 {
			t.Errorf("sns_verify.py: the Notification's signature is not valid: %s\n%s", out, body)
		}
	} else {
		t.Log("python3 with cryptography is missing: the Notification's signature is not verified")
	}

	// Raw delivery: the message alone; its attributes become the SQS
	// message's ("Amazon SNS message attributes are sent as Amazon SQS
	// message attributes").
	if _, err := n.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &sub,
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(`{"raw": true}`), Subject: aws.String("ignored"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"severity": {DataType: aws.String("String"), StringValue: aws.String("low")},
			"count":    {DataType: aws.String("Number"), StringValue: aws.String("7")},
		}}); err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	got = receiveAll(t, q, inbox)
	if len(got) != 1 || aws.ToString(got[0].Body) != `{"raw": true}` {
		t.Fatalf("raw delivery put %d messages in the queue (%+v); want the message alone", len(got), got)
	}
	want := map[string]string{"severity": "String=low", "count": "Number=7"}
	gotAttrs := map[string]string{}
	for k, a := range got[0].MessageAttributes {
		gotAttrs[k] = aws.ToString(a.DataType) + "=" + aws.ToString(a.StringValue)
	}
	if !equalJSON(gotAttrs, want) {
		t.Errorf("raw delivery's SQS message attributes = %v; want the published message's, %v", gotAttrs, want)
	}

	// A FIFO topic to a FIFO queue: each group in order, a duplicate
	// (same deduplication id) once.
	orders, ordersARN := createQueue(t, q, "orders.fifo", map[string]string{"FifoQueue": "true", "Policy": servicePolicy("sns.amazonaws.com")})
	fifo, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders.fifo"), Attributes: map[string]string{"FifoTopic": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	fifoTopic := aws.ToString(fifo.TopicArn)
	if _, err := n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &fifoTopic, Protocol: aws.String("sqs"), Endpoint: &ordersARN}); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for i := range 5 {
		for _, group := range []string{"A", "B"} {
			msg := fmt.Sprintf("%s%d", group, i)
			if _, err := n.Publish(ctx, &sns.PublishInput{TopicArn: &fifoTopic, Message: &msg, MessageGroupId: aws.String(group),
				MessageDeduplicationId: aws.String("dedup-" + msg)}); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, msg)
		}
	}
	if _, err := n.Publish(ctx, &sns.PublishInput{TopicArn: &fifoTopic, Message: aws.String("A0 again"), MessageGroupId: aws.String("A"),
		MessageDeduplicationId: aws.String("dedup-A0")}); err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	groups := map[string][]string{}
	sequenced := true
	for _, m := range receiveAll(t, q, orders) {
		var doc snsMessage
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &doc); err != nil {
			t.Fatalf("a FIFO delivery is not SNS's JSON document: %v\n%s", err, aws.ToString(m.Body))
		}
		group := m.Attributes[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]
		if doc.TopicArn != fifoTopic || !strings.HasPrefix(doc.Message, group) {
			t.Errorf("message %q of group %q from topic %s", doc.Message, group, doc.TopicArn)
		}
		groups[group] = append(groups[group], doc.Message)
		if sequenced && !strings.Contains(aws.ToString(m.Body), `"SequenceNumber"`) {
			sequenced = false
			t.Logf("fidelity: a FIFO topic's Notification has no SequenceNumber, which AWS's carry: %s", aws.ToString(m.Body))
		}
	}
	for _, group := range []string{"A", "B"} {
		var want []string
		for _, s := range sent {
			if strings.HasPrefix(s, group) {
				want = append(want, s)
			}
		}
		if !slices.Equal(groups[group], want) {
			t.Errorf("group %s arrived as %q; want %q, in order and once", group, groups[group], want)
		}
	}
}

// TestSQSLongPolling: on the real clock (Vigil not in --dev mode), a
// ReceiveMessage waiting up to 5 seconds on an empty queue returns the
// message another client sends meanwhile. The latency is logged, not
// asserted: the long poll wakes when the message is sent.
func TestSQSLongPolling(t *testing.T) {
	v := start(t, false)
	c := sqs.NewFromConfig(v.goConfig("", false))
	ctx := context.Background()
	queue, _ := createQueue(t, c, "polled", nil)

	// Nothing to receive: the poll answers empty when its wait ends.
	began := time.Now()
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 0 {
		t.Fatalf("a poll of an empty queue got %d messages", len(out.Messages))
	}
	t.Logf("a 1-second poll of an empty queue answered after %v", time.Since(began).Round(time.Millisecond))

	// The receiver's request is on the wire before the sender sends (the
	// trace says when it was written); were the send to win the race
	// anyway, the receive would still get the message.
	type result struct {
		out *sqs.ReceiveMessageOutput
		err error
		at  time.Time
	}
	written := make(chan struct{})
	var once sync.Once
	received := make(chan result, 1)
	traced := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(func() { close(written) }) }})
	go func() {
		out, err := c.ReceiveMessage(traced, &sqs.ReceiveMessageInput{QueueUrl: &queue, WaitTimeSeconds: 5, MaxNumberOfMessages: 10})
		received <- result{out, err, time.Now()}
	}()
	<-written
	sent := time.Now()
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &queue, MessageBody: aws.String("wake up")}); err != nil {
		t.Fatal(err)
	}
	r := <-received
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.out.Messages) != 1 || aws.ToString(r.out.Messages[0].Body) != "wake up" {
		t.Fatalf("the long poll got %+v; want the message sent while it waited", r.out.Messages)
	}
	t.Logf("the long poll (WaitTimeSeconds 5) returned %v after the message was sent", r.at.Sub(sent).Round(time.Microsecond))
}
