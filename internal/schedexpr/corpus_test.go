package schedexpr

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// record is one case of a corpus file: its keys' values in order, and
// the line it starts on.
type record struct {
	line   int
	values map[string][]string
}

func (r record) get(key string) string {
	if v := r.values[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// readCorpus reads the records of a corpus file: "key: value" lines,
// records separated by blank lines, "#" starting a comment line.
func readCorpus(t *testing.T, path string) []record {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out []record
		cur *record
	)
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case strings.TrimSpace(line) == "":
			cur = nil
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("%s:%d: no key in %q", path, i+1, line)
		}
		if cur == nil {
			out = append(out, record{line: i + 1, values: map[string][]string{}})
			cur = &out[len(out)-1]
		}
		cur.values[key] = append(cur.values[key], strings.TrimSpace(value))
	}
	return out
}

// corpusDialects maps the dialect part of a corpus file's name.
var corpusDialects = map[string]Dialect{"mute": Mute, "rule": Rule, "scheduler": Scheduler}

// TestCorpus checks the files of testdata: valid-<dialect>.txt with the
// activations of each expression, invalid-<dialect>.txt with the reason
// each is refused, and the same for durations.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	checked := 0
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		kind, what, _ := strings.Cut(name, "-")
		if kind != "valid" && kind != "invalid" {
			t.Errorf("%s: the name starts neither valid- nor invalid-", path)
			continue
		}
		for _, r := range readCorpus(t, path) {
			where := path + ":" + strconv.Itoa(r.line)
			switch {
			case what == "duration" && kind == "valid":
				checkValidDuration(t, where, r)
			case what == "duration":
				checkInvalid(t, where, r, 0, func() error { _, err := ParseISODuration(r.get("expr")); return err })
			case corpusDialects[what] == 0:
				t.Fatalf("%s: unknown dialect %q", where, what)
			case kind == "valid":
				checkValid(t, where, r, corpusDialects[what])
			default:
				d := corpusDialects[what]
				checkInvalid(t, where, r, d, func() error { _, err := parse(d, r.get("expr"), nil); return err })
			}
			checked++
		}
	}
	if checked < 100 {
		t.Errorf("checked %d records; the corpus has shrunk", checked)
	}
}

func checkValid(t *testing.T, where string, r record, d Dialect) {
	t.Helper()
	loc := time.UTC
	if tz := r.get("tz"); tz != "" {
		loc = mustLoad(t, tz)
	}
	expr := r.get("expr")
	s, err := parse(d, expr, loc)
	if err != nil {
		t.Errorf("%s: %q: %v", where, expr, err)
		return
	}
	want := r.get("canonical")
	if want == "" {
		want = expr
	}
	if s.String() != want {
		t.Errorf("%s: %q: String() = %q; want %q", where, expr, s.String(), want)
	}
	if a := r.get("anchor"); a != "" {
		s = Anchor(s, utc(t, a))
	}
	from := utc(t, r.get("after"))
	nexts := r.values["next"]
	if len(nexts) == 0 {
		t.Errorf("%s: no next", where)
	}
	for _, n := range nexts {
		got, ok := s.Next(from)
		if n == "none" {
			if ok {
				t.Errorf("%s: %q after %s: %s; want none", where, expr, from.Format(time.RFC3339), got.UTC().Format(time.RFC3339))
			}
			return
		}
		if w := utc(t, n); !ok || !got.Equal(w) {
			t.Errorf("%s: %q after %s: %s, %v; want %s", where, expr, from.Format(time.RFC3339), got.UTC().Format(time.RFC3339), ok, n)
			return
		}
		from = got
	}
}

func checkInvalid(t *testing.T, where string, r record, d Dialect, parse func() error) {
	t.Helper()
	expr := r.get("expr")
	err := parse()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("%s: %q: err = %v; want an *Error", where, expr, err)
		return
	}
	if e.Field != r.get("field") || !strings.Contains(e.Reason, r.get("reason")) {
		t.Errorf("%s: %q: field %q, reason %q; want field %q, reason containing %q", where, expr, e.Field, e.Reason, r.get("field"), r.get("reason"))
	}
	switch {
	case d == Rule && e.Message != "Parameter ScheduleExpression is not valid.",
		d == Scheduler && e.Message != "Invalid Schedule Expression "+expr,
		d == Mute && e.Field == "at" && e.Message != "At expressions must be a valid date in 'yyyy-MM-ddThh:mm' format":
		t.Errorf("%s: %q: message %q is not AWS's", where, expr, e.Message)
	}
}

func checkValidDuration(t *testing.T, where string, r record) {
	t.Helper()
	expr := r.get("expr")
	d, err := ParseISODuration(expr)
	if err != nil || d.String() != r.get("duration") {
		t.Errorf("%s: ParseISODuration(%q) = %v, %v; want %s", where, expr, d, err, r.get("duration"))
	}
	format := r.get("format")
	if format == "" {
		format = expr
	}
	if f := FormatISODuration(d); f != format {
		t.Errorf("%s: FormatISODuration(%v) = %q; want %q", where, d, f, format)
	}
	_, err = ParseMuteDuration(expr)
	if refused := r.get("mute") == "refused"; refused != (err != nil) {
		t.Errorf("%s: ParseMuteDuration(%q): %v; want refused %v", where, expr, err, refused)
	}
}
