package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// The Logs Insights corpus lives with the language
// (internal/insights/testdata/queries); each file holds events, queries
// and the rows a person computed from the events by hand. File format
// (sections start with "-- name --"):
//
//	free text: where the queries come from
//	-- events [group] --     one event a line: TIME STREAM MESSAGE
//	-- range --              optional: START END (default: the whole of 2024-01-01)
//	-- query --              a query (repeatable, each followed by want)
//	-- want --               "a | b" header, then rows; <null> is a missing value
//	-- stats --              optional after want: scanned=N matched=M [bytes=B]
//
// TIME is HH:MM:SS[.mmm] on 2024-01-01 UTC, or RFC 3339. The ingestion
// time is TIME plus one second. Groups are "/test/app" unless named; the
// account is 123456789012. The @ptr column is checked by reading its event
// with LogRecord, not by value. Files named error-* hold queries that must
// not compile, with their errors; package insights checks them, and the
// runner here skips them.

// corpusAccount is the account of the corpus' log groups.
const corpusAccount = "123456789012"

// corpusDay is the day corpus times are on.
var corpusDay = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// CorpusDir returns the directory of the Logs Insights query corpus.
func CorpusDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("cannot locate the storetest package's source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "insights", "testdata", "queries")
}

type corpusCase struct {
	query     string
	want      []string // header, then rows
	wantStats string
}

type corpusFile struct {
	events     []Event
	start, end int64
	cases      []corpusCase
}

func parseCorpusTime(s string) (int64, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixMilli(), nil
	}
	for _, layout := range []string{"15:04:05.000", "15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return corpusDay.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
				time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())).UnixMilli(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	return 0, fmt.Errorf("bad time %q", s)
}

func parseCorpus(tb testing.TB, path string) corpusFile {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	f := corpusFile{start: corpusDay.UnixMilli(), end: corpusDay.Add(24*time.Hour).UnixMilli() - 1}
	section, group := "", ""
	var cur *corpusCase
	var body []string
	flush := func() {
		text := strings.Join(body, "\n")
		switch section {
		case "query":
			f.cases = append(f.cases, corpusCase{query: strings.TrimRight(text, "\n")})
			cur = &f.cases[len(f.cases)-1]
		case "want":
			for _, l := range body {
				if strings.TrimSpace(l) != "" {
					cur.want = append(cur.want, l)
				}
			}
		case "stats":
			cur.wantStats = strings.TrimSpace(text)
		case "range":
			fs := strings.Fields(text)
			if len(fs) != 2 {
				tb.Fatalf("%s: range needs START END", path)
			}
			var err1, err2 error
			f.start, err1 = parseCorpusTime(fs[0])
			f.end, err2 = parseCorpusTime(fs[1])
			if err1 != nil || err2 != nil {
				tb.Fatalf("%s: bad range %q", path, text)
			}
		case "events":
			for _, l := range body {
				if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
					continue
				}
				parts := strings.SplitN(l, " ", 3)
				if len(parts) < 2 {
					tb.Fatalf("%s: bad event line %q", path, l)
				}
				ts, err := parseCorpusTime(parts[0])
				if err != nil {
					tb.Fatalf("%s: %v", path, err)
				}
				msg := ""
				if len(parts) == 3 {
					msg = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(parts[2])
				}
				f.events = append(f.events, Event{Group: group, Stream: parts[1], Timestamp: ts, Message: msg})
			}
		}
		body = nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			flush()
			fs := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --"))
			section, group = fs[0], "/test/app"
			if len(fs) > 1 {
				group = fs[1]
			}
			if (section == "want" || section == "stats") && cur == nil {
				tb.Fatalf("%s: %s before query", path, section)
			}
			continue
		}
		if section != "" {
			body = append(body, line)
		}
	}
	flush()
	return f
}

// InsightsQueries returns every query of the corpus, those that compile
// and those that must not (seeds for fuzzing).
func InsightsQueries(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(CorpusDir(tb), "*.txtar"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus files in %s (%v)", CorpusDir(tb), err)
	}
	var out []string
	for _, path := range files {
		for _, c := range parseCorpus(tb, path).cases {
			out = append(out, c.query)
		}
	}
	return out
}

// InsightsCorpus runs the Logs Insights corpus against the backend: for
// each ok-* file, it loads the file's events through Logs and checks every
// query's rows (and statistics, where the file states them) from
// LogQuerier, and that each row's @ptr reads back with LogRecord. The
// files share one backend, each in a region of its own (named after the
// file), so that a query that reads events of groups it was not given
// fails.
func InsightsCorpus(t *testing.T, open Open) {
	dir := CorpusDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "ok-*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s (%v)", dir, err)
	}
	l, q := querierOf(t, fresh(t, open))
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			f := parseCorpus(t, path)
			groups := LoadEvents(t, l, corpusAccount, name, f.events)
			for i, c := range f.cases {
				t.Run(strconv.Itoa(i+1), func(t *testing.T) {
					runCorpusCase(t, q, groups, f, c)
				})
			}
		})
	}
}

func runCorpusCase(t *testing.T, s store.LogQuerier, groups []store.LogGroupRef, f corpusFile, c corpusCase) {
	t.Helper()
	p := plan(t, c.query)
	res, err := s.RunLogQuery(context.Background(), store.LogQuery{Plan: p, Groups: groups, Start: f.start, End: f.end,
		Now: corpusDay.Add(12 * time.Hour).UnixMilli()})
	if err != nil {
		t.Fatalf("RunLogQuery(%q): %v", c.query, err)
	}
	fields := res.Fields
	if !p.Aggregated {
		if len(fields) == 0 || fields[len(fields)-1] != "@ptr" {
			t.Fatalf("query %q: fields %v do not end with @ptr", c.query, fields)
		}
		fields = fields[:len(fields)-1]
		for _, row := range res.Rows {
			ptr := row[len(row)-1]
			if ptr == nil {
				t.Fatalf("query %q: row without @ptr", c.query)
			}
			if _, err := s.LogRecord(context.Background(), *ptr); err != nil {
				t.Fatalf("query %q: LogRecord(%s): %v", c.query, *ptr, err)
			}
		}
	}
	got := []string{strings.Join(fields, " | ")}
	for _, row := range res.Rows {
		var cells []string
		for _, v := range row[:len(fields)] {
			if v == nil {
				cells = append(cells, "<null>")
			} else {
				cells = append(cells, *v)
			}
		}
		got = append(got, strings.Join(cells, " | "))
	}
	// Cells are compared without their surrounding spaces; a want line
	// splits at every "|", a got line only between cells.
	normalize := func(lines []string, sep string) string {
		out := make([]string, len(lines))
		for i, l := range lines {
			cells := strings.Split(l, sep)
			for j := range cells {
				cells[j] = strings.TrimSpace(cells[j])
			}
			out[i] = strings.Join(cells, " | ")
		}
		return strings.Join(out, "\n")
	}
	if g, w := normalize(got, " | "), normalize(c.want, "|"); g != w {
		t.Errorf("query:\n%s\ngot:\n%s\nwant:\n%s", c.query, g, w)
	}
	if c.wantStats != "" {
		gotStats := fmt.Sprintf("scanned=%d matched=%d", int64(res.RecordsScanned), int64(res.RecordsMatched))
		if strings.Contains(c.wantStats, "bytes=") {
			gotStats += fmt.Sprintf(" bytes=%d", int64(res.BytesScanned))
		}
		if gotStats != c.wantStats {
			t.Errorf("query %q: statistics %s, want %s", c.query, gotStats, c.wantStats)
		}
	}
}
