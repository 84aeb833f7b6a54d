package mathexpr

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// idPattern is the pattern every MetricDataQuery Id must match.
var idPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// Query is one MetricDataQuery as the planner sees it.
type Query struct {
	// ID is the query's Id.
	ID string
	// Expression is the query's Expression: a metric math expression or
	// a Metrics Insights query (SELECT …). It is empty for a MetricStat
	// query.
	Expression string
}

// StepKind says what a step evaluates.
type StepKind uint8

const (
	// StepMetricStat retrieves a metric; the caller does it.
	StepMetricStat StepKind = iota
	// StepInsights runs a Metrics Insights query; the caller does it.
	StepInsights
	// StepMath evaluates a metric math expression (Step.Eval).
	StepMath
)

// Step is one query of a plan.
type Step struct {
	// Index is the query's position in the request, from 0.
	Index int
	// ID is the query's Id.
	ID string
	// Kind says what the step evaluates.
	Kind StepKind
	// Expr is the parsed expression of a StepMath step.
	Expr *Expr
}

// Eval evaluates a StepMath step; errors name the query, as AWS's do
// ("Error in expression 'e1': …").
func (s *Step) Eval(env Env) (Value, error) {
	if s.Kind != StepMath {
		panic(fmt.Sprintf("BUG: mathexpr: Eval of a step of kind %d", s.Kind))
	}
	v, err := s.Expr.Eval(env)
	if err != nil {
		return Value{}, withID(err, s.ID)
	}
	return v, nil
}

// Plan is the order in which to evaluate the queries of a request: every
// query after the ones it reads.
type Plan struct {
	// Steps lists every query once: the MetricStat and Metrics Insights
	// queries first in request order, then the math expressions, each
	// after the expressions it reads and otherwise in request order.
	Steps []Step
}

// PlanQueries validates the queries of a GetMetricData or PutMetricAlarm
// request and orders them for evaluation. It refuses, as AWS does, Ids
// that do not match ^[a-z][a-zA-Z0-9_]*$, Ids used twice, and expressions
// that do not parse, read an Id the request does not have, or read
// themselves through a cycle. Errors are *Error values, the Id errors
// joined one per line as AWS joins them.
func PlanQueries(qs []Query) (*Plan, error) {
	var bad []string
	for i, q := range qs {
		if !idPattern.MatchString(q.ID) {
			bad = append(bad, fmt.Sprintf("The value %s for parameter MetricDataQueries.member.%d.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.", q.ID, i+1))
		}
	}
	if len(bad) > 0 {
		return nil, invalid("%s", strings.Join(bad, "\n"))
	}
	byID := make(map[string]int, len(qs))
	for i, q := range qs {
		if _, dup := byID[q.ID]; dup {
			return nil, invalid("The values for parameter id in MetricDataQueries are not unique.")
		}
		byID[q.ID] = i
	}
	steps := make([]Step, len(qs))
	for i, q := range qs {
		steps[i] = Step{Index: i, ID: q.ID}
		switch {
		case q.Expression == "":
			steps[i].Kind = StepMetricStat
		case IsInsightsQuery(q.Expression):
			steps[i].Kind = StepInsights
		default:
			e, err := Parse(q.Expression)
			if err != nil {
				return nil, withID(err, q.ID)
			}
			for _, r := range e.refs {
				if _, ok := byID[r]; !ok {
					return nil, withID(invalid("Identifier '%s' not found", r), q.ID)
				}
			}
			steps[i].Kind, steps[i].Expr = StepMath, e
		}
	}
	plan := &Plan{Steps: make([]Step, 0, len(qs))}
	for _, s := range steps {
		if s.Kind != StepMath {
			plan.Steps = append(plan.Steps, s)
		}
	}
	// Depth-first topological order over the expressions, in request
	// order; state 1 is on the current path, 2 is placed.
	state := make([]uint8, len(qs))
	var path []string
	var visit func(i int) error
	visit = func(i int) error {
		s := steps[i]
		switch {
		case s.Kind != StepMath || state[i] == 2:
			return nil
		case state[i] == 1:
			cycle := append(slices.Clone(path[slices.Index(path, s.ID):]), s.ID)
			return withID(invalid("Circular reference: %s", strings.Join(cycle, " -> ")), s.ID)
		}
		state[i] = 1
		path = append(path, s.ID)
		for _, r := range s.Expr.refs {
			if err := visit(byID[r]); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[i] = 2
		plan.Steps = append(plan.Steps, s)
		return nil
	}
	for i := range steps {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// IsInsightsQuery reports whether an Expression is a Metrics Insights
// query rather than metric math: it starts with SELECT. Insights queries
// are their own language, evaluated elsewhere; metric math cannot contain
// one, but may read its result by Id.
func IsInsightsQuery(expr string) bool {
	t := strings.TrimLeft(expr, " \t\r\n")
	return len(t) >= 6 && strings.EqualFold(t[:6], "SELECT") && (len(t) == 6 || isSpace(t[6]))
}
