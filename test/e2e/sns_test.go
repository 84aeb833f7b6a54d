package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/vigilhq/vigil/internal/server"
)

// snsMessage is the JSON document SNS POSTs to an HTTP(S) subscriber.
type snsMessage struct {
	Type, MessageId, Token, TopicArn, Subject, Message, Timestamp string
	SignatureVersion, Signature, SigningCertURL                   string
	SubscribeURL, UnsubscribeURL                                  string
	MessageAttributes                                             map[string]struct{ Type, Value string }
}

// snsPost is one POST a subscriber received: when, its headers and body,
// and the body decoded (when it is JSON: a raw delivery is not).
type snsPost struct {
	At     time.Time
	Header http.Header
	Body   []byte
	Msg    snsMessage
}

// snsEndpoint is an HTTP(S) subscriber as a user runs one: it records
// every POST and confirms a subscription by GETting the SubscribeURL of
// its SubscriptionConfirmation before it answers — so that once Vigil's
// delivery of the confirmation has finished (the clock settled), the
// subscription is confirmed.
type snsEndpoint struct {
	t   *testing.T
	srv *httptest.Server
	// fail, when not 0, is the status it answers Notifications with.
	fail atomic.Int32
	// arrived gets the POSTs as they arrive (up to its buffer's worth
	// while nobody reads it).
	arrived chan snsPost

	mu    sync.Mutex
	posts []snsPost
	// confirmed are the SubscriptionArns the SubscribeURLs answered.
	confirmed []string
}

func newSNSEndpoint(t *testing.T) *snsEndpoint {
	t.Helper()
	e := &snsEndpoint{t: t, arrived: make(chan snsPost, 1024)}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve)) // on 127.0.0.1
	t.Cleanup(e.srv.Close)
	return e
}

func (e *snsEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		e.t.Errorf("subscriber got %s %s; SNS only POSTs", r.Method, r.URL)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		e.t.Errorf("subscriber: reading a POST: %v", err)
		return
	}
	p := snsPost{At: time.Now(), Header: r.Header.Clone(), Body: body}
	if r.Header.Get("x-amz-sns-rawdelivery") != "true" {
		if err := json.Unmarshal(body, &p.Msg); err != nil {
			e.t.Errorf("subscriber: a POST that is neither raw nor JSON: %v\n%s", err, body)
		}
	}
	if p.Msg.Type == "SubscriptionConfirmation" {
		e.confirm(p.Msg.SubscribeURL)
	}
	e.mu.Lock()
	e.posts = append(e.posts, p)
	e.mu.Unlock()
	select {
	case e.arrived <- p:
	default: // nobody is waiting on arrivals: posts has it
	}
	if code := int(e.fail.Load()); code != 0 && p.Msg.Type == "Notification" {
		http.Error(w, "failing on purpose", code)
	}
}

// confirm visits a SubscribeURL, unsigned, as a subscriber would.
func (e *snsEndpoint) confirm(link string) {
	resp, err := http.Get(link)
	if err != nil {
		e.t.Errorf("subscriber: GET SubscribeURL: %v", err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var answer struct {
		SubscriptionArn string `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	}
	if resp.StatusCode != http.StatusOK || xml.Unmarshal(b, &answer) != nil || answer.SubscriptionArn == "" {
		e.t.Errorf("subscriber: GET %s = %d %s; want 200 and the subscription's ARN", link, resp.StatusCode, b)
		return
	}
	e.mu.Lock()
	e.confirmed = append(e.confirmed, answer.SubscriptionArn)
	e.mu.Unlock()
}

// url returns the endpoint's URL with a path.
func (e *snsEndpoint) url(path string) string { return e.srv.URL + path }

// all returns the POSTs received so far.
func (e *snsEndpoint) all() []snsPost {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.posts)
}

// ofType returns the POSTs received so far of a message type.
func (e *snsEndpoint) ofType(typ string) []snsPost {
	var out []snsPost
	for _, p := range e.all() {
		if p.Header.Get("x-amz-sns-message-type") == typ {
			out = append(out, p)
		}
	}
	return out
}

// only returns the one POST of a type received so far, or fails.
func (e *snsEndpoint) only(typ string) snsPost {
	e.t.Helper()
	ps := e.ofType(typ)
	if len(ps) != 1 {
		e.t.Fatalf("subscriber got %d %s POSTs; want 1 (all: %s)", len(ps), typ, e.summary())
	}
	return ps[0]
}

// confirmedARNs returns the ARNs the SubscribeURLs answered.
func (e *snsEndpoint) confirmedARNs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.confirmed)
}

// summary describes the POSTs received, for failure messages.
func (e *snsEndpoint) summary() string {
	var b strings.Builder
	for _, p := range e.all() {
		fmt.Fprintf(&b, "\n  %s %.300s", p.Header.Get("x-amz-sns-message-type"), p.Body)
	}
	return b.String()
}

// snsTimestamp is how SNS writes a message's Timestamp.
const snsTimestamp = "2006-01-02T15:04:05.000Z"

// checkSNSHeaders checks the headers AWS sends with an HTTP(S) delivery.
func checkSNSHeaders(t *testing.T, p snsPost, typ, topic, subscription string) {
	t.Helper()
	want := map[string]string{
		"Content-Type":           "text/plain; charset=UTF-8",
		"User-Agent":             "Amazon Simple Notification Service Agent",
		"x-amz-sns-message-type": typ,
		"x-amz-sns-message-id":   p.Msg.MessageId,
		"x-amz-sns-topic-arn":    topic,
	}
	if subscription != "" {
		want["x-amz-sns-subscription-arn"] = subscription
	}
	for k, v := range want {
		if got := p.Header.Get(k); got != v || v == "" {
			t.Errorf("%s header %s = %q; want %q", typ, k, got, v)
		}
	}
}

// jsonKeys returns the members of a JSON object in the order written.
func jsonKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("body is not a JSON object: %s", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// snsClient returns the Go SDK's SNS client of a --dev Vigil.
func (v *vigil) snsClient() *sns.Client { return sns.NewFromConfig(v.devConfig(devAccount)) }

// subscribeConfirmed subscribes an endpoint URL to a topic, lets the
// confirmation be delivered (and the subscriber confirm it) and returns
// the subscription's ARN.
func subscribeConfirmed(t *testing.T, v *vigil, c *sns.Client, e *snsEndpoint, topic, endpoint string) string {
	t.Helper()
	ctx := context.Background()
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("http"), Endpoint: &endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.SubscriptionArn); got != "pending confirmation" {
		t.Errorf("Subscribe = %q; want pending confirmation", got)
	}
	before := len(e.confirmedARNs())
	v.settle(t)
	arns := e.confirmedARNs()
	if len(arns) != before+1 {
		t.Fatalf("after settling, the subscriber confirmed %d subscriptions; want %d (posts: %s)", len(arns), before+1, e.summary())
	}
	return arns[len(arns)-1]
}

// TestSNSHTTPDelivery drives SNS with the Go SDK against an HTTP
// subscriber: the subscription is confirmed through the SubscribeURL of
// the SubscriptionConfirmation, a publish arrives as AWS's Notification
// with its headers, subject and attributes, raw delivery and per-protocol
// messages are honoured, and unsubscribing ends the deliveries.
func TestSNSHTTPDelivery(t *testing.T) {
	v := start(t, true)
	ep := newSNSEndpoint(t)
	c := v.snsClient()
	ctx := context.Background()
	topic := "arn:aws:sns:us-east-1:" + devAccount + ":deliveries"

	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("deliveries"),
		Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(created.TopicArn); got != topic {
		t.Fatalf("CreateTopic = %s; want %s", got, topic)
	}
	endpoint := ep.url("/hooks/sns")
	sub := subscribeConfirmed(t, v, c, ep, topic, endpoint)

	// The confirmation: AWS's document and headers.
	conf := ep.only("SubscriptionConfirmation")
	checkSNSHeaders(t, conf, "SubscriptionConfirmation", topic, "")
	m := conf.Msg
	if m.Type != "SubscriptionConfirmation" || m.TopicArn != topic || len(m.Token) < 64 || m.SignatureVersion != "1" || m.Signature == "" ||
		m.Message != "You have chosen to subscribe to the topic "+topic+".\nTo confirm the subscription, visit the SubscribeURL included in this message." ||
		m.SubscribeURL != v.endpoint+"/?Action=ConfirmSubscription&TopicArn="+url.QueryEscape(topic)+"&Token="+m.Token ||
		!strings.HasPrefix(m.SigningCertURL, v.endpoint+"/_vigil/sns/") || !strings.HasSuffix(m.SigningCertURL, ".pem") {
		t.Errorf("SubscriptionConfirmation = %+v", m)
	}
	if _, err := time.Parse(snsTimestamp, m.Timestamp); err != nil {
		t.Errorf("SubscriptionConfirmation Timestamp %q: %v", m.Timestamp, err)
	}
	if got, want := jsonKeys(t, conf.Body), []string{"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp",
		"SignatureVersion", "Signature", "SigningCertURL"}; !slices.Equal(got, want) {
		t.Errorf("SubscriptionConfirmation members = %q; want AWS's %q", got, want)
	}

	// Confirmed: the lists and attributes show it.
	if !strings.HasPrefix(sub, topic+":") {
		t.Errorf("the SubscribeURL answered SubscriptionArn %q; want one of %s", sub, topic)
	}
	subs, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs.Subscriptions) != 1 {
		t.Fatalf("ListSubscriptionsByTopic = %d subscriptions; want 1", len(subs.Subscriptions))
	}
	if s := subs.Subscriptions[0]; aws.ToString(s.SubscriptionArn) != sub || aws.ToString(s.Endpoint) != endpoint ||
		aws.ToString(s.Protocol) != "http" || aws.ToString(s.Owner) != devAccount || aws.ToString(s.TopicArn) != topic {
		t.Errorf("ListSubscriptionsByTopic = %s %s %s %s %s", aws.ToString(s.SubscriptionArn), aws.ToString(s.Endpoint),
			aws.ToString(s.Protocol), aws.ToString(s.Owner), aws.ToString(s.TopicArn))
	}
	sattrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"PendingConfirmation": "false", "ConfirmationWasAuthenticated": "false",
		"RawMessageDelivery": "false", "Endpoint": endpoint, "Protocol": "http", "TopicArn": topic, "SubscriptionArn": sub} {
		if got := sattrs.Attributes[k]; got != want {
			t.Errorf("GetSubscriptionAttributes %s = %q; want %q", k, got, want)
		}
	}
	tattrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if a := tattrs.Attributes; a["SubscriptionsConfirmed"] != "1" || a["SubscriptionsPending"] != "0" || a["TopicArn"] != topic || a["Owner"] != devAccount {
		t.Errorf("GetTopicAttributes = %v", a)
	}

	// A publish with a subject and attributes of each type.
	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("disk almost full"), Subject: aws.String("Disk alert"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"severity": {DataType: aws.String("String"), StringValue: aws.String("high")},
			"count":    {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"blob":     {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 0xff}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	note := ep.only("Notification")
	checkSNSHeaders(t, note, "Notification", topic, sub)
	m = note.Msg
	if m.MessageId != aws.ToString(pub.MessageId) || m.Type != "Notification" || m.TopicArn != topic || m.Subject != "Disk alert" ||
		m.Message != "disk almost full" || m.SignatureVersion != "1" || m.Signature == "" || m.Token != "" || m.SubscribeURL != "" ||
		m.UnsubscribeURL != v.endpoint+"/?Action=Unsubscribe&SubscriptionArn="+url.QueryEscape(sub) || m.SigningCertURL != conf.Msg.SigningCertURL {
		t.Errorf("Notification = %+v; want message %s", m, aws.ToString(pub.MessageId))
	}
	if _, err := time.Parse(snsTimestamp, m.Timestamp); err != nil {
		t.Errorf("Notification Timestamp %q: %v", m.Timestamp, err)
	}
	wantAttrs := map[string]struct{ Type, Value string }{
		"severity": {"String", "high"}, "count": {"Number", "3"}, "blob": {"Binary", "AAEC/w=="},
	}
	if !equalJSON(m.MessageAttributes, wantAttrs) {
		t.Errorf("Notification MessageAttributes = %v; want %v", m.MessageAttributes, wantAttrs)
	}
	if got, want := jsonKeys(t, note.Body), []string{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
		"SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"}; !slices.Equal(got, want) {
		t.Errorf("Notification members = %q; want AWS's %q", got, want)
	}

	// Raw delivery: the message alone.
	var rawID string
	mustDo(t, func() error {
		_, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &sub,
			AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")})
		return err
	}, func() error {
		out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String(`{"raw": true}`), Subject: aws.String("ignored")})
		rawID = aws.ToString(out.MessageId)
		return err
	})
	v.settle(t)
	if notes := ep.ofType("Notification"); len(notes) != 2 {
		t.Fatalf("%d Notifications; want 2: %s", len(notes), ep.summary())
	} else if raw := notes[1]; string(raw.Body) != `{"raw": true}` || raw.Header.Get("x-amz-sns-rawdelivery") != "true" {
		t.Errorf("raw delivery = %q with x-amz-sns-rawdelivery %q; want the message alone, marked raw", raw.Body, raw.Header.Get("x-amz-sns-rawdelivery"))
	} else {
		raw.Msg.MessageId = rawID // the message id is in the headers only
		checkSNSHeaders(t, raw, "Notification", topic, sub)
	}

	// A message per protocol: the http one is delivered.
	mustDo(t, func() error {
		_, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &sub,
			AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("false")})
		return err
	}, func() error {
		_, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, MessageStructure: aws.String("json"),
			Message: aws.String(`{"default": "for everyone", "http": "for http", "email": "for email"}`)})
		return err
	})
	v.settle(t)
	if notes := ep.ofType("Notification"); len(notes) != 3 || notes[2].Msg.Message != "for http" || notes[2].Msg.Subject != "" {
		t.Errorf("with MessageStructure json the subscriber got: %s; want the http message", ep.summary())
	}

	// Unsubscribed: the endpoint is told so, and gets nothing more.
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &sub}); err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	bye := ep.only("UnsubscribeConfirmation")
	checkSNSHeaders(t, bye, "UnsubscribeConfirmation", topic, "")
	if bye.Msg.TopicArn != topic || bye.Msg.Token == "" || !strings.HasPrefix(bye.Msg.SubscribeURL, v.endpoint+"/?Action=ConfirmSubscription&") {
		t.Errorf("UnsubscribeConfirmation = %+v", bye.Msg)
	}
	subs, err = c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil || len(subs.Subscriptions) != 0 {
		t.Errorf("ListSubscriptionsByTopic after Unsubscribe = %+v, %v; want none", subs, err)
	}
	n := len(ep.all())
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("to nobody")}); err != nil {
		t.Fatal(err)
	}
	v.settle(t)
	if got := len(ep.all()); got != n {
		t.Errorf("after unsubscribing the endpoint got %d more POSTs: %s", got-n, ep.summary())
	}
}

// snsVerify runs testdata/sns_verify.py, an implementation of AWS's
// signature verification independent of Vigil's, on a delivered body:
// 0 when the signature is valid, 1 when it is not.
func snsVerify(t *testing.T, py string, v *vigil, body []byte) (int, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "message.json")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "testdata/sns_verify.py", path, strings.TrimPrefix(v.endpoint, "http://")).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return 1, string(out)
	}
	t.Fatalf("sns_verify.py could not check the message: %v\n%s\n%s", err, out, body)
	return 0, ""
}

// tamper returns a delivered body with one member changed ("" deletes
// it).
func tamper(t *testing.T, body []byte, member, value string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if value == "" {
		delete(m, member)
	} else {
		m[member] = value
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSNSSignatures verifies the signatures of what Vigil delivers with
// testdata/sns_verify.py (Python's cryptography, AWS's documented
// procedure): the SubscriptionConfirmation and a Notification with
// SignatureVersion 1 (SHA1withRSA), a Notification after the topic's
// SignatureVersion is set to 2 (SHA256withRSA), and the
// UnsubscribeConfirmation of the UnsubscribeURL. Altered messages fail.
func TestSNSSignatures(t *testing.T) {
	py := python3(t)
	if exec.Command(py, "-c", "import cryptography").Run() != nil {
		requireClient(t, "python3 with cryptography", false)
	}
	v := start(t, true)
	ep := newSNSEndpoint(t)
	c := v.snsClient()
	ctx := context.Background()
	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("signed")})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(out.TopicArn)
	subscribeConfirmed(t, v, c, ep, topic, ep.url("/signed"))

	valid := func(what string, body []byte) {
		t.Helper()
		if code, out := snsVerify(t, py, v, body); code != 0 {
			t.Errorf("%s: sns_verify.py: %s\n%s", what, out, body)
		}
	}
	invalid := func(what string, body []byte) {
		t.Helper()
		if code, out := snsVerify(t, py, v, body); code != 1 {
			t.Errorf("%s: sns_verify.py accepted an altered message: %s\n%s", what, out, body)
		}
	}
	conf := ep.only("SubscriptionConfirmation")
	valid("SubscriptionConfirmation", conf.Body)
	invalid("SubscriptionConfirmation with another Token", tamper(t, conf.Body, "Token", strings.Repeat("0", 128)))

	publish := func(msg, subject string) snsPost {
		t.Helper()
		in := &sns.PublishInput{TopicArn: &topic, Message: &msg}
		if subject != "" {
			in.Subject = &subject
		}
		if _, err := c.Publish(ctx, in); err != nil {
			t.Fatal(err)
		}
		v.settle(t)
		notes := ep.ofType("Notification")
		if len(notes) == 0 || notes[len(notes)-1].Msg.Message != msg {
			t.Fatalf("the Notification of %q did not arrive: %s", msg, ep.summary())
		}
		return notes[len(notes)-1]
	}
	v1 := publish("signed with SHA1\nacross lines, ünïcode", "Version 1")
	if v1.Msg.SignatureVersion != "1" {
		t.Errorf("by default SignatureVersion = %q; want 1", v1.Msg.SignatureVersion)
	}
	valid("Notification v1", v1.Body)
	invalid("Notification v1 with another Message", tamper(t, v1.Body, "Message", "signed with SHA1, changed"))
	invalid("Notification v1 without its Subject", tamper(t, v1.Body, "Subject", ""))
	invalid("Notification v1 claiming SignatureVersion 2", tamper(t, v1.Body, "SignatureVersion", "2"))

	if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: &topic, AttributeName: aws.String("SignatureVersion"),
		AttributeValue: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
	if err != nil || attrs.Attributes["SignatureVersion"] != "2" {
		t.Fatalf("GetTopicAttributes after setting SignatureVersion 2 = %v, %v", attrs, err)
	}
	v2 := publish("signed with SHA256", "")
	if v2.Msg.SignatureVersion != "2" {
		t.Errorf("SignatureVersion = %q after the topic's was set to 2", v2.Msg.SignatureVersion)
	}
	valid("Notification v2 (no Subject)", v2.Body)
	invalid("Notification v2 with another Message", tamper(t, v2.Body, "Message", "signed with SHA256, changed"))
	invalid("Notification v2 with a Subject added", tamper(t, v2.Body, "Subject", "added"))
	invalid("Notification v2 claiming SignatureVersion 1", tamper(t, v2.Body, "SignatureVersion", "1"))

	// The topic's SignatureVersion signs its confirmations too ("the
	// signature of the notifications, subscription confirmations, or
	// unsubscribe confirmation messages sent by Amazon SNS").
	later := subscribeConfirmed(t, v, c, ep, topic, ep.url("/signed-later"))
	confs := ep.ofType("SubscriptionConfirmation")
	conf2 := confs[len(confs)-1]
	if conf2.Msg.SignatureVersion != "2" {
		t.Errorf("SubscriptionConfirmation SignatureVersion = %q on a topic whose SignatureVersion is 2", conf2.Msg.SignatureVersion)
	}
	valid("SubscriptionConfirmation after SignatureVersion 2", conf2.Body)

	// The UnsubscribeURL, visited unsigned, unsubscribes; the endpoint
	// gets a signed UnsubscribeConfirmation.
	resp, err := http.Get(v2.Msg.UnsubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "<UnsubscribeResponse") {
		t.Errorf("GET UnsubscribeURL = %d %s", resp.StatusCode, b)
	}
	v.settle(t)
	bye := ep.only("UnsubscribeConfirmation")
	if bye.Msg.SignatureVersion != "2" {
		t.Errorf("UnsubscribeConfirmation SignatureVersion = %q; want the topic's, 2", bye.Msg.SignatureVersion)
	}
	valid("UnsubscribeConfirmation", bye.Body)
	subs, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].SubscriptionArn) != later {
		t.Errorf("ListSubscriptionsByTopic after the UnsubscribeURL = %d subscriptions; want only %s", len(subs.Subscriptions), later)
	}
}

// snsCaller makes one SNS call with a client, in the API's terms.
type snsCaller func(t *testing.T, op string, params map[string]any) outcome

// oneStep is a dev scenario of one SNS call.
func oneStep(op string, params map[string]any) scenario {
	if params == nil {
		params = map[string]any{}
	}
	return scenario{Service: "sns", Dev: true, Steps: []step{{Name: op, Service: "sns", Op: op, Params: params}}}
}

// boto3SNS runs testdata/sns_boto3.py, one boto3 process for all the
// calls of a test, and returns the caller that makes them with it.
func boto3SNS(t *testing.T, v *vigil) snsCaller {
	t.Helper()
	py := python3(t)
	cmd := exec.Command(py, "testdata/sns_boto3.py")
	cmd.Env = oneStep("", nil).env(v)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("sns_boto3.py: %v\n%s", err, stderr.String())
		}
	})
	answers := bufio.NewScanner(out)
	answers.Buffer(nil, 16<<20)
	return func(t *testing.T, op string, params map[string]any) outcome {
		t.Helper()
		b, err := json.Marshal(map[string]any{"op": op, "params": params})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Write(append(b, '\n')); err != nil {
			t.Fatalf("%s: writing to sns_boto3.py: %v\n%s", op, err, stderr.String())
		}
		if !answers.Scan() {
			t.Fatalf("%s: sns_boto3.py answered nothing: %v\n%s", op, answers.Err(), stderr.String())
		}
		var raw struct {
			Response json.RawMessage `json:"response"`
			Error    string          `json:"error"`
		}
		if err := json.Unmarshal(answers.Bytes(), &raw); err != nil {
			t.Fatalf("%s: sns_boto3.py answered %q: %v", op, answers.Bytes(), err)
		}
		if raw.Error != "" {
			return outcome{Error: raw.Error}
		}
		return outcome{Response: decodeResponse(t, raw.Response)}
	}
}

// TestSNSClients runs the subscribe-publish-unsubscribe flow with boto3,
// the AWS CLI 1.45 and the Debian AWS CLI 2.9 (awsQuery), checking each
// response and what the subscriber gets.
func TestSNSClients(t *testing.T) {
	clients := []struct {
		name   string
		caller func(t *testing.T, v *vigil) snsCaller
	}{
		{"boto3", func(t *testing.T, v *vigil) snsCaller {
			return boto3SNS(t, v)
		}},
		{"awscli-1.45", func(t *testing.T, v *vigil) snsCaller {
			py := python3(t)
			return func(t *testing.T, op string, params map[string]any) outcome {
				t.Helper()
				return runCLI(t, v, oneStep(op, params), py, "-m", "awscli")[0]
			}
		}},
		{"awscli-2.9-debian", func(t *testing.T, v *vigil) snsCaller {
			awscli2(t)
			return func(t *testing.T, op string, params map[string]any) outcome {
				t.Helper()
				return runCLI(t, v, oneStep(op, params), debianAWSCLI, "--endpoint-url", v.endpoint)[0]
			}
		}},
	}
	for _, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			v := start(t, true)
			call := cl.caller(t, v)
			ep := newSNSEndpoint(t)
			must := func(op string, params map[string]any) any {
				t.Helper()
				o := call(t, op, params)
				if o.Error != "" {
					t.Fatalf("%s: error %s", op, o.Error)
				}
				return o.Response
			}
			str := func(resp any, path string) string {
				s, _ := lookup(resp, path).(string)
				return s
			}
			topic := "arn:aws:sns:us-east-1:" + devAccount + ":flow"
			endpoint := ep.url("/" + cl.name)

			if got := str(must("CreateTopic", map[string]any{"Name": "flow", "Attributes": map[string]any{"DisplayName": "Flow"},
				"Tags": []any{map[string]any{"Key": "client", "Value": cl.name}}}), "TopicArn"); got != topic {
				t.Fatalf("CreateTopic TopicArn = %q; want %s", got, topic)
			}
			if got := lookup(must("ListTopics", nil), "Topics.0.TopicArn"); got != topic {
				t.Errorf("ListTopics first topic = %v; want %s", got, topic)
			}
			attrs := must("GetTopicAttributes", map[string]any{"TopicArn": topic})
			for k, want := range map[string]string{"TopicArn": topic, "DisplayName": "Flow", "Owner": devAccount,
				"SubscriptionsConfirmed": "0", "SubscriptionsPending": "0"} {
				if got := str(attrs, "Attributes."+k); got != want {
					t.Errorf("GetTopicAttributes %s = %q; want %q", k, got, want)
				}
			}
			if got := str(must("ListTagsForResource", map[string]any{"ResourceArn": topic}), "Tags.0.Value"); got != cl.name {
				t.Errorf("ListTagsForResource client = %q; want %q", got, cl.name)
			}

			if got := str(must("Subscribe", map[string]any{"TopicArn": topic, "Protocol": "http", "Endpoint": endpoint}), "SubscriptionArn"); got != "pending confirmation" {
				t.Errorf("Subscribe SubscriptionArn = %q; want pending confirmation", got)
			}
			v.settle(t)
			confirmed := ep.confirmedARNs()
			if len(confirmed) != 1 {
				t.Fatalf("the subscriber confirmed %q; want one subscription (posts: %s)", confirmed, ep.summary())
			}
			sub := confirmed[0]
			subs := must("ListSubscriptionsByTopic", map[string]any{"TopicArn": topic})
			if n := lenOf(lookup(subs, "Subscriptions")); n != 1 || str(subs, "Subscriptions.0.SubscriptionArn") != sub ||
				str(subs, "Subscriptions.0.Endpoint") != endpoint || str(subs, "Subscriptions.0.Protocol") != "http" ||
				str(subs, "Subscriptions.0.Owner") != devAccount || str(subs, "Subscriptions.0.TopicArn") != topic {
				t.Errorf("ListSubscriptionsByTopic = %v; want the confirmed %s", subs, sub)
			}
			if got := str(must("ListSubscriptions", nil), "Subscriptions.0.SubscriptionArn"); got != sub {
				t.Errorf("ListSubscriptions first = %q; want %s", got, sub)
			}
			if got := str(must("GetTopicAttributes", map[string]any{"TopicArn": topic}), "Attributes.SubscriptionsConfirmed"); got != "1" {
				t.Errorf("GetTopicAttributes SubscriptionsConfirmed = %q after the confirmation; want 1", got)
			}

			id := str(must("Publish", map[string]any{"TopicArn": topic, "Message": "hello from " + cl.name, "Subject": "Hello",
				"MessageAttributes": map[string]any{"client": map[string]any{"DataType": "String", "StringValue": cl.name}}}), "MessageId")
			if id == "" {
				t.Fatal("Publish returned no MessageId")
			}
			v.settle(t)
			note := ep.only("Notification")
			checkSNSHeaders(t, note, "Notification", topic, sub)
			if m := note.Msg; m.MessageId != id || m.Message != "hello from "+cl.name || m.Subject != "Hello" || m.TopicArn != topic ||
				!equalJSON(m.MessageAttributes, map[string]struct{ Type, Value string }{"client": {"String", cl.name}}) {
				t.Errorf("Notification = %+v; want message %s", m, id)
			}

			must("Unsubscribe", map[string]any{"SubscriptionArn": sub})
			v.settle(t)
			ep.only("UnsubscribeConfirmation")
			if n := lenOf(lookup(must("ListSubscriptionsByTopic", map[string]any{"TopicArn": topic}), "Subscriptions")); n != 0 {
				t.Errorf("ListSubscriptionsByTopic after Unsubscribe = %d subscriptions; want none", n)
			}
			if o := call(t, "Unsubscribe", map[string]any{"SubscriptionArn": sub}); o.Error != "NotFound" {
				t.Errorf("Unsubscribe again = %+v; want NotFound", o)
			}
			must("DeleteTopic", map[string]any{"TopicArn": topic})
			if n := lenOf(lookup(must("ListTopics", nil), "Topics")); n != 0 {
				t.Errorf("ListTopics after DeleteTopic = %d topics; want none", n)
			}
			if o := call(t, "GetTopicAttributes", map[string]any{"TopicArn": topic}); o.Error != "NotFound" {
				t.Errorf("GetTopicAttributes of the deleted topic = %+v; want NotFound", o)
			}
		})
	}
}

// awsAlarmTime is how alarm notifications write their times.
const awsAlarmTime = "2006-01-02T15:04:05.000-0700"

// alarmNotification is the JSON message CloudWatch publishes to an
// alarm's SNS topics.
type alarmNotification struct {
	AlarmName, AlarmDescription, AWSAccountId, AlarmConfigurationUpdatedTimestamp   string
	NewStateValue, NewStateReason, StateChangeTime, Region, AlarmArn, OldStateValue string
	OKActions, AlarmActions, InsufficientDataActions                                []string
	Trigger                                                                         struct {
		MetricName, Namespace, StatisticType, Statistic string
		Unit                                            *string
		Dimensions                                      []struct{ Value, Name string }
		Period                                          int
		EvaluationPeriods                               int
		ComparisonOperator                              string
		Threshold                                       float64
	}
}

// TestAlarmNotifiesSNS: an alarm whose actions name an SNS topic
// publishes AWS's alarm notification to the topic when its state changes
// — evaluated as Vigil's clock moves, or set — with AWS's subject, and
// records the action as executed.
func TestAlarmNotifiesSNS(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	v := startStill(t, now)
	ep := newSNSEndpoint(t)
	c := v.snsClient()
	ctx := context.Background()
	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alarms")})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(created.TopicArn)
	sub := subscribeConfirmed(t, v, c, ep, topic, ep.url("/pager"))

	a := &alarmClient{t: t, v: v, cw: cloudwatch.NewFromConfig(v.devConfig(devAccount)), name: "high-cpu"}
	dims := []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: aws.String("i-0abc")}}
	mustDo(t, func() error {
		_, err := a.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: &a.name, AlarmDescription: aws.String("CPU above 75%"),
			AlarmActions: []string{topic}, OKActions: []string{topic},
			Namespace: aws.String("E2E/SNS"), MetricName: aws.String("CPU"), Dimensions: dims, Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60),
			EvaluationPeriods: aws.Int32(2), Threshold: aws.Float64(75), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold})
		return err
	}, func() error {
		// PutMetricAlarm has an evaluation run at once: let it run, at
		// the base time and without data, so that the data put next is
		// first evaluated when the clock moves.
		v.settle(t)
		return nil
	}, func() error {
		_, err := a.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("E2E/SNS"), MetricData: []cwtypes.MetricDatum{
			{MetricName: aws.String("CPU"), Dimensions: dims, Timestamp: aws.Time(now.Add(-2 * time.Minute)), Value: aws.Float64(80)},
			{MetricName: aws.String("CPU"), Dimensions: dims, Timestamp: aws.Time(now.Add(-time.Minute)), Value: aws.Float64(90)},
		}})
		return err
	})

	alarmed := v.moveClock(t, `{"advance": "60s"}`)
	alarm := a.alarm()
	if alarm.StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("after a minute the alarm is %s; want ALARM", alarm.StateValue)
	}
	notes := ep.ofType("Notification")
	if len(notes) == 0 {
		// The move answered before the notification was published and
		// delivered: report it, and see whether it comes at all.
		t.Errorf("the clock move that set the alarm answered before its notification reached the subscriber")
		v.settle(t)
		notes = ep.ofType("Notification")
	}
	if len(notes) != 1 {
		t.Fatalf("the subscriber got %d Notifications; want 1: %s", len(notes), ep.summary())
	}
	note := notes[0]
	checkSNSHeaders(t, note, "Notification", topic, sub)
	if want := `ALARM: "high-cpu" in US East (N. Virginia)`; note.Msg.Subject != want {
		t.Errorf("Subject = %q; want %q", note.Msg.Subject, want)
	}
	var msg alarmNotification
	if err := json.Unmarshal([]byte(note.Msg.Message), &msg); err != nil {
		t.Fatalf("Message is not JSON: %v\n%s", err, note.Msg.Message)
	}
	tr := msg.Trigger
	if msg.AlarmName != "high-cpu" || msg.AlarmDescription != "CPU above 75%" || msg.AWSAccountId != devAccount ||
		msg.NewStateValue != "ALARM" || msg.OldStateValue != "INSUFFICIENT_DATA" || msg.NewStateReason != aws.ToString(alarm.StateReason) ||
		msg.StateChangeTime != alarmed.UTC().Format(awsAlarmTime) || msg.Region != "US East (N. Virginia)" ||
		msg.AlarmArn != aws.ToString(alarm.AlarmArn) || !slices.Equal(msg.AlarmActions, []string{topic}) ||
		!slices.Equal(msg.OKActions, []string{topic}) || msg.InsufficientDataActions == nil || len(msg.InsufficientDataActions) != 0 ||
		tr.MetricName != "CPU" || tr.Namespace != "E2E/SNS" || tr.StatisticType != "Statistic" || tr.Statistic != "AVERAGE" || tr.Unit != nil ||
		len(tr.Dimensions) != 1 || tr.Dimensions[0].Name != "InstanceId" || tr.Dimensions[0].Value != "i-0abc" || tr.Period != 60 ||
		tr.EvaluationPeriods != 2 || tr.ComparisonOperator != "GreaterThanThreshold" || tr.Threshold != 75 {
		t.Errorf("alarm notification:\n%s\nwant AWS's for the ALARM at %s (reason %q)", note.Msg.Message, alarmed.Format(awsAlarmTime), aws.ToString(alarm.StateReason))
	}
	if got, want := jsonKeys(t, []byte(note.Msg.Message)), []string{"AlarmName", "AlarmDescription", "AWSAccountId",
		"AlarmConfigurationUpdatedTimestamp", "NewStateValue", "NewStateReason", "StateChangeTime", "Region", "AlarmArn",
		"OldStateValue", "OKActions", "AlarmActions", "InsufficientDataActions", "Trigger"}; !slices.Equal(got, want) {
		t.Errorf("alarm notification members = %q; want AWS's %q", got, want)
	}
	if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import cryptography").Run() == nil {
		if code, out := snsVerify(t, py, v, note.Body); code != 0 {
			t.Errorf("the alarm's Notification does not verify: %s", out)
		}
	}

	items := a.history(cwtypes.HistoryItemTypeAction)
	if len(items) != 1 || aws.ToString(items[0].HistorySummary) != "Successfully executed action "+topic {
		t.Fatalf("Action history = %q; want one %q", summaries(items), "Successfully executed action "+topic)
	}
	var data struct {
		ActionState          string `json:"actionState"`
		StateUpdateTimestamp int64  `json:"stateUpdateTimestamp"`
		NotificationResource string `json:"notificationResource"`
		PublishedMessage     string `json:"publishedMessage"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(items[0].HistoryData)), &data); err != nil || data.ActionState != "Succeeded" ||
		data.StateUpdateTimestamp != alarmed.UnixMilli() || data.NotificationResource != topic || data.PublishedMessage != note.Msg.Message {
		t.Errorf("Action history data = %s (%v); want Succeeded for the state of %d, publishing the notification", aws.ToString(items[0].HistoryData), err, alarmed.UnixMilli())
	}

	// Set back to OK: the OK action publishes too.
	a.setState(cwtypes.StateValueOk, "recovered by hand")
	notes = ep.ofType("Notification")
	if len(notes) != 2 {
		t.Fatalf("after SetAlarmState OK the subscriber got %d Notifications; want 2: %s", len(notes), ep.summary())
	}
	if want := `OK: "high-cpu" in US East (N. Virginia)`; notes[1].Msg.Subject != want {
		t.Errorf("Subject = %q; want %q", notes[1].Msg.Subject, want)
	}
	msg = alarmNotification{}
	if err := json.Unmarshal([]byte(notes[1].Msg.Message), &msg); err != nil || msg.NewStateValue != "OK" || msg.OldStateValue != "ALARM" ||
		msg.NewStateReason != "recovered by hand" {
		t.Errorf("OK notification = %s (%v)", notes[1].Msg.Message, err)
	}
	if got := summaries(a.history(cwtypes.HistoryItemTypeAction)); len(got) != 2 || got[0] != "Successfully executed action "+topic {
		t.Errorf("Action history = %q; want two successes", got)
	}

	// An action naming a topic that does not exist fails, recorded.
	missing := "arn:aws:sns:us-east-1:" + devAccount + ":no-such-topic"
	b := &alarmClient{t: t, v: v, cw: a.cw, name: "orphan"}
	mustDo(t, func() error {
		_, err := b.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: &b.name, AlarmActions: []string{missing},
			Namespace: aws.String("E2E/SNS"), MetricName: aws.String("Other"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60),
			EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold})
		return err
	})
	b.setState(cwtypes.StateValueAlarm, "nowhere to go")
	if got := summaries(b.history(cwtypes.HistoryItemTypeAction)); len(got) != 1 || !strings.HasPrefix(got[0], "Failed to execute action "+missing+".") {
		t.Errorf("Action history of an alarm notifying a missing topic = %q; want one failure", got)
	}
}

// TestSNSDeadDelivery: a Notification an endpoint keeps refusing (500)
// is retried as AWS's default HTTP delivery policy retries (3 retries, 20
// s apart, as docs/sns.md says) while Vigil's clock moves, then kept as a
// dead letter, which /_vigil/deliveries/dead lists and, once the endpoint
// is fixed, retries.
func TestSNSDeadDelivery(t *testing.T) {
	v := startStill(t, time.Now().UTC().Truncate(time.Minute))
	ep := newSNSEndpoint(t)
	c := v.snsClient()
	ctx := context.Background()
	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("flaky")})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(created.TopicArn)
	endpoint := ep.url("/broken")
	subscribeConfirmed(t, v, c, ep, topic, endpoint)
	ep.fail.Store(http.StatusInternalServerError)

	pub, err := c.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("will it arrive?")})
	if err != nil {
		t.Fatal(err)
	}
	published := v.moveClock(t, `{"advance": "0s"}`)
	if n := len(ep.ofType("Notification")); n != 1 {
		t.Fatalf("after the publish the endpoint got %d Notifications; want the first attempt", n)
	}
	dead := func() []server.DeadDelivery {
		t.Helper()
		var d server.DeadDeliveries
		if code := v.admin(t, http.MethodGet, server.DeadDeliveriesPath+"?kind=sns.delivery", "", false, &d); code != http.StatusOK {
			t.Fatalf("GET %s = %d", server.DeadDeliveriesPath, code)
		}
		return d.Items
	}
	// Move the clock a second at a time, for up to 5 minutes, noting
	// when (on Vigil's clock) each attempt came.
	at := []time.Duration{0}
	for range 300 {
		now := v.moveClock(t, `{"advance": "1s"}`)
		for len(at) < len(ep.ofType("Notification")) {
			at = append(at, now.Sub(published))
		}
		if len(dead()) > 0 {
			break
		}
	}
	attempts := ep.ofType("Notification")
	t.Logf("attempts at %v after the publish (Vigil's clock)", at)
	if len(attempts) < 2 {
		t.Fatalf("the refused Notification was attempted %d times; want retries", len(attempts))
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i] - at[i-1]; gap < 15*time.Second || gap > 21*time.Second {
			t.Errorf("retry %d came %v after the attempt before; want about 20 s (AWS's default policy, as docs/sns.md and EffectiveDeliveryPolicy say)", i, gap)
		}
	}
	if len(attempts) != 4 {
		t.Errorf("the refused Notification was attempted %d times; want 4 (AWS's HTTP policy: numRetries 3)", len(attempts))
	}
	for _, p := range attempts {
		if p.Msg.MessageId != aws.ToString(pub.MessageId) || p.Msg.Message != "will it arrive?" {
			t.Errorf("a retry delivered %+v; want the same message %s", p.Msg, aws.ToString(pub.MessageId))
		}
	}
	letters := dead()
	if len(letters) != 1 {
		t.Fatalf("dead letters = %+v; want one", letters)
	}
	d := letters[0]
	if d.Kind != "sns.delivery" || d.Target != endpoint || d.Account != devAccount || d.Region != "us-east-1" ||
		d.Attempts != len(attempts) || !strings.Contains(d.LastError, "500") {
		t.Errorf("dead letter = %+v; want the delivery to %s after %d attempts, failing with 500", d, endpoint, len(attempts))
	}
	v.moveClock(t, `{"advance": "1h"}`)
	if n := len(ep.ofType("Notification")); n != len(attempts) {
		t.Errorf("a dead letter was attempted again: %d attempts", n)
	}

	// Fixed, the endpoint gets the dead letter when the operator retries it.
	ep.fail.Store(0)
	var retried struct{ Retried int }
	if code := v.admin(t, http.MethodPost, server.RetryDeliveriesPath, `{"ids": [`+jsonInt(d.ID)+`]}`, false, &retried); code != http.StatusOK || retried.Retried != 1 {
		t.Fatalf("retry = %d %+v; want 200 and one retried", code, retried)
	}
	v.settle(t)
	if got := ep.ofType("Notification"); len(got) != len(attempts)+1 || got[len(got)-1].Msg.MessageId != aws.ToString(pub.MessageId) {
		t.Errorf("after the retry the endpoint got %d Notifications; want one more of %s", len(got), aws.ToString(pub.MessageId))
	}
	if left := dead(); len(left) != 0 {
		t.Errorf("dead letters after a successful retry = %+v", left)
	}
}

// TestAlarmToSNSLatency measures, on the real clock, how long an alarm
// notification takes from SetAlarmState (which runs the alarm's actions)
// to an HTTP subscriber of the topic, over 100 state changes, and logs
// the percentiles; it asserts nothing about time. Run it with
//
//	VIGIL_LATENCY=1 go test ./test/e2e/ -run TestAlarmToSNSLatency -count=1 -v
func TestAlarmToSNSLatency(t *testing.T) {
	if os.Getenv("VIGIL_LATENCY") != "1" {
		t.Skip("a measurement: set VIGIL_LATENCY=1 to run it")
	}
	const changes = 100
	v := start(t, false)
	cfg := v.goConfig("", false)
	c := sns.NewFromConfig(cfg)
	cw := cloudwatch.NewFromConfig(cfg)
	ep := newSNSEndpoint(t)
	ctx := context.Background()
	created, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("latency")})
	if err != nil {
		t.Fatal(err)
	}
	topic := aws.ToString(created.TopicArn)
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("http"), Endpoint: aws.String(ep.url("/latency"))}); err != nil {
		t.Fatal(err)
	}
	// The subscriber confirms before the confirmation's POST arrives here.
	wait := func(what string, ok func(snsPost) bool) snsPost {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case p := <-ep.arrived:
				if ok(p) {
					return p
				}
				t.Logf("while waiting for %s, got an unexpected %s: %.200s", what, p.Msg.Type, p.Body)
			case <-timeout:
				t.Fatalf("no %s after 30 s: %s", what, ep.summary())
			}
		}
	}
	wait("SubscriptionConfirmation", func(p snsPost) bool { return p.Msg.Type == "SubscriptionConfirmation" })
	if len(ep.confirmedARNs()) != 1 {
		t.Fatal("the subscription was not confirmed")
	}
	name := "latency"
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: &name, AlarmActions: []string{topic}, OKActions: []string{topic},
		Namespace: aws.String("E2E/Latency"), MetricName: aws.String("Nothing"), Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60),
		EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		TreatMissingData: aws.String("ignore")}); err != nil {
		t.Fatal(err)
	}
	total := make([]time.Duration, 0, changes)
	calls := make([]time.Duration, 0, changes)
	start := time.Now()
	for i := range changes {
		state := cwtypes.StateValueAlarm
		if i%2 == 1 {
			state = cwtypes.StateValueOk
		}
		reason := fmt.Sprintf("change %d", i)
		t0 := time.Now()
		if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: &name, StateValue: state, StateReason: &reason}); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, time.Since(t0))
		p := wait("the notification of "+reason, func(p snsPost) bool {
			var m alarmNotification
			return p.Msg.Type == "Notification" && json.Unmarshal([]byte(p.Msg.Message), &m) == nil && m.NewStateReason == reason
		})
		total = append(total, p.At.Sub(t0))
	}
	elapsed := time.Since(start)
	// pct is the nearest-rank percentile.
	pct := func(ds []time.Duration, q float64) time.Duration {
		s := slices.Clone(ds)
		slices.Sort(s)
		return s[max(0, int(math.Ceil(q*float64(len(s))))-1)]
	}
	t.Logf("%d state changes in %v", changes, elapsed.Round(time.Millisecond))
	t.Logf("SetAlarmState → subscriber: p50 %v  p90 %v  p99 %v  max %v", pct(total, 0.5), pct(total, 0.9), pct(total, 0.99), slices.Max(total))
	t.Logf("SetAlarmState call alone:   p50 %v  p90 %v  p99 %v  max %v", pct(calls, 0.5), pct(calls, 0.9), pct(calls, 0.99), slices.Max(calls))
}
