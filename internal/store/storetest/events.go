package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Events checks the backend's store.Events: buses created once per
// account, region and name, read, listed by prefix and paged, their
// attributes updated in a transaction, and deleted with their rules and
// targets, and their archives; rules put only on buses that exist,
// replaced keeping their targets and creation time, listed per bus,
// deleted only without targets, and found when due, advanced once by one
// caller; targets put up to a maximum, replaced by id, removed, listed
// and found by ARN; archives created with their rule and its target or
// not at all, listed by prefix and bus, updated with their rule, and
// deleted with their events and rule; events archived only in the
// archive of their ID, counted, read in order of time and sequence from
// a cursor, and expired by their archive's retention; replays started
// once per name and up to a number under way, listed by prefix, archive
// and state, cancelled only when starting or running, and advanced once
// from the progress read; connections and API destinations
// (eventConnections); accounts, regions and buses apart; and all of it
// kept across a reopen.
func Events(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	eventsOf := func(t *testing.T, b Backend) store.Events {
		t.Helper()
		need(t, b.Events != nil, "Events")
		return b.Events
	}
	bus := func(account, region, name string) store.EventBus {
		return store.EventBus{Account: account, Region: region, Name: name,
			ARN:        "arn:aws:events:" + region + ":" + account + ":event-bus/" + name,
			Attributes: []byte(`{"Description":"` + name + `"}`), Created: 1000, Updated: 1000}
	}
	rule := func(b store.EventBus, name string, nextFire int64) store.EventRule {
		return store.EventRule{ARN: "arn:aws:events:" + b.Region + ":" + b.Account + ":rule/" + b.Name + "/" + name,
			Account: b.Account, Region: b.Region, Bus: b.Name, Name: name, Enabled: true, Scheduled: nextFire > 0,
			Definition: []byte(`{"Name":"` + name + `"}`), NextFire: nextFire, Created: 2000}
	}
	target := func(r store.EventRule, id, arn string) store.EventTarget {
		return store.EventTarget{RuleARN: r.ARN, ID: id, ARN: arn, Definition: []byte(`{"Id":"` + id + `"}`)}
	}
	mustCreate := func(t *testing.T, e store.Events, b store.EventBus) {
		t.Helper()
		if err := e.CreateBus(ctx, b); err != nil {
			t.Fatalf("CreateBus(%s): %v", b.ARN, err)
		}
	}
	mustPut := func(t *testing.T, e store.Events, r store.EventRule, wantCreated bool) {
		t.Helper()
		created, err := e.PutRule(ctx, r)
		if err != nil || created != wantCreated {
			t.Fatalf("PutRule(%s) = %v, %v; want %v", r.ARN, created, err, wantCreated)
		}
	}
	ruleNames := func(t *testing.T, e store.Events, b store.EventBus, prefix, after string, limit int) []string {
		t.Helper()
		rs, err := e.Rules(ctx, b.Account, b.Region, b.Name, prefix, after, limit)
		if err != nil {
			t.Fatalf("Rules: %v", err)
		}
		var names []string
		for _, r := range rs {
			names = append(names, r.Name)
		}
		return names
	}
	targetIDs := func(t *testing.T, e store.Events, ruleARN string) []string {
		t.Helper()
		ts, err := e.Targets(ctx, ruleARN, "", 0)
		if err != nil {
			t.Fatalf("Targets: %v", err)
		}
		var ids []string
		for _, x := range ts {
			ids = append(ids, x.ID)
		}
		return ids
	}

	t.Run("buses", func(t *testing.T) {
		e := eventsOf(t, fresh(t, open))
		a, b, other := bus(acct, region, "orders"), bus(acct, region, "audit"), bus("222222222222", region, "orders")
		for _, x := range []store.EventBus{a, b, other, bus(acct, "eu-west-1", "orders")} {
			mustCreate(t, e, x)
		}
		if err := e.CreateBus(ctx, a); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateBus twice: %v; want ErrExists", err)
		}
		got, err := e.Bus(ctx, a.ARN)
		if err != nil || !reflect.DeepEqual(*got, a) {
			t.Fatalf("Bus = %+v, %v; want %+v", got, err, a)
		}
		list, err := e.Buses(ctx, acct, region, "", "", 0)
		if err != nil || len(list) != 2 || list[0].Name != "audit" || list[1].Name != "orders" {
			t.Fatalf("Buses = %+v, %v; want audit, orders", list, err)
		}
		if list, _ := e.Buses(ctx, acct, region, "or", "", 0); len(list) != 1 || list[0].Name != "orders" {
			t.Fatalf("Buses prefix or = %+v", list)
		}
		if list, _ := e.Buses(ctx, acct, region, "", "audit", 1); len(list) != 1 || list[0].Name != "orders" {
			t.Fatalf("Buses after audit = %+v", list)
		}
		update := func(attributes string, updated int64) func(b *store.EventBus) error {
			return func(b *store.EventBus) error {
				if b.ARN != a.ARN {
					return fmt.Errorf("UpdateBus(%s) gave bus %s to update", a.ARN, b.ARN)
				}
				b.Attributes, b.Updated = []byte(attributes), updated
				return nil
			}
		}
		if err := e.UpdateBus(ctx, a.ARN, update(`{"Policy":"x"}`, 3000)); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Bus(ctx, a.ARN); string(got.Attributes) != `{"Policy":"x"}` || got.Updated != 3000 || got.Created != 1000 {
			t.Fatalf("after UpdateBus: %+v", got)
		}
		refused := errors.New("refused")
		if err := e.UpdateBus(ctx, a.ARN, func(b *store.EventBus) error { b.Updated = 9; return refused }); !errors.Is(err, refused) {
			t.Fatalf("UpdateBus whose update fails: %v; want its error", err)
		}
		if got, _ := e.Bus(ctx, a.ARN); got.Updated != 3000 {
			t.Fatalf("a failed UpdateBus changed the bus: %+v", got)
		}
		if err := e.UpdateBus(ctx, a.ARN+"x", update("", 1)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UpdateBus of none: %v", err)
		}
		r := rule(a, "r1", 0)
		mustPut(t, e, r, true)
		if err := e.PutTargets(ctx, r.ARN, []store.EventTarget{target(r, "t1", "arn:aws:sqs:us-east-1:111111111111:q")}, 5); err != nil {
			t.Fatal(err)
		}
		if err := e.DeleteBus(ctx, a.ARN); err != nil {
			t.Fatal(err)
		}
		if err := e.DeleteBus(ctx, a.ARN); err != nil {
			t.Fatalf("DeleteBus of none: %v", err)
		}
		if _, err := e.Bus(ctx, a.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Bus after delete: %v", err)
		}
		if _, err := e.Rule(ctx, r.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("rule after its bus's delete: %v", err)
		}
		// A bus created again under the name has none of the old rules.
		mustCreate(t, e, a)
		if names := ruleNames(t, e, a, "", "", 0); len(names) != 0 {
			t.Fatalf("rules of a recreated bus: %v", names)
		}
		if got, _ := e.Bus(ctx, other.ARN); got == nil {
			t.Fatal("another account's bus was deleted")
		}
	})

	t.Run("rules", func(t *testing.T) {
		e := eventsOf(t, fresh(t, open))
		a, b := bus(acct, region, "default"), bus(acct, region, "orders")
		mustCreate(t, e, a)
		mustCreate(t, e, b)
		if _, err := e.PutRule(ctx, rule(bus(acct, region, "none"), "r", 0)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("PutRule on no bus: %v; want ErrNotFound", err)
		}
		for _, n := range []string{"b-rule", "a-rule", "c-other"} {
			mustPut(t, e, rule(a, n, 0), true)
		}
		mustPut(t, e, rule(b, "a-rule", 0), true)
		r := rule(a, "a-rule", 0)
		r.Definition, r.Enabled, r.Created = []byte(`{"State":"DISABLED"}`), false, 9999
		mustPut(t, e, r, false)
		got, err := e.Rule(ctx, r.ARN)
		if err != nil || string(got.Definition) != `{"State":"DISABLED"}` || got.Enabled || got.Created != 2000 {
			t.Fatalf("replaced rule = %+v, %v; want the new definition, disabled, created 2000", got, err)
		}
		if names := ruleNames(t, e, a, "", "", 0); !slices.Equal(names, []string{"a-rule", "b-rule", "c-other"}) {
			t.Fatalf("Rules = %v", names)
		}
		if names := ruleNames(t, e, a, "a", "", 0); !slices.Equal(names, []string{"a-rule"}) {
			t.Fatalf("Rules prefix a = %v", names)
		}
		if names := ruleNames(t, e, a, "", "a-rule", 1); !slices.Equal(names, []string{"b-rule"}) {
			t.Fatalf("Rules after a-rule, 1 = %v", names)
		}
		if names := ruleNames(t, e, b, "", "", 0); !slices.Equal(names, []string{"a-rule"}) {
			t.Fatalf("Rules of orders = %v", names)
		}
		if err := e.PutTargets(ctx, r.ARN, []store.EventTarget{target(r, "t", "arn:x")}, 5); err != nil {
			t.Fatal(err)
		}
		if err := e.DeleteRule(ctx, r.ARN); !errors.Is(err, store.ErrHasTargets) {
			t.Fatalf("DeleteRule with targets: %v; want ErrHasTargets", err)
		}
		if _, err := e.RemoveTargets(ctx, r.ARN, []string{"t"}); err != nil {
			t.Fatal(err)
		}
		if err := e.DeleteRule(ctx, r.ARN); err != nil {
			t.Fatal(err)
		}
		if err := e.DeleteRule(ctx, r.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteRule twice: %v; want ErrNotFound", err)
		}
	})

	t.Run("due rules", func(t *testing.T) {
		e := eventsOf(t, fresh(t, open))
		a := bus(acct, region, "default")
		mustCreate(t, e, a)
		mustPut(t, e, rule(a, "late", 5000), true)
		mustPut(t, e, rule(a, "early", 3000), true)
		mustPut(t, e, rule(a, "future", 90000), true)
		mustPut(t, e, rule(a, "pattern", 0), true)
		due, err := e.DueRules(ctx, 5000, 10)
		if err != nil || len(due) != 2 || due[0].Name != "early" || due[1].Name != "late" {
			t.Fatalf("DueRules(5000) = %+v, %v; want early, late", due, err)
		}
		if due, _ := e.DueRules(ctx, 5000, 1); len(due) != 1 {
			t.Fatalf("DueRules limit 1 = %d rules", len(due))
		}
		ok, err := e.AdvanceRule(ctx, due[0].ARN, 3000, 63000)
		if err != nil || !ok {
			t.Fatalf("AdvanceRule = %v, %v; want true", ok, err)
		}
		if ok, err := e.AdvanceRule(ctx, due[0].ARN, 3000, 63000); err != nil || ok {
			t.Fatalf("AdvanceRule from a stale time = %v, %v; want false", ok, err)
		}
		if ok, err := e.AdvanceRule(ctx, due[0].ARN+"x", 3000, 1); err != nil || ok {
			t.Fatalf("AdvanceRule of no rule = %v, %v; want false", ok, err)
		}
		if due, _ := e.DueRules(ctx, 5000, 10); len(due) != 1 || due[0].Name != "late" {
			t.Fatalf("DueRules after advancing = %+v", due)
		}
	})

	t.Run("targets", func(t *testing.T) {
		e := eventsOf(t, fresh(t, open))
		a, b := bus(acct, region, "default"), bus(acct, region, "orders")
		mustCreate(t, e, a)
		mustCreate(t, e, b)
		r1, r2, r3 := rule(a, "r1", 0), rule(a, "r2", 0), rule(b, "r3", 0)
		for _, r := range []store.EventRule{r1, r2, r3} {
			mustPut(t, e, r, true)
		}
		const q = "arn:aws:sqs:us-east-1:111111111111:q"
		if err := e.PutTargets(ctx, r1.ARN+"x", []store.EventTarget{target(r1, "t", q)}, 5); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("PutTargets of no rule: %v", err)
		}
		if err := e.PutTargets(ctx, r1.ARN, []store.EventTarget{target(r1, "b", q), target(r1, "a", "arn:other")}, 5); err != nil {
			t.Fatal(err)
		}
		replaced := target(r1, "a", q)
		replaced.Definition = []byte(`{"Input":"{}"}`)
		if err := e.PutTargets(ctx, r1.ARN, []store.EventTarget{replaced}, 5); err != nil {
			t.Fatal(err)
		}
		ts, err := e.Targets(ctx, r1.ARN, "", 0)
		if err != nil || len(ts) != 2 || !reflect.DeepEqual(ts[0], replaced) || ts[1].ID != "b" {
			t.Fatalf("Targets = %+v, %v; want the replaced a, then b", ts, err)
		}
		if ts, _ := e.Targets(ctx, r1.ARN, "a", 1); len(ts) != 1 || ts[0].ID != "b" {
			t.Fatalf("Targets after a = %+v", ts)
		}
		more := []store.EventTarget{target(r1, "c", q), target(r1, "d", q), target(r1, "e", q), target(r1, "f", q)}
		if err := e.PutTargets(ctx, r1.ARN, more, 5); !errors.Is(err, store.ErrTooManyTargets) {
			t.Fatalf("PutTargets past 5: %v; want ErrTooManyTargets", err)
		}
		if ids := targetIDs(t, e, r1.ARN); !slices.Equal(ids, []string{"a", "b"}) {
			t.Fatalf("targets after a refused put = %v; want a, b", ids)
		}
		if err := e.PutTargets(ctx, r2.ARN, []store.EventTarget{target(r2, "x", q)}, 5); err != nil {
			t.Fatal(err)
		}
		if err := e.PutTargets(ctx, r3.ARN, []store.EventTarget{target(r3, "x", q)}, 5); err != nil {
			t.Fatal(err)
		}
		arns, err := e.RulesByTarget(ctx, acct, region, "default", q, "", 0)
		if err != nil || !slices.Equal(arns, []string{r1.ARN, r2.ARN}) {
			t.Fatalf("RulesByTarget = %v, %v; want r1, r2 (once each)", arns, err)
		}
		if arns, _ := e.RulesByTarget(ctx, acct, region, "default", q, r1.ARN, 0); !slices.Equal(arns, []string{r2.ARN}) {
			t.Fatalf("RulesByTarget after r1 = %v", arns)
		}
		removed, err := e.RemoveTargets(ctx, r1.ARN, []string{"a", "zz"})
		if err != nil || !slices.Equal(removed, []string{"a"}) {
			t.Fatalf("RemoveTargets = %v, %v; want [a]", removed, err)
		}
	})

	t.Run("archives", func(t *testing.T) {
		e := eventsOf(t, fresh(t, open))
		a, b := bus(acct, region, "default"), bus(acct, region, "orders")
		mustCreate(t, e, a)
		mustCreate(t, e, b)
		eventArchives(t, e, a, b)
	})

	t.Run("archived events", func(t *testing.T) {
		e := eventsOf(t, fresh(t, open))
		a := bus(acct, region, "default")
		mustCreate(t, e, a)
		archivedEvents(t, e, a)
	})

	t.Run("archive and enqueue", func(t *testing.T) {
		be := fresh(t, open)
		e := eventsOf(t, be)
		need(t, be.Outbox != nil, "Outbox")
		a := bus(acct, region, "default")
		mustCreate(t, e, a)
		x, xr, xt := archive(a, "x", 0)
		if err := e.CreateArchive(ctx, x, xr, xt); err != nil {
			t.Fatal(err)
		}
		items := []store.OutboxItem{{Kind: "events.test", Version: 1, Account: acct, Region: region, Target: "arn:t", Payload: []byte("p"), NextAttempt: 1}}
		if err := e.ArchiveEvents(ctx, []store.ArchivedEvent{{ArchiveARN: x.ARN, ArchiveID: x.ID, Time: 1, Archived: 1, Event: []byte(`{}`)}}, items); err != nil {
			t.Fatal(err)
		}
		if items[0].ID == 0 {
			t.Errorf("the enqueued item has no id")
		}
		// Deliveries without events to archive are enqueued too.
		if err := e.ArchiveEvents(ctx, nil, []store.OutboxItem{items[0]}); err != nil {
			t.Fatal(err)
		}
		got, err := be.Outbox.ClaimOutbox(ctx, "events.test", 1, 2, 10)
		if err != nil || len(got) != 2 || string(got[0].Payload) != "p" {
			t.Fatalf("ClaimOutbox = %+v, %v; want the two items enqueued", got, err)
		}
		if arch, _ := e.Archive(ctx, x.ARN); arch.EventCount != 1 {
			t.Errorf("archive counts %d events; want 1", arch.EventCount)
		}
	})

	t.Run("replays", func(t *testing.T) {
		eventReplays(t, eventsOf(t, fresh(t, open)))
	})

	t.Run("connections and api destinations", func(t *testing.T) {
		eventConnections(t, eventsOf(t, fresh(t, open)))
	})

	t.Run("durable", func(t *testing.T) {
		a := bus(acct, region, "default")
		r := rule(a, "r", 4000)
		x := target(r, "t", "arn:aws:sns:us-east-1:111111111111:topic")
		ar, ar1, ar2 := archive(a, "keep", 0)
		ev := archived(ar, 5000, `{"id":"e1"}`)
		rp := replay(acct, "again", ar.ARN)
		e := eventsOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			e := eventsOf(t, b)
			mustCreate(t, e, a)
			mustPut(t, e, r, true)
			if err := e.PutTargets(ctx, r.ARN, []store.EventTarget{x}, 5); err != nil {
				t.Fatal(err)
			}
			if err := e.CreateArchive(ctx, ar, ar1, ar2); err != nil {
				t.Fatal(err)
			}
			if err := e.ArchiveEvents(ctx, []store.ArchivedEvent{ev}, nil); err != nil {
				t.Fatal(err, nil)
			}
			if err := e.StartReplay(ctx, rp, 10); err != nil {
				t.Fatal(err)
			}
		}))
		ar.EventCount, ar.SizeBytes = 1, int64(len(ev.Event))
		if got, err := e.Archive(ctx, ar.ARN); err != nil || !reflect.DeepEqual(*got, ar) {
			t.Fatalf("archive after reopening = %+v, %v; want %+v", got, err, ar)
		}
		ev.Seq = 1
		if got, err := e.ArchivedEvents(ctx, ar.ARN, 0, 0, 1<<62, 10); err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], ev) {
			t.Fatalf("archived events after reopening = %+v, %v; want %+v", got, err, ev)
		}
		if got, err := e.Replay(ctx, rp.ARN); err != nil || !reflect.DeepEqual(*got, rp) {
			t.Fatalf("replay after reopening = %+v, %v; want %+v", got, err, rp)
		}
		if got, err := e.Bus(ctx, a.ARN); err != nil || !reflect.DeepEqual(*got, a) {
			t.Fatalf("bus after reopening = %+v, %v", got, err)
		}
		if got, err := e.Rule(ctx, r.ARN); err != nil || !reflect.DeepEqual(*got, r) {
			t.Fatalf("rule after reopening = %+v, %v; want %+v", got, err, r)
		}
		if ts, err := e.Targets(ctx, r.ARN, "", 0); err != nil || len(ts) != 1 || !reflect.DeepEqual(ts[0], x) {
			t.Fatalf("targets after reopening = %+v, %v", ts, err)
		}
	})
}

// archive returns an archive of bus named name, with its rule and the
// rule's target.
func archive(bus store.EventBus, name string, retentionDays int) (store.EventArchive, store.EventRule, store.EventTarget) {
	prefix := "arn:aws:events:" + bus.Region + ":" + bus.Account + ":"
	a := store.EventArchive{ARN: prefix + "archive/" + name, Account: bus.Account, Region: bus.Region, Name: name, ID: name + "-id",
		BusARN: bus.ARN, RuleARN: prefix + "rule/" + bus.Name + "/Events-Archive-" + name, RetentionDays: retentionDays,
		Attributes: []byte(`{"description":"` + name + `"}`), Created: 1000}
	r := store.EventRule{ARN: a.RuleARN, Account: bus.Account, Region: bus.Region, Bus: bus.Name, Name: "Events-Archive-" + name,
		Enabled: true, Definition: []byte(`{"archive":"` + name + `"}`), Created: 1000}
	return a, r, store.EventTarget{RuleARN: r.ARN, ID: r.Name, ARN: "arn:aws:events:" + bus.Region + ":::", Definition: []byte(`{}`)}
}

// archived returns an event of archive a at time t, archived at t.
func archived(a store.EventArchive, t int64, event string) store.ArchivedEvent {
	return store.ArchivedEvent{ArchiveARN: a.ARN, ArchiveID: a.ID, Time: t, Archived: t, Event: []byte(event)}
}

// eventArchives checks archives, on the buses a and b of one account.
func eventArchives(t *testing.T, e store.Events, a, b store.EventBus) {
	ctx := context.Background()
	x, xr, xt := archive(a, "x", 0)
	if err := e.CreateArchive(ctx, x, xr, xt); err != nil {
		t.Fatalf("CreateArchive: %v", err)
	}
	if got, err := e.Archive(ctx, x.ARN); err != nil || !reflect.DeepEqual(*got, x) {
		t.Fatalf("Archive = %+v, %v; want %+v", got, err, x)
	}
	if got, err := e.Rule(ctx, xr.ARN); err != nil || !reflect.DeepEqual(*got, xr) {
		t.Fatalf("the archive's rule = %+v, %v; want %+v", got, err, xr)
	}
	if ts, err := e.Targets(ctx, xr.ARN, "", 0); err != nil || len(ts) != 1 || !reflect.DeepEqual(ts[0], xt) {
		t.Fatalf("the archive's rule's targets = %+v, %v", ts, err)
	}
	if err := e.CreateArchive(ctx, x, xr, xt); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateArchive twice: %v; want ErrExists", err)
	}
	// Another archive whose rule is taken, or whose bus does not exist, is
	// not created, nor is its rule.
	y, _, _ := archive(a, "y", 0)
	if err := e.CreateArchive(ctx, y, xr, xt); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateArchive with a rule that exists: %v; want ErrExists", err)
	}
	none := store.EventBus{Account: a.Account, Region: a.Region, Name: "none", ARN: a.ARN + "-none"}
	z, zr, zt := archive(none, "z", 0)
	if err := e.CreateArchive(ctx, z, zr, zt); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CreateArchive on no bus: %v; want ErrNotFound", err)
	}
	for _, arn := range []string{y.ARN, z.ARN} {
		if _, err := e.Archive(ctx, arn); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Archive(%s) after a refused create: %v", arn, err)
		}
	}
	if _, err := e.Rule(ctx, zr.ARN); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the rule of a refused archive: %v", err)
	}
	w, wr, wt := archive(b, "w", 3)
	other, or, ot := archive(store.EventBus{Account: "222222222222", Region: a.Region, Name: "default",
		ARN: "arn:aws:events:" + a.Region + ":222222222222:event-bus/default"}, "x", 0)
	if err := e.CreateArchive(ctx, w, wr, wt); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateArchive(ctx, other, or, ot); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CreateArchive on another account's bus that does not exist: %v", err)
	}
	names := func(prefix, busARN, after string, limit int) []string {
		t.Helper()
		as, err := e.Archives(ctx, a.Account, a.Region, prefix, busARN, after, limit)
		if err != nil {
			t.Fatalf("Archives: %v", err)
		}
		var out []string
		for _, x := range as {
			out = append(out, x.Name)
		}
		return out
	}
	for _, c := range []struct {
		prefix, bus, after string
		limit              int
		want               []string
	}{
		{"", "", "", 0, []string{"w", "x"}},
		{"w", "", "", 0, []string{"w"}},
		{"", a.ARN, "", 0, []string{"x"}},
		{"", "", "", 1, []string{"w"}},
		{"", "", "w", 1, []string{"x"}},
	} {
		if got := names(c.prefix, c.bus, c.after, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("Archives(prefix %q, bus %q, after %q, limit %d) = %v; want %v", c.prefix, c.bus, c.after, c.limit, got, c.want)
		}
	}
	if as, _ := e.Archives(ctx, "222222222222", a.Region, "", "", "", 0); len(as) != 0 {
		t.Fatalf("another account's archives: %+v", as)
	}

	// UpdateArchive changes the attributes, the retention and the rule's
	// definition, or nothing when its update fails.
	if err := e.UpdateArchive(ctx, x.ARN, func(got *store.EventArchive) ([]byte, error) {
		if !reflect.DeepEqual(*got, x) {
			return nil, fmt.Errorf("UpdateArchive gave %+v to update; want %+v", *got, x)
		}
		got.Attributes, got.RetentionDays, got.Created = []byte(`{"description":"new"}`), 7, 1
		return []byte(`{"new":true}`), nil
	}); err != nil {
		t.Fatal(err)
	}
	x.Attributes, x.RetentionDays = []byte(`{"description":"new"}`), 7
	if got, _ := e.Archive(ctx, x.ARN); !reflect.DeepEqual(*got, x) {
		t.Fatalf("after UpdateArchive: %+v; want %+v (Created kept)", got, x)
	}
	if got, _ := e.Rule(ctx, xr.ARN); string(got.Definition) != `{"new":true}` {
		t.Fatalf("the rule after UpdateArchive: %s", got.Definition)
	}
	refused := errors.New("refused")
	if err := e.UpdateArchive(ctx, x.ARN, func(got *store.EventArchive) ([]byte, error) {
		got.RetentionDays = 1
		return nil, refused
	}); !errors.Is(err, refused) {
		t.Fatalf("UpdateArchive whose update fails: %v", err)
	}
	if got, _ := e.Archive(ctx, x.ARN); got.RetentionDays != 7 {
		t.Fatalf("a failed UpdateArchive changed the archive: %+v", got)
	}
	if err := e.UpdateArchive(ctx, y.ARN, func(*store.EventArchive) ([]byte, error) { return nil, nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateArchive of none: %v", err)
	}

	// DeleteArchive deletes the archive, its events and its rule.
	if err := e.ArchiveEvents(ctx, []store.ArchivedEvent{archived(x, 1, `{}`)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteArchive(ctx, x.ARN); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteArchive(ctx, x.ARN); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteArchive twice: %v; want ErrNotFound", err)
	}
	if _, err := e.Rule(ctx, xr.ARN); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the rule of a deleted archive: %v", err)
	}
	// Created again under its name, it has none of the old events.
	if err := e.CreateArchive(ctx, x, xr, xt); err != nil {
		t.Fatal(err)
	}
	if evs, _ := e.ArchivedEvents(ctx, x.ARN, 0, 0, 1<<62, 10); len(evs) != 0 {
		t.Fatalf("events of an archive created again: %+v", evs)
	}
	// A bus is deleted with its archives.
	if err := e.DeleteBus(ctx, b.ARN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Archive(ctx, w.ARN); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the archive of a deleted bus: %v", err)
	}
}

// archivedEvents checks the events of archives of the bus a.
func archivedEvents(t *testing.T, e store.Events, a store.EventBus) {
	ctx := context.Background()
	x, xr, xt := archive(a, "x", 0)
	if err := e.CreateArchive(ctx, x, xr, xt); err != nil {
		t.Fatal(err)
	}
	y, yr, yt := archive(a, "y", 1)
	if err := e.CreateArchive(ctx, y, yr, yt); err != nil {
		t.Fatal(err)
	}
	stale := archived(x, 100, `{"stale":1}`)
	stale.ArchiveID = "an archive deleted since"
	gone := archived(x, 100, `{}`)
	gone.ArchiveARN += "-gone"
	evs := []store.ArchivedEvent{
		archived(x, 300, `{"n":1}`), archived(x, 100, `{"n":2}`), archived(y, 200, `{"n":3}`), stale, gone,
		archived(x, 300, `{"n":4}`), archived(x, 200, `{"n":5}`),
	}
	if err := e.ArchiveEvents(ctx, evs, nil); err != nil {
		t.Fatalf("ArchiveEvents: %v", err)
	}
	got, _ := e.Archive(ctx, x.ARN)
	if size := int64(len(`{"n":1}`) * 4); got.EventCount != 4 || got.SizeBytes != size {
		t.Fatalf("archive x counts %d events, %d bytes; want 4, %d", got.EventCount, got.SizeBytes, size)
	}
	read := func(afterTime, afterSeq, before int64, limit int) []string {
		t.Helper()
		evs, err := e.ArchivedEvents(ctx, x.ARN, afterTime, afterSeq, before, limit)
		if err != nil {
			t.Fatalf("ArchivedEvents: %v", err)
		}
		var out []string
		for _, ev := range evs {
			if ev.ArchiveARN != x.ARN || ev.ArchiveID != x.ID {
				t.Fatalf("an event of %s is of %s, %s", x.ARN, ev.ArchiveARN, ev.ArchiveID)
			}
			out = append(out, fmt.Sprintf("%d/%d %s", ev.Time, ev.Seq, ev.Event))
		}
		return out
	}
	// Seq numbers each archive's events in the order they were archived.
	all := []string{`100/2 {"n":2}`, `200/4 {"n":5}`, `300/1 {"n":1}`, `300/3 {"n":4}`}
	for _, c := range []struct {
		afterTime, afterSeq, before int64
		limit                       int
		want                        []string
	}{
		{0, 0, 1000, 10, all},
		{100, 0, 1000, 10, all},
		{100, 2, 1000, 10, all[1:]},
		{300, 1, 1000, 10, all[3:]},
		{0, 0, 300, 10, all[:2]},
		{0, 0, 1000, 1, all[:1]},
	} {
		if got := read(c.afterTime, c.afterSeq, c.before, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("ArchivedEvents(after %d/%d, before %d, limit %d) = %v; want %v", c.afterTime, c.afterSeq, c.before, c.limit, got, c.want)
		}
	}

	// Retention: y keeps an event one day after archiving it; x, for
	// ever.
	const day = 24 * 60 * 60 * 1000
	later := archived(y, 50, `{"n":6}`)
	later.Archived = 200 + day
	if err := e.ArchiveEvents(ctx, []store.ArchivedEvent{later}, nil); err != nil {
		t.Fatal(err, nil)
	}
	if n, err := e.ExpireArchivedEvents(ctx, 200+day-1); err != nil || n != 0 {
		t.Fatalf("ExpireArchivedEvents before a day = %d, %v; want 0", n, err)
	}
	if n, err := e.ExpireArchivedEvents(ctx, 200+day); err != nil || n != 1 {
		t.Fatalf("ExpireArchivedEvents after a day = %d, %v; want 1", n, err)
	}
	got, _ = e.Archive(ctx, y.ARN)
	if got.EventCount != 1 || got.SizeBytes != int64(len(later.Event)) {
		t.Fatalf("archive y after expiry counts %d events, %d bytes; want 1, %d", got.EventCount, got.SizeBytes, len(later.Event))
	}
	if evs, _ := e.ArchivedEvents(ctx, y.ARN, 0, 0, 1000, 10); len(evs) != 1 || string(evs[0].Event) != `{"n":6}` {
		t.Fatalf("events of y after expiry: %+v", evs)
	}
	if got := read(0, 0, 1000, 10); !slices.Equal(got, all) {
		t.Fatalf("events of x, kept for ever, after expiry: %v", got)
	}
}

// replay returns a replay of an account's archive, STARTING.
func replay(account, name, archiveARN string) store.EventReplay {
	return store.EventReplay{ARN: "arn:aws:events:us-east-1:" + account + ":replay/" + name, Account: account, Region: "us-east-1",
		Name: name, ArchiveARN: archiveARN, Definition: []byte(`{"name":"` + name + `"}`), EventStart: 100, EventEnd: 900, Started: 50,
		ReplayProgress: store.ReplayProgress{State: store.ReplayStarting, CursorTime: 100}}
}

// eventReplays checks replays.
func eventReplays(t *testing.T, e store.Events) {
	ctx := context.Background()
	const acct, archiveA, archiveB = "111111111111", "arn:aws:events:us-east-1:111111111111:archive/a",
		"arn:aws:events:us-east-1:111111111111:archive/b"
	a := replay(acct, "a-one", archiveA)
	if err := e.StartReplay(ctx, a, 2); err != nil {
		t.Fatalf("StartReplay: %v", err)
	}
	if got, err := e.Replay(ctx, a.ARN); err != nil || !reflect.DeepEqual(*got, a) {
		t.Fatalf("Replay = %+v, %v; want %+v", got, err, a)
	}
	if err := e.StartReplay(ctx, a, 2); !errors.Is(err, store.ErrExists) {
		t.Fatalf("StartReplay twice: %v; want ErrExists", err)
	}
	b := replay(acct, "b-two", archiveB)
	b.Started = 40
	if err := e.StartReplay(ctx, b, 2); err != nil {
		t.Fatal(err)
	}
	c := replay(acct, "c-three", archiveA)
	if err := e.StartReplay(ctx, c, 2); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("a third replay under way of 2: %v; want ErrLimit", err)
	}
	if err := e.StartReplay(ctx, replay("222222222222", "c-three", archiveA), 2); err != nil {
		t.Fatalf("another account's replay: %v", err)
	}

	// AdvanceReplay moves a replay on from the progress read, once.
	running := a.ReplayProgress
	running.State, running.CursorTime, running.CursorSeq, running.LastReplayed = store.ReplayRunning, 300, 7, 300
	if ok, err := e.AdvanceReplay(ctx, a.ARN, a.ReplayProgress, running); err != nil || !ok {
		t.Fatalf("AdvanceReplay = %v, %v; want true", ok, err)
	}
	if ok, err := e.AdvanceReplay(ctx, a.ARN, a.ReplayProgress, running); err != nil || ok {
		t.Fatalf("AdvanceReplay from a stale progress = %v, %v; want false", ok, err)
	}
	if ok, err := e.AdvanceReplay(ctx, a.ARN+"x", a.ReplayProgress, running); err != nil || ok {
		t.Fatalf("AdvanceReplay of none = %v, %v; want false", ok, err)
	}
	a.ReplayProgress = running
	if got, _ := e.Replay(ctx, a.ARN); !reflect.DeepEqual(*got, a) {
		t.Fatalf("after AdvanceReplay: %+v; want %+v", got, a)
	}

	// CancelReplay: a running replay is cancelling, which frees its
	// place under way; then it cannot be cancelled again.
	got, err := e.CancelReplay(ctx, a.ARN)
	if err != nil || got.State != store.ReplayCancelling || got.CursorSeq != 7 {
		t.Fatalf("CancelReplay = %+v, %v; want it CANCELLING", got, err)
	}
	if _, err := e.CancelReplay(ctx, a.ARN); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CancelReplay of a cancelling replay: %v; want ErrNotFound", err)
	}
	if _, err := e.CancelReplay(ctx, a.ARN+"x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("CancelReplay of none: %v; want ErrNotFound", err)
	}
	if err := e.StartReplay(ctx, c, 2); err != nil {
		t.Fatalf("a replay when another is cancelling: %v", err)
	}
	done := c.ReplayProgress
	done.State, done.Ended = store.ReplayCompleted, 99
	if ok, err := e.AdvanceReplay(ctx, c.ARN, c.ReplayProgress, done); err != nil || !ok {
		t.Fatalf("AdvanceReplay to COMPLETED = %v, %v", ok, err)
	}

	active, err := e.ActiveReplays(ctx, 10)
	var arns []string
	for _, r := range active {
		arns = append(arns, r.ARN)
	}
	if want := []string{b.ARN, a.ARN, replay("222222222222", "c-three", archiveA).ARN}; err != nil || !slices.Equal(arns, want) {
		t.Fatalf("ActiveReplays = %v, %v; want %v (by start, CANCELLING included, COMPLETED not)", arns, err, want)
	}
	if active, _ := e.ActiveReplays(ctx, 1); len(active) != 1 {
		t.Fatalf("ActiveReplays limit 1 = %d replays", len(active))
	}
	names := func(prefix, archiveARN, state, after string, limit int) []string {
		t.Helper()
		rs, err := e.Replays(ctx, acct, "us-east-1", prefix, archiveARN, state, after, limit)
		if err != nil {
			t.Fatalf("Replays: %v", err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	for _, x := range []struct {
		prefix, archive, state, after string
		limit                         int
		want                          []string
	}{
		{"", "", "", "", 0, []string{"a-one", "b-two", "c-three"}},
		{"b", "", "", "", 0, []string{"b-two"}},
		{"", archiveA, "", "", 0, []string{"a-one", "c-three"}},
		{"", "", store.ReplayCompleted, "", 0, []string{"c-three"}},
		{"", "", "", "a-one", 1, []string{"b-two"}},
	} {
		if got := names(x.prefix, x.archive, x.state, x.after, x.limit); !slices.Equal(got, x.want) {
			t.Errorf("Replays(prefix %q, archive %q, state %q, after %q, limit %d) = %v; want %v",
				x.prefix, x.archive, x.state, x.after, x.limit, got, x.want)
		}
	}
}
