package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// eventConnections checks connections and API destinations: created once
// per account, region and name, read, listed by prefix, state (or
// connection) and paged, changed in a transaction that an error of the
// update leaves undone, and deleted; accounts and regions apart.
func eventConnections(t *testing.T, e store.Events) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	conn := func(account, name, state string) store.EventConnection {
		return store.EventConnection{ARN: "arn:aws:events:" + region + ":" + account + ":connection/" + name + "/uuid-" + name,
			Account: account, Region: region, Name: name, State: state, Definition: []byte(`{"n":"` + name + `"}`),
			Created: 1000, Updated: 1000, Authorized: 1000}
	}
	dest := func(name, connARN string) store.EventAPIDestination {
		return store.EventAPIDestination{ARN: "arn:aws:events:" + region + ":" + acct + ":api-destination/" + name + "/uuid-" + name,
			Account: acct, Region: region, Name: name, ConnectionARN: connARN, Definition: []byte(`{"d":"` + name + `"}`),
			Created: 2000, Updated: 2000}
	}
	a, b, c := conn(acct, "alpha", "AUTHORIZED"), conn(acct, "beta", "AUTHORIZING"), conn(acct, "alpine", "AUTHORIZED")
	other := conn("222222222222", "alpha", "AUTHORIZED")
	for _, x := range []store.EventConnection{a, b, c, other} {
		if err := e.CreateConnection(ctx, x); err != nil {
			t.Fatalf("CreateConnection %s: %v", x.ARN, err)
		}
	}
	again := a
	again.ARN += "-2"
	if err := e.CreateConnection(ctx, again); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateConnection of a name taken: %v; want ErrExists", err)
	}
	if got, err := e.Connection(ctx, acct, region, "alpha"); err != nil || !reflect.DeepEqual(*got, a) {
		t.Fatalf("Connection = %+v, %v; want %+v", got, err, a)
	}
	if _, err := e.Connection(ctx, acct, "eu-west-1", "alpha"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Connection of another region: %v; want ErrNotFound", err)
	}
	names := func(cs []store.EventConnection) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	for _, tc := range []struct {
		prefix, state, after string
		limit                int
		want                 []string
	}{
		{"", "", "", 0, []string{"alpha", "alpine", "beta"}},
		{"al", "", "", 0, []string{"alpha", "alpine"}},
		{"", "AUTHORIZING", "", 0, []string{"beta"}},
		{"", "", "alpha", 1, []string{"alpine"}},
	} {
		got, err := e.Connections(ctx, acct, region, tc.prefix, tc.state, tc.after, tc.limit)
		if err != nil || !reflect.DeepEqual(names(got), tc.want) {
			t.Errorf("Connections(%q, %q, %q, %d) = %v, %v; want %v", tc.prefix, tc.state, tc.after, tc.limit, names(got), err, tc.want)
		}
	}
	refused := errors.New("refused")
	if _, err := e.UpdateConnection(ctx, acct, region, "beta", func(c *store.EventConnection) error {
		c.State = "AUTHORIZED"
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("UpdateConnection refused: %v", err)
	}
	got, err := e.UpdateConnection(ctx, acct, region, "beta", func(c *store.EventConnection) error {
		c.State, c.Definition, c.Updated, c.Authorized = "AUTHORIZED", []byte(`{"v":2}`), 3000, 3000
		c.Created = 1 // kept
		return nil
	})
	want := b
	want.State, want.Definition, want.Updated, want.Authorized = "AUTHORIZED", []byte(`{"v":2}`), 3000, 3000
	if err != nil || got.State != "AUTHORIZED" {
		t.Fatalf("UpdateConnection = %+v, %v", got, err)
	}
	if read, err := e.Connection(ctx, acct, region, "beta"); err != nil || !reflect.DeepEqual(*read, want) {
		t.Fatalf("Connection after update = %+v, %v; want %+v", read, err, want)
	}
	if _, err := e.UpdateConnection(ctx, acct, region, "gone", func(*store.EventConnection) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateConnection of none: %v; want ErrNotFound", err)
	}

	d1, d2 := dest("hook", a.ARN), dest("hook2", b.ARN)
	for _, d := range []store.EventAPIDestination{d1, d2} {
		if err := e.CreateAPIDestination(ctx, d); err != nil {
			t.Fatalf("CreateAPIDestination %s: %v", d.Name, err)
		}
	}
	if err := e.CreateAPIDestination(ctx, d1); !errors.Is(err, store.ErrExists) {
		t.Fatalf("CreateAPIDestination twice: %v; want ErrExists", err)
	}
	if got, err := e.APIDestination(ctx, acct, region, "hook"); err != nil || !reflect.DeepEqual(*got, d1) {
		t.Fatalf("APIDestination = %+v, %v; want %+v", got, err, d1)
	}
	dnames := func(ds []store.EventAPIDestination) []string {
		out := []string{}
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	for _, tc := range []struct {
		prefix, conn, after string
		limit               int
		want                []string
	}{
		{"", "", "", 0, []string{"hook", "hook2"}},
		{"hook2", "", "", 0, []string{"hook2"}},
		{"", a.ARN, "", 0, []string{"hook"}},
		{"", "", "", 1, []string{"hook"}},
		{"", "", "hook", 0, []string{"hook2"}},
	} {
		got, err := e.APIDestinations(ctx, acct, region, tc.prefix, tc.conn, tc.after, tc.limit)
		if err != nil || !reflect.DeepEqual(dnames(got), tc.want) {
			t.Errorf("APIDestinations(%q, %q, %q, %d) = %v, %v; want %v", tc.prefix, tc.conn, tc.after, tc.limit, dnames(got), err, tc.want)
		}
	}
	if _, err := e.UpdateAPIDestination(ctx, acct, region, "hook", func(d *store.EventAPIDestination) error {
		d.ConnectionARN, d.Definition, d.Updated = b.ARN, []byte(`{"d":2}`), 4000
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.APIDestinations(ctx, acct, region, "", b.ARN, "", 0); err != nil || !reflect.DeepEqual(dnames(got), []string{"hook", "hook2"}) {
		t.Errorf("APIDestinations of the connection changed to = %v, %v", dnames(got), err)
	}
	if _, err := e.UpdateAPIDestination(ctx, acct, region, "none", func(*store.EventAPIDestination) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateAPIDestination of none: %v; want ErrNotFound", err)
	}
	if err := e.DeleteAPIDestination(ctx, acct, region, "hook"); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteAPIDestination(ctx, acct, region, "hook"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteAPIDestination twice: %v; want ErrNotFound", err)
	}
	if del, err := e.DeleteConnection(ctx, acct, region, "alpha"); err != nil || del.ARN != a.ARN {
		t.Fatalf("DeleteConnection = %+v, %v", del, err)
	}
	if _, err := e.DeleteConnection(ctx, acct, region, "alpha"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteConnection twice: %v; want ErrNotFound", err)
	}
	if _, err := e.Connection(ctx, "222222222222", region, "alpha"); err != nil {
		t.Fatalf("the other account's connection: %v", err)
	}
}
