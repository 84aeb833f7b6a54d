package eventpattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusSeeds returns the patterns, scopes and events of testdata, for
// the fuzzers.
func corpusSeeds(f *testing.F) (patterns [][]byte, scopes []dialect, events [][]byte) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		var c struct {
			Pattern, Event json.RawMessage
			Scope          string
		}
		if err := json.Unmarshal(b, &c); err != nil {
			f.Fatal(err)
		}
		text := func(m json.RawMessage) []byte {
			var s string
			if json.Unmarshal(m, &s) == nil {
				return []byte(s)
			}
			return m
		}
		d := eventBridge
		switch c.Scope {
		case "MessageAttributes":
			d = snsAttributes
		case "MessageBody":
			d = snsBody
		}
		patterns = append(patterns, text(c.Pattern))
		scopes = append(scopes, d)
		events = append(events, text(c.Event))
	}
	return patterns, scopes, events
}

// describe renders the compiled rules of a pattern, to compare patterns.
func describe(p *Pattern) string {
	var b strings.Builder
	for _, r := range p.rules {
		b.WriteString("rule:")
		for _, f := range r.fields {
			fmt.Fprintf(&b, " %q d%d n%d absent=%v", f.path, f.depth, f.values, f.absent)
			for _, c := range f.conds {
				fmt.Fprintf(&b, " %+v", c)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// FuzzParse checks that parsing never panics, that it refuses with an
// *Error in the service's format, and that the compact form of a valid
// pattern parses to the same pattern.
func FuzzParse(f *testing.F) {
	patterns, scopes, _ := corpusSeeds(f)
	for i, p := range patterns {
		f.Add(p, uint8(scopes[i]))
	}
	f.Fuzz(func(t *testing.T, src []byte, scope uint8) {
		d := dialect(scope % 3)
		p, err := parse(src, d)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			prefix := eventBridgePrefix
			if d.sns() {
				prefix = snsPrefix
			}
			if e.Reason == "" || e.Message != prefix+e.Reason || e.Offset < 0 || e.Offset > len(src) {
				t.Fatalf("malformed error %#v", e)
			}
			return
		}
		again, err := parse([]byte(p.String()), d)
		if err != nil {
			t.Fatalf("the compact form %s of %q does not parse: %v", p, src, err)
		}
		if again.String() != p.String() || describe(again) != describe(p) {
			t.Fatalf("%q and its compact form %s parse differently:\n%s\n%s", src, p, describe(p), describe(again))
		}
	})
}

// fuzzCompanions are patterns a FuzzMatch Matcher holds besides the
// fuzzed one, so that its tree splits.
var fuzzCompanions = []string{
	`{"a": ["x"]}`, `{"a": [{"prefix": "x"}]}`, `{"a": [{"numeric": [">", 0]}]}`, `{"a": [{"exists": false}]}`,
	`{"b": {"c": [{"anything-but": "y"}]}}`, `{"b": {"c": [{"wildcard": "*y*"}]}}`, `{"a": [null, true, 1]}`,
	`{"source": ["aws.ec2"], "detail": {"state": ["running"]}}`, `{"detail": {"x": [{"cidr": "10.0.0.0/8"}]}}`,
	`{"$or": [{"a": ["x"]}, {"b": {"c": [{"equals-ignore-case": "Y"}]}}]}`,
}

// FuzzMatch checks that a Matcher holding a fuzzed pattern, twice, among
// others finds the same matches as the patterns one by one, errors
// included.
func FuzzMatch(f *testing.F) {
	patterns, scopes, events := corpusSeeds(f)
	for i := range patterns {
		f.Add(patterns[i], events[i], uint8(scopes[i]))
	}
	f.Fuzz(func(t *testing.T, src, evt []byte, scope uint8) {
		p, err := parse(src, dialect(scope%3))
		if err != nil {
			return
		}
		all := map[string]*Pattern{"fuzzed": p, "fuzzed again": p}
		for i, text := range fuzzCompanions {
			q, err := Parse([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			all[fmt.Sprint(i)] = q
		}
		m := NewMatcher()
		for id, q := range all {
			m.Add(id, q)
		}
		checkAgree(t, m, all, evt)
	})
}
