package filterpattern

import (
	"errors"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func TestKind(t *testing.T) {
	tests := []struct {
		pattern string
		want    Kind
	}{
		{"", Unstructured},
		{"   ", Unstructured},
		{`" "`, Unstructured},
		{"ERROR", Unstructured},
		{"?ERROR ?WARN", Unstructured},
		{"-DEBUG", Unstructured},
		{`"{ $.a = 1 }"`, Unstructured},
		{`"[a, b]"`, Unstructured},
		{"%AUTHORIZED%", Unstructured},
		{"%^[hc]at%", Unstructured},
		{"{ $.a = 1 }", JSON},
		{"  {$.a=1}  ", JSON},
		{"\n{ $.a IS NULL }\n", JSON},
		{"{ $.a = %x% }", JSON},
		{"[a, b]", SpaceDelimited},
		{" [...] ", SpaceDelimited},
		{"[w1=ERROR, w2]", SpaceDelimited},
		{"[a=%x%, b]", SpaceDelimited},
	}
	for _, tt := range tests {
		p, err := Parse(tt.pattern)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.pattern, err)
			continue
		}
		if got := p.Kind(); got != tt.want {
			t.Errorf("Parse(%q).Kind() = %v; want %v", tt.pattern, got, tt.want)
		}
		if got := p.String(); got != tt.pattern {
			t.Errorf("Parse(%q).String() = %q; want the pattern as given", tt.pattern, got)
		}
	}
	for k, want := range map[Kind]string{Unstructured: "Unstructured", JSON: "JSON", SpaceDelimited: "SpaceDelimited", Kind(7): "Kind(7)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q; want %q", int(k), got, want)
		}
	}
}

// TestParseErrors pins where and why a sample of invalid patterns fail;
// testdata/invalid holds many more that only need to fail.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		pattern string
		offset  int    // SyntaxError.Offset
		msg     string // a substring of SyntaxError.Msg
	}{
		{`ERROR:`, 5, `unexpected ':'`},
		{`"ERROR`, 0, "unterminated quoted string"},
		{`ERROR -`, 6, "'-' must be followed by a term"},
		{`--ERROR`, 1, "'-' cannot follow '-'"},
		{`-" "`, 1, "cannot exclude a blank phrase"},
		{`ERROR %x%`, 6, "regular expression must be the whole filter pattern"},
		{`%abc`, 0, "unterminated regular expression"},
		{`%%`, 1, "empty regular expression"},
		{`%something!%`, 10, `'!' is not supported`},
		{`%(a)%`, 1, "parentheses are not supported"},
		{`%café%`, 4, "multi-byte characters"},
		{`%a**%`, 3, "cannot follow another repetition"},
		{`%a{2,1}%`, 2, "bounds reversed"},
		{`%\q%`, 1, `unsupported escape \q`},
		{`  { $.a = 1 `, 11, "If a filter pattern starts with '{' it must end with '}'"},
		{`{}`, 1, "empty JSON expression"},
		{`{ status = "401" }`, 2, "property selector starting with $"},
		{`{ $.a == 1 }`, 6, `"==" is not an operator`},
		{`{ $.a IS NOT NULL }`, 9, "IS NOT is not supported"},
		{`{ $.a EXISTS }`, 6, "EXISTS is not supported"},
		{`{ $.a > "5" }`, 8, "needs a number"},
		{`{ $.a = user@x }`, 12, `unexpected '@' in a value`},
		{`{ $.@t = 1 }`, 3, "$.['name']"},
		{`{ $.*.* = 1 }`, 5, "only one wildcard"},
		{`{ $.a[*] = 1 && $.b[*] = 2 && $.c[*] = 3 && $.d[*] = 4 }`, 0, "at most 3 wildcard selectors"},
		{`{ $.a = %x% || $.b = %y% || $.c = %z% }`, 0, "at most 2 regular expressions"},
		{`{ ($.a = 1 }`, 11, `expected ")"`},
		{`{ $.a = 1 }}`, 11, `after the closing "}"`},
		{`[]`, 0, "empty space-delimited pattern"},
		{`[a, b`, 5, `missing "]"`},
		{`[..., a, ...]`, 9, `only one "..."`},
		{`[a = 4* && b > 1]`, 11, `condition on field "a" cannot test "b"`},
		{`[a > x]`, 5, "needs a number"},
		{`[a=%x%, b=%y%, c=%z%]`, 0, "at most 2 regular expressions"},
		{"{" + strings.Repeat("(", maxPatternLen) + "$.a = 1" + strings.Repeat(")", maxPatternLen) + "}", maxPatternLen, "at most 65536 bytes"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.pattern)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v; want a *SyntaxError", tt.pattern, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.msg) {
			t.Errorf("Parse(%q) error at %d %q; want at %d, containing %q", tt.pattern, se.Offset, se.Msg, tt.offset, tt.msg)
		}
		if want := " at position "; !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %q lacks %q", tt.pattern, err, want)
		}
	}
}

func TestRegexCount(t *testing.T) {
	tests := []struct {
		pattern string
		want    int
	}{
		{"ERROR", 0},
		{"%ERROR%", 1},
		{`"%ERROR%"`, 0},
		{"{ $.a = %x% }", 1},
		{`{ $.a = %x% && $.b = "%y%" }`, 1},
		{"{ $.a = %x% || $.b = %y% }", 2},
		{"[a=%x%, b]", 1},
		{"[a=%x% || a=%y%, b]", 2},
	}
	for _, tt := range tests {
		p, err := Parse(tt.pattern)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.pattern, err)
			continue
		}
		if got := p.RegexCount(); got != tt.want {
			t.Errorf("Parse(%q).RegexCount() = %d; want %d", tt.pattern, got, tt.want)
		}
	}
}

func TestExtract(t *testing.T) {
	// A message that does not match yields no Fields.
	p, err := Parse("[a, b=2]")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := p.Extract("1 3"); ok || f != nil {
		t.Errorf("Extract of a non-matching event = %v, %v; want nil, false", f, ok)
	}

	// The metric filter use: a value and a dimension from one event.
	f := func(pattern, msg, value, dimension, wantValue, wantDim string) {
		t.Helper()
		p, err := Parse(pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", pattern, err)
		}
		fields, ok := p.Extract(msg)
		if !ok {
			t.Fatalf("%q does not match %q", pattern, msg)
		}
		if got, ok := fields.Get(value); !ok || got != wantValue {
			t.Errorf("%q on %q: Get(%q) = %q, %v; want %q", pattern, msg, value, got, ok, wantValue)
		}
		if got, ok := fields.Get(dimension); !ok || got != wantDim {
			t.Errorf("%q on %q: Get(%q) = %q, %v; want %q", pattern, msg, dimension, got, ok, wantDim)
		}
	}
	f(`{ $.latency > 0 }`, `{"latency": 120, "path": "/a"}`, "$.latency", "$.path", "120", "/a")
	f(`{ $.latency = * }`, `{"latency": 1.5e2, "req": {"path": "/b"}}`, "$.latency", "$.req.path", "1.5e2", "/b")
	f(`[ip, user, username, timestamp, request, status_code, bytes]`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
		"$bytes", "$status_code", "1534", "200")
	f(`[..., status_code, bytes]`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`,
		"$bytes", "$1", "1534", "127.0.0.1")

	// All returns a fresh map each time: callers may keep or change it.
	p, err = Parse(`{ $.a = 1 }`)
	if err != nil {
		t.Fatal(err)
	}
	fields, _ := p.Extract(`{"a": 1}`)
	m := fields.All()
	m["$.a"] = "changed"
	if got := fields.All(); !maps.Equal(got, map[string]string{"$.a": "1"}) {
		t.Errorf("All() after changing an earlier result = %v", got)
	}
	p, err = Parse(`[a, b]`)
	if err != nil {
		t.Fatal(err)
	}
	fields, _ = p.Extract(`x y`)
	m = fields.All()
	m["$a"] = "changed"
	if got := fields.All(); !maps.Equal(got, map[string]string{"$a": "x", "$b": "y"}) {
		t.Errorf("All() after changing an earlier result = %v", got)
	}
}

// TestDeepPatterns parses and evaluates the most deeply nested patterns
// Parse accepts.
func TestDeepPatterns(t *testing.T) {
	n := (maxPatternLen - 20) / 2
	for _, pattern := range []string{
		"{" + strings.Repeat("(", n) + "$.a = 1" + strings.Repeat(")", n) + "}",
		"{ $.a = 1" + strings.Repeat("&&$.a=1", (maxPatternLen-20)/7) + " }",
		"{ $.a = 2" + strings.Repeat("||$.a=1", (maxPatternLen-20)/7) + " }",
		"[a=1" + strings.Repeat("&&a=1", (maxPatternLen-20)/5) + "]",
		"[a=2" + strings.Repeat("||a=1", (maxPatternLen-20)/5) + "]",
	} {
		p, err := Parse(pattern)
		if err != nil {
			t.Fatalf("Parse of a %d-byte pattern: %v", len(pattern), err)
		}
		msg := "1"
		if p.Kind() == JSON {
			msg = `{"a": 1}`
		}
		if !p.Match(msg) {
			t.Errorf("a %d-byte pattern does not match %q", len(pattern), msg)
		}
	}
}

// TestLongEvents covers events too large to keep in the corpus.
func TestLongEvents(t *testing.T) {
	long := strings.Repeat("haystack ", 1<<17) // 1.1 MiB
	needle := long + "needle"
	tests := []struct {
		pattern        string
		long, inNeedle bool // Match on long, and on needle
	}{
		{"needle", false, true},
		{"haystack", true, true},
		{"-needle", true, false},
		{"?needle ?haystack", true, true},
		{`"haystack needle"`, false, true},
		{`%^haystack.*haystack $%`, true, false},
		{`%needle$%`, false, true},
		{`[a=haystack, b]`, true, true},
		{`[..., last=needle]`, false, true},
		{`[..., last=haystack]`, true, false},
	}
	for _, tt := range tests {
		p, err := Parse(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Match(long); got != tt.long {
			t.Errorf("%s on %d bytes of haystack = %v; want %v", tt.pattern, len(long), got, tt.long)
		}
		if got := p.Match(needle); got != tt.inNeedle {
			t.Errorf("%s on %d bytes of haystack and a needle = %v; want %v", tt.pattern, len(needle), got, tt.inNeedle)
		}
	}
}

// TestJSONLimits covers JSON events too large to keep in the corpus.
func TestJSONLimits(t *testing.T) {
	nested := func(depth int) string {
		return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
	}
	p, err := Parse(`{ $.zz NOT EXISTS }`)
	if err != nil {
		t.Fatal(err)
	}
	// Jackson's default nesting limit is 1000 levels.
	if !p.Match(nested(maxDepth)) {
		t.Errorf("an event nested %d deep does not match", maxDepth)
	}
	if p.Match(nested(maxDepth + 1)) {
		t.Errorf("an event nested %d deep matches; want it rejected as too deep", maxDepth+1)
	}
	deepArr := `{"a":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}"
	if p.Match(deepArr) {
		t.Error("an array nested 5000 deep matches; want it rejected as too deep")
	}

	// A long array and a long string, with the selected value at the end.
	var b strings.Builder
	b.WriteString(`{"items": [`)
	for i := range 100_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":`)
		b.WriteString(strings.Repeat("7", 1+i%5))
		b.WriteByte('}')
	}
	b.WriteString(`], "msg": "` + strings.Repeat("x", 1<<20) + `", "last": 99999}`)
	long := b.String()
	for pattern, want := range map[string]bool{
		`{ $.items[99998].id = 7777 }`: true,
		`{ $.items[*].id = 77777 }`:    true,
		`{ $.items[*].id = 8 }`:        false,
		`{ $.last = 99999 }`:           true,
		`{ $.msg = "x*" }`:             true,
		`{ $.msg = "*y" }`:             false,
	} {
		p, err := Parse(pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Match(long); got != want {
			t.Errorf("%s on a %d-byte event = %v; want %v", pattern, len(long), got, want)
		}
	}
}

// TestConcurrentMatch runs one compiled pattern of each kind from many
// goroutines (run with -race).
func TestConcurrentMatch(t *testing.T) {
	tests := []struct{ pattern, yes, no string }{
		{`ERROR -DEBUG`, "ERROR x", "ERROR DEBUG"},
		{`%^a\d+$%`, "a12", "a1b"},
		{`{ $.a[*].b = 2 && $.c > 1 }`, `{"a": [{"b": 1}, {"b": 2}], "c": 3}`, `{"a": [{"b": 1}], "c": 3}`},
		{`[ip, ..., status=5*, bytes > 10]`, "1.2.3.4 - x 503 11", "1.2.3.4 - x 503 9"},
	}
	var wg sync.WaitGroup
	for _, tt := range tests {
		p, err := Parse(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		for range 8 {
			wg.Go(func() {
				for range 200 {
					if !p.Match(tt.yes) || p.Match(tt.no) {
						t.Errorf("%q: concurrent Match disagrees", tt.pattern)
						return
					}
					if _, ok := p.Extract(tt.yes); !ok {
						t.Errorf("%q: concurrent Extract disagrees", tt.pattern)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}

// TestTermsProperty checks Terms' promise on events derived from the
// corpus: every event a pattern matches contains every term.
func TestTermsProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var cases []*corpusCase
	for _, dir := range []string{"match", "nomatch", "extract"} {
		cases = append(cases, loadCorpus(t, dir)...)
	}
	// Material for messages: all corpus events, and all terms.
	var pieces []string
	for _, c := range cases {
		for _, ev := range c.events {
			pieces = append(pieces, ev.text)
		}
		p := mustParse(t, c)
		pieces = append(pieces, p.Terms()...)
	}
	pieces = append(pieces, " ", "\t", "\n", `"`, "[", "]", "{", "}", ",", ":", "-", "é", "😀", "0", "1e3")
	matched := 0
	for _, c := range cases {
		p := mustParse(t, c)
		if len(p.Terms()) == 0 {
			continue
		}
		for i := 0; i < 300; i++ {
			var msg string
			if len(c.events) > 0 && i%3 != 0 {
				msg = mutate(r, c.events[r.IntN(len(c.events))].text, pieces)
			} else {
				msg = randomMessage(r, pieces)
			}
			if p.Match(msg) {
				matched++
				checkTerms(t, c.where(c.line), p, msg)
			}
		}
	}
	if matched < 1000 {
		t.Errorf("only %d generated messages matched; the property is barely exercised", matched)
	}
}

// mutate changes s a few times: deleting, duplicating or inserting text.
func mutate(r *rand.Rand, s string, pieces []string) string {
	for n := r.IntN(3); n >= 0; n-- {
		if s == "" {
			s = pieces[r.IntN(len(pieces))]
			continue
		}
		i := r.IntN(len(s) + 1)
		j := i + r.IntN(len(s)-i+1)
		switch r.IntN(4) {
		case 0:
			s = s[:i] + s[j:]
		case 1:
			s = s[:i] + s[i:j] + s[i:]
		case 2:
			s = s[:i] + pieces[r.IntN(len(pieces))] + s[i:]
		case 3:
			// Flip one byte.
			b := []byte(s)
			b[r.IntN(len(b))] ^= byte(1 << r.IntN(8))
			s = string(b)
		}
	}
	return s
}

// randomMessage joins a few pieces with blanks.
func randomMessage(r *rand.Rand, pieces []string) string {
	var parts []string
	for n := 1 + r.IntN(5); n > 0; n-- {
		parts = append(parts, pieces[r.IntN(len(pieces))])
	}
	return strings.Join(parts, " ")
}
