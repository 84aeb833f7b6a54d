package schemaregistry

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// The aws.events registry holds, on AWS, the schemas of the events AWS
// services send. Vigil's holds those of the events its own services
// send: "Scheduled Event" (EventBridge's scheduled rules), "CloudWatch
// Alarm State Change", and "AWS API Call via CloudTrail" of each service
// Vigil serves. They are inferred, as a discoverer would, from the
// samples of managed.json, which follow what those services write; the
// samples of source "*" stand for every API source. The registry is the
// same in every account and region, and read-only.

//go:embed managed.json
var managedSamples []byte

// managedSince is the date of the managed schemas' only version: the
// launch of the Schema Registry, since they change with no API call.
var managedSince = time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)

// managedSchema is a schema of aws.events.
type managedSchema struct {
	name, description, content string
}

// managedSchemas returns the schemas of aws.events, by name.
func (s *Service) managedSchemas() []managedSchema {
	s.managedOnce.Do(func() {
		var sources []string
		if s.opt.APISources != nil {
			sources = s.opt.APISources()
		}
		s.managed = buildManaged(sources)
	})
	return s.managed
}

// buildManaged infers the schemas of aws.events from managed.json, those
// of API calls once per source of apiSources.
func buildManaged(apiSources []string) []managedSchema {
	var raw []json.RawMessage
	if err := json.Unmarshal(managedSamples, &raw); err != nil {
		panic("BUG: schemaregistry: managed.json: " + err.Error())
	}
	groups := map[string][]*sample{}
	for _, r := range raw {
		x, err := sampleOf(r)
		if err != nil {
			panic("BUG: schemaregistry: managed.json: " + err.Error())
		}
		sources := []string{x.Source}
		if x.Source == "*" {
			sources = apiSources
		}
		for _, src := range sources {
			y := *x
			y.Source = src
			groups[schemaName(src, y.DetailType)] = append(groups[schemaName(src, y.DetailType)], &y)
		}
	}
	out := make([]managedSchema, 0, len(groups))
	for name, samples := range groups {
		d := discover(samples)
		out = append(out, managedSchema{name: name, content: d.openAPI(),
			description: "Schema for event type " + d.DetailType + ", published by " + d.Source})
	}
	slices.SortFunc(out, func(a, b managedSchema) int { return strings.Compare(a.name, b.name) })
	return out
}

// managedSchema returns the schema of aws.events of a name.
func (s *Service) managedSchema(name string) (managedSchema, bool) {
	all := s.managedSchemas()
	i, ok := slices.BinarySearchFunc(all, name, func(m managedSchema, n string) int { return strings.Compare(m.name, n) })
	if !ok {
		return managedSchema{}, false
	}
	return all[i], true
}

// describeManaged describes a schema of aws.events: its only version is 1.
func (s *Service) describeManaged(sc Scope, name, version string) (Schema, error) {
	m, ok := s.managedSchema(name)
	if !ok {
		return Schema{}, schemaNotFound(AWSEventsRegistry, name)
	}
	if version != "" && version != "1" {
		return Schema{}, errorf(NotFound, "Version %s of schema %s does not exist in registry %s.", version, name, AWSEventsRegistry)
	}
	return Schema{Name: m.name, ARN: SchemaARN(sc, AWSEventsRegistry, m.name), Registry: AWSEventsRegistry, Description: m.description,
		Version: "1", Type: TypeOpenAPI3, Content: m.content, LastModified: managedSince, VersionCreated: managedSince,
		VersionCount: 1, Tags: map[string]string{}}, nil
}

// listManaged lists the schemas of aws.events a query selects.
func (s *Service) listManaged(sc Scope, q store.SchemaQuery, after string, limit int) ([]Schema, string, error) {
	var found []Schema
	for _, m := range s.managedSchemas() {
		if m.name <= after || !strings.HasPrefix(m.name, q.Prefix) || !hasKeywords(q.Keywords, m.name, m.description, m.content) {
			continue
		}
		x, _ := s.describeManaged(sc, m.name, "")
		x.Content, x.Version, x.Type = "", "", ""
		found = append(found, x)
	}
	found, next := page(found, limit, func(x *Schema) string { return x.Name })
	return found, next, nil
}

// hasKeywords reports whether every keyword is in one of the texts,
// ignoring case.
func hasKeywords(keywords []string, texts ...string) bool {
	for _, k := range keywords {
		k = strings.ToLower(k)
		if !slices.ContainsFunc(texts, func(t string) bool { return strings.Contains(strings.ToLower(t), k) }) {
			return false
		}
	}
	return true
}
