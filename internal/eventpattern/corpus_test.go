package eventpattern

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusCase is one file of testdata: a pattern, an event and, for an
// invalid pattern, AWS's message. The file's name says the outcome:
// match-*, nomatch-* or invalid-*.
type corpusCase struct {
	// Pattern is the pattern as JSON, or a JSON string holding its text
	// when the text is not JSON.
	Pattern json.RawMessage `json:"pattern"`
	// Event is the event, likewise.
	Event json.RawMessage `json:"event"`
	// Scope is "MessageAttributes" or "MessageBody" for an SNS filter
	// policy, and empty for an EventBridge pattern.
	Scope string `json:"scope"`
	// Error is the Message an invalid pattern must be refused with.
	Error string `json:"error"`
	// Source says where the case comes from.
	Source string `json:"source"`
}

// raw returns the text a field holds.
func raw(t *testing.T, m json.RawMessage) []byte {
	t.Helper()
	if len(m) > 0 && m[0] == '"' {
		var s string
		if err := json.Unmarshal(m, &s); err != nil {
			t.Fatal(err)
		}
		return []byte(s)
	}
	return m
}

func (c *corpusCase) parse(t *testing.T) (*Pattern, error) {
	t.Helper()
	if c.Scope != "" {
		return ParseFilterPolicy(raw(t, c.Pattern), c.Scope)
	}
	return Parse(raw(t, c.Pattern))
}

func readCorpus(t *testing.T) map[string]*corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	cases := map[string]*corpusCase{}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c := &corpusCase{}
		if err := json.Unmarshal(b, c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases[strings.TrimSuffix(filepath.Base(path), ".json")] = c
	}
	return cases
}

// TestCorpus checks every file of testdata against Parse,
// ParseFilterPolicy and Pattern.Matches, and the matching ones against a
// Matcher holding all the valid patterns of the corpus.
func TestCorpus(t *testing.T) {
	cases := readCorpus(t)
	if len(cases) < 80 {
		t.Errorf("the corpus has %d cases; it has shrunk", len(cases))
	}
	m := NewMatcher()
	valid := map[string]*Pattern{}
	for name, c := range cases {
		if p, err := c.parse(t); err == nil {
			m.Add(name, p)
			valid[name] = p
		}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			outcome, _, _ := strings.Cut(name, "-")
			p, err := c.parse(t)
			if outcome == "invalid" {
				var e *Error
				switch {
				case !errors.As(err, &e):
					t.Fatalf("err = %v; want an *Error", err)
				case e.Message != c.Error:
					t.Fatalf("message\n%q\nwant\n%q", e.Message, c.Error)
				case !strings.HasSuffix(e.Message, e.Reason):
					t.Fatalf("message %q does not end with the reason %q", e.Message, e.Reason)
				}
				return
			}
			if outcome != "match" && outcome != "nomatch" {
				t.Fatalf("the name starts with neither match-, nomatch- nor invalid-")
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if again, err := c.parse(t); err != nil || again.String() != p.String() {
				t.Fatalf("parsing again gives %v, %v", again, err)
			}
			if p2, err := parse([]byte(p.String()), p.d); err != nil || p2.String() != p.String() {
				t.Fatalf("the compact form %s parses to %v, %v", p, p2, err)
			}
			event := raw(t, c.Event)
			got, err := p.Matches(event)
			if err != nil {
				t.Fatalf("Matches: %v", err)
			}
			if got != (outcome == "match") {
				t.Fatalf("Matches = %v; want %v", got, !got)
			}
			ids, err := m.Match(event)
			if err != nil {
				t.Fatalf("Matcher.Match: %v", err)
			}
			var want []string
			for id, q := range valid {
				if ok, err := q.Matches(event); err == nil && ok {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Fatalf("Matcher.Match = %v; the patterns one by one match %v", ids, want)
			}
		})
	}
}
