package cloudtrail

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

const corpusStore = "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"

// checkLakeStatement fails unless st is one SELECT over the one store,
// of known keywords, functions, types and operators only.
func checkLakeStatement(t *testing.T, src string, st *LakeStatement) {
	t.Helper()
	if len(st.Tokens) == 0 || st.Tokens[0] != (store.LakeToken{Kind: store.LakeKeyword, Text: "SELECT"}) {
		t.Fatalf("%q: does not start with SELECT: %s", src, lakeTokensString(st.Tokens))
	}
	for _, ts := range [][]store.LakeToken{st.Tokens, st.Matched} {
		if ts == nil {
			continue
		}
		tables, selects := 0, 0
		for _, tok := range ts {
			ok := true
			switch tok.Kind {
			case store.LakeTable:
				tables++
			case store.LakeKeyword:
				if tok.Text == "SELECT" {
					selects++
				}
				ok = lakeKeywords[tok.Text] || lakeIntervalUnits[tok.Text] || tok.Text == "TIMESTAMP" || tok.Text == "DATE"
			case store.LakeFunc:
				ok = lakeFunctions[tok.Text]
			case store.LakeType:
				ok = lakeTypeNames[tok.Text]
			case store.LakePunct:
				ok = slices.Contains([]string{"<>", "!=", "<=", ">=", "||", "(", ")", ",", "*", "+", "-", "/", "%", "=", "<", ">"}, tok.Text)
			case store.LakeNumber:
				ok = strings.Trim(tok.Text, "0123456789.") == ""
			case store.LakeColumn:
				ok = tok.Text != "" && !strings.HasPrefix(tok.Text, ".") && !strings.HasSuffix(tok.Text, ".")
			}
			if !ok {
				t.Fatalf("%q: token %+v let through", src, tok)
			}
		}
		if tables != 1 || selects != 1 {
			t.Fatalf("%q: %d tables and %d SELECTs in %s", src, tables, selects, lakeTokensString(ts))
		}
	}
}

// TestLakeSQLCorpus checks the statements of testdata/lake: valid-*.sql
// are accepted (and run), invalid-*.sql refused.
func TestLakeSQLCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/lake/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	w := newLakeWorld(t)
	ctx := context.Background()
	name := "corpus"
	d, err := w.lake.CreateEventDataStore(ctx, EDSChange{Account: lakeAcct, Region: lakeRegion, Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	w.record(t, lakeAcct, lakeRegion, "CreateLogGroup", false)
	if err := w.lake.Ingest(ctx, w.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		st, err := ParseLakeQuery(src)
		switch base := filepath.Base(f); {
		case strings.HasPrefix(base, "valid-"):
			if err != nil {
				t.Errorf("%s: %v", base, err)
				continue
			}
			checkLakeStatement(t, src, st)
			if st.Store != corpusStore && !strings.HasSuffix(st.Store, "/"+corpusStore) {
				t.Errorf("%s: store %q", base, st.Store)
			}
			q := w.query(t, lakeAcct, lakeRegion, strings.ReplaceAll(strings.ReplaceAll(src, corpusStore, d.ID), "123456789012", lakeAcct))
			if q.Status != QueryFinished {
				t.Errorf("%s: %s: %s", base, q.Status, q.Error)
			}
		case strings.HasPrefix(base, "invalid-"):
			wantCode(t, err, InvalidQueryStatement)
		default:
			t.Errorf("%s: name says no outcome", base)
		}
	}
}

// FuzzLakeQuery feeds untrusted statements to the checker: whatever it
// accepts is one SELECT over the one event data store.
func FuzzLakeQuery(f *testing.F) {
	files, _ := filepath.Glob("testdata/lake/*.sql")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, src string) {
		st, err := ParseLakeQuery(src)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Code != InvalidQueryStatement {
				t.Fatalf("%q: error %v", src, err)
			}
			return
		}
		checkLakeStatement(t, src, st)
	})
}
