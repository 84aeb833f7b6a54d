package duckdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/insights"
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
// account is 123456789012. The @ptr column is checked by decoding it with
// LogRecord, not by value.

const corpusDir = "../../insights/testdata/queries"

type corpusEvent struct {
	group, stream string
	ts            int64
	message       string
}

type corpusCase struct {
	query      string
	want       []string // header, then rows
	wantStats  string
	queryStart int
}

type corpusFile struct {
	events     []corpusEvent
	start, end int64
	cases      []corpusCase
}

var corpusDay = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

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

func parseCorpus(t testing.TB, path string) corpusFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
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
				t.Fatalf("%s: range needs START END", path)
			}
			var err1, err2 error
			f.start, err1 = parseCorpusTime(fs[0])
			f.end, err2 = parseCorpusTime(fs[1])
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: bad range %q", path, text)
			}
		case "events":
			for _, l := range body {
				if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
					continue
				}
				parts := strings.SplitN(l, " ", 3)
				if len(parts) < 2 {
					t.Fatalf("%s: bad event line %q", path, l)
				}
				ts, err := parseCorpusTime(parts[0])
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				msg := ""
				if len(parts) == 3 {
					msg = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(parts[2])
				}
				f.events = append(f.events, corpusEvent{group: group, stream: parts[1], ts: ts, message: msg})
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
				t.Fatalf("%s: %s before query", path, section)
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

// loadEvents stores events with SQL and returns the groups.
func loadEvents(t testing.TB, s *Store, events []corpusEvent) []store.LogGroupRef {
	t.Helper()
	groups := map[string]int64{}
	streams := map[string]int64{}
	var refs []store.LogGroupRef
	id := int64(100)
	for i, e := range events {
		gid, ok := groups[e.group]
		if !ok {
			id++
			gid = id
			groups[e.group] = gid
			if _, err := s.db.Exec(`INSERT INTO log_groups VALUES (?, '123456789012', 'us-east-1', ?, 0, NULL, NULL, 'STANDARD', false)`, gid, e.group); err != nil {
				t.Fatal(err)
			}
			refs = append(refs, store.LogGroupRef{ID: gid, Log: "123456789012:" + e.group})
		}
		key := e.group + "\x00" + e.stream
		sid, ok := streams[key]
		if !ok {
			id++
			sid = id
			streams[key] = sid
			if _, err := s.db.Exec(`INSERT INTO log_streams VALUES (?, ?, ?, 0)`, sid, gid, e.stream); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.db.Exec(`INSERT INTO log_events VALUES (?, ?, ?, ?, ?, ?)`, gid, sid, e.ts, e.ts+1000, int64(i+1), e.message); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(`INSERT INTO log_stream_stats VALUES (?, ?, ?, ?, ?, ?)`, sid, gid, e.ts, e.ts, e.ts+1000, len(e.message)); err != nil {
			t.Fatal(err)
		}
	}
	return refs
}

func TestInsightsCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "ok-*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in %s (%v)", corpusDir, err)
	}
	s, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			f := parseCorpus(t, path)
			if _, err := s.db.Exec(`DELETE FROM log_events; DELETE FROM log_stream_stats; DELETE FROM log_streams; DELETE FROM log_groups`); err != nil {
				t.Fatal(err)
			}
			groups := loadEvents(t, s, f.events)
			for i, c := range f.cases {
				t.Run(strconv.Itoa(i+1), func(t *testing.T) {
					runCorpusCase(t, s, groups, f, c)
				})
			}
		})
	}
}

func runCorpusCase(t *testing.T, s *Store, groups []store.LogGroupRef, f corpusFile, c corpusCase) {
	t.Helper()
	q, err := insights.Parse(c.query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", c.query, err)
	}
	plan, err := insights.Compile(q, insights.Options{})
	if err != nil {
		t.Fatalf("Compile(%q): %v", c.query, err)
	}
	res, err := s.RunLogQuery(context.Background(), store.LogQuery{Plan: plan, Groups: groups, Start: f.start, End: f.end,
		Now: corpusDay.Add(12 * time.Hour).UnixMilli()})
	if err != nil {
		t.Fatalf("RunLogQuery(%q): %v", c.query, err)
	}
	fields := res.Fields
	if !plan.Aggregated {
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
	want := make([]string, len(c.want))
	for i, l := range c.want {
		cells := strings.Split(l, "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		want[i] = strings.Join(cells, " | ")
	}
	for i := range got {
		cells := strings.Split(got[i], " | ")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		got[i] = strings.Join(cells, " | ")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("query:\n%s\ngot:\n%s\nwant:\n%s", c.query, strings.Join(got, "\n"), strings.Join(want, "\n"))
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

func mustPlan(t testing.TB, query string) *insights.Plan {
	t.Helper()
	q, err := insights.Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	p, err := insights.Compile(q, insights.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// percentText formats a percentage for test output.
func percentText(p int) string { return strconv.Itoa(p) }
