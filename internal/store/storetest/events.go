package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Events checks the backend's store.Events: buses created once per
// account, region and name, read, listed by prefix and paged, their
// attributes replaced, and deleted with their rules and targets; rules
// put only on buses that exist, replaced keeping their targets and
// creation time, listed per bus, deleted only without targets, and found
// when due, advanced once by one caller; targets put up to a maximum,
// replaced by id, removed, listed and found by ARN; accounts, regions
// and buses apart; and all of it kept across a reopen.
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
		if err := e.SetBusAttributes(ctx, a.ARN, []byte(`{"Policy":"x"}`), 3000); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Bus(ctx, a.ARN); string(got.Attributes) != `{"Policy":"x"}` || got.Updated != 3000 || got.Created != 1000 {
			t.Fatalf("after SetBusAttributes: %+v", got)
		}
		if err := e.SetBusAttributes(ctx, a.ARN+"x", nil, 1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SetBusAttributes of none: %v", err)
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

	t.Run("durable", func(t *testing.T) {
		a := bus(acct, region, "default")
		r := rule(a, "r", 4000)
		x := target(r, "t", "arn:aws:sns:us-east-1:111111111111:topic")
		e := eventsOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			e := eventsOf(t, b)
			mustCreate(t, e, a)
			mustPut(t, e, r, true)
			if err := e.PutTargets(ctx, r.ARN, []store.EventTarget{x}, 5); err != nil {
				t.Fatal(err)
			}
		}))
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
