package sns

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/snsmsg"

	"github.com/vigilhq/vigil/internal/dispatch"
)

func TestSubscribePending(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	got, err := f.svc.Subscribe(f.ctx, scope, topic, "http", f.endpoint("/a"), nil, false)
	if err != nil || got != PendingConfirmation {
		t.Fatalf("Subscribe = %q, %v; want %q", got, err, PendingConfirmation)
	}
	arn, err := f.svc.Subscribe(f.ctx, scope, topic, "https", "https://example.test/hook", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(arn, topic+":") || len(arn) != len(topic)+1+36 {
		t.Fatalf("ReturnSubscriptionArn: %q, want the topic's ARN and a UUID", arn)
	}
	attrs, err := f.svc.GetSubscriptionAttributes(f.ctx, scope, arn)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"SubscriptionArn": arn, "TopicArn": topic, "Owner": scope.Account, "Protocol": "https",
		"Endpoint": "https://example.test/hook", "PendingConfirmation": "true", "RawMessageDelivery": "false",
	} {
		if attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, attrs[k], v)
		}
	}
	// Each subscription has its confirmation in the outbox.
	if n := f.pending(); n != 2 {
		t.Fatalf("%d pending deliveries, want 2 confirmations", n)
	}
	f.mu.Lock()
	notified := f.notifys
	f.mu.Unlock()
	if notified != 2 {
		t.Fatalf("Subscribe notified the outbox %d times, want 2", notified)
	}
}

func TestSubscribeEndpointMismatch(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	for _, c := range []struct{ protocol, endpoint string }{
		{"http", "https://example.test/"},
		{"https", "http://example.test/"},
		{"http", "http://"},
		{"http", "example.test"},
		{"https", ""},
		{"http", "ftp://example.test/"},
	} {
		_, err := f.svc.Subscribe(f.ctx, scope, topic, c.protocol, c.endpoint, nil, false)
		wantErr(t, err, InvalidParameter, "Invalid parameter: Endpoint must match the specified protocol")
	}
}

func TestSubscribeRefusedProtocols(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	for _, c := range []struct{ protocol, endpoint, msg string }{
		{"sqs", "https://sqs.us-east-1.amazonaws.com/123456789012/q", "Invalid parameter: SQS endpoint ARN"},
		{"sms", "+15555550100", "Invalid parameter: Vigil does not deliver to sms endpoints"},
		{"lambda", "arn:aws:lambda:us-east-1:123456789012:function:f", "Invalid parameter: Vigil does not deliver to lambda endpoints"},
		{"application", "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/x", "Invalid parameter: Vigil does not deliver to application endpoints"},
		{"firehose", "arn:aws:firehose:us-east-1:123456789012:deliverystream/s", "Invalid parameter: Vigil does not deliver to firehose endpoints"},
		{"carrier-pigeon", "coop", "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"},
		{"HTTP", "HTTP://example.test", "Invalid parameter: Amazon SNS does not support this protocol string: HTTP"},
	} {
		_, err := f.svc.Subscribe(f.ctx, scope, topic, c.protocol, c.endpoint, nil, false)
		wantErr(t, err, InvalidParameter, c.msg)
	}
	// Email needs an SMTP relay, which this service has not.
	for _, p := range []string{"email", "email-json"} {
		_, err := f.svc.Subscribe(f.ctx, scope, topic, p, "ops@example.test", nil, false)
		wantPrefix(t, err, InvalidParameter, "Invalid parameter: ")
	}
	subs, _, err := f.svc.ListSubscriptions(f.ctx, scope, "", "")
	if err != nil || len(subs) != 0 {
		t.Fatalf("refused subscriptions were stored: %+v, %v", subs, err)
	}
}

func TestSubscribeAttributes(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	ep := f.endpoint("/a")
	for _, c := range []struct {
		attrs map[string]string
		msg   string
	}{
		{map[string]string{"FilterPolicy": `{"severity":"high"}`}, "Invalid parameter: Attributes Reason: "},
		{map[string]string{"FilterPolicyScope": "Everything"}, "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Everything]. Please use either MessageBody or MessageAttributes"},
		{map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sns:us-east-1:123456789012:t"}`}, "Invalid parameter: RedrivePolicy: deadLetterTargetArn is not an SQS queue ARN"},
		{map[string]string{"RawMessageDelivery": "yes"}, "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false."},
		{map[string]string{"Colour": "red"}, "Invalid parameter: Attributes Reason: Unknown SubscribeAttribute Colour"},
	} {
		_, err := f.svc.Subscribe(f.ctx, scope, topic, "http", ep, c.attrs, true)
		wantPrefix(t, err, InvalidParameter, c.msg)
	}
	if n := f.pending(); n != 0 {
		t.Fatalf("refused subscriptions enqueued %d confirmations", n)
	}
	arn := f.subscribe(topic, "/a", map[string]string{"RawMessageDelivery": "true", "FilterPolicy": ""})
	attrs, err := f.svc.GetSubscriptionAttributes(f.ctx, scope, arn)
	if err != nil || attrs["RawMessageDelivery"] != "true" {
		t.Fatalf("RawMessageDelivery = %q, %v", attrs["RawMessageDelivery"], err)
	}
	if err := f.svc.SetSubscriptionAttributes(f.ctx, scope, arn, "FilterPolicy", `{"a":["b"]}`); err != nil {
		t.Fatalf("a valid filter policy: %v", err)
	}
	err = f.svc.SetSubscriptionAttributes(f.ctx, scope, arn, "FilterPolicy", `{"a":"b"}`)
	wantPrefix(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: ")
	err = f.svc.SetSubscriptionAttributes(f.ctx, scope, arn, "Colour", "red")
	wantErr(t, err, InvalidParameter, "Invalid parameter: AttributeName")
	if err := f.svc.SetSubscriptionAttributes(f.ctx, scope, arn, "RawMessageDelivery", "false"); err != nil {
		t.Fatal(err)
	}
	attrs, _ = f.svc.GetSubscriptionAttributes(f.ctx, scope, arn)
	if attrs["RawMessageDelivery"] != "false" {
		t.Fatalf("RawMessageDelivery = %q after setting false", attrs["RawMessageDelivery"])
	}
}

func TestSubscribeMissingTopic(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	_, err := f.svc.Subscribe(f.ctx, scope, topic+"x", "http", f.endpoint("/a"), nil, false)
	wantErr(t, err, NotFound, "Topic does not exist")
	_, err = f.svc.Subscribe(f.ctx, other, topic, "http", f.endpoint("/a"), nil, false)
	wantErr(t, err, NotFound, "Topic does not exist")
	_, err = f.svc.Subscribe(f.ctx, scope, "arn:aws:sqs:us-east-1:123456789012:q", "http", f.endpoint("/a"), nil, false)
	wantErr(t, err, InvalidParameter, "Invalid parameter: TopicArn")
}

func TestSubscribeSameEndpointAgain(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	arn := f.subscribe(topic, "/a", nil)
	f.step()
	f.take()
	// Pending: the ARN only when asked for.
	if got, err := f.svc.Subscribe(f.ctx, scope, topic, "http", f.endpoint("/a"), nil, false); err != nil || got != PendingConfirmation {
		t.Fatalf("Subscribe again, pending = %q, %v", got, err)
	}
	if got, err := f.svc.Subscribe(f.ctx, scope, topic, "http", f.endpoint("/a"), nil, true); err != nil || got != arn {
		t.Fatalf("Subscribe again, pending, ReturnSubscriptionArn = %q, %v; want %s", got, err, arn)
	}
	// Confirmed: the ARN.
	f.confirmConfirmationOf(topic, arn)
	if got, err := f.svc.Subscribe(f.ctx, scope, topic, "http", f.endpoint("/a"), nil, false); err != nil || got != arn {
		t.Fatalf("Subscribe again, confirmed = %q, %v; want %s", got, err, arn)
	}
	subs, _, err := f.svc.ListSubscriptions(f.ctx, scope, topic, "")
	if err != nil || len(subs) != 1 {
		t.Fatalf("ListSubscriptions = %+v, %v; want one", subs, err)
	}
	// Another endpoint, or the same URL to another topic, is another
	// subscription.
	other := f.createTopic("other", nil)
	if a := f.subscribe(other, "/a", nil); a == arn {
		t.Fatal("the same endpoint on another topic got the same subscription")
	}
}

// confirmConfirmationOf confirms a subscription whose confirmation was
// already delivered, with its token from the store.
func (f *fixture) confirmConfirmationOf(topic, arn string) {
	f.t.Helper()
	sub, err := f.store.SNS().Subscription(f.ctx, arn)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.ConfirmSubscription(f.ctx, topic, sub.Token); err != nil {
		f.t.Fatal(err)
	}
}

// Subscribing the same endpoint from several clients at once makes one
// subscription, as subscribing it one after the other does.
func TestSubscribeConcurrentSameEndpoint(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	var wg sync.WaitGroup
	arns := make([]string, 8)
	for i := range arns {
		wg.Go(func() {
			arn, err := f.svc.Subscribe(f.ctx, scope, topic, "http", f.endpoint("/a"), nil, true)
			if err != nil {
				t.Error(err)
			}
			arns[i] = arn
		})
	}
	wg.Wait()
	subs, _, err := f.svc.ListSubscriptions(f.ctx, scope, topic, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 {
		t.Errorf("concurrent Subscribe of one endpoint made %d subscriptions (ARNs %v)", len(subs), arns)
	}
}

func TestSubscriptionConfirmationDelivered(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	arn := f.subscribe(topic, "/hook", nil)
	// Nothing is sent before the outbox runs.
	if h := f.take(); len(h) != 0 {
		t.Fatalf("delivered before the outbox ran: %v", paths(h))
	}
	f.step()
	h := f.takeOne()
	if h.Path != "/hook" {
		t.Fatalf("delivered to %s", h.Path)
	}
	for k, v := range map[string]string{
		"x-amz-sns-message-type": "SubscriptionConfirmation", "x-amz-sns-topic-arn": topic,
		"Content-Type": "text/plain; charset=UTF-8", "User-Agent": "Amazon Simple Notification Service Agent",
	} {
		if got := h.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	m := f.parse(h)
	if h.Header.Get("x-amz-sns-message-id") != m.MessageId || m.MessageId == "" {
		t.Errorf("x-amz-sns-message-id = %q, MessageId %q", h.Header.Get("x-amz-sns-message-id"), m.MessageId)
	}
	if m.Type != snsmsg.SubscriptionConfirmation || m.TopicArn != topic || m.SignatureVersion != "1" {
		t.Errorf("message = %+v", m)
	}
	if len(m.Token) != 128 {
		t.Errorf("Token %q is not 128 hexadecimal digits", m.Token)
	}
	if want := "You have chosen to subscribe to the topic " + topic +
		".\nTo confirm the subscription, visit the SubscribeURL included in this message."; m.Message != want {
		t.Errorf("Message = %q, want %q", m.Message, want)
	}
	if want := snsmsg.FormatTimestamp(t0); m.Timestamp != want {
		t.Errorf("Timestamp = %s, want %s", m.Timestamp, want)
	}
	if want := baseURL + "/_vigil/sns/" + testSigner.CertFileName(); m.SigningCertURL != want {
		t.Errorf("SigningCertURL = %s, want %s", m.SigningCertURL, want)
	}
	if got := f.svc.CertURL(); got != m.SigningCertURL {
		t.Errorf("CertURL() = %s, SigningCertURL %s", got, m.SigningCertURL)
	}
	u, err := url.Parse(m.SubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme+"://"+u.Host != baseURL || u.Path != "/" || q.Get("Action") != "ConfirmSubscription" ||
		q.Get("TopicArn") != topic || q.Get("Token") != m.Token {
		t.Errorf("SubscribeURL = %s", m.SubscribeURL)
	}
	// The link's query confirms.
	got, err := f.svc.ConfirmSubscription(f.ctx, q.Get("TopicArn"), q.Get("Token"))
	if err != nil || got != arn {
		t.Fatalf("ConfirmSubscription from the SubscribeURL = %q, %v; want %s", got, err, arn)
	}
	// Delivered once: the outbox has nothing left.
	f.clock.Advance(10 * time.Minute)
	f.step()
	if h := f.take(); len(h) != 0 {
		t.Fatalf("delivered again: %v", paths(h))
	}
	pem, name := f.svc.Certificate()
	if name != testSigner.CertFileName() || string(pem) != string(testSigner.CertificatePEM()) {
		t.Errorf("Certificate() = %s, %.40q", name, pem)
	}
}

func TestConfirmSubscription(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	other := f.createTopic("other", nil)
	arn := f.subscribe(topic, "/a", nil)
	f.step()
	m := f.parse(f.takeOne())

	subs, _, err := f.svc.ListSubscriptions(f.ctx, scope, topic, "")
	if err != nil || len(subs) != 1 || subs[0].ARN != PendingConfirmation {
		t.Fatalf("ListSubscriptions before confirming = %+v, %v", subs, err)
	}
	if s := subs[0]; s.Protocol != "http" || s.Endpoint != f.endpoint("/a") || s.TopicARN != topic || s.Owner != scope.Account {
		t.Fatalf("ListSubscriptions = %+v", s)
	}

	wrong := "0" + m.Token[1:]
	if wrong == m.Token {
		wrong = "1" + m.Token[1:]
	}
	for _, c := range []struct{ topic, token string }{
		{topic, wrong},
		{topic, strings.ToUpper(m.Token)},
		{topic, m.Token[:64]},
		{topic, ""},
		{other, m.Token},
		{topic + "x", m.Token},
	} {
		_, err := f.svc.ConfirmSubscription(f.ctx, c.topic, c.token)
		wantErr(t, err, InvalidParameter, "Invalid token")
	}
	_, err = f.svc.ConfirmSubscription(f.ctx, "not-an-arn", m.Token)
	wantErr(t, err, InvalidParameter, "Invalid parameter: TopicArn")
	// Still pending.
	attrs, _ := f.svc.GetSubscriptionAttributes(f.ctx, scope, arn)
	if attrs["PendingConfirmation"] != "true" {
		t.Fatalf("PendingConfirmation = %q after wrong tokens", attrs["PendingConfirmation"])
	}

	// The token confirms whoever presents it (the SubscribeURL is unsigned).
	got, err := f.svc.ConfirmSubscription(f.ctx, topic, m.Token)
	if err != nil || got != arn {
		t.Fatalf("ConfirmSubscription = %q, %v; want %s", got, err, arn)
	}
	subs, _, _ = f.svc.ListSubscriptions(f.ctx, scope, topic, "")
	if len(subs) != 1 || subs[0].ARN != arn {
		t.Fatalf("ListSubscriptions after confirming = %+v", subs)
	}
	attrs, _ = f.svc.GetSubscriptionAttributes(f.ctx, scope, arn)
	if attrs["PendingConfirmation"] != "false" {
		t.Fatalf("PendingConfirmation = %q after confirming", attrs["PendingConfirmation"])
	}
	// Confirming again answers the ARN again.
	if got, err := f.svc.ConfirmSubscription(f.ctx, topic, m.Token); err != nil || got != arn {
		t.Fatalf("ConfirmSubscription again = %q, %v", got, err)
	}
	all, _, err := f.svc.ListSubscriptions(f.ctx, scope, "", "")
	if err != nil || len(all) != 1 || all[0].ARN != arn {
		t.Fatalf("ListSubscriptions of the account = %+v, %v", all, err)
	}
}

func TestListSubscriptionsPaging(t *testing.T) {
	f := newFixture(t)
	a := f.createTopic("a", nil)
	b := f.createTopic("b", nil)
	for i := range 150 {
		topic := a
		if i%2 == 1 {
			topic = b
		}
		if _, err := f.svc.Subscribe(f.ctx, scope, topic, "https", "https://example.test/"+string(rune('a'+i%26))+strings.Repeat("x", i), nil, false); err != nil {
			t.Fatal(err)
		}
	}
	count := func(topic string) (n, pages int) {
		token := ""
		for {
			page, next, err := f.svc.ListSubscriptions(f.ctx, scope, topic, token)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, s := range page {
				if topic != "" && s.TopicARN != topic {
					t.Fatalf("ListSubscriptions(%s) listed a subscription of %s", topic, s.TopicARN)
				}
			}
			n += len(page)
			if next == "" {
				return n, pages
			}
			token = next
		}
	}
	if n, pages := count(""); n != 150 || pages != 2 {
		t.Errorf("ListSubscriptions: %d in %d pages, want 150 in 2", n, pages)
	}
	if n, pages := count(a); n != 75 || pages != 1 {
		t.Errorf("ListSubscriptionsByTopic: %d in %d pages, want 75 in 1", n, pages)
	}
	subs, _, err := f.svc.ListSubscriptions(f.ctx, other, "", "")
	if err != nil || len(subs) != 0 {
		t.Errorf("another account lists %d subscriptions, %v", len(subs), err)
	}
	_, _, err = f.svc.ListSubscriptions(f.ctx, scope, "", "bogus!")
	wantErr(t, err, InvalidParameter, "Invalid parameter: NextToken")
}

func TestSubscriptionAttributesScope(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	arn := f.subscribe(topic, "/a", nil)
	_, err := f.svc.GetSubscriptionAttributes(f.ctx, other, arn)
	wantErr(t, err, InvalidParameter, "Invalid parameter: SubscriptionArn")
	_, err = f.svc.GetSubscriptionAttributes(f.ctx, scope, PendingConfirmation)
	wantErr(t, err, InvalidParameter, "Invalid parameter: SubscriptionArn")
	_, err = f.svc.GetSubscriptionAttributes(f.ctx, scope, topic+":00000000-0000-4000-8000-000000000000")
	wantErr(t, err, NotFound, "Subscription does not exist")
	err = f.svc.SetSubscriptionAttributes(f.ctx, other, arn, "RawMessageDelivery", "true")
	wantErr(t, err, InvalidParameter, "Invalid parameter: SubscriptionArn")
	err = f.svc.Unsubscribe(f.ctx, other, arn)
	wantErr(t, err, InvalidParameter, "Invalid parameter: SubscriptionArn")
	err = f.svc.Unsubscribe(f.ctx, scope, PendingConfirmation)
	wantErr(t, err, InvalidParameter, "Invalid parameter: SubscriptionArn")
}

// An SQS queue's subscription is confirmed at once, and a publish reaches
// the queue through the dispatcher's target for SQS ARNs, as AWS's signed
// JSON document or, raw, as the message alone.
func TestSubscribeSQS(t *testing.T) {
	f := newFixture(t)
	var got []dispatch.Message
	f.dispatcher.Register(dispatch.Match{Service: "sqs", Type: ""}, dispatch.NewTarget("sqs:SendMessage",
		func(_ context.Context, _ dispatch.Address, m *dispatch.Message) error {
			got = append(got, *m)
			return nil
		}))
	topic := f.createTopic("ops", nil)
	queue := "arn:aws:sqs:us-east-1:123456789012:jobs"
	arn, err := f.svc.Subscribe(f.ctx, scope, topic, "sqs", queue, nil, false)
	if err != nil || arn == PendingConfirmation {
		t.Fatalf("Subscribe sqs = %q, %v; want an ARN at once", arn, err)
	}
	f.publish(PublishInput{TopicARN: topic, Message: "m", Subject: "s"})
	f.step()
	if len(got) != 1 || got[0].Target != queue {
		t.Fatalf("deliveries %+v", got)
	}
	m, err := snsmsg.Parse(got[0].Payload)
	if err != nil || m.Message != "m" || m.Subject != "s" || testSigner.Verify(m) != nil {
		t.Errorf("the queue got %s (%v)", got[0].Payload, err)
	}
	if err := f.svc.SetSubscriptionAttributes(f.ctx, scope, arn, "RawMessageDelivery", "true"); err != nil {
		t.Fatal(err)
	}
	f.publish(PublishInput{TopicARN: topic, Message: "raw"})
	f.step()
	if len(got) != 2 || string(got[1].Payload) != "raw" {
		t.Errorf("raw delivery %q", got[len(got)-1].Payload)
	}
}

// A subscription's filter policy decides what it gets: on the message's
// attributes by default, on its body with FilterPolicyScope MessageBody.
func TestFilterPolicies(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/high", map[string]string{"FilterPolicy": `{"severity":["high"],"code":[{"numeric":[">=",500]}]}`})
	f.confirmed(topic, "/body", map[string]string{"FilterPolicy": `{"service":[{"prefix":"pay"}]}`, "FilterPolicyScope": "MessageBody"})
	f.confirmed(topic, "/all", nil)
	publish := func(message string, attrs map[string]Attribute) []string {
		t.Helper()
		f.publish(PublishInput{TopicARN: topic, Message: message, Attributes: attrs})
		f.step()
		return paths(f.take())
	}
	high := map[string]Attribute{"severity": {DataType: "String", StringValue: "high"}, "code": {DataType: "Number", StringValue: "503"}}
	low := map[string]Attribute{"severity": {DataType: "String", StringValue: "low"}, "code": {DataType: "Number", StringValue: "503"}}
	for _, c := range []struct {
		message string
		attrs   map[string]Attribute
		want    []string
	}{
		{"plain", high, []string{"/all", "/high"}},
		{"plain", low, []string{"/all"}},
		{`{"service":"payments"}`, nil, []string{"/all", "/body"}},
		{`{"service":"search"}`, high, []string{"/all", "/high"}},
	} {
		var got []string
		for _, p := range publish(c.message, c.attrs) {
			got = append(got, strings.TrimSuffix(p, " Notification"))
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("publish %q %v reached %v; want %v", c.message, c.attrs, got, c.want)
		}
	}
}
