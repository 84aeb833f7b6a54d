package mathexpr

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// The evaluation corpus: testdata/eval/*.txtar. Each file holds the
// request's inputs and one or more cases:
//
//	# What the file shows, and the AWS page it comes from.
//	-- env --                        start, end and period of the request
//	-- query m1 --                   a MetricStat query's series
//	-- metric AWS/EC2 | CPUUtilization | InstanceId=i-1 --
//	                                 a metric SEARCH can find
//	-- expr e1 --                    another expression of the request
//	-- expr --                       the expression under test (Id "result")
//	-- want --                       its single series, or
//	-- want array --                 its array ("series label" lines), or
//	-- error --                      the error, as the client reads it
//
// "want ... dropped" expects the ArithmeticError flag. Series bodies hold
// "t v" lines, or one "values v0 v1 - v3" line on the request's grid.

// corpusCase is one expression of a corpus file with what it should give.
type corpusCase struct {
	expr    string
	want    string // want section body
	array   bool
	dropped bool
	err     string
	isErr   bool
}

// corpusFile is a parsed corpus file.
type corpusFile struct {
	env     *fakeEnv
	queries []Query // MetricStat and named expressions, in order
	metrics map[string]Series
	cases   []corpusCase
}

func readCorpusFile(t *testing.T, path string) *corpusFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cf := &corpusFile{env: newFakeEnv(), metrics: map[string]Series{}}
	for _, s := range txtar.Parse(data).Files {
		kind, arg, _ := strings.Cut(s.Name, " ")
		switch kind {
		case "env":
			if err := cf.env.parseEnv(string(s.Data)); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		case "query":
			ss, err := cf.env.parseSeries(string(s.Data))
			if err != nil || len(ss) > 1 {
				t.Fatalf("%s: query %s: %v (%d series)", path, arg, err, len(ss))
			}
			if len(ss) == 0 {
				ss = []Series{{Period: cf.env.period}}
			}
			cf.metrics[arg] = ss[0]
			cf.queries = append(cf.queries, Query{ID: arg})
		case "metric":
			ss, err := cf.env.parseSeries(string(s.Data))
			if err != nil || len(ss) > 1 {
				t.Fatalf("%s: metric %s: %v", path, arg, err)
			}
			var m Series
			if len(ss) == 1 {
				m = ss[0]
			}
			m.Metric = parseMetricSpec(arg)
			m.Label = defaultLabel(m.Metric)
			cf.env.catalog = append(cf.env.catalog, m)
		case "expr":
			body := strings.TrimSpace(string(s.Data))
			if arg != "" {
				cf.queries = append(cf.queries, Query{ID: arg, Expression: body})
			} else {
				cf.cases = append(cf.cases, corpusCase{expr: body})
			}
		case "want", "error":
			if len(cf.cases) == 0 {
				t.Fatalf("%s: %s before any expr", path, kind)
			}
			c := &cf.cases[len(cf.cases)-1]
			if kind == "error" {
				c.isErr, c.err = true, strings.TrimSpace(string(s.Data))
				continue
			}
			c.want = string(s.Data)
			for _, opt := range strings.Fields(arg) {
				switch opt {
				case "array":
					c.array = true
				case "dropped":
					c.dropped = true
				default:
					t.Fatalf("%s: unknown want option %q", path, opt)
				}
			}
		default:
			t.Fatalf("%s: unknown section %q", path, s.Name)
		}
	}
	if len(cf.cases) == 0 {
		t.Fatalf("%s: no cases", path)
	}
	return cf
}

// run evaluates expr as the query "result" of the file's request.
func (cf *corpusFile) run(expr string) (Value, error) {
	env := *cf.env
	env.results = map[string]Value{}
	env.order = nil
	qs := append(slices.Clone(cf.queries), Query{ID: "result", Expression: expr})
	plan, err := PlanQueries(qs)
	if err != nil {
		return Value{}, err
	}
	var out Value
	for _, st := range plan.Steps {
		switch st.Kind {
		case StepMetricStat:
			env.addMetric(st.ID, cf.metrics[st.ID])
		case StepMath:
			v, err := st.Eval(&env)
			if err != nil {
				return Value{}, err
			}
			env.results[st.ID] = v
			if st.ID == "result" {
				out = v
			}
		default:
			return Value{}, fmt.Errorf("unexpected step kind %d", st.Kind)
		}
	}
	return out, nil
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/eval/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			cf := readCorpusFile(t, path)
			for _, c := range cf.cases {
				got, err := cf.run(c.expr)
				if c.isErr {
					if err == nil {
						t.Errorf("%s: got\n%s\nwant error %q", c.expr, formatValue(got), c.err)
					} else if err.Error() != c.err {
						t.Errorf("%s: got error %q, want %q", c.expr, err.Error(), c.err)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: unexpected error %v (%s)", c.expr, err, detail(err))
					continue
				}
				want, err := cf.env.parseSeries(c.want)
				if err != nil {
					t.Fatalf("%s: want: %v", c.expr, err)
				}
				if msg := compareValue(got, want, c.array); msg != "" {
					t.Errorf("%s: %s\ngot:\n%swant:\n%s", c.expr, msg, formatValue(got), c.want)
				}
				if got.ArithmeticError != c.dropped {
					t.Errorf("%s: ArithmeticError %v, want %v", c.expr, got.ArithmeticError, c.dropped)
				}
			}
		})
	}
}

// detail returns the Detail of an *Error.
func detail(err error) string {
	if e, ok := err.(*Error); ok {
		return e.Detail
	}
	return ""
}

// compareValue compares a result with the expected series; it returns ""
// when they agree.
func compareValue(got Value, want []Series, array bool) string {
	switch {
	case got.Scalar != nil:
		return "got a scalar"
	case got.Array != array:
		return fmt.Sprintf("got array %v, want array %v", got.Array, array)
	case !array && len(want) == 0:
		want = []Series{{}}
	}
	if len(got.Series) != len(want) {
		return fmt.Sprintf("got %d series, want %d", len(got.Series), len(want))
	}
	for i, g := range got.Series {
		w := want[i]
		if array && g.Label != w.Label {
			return fmt.Sprintf("series %d: label %q, want %q", i, g.Label, w.Label)
		}
		if !slices.Equal(g.Timestamps, w.Timestamps) {
			return fmt.Sprintf("series %d: timestamps %v, want %v", i, g.Timestamps, w.Timestamps)
		}
		if len(g.Values) != len(g.Timestamps) {
			return fmt.Sprintf("series %d: %d values for %d timestamps", i, len(g.Values), len(g.Timestamps))
		}
		for k, v := range g.Values {
			if !near(v, w.Values[k]) {
				return fmt.Sprintf("series %d: value at %d is %v, want %v", i, g.Timestamps[k], v, w.Values[k])
			}
		}
	}
	return ""
}

// near reports whether two values agree to 12 significant digits.
func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}
