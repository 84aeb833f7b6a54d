package insightsql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

type parseErrorCase struct {
	query, message string
	unsupported    bool
}

// readParseErrors reads testdata/parse_errors.txt: one case a line,
// "query => message", or "query =>! message" for a feature Vigil lacks.
func readParseErrors() ([]parseErrorCase, error) {
	data, err := os.ReadFile("testdata/parse_errors.txt")
	if err != nil {
		return nil, err
	}
	var out []parseErrorCase
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := parseErrorCase{}
		var ok bool
		if c.query, c.message, ok = strings.Cut(line, " =>! "); ok {
			c.unsupported = true
		} else if c.query, c.message, ok = strings.Cut(line, " => "); !ok {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func TestParseErrors(t *testing.T) {
	cases, err := readParseErrors()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		q, err := Parse(c.query)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want error %q", c.query, q, c.message)
			continue
		}
		if err.Error() != c.message {
			t.Errorf("Parse(%q):\n got %q\nwant %q", c.query, err, c.message)
		}
		if IsUnsupported(err) != c.unsupported {
			t.Errorf("Parse(%q): unsupported = %v, want %v", c.query, IsUnsupported(err), c.unsupported)
		}
		if e, ok := err.(*Error); !ok || e.Code != CodeValidationError {
			t.Errorf("Parse(%q): error %T %v is not a ValidationError", c.query, err, err)
		}
	}
}

// TestParseDocumented parses every query of the CloudWatch User Guide's
// Metrics Insights pages (testdata/parse/*.txtar: each query with its
// canonical form) and checks that the canonical form parses back to
// itself.
func TestParseDocumented(t *testing.T) {
	files, _ := filepath.Glob("testdata/parse/*.txtar")
	if len(files) == 0 {
		t.Fatal("no files")
	}
	n := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var query string
		for _, s := range txtar.Parse(data).Files {
			switch s.Name {
			case "query":
				query = queryText(string(s.Data))
			case "canonical":
				n++
				want := strings.TrimSpace(string(s.Data))
				q, err := Parse(query)
				if err != nil {
					t.Errorf("%s: Parse(%q): %v", path, query, err)
					continue
				}
				if got := q.String(); got != want {
					t.Errorf("%s: Parse(%q).String():\n got %s\nwant %s", path, query, got, want)
				}
				checkRoundTrip(t, q)
			default:
				t.Fatalf("%s: unknown section %q", path, s.Name)
			}
		}
	}
	t.Logf("%d documented queries", n)
}

// checkRoundTrip checks that a query's canonical form parses to a query
// with the same canonical form and the same fields.
func checkRoundTrip(t testing.TB, q *Query) {
	t.Helper()
	s := q.String()
	q2, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) of canonical form: %v", s, err)
	}
	if s2 := q2.String(); s2 != s {
		t.Fatalf("canonical form is not stable:\n%s\n%s", s, s2)
	}
	if q2.Function != q.Function || q2.MetricName != q.MetricName || q2.Namespace != q.Namespace || q2.Schema != q.Schema ||
		strings.Join(q2.SchemaKeys, "\x00") != strings.Join(q.SchemaKeys, "\x00") || strings.Join(q2.GroupBy, "\x00") != strings.Join(q.GroupBy, "\x00") ||
		q2.OrderBy != q.OrderBy || q2.Limit != q.Limit {
		t.Fatalf("canonical form %q parses to different fields", s)
	}
}

func TestParseFields(t *testing.T) {
	q, err := Parse(`SELECT avg("Bytes\"In") FROM SCHEMA("AWS/EC2", InstanceId, "Instance Type") WHERE InstanceId = 'i-1' GROUP BY "Instance Type", InstanceId ORDER BY count() LIMIT 7`)
	if err != nil {
		t.Fatal(err)
	}
	if q.Function != AVG || q.MetricName != `Bytes"In` || q.Namespace != "AWS/EC2" || !q.Schema {
		t.Errorf("got %+v", q)
	}
	if strings.Join(q.SchemaKeys, ",") != "InstanceId,Instance Type" || strings.Join(q.GroupBy, ",") != "Instance Type,InstanceId" {
		t.Errorf("keys %q, group by %q", q.SchemaKeys, q.GroupBy)
	}
	if q.OrderBy != (Order{Function: COUNT}) || q.Limit != 7 {
		t.Errorf("order %+v, limit %d", q.OrderBy, q.Limit)
	}
	q, err = Parse("SELECT MAX(x) FROM ns")
	if err != nil {
		t.Fatal(err)
	}
	if q.Schema || q.SchemaKeys != nil || q.GroupBy != nil || q.OrderBy.Function != 0 || q.Limit != 0 {
		t.Errorf("got %+v", q)
	}
}

func TestMatch(t *testing.T) {
	dims := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		query string
		ns    string
		name  string
		dims  map[string]string
		want  bool
	}{
		{`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`, "AWS/EC2", "CPUUtilization", nil, true},
		{`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`, "AWS/EC2", "CPUUtilization", dims("InstanceId", "i-1", "X", "y"), true},
		{`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`, "AWS/EC2", "cpuutilization", nil, false},
		{`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`, "AWS/ec2", "CPUUtilization", nil, false},
		{`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`, "AWS/EC2", "NetworkIn", nil, false},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2")`, "AWS/EC2", "CPUUtilization", nil, true},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2")`, "AWS/EC2", "CPUUtilization", dims("InstanceId", "i-1"), false},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId)`, "AWS/EC2", "CPUUtilization", dims("InstanceId", "i-1"), true},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId)`, "AWS/EC2", "CPUUtilization", nil, false},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId)`, "AWS/EC2", "CPUUtilization", dims("InstanceId", "i-1", "InstanceType", "t2"), false},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceType, InstanceId)`, "AWS/EC2", "CPUUtilization", dims("InstanceId", "i-1", "InstanceType", "t2"), true},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId, InstanceId)`, "AWS/EC2", "CPUUtilization", dims("InstanceId", "i-1"), true},
		{`SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId, instanceid)`, "AWS/EC2", "CPUUtilization", dims("InstanceId", "i-1"), false},
		{`SELECT AVG(c) FROM ns WHERE k = 'v'`, "ns", "c", dims("k", "v"), true},
		{`SELECT AVG(c) FROM ns WHERE k = 'v'`, "ns", "c", dims("k", "V"), false},
		{`SELECT AVG(c) FROM ns WHERE K = 'v'`, "ns", "c", dims("k", "v"), false},
		{`SELECT AVG(c) FROM ns WHERE k != 'v'`, "ns", "c", dims("k", "w"), true},
		{`SELECT AVG(c) FROM ns WHERE k != 'v'`, "ns", "c", dims("k", "v"), false},
		{`SELECT AVG(c) FROM ns WHERE k != 'v'`, "ns", "c", nil, false},
		{`SELECT AVG(c) FROM ns WHERE k IN ('a', 'b')`, "ns", "c", dims("k", "b"), true},
		{`SELECT AVG(c) FROM ns WHERE k IN ('a', 'b')`, "ns", "c", dims("k", "c"), false},
		{`SELECT AVG(c) FROM ns WHERE k NOT IN ('a', 'b')`, "ns", "c", dims("k", "c"), true},
		{`SELECT AVG(c) FROM ns WHERE k NOT IN ('a', 'b')`, "ns", "c", dims("k", "a"), false},
		{`SELECT AVG(c) FROM ns WHERE k NOT IN ('a', 'b')`, "ns", "c", dims("j", "c"), false},
		{`SELECT AVG(c) FROM ns WHERE k = 'a' OR j = 'b' AND i = 'c'`, "ns", "c", dims("k", "a"), true},
		{`SELECT AVG(c) FROM ns WHERE k = 'a' OR j = 'b' AND i = 'c'`, "ns", "c", dims("j", "b"), false},
		{`SELECT AVG(c) FROM ns WHERE (k = 'a' OR j = 'b') AND i = 'c'`, "ns", "c", dims("k", "a"), false},
		{`SELECT AVG(c) FROM ns WHERE (k = 'a' OR j = 'b') AND i = 'c'`, "ns", "c", dims("j", "b", "i", "c"), true},
		{`SELECT AVG(c) FROM ns WHERE k = ''`, "ns", "c", dims("k", ""), true},
		{`SELECT AVG(c) FROM ns WHERE k = 'it\'s'`, "ns", "c", dims("k", "it's"), true},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.query, err)
		}
		if got := q.Match(tt.ns, tt.name, tt.dims); got != tt.want {
			t.Errorf("%s\n.Match(%q, %q, %v) = %v, want %v", tt.query, tt.ns, tt.name, tt.dims, got, tt.want)
		}
	}
}

func TestStringQuotes(t *testing.T) {
	tests := []struct{ query, want string }{
		{`SELECT AVG(x) FROM ns`, `SELECT AVG(x) FROM ns`},
		{`SELECT AVG("x") FROM "ns"`, `SELECT AVG(x) FROM ns`},
		{`SELECT AVG("LIMIT") FROM "Select"`, `SELECT AVG("LIMIT") FROM "Select"`},
		{`SELECT AVG("4xx") FROM "a b"`, `SELECT AVG("4xx") FROM "a b"`},
		{`SELECT AVG("a\\b\"c'd") FROM ns WHERE k = 'a\\b"c\'d'`, `SELECT AVG("a\\b\"c'd") FROM ns WHERE k = 'a\\b"c\'d'`},
		{`SELECT AVG("é") FROM ns`, `SELECT AVG("é") FROM ns`},
		{`SELECT AVG(Type) FROM ns WHERE Class = 'x' GROUP BY Resource`, `SELECT AVG(Type) FROM ns WHERE Class = 'x' GROUP BY Resource`},
		{`SELECT AVG(x) FROM ns WHERE (a = '1' AND b = '2') OR c = '3'`, `SELECT AVG(x) FROM ns WHERE a = '1' AND b = '2' OR c = '3'`},
		{`SELECT AVG(x) FROM ns WHERE a = '1' AND (b = '2' OR c = '3') AND d = '4'`, `SELECT AVG(x) FROM ns WHERE a = '1' AND (b = '2' OR c = '3') AND d = '4'`},
		{`SELECT AVG(x) FROM ns WHERE ((a = '1'))`, `SELECT AVG(x) FROM ns WHERE a = '1'`},
		{`SELECT AVG(x) FROM ns ORDER BY SUM()`, `SELECT AVG(x) FROM ns ORDER BY SUM() ASC`},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.query, err)
		}
		if got := q.String(); got != tt.want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", tt.query, got, tt.want)
		}
		checkRoundTrip(t, q)
	}
}

// queryText returns a query section's query: its body less the comment
// lines that start with "#".
func queryText(body string) string {
	var b strings.Builder
	for line := range strings.Lines(body) {
		if !strings.HasPrefix(line, "#") {
			b.WriteString(line)
		}
	}
	return strings.TrimSpace(b.String())
}
