package mathexpr

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseErrors runs the table of testdata/parse_errors.txt.
func TestParseErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/parse_errors.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		expr, want, ok := strings.Cut(line, " => ")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		n++
		_, err := Parse(expr)
		if err == nil {
			t.Errorf("Parse(%q) = nil error, want %q", expr, want)
			continue
		}
		if err.Error() != want {
			t.Errorf("Parse(%q) error %q, want %q (%s)", expr, err.Error(), want, detail(err))
		}
		if e, ok := err.(*Error); !ok || e.Code != CodeValidationError || e.ID != "" {
			t.Errorf("Parse(%q) error %#v, want an *Error with code %s and no Id", expr, err, CodeValidationError)
		}
	}
	if n < 40 {
		t.Errorf("only %d cases", n)
	}
}

func TestParseRefsAndFunctions(t *testing.T) {
	f := func(expr string, refs, fns []string) {
		t.Helper()
		e, err := Parse(expr)
		if err != nil {
			t.Fatalf("Parse(%q): %v", expr, err)
		}
		if !slices.Equal(e.Refs(), refs) {
			t.Errorf("Parse(%q).Refs() = %v, want %v", expr, e.Refs(), refs)
		}
		if !slices.Equal(e.Functions(), fns) {
			t.Errorf("Parse(%q).Functions() = %v, want %v", expr, e.Functions(), fns)
		}
		if e.String() != expr {
			t.Errorf("String() = %q, want %q", e.String(), expr)
		}
	}
	f("m1 + m2 * m1", []string{"m1", "m2"}, nil)
	f("SUM(METRICS('errors')) / e1", []string{"e1"}, []string{"SUM", "METRICS"})
	f(`IF(FIRST(SORT(METRICS(), AVG, DESC))>100, 1, 0)`, nil, []string{"IF", "FIRST", "SORT", "METRICS"})
	f(`FILL(m1, REPEAT) + SEARCH('{AWS/EC2} "m1"', 'Sum')`, []string{"m1"}, []string{"FILL", "SEARCH"})
	f("[errors_5xx, a_B_9]", []string{"errors_5xx", "a_B_9"}, nil)
}

// TestParseDepth checks that deep nesting is refused, not a stack overflow.
func TestParseDepth(t *testing.T) {
	for _, expr := range []string{
		strings.Repeat("(", 5000) + "m1" + strings.Repeat(")", 5000),
		strings.Repeat("-", 5000) + "m1",
		"m1" + strings.Repeat("^2", 5000),
		strings.Repeat("ABS(", 5000) + "m1" + strings.Repeat(")", 5000),
		strings.Repeat("[", 5000) + "m1" + strings.Repeat("]", 5000),
	} {
		if _, err := Parse(expr); err == nil {
			t.Errorf("Parse of %d-deep nesting succeeded", len(expr))
		}
	}
	if _, err := Parse(strings.Repeat("(", 100) + "m1" + strings.Repeat(")", 100)); err != nil {
		t.Errorf("100 parentheses: %v", err)
	}
	if _, err := ParseSearch(strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000)); err == nil {
		t.Error("ParseSearch of deep nesting succeeded")
	}
	if _, err := ParseSearch(strings.Repeat("NOT ", 5000) + "a"); err == nil {
		t.Error("ParseSearch of deep NOTs succeeded")
	}
}

// TestCorpusCoversFunctions checks that every supported function appears
// in the evaluation corpus.
func TestCorpusCoversFunctions(t *testing.T) {
	files, _ := filepath.Glob("testdata/eval/*.txtar")
	var all strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	for name, fn := range functions {
		if !strings.Contains(all.String(), name+"(") {
			t.Errorf("function %s (unsupported %q) is not in the corpus", name, fn.unsupported)
		}
	}
}
