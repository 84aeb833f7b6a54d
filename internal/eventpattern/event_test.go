package eventpattern

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// TestSkipPlain checks the eight-bytes-at-a-time scan against the plain
// table.
func TestSkipPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{'a', 'Z', ' ', '~', '"', '\\', 0x1f, 0x7f, 0x80, 0xff, 0x00}
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = 'a'
			if r.IntN(8) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		start := r.IntN(len(b) + 1)
		want := start
		for want < len(b) && plain[b[want]] {
			want++
		}
		if got := skipPlain(b, start); got != want {
			t.Fatalf("skipPlain(%q, %d) = %d; want %d", b, start, got, want)
		}
	}
}

// TestEventErrors checks that events that are not JSON objects are
// refused, however much of them a pattern reads.
func TestEventErrors(t *testing.T) {
	p, err := Parse([]byte(`{"a": [{"exists": true}], "b": {"c": ["x"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMatcher()
	m.Add("p", p)
	for _, evt := range []string{
		``, ` `, `[]`, `"a"`, `1`, `null`, `{`, `{"a"}`, `{"a": }`, `{"a": 1,}`, `{"a": 1} x`, `{"a": [1 2]}`,
		`{"z": tru}`, `{"z": "\x01"}`, `{"z": "\q"}`, `{"z": "\u12"}`, "{\"z\": \"\xff\"}", `{"z": 01}`, `{"z": -}`,
		`{"z": 1.}`, `{"z": 1e}`, `{"z": {"y": [}}`, `{"b": {"c": "x"`, `{"a": "unterminated}`,
	} {
		ok, err := p.Matches([]byte(evt))
		if err == nil || ok {
			t.Errorf("Matches(%q) = %v, %v; want an error", evt, ok, err)
		}
		if ids, err := m.Match([]byte(evt)); err == nil || ids != nil {
			t.Errorf("Match(%q) = %v, %v; want an error", evt, ids, err)
		}
	}
	for _, evt := range []string{`{}`, ` {"a": 1} `, `{"z": [1, {"y": [true, null]}], "a": "\u00e9\n"}`} {
		if _, err := p.Matches([]byte(evt)); err != nil {
			t.Errorf("Matches(%q): %v", evt, err)
		}
	}
}

// TestMatchConcurrent runs matches while patterns come and go; run it
// with -race.
func TestMatchConcurrent(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(5, 6))}
	m := NewMatcher()
	var patterns []*Pattern
	for len(patterns) < 200 {
		if p, err := Parse([]byte(g.pattern())); err == nil {
			patterns = append(patterns, p)
		}
	}
	var events [][]byte
	for range 200 {
		events = append(events, []byte(g.event()))
	}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				if _, err := m.Match(events[(i+w)%len(events)]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := range 2000 {
		id := strings.Repeat("x", i%50)
		if i%3 == 0 {
			m.Remove(id)
		} else {
			m.Add(id, patterns[i%len(patterns)])
		}
	}
	wg.Wait()
}
