package schemaregistry

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/golden"
)

const draft4Content = `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"id":{"type":"string"}}}`

func TestSchemaVersions(t *testing.T) {
	f := newFixture(t)
	f.must2(f.svc.CreateRegistry(f.ctx, scope, "orders", "", nil))
	create := func(in Schema) (Schema, error) {
		in.Registry = "orders"
		return f.svc.CreateSchema(f.ctx, scope, in)
	}
	for _, in := range []Schema{
		{Name: "Order", Type: TypeOpenAPI3, Content: `{"openapi":"3.0.0"}`},
		{Name: "Order", Type: TypeJSONSchemaDraft4, Content: openAPI[:20]},
		{Name: "Order", Type: "Avro", Content: openAPI},
		{Name: "bad/name", Type: TypeOpenAPI3, Content: openAPI},
		{Name: "Order", Type: TypeOpenAPI3, Content: strings.Repeat(" ", maxContent) + openAPI},
	} {
		_, err := create(in)
		f.refuses(err, BadRequest)
	}
	_, err := f.svc.DescribeSchema(f.ctx, scope, "orders", "Order", "")
	f.refuses(err, NotFound) // nothing refused was created
	for _, registry := range []string{AWSEventsRegistry, DiscoveredRegistry} {
		_, err := f.svc.CreateSchema(f.ctx, scope, Schema{Registry: registry, Name: "Order", Type: TypeOpenAPI3, Content: openAPI})
		f.refuses(err, Forbidden)
	}
	_, err = f.svc.CreateSchema(f.ctx, scope, Schema{Registry: "none", Name: "Order", Type: TypeOpenAPI3, Content: openAPI})
	f.refuses(err, NotFound)

	x, err := create(Schema{Name: "Order", Description: "orders", Type: TypeOpenAPI3, Content: openAPI, Tags: map[string]string{"k": "v"}})
	f.must(err)
	want := Schema{Name: "Order", ARN: "arn:aws:schemas:us-east-1:123456789012:schema/orders/Order", Registry: "orders", Description: "orders",
		Version: "1", Type: TypeOpenAPI3, Content: openAPI, LastModified: t0, VersionCreated: t0, VersionCount: 1, Tags: map[string]string{"k": "v"}}
	if !reflect.DeepEqual(x, want) {
		t.Errorf("CreateSchema = %+v; want %+v", x, want)
	}
	_, err = create(Schema{Name: "Order", Type: TypeOpenAPI3, Content: openAPI})
	f.refuses(err, Conflict)

	// The same content again adds no version; another content does.
	f.clock.Advance(time.Minute)
	desc := "all orders"
	x, err = f.svc.UpdateSchema(f.ctx, scope, "orders", "Order", &desc, &want.Content, "")
	f.must(err)
	if x.Version != "1" || x.Description != desc || x.VersionCount != 1 || !x.LastModified.Equal(t0.Add(time.Minute)) {
		t.Errorf("UpdateSchema with the same content = %+v", x)
	}
	f.clock.Advance(time.Minute)
	changed := strings.Replace(openAPI, `"id"`, `"orderId"`, 1)
	x, err = f.svc.UpdateSchema(f.ctx, scope, "orders", "Order", nil, &changed, "")
	f.must(err)
	if x.Version != "2" || x.Type != TypeOpenAPI3 || x.Content != changed || x.Description != desc || !x.VersionCreated.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("UpdateSchema with new content = %+v", x)
	}
	_, err = f.svc.UpdateSchema(f.ctx, scope, "orders", "Order", nil, nil, TypeJSONSchemaDraft4)
	f.refuses(err, BadRequest)
	bad := "{"
	_, err = f.svc.UpdateSchema(f.ctx, scope, "orders", "Order", nil, &bad, "")
	f.refuses(err, BadRequest)
	draft4 := draft4Content
	x, err = f.svc.UpdateSchema(f.ctx, scope, "orders", "Order", nil, &draft4, TypeJSONSchemaDraft4)
	f.must(err)
	if x.Version != "3" || x.Type != TypeJSONSchemaDraft4 || x.VersionCount != 3 {
		t.Errorf("UpdateSchema to Draft 4 = %+v", x)
	}
	_, err = f.svc.UpdateSchema(f.ctx, scope, "orders", "None", nil, &draft4, "")
	f.refuses(err, NotFound)

	// Versions: described, listed by page, deleted (never the last).
	if v1, err := f.svc.DescribeSchema(f.ctx, scope, "orders", "Order", "1"); err != nil || v1.Content != openAPI || !v1.VersionCreated.Equal(t0) {
		t.Errorf("version 1 = %+v, %v", v1, err)
	}
	for _, v := range []string{"4", "0", "x", "-1"} {
		_, err := f.svc.DescribeSchema(f.ctx, scope, "orders", "Order", v)
		f.refuses(err, NotFound)
	}
	page1, next, err := f.svc.ListVersions(f.ctx, scope, "orders", "Order", "", 2)
	f.must(err)
	page2, last, err := f.svc.ListVersions(f.ctx, scope, "orders", "Order", next, 2)
	f.must(err)
	if len(page1) != 2 || page1[0].Version != "1" || page1[1].Version != "2" || len(page2) != 1 || page2[0].Version != "3" ||
		page2[0].Type != TypeJSONSchemaDraft4 || last != "" {
		t.Errorf("versions %+v (next %q), %+v (next %q)", page1, next, page2, last)
	}
	f.must(f.svc.DeleteSchemaVersion(f.ctx, scope, "orders", "Order", "3"))
	f.refuses(f.svc.DeleteSchemaVersion(f.ctx, scope, "orders", "Order", "3"), NotFound)
	if x, _ := f.svc.DescribeSchema(f.ctx, scope, "orders", "Order", ""); x.Version != "2" || x.VersionCount != 2 {
		t.Errorf("latest after deleting 3 = %+v", x)
	}
	f.must(f.svc.DeleteSchemaVersion(f.ctx, scope, "orders", "Order", "1"))
	f.refuses(f.svc.DeleteSchemaVersion(f.ctx, scope, "orders", "Order", "2"), BadRequest)
	f.refuses(f.svc.DeleteSchemaVersion(f.ctx, scope, AWSEventsRegistry, "aws.events@ScheduledEvent", "1"), Forbidden)

	f.must(f.svc.DeleteSchema(f.ctx, scope, "orders", "Order"))
	f.refuses(f.svc.DeleteSchema(f.ctx, scope, "orders", "Order"), NotFound)
	f.refuses(f.svc.DeleteSchema(f.ctx, scope, "none", "Order"), NotFound)
	f.refuses(f.svc.DeleteSchema(f.ctx, scope, AWSEventsRegistry, "aws.events@ScheduledEvent"), Forbidden)
}

func TestListSearchExport(t *testing.T) {
	f := newFixture(t)
	f.must2(f.svc.CreateRegistry(f.ctx, scope, "shop", "", nil))
	for _, in := range []Schema{
		{Name: "OrderPlaced", Description: "an order", Content: openAPI},
		{Name: "OrderShipped", Content: strings.Replace(openAPI, `"id"`, `"parcelId"`, 1)},
		{Name: "Invoice", Content: draft4Content, Type: TypeJSONSchemaDraft4},
	} {
		in.Registry = "shop"
		if in.Type == "" {
			in.Type = TypeOpenAPI3
		}
		f.must2(f.svc.CreateSchema(f.ctx, scope, in))
	}
	names := func(xs []Schema) []string { return namesOf(xs, listedName) }
	xs, next, err := f.svc.ListSchemas(f.ctx, scope, "shop", "Order", "", 1)
	f.must(err)
	rest, _, err := f.svc.ListSchemas(f.ctx, scope, "shop", "Order", next, 1)
	f.must(err)
	if got := names(append(xs, rest...)); !reflect.DeepEqual(got, []string{"OrderPlaced", "OrderShipped"}) || xs[0].VersionCount != 1 {
		t.Errorf("ListSchemas(Order) = %v", got)
	}
	_, _, err = f.svc.ListSchemas(f.ctx, scope, "none", "", "", 0)
	f.refuses(err, NotFound)

	found, versions, _, err := f.svc.SearchSchemas(f.ctx, scope, "shop", "PARCELID order", "", 0)
	f.must(err)
	if got := names(found); !reflect.DeepEqual(got, []string{"OrderShipped"}) || len(versions["OrderShipped"]) != 1 ||
		versions["OrderShipped"][0].Version != "1" || !versions["OrderShipped"][0].Created.Equal(t0) {
		t.Errorf("SearchSchemas = %v, %+v", got, versions)
	}
	for _, keywords := range []string{"", "   ", strings.Repeat("a ", maxKeywords+1)} {
		_, _, _, err := f.svc.SearchSchemas(f.ctx, scope, "shop", keywords, "", 0)
		f.refuses(err, BadRequest)
	}
	found, _, _, err = f.svc.SearchSchemas(f.ctx, scope, AWSEventsRegistry, "alarm", "", 0)
	f.must(err)
	if got := names(found); !reflect.DeepEqual(got, []string{"aws.cloudwatch@CloudWatchAlarmStateChange"}) {
		t.Errorf("SearchSchemas(aws.events, alarm) = %v", got)
	}

	_, err = f.svc.ExportSchema(f.ctx, scope, "shop", "OrderPlaced", "", TypeJSONSchemaDraft4)
	f.refuses(err, Forbidden)
	_, err = f.svc.ExportSchema(f.ctx, scope, AWSEventsRegistry, "aws.events@ScheduledEvent", "", "Avro")
	f.refuses(err, BadRequest)
	x, err := f.svc.ExportSchema(f.ctx, scope, AWSEventsRegistry, "aws.events@ScheduledEvent", "", TypeJSONSchemaDraft4)
	f.must(err)
	if x.Type != TypeJSONSchemaDraft4 || x.Version != "1" || !strings.HasPrefix(x.Content, `{"$schema":"http://json-schema.org/draft-04/schema#","title":"ScheduledEvent"`) {
		t.Errorf("ExportSchema = %+v", x)
	}
}

// TestManagedRegistry pins the schemas of aws.events: those of the events
// Vigil's services send.
func TestManagedRegistry(t *testing.T) {
	f := newFixture(t)
	xs, _, err := f.svc.ListSchemas(f.ctx, scope, AWSEventsRegistry, "", "", 0)
	f.must(err)
	for _, x := range xs {
		d, err := f.svc.DescribeSchema(f.ctx, scope, AWSEventsRegistry, x.Name, "")
		f.must(err)
		golden.Check(t, "managed/"+x.Name+".openapi.json", []byte(d.Content+"\n"))
		if err := validateContent(d.Type, d.Content); err != nil {
			t.Errorf("%s: %v", x.Name, err)
		}
	}
	want := []string{"aws.cloudwatch@CloudWatchAlarmStateChange", "aws.events@ScheduledEvent", "aws.logs@AWSAPICallViaCloudTrail",
		"aws.sqs@AWSAPICallViaCloudTrail"}
	if names := namesOf(xs, listedName); !reflect.DeepEqual(names, want) {
		t.Errorf("aws.events holds %v; want %v", names, want)
	}
	_, err = f.svc.DescribeSchema(f.ctx, scope, AWSEventsRegistry, "aws.events@ScheduledEvent", "2")
	f.refuses(err, NotFound)
	vs, _, err := f.svc.ListVersions(f.ctx, scope, AWSEventsRegistry, "aws.events@ScheduledEvent", "", 0)
	if err != nil || len(vs) != 1 || vs[0].Version != "1" {
		t.Errorf("versions of a managed schema = %+v, %v", vs, err)
	}
}
