package insights

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusQueries reads the queries of a corpus file and, for error files,
// the expected errors (see internal/store/storetest/insights_corpus.go
// for the format).
func corpusQueries(t testing.TB, path string) (queries, errs []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	section := ""
	var body []string
	flush := func() {
		text := strings.TrimRight(strings.Join(body, "\n"), "\n")
		switch section {
		case "query":
			queries = append(queries, text)
		case "error":
			errs = append(errs, strings.TrimSpace(text))
		}
		body = nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			flush()
			section = strings.Fields(strings.TrimPrefix(line, "-- "))[0]
			continue
		}
		body = append(body, line)
	}
	flush()
	return queries, errs
}

func compile(query string) (*Plan, error) {
	q, err := Parse(query)
	if err != nil {
		return nil, err
	}
	return Compile(q, Options{})
}

// TestCorpusCompiles checks that every query of the ok-* corpus compiles
// (the store's tests run them) and that every query of the error-* corpus
// fails with its message.
func TestCorpusCompiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/queries/*.txtar")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	for _, f := range files {
		queries, errs := corpusQueries(t, f)
		name := filepath.Base(f)
		switch {
		case strings.HasPrefix(name, "ok-"):
			for _, q := range queries {
				if _, err := compile(q); err != nil {
					t.Errorf("%s: %q: %v", name, q, err)
				}
			}
		case strings.HasPrefix(name, "error-"):
			if len(queries) != len(errs) {
				t.Fatalf("%s: %d queries but %d errors", name, len(queries), len(errs))
			}
			for i, q := range queries {
				_, err := compile(q)
				if err == nil {
					t.Errorf("%s: %q compiled; want error %q", name, q, errs[i])
					continue
				}
				if err.Error() != errs[i] {
					t.Errorf("%s: %q:\n got error %q\nwant error %q", name, q, err, errs[i])
				}
			}
		default:
			t.Errorf("%s: corpus file names start with ok- or error-", name)
		}
	}
}
