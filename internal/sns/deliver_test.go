package sns

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/golden"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/snsmsg"
	"github.com/vigilhq/vigil/internal/store"
)

func TestFailingEndpointRetriedThenDead(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	sub := f.confirmed(topic, "/down", nil)
	f.setStatus("/down", http.StatusInternalServerError)
	id := f.publish(PublishInput{TopicARN: topic, Message: "m", Subject: "s"})

	var bodies [][]byte
	for attempt := 1; attempt <= deliveryPolicy.MaxAttempts; attempt++ {
		f.step()
		h := f.takeOne()
		if h.Header.Get("x-amz-sns-message-id") != id {
			t.Fatalf("attempt %d: message id %q, want %s", attempt, h.Header.Get("x-amz-sns-message-id"), id)
		}
		bodies = append(bodies, h.Body)
		// Not retried before its backoff.
		f.step()
		if h := f.take(); len(h) != 0 {
			t.Fatalf("attempt %d retried at once", attempt)
		}
		if dead := f.dead(); attempt < deliveryPolicy.MaxAttempts && len(dead) != 0 {
			t.Fatalf("dead after %d attempts, want %d", attempt, deliveryPolicy.MaxAttempts)
		}
		f.clock.Advance(5 * time.Minute)
	}
	// Every attempt carries the same document.
	for i, b := range bodies[1:] {
		if !bytes.Equal(b, bodies[0]) {
			t.Errorf("attempt %d sent another body:\n%s\nfirst:\n%s", i+2, b, bodies[0])
		}
	}
	dead := f.dead()
	if len(dead) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dead))
	}
	d := dead[0]
	if d.Attempts != deliveryPolicy.MaxAttempts || d.Target != f.endpoint("/down") || d.Account != scope.Account || d.Region != scope.Region ||
		!strings.Contains(d.LastError, "500") {
		t.Errorf("dead letter = %+v", d)
	}
	var p delivery
	if err := json.Unmarshal(d.Payload, &p); err != nil || p.SubscriptionARN != sub || p.MessageID != id {
		t.Errorf("dead letter payload %s (%v)", d.Payload, err)
	}
	f.clock.Advance(time.Hour)
	f.step()
	if h := f.take(); len(h) != 0 {
		t.Fatalf("a dead letter was delivered: %v", paths(h))
	}
	// Revived once the endpoint is back, it is delivered.
	f.setStatus("/down", 0)
	if n, err := f.outbox.RetryDead(f.ctx, KindDelivery, nil); err != nil || n != 1 {
		t.Fatalf("RetryDead = %d, %v", n, err)
	}
	f.step()
	if m := f.parse(f.takeOne()); m.MessageId != id {
		t.Fatalf("revived delivery = %+v", m)
	}
}

func TestFailingEndpointRecovers(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	f.confirmed(topic, "/flaky", nil)
	f.confirmed(topic, "/ok", nil)
	f.setStatus("/flaky", http.StatusServiceUnavailable)
	id := f.publish(PublishInput{TopicARN: topic, Message: "m"})
	f.step()
	if h := f.take(); len(h) != 2 {
		t.Fatalf("first step: %v", paths(h))
	}
	f.setStatus("/flaky", http.StatusNoContent) // any 2xx delivers
	f.clock.Advance(deliveryPolicy.MaxBackoff)
	f.step()
	h := f.takeOne()
	if h.Path != "/flaky" || f.parse(h).MessageId != id {
		t.Fatalf("retry went to %s", h.Path)
	}
	f.clock.Advance(time.Hour)
	f.step()
	if h := f.take(); len(h) != 0 || len(f.dead()) != 0 || f.pending() != 0 {
		t.Fatalf("after delivery: %v, dead %d, pending %d", paths(h), len(f.dead()), f.pending())
	}
}

func TestUnsubscribedBeforeDelivery(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	sub := f.confirmed(topic, "/a", nil)
	f.publish(PublishInput{TopicARN: topic, Message: "m"})
	if err := f.svc.Unsubscribe(f.ctx, scope, sub); err != nil {
		t.Fatal(err)
	}
	f.step()
	// Only the UnsubscribeConfirmation: the notification is dropped, not
	// dead.
	m := f.parse(f.takeOne())
	if m.Type != snsmsg.UnsubscribeConfirmation {
		t.Fatalf("delivered a %s", m.Type)
	}
	if len(f.dead()) != 0 || f.pending() != 0 {
		t.Fatalf("dead %d, pending %d", len(f.dead()), f.pending())
	}

	// So too when the topic is deleted.
	topic2 := f.createTopic("ops2", nil)
	f.confirmed(topic2, "/b", nil)
	f.publish(PublishInput{TopicARN: topic2, Message: "m"})
	if err := f.svc.DeleteTopic(f.ctx, scope, topic2); err != nil {
		t.Fatal(err)
	}
	f.step()
	if h := f.take(); len(h) != 0 {
		t.Fatalf("delivered after DeleteTopic: %v", paths(h))
	}
	if len(f.dead()) != 0 || f.pending() != 0 {
		t.Fatalf("dead %d, pending %d", len(f.dead()), f.pending())
	}
}

func TestUnsubscribe(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	sub := f.confirmed(topic, "/a", nil)
	stored, err := f.store.SNS().Subscription(f.ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if err := f.svc.Unsubscribe(f.ctx, scope, sub); err != nil {
		t.Fatal(err)
	}
	subs, _, _ := f.svc.ListSubscriptions(f.ctx, scope, topic, "")
	if len(subs) != 0 {
		t.Fatalf("subscriptions after Unsubscribe: %+v", subs)
	}
	f.step()
	h := f.takeOne()
	if got := h.Header.Get("x-amz-sns-message-type"); got != "UnsubscribeConfirmation" {
		t.Fatalf("x-amz-sns-message-type = %q", got)
	}
	m := f.parse(h)
	if want := "You have chosen to deactivate subscription " + sub +
		".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message."; m.Message != want {
		t.Errorf("Message = %q", m.Message)
	}
	if m.Token != stored.Token || m.TopicArn != topic || m.Timestamp != snsmsg.FormatTimestamp(t0.Add(time.Minute)) {
		t.Errorf("UnsubscribeConfirmation = %+v", m)
	}
	u, err := url.Parse(m.SubscribeURL)
	if err != nil || u.Query().Get("Action") != "ConfirmSubscription" || u.Query().Get("Token") != m.Token {
		t.Errorf("SubscribeURL = %s", m.SubscribeURL)
	}
	// The subscription is gone: its token no longer confirms.
	_, err = f.svc.ConfirmSubscription(f.ctx, topic, m.Token)
	wantErr(t, err, InvalidParameter, "Invalid token")
	// Nor is it unsubscribed twice.
	err = f.svc.Unsubscribe(f.ctx, scope, sub)
	wantErr(t, err, NotFound, "Subscription does not exist")
	// Publishes no longer reach it.
	f.publish(PublishInput{TopicARN: topic, Message: "m"})
	f.step()
	if h := f.take(); len(h) != 0 {
		t.Fatalf("delivered after Unsubscribe: %v", paths(h))
	}
}

func TestUnsubscribeLink(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	sub := f.confirmed(topic, "/a", nil)
	f.publish(PublishInput{TopicARN: topic, Message: "m"})
	f.step()
	m := f.parse(f.takeOne())
	u, err := url.Parse(m.UnsubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	arn := u.Query().Get("SubscriptionArn")
	if u.Query().Get("Action") != "Unsubscribe" || arn != sub {
		t.Fatalf("UnsubscribeURL = %s", m.UnsubscribeURL)
	}
	// The link needs no scope (nor request info): it is its own
	// authorization.
	if err := f.svc.UnsubscribeLink(context.Background(), arn); err != nil {
		t.Fatal(err)
	}
	f.step()
	if m := f.parse(f.takeOne()); m.Type != snsmsg.UnsubscribeConfirmation {
		t.Fatalf("delivered a %s", m.Type)
	}
	err = f.svc.UnsubscribeLink(context.Background(), arn)
	wantErr(t, err, NotFound, "Subscription does not exist")
	err = f.svc.UnsubscribeLink(context.Background(), "arn:aws:sns:us-east-1:123456789012:ops:nope")
	wantErr(t, err, NotFound, "Subscription does not exist")
	subs, _, _ := f.svc.ListSubscriptions(f.ctx, scope, "", "")
	if len(subs) != 0 {
		t.Fatalf("subscriptions after the link: %+v", subs)
	}
}

func TestDispatchToTopic(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("alarms", nil)
	f.confirmed(topic, "/ops", nil)
	d := f.svc.opt.Dispatcher
	const payload = `{"AlarmName":"cpu-high","NewStateValue":"ALARM"}`
	const subject = `ALARM: "cpu-high" in US East (N. Virginia)`
	err := d.Dispatch(f.ctx, dispatch.Message{ID: "alarms.action/1", Kind: "alarms.notification", Version: 1,
		Source: dispatch.Source{Service: "cloudwatch", Account: scope.Account, Region: scope.Region},
		Target: topic, Payload: []byte(payload), Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	f.step()
	h := f.takeOne()
	m := f.parse(h)
	if m.Type != snsmsg.Notification || m.Message != payload || m.Subject != subject || m.TopicArn != topic {
		t.Fatalf("notification = %+v", m)
	}

	// A missing topic is a permanent error: the alarm's action item dies
	// rather than retry.
	err = d.Dispatch(f.ctx, dispatch.Message{Source: dispatch.Source{Service: "cloudwatch", Account: scope.Account, Region: scope.Region},
		Target: topic + "-gone", Payload: []byte(payload), Subject: subject})
	if err == nil || !outbox.IsPermanent(err) {
		t.Fatalf("to a missing topic: %v, want a permanent error", err)
	}
	// So is a publish SNS refuses.
	err = d.Dispatch(f.ctx, dispatch.Message{Source: dispatch.Source{Service: "cloudwatch", Account: scope.Account, Region: scope.Region},
		Target: topic, Payload: nil, Subject: subject})
	if err == nil || !outbox.IsPermanent(err) {
		t.Fatalf("an empty message: %v, want a permanent error", err)
	}
	if r := d.Route(dispatch.Address{Service: "sns"}); r == nil || r.Action() != "sns:Publish" {
		t.Fatalf("the sns route: %v", r)
	}
}

// The outbox payload is kept on disk between a publish and its delivery,
// across upgrades: its encoding is pinned.
func TestDeliveryPayloadGolden(t *testing.T) {
	f := newFixture(t)
	sub := &store.Subscription{
		ARN: "arn:aws:sns:us-east-1:123456789012:ops:0f3ac9b2-6c1e-4d0a-9a51-3b8d2f7e4c10", Account: "123456789012",
		Region: "us-east-1", Owner: "123456789012", TopicARN: "arn:aws:sns:us-east-1:123456789012:ops", Protocol: "https",
		Endpoint: "https://hooks.example.test/sns", Confirmed: true, Token: strings.Repeat("ab", 64),
	}
	for _, c := range []struct {
		file string
		d    delivery
	}{
		{"delivery-notification.json", delivery{Type: typeNotification, MessageID: "5d8f2c4e-1b7a-4e3f-9c6d-0a2b4c6e8f10",
			Message: "CPU \"high\"\n<é>", Subject: "ALARM: cpu", SignatureVersion: "2", Attributes: []snsmsg.Attribute{
				{Name: "blob", Type: "Binary", Value: "AAEC/w=="}, {Name: "severity", Type: "String", Value: "high"}}}},
		{"delivery-raw.json", delivery{Type: typeNotification, MessageID: "5d8f2c4e-1b7a-4e3f-9c6d-0a2b4c6e8f11", Message: "raw", Raw: true}},
		{"delivery-subscription-confirmation.json", delivery{Type: typeSubscriptionConfirmation, MessageID: "5d8f2c4e-1b7a-4e3f-9c6d-0a2b4c6e8f12",
			Token: sub.Token, Message: "You have chosen to subscribe to the topic " + sub.TopicARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message."}},
	} {
		it, err := f.svc.item(sub, c.d)
		if err != nil {
			t.Fatal(err)
		}
		if it.Kind != "sns.delivery" || it.Version != 1 || it.Target != sub.Endpoint || it.Account != sub.Account ||
			it.Region != sub.Region || it.NextAttempt != t0.UnixMilli() {
			t.Errorf("%s: item = %+v", c.file, it)
		}
		golden.Check(t, c.file, it.Payload)
	}
}

// The payloads pinned by the golden files are delivered: a Vigil that
// reads them finds what was published.
func TestDeliveryPayloadGoldenDelivered(t *testing.T) {
	f := newFixture(t)
	topic := f.createTopic("ops", nil)
	// A confirmed subscription with the golden files' ARN, pointed at
	// the local server.
	sub := store.Subscription{
		ARN: topic + ":0f3ac9b2-6c1e-4d0a-9a51-3b8d2f7e4c10", Account: scope.Account, Region: scope.Region, Owner: scope.Account,
		TopicARN: topic, Protocol: "http", Endpoint: f.endpoint("/golden"), Confirmed: true, Token: strings.Repeat("ab", 64),
		Attributes: encodeAttributes(nil), Created: t0.UnixMilli(),
	}
	if err := f.store.SNS().PutSubscription(f.ctx, sub); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"delivery-notification.json", "delivery-raw.json", "delivery-subscription-confirmation.json"} {
		payload, err := readTestdata(file)
		if err != nil {
			t.Fatal(err)
		}
		var d delivery
		if err := json.Unmarshal(payload, &d); err != nil {
			t.Fatal(err)
		}
		d.Endpoint = sub.Endpoint // the golden one is not the local server
		payload, _ = json.Marshal(d)
		if err := f.store.Outbox().EnqueueOutbox(f.ctx, []store.OutboxItem{{Kind: KindDelivery, Version: 1, Account: scope.Account,
			Region: scope.Region, Target: sub.Endpoint, Payload: payload, NextAttempt: t0.UnixMilli()}}); err != nil {
			t.Fatal(err)
		}
		f.step()
		h := f.takeOne()
		switch file {
		case "delivery-raw.json":
			if string(h.Body) != "raw" || h.Header.Get("x-amz-sns-rawdelivery") != "true" {
				t.Errorf("%s: body %q, headers %v", file, h.Body, h.Header)
			}
		case "delivery-notification.json":
			m := f.parse(h)
			if m.Message != "CPU \"high\"\n<é>" || m.Subject != "ALARM: cpu" || m.SignatureVersion != "2" ||
				len(m.MessageAttributes) != 2 || m.MessageId != "5d8f2c4e-1b7a-4e3f-9c6d-0a2b4c6e8f10" ||
				m.Timestamp != snsmsg.FormatTimestamp(t0) {
				t.Errorf("%s: delivered %+v", file, m)
			}
		default:
			m := f.parse(h)
			if m.Type != snsmsg.SubscriptionConfirmation || m.Token != sub.Token {
				t.Errorf("%s: delivered %+v", file, m)
			}
		}
	}
}

func TestDeliverRefusesUnknownPayloads(t *testing.T) {
	f := newFixture(t)
	for _, it := range []store.OutboxItem{
		{Kind: KindDelivery, Version: 2, Payload: []byte(`{}`)},
		{Kind: KindDelivery, Version: 1, Payload: []byte(`{not json`)},
		{Kind: KindDelivery, Version: 1, Payload: []byte(`{"type":"Mystery","endpoint":"http://127.0.0.1:1/"}`)},
	} {
		if err := f.svc.deliverBatch(f.ctx, []store.OutboxItem{it})[0]; !outbox.IsPermanent(err) {
			t.Errorf("version %d payload %s: %v, want a permanent error", it.Version, it.Payload, err)
		}
	}
	if h := f.take(); len(h) != 0 {
		t.Fatalf("delivered %v", paths(h))
	}
}

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

// A subscription with a RedrivePolicy sends a message its endpoint
// refused at the last attempt to its dead-letter queue, and keeps no dead
// letter of its own.
func TestRedriveToDeadLetterQueue(t *testing.T) {
	f := newFixture(t)
	var dlq []dispatch.Message
	f.dispatcher.Register(dispatch.Match{Service: "sqs", Type: ""}, dispatch.NewTarget("sqs:SendMessage",
		func(_ context.Context, _ dispatch.Address, m *dispatch.Message) error {
			dlq = append(dlq, *m)
			return nil
		}))
	topic := f.createTopic("ops", nil)
	queue := "arn:aws:sqs:us-east-1:123456789012:dlq"
	f.confirmed(topic, "/down", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + queue + `"}`})
	f.setStatus("/down", http.StatusInternalServerError)
	id := f.publish(PublishInput{TopicARN: topic, Message: "m"})
	for attempt := 1; attempt <= deliveryPolicy.MaxAttempts; attempt++ {
		f.step()
		f.takeOne()
		if attempt < deliveryPolicy.MaxAttempts && len(dlq) != 0 {
			t.Fatalf("moved to the dead-letter queue after %d attempts", attempt)
		}
		f.clock.Advance(deliveryPolicy.MaxBackoff)
	}
	if len(dlq) != 1 || dlq[0].Target != queue {
		t.Fatalf("dead-letter queue got %+v", dlq)
	}
	if m, err := snsmsg.Parse(dlq[0].Payload); err != nil || m.MessageId != id || m.Message != "m" {
		t.Errorf("dead-lettered %s (%v)", dlq[0].Payload, err)
	}
	if dead := f.dead(); len(dead) != 0 {
		t.Errorf("%d dead letters kept as well", len(dead))
	}
}
