package mathexpr

import (
	"fmt"
	"math"
)

// Env is what an expression reads: the other queries of the request, the
// metrics SEARCH finds, anomaly detection models, and the request's time
// range. The metrics engine implements it for GetMetricData and for alarm
// evaluation; tests use a fixed one.
type Env interface {
	// Query returns the result of another query of the request by Id: a
	// single time series for a MetricStat query, and for an expression
	// what its Eval returned. It reports false for an unknown Id.
	Query(id string) (Value, bool)
	// All returns, in request order, the queries METRICS() draws from:
	// every MetricStat query of the request, including those with
	// ReturnData false, and no expression (math, SEARCH or Metrics
	// Insights). Each is a single time series.
	All() []NamedValue
	// Search runs a SEARCH query and returns one series per matching
	// metric, each with its Metric set, retrieved with stat at period
	// seconds.
	Search(q *SearchQuery, stat string, period int64) ([]Series, error)
	// AnomalyBand returns the lower and upper bounds of the anomaly
	// detection band of s for the given number of standard deviations.
	AnomalyBand(s Series, stddevs float64) (lower, upper Series, err error)
	// Start and End are the request's StartTime (inclusive) and EndTime
	// (exclusive), in Unix seconds, after CloudWatch's rounding.
	Start() int64
	End() int64
	// Period is the period, in seconds, of series that have none of their
	// own (TIME_SERIES, SEARCH without a period argument): the
	// expression query's Period when given, else the caller's default.
	Period() int64
}

// Eval evaluates the expression. The result is a time series or an array
// of time series: "The final result of any math expression must be a
// single time series or an array of time series", so a scalar result is an
// error. Errors are *Error values without the query Id (Step.Eval adds it),
// or errors from Env passed through.
func (e *Expr) Eval(env Env) (Value, error) {
	ev := &evaluator{env: env}
	v, err := ev.eval(e.root)
	if err != nil {
		return Value{}, err
	}
	if v.k == kindScalar {
		return Value{}, invalid("The expression must return a time series or an array of time series, not a scalar.")
	}
	out := v.toValue()
	out.ArithmeticError = ev.dropped
	return out, nil
}

// evaluator walks the syntax tree.
type evaluator struct {
	env Env
	// dropped records that a point was dropped for not being finite.
	dropped bool
	// grids caches the request's grid by period; series share it and
	// never modify it.
	grids map[int64][]int64
}

func (e *evaluator) eval(n node) (val, error) {
	switch n := n.(type) {
	case *numNode:
		return scalarVal(n.v), nil
	case *refNode:
		v, ok := e.env.Query(n.id)
		if !ok {
			return val{}, invalid("Identifier '%s' not found", n.id)
		}
		return fromValue(v), nil
	case *negNode:
		x, err := e.eval(n.x)
		if err != nil {
			return val{}, err
		}
		return e.mapVal(x, func(a float64) float64 { return -a }), nil
	case *binNode:
		return e.evalBinary(n)
	case *arrNode:
		var out []Series
		for _, el := range n.elems {
			v, err := e.eval(el)
			if err != nil {
				return val{}, err
			}
			if v.k == kindScalar {
				return val{}, invalid("An array can hold only time series, not a scalar.")
			}
			out = append(out, v.list...)
		}
		return arrayVal(out), nil
	case *callNode:
		return n.fn.eval(e, n)
	}
	panic(fmt.Sprintf("BUG: mathexpr: unknown node %T", n))
}

// arg evaluates argument i of a call.
func (e *evaluator) arg(c *callNode, i int) (val, error) { return e.eval(c.args[i]) }

// binaryOp returns the function of an operator token and its name.
func binaryOp(op tokKind) (func(a, b float64) float64, string) {
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	switch op {
	case tokPlus:
		return func(a, b float64) float64 { return a + b }, "+"
	case tokMinus:
		return func(a, b float64) float64 { return a - b }, "-"
	case tokStar:
		return func(a, b float64) float64 { return a * b }, "*"
	case tokSlash:
		return func(a, b float64) float64 { return a / b }, "/"
	case tokCaret:
		return math.Pow, "^"
	case tokLT:
		return func(a, b float64) float64 { return b2f(a < b) }, "<"
	case tokLE:
		return func(a, b float64) float64 { return b2f(a <= b) }, "<="
	case tokGT:
		return func(a, b float64) float64 { return b2f(a > b) }, ">"
	case tokGE:
		return func(a, b float64) float64 { return b2f(a >= b) }, ">="
	case tokEQ:
		return func(a, b float64) float64 { return b2f(a == b) }, "=="
	case tokNE:
		return func(a, b float64) float64 { return b2f(a != b) }, "!="
	case tokAndAnd:
		return func(a, b float64) float64 { return b2f(a != 0 && b != 0) }, "AND"
	case tokOrOr:
		return func(a, b float64) float64 { return b2f(a != 0 || b != 0) }, "OR"
	}
	panic(fmt.Sprintf("BUG: mathexpr: unknown operator %d", op))
}

// evalBinary applies an operator with AWS's broadcasting: S op S is a
// scalar; a scalar applies to every point of a series or of each series of
// an array; two series combine over the union of their timestamps with a
// missing value counting as 0 ("Missing values in a time series are
// treated as 0", and for comparisons "the function treats the missing
// value in the other time series as 0"); a series combines with each
// series of an array. Two arrays do not combine: the documentation lists
// no such form.
func (e *evaluator) evalBinary(n *binNode) (val, error) {
	x, err := e.eval(n.x)
	if err != nil {
		return val{}, err
	}
	y, err := e.eval(n.y)
	if err != nil {
		return val{}, err
	}
	f, name := binaryOp(n.op)
	switch {
	case x.k == kindScalar && y.k == kindScalar:
		return scalarVal(f(x.num, y.num)), nil
	case y.k == kindScalar:
		return e.mapVal(x, func(a float64) float64 { return f(a, y.num) }), nil
	case x.k == kindScalar:
		return e.mapVal(y, func(b float64) float64 { return f(x.num, b) }), nil
	case x.k == kindSeries && y.k == kindSeries:
		return seriesVal(e.zip(x.one(), y.one(), f, false)), nil
	case x.k == kindArray && y.k == kindSeries:
		out := make([]Series, len(x.list))
		for i, s := range x.list {
			out[i] = e.zip(s, y.one(), f, false)
		}
		return arrayVal(out), nil
	case x.k == kindSeries && y.k == kindArray:
		out := make([]Series, len(y.list))
		for i, s := range y.list {
			out[i] = e.zip(x.one(), s, f, true)
		}
		return arrayVal(out), nil
	}
	return val{}, invalid("Operator '%s' is not supported between two arrays of time series.", name)
}

// mapVal applies f to every point of v; a scalar stays a scalar.
func (e *evaluator) mapVal(v val, f func(float64) float64) val {
	if v.k == kindScalar {
		return scalarVal(f(v.num))
	}
	out := make([]Series, len(v.list))
	for i, s := range v.list {
		out[i] = e.mapSeries(s, f)
	}
	return val{k: v.k, list: out}
}

// mapSeries applies f to every point of s, dropping results that are not
// finite.
func (e *evaluator) mapSeries(s Series, f func(float64) float64) Series {
	ts := make([]int64, 0, len(s.Timestamps))
	vs := make([]float64, 0, len(s.Timestamps))
	for i, t := range s.Timestamps {
		r := f(s.Values[i])
		if !e.finite(r) {
			continue
		}
		ts = append(ts, t)
		vs = append(vs, r)
	}
	return derive(s, ts, vs)
}

// zip combines two series over the union of their timestamps, a missing
// value counting as 0. The result carries the label and metric of a, or of
// b when keepRight is set (the array's member, when a series combines with
// an array).
func (e *evaluator) zip(a, b Series, f func(x, y float64) float64, keepRight bool) Series {
	n := max(len(a.Timestamps), len(b.Timestamps))
	ts := make([]int64, 0, n)
	vs := make([]float64, 0, n)
	i, j := 0, 0
	for i < len(a.Timestamps) || j < len(b.Timestamps) {
		var t int64
		var x, y float64
		switch {
		case j >= len(b.Timestamps) || (i < len(a.Timestamps) && a.Timestamps[i] < b.Timestamps[j]):
			t, x = a.Timestamps[i], a.Values[i]
			i++
		case i >= len(a.Timestamps) || b.Timestamps[j] < a.Timestamps[i]:
			t, y = b.Timestamps[j], b.Values[j]
			j++
		default:
			t, x, y = a.Timestamps[i], a.Values[i], b.Values[j]
			i++
			j++
		}
		r := f(x, y)
		if !e.finite(r) {
			continue
		}
		ts = append(ts, t)
		vs = append(vs, r)
	}
	if keepRight {
		return derive(b, ts, vs)
	}
	return derive(a, ts, vs)
}

// finite reports whether r is a finite number, recording a drop if not.
func (e *evaluator) finite(r float64) bool {
	if isNonFinite(r) {
		e.dropped = true
		return false
	}
	return true
}

// seriesArg evaluates argument i of c and returns its series. A single
// series counts as an array of one where an array is expected; a scalar is
// refused.
func (e *evaluator) seriesArg(c *callNode, i int) (val, error) {
	v, err := e.arg(c, i)
	if err != nil {
		return val{}, err
	}
	if v.k == kindScalar {
		return val{}, badArg(c, i, "a time series or an array of time series", v.k)
	}
	return v, nil
}

// scalarArg evaluates argument i of c, which must be a scalar.
func (e *evaluator) scalarArg(c *callNode, i int) (float64, error) {
	v, err := e.arg(c, i)
	if err != nil {
		return 0, err
	}
	if v.k != kindScalar {
		return 0, badArg(c, i, "a scalar", v.k)
	}
	return v.num, nil
}

// badArg is the error for an argument of the wrong kind.
func badArg(c *callNode, i int, want string, got kind) *Error {
	return invalid("Invalid argument %d for function '%s': expected %s, got %s.", i+1, c.fn.name, want, got)
}

// isNonFinite reports whether r is NaN or infinite.
func isNonFinite(r float64) bool { return math.IsNaN(r) || math.IsInf(r, 0) }
