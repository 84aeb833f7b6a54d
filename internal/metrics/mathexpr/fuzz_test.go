package mathexpr

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/series"
	"golang.org/x/tools/txtar"
)

// fuzzEnv is the small fixed Env the fuzzers evaluate against: three
// sparse metrics and a catalog of four for SEARCH.
func fuzzEnv() *fakeEnv {
	env := newFakeEnv()
	env.end = 600
	mk := func(label string, ts []int64, vs []float64) Series {
		return Series{
			Series: series.Series{Label: label, Timestamps: ts, Values: vs},
			Period: 60,
			Metric: &Metric{Namespace: "AWS/EC2", Name: label, Dimensions: map[string]string{"InstanceId": "i-" + label}},
		}
	}
	env.addMetric("m1", mk("m1", []int64{0, 60, 180, 300, 540}, []float64{1, -2, 0, 4.5, 1e300}))
	env.addMetric("m2", mk("m2", []int64{60, 120, 180}, []float64{0, 3, -7}))
	env.addMetric("errors", mk("errors", nil, nil))
	env.catalog = []Series{
		mk("CPUUtilization", []int64{0, 60}, []float64{5, 6}),
		mk("NetworkIn", []int64{120}, []float64{1}),
		{Series: series.Series{Label: "Latency", Timestamps: []int64{0}, Values: []float64{2}}, Metric: &Metric{Namespace: "MyApp", Name: "Latency"}},
		{Series: series.Series{Label: "Errors"}, Metric: &Metric{Namespace: "AWS/Lambda", Name: "Errors", Dimensions: map[string]string{"FunctionName": "ProjectA-api"}}},
	}
	return env
}

// corpusSeeds returns the expressions of the evaluation corpus and of the
// parse error table.
func corpusSeeds(t testing.TB) []string {
	var out []string
	files, _ := filepath.Glob("testdata/eval/*.txtar")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range txtar.Parse(data).Files {
			if strings.HasPrefix(s.Name, "expr") {
				out = append(out, strings.TrimSpace(string(s.Data)))
			}
		}
	}
	data, err := os.ReadFile("testdata/parse_errors.txt")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if expr, _, ok := strings.Cut(strings.TrimRight(line, "\n"), " => "); ok && !strings.HasPrefix(line, "#") {
			out = append(out, expr)
		}
	}
	return out
}

// checkValue checks the invariants of an evaluation result: series with
// strictly ascending timestamps and a finite value each.
func checkValue(t *testing.T, expr string, v Value) {
	t.Helper()
	if v.Scalar != nil {
		t.Fatalf("%q: Eval returned a scalar", expr)
	}
	if !v.Array && len(v.Series) != 1 {
		t.Fatalf("%q: single value with %d series", expr, len(v.Series))
	}
	for _, s := range v.Series {
		if len(s.Timestamps) != len(s.Values) {
			t.Fatalf("%q: %d timestamps, %d values", expr, len(s.Timestamps), len(s.Values))
		}
		for i, x := range s.Values {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("%q: value %v", expr, x)
			}
			if i > 0 && s.Timestamps[i] <= s.Timestamps[i-1] {
				t.Fatalf("%q: timestamps %v not strictly ascending", expr, s.Timestamps)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range corpusSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		e, err := Parse(expr)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) error %T, want *Error", expr, err)
			}
			return
		}
		env := fuzzEnv()
		if v, err := e.Eval(env); err == nil {
			checkValue(t, expr, v)
		}
		plan, err := PlanQueries([]Query{{ID: "m1"}, {ID: "m2"}, {ID: "errors"}, {ID: "e1", Expression: expr}})
		if err != nil {
			return
		}
		for _, st := range plan.Steps {
			if st.Kind == StepMath {
				if v, err := st.Eval(env); err == nil {
					ResultLabels(st.ID, "${MAX} ${PROP('Dim.InstanceId')} ${LABEL}", v, LabelOptions{})
				}
			}
		}
	})
}

func FuzzParseSearch(f *testing.F) {
	files, _ := filepath.Glob("testdata/search/*.txtar")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, s := range txtar.Parse(data).Files {
			if s.Name == "query" {
				f.Add(strings.TrimSuffix(string(s.Data), "\n"))
			}
		}
	}
	env := fuzzEnv()
	f.Fuzz(func(t *testing.T, query string) {
		q, err := ParseSearch(query)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("ParseSearch(%q) error %T, want *Error", query, err)
			}
			return
		}
		for _, m := range env.catalog {
			q.Match(m.Metric.Namespace, m.Metric.Name, m.Metric.Dimensions)
		}
		q.Match("", "", nil)
		q.Match(query, query, map[string]string{query: query})
	})
}
