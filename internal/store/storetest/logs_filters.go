package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func metricFilterNames(fs []store.MetricFilter) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func metricFilters(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	// Created first, named last: filters of every group come by group
	// name, not by creation.
	g := newGroup(t, l, acct, region, "/b-group", standard)
	h := newGroup(t, l, acct, region, "/a-group", standard)
	x := newGroup(t, l, otherAcct, region, "/a-group", standard)
	y := newGroup(t, l, acct, otherRegion, "/a-group", standard)
	list := func(account, region string, groupID int64) []store.MetricFilter {
		t.Helper()
		got, err := l.MetricFilters(ctx, account, region, groupID)
		if err != nil {
			t.Fatalf("MetricFilters(%s, %s, %d): %v", account, region, groupID, err)
		}
		return got
	}
	if got := list(acct, region, 0); len(got) != 0 {
		t.Fatalf("MetricFilters on an empty store = %+v; want none", got)
	}
	put := func(f store.MetricFilter) {
		t.Helper()
		if err := l.PutMetricFilter(ctx, f); err != nil {
			t.Fatalf("PutMetricFilter(%s): %v", f.Name, err)
		}
	}
	beta := store.MetricFilter{GroupID: g.ID, Name: "beta", Pattern: "ERROR", Transformation: `{"metricName":"Errors"}`, Created: 100}
	for _, f := range []store.MetricFilter{
		{GroupID: g.ID, Name: "zeta", Pattern: "", Transformation: "{}", Created: 1},
		beta,
		{GroupID: g.ID, Name: "Alpha", Pattern: "[a]", Transformation: "{}", Created: 1},
		{GroupID: h.ID, Name: "m", Pattern: "", Transformation: "{}", Created: 1},
		{GroupID: x.ID, Name: "q", Pattern: "", Transformation: "{}", Created: 1},
		{GroupID: y.ID, Name: "r", Pattern: "", Transformation: "{}", Created: 1},
	} {
		put(f)
	}
	got := list(acct, region, g.ID)
	if !slices.Equal(metricFilterNames(got), []string{"Alpha", "beta", "zeta"}) {
		t.Fatalf("MetricFilters(group) = %v; want [Alpha beta zeta] (by name in byte order)", metricFilterNames(got))
	}
	if got[1] != beta {
		t.Errorf("MetricFilters()[1] = %+v; want %+v", got[1], beta)
	}
	if got := list(acct, region, 0); !slices.Equal(metricFilterNames(got), []string{"m", "Alpha", "beta", "zeta"}) || got[0].GroupID != h.ID {
		t.Errorf("MetricFilters(every group) = %v; want [m Alpha beta zeta] (by group name, then name)", metricFilterNames(got))
	}
	if got := list(otherAcct, region, 0); !slices.Equal(metricFilterNames(got), []string{"q"}) {
		t.Errorf("MetricFilters(other account) = %v; want [q]", metricFilterNames(got))
	}
	if got := list(acct, otherRegion, 0); !slices.Equal(metricFilterNames(got), []string{"r"}) {
		t.Errorf("MetricFilters(other region) = %v; want [r]", metricFilterNames(got))
	}
	if got := readGroup(t, l, acct, region, "/b-group").MetricFilterCount; got != 3 {
		t.Errorf("MetricFilterCount = %d; want 3", got)
	}

	// Putting a filter again replaces it.
	beta2 := store.MetricFilter{GroupID: g.ID, Name: "beta", Pattern: "WARN", Transformation: `{"metricName":"Warnings"}`, Created: 200}
	put(beta2)
	if got := list(acct, region, g.ID); len(got) != 3 || got[1] != beta2 {
		t.Errorf("MetricFilters after replacing beta = %+v; want beta replaced", got)
	}
	if got := readGroup(t, l, acct, region, "/b-group").MetricFilterCount; got != 3 {
		t.Errorf("MetricFilterCount after replacing a filter = %d; want 3", got)
	}

	if err := l.DeleteMetricFilter(ctx, g.ID, "beta"); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteMetricFilter(ctx, g.ID, "beta"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteMetricFilter(deleted) = %v; want ErrNotFound", err)
	}
	if err := l.DeleteMetricFilter(ctx, h.ID, "zeta"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteMetricFilter(another group's filter) = %v; want ErrNotFound", err)
	}
	if got := list(acct, region, g.ID); !slices.Equal(metricFilterNames(got), []string{"Alpha", "zeta"}) {
		t.Errorf("MetricFilters after deleting beta = %v; want [Alpha zeta]", metricFilterNames(got))
	}
	if got := readGroup(t, l, acct, region, "/b-group").MetricFilterCount; got != 2 {
		t.Errorf("MetricFilterCount after deleting a filter = %d; want 2", got)
	}
}

func subscriptionFilters(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	g := newGroup(t, l, acct, region, "/a", standard)
	h := newGroup(t, l, acct, region, "/h", standard)
	list := func(groupID int64) []store.SubscriptionFilter {
		t.Helper()
		got, err := l.SubscriptionFilters(ctx, groupID)
		if err != nil {
			t.Fatalf("SubscriptionFilters(%d): %v", groupID, err)
		}
		return got
	}
	names := func(fs []store.SubscriptionFilter) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Name)
		}
		return out
	}
	if got := list(g.ID); len(got) != 0 {
		t.Fatalf("SubscriptionFilters of a group without any = %+v; want none", got)
	}
	b := store.SubscriptionFilter{GroupID: g.ID, Name: "b", Pattern: "ERROR", DestinationARN: "arn:aws:logs:us-east-1:111111111111:destination:d",
		RoleARN: "arn:aws:iam::111111111111:role/r", Distribution: "Random", Created: 100}
	for _, f := range []store.SubscriptionFilter{
		b,
		{GroupID: g.ID, Name: "A", DestinationARN: "arn:x", Distribution: "ByLogStream", Created: 1},
		{GroupID: h.ID, Name: "c", DestinationARN: "arn:x", Distribution: "ByLogStream", Created: 1},
	} {
		if err := l.PutSubscriptionFilter(ctx, f); err != nil {
			t.Fatalf("PutSubscriptionFilter(%s): %v", f.Name, err)
		}
	}
	got := list(g.ID)
	if !slices.Equal(names(got), []string{"A", "b"}) || got[1] != b {
		t.Fatalf("SubscriptionFilters = %+v; want A, then %+v", got, b)
	}
	b2 := b
	b2.Pattern, b2.DestinationARN, b2.RoleARN, b2.Distribution, b2.Created = "", "arn:aws:logs:us-east-1:111111111111:log-group:/t", "", "ByLogStream", 200
	if err := l.PutSubscriptionFilter(ctx, b2); err != nil {
		t.Fatal(err)
	}
	if got := list(g.ID); len(got) != 2 || got[1] != b2 {
		t.Errorf("SubscriptionFilters after replacing b = %+v; want b replaced by %+v", got, b2)
	}
	if err := l.DeleteSubscriptionFilter(ctx, h.ID, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSubscriptionFilter(another group's filter) = %v; want ErrNotFound", err)
	}
	if err := l.DeleteSubscriptionFilter(ctx, g.ID, "b"); err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteSubscriptionFilter(ctx, g.ID, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteSubscriptionFilter(deleted) = %v; want ErrNotFound", err)
	}
	if got := list(g.ID); !slices.Equal(names(got), []string{"A"}) {
		t.Errorf("SubscriptionFilters after deleting b = %v; want [A]", names(got))
	}
	if got := list(h.ID); !slices.Equal(names(got), []string{"c"}) {
		t.Errorf("SubscriptionFilters(other group) = %v; want [c]", names(got))
	}
}

func destinations(t *testing.T, open Open) {
	ctx := context.Background()
	bk := fresh(t, open)
	l := logsOf(t, bk)
	need(t, bk.Tags != nil, "Tags")
	arn := func(account, name string) string {
		return "arn:aws:logs:" + region + ":" + account + ":destination:" + name
	}
	tagsOf := func(arn string) map[string]string {
		t.Helper()
		tags, err := bk.Tags.ResourceTags(ctx, arn)
		if err != nil {
			t.Fatalf("ResourceTags(%s): %v", arn, err)
		}
		return tags
	}
	list := func(account, region, prefix string) []string {
		t.Helper()
		ds, err := l.LogDestinations(ctx, account, region, prefix)
		if err != nil {
			t.Fatalf("LogDestinations(%s, %s, %q): %v", account, region, prefix, err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	if got := list(acct, region, ""); len(got) != 0 {
		t.Fatalf("LogDestinations on an empty store = %v; want none", got)
	}
	if _, err := l.LogDestination(ctx, acct, region, "d"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogDestination(missing) = %v; want ErrNotFound", err)
	}
	b := store.LogDestination{Account: acct, Region: region, Name: "dest-b", TargetARN: "arn:aws:logs:us-east-1:111111111111:log-group:/t",
		RoleARN: "arn:aws:iam::111111111111:role/r", AccessPolicy: `{"Version":"2012-10-17"}`, Created: 100}
	for _, d := range []store.LogDestination{
		b,
		{Account: acct, Region: region, Name: "dest-a", TargetARN: "arn:t", Created: 1},
		{Account: acct, Region: region, Name: "Other", TargetARN: "arn:t", Created: 1},
		{Account: otherAcct, Region: region, Name: "dest-a", TargetARN: "arn:t", Created: 1},
		{Account: acct, Region: otherRegion, Name: "dest-z", TargetARN: "arn:t", Created: 1},
	} {
		var tags map[string]string
		if d.Name == "dest-b" {
			tags = map[string]string{"k": "v"}
		}
		if err := l.PutLogDestination(ctx, d, arn(d.Account, d.Name), tags); err != nil {
			t.Fatalf("PutLogDestination(%s): %v", d.Name, err)
		}
	}
	got, err := l.LogDestination(ctx, acct, region, "dest-b")
	if err != nil || *got != b {
		t.Fatalf("LogDestination = %+v, %v; want %+v", got, err, b)
	}
	if tags := tagsOf(arn(acct, "dest-b")); !maps.Equal(tags, map[string]string{"k": "v"}) {
		t.Errorf("ResourceTags(new destination) = %v; want the tags it was created with", tags)
	}
	if got := list(acct, region, ""); !slices.Equal(got, []string{"Other", "dest-a", "dest-b"}) {
		t.Errorf("LogDestinations = %v; want [Other dest-a dest-b] (by name in byte order)", got)
	}
	if got := list(acct, region, "dest-"); !slices.Equal(got, []string{"dest-a", "dest-b"}) {
		t.Errorf("LogDestinations(dest-) = %v; want [dest-a dest-b]", got)
	}
	if got := list(otherAcct, region, ""); !slices.Equal(got, []string{"dest-a"}) {
		t.Errorf("LogDestinations(other account) = %v; want [dest-a]", got)
	}
	if got := list(acct, otherRegion, ""); !slices.Equal(got, []string{"dest-z"}) {
		t.Errorf("LogDestinations(other region) = %v; want [dest-z]", got)
	}

	// Putting a destination again changes its target and role; its
	// access policy, creation time and tags stay.
	b2 := store.LogDestination{Account: acct, Region: region, Name: "dest-b", TargetARN: "arn:aws:logs:us-east-1:111111111111:log-group:/t2",
		RoleARN: "arn:aws:iam::111111111111:role/r2", Created: 200}
	if err := l.PutLogDestination(ctx, b2, arn(acct, "dest-b"), map[string]string{"k2": "v2"}); err != nil {
		t.Fatal(err)
	}
	want := b
	want.TargetARN, want.RoleARN = b2.TargetARN, b2.RoleARN
	if got, err := l.LogDestination(ctx, acct, region, "dest-b"); err != nil || *got != want {
		t.Errorf("LogDestination after putting it again = %+v, %v; want %+v", got, err, want)
	}
	if tags := tagsOf(arn(acct, "dest-b")); !maps.Equal(tags, map[string]string{"k": "v"}) {
		t.Errorf("ResourceTags after putting the destination again = %v; want the first tags", tags)
	}

	const policy = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"logs:PutSubscriptionFilter"}]}`
	if err := l.SetLogDestinationPolicy(ctx, acct, region, "dest-a", policy); err != nil {
		t.Fatal(err)
	}
	if got, err := l.LogDestination(ctx, acct, region, "dest-a"); err != nil || got.AccessPolicy != policy || got.TargetARN != "arn:t" {
		t.Errorf("LogDestination after SetLogDestinationPolicy = %+v, %v; want the policy", got, err)
	}
	if got, err := l.LogDestination(ctx, otherAcct, region, "dest-a"); err != nil || got.AccessPolicy != "" {
		t.Errorf("other account's dest-a = %+v, %v; want no policy", got, err)
	}
	if err := l.SetLogDestinationPolicy(ctx, acct, region, "missing", policy); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetLogDestinationPolicy(missing) = %v; want ErrNotFound", err)
	}

	if err := l.DeleteLogDestination(ctx, acct, region, "dest-b", arn(acct, "dest-b")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LogDestination(ctx, acct, region, "dest-b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogDestination(deleted) = %v; want ErrNotFound", err)
	}
	if tags := tagsOf(arn(acct, "dest-b")); len(tags) != 0 {
		t.Errorf("ResourceTags(deleted destination) = %v; want none", tags)
	}
	if err := l.DeleteLogDestination(ctx, acct, region, "dest-b", arn(acct, "dest-b")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteLogDestination(deleted) = %v; want ErrNotFound", err)
	}
	if err := l.DeleteLogDestination(ctx, acct, region, "dest-a", arn(acct, "dest-a")); err != nil {
		t.Fatal(err)
	}
	if got := list(otherAcct, region, ""); !slices.Equal(got, []string{"dest-a"}) {
		t.Errorf("LogDestinations(other account) after deleting this account's dest-a = %v; want [dest-a]", got)
	}
	if got := list(acct, region, ""); !slices.Equal(got, []string{"Other"}) {
		t.Errorf("LogDestinations after deleting two = %v; want [Other]", got)
	}
}
