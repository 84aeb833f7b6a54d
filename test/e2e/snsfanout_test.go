package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/server"
)

// The filter policies of TestSNSFilteredFanOut's subscribers, each with
// several of SNS's operators
// (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html).
const (
	// httpPolicy, on the message attributes: a severity starting with
	// "crit" (case-sensitive) or exactly "high", and an amount in [100,
	// 1000).
	httpPolicy = `{"severity": [{"prefix": "crit"}, "high"], "amount": [{"numeric": [">=", 100, "<", 1000]}]}`
	// sqsPolicy, on the message body (nested): an order whose status is
	// present and neither "cancelled" nor "test", in a region starting
	// with "eu-".
	sqsPolicy = `{"order": {"status": [{"anything-but": ["cancelled", "test"]}], "region": [{"prefix": "eu-"}]}}`
	// jsonMailPolicy, on the attributes: a store, and an env that does
	// not start with "dev".
	jsonMailPolicy = `{"store": [{"exists": true}], "env": [{"anything-but": {"prefix": "dev"}}]}`
	// mailPolicy, on the attributes: no store ("exists": false matches
	// only a message that has attributes).
	mailPolicy = `{"store": [{"exists": false}]}`
)

// fanOutMessage is a message TestSNSFilteredFanOut publishes and the
// subscribers that get it, as AWS decides.
type fanOutMessage struct {
	name, body string
	// attrs are its message attributes: name → DataType, StringValue.
	attrs map[string][2]string
	to    []string
	why   string
}

// fanOutMessages are published in order; the last after the topic's
// SignatureVersion is set to 2.
var fanOutMessages = []fanOutMessage{
	{"m1", `{"order": {"id": 1, "status": "placed", "region": "eu-west-1"}}`,
		map[string][2]string{"severity": {"String", "critical"}, "amount": {"Number", "250"}, "store": {"String", "berlin"}, "env": {"String", "prod"}},
		[]string{"http", "sqs", "email-json"}, "matches every policy but email's, which wants no store"},
	{"m2", `{"order": {"id": 2, "status": "cancelled", "region": "eu-central-1"}}`,
		map[string][2]string{"severity": {"String", "high"}, "amount": {"Number", "1000"}, "env": {"String", "dev-blue"}},
		[]string{"email"}, "amount 1000 is past http's range (< 1000), cancelled is excluded by sqs's anything-but, email-json wants a store, email's exists:false matches"},
	{"m3", `{"order": {"id": 3, "status": "shipped", "region": "us-east-1"}}`,
		map[string][2]string{"severity": {"String", "high"}, "amount": {"Number", "100"}, "store": {"String", "paris"}, "env": {"String", "dev"}},
		[]string{"http"}, "http's range includes 100; us-east-1 is not eu-; env dev is excluded by anything-but prefix"},
	{"m4", `{"order": {"id": 4, "region": "eu-north-1", "note": "` + strings.Repeat("all work and no play ", 60) + `"}}`,
		map[string][2]string{"severity": {"String", "Critical"}, "amount": {"Number", "99.5"}, "store": {"String", "oslo"}, "env": {"String", "staging"}},
		[]string{"email-json"}, "prefix matching is case-sensitive; a body without status fails anything-but (every key of a policy must match); a long message"},
	{"m5", `{"order": {"id": 5, "status": "test", "region": "eu-west-2"}}`, nil,
		nil, `without attributes no attribute policy matches, not even "exists": false (AWS: "An empty set of attributes results in the filter not matching"); status test is excluded`},
	{"m6", `plain text, not JSON`,
		map[string][2]string{"severity": {"String", "crit-db"}, "amount": {"Number", "999.99"}, "env": {"String", "prod"}},
		[]string{"http", "email"}, "a body that is not JSON matches no MessageBody policy"},
	{"m7", `{"order": {"id": 7, "status": ["placed", "test"], "region": "eu-south-1"}}`,
		map[string][2]string{"severity": {"String.Array", `["low", "crit-net"]`}, "amount": {"Number", "5e2"}, "store": {"String", "rome"}, "env": {"String", "prod"}},
		[]string{"http", "sqs", "email-json"}, "an array matches when one of its values does, for prefix and for anything-but; 5e2 is 500"},
	{"m8", `{"order": {"id": 8, "status": "placed", "region": "eu-west-3"}}`,
		map[string][2]string{"severity": {"String", "critical"}, "amount": {"Number", "300"}, "store": {"String", "lyon"}, "env": {"String", "prod"}},
		[]string{"http", "sqs", "email-json"}, "as m1, signed with SignatureVersion 2"},
}

// TestSNSFilteredFanOut is SNS's "done when" scenario, with boto3, the AWS
// CLI 1.45 and the Debian AWS CLI 2.9 making every SNS and SQS call to a
// Vigil serving HTTPS on a still clock: a topic with an HTTP subscriber
// (a local server), an SQS queue and email-json and email subscribers (a
// local SMTP relay), each with a filter policy, and a failing HTTP
// subscriber with a RedrivePolicy. The HTTP subscriptions are confirmed
// through their SubscribeURL, the email ones through the link of the
// confirmation email; each published message reaches exactly the
// subscribers AWS would send it to; every document delivered (HTTP, SQS,
// email-json, dead-letter queue; SignatureVersion 1 and 2) verifies with
// AWS's procedure, the certificate fetched over HTTPS; and the failing
// endpoint's deliveries, retried as Vigil's clock moves, end in its
// dead-letter queue.
func TestSNSFilteredFanOut(t *testing.T) {
	for _, c := range flowClients() {
		t.Run(c.name, func(t *testing.T) {
			c.need(t)
			fanOut(t, c)
		})
	}
}

func fanOut(t *testing.T, c flowClient) {
	relay := newSMTPServer(t)
	hook, broken := newSNSEndpoint(t), newSNSEndpoint(t)
	broken.fail.Store(http.StatusInternalServerError)
	v := startTLSDev(t, relay)
	arn := func(service, name string) string {
		return "arn:aws:" + service + ":us-east-1:" + devAccount + ":" + name
	}
	topic, inbox, dlq := arn("sns", "orders"), arn("sqs", "filtered"), arn("sqs", "http-dlq")
	queueURL := func(name string) string { return v.endpoint + "/" + devAccount + "/" + name }
	const jsonMail, mail = "ops@example.com", "oncall@example.com"
	subscribe := func(protocol, endpoint string, attrs map[string]any, want string) step {
		return api("sns", "Subscribe", map[string]any{"TopicArn": topic, "Protocol": protocol, "Endpoint": endpoint, "Attributes": attrs}).
			expect(map[string]any{"SubscriptionArn": want})
	}
	c.calls(t, v,
		api("sqs", "CreateQueue", map[string]any{"QueueName": "filtered", "Attributes": map[string]any{"Policy": servicePolicy("sns.amazonaws.com")}}).
			expect(map[string]any{"QueueUrl": queueURL("filtered")}),
		api("sqs", "CreateQueue", map[string]any{"QueueName": "http-dlq", "Attributes": map[string]any{"Policy": servicePolicy("sns.amazonaws.com")}}).
			expect(map[string]any{"QueueUrl": queueURL("http-dlq")}),
		api("sns", "CreateTopic", map[string]any{"Name": "orders"}).expect(map[string]any{"TopicArn": topic}),
		subscribe("http", hook.url("/orders"), map[string]any{"FilterPolicy": httpPolicy}, "pending confirmation"),
		subscribe("http", broken.url("/broken"), map[string]any{"RedrivePolicy": `{"deadLetterTargetArn": "` + dlq + `"}`}, "pending confirmation"),
		subscribe("sqs", inbox, map[string]any{"FilterPolicyScope": "MessageBody", "FilterPolicy": sqsPolicy}, topic+":*"),
		subscribe("email-json", jsonMail, map[string]any{"FilterPolicy": jsonMailPolicy}, "pending confirmation"),
		subscribe("email", mail, map[string]any{"FilterPolicy": mailPolicy}, "pending confirmation"),
	)

	// Confirmations: the HTTP subscribers visit their SubscribeURL as the
	// confirmation arrives; the email ones follow the link of the email.
	v.settle(t)
	if n, m := len(hook.confirmedARNs()), len(broken.confirmedARNs()); n != 1 || m != 1 {
		t.Fatalf("the HTTP subscribers confirmed %d and %d subscriptions; want 1 each (posts: %s%s)", n, m, hook.summary(), broken.summary())
	}
	// docs are the signed documents delivered, all verified at the end.
	docs := [][]byte{hook.only("SubscriptionConfirmation").Body}
	mails := takeMail(t, relay)
	if len(mails) != 2 {
		t.Fatalf("the relay got %d emails after the subscriptions; want a confirmation for each: %+v", len(mails), mails)
	}
	for _, m := range mails {
		if m.Subject != "AWS Notification - Subscription Confirmation" {
			t.Errorf("confirmation email to %s has the subject %q", m.To, m.Subject)
		}
		switch m.To {
		case jsonMail: // the SubscriptionConfirmation document is the text
			var doc snsMessage
			if err := json.Unmarshal([]byte(m.Body), &doc); err != nil || doc.Type != "SubscriptionConfirmation" || doc.TopicArn != topic {
				t.Fatalf("the email-json confirmation is not a SubscriptionConfirmation of %s (%v):\n%s", topic, err, m.Body)
			}
			followLink(t, doc.SubscribeURL)
			docs = append(docs, []byte(strings.TrimSpace(m.Body)))
		case mail:
			link := regexp.MustCompile(`Confirm subscription: (\S+)`).FindStringSubmatch(m.Body)
			if link == nil {
				t.Fatalf("no confirmation link in the email:\n%s", m.Body)
			}
			followLink(t, link[1])
		default:
			t.Errorf("an email to %s, who subscribed nothing", m.To)
		}
	}
	got := c.calls(t, v, api("sns", "ListSubscriptionsByTopic", map[string]any{"TopicArn": topic}))
	subs, _ := lookup(got[0].Response, "Subscriptions").([]any)
	if len(subs) != 5 {
		t.Fatalf("ListSubscriptionsByTopic = %v; want the 5 subscriptions", got[0].Response)
	}
	for _, s := range subs {
		a, _ := lookup(s, "SubscriptionArn").(string)
		if !strings.HasPrefix(a, topic+":") {
			t.Fatalf("subscription %v is not confirmed", s)
		}
		if lookup(s, "Protocol") == "sqs" {
			c.calls(t, v, api("sns", "GetSubscriptionAttributes", map[string]any{"SubscriptionArn": a}).
				expect(map[string]any{"Attributes": map[string]any{"FilterPolicyScope": "MessageBody", "PendingConfirmation": "false"}}))
		}
	}

	// The publishes, the last signed with SignatureVersion 2.
	var steps []step
	for i, m := range fanOutMessages {
		if i == len(fanOutMessages)-1 {
			steps = append(steps, api("sns", "SetTopicAttributes", map[string]any{"TopicArn": topic, "AttributeName": "SignatureVersion", "AttributeValue": "2"}))
		}
		params := map[string]any{"TopicArn": topic, "Message": m.body}
		if len(m.attrs) > 0 {
			attrs := map[string]any{}
			for k, a := range m.attrs {
				attrs[k] = map[string]any{"DataType": a[0], "StringValue": a[1]}
			}
			params["MessageAttributes"] = attrs
		}
		steps = append(steps, api("sns", "Publish", params))
	}
	byID := map[string]fanOutMessage{}
	var ids []string
	for _, o := range c.calls(t, v, steps...) {
		if id, _ := lookup(o.Response, "MessageId").(string); id != "" {
			byID[id] = fanOutMessages[len(ids)]
			ids = append(ids, id)
		}
	}
	if len(ids) != len(fanOutMessages) {
		t.Fatalf("%d message ids for %d publishes", len(ids), len(fanOutMessages))
	}
	v.settle(t)

	// Who got what.
	received := map[string][]string{} // subscriber → names of the messages it got
	gotDoc := func(who string, body []byte) {
		t.Helper()
		var doc snsMessage
		if err := json.Unmarshal(body, &doc); err != nil || doc.Type != "Notification" {
			t.Errorf("%s got a document that is no Notification (%v):\n%s", who, err, body)
			return
		}
		m, ok := byID[doc.MessageId]
		if !ok || doc.Message != m.body || doc.TopicArn != topic {
			t.Errorf("%s got a Notification of no message published: %s", who, body)
			return
		}
		if want := map[bool]string{false: "1", true: "2"}[m.name == "m8"]; doc.SignatureVersion != want {
			t.Errorf("%s: %s has SignatureVersion %q; want %s", who, m.name, doc.SignatureVersion, want)
		}
		received[who] = append(received[who], m.name)
		docs = append(docs, body)
	}
	for _, p := range hook.ofType("Notification") {
		checkSNSHeaders(t, p, "Notification", topic, hook.confirmedARNs()[0])
		gotDoc("http", p.Body)
	}
	for _, m := range takeMail(t, relay) {
		switch m.To {
		case jsonMail:
			gotDoc("email-json", []byte(strings.TrimSpace(m.Body)))
		case mail:
			i := slices.IndexFunc(fanOutMessages, func(f fanOutMessage) bool { return strings.HasPrefix(m.Body, f.body+"\r\n") })
			if i < 0 || !strings.Contains(m.Body, "Action=Unsubscribe") {
				t.Errorf("an email that is no notification of a message published:\n%s", m.Body)
				continue
			}
			received["email"] = append(received["email"], fanOutMessages[i].name)
		default:
			t.Errorf("an email to %s, who subscribed nothing", m.To)
		}
	}
	for _, body := range c.receive(t, v, queueURL("filtered")) {
		gotDoc("sqs", []byte(body))
	}
	for _, who := range []string{"http", "sqs", "email-json", "email"} {
		var want []string
		for _, m := range fanOutMessages {
			if slices.Contains(m.to, who) {
				want = append(want, m.name)
			}
		}
		slices.Sort(received[who])
		if !slices.Equal(received[who], want) {
			var why []string
			for _, m := range fanOutMessages {
				if slices.Contains(received[who], m.name) != slices.Contains(want, m.name) {
					why = append(why, m.name+": "+m.why)
				}
			}
			t.Errorf("the %s subscriber got %q; want %q, as AWS decides:\n  %s", who, received[who], want, strings.Join(why, "\n  "))
		}
	}

	// The failing endpoint: each message was attempted once; it is
	// attempted again as the clock moves (AWS's default HTTP policy: 3
	// retries 20 s apart), then goes to the subscription's dead-letter
	// queue.
	if n := len(broken.ofType("Notification")); n != len(fanOutMessages) {
		t.Errorf("before Vigil's clock moved the failing endpoint got %d attempts; want one for each of the %d messages", n, len(fanOutMessages))
	}
	want := 4 * len(fanOutMessages)
	for i := 0; i < 30 && len(broken.ofType("Notification")) < want; i++ {
		v.moveClock(t, `{"advance": "5s"}`)
	}
	v.moveClock(t, `{"advance": "1h"}`)
	attempts := map[string]int{}
	for _, p := range broken.ofType("Notification") {
		attempts[p.Msg.MessageId]++
	}
	for _, id := range ids {
		if attempts[id] != 4 {
			t.Errorf("the failing endpoint got %d attempts at %s; want 4 (AWS's default HTTP delivery policy)", attempts[id], byID[id].name)
		}
	}
	var dead []string
	for _, body := range c.receive(t, v, queueURL("http-dlq")) {
		var doc snsMessage
		if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Type != "Notification" || byID[doc.MessageId].body != doc.Message {
			t.Errorf("the dead-letter queue holds something else than a Notification published (%v):\n%s", err, body)
			continue
		}
		dead = append(dead, byID[doc.MessageId].name)
		docs = append(docs, []byte(body))
	}
	slices.Sort(dead)
	if all := names(fanOutMessages); !slices.Equal(dead, all) {
		t.Errorf("the dead-letter queue holds %q; want every message the failing endpoint refused, %q", dead, all)
	}
	var letters server.DeadDeliveries
	v.admin(t, http.MethodGet, server.DeadDeliveriesPath+"?kind=sns.delivery", "", false, &letters)
	if len(letters.Items) != 0 {
		t.Errorf("Vigil kept %d dead letters of deliveries a RedrivePolicy sent to a queue: %+v", len(letters.Items), letters.Items)
	}

	// Every signature verifies; an altered document does not.
	docs = append(docs, tamper(t, docs[len(docs)-1], "Message", "altered"))
	for backend, verdicts := range verifySNS(t, v, docs) {
		for i, r := range verdicts {
			if last := i == len(docs)-1; r.Valid == last {
				t.Errorf("%s: document %d: %s; want it %s:\n%s", backend, i, r.Reason, map[bool]string{false: "valid", true: "invalid"}[last], docs[i])
			}
		}
	}
}

// receive receives with the client the (up to 10) messages a queue
// holds, without deleting them, and returns their bodies.
func (c flowClient) receive(t *testing.T, v *vigil, queueURL string) []string {
	t.Helper()
	o := c.calls(t, v, api("sqs", "ReceiveMessage", map[string]any{"QueueUrl": queueURL, "MaxNumberOfMessages": 10, "VisibilityTimeout": 600}))
	msgs, _ := lookup(o[0].Response, "Messages").([]any)
	var bodies []string
	for _, m := range msgs {
		b, _ := lookup(m, "Body").(string)
		bodies = append(bodies, b)
	}
	return bodies
}

// names returns the names of messages, sorted.
func names(ms []fanOutMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.name)
	}
	slices.Sort(out)
	return out
}
