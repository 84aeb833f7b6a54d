package logs

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSubscriptionsAcrossAccounts(t *testing.T) {
	f := newFixture(t)
	central := Scope{Account: "222222222222", Region: "eu-west-1"}
	must(t, f.CreateLogGroup(f.ctx, central, NewGroup{Name: "central"}))
	dest, err := f.PutDestination(f.ctx, central, "aggregate", GroupARN(central, "central"), "arn:aws:iam::222222222222:role/r", nil)
	must(t, err)
	if dest.ARN != "arn:aws:logs:eu-west-1:222222222222:destination:aggregate" {
		t.Errorf("destination ARN = %s", dest.ARN)
	}
	_, err = f.PutDestination(f.ctx, central, "kinesis", "arn:aws:kinesis:eu-west-1:222222222222:stream/s", "r", nil)
	wantCode(t, err, InvalidParameter, "")

	f.setup(t, "app", "i-1")
	sub := SubscriptionFilter{Group: "app", Name: "to-central", Pattern: "ERROR", DestinationARN: dest.ARN}
	wantCode(t, f.PutSubscriptionFilter(f.ctx, sc, sub), AccessDenied, "")
	must(t, f.PutDestinationPolicy(f.ctx, central, "aggregate",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"logs:PutSubscriptionFilter","Resource":"*"}]}`))
	must(t, f.PutSubscriptionFilter(f.ctx, sc, sub))

	lambda := SubscriptionFilter{Group: "app", Name: "lambda", Pattern: "", DestinationARN: "arn:aws:lambda:us-east-1:111111111111:function:f"}
	err = f.PutSubscriptionFilter(f.ctx, sc, lambda)
	wantCode(t, err, InvalidParameter, "")
	if !strings.Contains(err.Error(), "lambda target, which Vigil does not support") {
		t.Errorf("Lambda target refused with %q; want it to say which destinations Vigil supports", err)
	}
	must(t, f.PutSubscriptionFilter(f.ctx, sc, SubscriptionFilter{Group: "app", Name: "local", Pattern: "", DestinationARN: GroupARN(sc, "app")}))
	wantCode(t, f.PutSubscriptionFilter(f.ctx, sc, SubscriptionFilter{Group: "app", Name: "third", DestinationARN: GroupARN(sc, "app")}), LimitExceeded, "")
	must(t, f.DeleteSubscriptionFilter(f.ctx, sc, "app", "local"))

	f.put(t, "app", "i-1", []int64{0, 1, 2}, "ERROR one", "fine", "ERROR two")
	if n := f.deliver(t); n != 1 {
		t.Fatalf("deliveries = %d", n)
	}
	page, err := f.FilterLogEvents(f.ctx, central, FilterQuery{Group: "central"})
	must(t, err)
	if got := messages(page); !slices.Equal(got, []string{"ERROR one", "ERROR two"}) || page.Events[0].Stream != "111111111111/app/i-1" {
		t.Errorf("central received %v in %q", got, page.Events[0].Stream)
	}
	filters, _, err := f.DescribeSubscriptionFilters(f.ctx, sc, "app", "", 0, "")
	if err != nil || len(filters) != 1 || filters[0].Distribution != "ByLogStream" {
		t.Errorf("filters = %+v, %v", filters, err)
	}
}

func TestSubscriptionDeliveryWaitsForTarget(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "src", "s")
	target := Scope{Account: sc.Account, Region: "ap-south-1"}
	must(t, f.PutSubscriptionFilter(f.ctx, sc, SubscriptionFilter{Group: "src", Name: "x", DestinationARN: GroupARN(target, "later")}))
	f.put(t, "src", "s", []int64{0}, "kept until delivered")
	if n := f.deliver(t); n != 0 {
		t.Fatalf("delivered %d to a missing group", n)
	}
	must(t, f.CreateLogGroup(f.ctx, target, NewGroup{Name: "later"}))
	f.clock.Advance(time.Minute)
	if n := f.deliver(t); n != 1 {
		t.Fatalf("delivered %d once the group exists; want 1", n)
	}
}

func TestLiveTail(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "web", "db")
	sess, err := f.StartLiveTail(f.ctx, sc, TailQuery{Identifiers: []string{GroupARN(sc, "g")}, Prefixes: []string{"we"}, Pattern: "GET"})
	must(t, err)
	defer sess.Close()
	f.put(t, "g", "web", []int64{0, 1}, "GET /a", "POST /b")
	f.put(t, "g", "db", []int64{0}, "GET from db")
	events, sampled := sess.Take()
	if len(events) != 1 || events[0].Message != "GET /a" || events[0].GroupIdentifier != GroupARN(sc, "g") || sampled {
		t.Errorf("tail = %+v sampled=%v", events, sampled)
	}
	var many []string
	for i := range 800 {
		many = append(many, fmt.Sprint("GET ", i))
	}
	offsets := make([]int64, len(many))
	for i := range offsets {
		offsets[i] = int64(i)
	}
	f.put(t, "g", "web", offsets, many...)
	events, sampled = sess.Take()
	if len(events) != 500 || !sampled {
		t.Errorf("800 waiting events gave %d, sampled=%v; want 500 sampled", len(events), sampled)
	}
	_, err = f.StartLiveTail(f.ctx, sc, TailQuery{Identifiers: []string{"missing"}})
	wantCode(t, err, ResourceNotFound, "")
}
