package schemaregistry

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestDiscoverers(t *testing.T) {
	f := newFixture(t)
	for _, source := range []string{
		"arn:aws:events:us-east-1:123456789012:event-bus/none",         // no such bus
		"arn:aws:events:us-east-1:210987654321:event-bus/orders",       // another account's
		"arn:aws:events:eu-west-1:123456789012:event-bus/orders",       // another region's
		"arn:aws:sqs:us-east-1:123456789012:orders",                    // no bus
		"arn:aws:events:us-east-1:123456789012:rule/orders/everything", // no bus
	} {
		_, err := f.svc.CreateDiscoverer(f.ctx, scope, source, "", true, nil)
		f.refuses(err, BadRequest)
	}
	d, err := f.svc.CreateDiscoverer(f.ctx, scope, orders, "orders", true, map[string]string{"team": "shop"})
	f.must(err)
	want := Discoverer{ID: "events-event-bus-orders", ARN: "arn:aws:schemas:us-east-1:123456789012:discoverer/events-event-bus-orders",
		SourceARN: orders, Description: "orders", State: StateStarted, CrossAccount: true, Tags: map[string]string{"team": "shop"}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("CreateDiscoverer = %+v; want %+v", d, want)
	}
	_, err = f.svc.CreateDiscoverer(f.ctx, scope, orders, "", true, nil)
	f.refuses(err, Conflict)
	// The default bus always exists; discovered-schemas is made with the
	// first discoverer.
	def, err := f.svc.CreateDiscoverer(f.ctx, scope, "arn:aws:events:us-east-1:123456789012:event-bus/default", "", false, nil)
	f.must(err)
	if def.ID != "events-event-bus-default" || def.CrossAccount {
		t.Errorf("the default bus's discoverer = %+v", def)
	}
	if r, err := f.svc.DescribeRegistry(f.ctx, scope, DiscoveredRegistry); err != nil || r.Description != discoveredDescription {
		t.Errorf("DescribeRegistry(discovered-schemas) = %+v, %v", r, err)
	}
	if got, err := f.svc.DescribeDiscoverer(f.ctx, scope, want.ID); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("DescribeDiscoverer = %+v, %v", got, err)
	}
	_, err = f.svc.DescribeDiscoverer(f.ctx, other, want.ID)
	f.refuses(err, NotFound)

	ids := func(idPrefix, sourcePrefix, token string, limit int) ([]string, string) {
		t.Helper()
		ds, next, err := f.svc.ListDiscoverers(f.ctx, scope, idPrefix, sourcePrefix, token, limit)
		f.must(err)
		return namesOf(ds, func(d Discoverer) string { return d.ID }), next
	}
	if got, _ := ids("", "", "", 0); !reflect.DeepEqual(got, []string{def.ID, d.ID}) {
		t.Errorf("ListDiscoverers = %v", got)
	}
	if got, _ := ids("events-event-bus-o", "", "", 0); !reflect.DeepEqual(got, []string{d.ID}) {
		t.Errorf("ListDiscoverers by ID prefix = %v", got)
	}
	if got, _ := ids("", "arn:aws:events:us-east-1:123456789012:event-bus/d", "", 0); !reflect.DeepEqual(got, []string{def.ID}) {
		t.Errorf("ListDiscoverers by source prefix = %v", got)
	}
	first, next := ids("", "", "", 1)
	rest, last := ids("", "", next, 1)
	if !reflect.DeepEqual(append(first, rest...), []string{def.ID, d.ID}) || last != "" {
		t.Errorf("ListDiscoverers by page = %v, %v (next %q)", first, rest, last)
	}

	desc, cross := "all orders", false
	got, err := f.svc.UpdateDiscoverer(f.ctx, scope, d.ID, &desc, &cross)
	f.must(err)
	if got.Description != desc || got.CrossAccount || got.State != StateStarted {
		t.Errorf("UpdateDiscoverer = %+v", got)
	}
	if got, _ := f.svc.UpdateDiscoverer(f.ctx, scope, d.ID, nil, nil); got.Description != desc {
		t.Errorf("UpdateDiscoverer without changes = %+v", got)
	}
	if got, err := f.svc.SetState(f.ctx, scope, d.ID, false); err != nil || got.State != StateStopped {
		t.Errorf("stopped = %+v, %v", got, err)
	}
	if got, err := f.svc.SetState(f.ctx, scope, d.ID, true); err != nil || got.State != StateStarted {
		t.Errorf("started = %+v, %v", got, err)
	}
	f.must(f.svc.DeleteDiscoverer(f.ctx, scope, d.ID))
	f.refuses(f.svc.DeleteDiscoverer(f.ctx, scope, d.ID), NotFound)
	_, err = f.svc.SetState(f.ctx, scope, d.ID, true)
	f.refuses(err, NotFound)
	if tags, _ := f.svc.opt.Tags.ResourceTags(f.ctx, d.ARN); len(tags) != 0 {
		t.Errorf("a deleted discoverer's tags: %v", tags)
	}
}

// discovered returns the latest version of a discovered schema.
func (f *fixture) discovered(name string) Schema {
	f.t.Helper()
	x, err := f.svc.DescribeSchema(f.ctx, scope, DiscoveredRegistry, name, "")
	f.must(err)
	return x
}

func TestDiscovery(t *testing.T) {
	f := newFixture(t)
	const placed = "shop@OrderPlaced"
	first := `{"orderId":"o-1","total":10,"placedAt":"2025-03-04T05:06:00Z"}`
	f.put(orders, scope.Account, "shop", "Order Placed", first)
	if f.kicks != 0 {
		t.Fatal("an event on a bus without a discoverer was sampled")
	}
	d, err := f.svc.CreateDiscoverer(f.ctx, scope, orders, "", false, nil)
	f.must(err)
	f.put(orders, scope.Account, "shop", "Order Placed", first)
	if f.kicks != 1 {
		t.Fatalf("%d kicks after the first event; want 1", f.kicks)
	}
	f.discover()
	x := f.discovered(placed)
	want, err := DiscoverSchema([]string{`{"source":"shop","detail-type":"Order Placed","detail":` + first + `}`}, TypeOpenAPI3)
	f.must(err)
	if x.Version != "1" || x.Content != want || x.Type != TypeOpenAPI3 || !x.VersionCreated.Equal(t0) {
		t.Fatalf("discovered %+v; want version 1 of %s", x, want)
	}

	// Events of a shape seen are not sampled again; a new shape is, and
	// makes a version with the union of what both had.
	f.put(orders, scope.Account, "shop", "Order Placed", `{"placedAt":"2025-03-04T06:00:00Z","total":99,"orderId":"o-2"}`)
	f.put(orders, other.Account, "shop", "Order Placed", `{"orderId":"o-3","total":1,"placedAt":"x","express":true}`)
	if f.kicks != 1 {
		t.Fatalf("%d kicks; a shape seen, or another account's event, was sampled", f.kicks)
	}
	f.clock.Advance(time.Minute)
	second := `{"orderId":"o-4","total":12.5,"placedAt":"2025-03-04T05:07:00Z","express":true}`
	f.put(orders, scope.Account, "shop", "Order Placed", second)
	f.discover()
	x = f.discovered(placed)
	want, err = DiscoverSchema([]string{`{"source":"shop","detail-type":"Order Placed","detail":` + first + `}`,
		`{"source":"shop","detail-type":"Order Placed","detail":` + second + `}`}, TypeOpenAPI3)
	f.must(err)
	if x.Version != "2" || x.Content != want || !x.VersionCreated.Equal(t0.Add(time.Minute)) {
		t.Fatalf("discovered %+v; want version 2 of %s", x, want)
	}

	// A shape the union already has makes no version.
	f.put(orders, scope.Account, "shop", "Order Placed", `{"orderId":"o-5","total":3,"placedAt":"2025-03-04T05:08:00Z","express":false}`)
	f.discover()
	if x := f.discovered(placed); x.Version != "2" {
		t.Fatalf("version %s after a shape the schema had", x.Version)
	}

	// Discovering other accounts' events, a stopped discoverer, another
	// detail type.
	cross := true
	f.must2(f.svc.UpdateDiscoverer(f.ctx, scope, d.ID, nil, &cross))
	f.put(orders, other.Account, "shop", "Order Shipped", `{"orderId":"o-3"}`)
	f.must2(f.svc.SetState(f.ctx, scope, d.ID, false))
	f.put(orders, scope.Account, "shop", "Order Cancelled", `{"orderId":"o-3"}`)
	f.discover()
	xs, _, err := f.svc.ListSchemas(f.ctx, scope, DiscoveredRegistry, "", "", 0)
	f.must(err)
	if got := namesOf(xs, listedName); !reflect.DeepEqual(got, []string{placed, "shop@OrderShipped"}) {
		t.Errorf("discovered %v", got)
	}
	if _, _, err := f.svc.ListSchemas(f.ctx, other, DiscoveredRegistry, "", "", 0); code(err) != NotFound {
		t.Errorf("the sender's account has a discovered schema: %v", err)
	}

	// Discovered schemas can be exported, and deleted, not changed.
	exported, err := f.svc.ExportSchema(f.ctx, scope, DiscoveredRegistry, placed, "1", TypeJSONSchemaDraft4)
	f.must(err)
	if exported.Version != "1" || validateContent(TypeJSONSchemaDraft4, exported.Content) != nil {
		t.Errorf("export = %+v", exported)
	}
	content := `{}`
	_, err = f.svc.UpdateSchema(f.ctx, scope, DiscoveredRegistry, placed, nil, &content, "")
	f.refuses(err, Forbidden)
	f.must(f.svc.DeleteSchema(f.ctx, scope, DiscoveredRegistry, "shop@OrderShipped"))
	f.refuses(f.svc.DeleteRegistry(f.ctx, scope, DiscoveredRegistry), Forbidden)
}

// TestDiscoveryAfterRestart: a node that restarts has forgotten the
// shapes it saw; sampling them again makes no new version.
func TestDiscoveryAfterRestart(t *testing.T) {
	f := newFixture(t)
	f.must2(f.svc.CreateDiscoverer(f.ctx, scope, orders, "", true, nil))
	f.put(orders, scope.Account, "shop", "Order Placed", `{"orderId":"o-1"}`, "arn:aws:shop:::order/1")
	f.discover()
	f.svc = New(f.svc.opt)
	f.put(orders, scope.Account, "shop", "Order Placed", `{"orderId":"o-2"}`, "arn:aws:shop:::order/2")
	if f.kicks != 2 {
		t.Fatalf("%d kicks; the restarted node did not sample", f.kicks)
	}
	f.discover()
	if x := f.discovered("shop@OrderPlaced"); x.Version != "1" {
		t.Errorf("version %s after the same shape", x.Version)
	}
	// A discovered schema deleted is made again from the events that
	// follow.
	f.must(f.svc.opt.Store.DeleteSchema(f.ctx, SchemaARN(scope, DiscoveredRegistry, "shop@OrderPlaced")))
	f.put(orders, scope.Account, "shop", "Order Placed", `{"orderId":"o-2","n":1}`)
	f.discover()
	if x := f.discovered("shop@OrderPlaced"); x.Version != "1" {
		t.Errorf("a schema deleted came back as version %s", x.Version)
	}
}

// TestDiscoveryQueueBound: samples past the queue's bound are dropped
// and their shapes not remembered, so that they are sampled later.
func TestDiscoveryQueueBound(t *testing.T) {
	f := newFixture(t)
	f.must2(f.svc.CreateDiscoverer(f.ctx, scope, orders, "", true, nil))
	for i := range maxQueued + 1 {
		f.put(orders, scope.Account, "shop", fmt.Sprintf("Kind %d", i), `{}`)
	}
	if len(f.svc.queue) != maxQueued || f.kicks != maxQueued {
		t.Fatalf("%d queued, %d kicks; want %d", len(f.svc.queue), f.kicks, maxQueued)
	}
	f.svc.queue = nil
	f.put(orders, scope.Account, "shop", fmt.Sprintf("Kind %d", maxQueued), `{}`)
	f.put(orders, scope.Account, "shop", "Kind 0", `{}`)
	if len(f.svc.queue) != 1 || f.svc.queue[0].detailType != fmt.Sprintf("Kind %d", maxQueued) {
		t.Errorf("queued %+v; want the dropped shape only", f.svc.queue)
	}
}

// BenchmarkObserve measures what discovery costs the path of an event
// put on a bus: with no discoverer (a cache hit), and with one that has
// seen the event's shape (a fingerprint).
func BenchmarkObserve(b *testing.B) {
	detail := `{"orderId":"o-1","customer":{"id":7,"tier":"gold"},"lines":[{"sku":"sku-1","qty":2,"price":12.5}],` +
		`"placedAt":"2026-01-02T03:04:05Z","express":true}`
	for _, discoverer := range []bool{false, true} {
		b.Run(fmt.Sprintf("discoverer=%v", discoverer), func(b *testing.B) {
			f := newFixture(b)
			if discoverer {
				f.must2(f.svc.CreateDiscoverer(f.ctx, scope, orders, "", true, nil))
			}
			f.put(orders, scope.Account, "shop", "Order Placed", detail)
			b.ReportAllocs()
			for b.Loop() {
				f.put(orders, scope.Account, "shop", "Order Placed", detail)
			}
		})
	}
}
