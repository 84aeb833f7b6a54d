package eventinput

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// A template is a compiled InputTransformer: its template cut into
// literal text and placeholders, and the variables the placeholders name.
type template struct {
	// json is set for a JSON template, whose result must be JSON.
	json   bool
	pieces []piece
	vars   []variable
	// find finds the values of the variables that are paths.
	find *finder
	// literal is the length of the template's literal text, to size a
	// result.
	literal int
}

// A piece is literal text of a template, or a placeholder.
type piece struct {
	text string
	// v is the index of the placeholder's variable, or -1 for text.
	v    int
	mode mode
}

// mode is how a placeholder writes its value, which depends on where it
// stands.
type mode uint8

const (
	// asJSON is outside the strings of a JSON template: the value's JSON.
	asJSON mode = iota
	// inString is inside a string of a JSON template: a string's
	// characters, unescaped, or the JSON of any other value.
	inString
	// asText is anywhere in a text template: a string's characters, or the
	// JSON of any other value without its quotation marks.
	asText
)

// A variable is what a placeholder names: a predefined variable, or a
// path into the event.
type variable struct {
	pre predefined
	// path is the index of the variable's path among the finder's.
	path int
}

// predefined is a predefined variable, or none.
type predefined uint8

const (
	none predefined = iota
	ruleARN
	ruleName
	ingestionTime
	wholeEvent
	eventJSON
)

// predefinedNames are the guide's predefined variables.
var predefinedNames = map[string]predefined{
	"aws.events.rule-arn":             ruleARN,
	"aws.events.rule-name":            ruleName,
	"aws.events.event.ingestion-time": ingestionTime,
	"aws.events.event":                wholeEvent,
	"aws.events.event.json":           eventJSON,
}

// compileTemplate checks and compiles the transformer t of target
// targetID: its paths, in the order of their names, then its
// placeholders, in the order they appear.
func compileTemplate(targetID string, t *Transformer) (*template, error) {
	paths := make(map[string]*path, len(t.PathsMap))
	for _, name := range slices.Sorted(maps.Keys(t.PathsMap)) {
		p, ok := parsePath(t.PathsMap[name])
		if !ok {
			return nil, invalidPath(targetID)
		}
		paths[name] = p
	}
	s := t.Template
	tm := &template{json: isJSONTemplate(s)}
	index := map[string]int{}
	var used []*path
	text, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case tm.json && quoted && c == '\\':
			i++
			continue
		case tm.json && c == '"':
			quoted = !quoted
			continue
		case c != '<':
			continue
		}
		name, ok := placeholderAt(s, i)
		if !ok {
			continue
		}
		v, seen := index[name]
		if !seen {
			vr := variable{pre: predefinedNames[name]}
			p, isPath := paths[name]
			switch {
			case (vr.pre == wholeEvent || vr.pre == eventJSON) && !tm.json:
				return nil, errorf("InputTemplate for target %s contains placeholder %s valid only for JSON template.", targetID, name)
			case vr.pre == none && !isPath:
				return nil, errorf("InputTemplate for target %s contains invalid placeholder %s.", targetID, name)
			case vr.pre == none:
				vr.path = len(used)
				used = append(used, p)
			}
			v = len(tm.vars)
			index[name] = v
			tm.vars = append(tm.vars, vr)
		}
		m := asText
		switch {
		case tm.json && quoted:
			m = inString
		case tm.json:
			m = asJSON
		}
		tm.addText(s[text:i])
		tm.pieces = append(tm.pieces, piece{v: v, mode: m})
		i += len(name) + 1
		text = i + 1
	}
	tm.addText(s[text:])
	tm.find = newFinder(used...)
	return tm, nil
}

// addText appends literal text.
func (t *template) addText(s string) {
	if s != "" {
		t.pieces = append(t.pieces, piece{text: s, v: -1})
		t.literal += len(s)
	}
}

// isJSONTemplate reports whether s is a JSON template: its first
// character that is not white space is "{".
func isJSONTemplate(s string) bool {
	i := skipSpace([]byte(s), 0)
	return i < len(s) && s[i] == '{'
}

// placeholderAt returns the name of the placeholder at s[i], a "<", if
// one is there.
func placeholderAt(s string, i int) (string, bool) {
	j := i + 1
	for j < len(s) && placeholderByte(s[j]) {
		j++
	}
	if j == i+1 || j == len(s) || s[j] != '>' {
		return "", false
	}
	return s[i+1 : j], true
}

// placeholderByte reports whether c may be part of a placeholder's name:
// a letter, a digit, or one of "._-".
func placeholderByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// fill returns the template filled with the values of event and ctx.
func (t *template) fill(event []byte, ctx Context) ([]byte, error) {
	found := t.find.find(event)
	values := make([][]byte, len(t.vars))
	size := t.literal
	for i, v := range t.vars {
		values[i] = v.value(event, ctx, found)
		size += len(values[i]) + 2
	}
	out := make([]byte, 0, size)
	for _, p := range t.pieces {
		if p.v < 0 {
			out = append(out, p.text...)
		} else {
			out = appendValue(out, values[p.v], p.mode)
		}
	}
	if !t.json {
		return out, nil
	}
	if !json.Valid(out) {
		return nil, fmt.Errorf("%w: the filled InputTemplate is not JSON", ErrUndeliverable)
	}
	// Compacting only removes bytes, so it can write over what it reads.
	return appendCompact(out[:0], out), nil
}

// value returns the JSON text of the variable's value for event and ctx,
// given the values found of the template's paths, or nil for none: a path
// that selects nothing, or null.
func (v variable) value(event []byte, ctx Context, found [][]byte) []byte {
	switch v.pre {
	case ruleARN:
		return appendQuoted(nil, ctx.RuleARN)
	case ruleName:
		return appendQuoted(nil, ctx.RuleName)
	case ingestionTime:
		return appendQuoted(nil, ctx.IngestionTime.UTC().Format(time.RFC3339))
	case wholeEvent:
		return envelope(event)
	case eventJSON:
		return appendCompact(nil, event)
	}
	if val := found[v.path]; string(val) != "null" {
		return val
	}
	return nil
}

// appendValue appends the JSON text val, empty for none, as a placeholder
// of mode m writes it.
func appendValue(dst, val []byte, m mode) []byte {
	switch {
	case len(val) == 0 && m == asJSON:
		return append(dst, `""`...)
	case len(val) == 0:
		return dst
	case m == asJSON:
		return append(dst, val...)
	case val[0] == '"':
		return append(dst, unquote(val)...)
	case m == inString:
		return append(dst, val...)
	}
	for _, c := range val {
		if c != '"' {
			dst = append(dst, c)
		}
	}
	return dst
}

// envelopeFields are the members of <aws.events.event>: the event's
// fields but detail, named and ordered as AWS writes them, and their paths.
var envelopeFields = [...]struct{ name, path string }{
	{"id", "$.id"},
	{"account", "$.account"},
	{"detailType", "$.detail-type"},
	{"time", "$.time"},
	{"source", "$.source"},
	{"region", "$.region"},
	{"resources", "$.resources"},
	{"version", "$.version"},
}

// envelopeFinder finds envelopeFields in an event.
var envelopeFinder = func() *finder {
	var paths []*path
	for _, f := range envelopeFields {
		p, ok := parsePath(f.path)
		if !ok {
			panic("BUG: eventinput: the path " + f.path + " does not parse")
		}
		paths = append(paths, p)
	}
	return newFinder(paths...)
}()

// envelope returns <aws.events.event> of event: the members of
// envelopeFields the event has.
func envelope(event []byte) []byte {
	out := []byte{'{'}
	for i, v := range envelopeFinder.find(event) {
		if v == nil {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = appendQuoted(out, envelopeFields[i].name)
		out = append(append(out, ':'), v...)
	}
	return append(out, '}')
}
