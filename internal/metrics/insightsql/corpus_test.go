package insightsql

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/series"
	"golang.org/x/tools/txtar"
)

// The evaluation corpus: testdata/eval/*.txtar, named for what they show.
// Each file holds metrics and queries over them:
//
//	# What the file shows, and the AWS page it comes from.
//	-- env --                          start, end, period, horizon (Unix s)
//	-- metric AWS/EC2 | CPUUtilization | InstanceId=i-1; InstanceType=t2 --
//	0 10 20                            observations: timestamp, values
//	-- query --                        a query
//	-- want --                         its series: "label" t:v t:v …
//	-- messages --                     the codes of its messages, if any
//	-- error --                        or the error it fails with
//
// Metrics are listed in file order, the order the Env finds them in.
// Expected values are computed by hand from the observations; the
// comments beside them show the sums.

type corpusCase struct {
	query    string
	want     string
	messages []string
	err      string
	isErr    bool
}

type corpusFile struct {
	env                *fakeEnv
	start, end, period int64
	cases              []corpusCase
}

func readCorpusFile(t *testing.T, path string) *corpusFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cf := &corpusFile{env: newFakeEnv(), end: 120, period: 60}
	for _, s := range txtar.Parse(data).Files {
		kind, arg, _ := strings.Cut(s.Name, " ")
		last := func() *corpusCase {
			if len(cf.cases) == 0 {
				t.Fatalf("%s: %s before any query", path, kind)
			}
			return &cf.cases[len(cf.cases)-1]
		}
		switch kind {
		case "env":
			for line := range strings.Lines(string(s.Data)) {
				f := strings.Fields(line)
				if len(f) == 0 {
					continue
				}
				v, err := strconv.ParseInt(f[len(f)-1], 10, 64)
				if len(f) != 2 || err != nil {
					t.Fatalf("%s: env line %q", path, line)
				}
				switch f[0] {
				case "start":
					cf.start = v
				case "end":
					cf.end = v
				case "period":
					cf.period = v
				case "horizon":
					cf.env.horizon = v
				default:
					t.Fatalf("%s: unknown env setting %q", path, f[0])
				}
			}
		case "metric":
			m, err := parseMetricSpec(arg)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			obs, err := parseObservations(string(s.Data))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			cf.env.add(m, obs)
		case "query":
			cf.cases = append(cf.cases, corpusCase{query: queryText(string(s.Data))})
		case "want":
			last().want = string(s.Data)
		case "messages":
			last().messages = strings.Fields(string(s.Data))
		case "error":
			c := last()
			c.isErr, c.err = true, strings.TrimSpace(string(s.Data))
		default:
			t.Fatalf("%s: unknown section %q", path, s.Name)
		}
	}
	if len(cf.cases) == 0 {
		t.Fatalf("%s: no queries", path)
	}
	return cf
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/eval/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			cf := readCorpusFile(t, path)
			for i, c := range cf.cases {
				t.Run(strconv.Itoa(i+1), func(t *testing.T) {
					cf.check(t, c)
				})
			}
		})
	}
}

func (cf *corpusFile) check(t *testing.T, c corpusCase) {
	t.Helper()
	q, err := Parse(c.query)
	if err == nil {
		var res Result
		res, err = q.Eval(cf.env, cf.period, cf.start, cf.end)
		if err == nil {
			if c.isErr {
				t.Fatalf("query:\n%s\ngot result\n%s\nwant error %q", c.query, formatResult(res), c.err)
			}
			want, werr := parseWant(c.want)
			if werr != nil {
				t.Fatal(werr)
			}
			if !sameSeries(res.Series, want) {
				t.Errorf("query:\n%s\ngot:\n%s\nwant:\n%s", c.query, formatResult(res), strings.TrimSpace(c.want))
			}
			var codes []string
			for _, m := range res.Messages {
				codes = append(codes, m.Code)
			}
			if !slices.Equal(codes, c.messages) {
				t.Errorf("query:\n%s\ngot messages %v, want %v", c.query, codes, c.messages)
			}
			if res.Array != (len(q.GroupBy) > 0) || (len(res.Groups) != len(res.Series) && res.Array) {
				t.Errorf("query:\n%s\nArray %v with %d groups for %d series", c.query, res.Array, len(res.Groups), len(res.Series))
			}
			return
		}
	}
	if !c.isErr {
		t.Fatalf("query:\n%s\nunexpected error: %v", c.query, err)
	}
	if err.Error() != c.err {
		t.Errorf("query:\n%s\ngot error  %q\nwant error %q", c.query, err, c.err)
	}
}

func formatResult(r Result) string {
	var lines []string
	for _, s := range r.Series {
		lines = append(lines, formatSeries(s))
	}
	return strings.Join(lines, "\n")
}

// sameSeries compares labels and timestamps exactly and values to 1e-9,
// relative.
func sameSeries(got, want []series.Series) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Label != w.Label || !slices.Equal(g.Timestamps, w.Timestamps) || len(g.Values) != len(w.Values) {
			return false
		}
		for j := range g.Values {
			if math.Abs(g.Values[j]-w.Values[j]) > 1e-9*max(1, math.Abs(w.Values[j])) {
				return false
			}
		}
	}
	return true
}

// corpusQueries returns every query of the corpus files and of the parse
// tables, for fuzz seeds.
func corpusQueries(t testing.TB) []string {
	var out []string
	files, _ := filepath.Glob("testdata/eval/*.txtar")
	more, _ := filepath.Glob("testdata/parse/*.txtar")
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range txtar.Parse(data).Files {
			if s.Name == "query" {
				out = append(out, queryText(string(s.Data)))
			}
		}
	}
	cases, err := readParseErrors()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		out = append(out, c.query)
	}
	return out
}

func ExampleQuery_String() {
	q, _ := Parse(`select sum(RequestCount) from schema("AWS/ApplicationELB", LoadBalancer, AvailabilityZone)
		where LoadBalancer = 'app/load-balancer-1' group by AvailabilityZone order by max() desc limit 5`)
	fmt.Println(q)
	// Output: SELECT SUM(RequestCount) FROM SCHEMA("AWS/ApplicationELB", LoadBalancer, AvailabilityZone) WHERE LoadBalancer = 'app/load-balancer-1' GROUP BY AvailabilityZone ORDER BY MAX() DESC LIMIT 5
}
