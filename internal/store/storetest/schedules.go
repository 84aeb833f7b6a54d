package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Schedules checks the backend's store.Schedules: groups created once per
// account, region and name, read, listed by prefix and paged, and deleted
// with their schedules; schedules created only in groups that exist and
// once per name, replaced keeping their creation time, listed by group
// and name with filters and a cursor across groups, deleted, found when
// due and advanced (or deleted) once by one caller; client tokens that
// make a write's replay a success that changes nothing, refuse their
// reuse with another request and are forgotten past their lifetime;
// accounts and regions apart; and all of it kept across a reopen.
func Schedules(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	schedulesOf := func(t *testing.T, b Backend) store.Schedules {
		t.Helper()
		need(t, b.Schedules != nil, "Schedules")
		return b.Schedules
	}
	group := func(account, region, name string) store.ScheduleGroup {
		return store.ScheduleGroup{Account: account, Region: region, Name: name,
			ARN: "arn:aws:scheduler:" + region + ":" + account + ":schedule-group/" + name, Created: 1000, Updated: 1000}
	}
	schedule := func(g store.ScheduleGroup, name string, due int64) store.Schedule {
		return store.Schedule{ARN: "arn:aws:scheduler:" + g.Region + ":" + g.Account + ":schedule/" + g.Name + "/" + name,
			Account: g.Account, Region: g.Region, Group: g.Name, Name: name, Enabled: due > 0,
			Definition: []byte(`{"expression":"rate(1 hour)","name":"` + name + `"}`), NextFire: due, Due: due, Created: 2000, Updated: 2000}
	}
	none := store.ClientToken{}
	mustGroup := func(t *testing.T, s store.Schedules, g store.ScheduleGroup) {
		t.Helper()
		if err := s.CreateScheduleGroup(ctx, g, none); err != nil {
			t.Fatalf("CreateScheduleGroup(%s): %v", g.ARN, err)
		}
	}
	mustCreate := func(t *testing.T, s store.Schedules, x store.Schedule) {
		t.Helper()
		if err := s.CreateSchedule(ctx, x, none); err != nil {
			t.Fatalf("CreateSchedule(%s): %v", x.ARN, err)
		}
	}
	names := func(t *testing.T, s store.Schedules, q store.ScheduleQuery) []string {
		t.Helper()
		xs, err := s.Schedules(ctx, q)
		if err != nil {
			t.Fatalf("Schedules(%+v): %v", q, err)
		}
		var out []string
		for _, x := range xs {
			out = append(out, x.Group+"/"+x.Name)
		}
		return out
	}

	t.Run("groups", func(t *testing.T) {
		s := schedulesOf(t, fresh(t, open))
		a, b, other := group(acct, region, "orders"), group(acct, region, "audit"), group("222222222222", region, "orders")
		for _, g := range []store.ScheduleGroup{a, b, other, group(acct, "eu-west-1", "orders")} {
			mustGroup(t, s, g)
		}
		if err := s.CreateScheduleGroup(ctx, a, none); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateScheduleGroup twice: %v; want ErrExists", err)
		}
		got, err := s.ScheduleGroup(ctx, a.ARN)
		if err != nil || !reflect.DeepEqual(*got, a) {
			t.Fatalf("ScheduleGroup = %+v, %v; want %+v", got, err, a)
		}
		list, err := s.ScheduleGroups(ctx, acct, region, "", "", 0)
		if err != nil || len(list) != 2 || list[0].Name != "audit" || list[1].Name != "orders" {
			t.Fatalf("ScheduleGroups = %+v, %v; want audit, orders", list, err)
		}
		if list, _ := s.ScheduleGroups(ctx, acct, region, "or", "", 0); len(list) != 1 || list[0].Name != "orders" {
			t.Fatalf("ScheduleGroups prefix or = %+v", list)
		}
		if list, _ := s.ScheduleGroups(ctx, acct, region, "", "audit", 1); len(list) != 1 || list[0].Name != "orders" {
			t.Fatalf("ScheduleGroups after audit = %+v", list)
		}
		mustCreate(t, s, schedule(a, "s1", 5000))
		if err := s.DeleteScheduleGroup(ctx, a.ARN, none); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteScheduleGroup(ctx, a.ARN, none); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteScheduleGroup twice: %v; want ErrNotFound", err)
		}
		if _, err := s.Schedule(ctx, schedule(a, "s1", 0).ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("schedule after its group's delete: %v", err)
		}
		if due, _ := s.DueSchedules(ctx, 9000, 10); len(due) != 0 {
			t.Fatalf("a deleted group's schedule is due: %+v", due)
		}
		// A group created again under the name has none of the old
		// schedules.
		mustGroup(t, s, a)
		if got := names(t, s, store.ScheduleQuery{Account: acct, Region: region, Group: "orders"}); len(got) != 0 {
			t.Fatalf("schedules of a recreated group: %v", got)
		}
		if got, _ := s.ScheduleGroup(ctx, other.ARN); got == nil {
			t.Fatal("another account's group was deleted")
		}
	})

	t.Run("schedules", func(t *testing.T) {
		s := schedulesOf(t, fresh(t, open))
		a, b := group(acct, region, "default"), group(acct, region, "orders")
		mustGroup(t, s, a)
		mustGroup(t, s, b)
		if err := s.CreateSchedule(ctx, schedule(group(acct, region, "none"), "x", 0), none); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("CreateSchedule in no group: %v; want ErrNotFound", err)
		}
		for _, n := range []string{"b-one", "a-one", "c-off"} {
			due := int64(5000)
			if n == "c-off" {
				due = 0
			}
			mustCreate(t, s, schedule(a, n, due))
		}
		mustCreate(t, s, schedule(b, "a-one", 7000))
		elsewhere := group("222222222222", region, "default")
		mustGroup(t, s, elsewhere)
		mustCreate(t, s, schedule(elsewhere, "a-one", 7000))
		if err := s.CreateSchedule(ctx, schedule(a, "a-one", 1), none); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateSchedule twice: %v; want ErrExists", err)
		}
		want := schedule(a, "a-one", 5000)
		got, err := s.Schedule(ctx, want.ARN)
		if err != nil || !reflect.DeepEqual(*got, want) {
			t.Fatalf("Schedule = %+v, %v; want %+v", got, err, want)
		}
		all := store.ScheduleQuery{Account: acct, Region: region}
		if got := names(t, s, all); !slices.Equal(got, []string{"default/a-one", "default/b-one", "default/c-off", "orders/a-one"}) {
			t.Fatalf("Schedules = %v", got)
		}
		q := all
		q.Group = "default"
		q.Prefix = "a"
		if got := names(t, s, q); !slices.Equal(got, []string{"default/a-one"}) {
			t.Fatalf("Schedules of default, prefix a = %v", got)
		}
		q = all
		q.AfterGroup, q.AfterName, q.Limit = "default", "c-off", 1
		if got := names(t, s, q); !slices.Equal(got, []string{"orders/a-one"}) {
			t.Fatalf("Schedules after default/c-off = %v", got)
		}
		q = all
		q.Enabled = new(bool)
		if got := names(t, s, q); !slices.Equal(got, []string{"default/c-off"}) {
			t.Fatalf("disabled Schedules = %v", got)
		}
		*q.Enabled = true
		q.Limit = 2
		if got := names(t, s, q); !slices.Equal(got, []string{"default/a-one", "default/b-one"}) {
			t.Fatalf("enabled Schedules, 2 = %v", got)
		}

		up := want
		up.Definition, up.Enabled, up.NextFire, up.Due, up.Created, up.Updated = []byte(`{"state":"DISABLED"}`), false, 0, 0, 9999, 3000
		if err := s.UpdateSchedule(ctx, up, none); err != nil {
			t.Fatal(err)
		}
		up.Created = want.Created
		if got, _ := s.Schedule(ctx, want.ARN); !reflect.DeepEqual(*got, up) {
			t.Fatalf("updated schedule = %+v; want %+v (created kept)", got, up)
		}
		missing := schedule(a, "missing", 1)
		if err := s.UpdateSchedule(ctx, missing, none); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UpdateSchedule of none: %v; want ErrNotFound", err)
		}
		if err := s.DeleteSchedule(ctx, want.ARN, none); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSchedule(ctx, want.ARN, none); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteSchedule twice: %v; want ErrNotFound", err)
		}
	})

	t.Run("due schedules", func(t *testing.T) {
		b := fresh(t, open)
		s := schedulesOf(t, b)
		a := group(acct, region, "default")
		mustGroup(t, s, a)
		mustCreate(t, s, schedule(a, "late", 5000))
		mustCreate(t, s, schedule(a, "early", 3000))
		mustCreate(t, s, schedule(a, "future", 90000))
		mustCreate(t, s, schedule(a, "off", 0))
		elsewhere := group("222222222222", "eu-west-1", "default")
		mustGroup(t, s, elsewhere)
		mustCreate(t, s, schedule(elsewhere, "elsewhere", 4000))
		due, err := s.DueSchedules(ctx, 5000, 10)
		if err != nil || len(due) != 3 || due[0].Name != "early" || due[1].Name != "elsewhere" || due[2].Name != "late" {
			t.Fatalf("DueSchedules(5000) = %+v, %v; want early, elsewhere, late", due, err)
		}
		if due, _ := s.DueSchedules(ctx, 5000, 1); len(due) != 1 {
			t.Fatalf("DueSchedules limit 1 = %d schedules", len(due))
		}
		early := due[0]
		invocation := func() []store.OutboxItem {
			return []store.OutboxItem{{Kind: "schedule.test", Version: 1, Account: acct, Region: region, Target: early.ARN, Payload: []byte("i"), NextAttempt: 3000}}
		}
		adv := store.ScheduleAdvance{ARN: early.ARN, FromNext: 3000, FromDue: 3000, Next: 63000, Due: 70000, Outbox: invocation()}
		if ok, err := s.AdvanceSchedule(ctx, adv); err != nil || !ok {
			t.Fatalf("AdvanceSchedule = %v, %v; want true", ok, err)
		}
		if adv.Outbox[0].ID == 0 {
			t.Errorf("the advance's outbox item has no id")
		}
		adv.Outbox = invocation()
		if ok, err := s.AdvanceSchedule(ctx, adv); err != nil || ok {
			t.Fatalf("AdvanceSchedule from stale times = %v, %v; want false", ok, err)
		}
		// The advance that happened enqueued its item; the other did not.
		need(t, b.Outbox != nil, "Outbox")
		items, err := b.Outbox.ClaimOutbox(ctx, "schedule.test", 3000, 4000, 10)
		if err != nil || len(items) != 1 || items[0].Target != early.ARN || string(items[0].Payload) != "i" {
			t.Fatalf("ClaimOutbox after the advances = %+v, %v; want the one item of the advance made", items, err)
		}
		if got, _ := s.Schedule(ctx, early.ARN); got.NextFire != 63000 || got.Due != 70000 {
			t.Fatalf("advanced schedule = %+v", got)
		}
		if ok, err := s.AdvanceSchedule(ctx, store.ScheduleAdvance{ARN: early.ARN + "x", FromNext: 63000, FromDue: 70000}); err != nil || ok {
			t.Fatalf("AdvanceSchedule of no schedule = %v, %v; want false", ok, err)
		}
		// A schedule changed since it was read is not advanced.
		late := schedule(a, "late", 5000)
		changed := late
		changed.NextFire, changed.Due = 5000, 6000
		if err := s.UpdateSchedule(ctx, changed, none); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.AdvanceSchedule(ctx, store.ScheduleAdvance{ARN: late.ARN, FromNext: 5000, FromDue: 5000, Next: 1, Due: 1}); err != nil || ok {
			t.Fatalf("AdvanceSchedule of a changed schedule = %v, %v; want false", ok, err)
		}
		// A completed schedule is deleted by its last advance, once.
		del := store.ScheduleAdvance{ARN: late.ARN, FromNext: 5000, FromDue: 6000, Delete: true}
		if ok, err := s.AdvanceSchedule(ctx, del); err != nil || !ok {
			t.Fatalf("AdvanceSchedule deleting = %v, %v; want true", ok, err)
		}
		if ok, err := s.AdvanceSchedule(ctx, del); err != nil || ok {
			t.Fatalf("AdvanceSchedule deleting twice = %v, %v; want false", ok, err)
		}
		if _, err := s.Schedule(ctx, late.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("schedule after its deleting advance: %v", err)
		}
		if due, _ := s.DueSchedules(ctx, 9000, 10); len(due) != 1 || due[0].Name != "elsewhere" {
			t.Fatalf("DueSchedules after advancing = %+v", due)
		}
	})

	t.Run("client tokens", func(t *testing.T) {
		s := schedulesOf(t, fresh(t, open))
		a := group(acct, region, "default")
		tok := func(op, token, fingerprint string, at int64) store.ClientToken {
			return store.ClientToken{Account: acct, Region: region, Operation: op, Token: token, Fingerprint: fingerprint,
				At: at, Expired: at - 1000}
		}
		if err := s.CreateScheduleGroup(ctx, a, tok("CreateScheduleGroup", "t1", "default", 100)); err != nil {
			t.Fatal(err)
		}
		// The replay succeeds; a creation without the token, or with
		// another, does not.
		if err := s.CreateScheduleGroup(ctx, a, tok("CreateScheduleGroup", "t1", "default", 200)); err != nil {
			t.Fatalf("replayed CreateScheduleGroup: %v; want nil", err)
		}
		if err := s.CreateScheduleGroup(ctx, a, tok("CreateScheduleGroup", "t2", "default", 200)); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateScheduleGroup with another token: %v; want ErrExists", err)
		}
		if err := s.CreateScheduleGroup(ctx, group(acct, region, "other"), tok("CreateScheduleGroup", "t1", "other", 200)); !errors.Is(err, store.ErrTokenReused) {
			t.Fatalf("token reused for another request: %v; want ErrTokenReused", err)
		}
		if _, err := s.ScheduleGroup(ctx, group(acct, region, "other").ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the group of a refused token was created: %v", err)
		}
		// A token is of its operation, account and region.
		other := tok("CreateScheduleGroup", "t1", "other", 200)
		other.Account = "222222222222"
		if err := s.CreateScheduleGroup(ctx, group("222222222222", region, "other"), other); err != nil {
			t.Fatalf("another account's token: %v", err)
		}
		x := schedule(a, "x", 5000)
		if err := s.CreateSchedule(ctx, x, tok("CreateSchedule", "t1", "x", 300)); err != nil {
			t.Fatalf("CreateSchedule with an other operation's token: %v", err)
		}
		if err := s.DeleteSchedule(ctx, x.ARN, tok("DeleteSchedule", "d1", "x", 400)); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSchedule(ctx, x.ARN, tok("DeleteSchedule", "d1", "x", 500)); err != nil {
			t.Fatalf("replayed DeleteSchedule: %v; want nil", err)
		}
		// A replayed creation changes nothing, even of what was deleted.
		if err := s.CreateSchedule(ctx, x, tok("CreateSchedule", "t1", "x", 600)); err != nil {
			t.Fatalf("replayed CreateSchedule: %v", err)
		}
		if _, err := s.Schedule(ctx, x.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a replay created the deleted schedule again: %v", err)
		}
		up := x
		up.Definition = []byte(`{"v":2}`)
		if err := s.UpdateSchedule(ctx, up, tok("UpdateSchedule", "u1", "x2", 700)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UpdateSchedule of none: %v; want ErrNotFound", err)
		}
		// A refused write records no token: its retry is made.
		mustCreate(t, s, x)
		if err := s.UpdateSchedule(ctx, up, tok("UpdateSchedule", "u1", "x2", 800)); err != nil {
			t.Fatalf("UpdateSchedule after a refused one: %v", err)
		}
		// Past its lifetime a token is forgotten.
		if err := s.DeleteSchedule(ctx, x.ARN, tok("DeleteSchedule", "d1", "x", 5000)); err != nil {
			t.Fatalf("DeleteSchedule with an expired token: %v", err)
		}
		if _, err := s.Schedule(ctx, x.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the expired token's delete was taken for a replay: %v", err)
		}
		if err := s.DeleteScheduleGroup(ctx, a.ARN, tok("DeleteScheduleGroup", "g1", "default", 5100)); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteScheduleGroup(ctx, a.ARN, tok("DeleteScheduleGroup", "g1", "default", 5200)); err != nil {
			t.Fatalf("replayed DeleteScheduleGroup: %v", err)
		}
	})

	t.Run("durable", func(t *testing.T) {
		a := group(acct, region, "default")
		x := schedule(a, "x", 5000)
		s := schedulesOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			s := schedulesOf(t, b)
			mustGroup(t, s, a)
			mustCreate(t, s, x)
		}))
		if got, err := s.ScheduleGroup(ctx, a.ARN); err != nil || !reflect.DeepEqual(*got, a) {
			t.Fatalf("group after reopen = %+v, %v", got, err)
		}
		if got, err := s.Schedule(ctx, x.ARN); err != nil || !reflect.DeepEqual(*got, x) {
			t.Fatalf("schedule after reopen = %+v, %v", got, err)
		}
	})
}
