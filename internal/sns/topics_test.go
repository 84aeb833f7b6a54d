package sns

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
)

func TestCreateTopicNames(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name  string
		attrs map[string]string
		ok    bool
	}{
		{"ops", nil, true},
		{"Ops_alerts-2", nil, true},
		{strings.Repeat("a", 256), nil, true},
		{strings.Repeat("b", 251) + ".fifo", map[string]string{"FifoTopic": "true"}, true},
		{"orders.fifo", map[string]string{"FifoTopic": "true"}, true},
		{"plain", map[string]string{"FifoTopic": "false"}, true},
		{"", nil, false},
		{strings.Repeat("a", 257), nil, false},
		{strings.Repeat("b", 252) + ".fifo", map[string]string{"FifoTopic": "true"}, false},
		{"with space", nil, false},
		{"dot.name", nil, false},
		{"colon:name", nil, false},
		{"slash/name", nil, false},
		{"café", nil, false},
		{"orders.fifo", nil, false}, // .fifo without FifoTopic
		{"orders2.fifo", map[string]string{"FifoTopic": "false"}, false}, // .fifo on a standard topic
		{"orders", map[string]string{"FifoTopic": "true"}, false},        // FifoTopic without .fifo
		{".fifo", map[string]string{"FifoTopic": "true"}, false},         // nothing before .fifo
		{"a.fifo.fifo", map[string]string{"FifoTopic": "true"}, false},   // a dot in the name
	} {
		arn, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: c.name, Attributes: c.attrs})
		if c.ok {
			if err != nil {
				t.Errorf("CreateTopic(%.20q, %v): %v", c.name, c.attrs, err)
			} else if want := "arn:aws:sns:us-east-1:123456789012:" + c.name; arn != want {
				t.Errorf("CreateTopic(%.20q) = %s, want %s", c.name, arn, want)
			}
			continue
		}
		if err == nil {
			t.Errorf("CreateTopic(%.20q, %v) succeeded, want an error", c.name, c.attrs)
			continue
		}
		wantErr(t, err, InvalidParameter, "Invalid parameter: Topic Name")
	}
}

func TestCreateTopicAttributes(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "t", Attributes: map[string]string{"Colour": "red"}})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: Unknown attribute Colour")
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "t", Attributes: map[string]string{"SignatureVersion": "3"}})
	wantErr(t, err, InvalidParameter, "Invalid parameter: SignatureVersion")
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "t", Attributes: map[string]string{"Policy": "{not json"}})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Policy: failed to parse JSON")
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "t", Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: Content based deduplication can only be set for FIFO topics")
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "t.fifo", Attributes: map[string]string{"FifoTopic": "yes"}})
	wantPrefix(t, err, InvalidParameter, "Invalid parameter")
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "t", Attributes: map[string]string{"TracingConfig": "Sometimes"}})
	wantPrefix(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: TracingConfig")
	// None of the refused requests created the topic.
	topics, _, err := f.svc.ListTopics(f.ctx, scope, "")
	if err != nil || len(topics) != 0 {
		t.Fatalf("ListTopics = %v, %v; want none", topics, err)
	}
	if _, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "t.fifo", Attributes: map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"}}); err != nil {
		t.Fatalf("a FIFO topic with content-based deduplication: %v", err)
	}
}

func TestCreateTopicIdempotent(t *testing.T) {
	f := newFixture(t)
	attrs := map[string]string{"DisplayName": "Ops", "SignatureVersion": "2"}
	arn := f.createTopic("ops", attrs)
	again, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", Attributes: maps.Clone(attrs)})
	if err != nil || again != arn {
		t.Fatalf("CreateTopic again with the same attributes = %q, %v; want %s", again, err, arn)
	}
	if again, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops"}); err != nil || again != arn {
		t.Fatalf("CreateTopic again without attributes = %q, %v; want %s", again, err, arn)
	}
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", Attributes: map[string]string{"DisplayName": "Other"}})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
	_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", Attributes: map[string]string{"DisplayName": "Ops", "SignatureVersion": "1"}})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
	// The refused create changed nothing.
	got, err := f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if err != nil {
		t.Fatal(err)
	}
	if got["DisplayName"] != "Ops" || got["SignatureVersion"] != "2" {
		t.Fatalf("attributes after a refused create: %v", got)
	}
	// Topics are per account and region.
	arn2, err := f.svc.CreateTopic(f.ctx, other, CreateTopicInput{Name: "ops", Attributes: map[string]string{"DisplayName": "Other"}})
	if err != nil || arn2 != "arn:aws:sns:us-east-1:210987654321:ops" {
		t.Fatalf("CreateTopic in another account = %q, %v", arn2, err)
	}
}

func TestCreateTopicTags(t *testing.T) {
	f := newFixture(t)
	arn, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", Tags: map[string]string{"team": "sre", "env": "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := f.svc.Tags(f.ctx, scope, arn)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"team": "sre", "env": "prod"}; !maps.Equal(tags, want) {
		t.Fatalf("tags = %v, want %v", tags, want)
	}
	if err := f.svc.Tag(f.ctx, scope, arn, map[string]string{"tier": "1"}, []string{"env"}); err != nil {
		t.Fatal(err)
	}
	tags, _ = f.svc.Tags(f.ctx, scope, arn)
	if want := map[string]string{"team": "sre", "tier": "1"}; !maps.Equal(tags, want) {
		t.Fatalf("tags = %v, want %v", tags, want)
	}
	_, err = f.svc.Tags(f.ctx, scope, arn+"-missing")
	wantErr(t, err, ResourceNotFound, "Resource does not exist")
	err = f.svc.Tag(f.ctx, scope, arn+"-missing", map[string]string{"a": "b"}, nil)
	wantErr(t, err, ResourceNotFound, "Resource does not exist")
	many := map[string]string{}
	for i := range maxTags {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	err = f.svc.Tag(f.ctx, scope, arn, many, nil)
	wantErr(t, err, TagLimitExceeded, "")
}

// A CreateTopic whose tags are refused creates no topic: AWS checks the
// request before it acts on it.
func TestCreateTopicTagLimitCreatesNothing(t *testing.T) {
	f := newFixture(t)
	many := map[string]string{}
	for i := range maxTags + 1 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", Tags: many})
	wantErr(t, err, TagLimitExceeded, "")
	topics, _, err := f.svc.ListTopics(f.ctx, scope, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(topics) != 0 {
		t.Errorf("CreateTopic failed with TagLimitExceeded but created %v", topics)
	}
}

func TestGetTopicAttributes(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", map[string]string{"DisplayName": "Ops"})
	got, err := f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"TopicArn": arn, "Owner": "123456789012", "DisplayName": "Ops",
		"SubscriptionsConfirmed": "0", "SubscriptionsPending": "0", "SubscriptionsDeleted": "0",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	var policy struct {
		Version   string
		Statement []struct {
			Effect    string
			Resource  string
			Action    []string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(got["Policy"]), &policy); err != nil {
		t.Fatalf("the default Policy is not JSON: %v\n%s", err, got["Policy"])
	}
	if len(policy.Statement) != 1 || policy.Statement[0].Resource != arn || policy.Statement[0].Effect != "Allow" ||
		policy.Statement[0].Condition["StringEquals"]["AWS:SourceOwner"] != "123456789012" {
		t.Errorf("default policy = %s", got["Policy"])
	}
	if !json.Valid([]byte(got["EffectiveDeliveryPolicy"])) {
		t.Errorf("EffectiveDeliveryPolicy is not JSON: %s", got["EffectiveDeliveryPolicy"])
	}

	// Two pending subscriptions, one of which is confirmed.
	f.confirmed(arn, "/a", nil)
	f.subscribe(arn, "/b", nil)
	got, err = f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if err != nil {
		t.Fatal(err)
	}
	if got["SubscriptionsConfirmed"] != "1" || got["SubscriptionsPending"] != "1" {
		t.Errorf("SubscriptionsConfirmed, SubscriptionsPending = %s, %s; want 1, 1", got["SubscriptionsConfirmed"], got["SubscriptionsPending"])
	}

	// A set Policy replaces the default.
	const p = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"sns:Publish","Resource":"*"}]}`
	if err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "Policy", p); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if got["Policy"] != p {
		t.Errorf("Policy = %s, want %s", got["Policy"], p)
	}

	// Missing, malformed and other accounts' topics.
	_, err = f.svc.GetTopicAttributes(f.ctx, scope, arn+"x")
	wantErr(t, err, NotFound, "Topic does not exist")
	_, err = f.svc.GetTopicAttributes(f.ctx, scope, "not-an-arn")
	wantErr(t, err, InvalidParameter, "Invalid parameter: TopicArn")
	_, err = f.svc.GetTopicAttributes(f.ctx, other, arn)
	wantErr(t, err, NotFound, "Topic does not exist")
}

func TestSetTopicAttributes(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	for _, v := range []string{"1", "2"} {
		if err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "SignatureVersion", v); err != nil {
			t.Fatalf("SignatureVersion %s: %v", v, err)
		}
		got, _ := f.svc.GetTopicAttributes(f.ctx, scope, arn)
		if got["SignatureVersion"] != v {
			t.Fatalf("SignatureVersion = %q, want %s", got["SignatureVersion"], v)
		}
	}
	for _, v := range []string{"3", "0", "", "v2"} {
		err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "SignatureVersion", v)
		wantErr(t, err, InvalidParameter, "Invalid parameter: SignatureVersion")
	}
	err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "FifoTopic", "true")
	wantErr(t, err, InvalidParameter, "Invalid parameter: AttributeName")
	err = f.svc.SetTopicAttributes(f.ctx, scope, arn, "Colour", "red")
	wantErr(t, err, InvalidParameter, "Invalid parameter: AttributeName")
	err = f.svc.SetTopicAttributes(f.ctx, scope, arn, "Policy", `{"Version":`)
	wantErr(t, err, InvalidParameter, "Invalid parameter: Policy: failed to parse JSON")
	err = f.svc.SetTopicAttributes(f.ctx, scope, arn, "DeliveryPolicy", `nope`)
	wantErr(t, err, InvalidParameter, "Invalid parameter: DeliveryPolicy: failed to parse JSON")
	err = f.svc.SetTopicAttributes(f.ctx, scope, arn, "ContentBasedDeduplication", "true")
	wantErr(t, err, InvalidParameter, "Invalid parameter: Attributes Reason: Content based deduplication can only be set for FIFO topics")

	if err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "DisplayName", "Ops"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if got["DisplayName"] != "Ops" || got["SignatureVersion"] != "2" {
		t.Fatalf("attributes = %v", got)
	}
	// An empty value unsets.
	if err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "DisplayName", ""); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if got["DisplayName"] != "" {
		t.Fatalf("DisplayName = %q after unsetting", got["DisplayName"])
	}

	fifo := f.createTopic("orders.fifo", map[string]string{"FifoTopic": "true"})
	if err := f.svc.SetTopicAttributes(f.ctx, scope, fifo, "ContentBasedDeduplication", "true"); err != nil {
		t.Fatalf("ContentBasedDeduplication on a FIFO topic: %v", err)
	}
	err = f.svc.SetTopicAttributes(f.ctx, scope, fifo, "FifoTopic", "false")
	wantErr(t, err, InvalidParameter, "Invalid parameter: AttributeName")

	err = f.svc.SetTopicAttributes(f.ctx, scope, arn+"x", "DisplayName", "x")
	wantErr(t, err, NotFound, "Topic does not exist")
	err = f.svc.SetTopicAttributes(f.ctx, other, arn, "DisplayName", "x")
	wantErr(t, err, NotFound, "Topic does not exist")
}

func TestDeleteTopic(t *testing.T) {
	f := newFixture(t)
	arn, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "ops", Tags: map[string]string{"team": "sre"}})
	if err != nil {
		t.Fatal(err)
	}
	sub := f.confirmed(arn, "/a", nil)
	f.subscribe(arn, "/b", nil)
	f.step()
	f.take()
	keep := f.createTopic("keep", nil)
	f.confirmed(keep, "/k", nil)

	// Another account cannot delete it.
	err = f.svc.DeleteTopic(f.ctx, other, arn)
	wantErr(t, err, AuthorizationError, "User is not authorized to delete topic "+arn)
	err = f.svc.DeleteTopic(f.ctx, scope, "arn:aws:s3:::bucket")
	wantErr(t, err, InvalidParameter, "Invalid parameter: TopicArn")
	if _, err := f.svc.GetTopicAttributes(f.ctx, scope, arn); err != nil {
		t.Fatalf("the topic is gone after refused deletes: %v", err)
	}

	if err := f.svc.DeleteTopic(f.ctx, scope, arn); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.GetTopicAttributes(f.ctx, scope, arn)
	wantErr(t, err, NotFound, "Topic does not exist")
	// Idempotent, and so for a topic that never existed.
	if err := f.svc.DeleteTopic(f.ctx, scope, arn); err != nil {
		t.Fatalf("DeleteTopic again: %v", err)
	}
	if err := f.svc.DeleteTopic(f.ctx, scope, "arn:aws:sns:us-east-1:123456789012:never"); err != nil {
		t.Fatalf("DeleteTopic of a topic that never existed: %v", err)
	}
	// Its subscriptions went with it; the other topic's stay.
	subs, _, err := f.svc.ListSubscriptions(f.ctx, scope, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].TopicARN != keep {
		t.Fatalf("subscriptions after DeleteTopic: %+v", subs)
	}
	_, err = f.svc.GetSubscriptionAttributes(f.ctx, scope, sub)
	wantErr(t, err, NotFound, "Subscription does not exist")
	_, _, err = f.svc.ListSubscriptions(f.ctx, scope, arn, "")
	wantErr(t, err, NotFound, "Topic does not exist")
	// And its tags: a topic created again under the name has none.
	again := f.createTopic("ops", nil)
	tags, err := f.svc.Tags(f.ctx, scope, again)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 0 {
		t.Fatalf("the new topic has the deleted one's tags: %v", tags)
	}
	// And a publish to the new topic reaches nobody.
	f.publish(PublishInput{TopicARN: again, Message: "hello"})
	f.step()
	if h := f.take(); len(h) != 0 {
		t.Fatalf("a publish to the recreated topic reached %v", paths(h))
	}
}

func TestListTopicsPaging(t *testing.T) {
	f := newFixture(t)
	const n = 201
	want := map[string]bool{}
	for i := range n {
		want[f.createTopic(fmt.Sprintf("topic-%03d", i), nil)] = true
	}
	// Another account's and another region's topics are not listed.
	if _, err := f.svc.CreateTopic(f.ctx, other, CreateTopicInput{Name: "theirs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateTopic(f.ctx, Scope{Account: scope.Account, Region: "eu-west-1"}, CreateTopicInput{Name: "west"}); err != nil {
		t.Fatal(err)
	}

	var got []string
	token := ""
	pages := 0
	for {
		page, next, err := f.svc.ListTopics(f.ctx, scope, token)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page) > 100 {
			t.Fatalf("a page of %d topics", len(page))
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		if len(page) != 100 {
			t.Fatalf("a page of %d topics with a NextToken", len(page))
		}
		token = next
	}
	if pages != 3 || len(got) != n {
		t.Fatalf("%d topics in %d pages, want %d in 3", len(got), pages, n)
	}
	seen := map[string]bool{}
	for _, a := range got {
		if !want[a] || seen[a] {
			t.Fatalf("ListTopics listed %s (unexpected or twice)", a)
		}
		seen[a] = true
	}

	// Exactly 200 topics: two pages, the second without a NextToken.
	if err := f.svc.DeleteTopic(f.ctx, scope, got[len(got)-1]); err != nil {
		t.Fatal(err)
	}
	page, next, err := f.svc.ListTopics(f.ctx, scope, "")
	if err != nil || len(page) != 100 || next == "" {
		t.Fatalf("first page: %d, %q, %v", len(page), next, err)
	}
	page, next, err = f.svc.ListTopics(f.ctx, scope, next)
	if err != nil || len(page) != 100 || next != "" {
		t.Fatalf("second page of 200 topics: %d, NextToken %q, %v", len(page), next, err)
	}

	for _, bad := range []string{"garbage!", "c25zMTo"[:4], "b3RoZXI"} {
		_, _, err := f.svc.ListTopics(f.ctx, scope, bad)
		wantErr(t, err, InvalidParameter, "Invalid parameter: NextToken")
	}
}
