package events

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/svcevents"
)

const (
	defaultBusARN = "arn:aws:events:us-east-1:123456789012:event-bus/default"
	ordersBusARN  = "arn:aws:events:us-east-1:123456789012:event-bus/orders"
)

func (f *fixture) createBus(name string) {
	f.t.Helper()
	if _, err := f.svc.CreateBus(f.ctx, scope, name, "", BusSettings{}, nil); err != nil {
		f.t.Fatalf("CreateBus %s: %v", name, err)
	}
}

func (f *fixture) createArchive(name, source string, set ArchiveSettings) Archive {
	f.t.Helper()
	a, err := f.svc.CreateArchive(f.ctx, scope, name, source, set)
	if err != nil {
		f.t.Fatalf("CreateArchive %s: %v", name, err)
	}
	return a
}

func (f *fixture) describeArchive(name string) Archive {
	f.t.Helper()
	a, err := f.svc.DescribeArchive(f.ctx, scope, name)
	if err != nil {
		f.t.Fatalf("DescribeArchive %s: %v", name, err)
	}
	return a
}

// wantErr checks that err is a refusal of code with message msg ("":
// any message).
func wantErr(t *testing.T, what string, err error, c Code, msg string) {
	t.Helper()
	if code(err) != c || msg != "" && err.Error() != msg {
		t.Errorf("%s: %v (code %d); want code %d %q", what, err, code(err), c, msg)
	}
}

func TestArchiveCreateAndRule(t *testing.T) {
	f := newFixture(t)
	f.createBus("orders")
	a := f.createArchive("all", defaultBusARN, ArchiveSettings{})
	if a.ARN != "arn:aws:events:us-east-1:123456789012:archive/all" || a.State != ArchiveEnabled || !a.Created.Equal(t0) ||
		a.RetentionDays != 0 || a.BusARN != defaultBusARN {
		t.Fatalf("CreateArchive = %+v", a)
	}
	f.createArchive("shop", ordersBusARN, ArchiveSettings{EventPattern: ptr(`{"source":["shop"],"detail-type":["x"]}`),
		Description: ptr("d"), KmsKeyIdentifier: ptr("alias/k"), RetentionDays: ptr(3)})
	d := f.describeArchive("shop")
	if d.Description != "d" || d.EventPattern != `{"source":["shop"],"detail-type":["x"]}` || d.KmsKeyIdentifier != "alias/k" ||
		d.RetentionDays != 3 || d.EventCount != 0 || d.SizeBytes != 0 || d.BusARN != ordersBusARN {
		t.Fatalf("DescribeArchive = %+v", d)
	}

	// Each archive is fed by a rule it manages on its bus, as on AWS.
	for _, c := range []struct{ bus, archive, pattern string }{
		{"", "all", `{"replay-name":[{"exists":false}]}`},
		{"orders", "shop", `{"detail-type":["x"],"replay-name":[{"exists":false}],"source":["shop"]}`},
	} {
		r, err := f.svc.DescribeRule(f.ctx, scope, c.bus, "Events-Archive-"+c.archive)
		if err != nil || r.ManagedBy != "prod.vhs.events.aws.internal" || r.EventPattern != c.pattern || r.State != StateEnabled ||
			r.Description != "" {
			t.Errorf("the rule of archive %s = %+v, %v; want managed, pattern %s", c.archive, r, err, c.pattern)
		}
		ts, _, err := f.svc.ListTargets(f.ctx, scope, c.bus, "Events-Archive-"+c.archive, "", 0)
		if err != nil || len(ts) != 1 || ts[0].ARN != "arn:aws:events:us-east-1:::" || ts[0].Input.Template == nil ||
			!strings.Contains(*ts[0].Input.Template, `"event": <aws.events.event.json>, "ingestion-time": <aws.events.event.ingestion-time>`) {
			t.Errorf("the targets of archive %s's rule = %+v, %v", c.archive, ts, err)
		}
	}
	_, err := f.svc.PutRule(f.ctx, scope, Rule{Name: "Events-Archive-all", EventPattern: `{"source":["x"]}`}, nil)
	wantErr(t, "PutRule on an archive's rule", err, ManagedRule,
		"Rule Events-Archive-all is managed by an AWS service and can only be modified by that service.")
	wantErr(t, "DeleteRule of an archive's rule", f.svc.DeleteRule(f.ctx, scope, "", "Events-Archive-all", false), ManagedRule, "")

	for _, c := range []struct {
		name, source string
		set          ArchiveSettings
		code         Code
		msg          string
	}{
		{"all", defaultBusARN, ArchiveSettings{}, ResourceAlreadyExists, "Archive all already exists."},
		{"x", "arn:aws:events:us-east-1:123456789012:event-bus/none", ArchiveSettings{}, ResourceNotFound, "Event bus none does not exist."},
		{"x", "arn:aws:events:us-east-1:210987654321:event-bus/default", ArchiveSettings{}, ResourceNotFound,
			"Event bus default does not exist."},
		{"x", defaultBusARN, ArchiveSettings{EventPattern: ptr(`{"source":"shop"}`)}, InvalidEventPattern, ""},
		{"x", defaultBusARN, ArchiveSettings{EventPattern: ptr(`not json`)}, InvalidEventPattern, ""},
	} {
		_, err := f.svc.CreateArchive(f.ctx, scope, c.name, c.source, c.set)
		wantErr(t, "CreateArchive "+c.name+" of "+c.source, err, c.code, c.msg)
	}
}

func TestArchiveKeepsEvents(t *testing.T) {
	f := newFixture(t)
	f.createBus("orders")
	f.createArchive("all", defaultBusARN, ArchiveSettings{})
	f.createArchive("big", defaultBusARN, ArchiveSettings{EventPattern: ptr(`{"detail":{"total":[{"numeric":[">",100]}]}}`)})
	f.createArchive("forwarded", ordersBusARN, ArchiveSettings{})
	f.putRule(Rule{Name: "forward", EventPattern: `{"source":["shop"]}`})
	f.putTargets("", "forward", Target{ID: "bus", ARN: ordersBusARN})

	res := f.put(entry("shop", "Order Placed", `{"total":250}`), entry("shop", "Order Placed", `{"total":5}`),
		entry("aws.ec2", "refused", `{}`))
	if res[2].Code == "" {
		t.Fatalf("an entry AWS refuses was taken: %+v", res[2])
	}
	f.svc.ServiceEvents(f.ctx, &svcevents.Event{ID: "s1", DetailType: "CloudWatch Alarm State Change", Source: "aws.cloudwatch",
		Account: scope.Account, Region: scope.Region, Time: t0, Detail: json.RawMessage(`{"alarmName":"cpu"}`)})
	// Archived before PutEvents answers: nothing has been delivered yet.
	counts := map[string]int64{}
	for _, name := range []string{"all", "big", "forwarded"} {
		counts[name] = f.describeArchive(name).EventCount
	}
	if counts["all"] != 3 || counts["big"] != 1 || counts["forwarded"] != 0 {
		t.Fatalf("events archived before delivery: %v; want all 3, big 1, forwarded 0", counts)
	}
	// The rule forwarding to orders puts the shop events on it, whose
	// archive keeps them.
	f.step()
	if n := f.describeArchive("forwarded").EventCount; n != 2 {
		t.Fatalf("the archive of the bus events are forwarded to has %d events; want 2", n)
	}
	evs, err := f.store.Events().ArchivedEvents(f.ctx, "arn:aws:events:us-east-1:123456789012:archive/all", 0, 0, 1<<62, 10)
	if err != nil || len(evs) != 3 {
		t.Fatalf("archived events = %+v, %v", evs, err)
	}
	var size int64
	for _, ev := range evs {
		size += int64(len(ev.Event))
		var e svcevents.Event
		if err := json.Unmarshal(ev.Event, &e); err != nil || ev.Time != e.Time.UnixMilli() || ev.Archived != t0.UnixMilli() {
			t.Errorf("archived event %s (time %d, archived %d): %+v, %v", ev.Event, ev.Time, ev.Archived, e, err)
		}
	}
	if evs[0].Event == nil || !strings.Contains(string(evs[0].Event), `"detail":{"total":250}`) {
		t.Errorf("first archived event = %s", evs[0].Event)
	}
	if a := f.describeArchive("all"); a.SizeBytes != size {
		t.Errorf("SizeBytes = %d; want %d, the bytes of its events", a.SizeBytes, size)
	}
}

func TestArchiveListUpdateDelete(t *testing.T) {
	f := newFixture(t)
	f.createBus("orders")
	f.createArchive("a-default", defaultBusARN, ArchiveSettings{})
	f.createArchive("b-orders", ordersBusARN, ArchiveSettings{})
	f.createArchive("c-orders", ordersBusARN, ArchiveSettings{})
	list := func(prefix, source, state, token string, limit int) ([]string, string) {
		t.Helper()
		as, next, err := f.svc.ListArchives(f.ctx, scope, prefix, source, state, token, limit)
		if err != nil {
			t.Fatalf("ListArchives: %v", err)
		}
		var names []string
		for _, a := range as {
			names = append(names, a.Name)
		}
		return names, next
	}
	if got, _ := list("b", "", "", "", 0); !slices.Equal(got, []string{"b-orders"}) {
		t.Errorf("ListArchives prefix b = %v", got)
	}
	if got, _ := list("", ordersBusARN, "", "", 0); !slices.Equal(got, []string{"b-orders", "c-orders"}) {
		t.Errorf("ListArchives of orders = %v", got)
	}
	if got, _ := list("", "", "ENABLED", "", 0); len(got) != 3 {
		t.Errorf("ListArchives ENABLED = %v", got)
	}
	if got, _ := list("", "", "DISABLED", "", 0); len(got) != 0 {
		t.Errorf("ListArchives DISABLED = %v", got)
	}
	page1, next := list("", "", "", "", 2)
	page2, last := list("", "", "", next, 2)
	if !slices.Equal(page1, []string{"a-default", "b-orders"}) || !slices.Equal(page2, []string{"c-orders"}) || last != "" {
		t.Errorf("ListArchives by 2 = %v, %v (next %q)", page1, page2, last)
	}
	_, _, err := f.svc.ListArchives(f.ctx, scope, "a", "", "ENABLED", "", 0)
	wantErr(t, "ListArchives with two filters", err, Validation,
		"At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.")
	_, _, err = f.svc.ListArchives(f.ctx, scope, "", "arn:aws:events:us-east-1:123456789012:event-bus/none", "", "", 0)
	wantErr(t, "ListArchives of no bus", err, ResourceNotFound, "Event bus none does not exist.")

	_, err = f.svc.UpdateArchive(f.ctx, scope, "a-default", ArchiveSettings{})
	wantErr(t, "UpdateArchive of nothing", err, Validation, "At least one of EventPattern, RetentionDays or Description must be provided.")
	_, err = f.svc.UpdateArchive(f.ctx, scope, "none", ArchiveSettings{Description: ptr("x")})
	wantErr(t, "UpdateArchive of none", err, ResourceNotFound, "Archive none does not exist.")
	_, err = f.svc.UpdateArchive(f.ctx, scope, "a-default", ArchiveSettings{EventPattern: ptr(`{"source":[]}`)})
	wantErr(t, "UpdateArchive with a bad pattern", err, InvalidEventPattern, "")
	a, err := f.svc.UpdateArchive(f.ctx, scope, "a-default", ArchiveSettings{EventPattern: ptr(`{"source":["kept"]}`), RetentionDays: ptr(9)})
	if err != nil || a.EventPattern != `{"source":["kept"]}` || a.RetentionDays != 9 || !a.Created.Equal(t0) {
		t.Fatalf("UpdateArchive = %+v, %v", a, err)
	}
	if r, _ := f.svc.DescribeRule(f.ctx, scope, "", "Events-Archive-a-default"); r.EventPattern != `{"replay-name":[{"exists":false}],"source":["kept"]}` {
		t.Fatalf("the rule after UpdateArchive has pattern %s", r.EventPattern)
	}
	f.put(entry("kept", "x", `{}`), entry("other", "x", `{}`))
	if n := f.describeArchive("a-default").EventCount; n != 1 {
		t.Fatalf("after UpdateArchive the archive kept %d events; want 1 (its new pattern's)", n)
	}

	if err := f.svc.DeleteArchive(f.ctx, scope, "a-default"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteArchive twice", f.svc.DeleteArchive(f.ctx, scope, "a-default"), ResourceNotFound, "Archive a-default does not exist.")
	_, err = f.svc.DescribeRule(f.ctx, scope, "", "Events-Archive-a-default")
	wantErr(t, "the rule of a deleted archive", err, ResourceNotFound, "")
	f.put(entry("kept", "x", `{}`))
	// Created again under its name, the archive starts empty.
	f.createArchive("a-default", defaultBusARN, ArchiveSettings{})
	if n := f.describeArchive("a-default").EventCount; n != 0 {
		t.Fatalf("an archive created again has %d events", n)
	}
	// A bus is deleted with its archives.
	if err := f.svc.DeleteBus(f.ctx, scope, "orders"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.DescribeArchive(f.ctx, scope, "b-orders")
	wantErr(t, "the archive of a deleted bus", err, ResourceNotFound, "Archive b-orders does not exist.")
}

func TestArchiveRetention(t *testing.T) {
	f := newFixture(t)
	f.createArchive("day", defaultBusARN, ArchiveSettings{RetentionDays: ptr(1)})
	f.createArchive("ever", defaultBusARN, ArchiveSettings{})
	// An event's age counts from its archiving, not from its time.
	old := entry("shop", "x", `{}`)
	old.Time = ptr(t0.Add(-30 * 24 * time.Hour))
	f.put(old)
	f.clock.Advance(12 * time.Hour)
	f.put(entry("shop", "x", `{}`))
	expire := func(after time.Duration, want int64) {
		t.Helper()
		f.clock.Set(t0.Add(after))
		if err := f.svc.ExpireArchives(f.ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := f.describeArchive("day").EventCount; got != want {
			t.Fatalf("at %v, the archive of 1 day keeps %d events; want %d", after, got, want)
		}
	}
	expire(24*time.Hour-time.Millisecond, 2)
	expire(24*time.Hour, 1)
	expire(36*time.Hour, 0)
	if a := f.describeArchive("day"); a.SizeBytes != 0 {
		t.Fatalf("an emptied archive has %d bytes", a.SizeBytes)
	}
	if n := f.describeArchive("ever").EventCount; n != 2 {
		t.Fatalf("the archive without retention keeps %d events; want 2", n)
	}
}
