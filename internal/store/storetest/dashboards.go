package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Dashboards checks the backend's store.Dashboards: dashboards put and
// replaced by account and name with their body kept byte for byte, read,
// listed by name with a prefix and a cursor, deleted all or none with
// their tags, accounts apart, and all of it kept across a reopen.
func Dashboards(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, other = "111111111111", "222222222222"
	dashboard := func(account, name, body string, at int64) store.Dashboard {
		return store.Dashboard{Account: account, Name: name, ARN: "arn:aws:cloudwatch::" + account + ":dashboard/" + name, Body: body, Modified: at}
	}
	storeOf := func(t *testing.T, b Backend) store.Dashboards {
		t.Helper()
		need(t, b.Dashboards != nil, "Dashboards")
		need(t, b.Tags != nil, "Tags")
		return b.Dashboards
	}
	mustPut := func(t *testing.T, s store.Dashboards, d store.Dashboard, tags map[string]string) {
		t.Helper()
		if err := s.PutDashboard(ctx, d, tags); err != nil {
			t.Fatalf("PutDashboard(%s): %v", d.ARN, err)
		}
	}
	names := func(t *testing.T, s store.Dashboards, account, prefix, after string, limit int) []string {
		t.Helper()
		ds, err := s.Dashboards(ctx, account, prefix, after, limit)
		if err != nil {
			t.Fatalf("Dashboards(%q, %q): %v", prefix, after, err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	body := "{\"widgets\": [ ]}\n\t"

	t.Run("put, replace and read", func(t *testing.T) {
		s := storeOf(t, fresh(t, open))
		if _, err := s.Dashboard(ctx, acct, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Dashboard of none: err = %v, want ErrNotFound", err)
		}
		mustPut(t, s, dashboard(acct, "a", body, 1000), nil)
		got, err := s.Dashboard(ctx, acct, "a")
		if err != nil || !reflect.DeepEqual(*got, dashboard(acct, "a", body, 1000)) {
			t.Fatalf("Dashboard = %+v, %v", got, err)
		}
		mustPut(t, s, dashboard(acct, "a", `{"widgets":[]}`, 2000), nil)
		got, err = s.Dashboard(ctx, acct, "a")
		if err != nil || got.Body != `{"widgets":[]}` || got.Modified != 2000 {
			t.Fatalf("Dashboard after replace = %+v, %v", got, err)
		}
		if _, err := s.Dashboard(ctx, other, "a"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Dashboard of another account: err = %v, want ErrNotFound", err)
		}
	})

	t.Run("list by prefix and cursor", func(t *testing.T) {
		s := storeOf(t, fresh(t, open))
		for _, n := range []string{"b-2", "a", "b-1", "c", "b-3"} {
			mustPut(t, s, dashboard(acct, n, body, 1000), nil)
		}
		mustPut(t, s, dashboard(other, "b-0", body, 1000), nil)
		if got, want := names(t, s, acct, "", "", 0), []string{"a", "b-1", "b-2", "b-3", "c"}; !reflect.DeepEqual(got, want) {
			t.Errorf("all = %q, want %q", got, want)
		}
		if got, want := names(t, s, acct, "b-", "", 2), []string{"b-1", "b-2"}; !reflect.DeepEqual(got, want) {
			t.Errorf("first page of b- = %q, want %q", got, want)
		}
		if got, want := names(t, s, acct, "b-", "b-2", 2), []string{"b-3"}; !reflect.DeepEqual(got, want) {
			t.Errorf("second page of b- = %q, want %q", got, want)
		}
		if got := names(t, s, acct, "%", "", 0); got != nil {
			t.Errorf("prefix %% = %q, want none (no pattern matching)", got)
		}
	})

	t.Run("delete all or none, with tags", func(t *testing.T) {
		b := fresh(t, open)
		s := storeOf(t, b)
		mustPut(t, s, dashboard(acct, "a", body, 1000), map[string]string{"team": "x"})
		mustPut(t, s, dashboard(acct, "b", body, 1000), nil)
		err := s.DeleteDashboards(ctx, acct, []string{"a", "missing", "b"})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteDashboards with a missing name: err = %v, want ErrNotFound", err)
		}
		if got, want := names(t, s, acct, "", "", 0), []string{"a", "b"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("after a refused delete = %q, want %q", got, want)
		}
		arn := dashboard(acct, "a", "", 0).ARN
		if tags, err := b.Tags.ResourceTags(ctx, arn); err != nil || tags["team"] != "x" {
			t.Fatalf("tags put with the dashboard = %v, %v", tags, err)
		}
		if err := s.DeleteDashboards(ctx, acct, []string{"a", "b"}); err != nil {
			t.Fatalf("DeleteDashboards: %v", err)
		}
		if got := names(t, s, acct, "", "", 0); got != nil {
			t.Fatalf("after delete = %q, want none", got)
		}
		if tags, err := b.Tags.ResourceTags(ctx, arn); err != nil || len(tags) != 0 {
			t.Fatalf("tags after delete = %v, %v", tags, err)
		}
	})

	t.Run("kept across a reopen", func(t *testing.T) {
		s := storeOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			mustPut(t, storeOf(t, b), dashboard(acct, "kept", body, 3000), nil)
		}))
		got, err := s.Dashboard(ctx, acct, "kept")
		if err != nil || !reflect.DeepEqual(*got, dashboard(acct, "kept", body, 3000)) {
			t.Fatalf("Dashboard after reopen = %+v, %v", got, err)
		}
	})
}
