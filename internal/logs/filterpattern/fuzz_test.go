package filterpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixedMessages are events every fuzzed pattern is also tried on.
var fixedMessages = []string{
	"",
	" ",
	"ERROR",
	"[ERROR 419] MISSING ARGUMENTS",
	`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534`,
	`{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"], "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": null, "ThisFlag": true, "n": -0.5e3}`,
	`{"a": {"b": [1, "x", null, {"c": "\u00e9\ud83d\ude00"}]}, "a": 2}`,
	"x \"unclosed [unclosed \\",
}

// FuzzParse feeds arbitrary patterns to Parse. It must never panic, and a
// pattern it accepts must evaluate any message without panicking and
// keep the promises of Match, Extract and Terms.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"match", "nomatch", "invalid", "extract"} {
		for _, c := range loadCorpus(f, dir) {
			msg := ""
			if len(c.events) > 0 {
				msg = c.events[0].text
			}
			f.Add(c.pattern, msg)
		}
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := Parse(pattern)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T; want *SyntaxError", pattern, err)
			}
			if se.Offset < 0 || se.Offset > len(pattern) {
				t.Fatalf("Parse(%q) error offset %d outside the pattern", pattern, se.Offset)
			}
			return
		}
		if p.String() != pattern {
			t.Fatalf("String() = %q; want %q", p.String(), pattern)
		}
		// Compiling again gives the same pattern.
		if q, err := Parse(pattern); err != nil || q.Kind() != p.Kind() || fmt.Sprint(q.Terms()) != fmt.Sprint(p.Terms()) {
			t.Fatalf("Parse(%q) twice differs: %v", pattern, err)
		}
		checkMessage(t, p, msg)
		for _, m := range fixedMessages {
			checkMessage(t, p, m)
		}
	})
}

// FuzzMatch feeds arbitrary messages to the patterns of the corpus: the
// fuzzer picks a pattern by its index, and starts from the events the
// corpus gives it.
func FuzzMatch(f *testing.F) {
	var patterns []*Pattern
	for _, dir := range []string{"match", "nomatch", "extract"} {
		for _, c := range loadCorpus(f, dir) {
			p, err := Parse(c.pattern)
			if err != nil {
				f.Fatalf("%s: %v", c.where(c.line), err)
			}
			for _, ev := range c.events {
				f.Add(uint16(len(patterns)), ev.text)
			}
			patterns = append(patterns, p)
		}
	}
	f.Fuzz(func(t *testing.T, index uint16, msg string) {
		p := patterns[int(index)%len(patterns)]
		checkMessage(t, p, msg)
		checkJSONValues(t, msg)
		if p.Kind() == JSON {
			checkReencoded(t, p, msg)
		}
	})
}

// checkReencoded checks that a JSON pattern matches a JSON object however
// it is written: compacted, indented, or decoded and encoded again by
// encoding/json (which sorts keys, drops repeated ones, and escapes
// strings its own way).
func checkReencoded(t *testing.T, p *Pattern, msg string) {
	t.Helper()
	if !utf8.ValidString(msg) || !json.Valid([]byte(msg)) || depth(msg) > maxDepth {
		return
	}
	want := p.Match(msg)
	var compact, indent bytes.Buffer
	if err := json.Compact(&compact, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := json.Indent(&indent, []byte(msg), "\n", "\t"); err != nil {
		t.Fatal(err)
	}
	var v any
	d := json.NewDecoder(strings.NewReader(msg))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{compact.String(), indent.String(), string(again)} {
		if got := p.Match(other); got != want {
			t.Fatalf("%q: Match(%q) = %v but Match(%q) = %v", p, msg, want, other, got)
		}
	}
}

// checkMessage evaluates p on msg every way there is and checks the
// results agree.
func checkMessage(t *testing.T, p *Pattern, msg string) {
	t.Helper()
	matched := p.Match(msg)
	fields, ok := p.Extract(msg)
	if ok != matched {
		t.Fatalf("%q on %q: Match = %v but Extract reports %v", p, msg, matched, ok)
	}
	if !matched {
		if fields != nil {
			t.Fatalf("%q on %q: Extract gives fields without a match", p, msg)
		}
		return
	}
	for _, term := range p.Terms() {
		if !strings.Contains(msg, term) {
			t.Fatalf("%q matches %q, which lacks its term %q", p, msg, term)
		}
	}
	if p.Kind() == JSON {
		if !json.Valid([]byte(msg)) || !strings.HasPrefix(strings.TrimLeft(msg, " \t\r\n"), "{") {
			t.Fatalf("%q matches %q, which is not a JSON object", p, msg)
		}
	}
	all := fields.All()
	for k, v := range all {
		if got, ok := fields.Get(k); !ok || got != v {
			t.Fatalf("%q on %q: All()[%q] = %q but Get = %q, %v", p, msg, k, v, got, ok)
		}
	}
	for _, sel := range []string{"", "$", "$1", "$2", "$99", "$a", "$.a", "$.a[0]", "$.*", "$.a[*].b", "$.['a b']", "$.a[", "$.a.."} {
		fields.Get(sel)
	}
}

// checkJSONValues compares what Extract reads from a JSON object with
// what encoding/json decodes from it. CloudWatch Logs messages are UTF-8,
// so other messages are left out (encoding/json replaces bad bytes).
func checkJSONValues(t *testing.T, msg string) {
	t.Helper()
	if !utf8.ValidString(msg) {
		return
	}
	var doc map[string]any
	if json.Valid([]byte(msg)) && strings.HasPrefix(strings.TrimLeft(msg, " \t\r\n"), "{") {
		d := json.NewDecoder(strings.NewReader(msg))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			t.Fatalf("encoding/json: %q is valid but does not decode: %v", msg, err)
		}
	}
	p, err := Parse(`{ $.zzz NOT EXISTS || $.zzz = * }`)
	if err != nil {
		t.Fatal(err)
	}
	fields, ok := p.Extract(msg)
	if ok != (doc != nil) && depth(msg) <= maxDepth {
		t.Fatalf("Extract(%q) reports %v; encoding/json says it is an object: %v", msg, ok, doc != nil)
	}
	if !ok || doc == nil {
		return
	}
	for key, v := range doc {
		if strings.Contains(key, "'") {
			continue
		}
		sel := "$.['" + key + "']"
		got, ok := fields.Get(sel)
		var want string
		var present bool
		switch v := v.(type) {
		case string:
			want, present = v, true
		case json.Number:
			want, present = v.String(), true
		case bool:
			want, present = strconv.FormatBool(v), true
		}
		if ok != present || got != want {
			t.Fatalf("%q: Get(%q) = %q, %v; encoding/json reads %#v", msg, sel, got, ok, v)
		}
	}
}

// depth returns the deepest nesting of brackets and braces outside
// strings, for JSON text.
func depth(s string) int {
	d, max, in := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case in:
		case c == '{' || c == '[':
			d++
			if d > max {
				max = d
			}
		case c == '}' || c == ']':
			d--
		}
	}
	return max
}
