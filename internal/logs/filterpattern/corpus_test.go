package filterpattern

import (
	"bufio"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The corpus in testdata/ holds filter patterns and events whose directory
// says the expected outcome; testdata/README.md describes the records.

// corpusEvent is one event of a corpus record, with the extraction
// expectations of extract/ files.
type corpusEvent struct {
	line   int
	text   string
	gets   map[string]string
	absent []string
	all    map[string]string // nil when not given
}

// corpusCase is one pattern and its events.
type corpusCase struct {
	file    string
	line    int
	comment string
	pattern string
	events  []*corpusEvent
}

func (c *corpusCase) where(line int) string {
	return c.file + ":" + strconv.Itoa(line)
}

// loadCorpus reads every *.txt file of testdata/dir.
func loadCorpus(t testing.TB, dir string) []*corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []*corpusCase
	for _, f := range files {
		out = append(out, parseCorpusFile(t, f)...)
	}
	return out
}

func parseCorpusFile(t testing.TB, path string) []*corpusCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		cases   []*corpusCase
		cur     *corpusCase
		ev      *corpusEvent
		comment []string
	)
	fail := func(n int, format string, args ...any) {
		t.Helper()
		t.Fatalf("%s:%d: "+format, append([]any{path, n}, args...)...)
	}
	unquote := func(n int, s string) string {
		t.Helper()
		v, err := strconv.Unquote(strings.TrimSpace(s))
		if err != nil {
			fail(n, "cannot unquote %s: %v", s, err)
		}
		return v
	}
	// keyValue splits "$sel = value".
	keyValue := func(n int, s string) (string, string) {
		t.Helper()
		k, v, ok := strings.Cut(s, " = ")
		if !ok {
			fail(n, "want \"$selector = value\", got %q", s)
		}
		return strings.TrimSpace(k), v
	}
	needEvent := func(n int, kind string) {
		t.Helper()
		if ev == nil {
			fail(n, "%s before any event", kind)
		}
		if ev.gets == nil {
			ev.gets = map[string]string{}
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			comment = nil
			continue
		}
		if strings.HasPrefix(line, "#") {
			comment = append(comment, strings.TrimSpace(strings.TrimPrefix(line, "#")))
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			fail(n, "want \"key: value\", got %q", line)
		}
		val = strings.TrimPrefix(val, " ")
		switch key {
		case "pattern", "pattern-q":
			if key == "pattern-q" {
				val = unquote(n, val)
			}
			cur = &corpusCase{file: filepath.ToSlash(path), line: n, comment: strings.Join(comment, " "), pattern: val}
			cases = append(cases, cur)
			ev = nil
		case "event", "event-q":
			if cur == nil {
				fail(n, "event before any pattern")
			}
			if key == "event-q" {
				val = unquote(n, val)
			}
			ev = &corpusEvent{line: n, text: val}
			cur.events = append(cur.events, ev)
		case "get", "get-q":
			needEvent(n, key)
			k, v := keyValue(n, val)
			if key == "get-q" {
				v = unquote(n, v)
			}
			ev.gets[k] = v
		case "absent":
			needEvent(n, key)
			ev.absent = append(ev.absent, strings.TrimSpace(val))
		case "all":
			needEvent(n, key)
			ev.all = map[string]string{}
			if err := json.Unmarshal([]byte(val), &ev.all); err != nil {
				fail(n, "all: %v", err)
			}
		default:
			fail(n, "unknown record %q", key)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func mustParse(t testing.TB, c *corpusCase) *Pattern {
	t.Helper()
	p, err := Parse(c.pattern)
	if err != nil {
		t.Fatalf("%s: Parse(%q): %v", c.where(c.line), c.pattern, err)
	}
	return p
}

func TestCorpusMatch(t *testing.T) {
	cases := loadCorpus(t, "match")
	if len(cases) == 0 {
		t.Fatal("empty corpus")
	}
	for _, c := range cases {
		p := mustParse(t, c)
		if len(c.events) == 0 {
			t.Errorf("%s: pattern %q has no events", c.where(c.line), c.pattern)
		}
		for _, ev := range c.events {
			if !p.Match(ev.text) {
				t.Errorf("%s: %q does not match %q; want a match", c.where(ev.line), c.pattern, ev.text)
			}
			if _, ok := p.Extract(ev.text); !ok {
				t.Errorf("%s: Extract(%q) with %q reports no match; want one", c.where(ev.line), ev.text, c.pattern)
			}
			checkTerms(t, c.where(ev.line), p, ev.text)
		}
	}
}

func TestCorpusNoMatch(t *testing.T) {
	cases := loadCorpus(t, "nomatch")
	if len(cases) == 0 {
		t.Fatal("empty corpus")
	}
	for _, c := range cases {
		p := mustParse(t, c)
		if len(c.events) == 0 {
			t.Errorf("%s: pattern %q has no events", c.where(c.line), c.pattern)
		}
		for _, ev := range c.events {
			if p.Match(ev.text) {
				t.Errorf("%s: %q matches %q; want no match", c.where(ev.line), c.pattern, ev.text)
			}
			if f, ok := p.Extract(ev.text); ok || f != nil {
				t.Errorf("%s: Extract(%q) with %q = %v, %v; want nil, false", c.where(ev.line), ev.text, c.pattern, f, ok)
			}
		}
	}
}

func TestCorpusInvalid(t *testing.T) {
	cases := loadCorpus(t, "invalid")
	if len(cases) == 0 {
		t.Fatal("empty corpus")
	}
	for _, c := range cases {
		if len(c.events) != 0 {
			t.Errorf("%s: invalid patterns take no events", c.where(c.line))
		}
		p, err := Parse(c.pattern)
		if err == nil {
			t.Errorf("%s: Parse(%q) = %v, nil; want an error", c.where(c.line), c.pattern, p.Kind())
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: Parse(%q) error %T; want *SyntaxError", c.where(c.line), c.pattern, err)
			continue
		}
		if se.Offset < 0 || se.Offset > len(c.pattern) {
			t.Errorf("%s: Parse(%q) error offset %d is outside the pattern", c.where(c.line), c.pattern, se.Offset)
		}
	}
}

func TestCorpusExtract(t *testing.T) {
	cases := loadCorpus(t, "extract")
	if len(cases) == 0 {
		t.Fatal("empty corpus")
	}
	for _, c := range cases {
		p := mustParse(t, c)
		for _, ev := range c.events {
			where := c.where(ev.line)
			if len(ev.gets) == 0 && len(ev.absent) == 0 && ev.all == nil {
				t.Errorf("%s: extract event without expectations", where)
			}
			if !p.Match(ev.text) {
				t.Errorf("%s: %q does not match %q; want a match", where, c.pattern, ev.text)
			}
			f, ok := p.Extract(ev.text)
			if !ok {
				t.Errorf("%s: Extract(%q) with %q reports no match", where, ev.text, c.pattern)
				continue
			}
			for sel, want := range ev.gets {
				got, ok := f.Get(sel)
				if !ok || got != want {
					t.Errorf("%s: %q on %q: Get(%q) = %q, %v; want %q, true", where, c.pattern, ev.text, sel, got, ok, want)
				}
			}
			for _, sel := range ev.absent {
				if got, ok := f.Get(sel); ok {
					t.Errorf("%s: %q on %q: Get(%q) = %q, true; want absent", where, c.pattern, ev.text, sel, got)
				}
			}
			if ev.all != nil {
				got := f.All()
				if !maps.Equal(got, ev.all) {
					t.Errorf("%s: %q on %q: All() = %v; want %v", where, c.pattern, ev.text, got, ev.all)
				}
				// Every field All reports is one Get finds.
				for k, v := range got {
					if g, ok := f.Get(k); !ok || g != v {
						t.Errorf("%s: %q on %q: All()[%q] = %q but Get = %q, %v", where, c.pattern, ev.text, k, v, g, ok)
					}
				}
			}
			checkTerms(t, where, p, ev.text)
		}
	}
}

// checkTerms asserts Terms' promise for a message that matches p.
func checkTerms(t *testing.T, where string, p *Pattern, msg string) {
	t.Helper()
	for _, term := range p.Terms() {
		if !strings.Contains(msg, term) {
			t.Errorf("%s: %q matches %q, which lacks its term %q", where, p, msg, term)
		}
	}
}

// TestCorpusKinds checks that every corpus file holds patterns of the kind
// its name says.
func TestCorpusKinds(t *testing.T) {
	for _, dir := range []string{"match", "nomatch", "extract"} {
		for _, c := range loadCorpus(t, dir) {
			p := mustParse(t, c)
			base := filepath.Base(c.file)
			var want Kind
			switch {
			case strings.HasPrefix(base, "json"):
				want = JSON
			case strings.HasPrefix(base, "delimited"):
				want = SpaceDelimited
			default:
				want = Unstructured
			}
			if p.Kind() != want {
				t.Errorf("%s: %q is %v; the file holds %v patterns", c.where(c.line), c.pattern, p.Kind(), want)
			}
		}
	}
}
