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

// Alarms checks the backend's store.Alarms: alarms put, replaced, read,
// listed and deleted; state written apart from the configuration; history
// kept after deletions, ordered, filtered, paged and expired; accounts
// and regions apart; and all of it kept across a reopen.
func Alarms(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	alarmsOf := func(t *testing.T, b Backend) store.Alarms {
		t.Helper()
		need(t, b.Alarms != nil, "Alarms")
		return b.Alarms
	}
	alarm := func(account, region, name, typ string) store.Alarm {
		return store.Alarm{Account: account, Region: region, Name: name, ARN: "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + name,
			Type: typ, Definition: []byte(`{"MetricName":"CPU","Threshold":` + fmt.Sprint(len(name)) + `}`), ActionsEnabled: true,
			State: "INSUFFICIENT_DATA", StateReason: "Unchecked: Initial alarm creation", StateUpdated: 1000, StateTransitioned: 1000,
			ConfigUpdated: 1000}
	}
	item := func(account, region, name, typ string, ts int64, itemType, summary string) store.AlarmHistoryItem {
		return store.AlarmHistoryItem{Account: account, Region: region, AlarmName: name, AlarmType: typ, Timestamp: ts, Type: itemType,
			Summary: summary, Data: `{"summary":"` + summary + `"}`}
	}
	put := func(t *testing.T, s store.Alarms, a store.Alarm, history ...store.AlarmHistoryItem) {
		t.Helper()
		if _, err := s.PutAlarm(ctx, a, history...); err != nil {
			t.Fatalf("PutAlarm(%s): %v", a.Name, err)
		}
	}
	// putCreates puts and checks whether the alarm was created.
	putCreates := func(t *testing.T, s store.Alarms, a store.Alarm, want bool) {
		t.Helper()
		created, err := s.PutAlarm(ctx, a)
		if err != nil {
			t.Fatalf("PutAlarm(%s): %v", a.Name, err)
		}
		if created != want {
			t.Fatalf("PutAlarm(%s) created = %v; want %v", a.Name, created, want)
		}
	}
	read := func(t *testing.T, s store.Alarms, account, region, name string, want store.Alarm) {
		t.Helper()
		got, err := s.Alarm(ctx, account, region, name)
		if err != nil {
			t.Fatalf("Alarm(%s, %s, %s): %v", account, region, name, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Alarm(%s, %s, %s) =\n%+v\nwant\n%+v", account, region, name, *got, want)
		}
	}
	missing := func(t *testing.T, s store.Alarms, account, region, name string) {
		t.Helper()
		if got, err := s.Alarm(ctx, account, region, name); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Alarm(%s, %s, %s) = %+v, %v; want ErrNotFound", account, region, name, got, err)
		}
	}
	names := func(as []store.Alarm) []string {
		out := []string{}
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	listed := func(t *testing.T, s store.Alarms, q store.AlarmQuery, want ...string) {
		t.Helper()
		got, err := s.Alarms(ctx, q)
		if err != nil {
			t.Fatalf("Alarms(%+v): %v", q, err)
		}
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(names(got), want) {
			t.Errorf("Alarms(%+v) = %q; want %q", q, names(got), want)
		}
	}
	// summaries are the items' summaries, which the tests make unique.
	summaries := func(hs []store.AlarmHistoryItem) []string {
		out := []string{}
		for _, h := range hs {
			out = append(out, h.Summary)
		}
		return out
	}
	history := func(t *testing.T, s store.Alarms, q store.AlarmHistoryQuery) []store.AlarmHistoryItem {
		t.Helper()
		got, err := s.AlarmHistory(ctx, q)
		if err != nil {
			t.Fatalf("AlarmHistory(%+v): %v", q, err)
		}
		return got
	}
	historyIs := func(t *testing.T, s store.Alarms, q store.AlarmHistoryQuery, want ...string) {
		t.Helper()
		if want == nil {
			want = []string{}
		}
		if got := summaries(history(t, s, q)); !slices.Equal(got, want) {
			t.Errorf("AlarmHistory(%+v) = %q; want %q", q, got, want)
		}
	}

	t.Run("put, replace and read", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		missing(t, s, acct, region, "cpu")
		listed(t, s, store.AlarmQuery{Account: acct, Region: region})

		a := alarm(acct, region, "cpu", store.MetricAlarm)
		putCreates(t, s, a, true)
		// Evaluation reads nil when put nil.
		read(t, s, acct, region, "cpu", a)

		// Replacing writes the configuration and keeps the state.
		b := a
		b.ARN += "-2"
		b.Definition = []byte(`{"MetricName":"Memory"}`)
		b.ActionsEnabled = false
		b.State, b.StateReason, b.StateReasonData = "ALARM", "Threshold Crossed", `{"version":"1.0"}`
		b.StateUpdated, b.StateTransitioned, b.ConfigUpdated = 3000, 2000, 4000
		b.Evaluation = []byte{0, 1, 2, 0xff}
		putCreates(t, s, b, false)
		want := a
		want.ARN, want.Definition, want.ActionsEnabled, want.ConfigUpdated = b.ARN, b.Definition, false, 4000
		read(t, s, acct, region, "cpu", want)

		// A state written since is kept too.
		if err := s.SetAlarmState(ctx, acct, region, "cpu", "ALARM", "why", "", 5000, 5000, []byte{7}, nil); err != nil {
			t.Fatalf("SetAlarmState: %v", err)
		}
		putCreates(t, s, a, false)
		want = a
		want.State, want.StateReason, want.StateUpdated, want.StateTransitioned, want.Evaluation = "ALARM", "why", 5000, 5000, []byte{7}
		read(t, s, acct, region, "cpu", want)

		// Created again after a delete, with the state given.
		if err := s.DeleteAlarms(ctx, acct, region, []string{"cpu"}); err != nil {
			t.Fatalf("DeleteAlarms: %v", err)
		}
		putCreates(t, s, a, true)
		read(t, s, acct, region, "cpu", a)

		// Actions are switched without touching the rest.
		if err := s.SetActionsEnabled(ctx, acct, region, []string{"cpu", "nosuch"}, false); err != nil {
			t.Fatalf("SetActionsEnabled: %v", err)
		}
		want = a
		want.ActionsEnabled = false
		read(t, s, acct, region, "cpu", want)
		if err := s.SetActionsEnabled(ctx, acct, region, []string{"cpu"}, true); err != nil {
			t.Fatalf("SetActionsEnabled: %v", err)
		}
		read(t, s, acct, region, "cpu", a)

		c := alarm(acct, region, "all", store.CompositeAlarm)
		c.Definition = []byte(`{"AlarmRule":"ALARM(cpu)"}`)
		put(t, s, c)
		read(t, s, acct, region, "all", c)
		listed(t, s, store.AlarmQuery{Account: acct, Region: region}, "all", "cpu")
	})

	t.Run("listing", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		// Byte order: upper case before lower case, "-" before letters, a
		// prefix before its extensions.
		for _, n := range []string{"web", "db", "Web", "db-1", "db-10", "d", "web-latency"} {
			put(t, s, alarm(acct, region, n, store.MetricAlarm))
		}
		comp := alarm(acct, region, "db-composite", store.CompositeAlarm)
		comp.State = "ALARM"
		put(t, s, comp)
		ok := alarm(acct, region, "web-ok", store.MetricAlarm)
		ok.State = "OK"
		put(t, s, ok)
		// Other accounts and regions are not listed.
		put(t, s, alarm("222222222222", region, "db-other", store.MetricAlarm))
		put(t, s, alarm(acct, "eu-west-1", "db-other", store.MetricAlarm))

		all := []string{"Web", "d", "db", "db-1", "db-10", "db-composite", "web", "web-latency", "web-ok"}
		q := store.AlarmQuery{Account: acct, Region: region}
		listed(t, s, q, all...)

		byNames := q
		byNames.Names = []string{"web", "nope", "db-1", "Web"}
		listed(t, s, byNames, "Web", "db-1", "web")

		byPrefix := q
		byPrefix.NamePrefix = "db-"
		listed(t, s, byPrefix, "db-1", "db-10", "db-composite")
		byPrefix.NamePrefix = "w" // case-sensitive
		listed(t, s, byPrefix, "web", "web-latency", "web-ok")
		byPrefix.NamePrefix = "db-10"
		listed(t, s, byPrefix, "db-10")
		byPrefix.NamePrefix = "x"
		listed(t, s, byPrefix)

		byType := q
		byType.Types = []string{store.CompositeAlarm}
		listed(t, s, byType, "db-composite")
		byType.Types = []string{store.MetricAlarm, store.CompositeAlarm}
		listed(t, s, byType, all...)

		byState := q
		byState.State = "ALARM"
		listed(t, s, byState, "db-composite")
		byState.State = "INSUFFICIENT_DATA"
		byState.NamePrefix = "web"
		listed(t, s, byState, "web", "web-latency")

		combined := q
		combined.Names = []string{"db", "db-composite", "web-ok"}
		combined.NamePrefix = "db"
		combined.Types = []string{store.MetricAlarm}
		listed(t, s, combined, "db")

		// Paging by the last name of a page.
		var pages [][]string
		page := q
		page.Limit = 2
		for {
			got, err := s.Alarms(ctx, page)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				break
			}
			if len(got) > 2 {
				t.Fatalf("Alarms(%+v) returned %d alarms; want at most 2", page, len(got))
			}
			pages = append(pages, names(got))
			page.After = got[len(got)-1].Name
		}
		if got := slices.Concat(pages...); !slices.Equal(got, all) || len(pages) != 5 {
			t.Errorf("pages of 2 = %q; want %q in 5 pages", pages, all)
		}
		after := byPrefix
		after.NamePrefix = "web"
		after.After = "web-"
		listed(t, s, after, "web-latency", "web-ok")
	})

	t.Run("all alarms", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		var want []string
		for _, a := range []string{"111111111111", "222222222222"} {
			for _, r := range []string{"eu-west-1", "us-east-1"} {
				for _, n := range []string{"a", "b"} {
					want = append(want, a+"/"+r+"/"+n)
				}
			}
		}
		for _, k := range []string{"222222222222/us-east-1/b", "111111111111/us-east-1/a", "222222222222/eu-west-1/a", "111111111111/eu-west-1/b",
			"111111111111/eu-west-1/a", "222222222222/us-east-1/a", "111111111111/us-east-1/b", "222222222222/eu-west-1/b"} {
			var a, r, n string
			fmt.Sscanf(k, "%12s/%9s/%s", &a, &r, &n)
			put(t, s, alarm(a, r, n, store.MetricAlarm))
		}
		keys := func(as []store.Alarm) []string {
			out := []string{}
			for _, a := range as {
				out = append(out, a.Account+"/"+a.Region+"/"+a.Name)
			}
			return out
		}
		got, err := s.AllAlarms(ctx, store.AlarmKey{}, 0)
		if err != nil || !slices.Equal(keys(got), want) {
			t.Errorf("AllAlarms(from the first, no cap) = %q, %v; want %q", keys(got), err, want)
		}
		var paged []string
		var after store.AlarmKey
		for i := 0; ; i++ {
			got, err := s.AllAlarms(ctx, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || i > 10 {
				break
			}
			if len(got) > 3 {
				t.Fatalf("AllAlarms(%+v, 3) returned %d alarms", after, len(got))
			}
			paged = append(paged, keys(got)...)
			last := got[len(got)-1]
			after = store.AlarmKey{Account: last.Account, Region: last.Region, Name: last.Name}
		}
		if !slices.Equal(paged, want) {
			t.Errorf("AllAlarms by pages of 3 = %q; want %q", paged, want)
		}
		// A key between alarms: those after it.
		got, err = s.AllAlarms(ctx, store.AlarmKey{Account: "111111111111", Region: "us-east-1", Name: "a0"}, 2)
		if w := []string{"111111111111/us-east-1/b", "222222222222/eu-west-1/a"}; err != nil || !slices.Equal(keys(got), w) {
			t.Errorf("AllAlarms(after 111111111111/us-east-1/a0, 2) = %q, %v; want %q", keys(got), err, w)
		}
	})

	t.Run("delete", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		for _, n := range []string{"a", "b", "c"} {
			put(t, s, alarm(acct, region, n, store.MetricAlarm),
				item(acct, region, n, store.MetricAlarm, 100, store.HistoryConfigurationUpdate, "created "+n))
		}
		put(t, s, alarm("222222222222", region, "a", store.MetricAlarm))
		put(t, s, alarm(acct, "eu-west-1", "a", store.MetricAlarm))
		// Unknown names are ignored; nothing is no error.
		if err := s.DeleteAlarms(ctx, acct, region, []string{"a", "nope", "c"}); err != nil {
			t.Fatalf("DeleteAlarms: %v", err)
		}
		if err := s.DeleteAlarms(ctx, acct, region, nil); err != nil {
			t.Fatalf("DeleteAlarms(none): %v", err)
		}
		missing(t, s, acct, region, "a")
		missing(t, s, acct, region, "c")
		listed(t, s, store.AlarmQuery{Account: acct, Region: region}, "b")
		// Only the account's and region's.
		listed(t, s, store.AlarmQuery{Account: "222222222222", Region: region}, "a")
		listed(t, s, store.AlarmQuery{Account: acct, Region: "eu-west-1"}, "a")
		// The history of deleted alarms is kept.
		historyIs(t, s, store.AlarmHistoryQuery{Account: acct, Region: region}, "created a", "created b", "created c")
		historyIs(t, s, store.AlarmHistoryQuery{Account: acct, Region: region, AlarmName: "a"}, "created a")
		// Deleting again is no error.
		if err := s.DeleteAlarms(ctx, acct, region, []string{"a"}); err != nil {
			t.Fatalf("DeleteAlarms(deleted): %v", err)
		}
		// A new alarm of the same name sees the old history.
		put(t, s, alarm(acct, region, "a", store.MetricAlarm),
			item(acct, region, "a", store.MetricAlarm, 200, store.HistoryConfigurationUpdate, "created a again"))
		historyIs(t, s, store.AlarmHistoryQuery{Account: acct, Region: region, AlarmName: "a"}, "created a", "created a again")
	})

	t.Run("state", func(t *testing.T) {
		b := fresh(t, open)
		s := alarmsOf(t, b)
		need(t, b.Outbox != nil, "Outbox")
		a := alarm(acct, region, "cpu", store.MetricAlarm)
		a.ActionsEnabled = false
		put(t, s, a, item(acct, region, "cpu", store.MetricAlarm, 1000, store.HistoryConfigurationUpdate, "created"))
		action := func(payload string) []store.OutboxItem {
			return []store.OutboxItem{{Kind: "alarms.test", Version: 1, Account: acct, Region: region, Target: "arn:t", Payload: []byte(payload), NextAttempt: 5000}}
		}

		evaluation := []byte(`{"contributors":{"i-1":"ALARM"}}`)
		err := s.SetAlarmState(ctx, acct, region, "cpu", "ALARM", "Threshold Crossed", `{"version":"1.0"}`, 5000, 4000, evaluation, action("sent"),
			item(acct, region, "cpu", store.MetricAlarm, 5000, store.HistoryStateUpdate, "to ALARM"),
			item(acct, region, "cpu", store.MetricAlarm, 5000, store.HistoryAction, "action"))
		if err != nil {
			t.Fatalf("SetAlarmState: %v", err)
		}
		want := a
		want.State, want.StateReason, want.StateReasonData = "ALARM", "Threshold Crossed", `{"version":"1.0"}`
		want.StateUpdated, want.StateTransitioned, want.Evaluation = 5000, 4000, evaluation
		read(t, s, acct, region, "cpu", want)
		historyIs(t, s, store.AlarmHistoryQuery{Account: acct, Region: region}, "created", "to ALARM", "action")
		if err := s.AddAlarmHistory(ctx, item(acct, region, "cpu", store.MetricAlarm, 5500, store.HistoryAction, "action done")); err != nil {
			t.Fatalf("AddAlarmHistory: %v", err)
		}
		historyIs(t, s, store.AlarmHistoryQuery{Account: acct, Region: region, Type: store.HistoryAction}, "action", "action done")

		// An evaluation without engine state clears it.
		if err := s.SetAlarmState(ctx, acct, region, "cpu", "OK", "fine", "", 6000, 6000, nil, nil); err != nil {
			t.Fatalf("SetAlarmState: %v", err)
		}
		want.State, want.StateReason, want.StateReasonData = "OK", "fine", ""
		want.StateUpdated, want.StateTransitioned, want.Evaluation = 6000, 6000, nil
		read(t, s, acct, region, "cpu", want)

		// A missing alarm: ErrNotFound and no history written, in its
		// own account or region as in another.
		for _, k := range []store.AlarmKey{
			{Account: acct, Region: region, Name: "gone"},
			{Account: "222222222222", Region: region, Name: "cpu"},
			{Account: acct, Region: "eu-west-1", Name: "cpu"},
		} {
			err := s.SetAlarmState(ctx, k.Account, k.Region, k.Name, "ALARM", "x", "", 7000, 7000, nil, action("lost"),
				item(k.Account, k.Region, k.Name, store.MetricAlarm, 7000, store.HistoryStateUpdate, "lost"))
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SetAlarmState(%+v) = %v; want ErrNotFound", k, err)
			}
			historyIs(t, s, store.AlarmHistoryQuery{Account: k.Account, Region: k.Region, AlarmName: k.Name, Start: 7000})
		}
		read(t, s, acct, region, "cpu", want)
		// The state's actions were enqueued with it; the missing alarms'
		// were not.
		if items, err := b.Outbox.ClaimOutbox(ctx, "alarms.test", 9000, 10000, 10); err != nil || len(items) != 1 || string(items[0].Payload) != "sent" {
			t.Errorf("ClaimOutbox = %+v, %v; want the one action of the state set", items, err)
		}

		// A deleted alarm has no state to set.
		if err := s.DeleteAlarms(ctx, acct, region, []string{"cpu"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAlarmState(ctx, acct, region, "cpu", "ALARM", "x", "", 8000, 8000, nil, nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetAlarmState(deleted) = %v; want ErrNotFound", err)
		}
	})

	// fill writes a history of two metric alarms and a composite one,
	// with equal timestamps, across two writes per alarm, and items of
	// another account and region.
	fill := func(t *testing.T, s store.Alarms) {
		t.Helper()
		contributor := item(acct, region, "cpu", store.MetricAlarm, 200, store.HistoryContributorStateUpdate, "cpu contributor")
		contributor.ContributorID, contributor.ContributorAttributes = "c0ffee0123456789", `{"Host":"web-1"}`
		put(t, s, alarm(acct, region, "cpu", store.MetricAlarm),
			item(acct, region, "cpu", store.MetricAlarm, 100, store.HistoryConfigurationUpdate, "cpu created"),
			item(acct, region, "cpu", store.MetricAlarm, 200, store.HistoryStateUpdate, "cpu to ALARM"))
		put(t, s, alarm(acct, region, "mem", store.MetricAlarm),
			item(acct, region, "mem", store.MetricAlarm, 100, store.HistoryConfigurationUpdate, "mem created"))
		put(t, s, alarm(acct, region, "all", store.CompositeAlarm),
			item(acct, region, "all", store.CompositeAlarm, 150, store.HistoryConfigurationUpdate, "all created"))
		if err := s.SetAlarmState(ctx, acct, region, "cpu", "ALARM", "r", "", 200, 200, nil, nil,
			item(acct, region, "cpu", store.MetricAlarm, 200, store.HistoryAction, "cpu action"), contributor); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAlarmState(ctx, acct, region, "all", "ALARM", "r", "", 200, 200, nil, nil,
			item(acct, region, "all", store.CompositeAlarm, 200, store.HistoryStateUpdate, "all to ALARM")); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAlarmState(ctx, acct, region, "mem", "OK", "r", "", 300, 300, nil, nil,
			item(acct, region, "mem", store.MetricAlarm, 300, store.HistoryStateUpdate, "mem to OK")); err != nil {
			t.Fatal(err)
		}
		put(t, s, alarm("222222222222", region, "cpu", store.MetricAlarm),
			item("222222222222", region, "cpu", store.MetricAlarm, 200, store.HistoryConfigurationUpdate, "other account"))
		put(t, s, alarm(acct, "eu-west-1", "cpu", store.MetricAlarm),
			item(acct, "eu-west-1", "cpu", store.MetricAlarm, 200, store.HistoryConfigurationUpdate, "other region"))
	}
	// ascending is fill's history of acct and region, oldest first and,
	// at equal timestamps, in the order written.
	ascending := []string{"cpu created", "mem created", "all created", "cpu to ALARM", "cpu action", "cpu contributor", "all to ALARM", "mem to OK"}
	descending := slices.Clone(ascending)
	slices.Reverse(descending)
	base := store.AlarmHistoryQuery{Account: acct, Region: region}

	t.Run("history order", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		fill(t, s)
		items := history(t, s, base)
		if got := summaries(items); !slices.Equal(got, ascending) {
			t.Errorf("AlarmHistory(ascending) = %q; want %q", got, ascending)
		}
		for i := 1; i < len(items); i++ {
			if items[i].Timestamp == items[i-1].Timestamp && items[i].ID <= items[i-1].ID {
				t.Errorf("AlarmHistory: item %d has ID %d after ID %d at the same time; want IDs growing in the order written",
					i, items[i].ID, items[i-1].ID)
			}
		}
		if len(items) > 0 {
			want := item(acct, region, "cpu", store.MetricAlarm, 100, store.HistoryConfigurationUpdate, "cpu created")
			want.ID = items[0].ID
			if items[0] != want {
				t.Errorf("AlarmHistory: first item = %+v; want %+v", items[0], want)
			}
		}
		desc := base
		desc.Descending = true
		historyIs(t, s, desc, descending...)
	})

	t.Run("history filters", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		fill(t, s)
		q := base
		q.AlarmName = "cpu"
		historyIs(t, s, q, "cpu created", "cpu to ALARM", "cpu action", "cpu contributor")
		q.AlarmName = "nope"
		historyIs(t, s, q)

		q = base
		q.AlarmTypes = []string{store.CompositeAlarm}
		historyIs(t, s, q, "all created", "all to ALARM")
		q.AlarmTypes = []string{store.MetricAlarm}
		historyIs(t, s, q, "cpu created", "mem created", "cpu to ALARM", "cpu action", "cpu contributor", "mem to OK")
		q.AlarmTypes = []string{store.MetricAlarm, store.CompositeAlarm}
		historyIs(t, s, q, ascending...)

		q = base
		q.Type = store.HistoryStateUpdate
		historyIs(t, s, q, "cpu to ALARM", "all to ALARM", "mem to OK")
		q.Type = store.HistoryContributorStateUpdate
		historyIs(t, s, q, "cpu contributor")
		q.AlarmName, q.Type = "mem", store.HistoryStateUpdate
		historyIs(t, s, q, "mem to OK")

		// A contributor's items, with their contributor.
		q = base
		q.ContributorID = "c0ffee0123456789"
		got := history(t, s, q)
		if len(got) != 1 || got[0].Summary != "cpu contributor" || got[0].ContributorAttributes != `{"Host":"web-1"}` {
			t.Errorf("the contributor's items: %+v", got)
		}
		q.ContributorID = "nope"
		historyIs(t, s, q)

		// [Start, End): start inclusive, end exclusive.
		q = base
		q.Start, q.End = 150, 300
		historyIs(t, s, q, "all created", "cpu to ALARM", "cpu action", "cpu contributor", "all to ALARM")
		q.Start, q.End = 200, 201
		historyIs(t, s, q, "cpu to ALARM", "cpu action", "cpu contributor", "all to ALARM")
		q.Start, q.End = 200, 200
		historyIs(t, s, q)
		q.Start, q.End = 300, 0
		historyIs(t, s, q, "mem to OK")
		q.Start, q.End = 0, 150
		historyIs(t, s, q, "cpu created", "mem created")
		q.Descending = true
		historyIs(t, s, q, "mem created", "cpu created")
		q.AlarmName, q.Start, q.End, q.Descending = "cpu", 101, 300, true
		historyIs(t, s, q, "cpu contributor", "cpu action", "cpu to ALARM")

		// Accounts and regions apart.
		historyIs(t, s, store.AlarmHistoryQuery{Account: "222222222222", Region: region}, "other account")
		historyIs(t, s, store.AlarmHistoryQuery{Account: acct, Region: "eu-west-1", AlarmName: "cpu"}, "other region")
		historyIs(t, s, store.AlarmHistoryQuery{Account: "333333333333", Region: region})
	})

	t.Run("history paging", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		fill(t, s)
		for _, desc := range []bool{false, true} {
			for _, size := range []int{1, 2, 3, 8} {
				q := base
				q.Descending, q.Limit = desc, size
				var got []string
				for i := 0; i < 20; i++ {
					page := history(t, s, q)
					if len(page) == 0 {
						break
					}
					if len(page) > size {
						t.Fatalf("AlarmHistory(%+v) returned %d items", q, len(page))
					}
					got = append(got, summaries(page)...)
					last := page[len(page)-1]
					q.After = store.AlarmHistoryCursor{Timestamp: last.Timestamp, ID: last.ID}
				}
				want := ascending
				if desc {
					want = descending
				}
				if !slices.Equal(got, want) {
					t.Errorf("AlarmHistory by pages of %d (descending %v) = %q; want %q", size, desc, got, want)
				}
			}
		}
		// The cursor combines with the filters.
		q := base
		q.AlarmName, q.Limit = "cpu", 2
		page := history(t, s, q)
		if got := summaries(page); !slices.Equal(got, []string{"cpu created", "cpu to ALARM"}) {
			t.Fatalf("AlarmHistory(cpu, first page) = %q", got)
		}
		q.After = store.AlarmHistoryCursor{Timestamp: page[1].Timestamp, ID: page[1].ID}
		historyIs(t, s, q, "cpu action", "cpu contributor")
	})

	t.Run("history expiry", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		fill(t, s)
		// Before 200: the items at 100 and 150 of acct; the items at 200
		// stay, of every account.
		n, err := s.DeleteAlarmHistoryBefore(ctx, 200)
		if err != nil || n != 3 {
			t.Errorf("DeleteAlarmHistoryBefore(200) = %d, %v; want 3", n, err)
		}
		historyIs(t, s, base, "cpu to ALARM", "cpu action", "cpu contributor", "all to ALARM", "mem to OK")
		historyIs(t, s, store.AlarmHistoryQuery{Account: "222222222222", Region: region}, "other account")
		n, err = s.DeleteAlarmHistoryBefore(ctx, 301)
		if err != nil || n != 7 {
			t.Errorf("DeleteAlarmHistoryBefore(301) = %d, %v; want 7", n, err)
		}
		historyIs(t, s, base)
		historyIs(t, s, store.AlarmHistoryQuery{Account: acct, Region: "eu-west-1"})
		if n, err = s.DeleteAlarmHistoryBefore(ctx, 1000); err != nil || n != 0 {
			t.Errorf("DeleteAlarmHistoryBefore(nothing left) = %d, %v; want 0", n, err)
		}
		// The alarms are not history: they stay.
		listed(t, s, store.AlarmQuery{Account: acct, Region: region}, "all", "cpu", "mem")
	})

	t.Run("scoping", func(t *testing.T) {
		s := alarmsOf(t, fresh(t, open))
		mine := alarm(acct, region, "cpu", store.MetricAlarm)
		otherAccount := alarm("222222222222", region, "cpu", store.MetricAlarm)
		otherAccount.Definition = []byte(`{"other":"account"}`)
		otherRegion := alarm(acct, "eu-west-1", "cpu", store.MetricAlarm)
		otherRegion.Definition = []byte(`{"other":"region"}`)
		put(t, s, mine)
		put(t, s, otherAccount)
		put(t, s, otherRegion)
		missing(t, s, "333333333333", region, "cpu")
		missing(t, s, acct, "ap-south-1", "cpu")
		if err := s.SetAlarmState(ctx, acct, region, "cpu", "ALARM", "r", "", 2000, 2000, nil, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAlarms(ctx, "222222222222", "eu-west-1", []string{"cpu"}); err != nil {
			t.Fatal(err)
		}
		mine.State, mine.StateReason, mine.StateUpdated, mine.StateTransitioned = "ALARM", "r", 2000, 2000
		read(t, s, acct, region, "cpu", mine)
		read(t, s, "222222222222", region, "cpu", otherAccount)
		read(t, s, acct, "eu-west-1", "cpu", otherRegion)
		if err := s.DeleteAlarms(ctx, acct, region, []string{"cpu"}); err != nil {
			t.Fatal(err)
		}
		missing(t, s, acct, region, "cpu")
		read(t, s, "222222222222", region, "cpu", otherAccount)
		read(t, s, acct, "eu-west-1", "cpu", otherRegion)
	})

	t.Run("durable", func(t *testing.T) {
		evaluated := alarm(acct, region, "cpu", store.MetricAlarm)
		evaluated.State, evaluated.StateReason, evaluated.StateReasonData = "ALARM", "r", `{"v":1}`
		evaluated.StateUpdated, evaluated.StateTransitioned, evaluated.Evaluation = 200, 200, []byte("engine state")
		s := alarmsOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			s := alarmsOf(t, b)
			fill(t, s)
			if err := s.SetAlarmState(ctx, acct, region, "cpu", "ALARM", "r", `{"v":1}`, 200, 200, []byte("engine state"), nil); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteAlarms(ctx, acct, region, []string{"mem"}); err != nil {
				t.Fatal(err)
			}
		}))
		read(t, s, acct, region, "cpu", evaluated)
		missing(t, s, acct, region, "mem")
		listed(t, s, store.AlarmQuery{Account: acct, Region: region}, "all", "cpu")
		historyIs(t, s, base, ascending...)
		// IDs keep growing after a reopen.
		before := history(t, s, base)
		if err := s.SetAlarmState(ctx, acct, region, "cpu", "OK", "r", "", 200, 200, nil, nil,
			item(acct, region, "cpu", store.MetricAlarm, 200, store.HistoryStateUpdate, "cpu to OK")); err != nil {
			t.Fatal(err)
		}
		q := base
		q.Start, q.End = 200, 201
		historyIs(t, s, q, "cpu to ALARM", "cpu action", "cpu contributor", "all to ALARM", "cpu to OK")
		var top int64
		for _, h := range before {
			top = max(top, h.ID)
		}
		for _, h := range history(t, s, base) {
			if h.Summary == "cpu to OK" && h.ID <= top {
				t.Errorf("after a reopen, the new item has ID %d; want above %d, the IDs before", h.ID, top)
			}
		}
	})

	t.Run("mute rules", func(t *testing.T) {
		rule := func(account, region, name, def string, updated int64) store.AlarmMuteRule {
			return store.AlarmMuteRule{Account: account, Region: region, Name: name,
				ARN: "arn:aws:cloudwatch:" + region + ":" + account + ":alarm-mute-rule:" + name, Definition: []byte(def), Updated: updated}
		}
		ruleNames := func(rs []store.AlarmMuteRule) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.Name)
			}
			return out
		}
		s := alarmsOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			s := alarmsOf(t, b)
			for _, r := range []store.AlarmMuteRule{
				rule(acct, region, "nightly", `{"v":1}`, 100), rule(acct, region, "backup", `{"v":2}`, 200),
				rule(acct, "eu-west-1", "nightly", `{"v":3}`, 300), rule("222222222222", region, "nightly", `{"v":4}`, 400),
			} {
				if err := s.PutMuteRule(ctx, r); err != nil {
					t.Fatalf("PutMuteRule(%s): %v", r.Name, err)
				}
			}
			// Replacing writes every field.
			if err := s.PutMuteRule(ctx, rule(acct, region, "nightly", `{"v":5}`, 500)); err != nil {
				t.Fatal(err)
			}
		}))
		got, err := s.MuteRule(ctx, acct, region, "nightly")
		if want := rule(acct, region, "nightly", `{"v":5}`, 500); err != nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("MuteRule = %+v, %v; want %+v", got, err, want)
		}
		if _, err := s.MuteRule(ctx, acct, region, "nosuch"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MuteRule(nosuch) error = %v; want ErrNotFound", err)
		}
		all, err := s.MuteRules(ctx, acct, region)
		if err != nil || !slices.Equal(ruleNames(all), []string{"backup", "nightly"}) {
			t.Errorf("MuteRules = %v, %v; want [backup nightly], by name, of the scope only", ruleNames(all), err)
		}
		if err := s.DeleteMuteRule(ctx, acct, region, "nightly"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteMuteRule(ctx, acct, region, "nightly"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteMuteRule of a deleted rule = %v; want ErrNotFound", err)
		}
		if all, _ := s.MuteRules(ctx, acct, "eu-west-1"); !slices.Equal(ruleNames(all), []string{"nightly"}) {
			t.Errorf("another region's rules = %v; want [nightly]", ruleNames(all))
		}
	})
}
