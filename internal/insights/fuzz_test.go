package insights

import (
	"errors"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input panics the parser or the compiler and
// that every failure is an *Error.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/queries/*.txtar")
	for _, file := range files {
		queries, _ := corpusQueries(f, file)
		for _, q := range queries {
			f.Add(q)
		}
	}
	f.Add("fields a.`b.c`.d | parse @message /(?<x>a)(b)/ | stats count(*) by x")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := Parse(query)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error %T is not *Error", query, err)
			}
			return
		}
		p, err := Compile(q, Options{})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Compile(%q) error %T is not *Error", query, err)
			}
			return
		}
		if len(p.Columns) == 0 {
			t.Fatalf("Compile(%q) produced a plan without columns", query)
		}
	})
}
