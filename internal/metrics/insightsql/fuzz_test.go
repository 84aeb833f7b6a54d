package insightsql

import (
	"errors"
	"testing"
)

// fuzzEnv is the small fixed Env the fuzzer evaluates parsed queries
// against.
func fuzzEnv() *fakeEnv {
	env := newFakeEnv()
	add := func(ns, name string, dims map[string]string, obs map[int64][]float64) {
		env.add(Metric{Namespace: ns, Name: name, Dimensions: dims}, obs)
	}
	add("AWS/EC2", "CPUUtilization", nil, map[int64][]float64{0: {1, 2}, 60: {3}})
	add("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1"}, map[int64][]float64{0: {10}, 120: {-4}})
	add("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-2", "InstanceType": "t2.micro"}, map[int64][]float64{60: {7}})
	add("MyApp", "x", map[string]string{"k": "v", "Type": "API"}, map[int64][]float64{0: {1e300, 1e300}})
	add("MyApp", "x", map[string]string{"k": "w"}, map[int64][]float64{180: {0}})
	return env
}

// FuzzParse checks that Parse never panics, that its errors are *Error
// values with an offset inside the query, and that a query it accepts has
// a stable canonical form and evaluates without panicking.
func FuzzParse(f *testing.F) {
	for _, q := range corpusQueries(f) {
		f.Add(q)
	}
	env := fuzzEnv()
	f.Fuzz(func(t *testing.T, query string) {
		q, err := Parse(query)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeValidationError || e.Offset < 0 || e.Offset > len(query) || e.Message == "" {
				t.Fatalf("Parse(%q): bad error %#v", query, err)
			}
			return
		}
		checkRoundTrip(t, q)
		if _, err := q.Eval(env, 60, 0, 240); err != nil {
			t.Fatalf("Eval(%q): %v", query, err)
		}
	})
}
