package schemaregistry

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// A discovered schema is an OpenAPI 3 document in the shape AWS writes
// them (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schema.html):
// a component AWSEvent for the envelope, marked with the event's source
// and detail type (x-amazon-events-source, x-amazon-events-detail-type),
// whose detail refers to a component named after the detail type, and a
// component for each nested object, named after its property (its items'
// after the property and Item). Discovery reads its schemas back with
// parseDiscovered to merge what later events show.

// eventComponent is the envelope's component.
const eventComponent = "AWSEvent"

// envelopeRequired is the envelope's required properties, in AWS's order.
var envelopeRequired = []string{"detail-type", "resources", "detail", "id", "source", "time", "region", "version", "account"}

// componentRef is the prefix of a reference to a component.
const componentRef = "#/components/schemas/"

// discovered is what a discovered schema says of its events.
type discovered struct {
	Title, Source, DetailType string
	// Detail is the shape of the events' details, Resources of their
	// resources lists.
	Detail, Resources *shape
}

// discover returns what samples of one source and detail type say: the
// union of their shapes, titled after the detail type.
func discover(samples []*sample) *discovered {
	d := &discovered{Title: title(samples[0].DetailType), Source: samples[0].Source, DetailType: samples[0].DetailType}
	for _, s := range samples {
		d.add(s)
	}
	return d
}

// add merges what an event shows.
func (d *discovered) add(s *sample) {
	d.Detail = merge(d.Detail, s.Detail)
	d.Resources = merge(d.Resources, s.Resources)
}

// openAPI writes the discovered schema: compact, as AWS serves them.
func (d *discovered) openAPI() string {
	w := &componentWriter{schemas: &obj{}, used: map[string]bool{eventComponent: true, d.Title: true}}
	resources := &shape{kind: kindArray, items: &shape{kind: kindNone}}
	if d.Resources != nil && d.Resources.kind == kindArray {
		resources = d.Resources
	}
	props := (&obj{}).set("detail", (&obj{}).set("$ref", componentRef+d.Title))
	for _, p := range []string{"account", "detail-type", "id", "region"} {
		props.set(p, (&obj{}).set("type", "string"))
	}
	props.set("resources", w.property(resources, "Resources"))
	props.set("source", (&obj{}).set("type", "string"))
	props.set("time", (&obj{}).set("type", "string").set("format", "date-time"))
	props.set("version", (&obj{}).set("type", "string"))
	w.schemas.set(eventComponent, (&obj{}).set("type", "object").set("required", envelopeRequired).
		set("x-amazon-events-detail-type", d.DetailType).set("x-amazon-events-source", d.Source).set("properties", props))
	detail := d.Detail
	if detail == nil {
		detail = &shape{kind: kindNone}
	}
	w.component(d.Title, detail)
	w.flush()
	doc := (&obj{}).set("openapi", "3.0.0").set("info", (&obj{}).set("version", "1.0.0").set("title", d.Title)).
		set("paths", &obj{}).set("components", (&obj{}).set("schemas", w.schemas))
	return string(marshal(doc))
}

// componentWriter names and writes the components of nested objects,
// breadth first: a component's nested objects follow all the components
// named before them.
type componentWriter struct {
	schemas *obj
	used    map[string]bool
	queue   []pending
}

type pending struct {
	name string
	s    *shape
}

// name returns an unused component name made of base (base, base_1, …).
func (w *componentWriter) name(base string) string {
	if base == "" {
		base = "Object"
	}
	n := base
	for i := 1; w.used[n]; i++ {
		n = base + "_" + strconv.Itoa(i)
	}
	w.used[n] = true
	return n
}

// component writes an object's component, queueing those of its nested
// objects.
func (w *componentWriter) component(name string, s *shape) {
	c := (&obj{}).set("type", "object")
	if s.kind != kindObject {
		w.schemas.set(name, c)
		return
	}
	keys := slices.Sorted(maps.Keys(s.props))
	var required []string
	for _, k := range keys {
		if s.required[k] {
			required = append(required, k)
		}
	}
	if len(required) > 0 {
		c.set("required", required)
	}
	props := &obj{}
	for _, k := range keys {
		props.set(k, w.property(s.props[k], pascal(k)))
	}
	w.schemas.set(name, c.set("properties", props))
}

// property returns the schema of a property named base (written as
// components are): objects with properties become components.
func (w *componentWriter) property(s *shape, base string) *obj {
	switch s.kind {
	case kindAny:
		return &obj{}
	case kindNone:
		return (&obj{}).set("type", "object")
	case kindObject:
		n := w.name(base)
		w.queue = append(w.queue, pending{n, s})
		return (&obj{}).set("$ref", componentRef+n)
	case kindArray:
		return (&obj{}).set("type", "array").set("items", w.property(s.items, base+"Item"))
	}
	p := (&obj{}).set("type", typeNames[s.kind])
	if s.kind == kindString && s.dateTime {
		p.set("format", "date-time")
	}
	return p
}

// flush writes the queued components, and those they queue.
func (w *componentWriter) flush() {
	for len(w.queue) > 0 {
		p := w.queue[0]
		w.queue = w.queue[1:]
		w.component(p.name, p.s)
	}
}

// errNotDiscovered is the error of a schema that is not in the form of a
// discovered one.
var errNotDiscovered = errors.New("not a discovered schema")

// parseDiscovered reads back a discovered schema.
func parseDiscovered(content string) (*discovered, error) {
	var doc struct {
		Info struct {
			Title string `json:"title"`
		} `json:"info"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", errNotDiscovered, err)
	}
	var event struct {
		Source     string `json:"x-amazon-events-source"`
		DetailType string `json:"x-amazon-events-detail-type"`
		Properties struct {
			Detail    json.RawMessage `json:"detail"`
			Resources json.RawMessage `json:"resources"`
		} `json:"properties"`
	}
	raw, ok := doc.Components.Schemas[eventComponent]
	if !ok || json.Unmarshal(raw, &event) != nil || event.Source == "" || event.DetailType == "" {
		return nil, errNotDiscovered
	}
	r := &reader{schemas: doc.Components.Schemas}
	d := &discovered{Title: doc.Info.Title, Source: event.Source, DetailType: event.DetailType}
	var err error
	if d.Detail, err = r.shape(event.Properties.Detail, 0); err != nil {
		return nil, err
	}
	if d.Resources, err = r.shape(event.Properties.Resources, 0); err != nil {
		return nil, err
	}
	return d, nil
}

// reader reads the shapes of a discovered schema's components.
type reader struct {
	schemas map[string]json.RawMessage
}

// schemaObject is the part of a schema object discovery writes.
type schemaObject struct {
	Ref        string                     `json:"$ref"`
	Type       string                     `json:"type"`
	Format     string                     `json:"format"`
	Required   []string                   `json:"required"`
	Properties map[string]json.RawMessage `json:"properties"`
	Items      json.RawMessage            `json:"items"`
}

func (r *reader) shape(raw json.RawMessage, depth int) (*shape, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested too deeply", errNotDiscovered)
	}
	var o schemaObject
	if len(raw) == 0 || json.Unmarshal(raw, &o) != nil {
		return nil, errNotDiscovered
	}
	if o.Ref != "" {
		name, ok := strings.CutPrefix(o.Ref, componentRef)
		target, found := r.schemas[name]
		if !ok || !found {
			return nil, fmt.Errorf("%w: reference %s", errNotDiscovered, o.Ref)
		}
		return r.shape(target, depth+1)
	}
	switch o.Type {
	case "":
		return &shape{kind: kindAny}, nil
	case "object":
		if len(o.Properties) == 0 {
			return &shape{kind: kindNone}, nil
		}
		s := &shape{kind: kindObject, props: make(map[string]*shape, len(o.Properties)), required: map[string]bool{}}
		for k, p := range o.Properties {
			ps, err := r.shape(p, depth+1)
			if err != nil {
				return nil, err
			}
			s.props[k] = ps
		}
		for _, k := range o.Required {
			if _, ok := s.props[k]; ok {
				s.required[k] = true
			}
		}
		return s, nil
	case "array":
		items, err := r.shape(o.Items, depth+1)
		if err != nil {
			return nil, err
		}
		return &shape{kind: kindArray, items: items}, nil
	}
	for k, name := range typeNames {
		if name == o.Type && k != kindObject && k != kindArray {
			return &shape{kind: k, dateTime: o.Format == "date-time"}, nil
		}
	}
	return nil, fmt.Errorf("%w: type %q", errNotDiscovered, o.Type)
}
