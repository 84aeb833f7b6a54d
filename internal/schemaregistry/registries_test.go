package schemaregistry

import (
	"reflect"
	"testing"
)

func TestRegistries(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.CreateRegistry(f.ctx, scope, "orders", "the orders", map[string]string{"team": "shop"})
	f.must(err)
	if r.ARN != "arn:aws:schemas:us-east-1:123456789012:registry/orders" {
		t.Errorf("ARN = %s", r.ARN)
	}
	_, err = f.svc.CreateRegistry(f.ctx, scope, "orders", "", nil)
	f.refuses(err, Conflict)
	for _, name := range []string{AWSEventsRegistry, DiscoveredRegistry, "", "bad name", string(make([]byte, 65))} {
		_, err := f.svc.CreateRegistry(f.ctx, scope, name, "", nil)
		f.refuses(err, BadRequest)
	}
	f.must2(f.svc.CreateRegistry(f.ctx, scope, "audit", "", nil))
	f.must2(f.svc.CreateRegistry(f.ctx, other, "orders", "", nil))

	got, err := f.svc.DescribeRegistry(f.ctx, scope, "orders")
	f.must(err)
	if want := (Registry{Name: "orders", ARN: r.ARN, Description: "the orders", Tags: map[string]string{"team": "shop"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("DescribeRegistry = %+v; want %+v", got, want)
	}
	got, err = f.svc.UpdateRegistry(f.ctx, scope, "orders", "orders placed")
	f.must(err)
	if got.Description != "orders placed" || got.Tags["team"] != "shop" {
		t.Errorf("UpdateRegistry = %+v", got)
	}
	_, err = f.svc.UpdateRegistry(f.ctx, scope, "none", "")
	f.refuses(err, NotFound)
	_, err = f.svc.UpdateRegistry(f.ctx, scope, AWSEventsRegistry, "")
	f.refuses(err, Forbidden)
	if got, err := f.svc.DescribeRegistry(f.ctx, scope, AWSEventsRegistry); err != nil || got.ARN != "arn:aws:schemas:us-east-1:123456789012:registry/aws.events" {
		t.Errorf("DescribeRegistry(aws.events) = %+v, %v", got, err)
	}
	_, err = f.svc.DescribeRegistry(f.ctx, scope, DiscoveredRegistry)
	f.refuses(err, NotFound) // made when a discoverer needs it

	names := func(prefix, sc, token string, limit int) ([]string, string) {
		t.Helper()
		rs, next, err := f.svc.ListRegistries(f.ctx, scope, prefix, sc, token, limit)
		f.must(err)
		return namesOf(rs, func(r Registry) string { return r.Name }), next
	}
	check := func(got []string, want ...string) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("registries %v; want %v", got, want)
		}
	}
	all, _ := names("", "", "", 0)
	check(all, "audit", AWSEventsRegistry, "orders")
	local, _ := names("", "LOCAL", "", 0)
	check(local, "audit", "orders")
	aws, _ := names("", "AWS", "", 0)
	check(aws, AWSEventsRegistry)
	prefixed, _ := names("a", "", "", 0)
	check(prefixed, "audit", AWSEventsRegistry)
	first, next := names("", "", "", 2)
	check(first, "audit", AWSEventsRegistry)
	rest, last := names("", "", next, 2)
	check(rest, "orders")
	if next == "" || last != "" {
		t.Errorf("tokens %q, %q", next, last)
	}
	_, _, err = f.svc.ListRegistries(f.ctx, scope, "", "GLOBAL", "", 0)
	f.refuses(err, BadRequest)
	_, _, err = f.svc.ListRegistries(f.ctx, scope, "", "", "bogus", 0)
	f.refuses(err, BadRequest)

	// Deleting a registry deletes its schemas, and their tags.
	x, err := f.svc.CreateSchema(f.ctx, scope, Schema{Registry: "orders", Name: "Order", Type: TypeOpenAPI3, Content: openAPI,
		Tags: map[string]string{"k": "v"}})
	f.must(err)
	f.refuses(f.svc.DeleteRegistry(f.ctx, scope, AWSEventsRegistry), Forbidden)
	f.must(f.svc.DeleteRegistry(f.ctx, scope, "orders"))
	f.refuses(f.svc.DeleteRegistry(f.ctx, scope, "orders"), NotFound)
	f.must2(f.svc.CreateRegistry(f.ctx, scope, "orders", "", nil))
	_, err = f.svc.DescribeSchema(f.ctx, scope, "orders", "Order", "")
	f.refuses(err, NotFound)
	if tags, _ := f.svc.opt.Tags.ResourceTags(f.ctx, x.ARN); len(tags) != 0 {
		t.Errorf("a deleted schema's tags: %v", tags)
	}
	if got, _ := f.svc.DescribeRegistry(f.ctx, scope, "orders"); len(got.Tags) != 0 {
		t.Errorf("a recreated registry's tags: %v", got.Tags)
	}
}

// must2 fails the test on the error of a call with a result.
func (f *fixture) must2(_ any, err error) {
	f.t.Helper()
	f.must(err)
}

func TestPolicies(t *testing.T) {
	f := newFixture(t)
	f.must2(f.svc.CreateRegistry(f.ctx, scope, "orders", "", nil))
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},` +
		`"Action":"schemas:DescribeSchema","Resource":"*"}]}`
	_, err := f.svc.GetPolicy(f.ctx, scope, "orders")
	f.refuses(err, NotFound)
	f.refuses(f.svc.DeletePolicy(f.ctx, scope, "orders"), NotFound)
	for _, bad := range []string{`{"Statement":`, `{"Statement":[{"Effect":"Maybe"}]}`} {
		_, err = f.svc.PutPolicy(f.ctx, scope, "orders", bad, "")
		f.refuses(err, BadRequest)
	}
	_, err = f.svc.PutPolicy(f.ctx, scope, "", doc, "")
	f.refuses(err, BadRequest)
	_, err = f.svc.PutPolicy(f.ctx, scope, AWSEventsRegistry, doc, "")
	f.refuses(err, Forbidden)
	_, err = f.svc.PutPolicy(f.ctx, scope, "none", doc, "")
	f.refuses(err, NotFound)

	first, err := f.svc.PutPolicy(f.ctx, scope, "orders", doc, "")
	f.must(err)
	_, err = f.svc.PutPolicy(f.ctx, scope, "orders", doc, "stale")
	f.refuses(err, PreconditionFailed)
	second, err := f.svc.PutPolicy(f.ctx, scope, "orders", doc, first.RevisionID)
	f.must(err)
	if second.RevisionID == first.RevisionID || len(second.RevisionID) != 36 {
		t.Errorf("revisions %q then %q", first.RevisionID, second.RevisionID)
	}
	_, err = f.svc.PutPolicy(f.ctx, scope, "orders", doc, first.RevisionID)
	f.refuses(err, PreconditionFailed)
	if got, err := f.svc.GetPolicy(f.ctx, scope, "orders"); err != nil || got != second {
		t.Errorf("GetPolicy = %+v, %v; want %+v", got, err, second)
	}
	f.must(f.svc.DeletePolicy(f.ctx, scope, "orders"))
	_, err = f.svc.GetPolicy(f.ctx, scope, "orders")
	f.refuses(err, NotFound)
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.CreateRegistry(f.ctx, scope, "orders", "", nil)
	f.must(err)
	x, err := f.svc.CreateSchema(f.ctx, scope, Schema{Registry: "orders", Name: "Order", Type: TypeOpenAPI3, Content: openAPI})
	f.must(err)
	d, err := f.svc.CreateDiscoverer(f.ctx, scope, orders, "", true, nil)
	f.must(err)
	for _, arn := range []string{r.ARN, x.ARN, d.ARN} {
		f.must(f.svc.Tag(f.ctx, scope, arn, map[string]string{"a": "1", "b": "2"}, nil))
		f.must(f.svc.Tag(f.ctx, scope, arn, nil, []string{"b"}))
		if tags, err := f.svc.TagsOf(f.ctx, scope, arn); err != nil || !reflect.DeepEqual(tags, map[string]string{"a": "1"}) {
			t.Errorf("TagsOf(%s) = %v, %v", arn, tags, err)
		}
		_, err := f.svc.TagsOf(f.ctx, other, arn)
		f.refuses(err, NotFound)
	}
	many := map[string]string{}
	for i := range maxTags + 1 {
		many[string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	f.refuses(f.svc.Tag(f.ctx, scope, r.ARN, many, nil), BadRequest)
	for _, arn := range []string{"arn:aws:schemas:us-east-1:123456789012:registry/none", "arn:aws:schemas:us-east-1:123456789012:widget/x",
		"arn:aws:sqs:us-east-1:123456789012:q", SchemaARN(scope, AWSEventsRegistry, "none@None")} {
		_, err := f.svc.TagsOf(f.ctx, scope, arn)
		f.refuses(err, NotFound)
	}
	managed := SchemaARN(scope, AWSEventsRegistry, "aws.events@ScheduledEvent")
	if tags, err := f.svc.TagsOf(f.ctx, scope, managed); err != nil || len(tags) != 0 {
		t.Errorf("TagsOf(%s) = %v, %v", managed, tags, err)
	}
	f.refuses(f.svc.Tag(f.ctx, scope, managed, map[string]string{"a": "1"}, nil), Forbidden)
}
