package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// SchemaRegistry checks the backend's store.SchemaRegistry: registries
// created once per account, region and name, read, listed by prefix and
// paged, described and given a policy whose revision a conditional write
// checks, and deleted with their schemas; schemas created only in
// registries that exist and once per name, with versions numbered from 1
// that are never renumbered, updated conditionally on their latest
// version, listed by prefix and by keywords of their name, description
// or latest content, and deleted with their versions; a version deleted
// (never a schema's only one); discoverers created once per ID, listed by
// ID and source prefixes, found by their bus, changed and deleted;
// accounts and regions apart; and all of it kept across a reopen.
func SchemaRegistry(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	registryOf := func(t *testing.T, b Backend) store.SchemaRegistry {
		t.Helper()
		need(t, b.SchemaRegistry != nil, "SchemaRegistry")
		return b.SchemaRegistry
	}
	registry := func(account, region, name string) store.Registry {
		return store.Registry{Account: account, Region: region, Name: name,
			ARN: "arn:aws:schemas:" + region + ":" + account + ":registry/" + name, Created: 1000, Updated: 1000}
	}
	schema := func(r store.Registry, name string) store.Schema {
		return store.Schema{Account: r.Account, Region: r.Region, Registry: r.Name, Name: name,
			ARN: "arn:aws:schemas:" + r.Region + ":" + r.Account + ":schema/" + r.Name + "/" + name, Created: 2000, Modified: 2000}
	}
	version := func(content string, at int64) store.SchemaVersion {
		return store.SchemaVersion{Type: "OpenApi3", Content: content, Created: at}
	}
	mustRegistry := func(t *testing.T, s store.SchemaRegistry, r store.Registry) {
		t.Helper()
		if err := s.CreateRegistry(ctx, r); err != nil {
			t.Fatalf("CreateRegistry(%s): %v", r.ARN, err)
		}
	}
	mustSchema := func(t *testing.T, s store.SchemaRegistry, x store.Schema, content string) {
		t.Helper()
		if err := s.CreateSchema(ctx, x, version(content, x.Created)); err != nil {
			t.Fatalf("CreateSchema(%s): %v", x.ARN, err)
		}
	}
	mustUpdate := func(t *testing.T, s store.SchemaRegistry, u store.SchemaUpdate) int64 {
		t.Helper()
		latest, err := s.UpdateSchema(ctx, u)
		if err != nil {
			t.Fatalf("UpdateSchema(%+v): %v", u, err)
		}
		return latest
	}
	schemaNames := func(t *testing.T, s store.SchemaRegistry, q store.SchemaQuery) []string {
		t.Helper()
		xs, err := s.Schemas(ctx, q)
		if err != nil {
			t.Fatalf("Schemas(%+v): %v", q, err)
		}
		var out []string
		for _, x := range xs {
			out = append(out, x.Name)
		}
		return out
	}
	versionNumbers := func(t *testing.T, s store.SchemaRegistry, arn string) []int64 {
		t.Helper()
		vs, err := s.SchemaVersions(ctx, arn, 0, 0)
		if err != nil {
			t.Fatalf("SchemaVersions(%s): %v", arn, err)
		}
		var out []int64
		for _, v := range vs {
			out = append(out, v.Version)
		}
		return out
	}

	t.Run("registries", func(t *testing.T) {
		s := registryOf(t, fresh(t, open))
		a, b, other := registry(acct, region, "orders"), registry(acct, region, "audit"), registry("222222222222", region, "orders")
		for _, r := range []store.Registry{a, b, other, registry(acct, "eu-west-1", "orders")} {
			mustRegistry(t, s, r)
		}
		if err := s.CreateRegistry(ctx, a); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateRegistry twice: %v; want ErrExists", err)
		}
		got, err := s.Registry(ctx, a.ARN)
		if err != nil || !reflect.DeepEqual(*got, a) {
			t.Fatalf("Registry = %+v, %v; want %+v", got, err, a)
		}
		list, err := s.Registries(ctx, acct, region, "", "", 0)
		if err != nil || len(list) != 2 || list[0].Name != "audit" || list[1].Name != "orders" {
			t.Fatalf("Registries = %+v, %v; want audit, orders", list, err)
		}
		if list, _ := s.Registries(ctx, acct, region, "or", "", 0); len(list) != 1 || list[0].Name != "orders" {
			t.Fatalf("Registries prefix or = %+v", list)
		}
		if list, _ := s.Registries(ctx, acct, region, "", "", 1); len(list) != 1 || list[0].Name != "audit" {
			t.Fatalf("Registries limit 1 = %+v", list)
		}
		if list, _ := s.Registries(ctx, acct, region, "", "audit", 0); len(list) != 1 || list[0].Name != "orders" {
			t.Fatalf("Registries after audit = %+v", list)
		}
		if err := s.UpdateRegistry(ctx, a.ARN, "the orders", 3000); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Registry(ctx, a.ARN); got.Description != "the orders" || got.Updated != 3000 || got.Created != 1000 {
			t.Fatalf("after UpdateRegistry: %+v", got)
		}
		if err := s.UpdateRegistry(ctx, registry(acct, region, "none").ARN, "x", 3000); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UpdateRegistry of none: %v; want ErrNotFound", err)
		}

		// Policies: a conditional write checks the revision.
		if err := s.PutRegistryPolicy(ctx, a.ARN, `{"p":1}`, "r1", "", 4000); err != nil {
			t.Fatal(err)
		}
		if err := s.PutRegistryPolicy(ctx, a.ARN, `{"p":2}`, "r2", "r0", 4000); !errors.Is(err, store.ErrPrecondition) {
			t.Fatalf("PutRegistryPolicy at a stale revision: %v; want ErrPrecondition", err)
		}
		if err := s.PutRegistryPolicy(ctx, a.ARN, `{"p":2}`, "r2", "r1", 5000); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Registry(ctx, a.ARN); got.Policy != `{"p":2}` || got.PolicyRevision != "r2" || got.Updated != 5000 {
			t.Fatalf("after PutRegistryPolicy: %+v", got)
		}
		if err := s.PutRegistryPolicy(ctx, registry(acct, region, "none").ARN, "{}", "r", "", 1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("PutRegistryPolicy of none: %v; want ErrNotFound", err)
		}

		// Deleting a registry deletes its schemas and their versions.
		x := schema(a, "Order")
		mustSchema(t, s, x, "v1")
		if err := s.DeleteRegistry(ctx, a.ARN); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteRegistry(ctx, a.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteRegistry twice: %v; want ErrNotFound", err)
		}
		if _, err := s.Schema(ctx, x.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("schema after its registry's delete: %v", err)
		}
		mustRegistry(t, s, a)
		if got := schemaNames(t, s, store.SchemaQuery{Account: acct, Region: region, Registry: "orders"}); len(got) != 0 {
			t.Fatalf("schemas of a recreated registry: %v", got)
		}
		if got := versionNumbers(t, s, x.ARN); len(got) != 0 {
			t.Fatalf("versions of a deleted registry's schema: %v", got)
		}
		if got, _ := s.Registry(ctx, other.ARN); got == nil {
			t.Fatal("another account's registry was deleted")
		}
	})

	t.Run("schemas", func(t *testing.T) {
		s := registryOf(t, fresh(t, open))
		r := registry(acct, region, "app")
		mustRegistry(t, s, r)
		if err := s.CreateSchema(ctx, schema(registry(acct, region, "none"), "x"), version("{}", 1)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("CreateSchema in no registry: %v; want ErrNotFound", err)
		}
		x := schema(r, "Order")
		x.Description = "orders placed"
		mustSchema(t, s, x, `{"title":"Order placed"}`)
		if err := s.CreateSchema(ctx, x, version("{}", 1)); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateSchema twice: %v; want ErrExists", err)
		}
		want := x
		want.Latest, want.Versions = 1, 1
		if got, err := s.Schema(ctx, x.ARN); err != nil || !reflect.DeepEqual(*got, want) {
			t.Fatalf("Schema = %+v, %v; want %+v", got, err, want)
		}
		if v, err := s.SchemaVersion(ctx, x.ARN, 0); err != nil || v.Version != 1 || v.Content != `{"title":"Order placed"}` || v.Type != "OpenApi3" || v.Created != 2000 {
			t.Fatalf("SchemaVersion(latest) = %+v, %v", v, err)
		}

		// New versions are numbered on; a description alone adds none.
		if latest := mustUpdate(t, s, store.SchemaUpdate{ARN: x.ARN, Version: &store.SchemaVersion{Type: "JSONSchemaDraft4", Content: "v2", Created: 3000}, Modified: 3000}); latest != 2 {
			t.Fatalf("UpdateSchema with a version = %d; want 2", latest)
		}
		desc := "orders"
		if latest := mustUpdate(t, s, store.SchemaUpdate{ARN: x.ARN, Description: &desc, Modified: 3500}); latest != 2 {
			t.Fatalf("UpdateSchema of the description = %d; want 2", latest)
		}
		if _, err := s.UpdateSchema(ctx, store.SchemaUpdate{ARN: x.ARN, IfLatest: 1, Version: &store.SchemaVersion{Content: "lost"}}); !errors.Is(err, store.ErrPrecondition) {
			t.Fatalf("UpdateSchema if latest is 1: %v; want ErrPrecondition", err)
		}
		mustUpdate(t, s, store.SchemaUpdate{ARN: x.ARN, IfLatest: 2, Version: &store.SchemaVersion{Type: "OpenApi3", Content: "v3", Created: 4000}, Modified: 4000})
		if _, err := s.UpdateSchema(ctx, store.SchemaUpdate{ARN: schema(r, "none").ARN}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("UpdateSchema of none: %v; want ErrNotFound", err)
		}
		got, _ := s.Schema(ctx, x.ARN)
		if got.Description != "orders" || got.Latest != 3 || got.Versions != 3 || got.Modified != 4000 || got.Created != 2000 {
			t.Fatalf("after the updates: %+v", got)
		}
		if v, err := s.SchemaVersion(ctx, x.ARN, 2); err != nil || v.Content != "v2" || v.Type != "JSONSchemaDraft4" || v.Created != 3000 {
			t.Fatalf("SchemaVersion(2) = %+v, %v", v, err)
		}
		if _, err := s.SchemaVersion(ctx, x.ARN, 9); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("SchemaVersion(9): %v; want ErrNotFound", err)
		}
		if vs, _ := s.SchemaVersions(ctx, x.ARN, 1, 1); len(vs) != 1 || vs[0].Version != 2 {
			t.Fatalf("SchemaVersions after 1, limit 1 = %+v", vs)
		}

		// Deleting the latest version makes the one before latest; its
		// number is not given again.
		if err := s.DeleteSchemaVersion(ctx, x.ARN, 3, 5000); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSchemaVersion(ctx, x.ARN, 3, 5000); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteSchemaVersion twice: %v; want ErrNotFound", err)
		}
		if v, _ := s.SchemaVersion(ctx, x.ARN, 0); v == nil || v.Version != 2 {
			t.Fatalf("latest after deleting 3 = %+v", v)
		}
		if latest := mustUpdate(t, s, store.SchemaUpdate{ARN: x.ARN, Version: &store.SchemaVersion{Type: "OpenApi3", Content: "v4"}}); latest != 4 {
			t.Fatalf("version after a deleted 3 = %d; want 4", latest)
		}
		for _, n := range []int64{1, 2} {
			if err := s.DeleteSchemaVersion(ctx, x.ARN, n, 6000); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteSchemaVersion(ctx, x.ARN, 4, 6000); !errors.Is(err, store.ErrPrecondition) {
			t.Fatalf("DeleteSchemaVersion of the only one: %v; want ErrPrecondition", err)
		}
		if got := versionNumbers(t, s, x.ARN); !reflect.DeepEqual(got, []int64{4}) {
			t.Fatalf("versions = %v; want [4]", got)
		}

		// Listing by prefix and keywords (of the latest version only).
		mustSchema(t, s, schema(r, "Invoice"), `{"title":"Invoice PAID"}`)
		mustSchema(t, s, schema(r, "OrderShipped"), `{"title":"parcel"}`)
		theirs := registry("222222222222", region, "app")
		mustRegistry(t, s, theirs)
		mustSchema(t, s, schema(theirs, "Order"), "{}")
		q := store.SchemaQuery{Account: acct, Region: region, Registry: "app"}
		if got := schemaNames(t, s, q); !reflect.DeepEqual(got, []string{"Invoice", "Order", "OrderShipped"}) {
			t.Fatalf("Schemas = %v", got)
		}
		for _, c := range []struct {
			q    store.SchemaQuery
			want []string
		}{
			{store.SchemaQuery{Prefix: "Order"}, []string{"Order", "OrderShipped"}},
			{store.SchemaQuery{After: "Invoice", Limit: 1}, []string{"Order"}},
			{store.SchemaQuery{Keywords: []string{"ORDER"}}, []string{"Order", "OrderShipped"}},
			{store.SchemaQuery{Keywords: []string{"paid"}}, []string{"Invoice"}},
			{store.SchemaQuery{Keywords: []string{"Parcel", "shipped"}}, []string{"OrderShipped"}},
			{store.SchemaQuery{Keywords: []string{"placed"}}, nil},
			{store.SchemaQuery{Keywords: []string{"v4"}}, []string{"Order"}},
		} {
			c.q.Account, c.q.Region, c.q.Registry = acct, region, "app"
			if got := schemaNames(t, s, c.q); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Schemas(%+v) = %v; want %v", c.q, got, c.want)
			}
		}
		if err := s.DeleteSchema(ctx, x.ARN); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSchema(ctx, x.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("DeleteSchema twice: %v; want ErrNotFound", err)
		}
		if got := versionNumbers(t, s, x.ARN); len(got) != 0 {
			t.Fatalf("versions of a deleted schema: %v", got)
		}
	})

	t.Run("discoverers", func(t *testing.T) {
		s := registryOf(t, fresh(t, open))
		bus := "arn:aws:events:us-east-1:111111111111:event-bus/"
		discoverer := func(account, id, source string) store.Discoverer {
			return store.Discoverer{Account: account, Region: region, ID: id, ARN: "arn:aws:schemas:" + region + ":" + account + ":discoverer/" + id,
				Source: source, Started: true, CrossAccount: true, Created: 1000, Updated: 1000}
		}
		a, b := discoverer(acct, "events-event-bus-orders", bus+"orders"), discoverer(acct, "events-event-bus-default", bus+"default")
		other := discoverer("222222222222", "events-event-bus-orders", bus+"orders")
		for _, d := range []store.Discoverer{a, b, other} {
			if err := s.CreateDiscoverer(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateDiscoverer(ctx, a); !errors.Is(err, store.ErrExists) {
			t.Fatalf("CreateDiscoverer twice: %v; want ErrExists", err)
		}
		if got, err := s.Discoverer(ctx, a.ARN); err != nil || !reflect.DeepEqual(*got, a) {
			t.Fatalf("Discoverer = %+v, %v; want %+v", got, err, a)
		}
		ids := func(q store.DiscovererQuery) []string {
			q.Account, q.Region = acct, region
			ds, err := s.Discoverers(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, d := range ds {
				out = append(out, d.ID)
			}
			return out
		}
		for _, c := range []struct {
			q    store.DiscovererQuery
			want []string
		}{
			{store.DiscovererQuery{}, []string{b.ID, a.ID}},
			{store.DiscovererQuery{IDPrefix: "events-event-bus-o"}, []string{a.ID}},
			{store.DiscovererQuery{SourcePrefix: bus + "d"}, []string{b.ID}},
			{store.DiscovererQuery{After: b.ID}, []string{a.ID}},
			{store.DiscovererQuery{Limit: 1}, []string{b.ID}},
		} {
			if got := ids(c.q); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Discoverers(%+v) = %v; want %v", c.q, got, c.want)
			}
		}
		if ds, _ := s.DiscoverersOf(ctx, bus+"orders"); len(ds) != 2 || ds[0].Account != acct || ds[1].Account != "222222222222" {
			t.Fatalf("DiscoverersOf(orders) = %+v", ds)
		}
		changed := a
		changed.Started, changed.CrossAccount, changed.Description, changed.Updated = false, false, "stopped", 2000
		changed.Created, changed.Source = 1, "ignored"
		if err := s.UpdateDiscoverer(ctx, changed); err != nil {
			t.Fatal(err)
		}
		want := a
		want.Started, want.CrossAccount, want.Description, want.Updated = false, false, "stopped", 2000
		if got, _ := s.Discoverer(ctx, a.ARN); !reflect.DeepEqual(*got, want) {
			t.Fatalf("after UpdateDiscoverer: %+v; want %+v", got, want)
		}
		if err := s.DeleteDiscoverer(ctx, a.ARN); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{s.DeleteDiscoverer(ctx, a.ARN), s.UpdateDiscoverer(ctx, a)} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a deleted discoverer: %v; want ErrNotFound", err)
			}
		}
		if ds, _ := s.DiscoverersOf(ctx, bus+"orders"); len(ds) != 1 || ds[0].Account != "222222222222" {
			t.Fatalf("DiscoverersOf(orders) after a delete = %+v", ds)
		}
	})

	t.Run("reopen", func(t *testing.T) {
		r := registry(acct, region, "kept")
		x := schema(r, "S")
		d := store.Discoverer{Account: acct, Region: region, ID: "d", ARN: "arn:aws:schemas:us-east-1:111111111111:discoverer/d",
			Source: "arn:aws:events:us-east-1:111111111111:event-bus/default", Started: true, Created: 1, Updated: 1}
		s := registryOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			s := registryOf(t, b)
			mustRegistry(t, s, r)
			mustSchema(t, s, x, "v1")
			mustUpdate(t, s, store.SchemaUpdate{ARN: x.ARN, Version: &store.SchemaVersion{Type: "OpenApi3", Content: "v2"}})
			if err := s.CreateDiscoverer(ctx, d); err != nil {
				t.Fatal(err)
			}
		}))
		if _, err := s.Registry(ctx, r.ARN); err != nil {
			t.Fatalf("registry after reopening: %v", err)
		}
		if v, err := s.SchemaVersion(ctx, x.ARN, 0); err != nil || v.Content != "v2" || v.Version != 2 {
			t.Fatalf("latest version after reopening = %+v, %v", v, err)
		}
		if got, err := s.Discoverer(ctx, d.ARN); err != nil || !reflect.DeepEqual(*got, d) {
			t.Fatalf("discoverer after reopening = %+v, %v", got, err)
		}
	})
}
