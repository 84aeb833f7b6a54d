package events

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/svcevents"
)

// observer records what a bus accepted.
type observer struct{ seen []string }

func (o *observer) Observe(_ context.Context, bus string, evt *svcevents.Event) {
	o.seen = append(o.seen, bus+" "+evt.Source+" "+evt.DetailType+" "+string(evt.Detail))
}

// TestObserver: the Observer sees each event a bus that exists accepts,
// put by PutEvents or sent by a service; not those refused, nor those put
// on a bus that does not exist.
func TestObserver(t *testing.T) {
	f := newFixture(t)
	o := &observer{}
	f.svc.opt.Observer = o
	if _, err := f.svc.CreateBus(f.ctx, scope, "orders", "", BusSettings{}, nil); err != nil {
		t.Fatal(err)
	}
	on := func(bus string, e Entry) Entry { e.Bus = bus; return e }
	f.put(on("orders", entry("shop", "Order Placed", `{"id":1}`)), on("orders", entry("aws.ec2", "x", `{}`)),
		on("nowhere", entry("shop", "Order Placed", `{"id":2}`)), entry("shop", "Order Shipped", `{"id":3}`))
	f.svc.ServiceEvents(f.ctx, &svcevents.Event{ID: "e", Source: "aws.logs", DetailType: "AWS API Call via CloudTrail",
		Account: scope.Account, Region: scope.Region, Time: t0, Detail: []byte(`{}`)})
	want := []string{
		"arn:aws:events:us-east-1:123456789012:event-bus/orders shop Order Placed {\"id\":1}",
		"arn:aws:events:us-east-1:123456789012:event-bus/default shop Order Shipped {\"id\":3}",
		"arn:aws:events:us-east-1:123456789012:event-bus/default aws.logs AWS API Call via CloudTrail {}",
	}
	if !reflect.DeepEqual(o.seen, want) {
		t.Errorf("observed %q; want %q", o.seen, want)
	}
}
