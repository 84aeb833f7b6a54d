package schemaregistry

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// Inference: what a discoverer (and GetDiscoveredSchema) learns of the
// events of one source and detail type is a shape, the union of the
// shapes of their details: every property seen, of the type its values
// had, required when every event had it.

// kind is the type of a shape.
type kind uint8

const (
	// kindNone is a value that says nothing of its type: null, an empty
	// object, or the items of an array seen empty. It is written
	// {"type":"object"}, as AWS writes the items of an empty array, and
	// gives way to whatever type a later value has.
	kindNone kind = iota
	// kindAny is a property whose values had types that do not merge (a
	// string and an object): written {}, any value.
	kindAny
	kindObject
	kindArray
	kindString
	kindInteger
	kindNumber
	kindBoolean
)

// typeNames are the OpenAPI types of the kinds that have one.
var typeNames = map[kind]string{kindObject: "object", kindArray: "array", kindString: "string", kindInteger: "integer",
	kindNumber: "number", kindBoolean: "boolean"}

// shape is what is known of a value.
type shape struct {
	kind kind
	// dateTime is true for a string whose values were all RFC 3339
	// date-times (format date-time).
	dateTime bool
	// props are an object's properties (none: it is kindNone), and
	// required those every occurrence of the object had.
	props    map[string]*shape
	required map[string]bool
	// items is what is known of an array's elements (kindNone when it
	// was always empty).
	items *shape
}

// maxDepth is how deeply nested a detail may be: "Schema discovery will
// infer a maximum of 255 levels of nested events. Any event exceeding
// 255 levels will be ignored"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
const maxDepth = 255

var errTooDeep = fmt.Errorf("the event is nested more than %d levels deep, more than schema discovery infers", maxDepth)

// shapeOf returns the shape of a decoded JSON value (decode's types).
func shapeOf(v any, depth int) (*shape, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return &shape{kind: kindNone}, nil
		}
		s := &shape{kind: kindObject, props: make(map[string]*shape, len(x)), required: make(map[string]bool, len(x))}
		for k, e := range x {
			p, err := shapeOf(e, depth+1)
			if err != nil {
				return nil, err
			}
			s.props[k], s.required[k] = p, true
		}
		return s, nil
	case []any:
		s := &shape{kind: kindArray, items: &shape{kind: kindNone}}
		for _, e := range x {
			p, err := shapeOf(e, depth+1)
			if err != nil {
				return nil, err
			}
			s.items = merge(s.items, p)
		}
		return s, nil
	case string:
		return &shape{kind: kindString, dateTime: isDateTime(x)}, nil
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return &shape{kind: kindNumber}, nil
		}
		return &shape{kind: kindInteger}, nil
	case bool:
		return &shape{kind: kindBoolean}, nil
	case nil:
		return &shape{kind: kindNone}, nil
	}
	return nil, fmt.Errorf("BUG: schemaregistry: a decoded value of type %T", v)
}

// merge returns the union of two shapes; it may reuse a, never b.
func merge(a, b *shape) *shape {
	switch {
	case a == nil || a.kind == kindNone:
		return clone(b)
	case b == nil || b.kind == kindNone:
		return a
	case a.kind == kindObject && b.kind == kindObject:
		for k, p := range b.props {
			a.props[k] = merge(a.props[k], p)
		}
		for k := range a.required {
			if !b.required[k] {
				delete(a.required, k)
			}
		}
		return a
	case a.kind == kindArray && b.kind == kindArray:
		a.items = merge(a.items, b.items)
		return a
	case a.kind == kindString && b.kind == kindString:
		a.dateTime = a.dateTime && b.dateTime
		return a
	case a.kind == b.kind:
		return a
	case a.kind == kindInteger && b.kind == kindNumber, a.kind == kindNumber && b.kind == kindInteger:
		return &shape{kind: kindNumber}
	}
	return &shape{kind: kindAny}
}

// clone returns a deep copy of s, so that merging into it leaves s as
// it was.
func clone(s *shape) *shape {
	if s == nil {
		return nil
	}
	c := *s
	if s.props != nil {
		c.props = make(map[string]*shape, len(s.props))
		for k, p := range s.props {
			c.props[k] = clone(p)
		}
		c.required = maps.Clone(s.required)
	}
	c.items = clone(s.items)
	return &c
}

// sample is what inference reads of an event.
type sample struct {
	Source, DetailType string
	Detail             *shape
	// Resources is the shape of the event's resources list.
	Resources *shape
}

// envelope is an event as GetDiscoveredSchema takes it, with AWS's
// envelope.
type envelope struct {
	Source     *string         `json:"source"`
	DetailType *string         `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
	Resources  json.RawMessage `json:"resources"`
}

// errNotEvent is the error of a JSON document that is no event.
var errNotEvent = errors.New("an event is a JSON object with a source, a detail-type and a detail object")

// sampleOf reads an event: a JSON object with AWS's envelope, whose
// detail is an object.
func sampleOf(event []byte) (*sample, error) {
	var env envelope
	if err := json.Unmarshal(event, &env); err != nil {
		return nil, errNotEvent
	}
	if env.Source == nil || env.DetailType == nil || *env.Source == "" || *env.DetailType == "" {
		return nil, errNotEvent
	}
	detail, err := decode(env.Detail)
	if _, ok := detail.(map[string]any); err != nil || !ok {
		return nil, errNotEvent
	}
	s := &sample{Source: *env.Source, DetailType: *env.DetailType, Resources: &shape{kind: kindArray, items: &shape{kind: kindNone}}}
	if s.Detail, err = shapeOf(detail, 1); err != nil {
		return nil, err
	}
	if len(env.Resources) > 0 && string(env.Resources) != "null" {
		resources, err := decode(env.Resources)
		if _, ok := resources.([]any); err != nil || !ok {
			return nil, errors.New("an event's resources are a JSON array")
		}
		if s.Resources, err = shapeOf(resources, 1); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// pascal writes a detail type or a property name as AWS names schemas
// after them: its words (runs of ASCII letters and digits) with their
// first letter upper-cased, joined ("EC2 Instance State-change
// Notification" → EC2InstanceStateChangeNotification).
func pascal(s string) string {
	var b strings.Builder
	start := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			if start {
				c -= 'a' - 'A'
			}
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			start = true
			continue
		}
		b.WriteByte(c)
		start = false
	}
	return b.String()
}

// schemaName is the name of the discovered schema of a source and detail
// type: SOURCE@DetailType, the source without the characters schema
// names do not take.
func schemaName(source, detailType string) string {
	return strings.Map(func(r rune) rune {
		if nameChar(r) && r != '@' {
			return r
		}
		return -1
	}, source) + "@" + title(detailType)
}

// title is the title of the discovered schema of a detail type, and the
// name of its detail's schema: "Event" when the detail type has no
// letter or digit.
func title(detailType string) string {
	if t := pascal(detailType); t != "" {
		return t
	}
	return "Event"
}

// isDateTime reports whether s is an RFC 3339 date-time
// (2006-01-02T15:04:05, fractional seconds, Z or an offset): the strings
// AWS gives format date-time.
func isDateTime[T string | []byte](s T) bool {
	digits := func(from, to int) bool {
		for i := from; i < to; i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	if len(s) < 20 || !digits(0, 4) || s[4] != '-' || !digits(5, 7) || s[7] != '-' || !digits(8, 10) ||
		s[10] != 'T' && s[10] != 't' || !digits(11, 13) || s[13] != ':' || !digits(14, 16) || s[16] != ':' || !digits(17, 19) {
		return false
	}
	i := 19
	if s[i] == '.' {
		j := i + 1
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	switch {
	case i == len(s)-1:
		return s[i] == 'Z' || s[i] == 'z'
	case i == len(s)-6:
		return (s[i] == '+' || s[i] == '-') && digits(i+1, i+3) && s[i+3] == ':' && digits(i+4, i+6)
	}
	return false
}
