package mathexpr

import (
	"errors"
	"strings"
	"testing"
)

func TestPlanQueriesOrder(t *testing.T) {
	plan, err := PlanQueries([]Query{
		{ID: "e3", Expression: "e2 + e1"},
		{ID: "m1"},
		{ID: "e1", Expression: "SUM(METRICS())"},
		{ID: "q1", Expression: "SELECT AVG(CPUUtilization) FROM SCHEMA(\"AWS/EC2\", InstanceId)"},
		{ID: "e2", Expression: "e1 * q1"},
		{ID: "m2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range plan.Steps {
		got = append(got, s.ID)
	}
	if strings.Join(got, " ") != "m1 q1 m2 e1 e2 e3" {
		t.Errorf("order %v, want m1 q1 m2 e1 e2 e3", got)
	}
	kinds := map[string]StepKind{"m1": StepMetricStat, "q1": StepInsights, "e1": StepMath}
	for _, s := range plan.Steps {
		if k, ok := kinds[s.ID]; ok && s.Kind != k {
			t.Errorf("step %s kind %d, want %d", s.ID, s.Kind, k)
		}
		if (s.Kind == StepMath) != (s.Expr != nil) {
			t.Errorf("step %s: kind %d with Expr %v", s.ID, s.Kind, s.Expr)
		}
	}
	if plan.Steps[0].Index != 1 || plan.Steps[5].Index != 0 {
		t.Errorf("indexes %d, %d, want 1, 0", plan.Steps[0].Index, plan.Steps[5].Index)
	}
}

func TestPlanQueriesErrors(t *testing.T) {
	f := func(qs []Query, want string) {
		t.Helper()
		_, err := PlanQueries(qs)
		if err == nil {
			t.Fatalf("PlanQueries = nil error, want %q", want)
		}
		if err.Error() != want {
			t.Errorf("error\n%s\nwant\n%s", err, want)
		}
		var me *Error
		if !errors.As(err, &me) || me.Code != CodeValidationError {
			t.Errorf("error %#v is not a ValidationError", err)
		}
	}
	// AWS's wording, one line per bad Id.
	f([]Query{{ID: "5xx_error_average"}, {ID: "ok"}, {ID: "Upper"}},
		"The value 5xx_error_average for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.\n"+
			"The value Upper for parameter MetricDataQueries.member.3.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.")
	f([]Query{{ID: ""}}, "The value  for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.")
	f([]Query{{ID: "m-1"}}, "The value m-1 for parameter MetricDataQueries.member.1.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.")
	f([]Query{{ID: "m1"}, {ID: "m1", Expression: "m1*2"}}, "The values for parameter id in MetricDataQueries are not unique.")
	f([]Query{{ID: "m1"}, {ID: "e1", Expression: "m1 +"}}, "Error in expression 'e1': Invalid syntax")
	f([]Query{{ID: "m1"}, {ID: "e1", Expression: "m2 + m1"}}, "Error in expression 'e1': Identifier 'm2' not found")
	f([]Query{{ID: "e1", Expression: "e1 + 1"}}, "Error in expression 'e1': Circular reference: e1 -> e1")
	f([]Query{{ID: "e1", Expression: "e2"}, {ID: "e2", Expression: "e3"}, {ID: "e3", Expression: "e2"}},
		"Error in expression 'e2': Circular reference: e2 -> e3 -> e2")
	f([]Query{{ID: "e1", Expression: "FILL(m1, linear)"}, {ID: "m1"}}, "Error in expression 'e1': Identifier 'linear' not found")
}

func TestIsInsightsQuery(t *testing.T) {
	for expr, want := range map[string]bool{
		`SELECT AVG(CPUUtilization) FROM "AWS/EC2"`: true,
		"  select MAX(x) FROM y":                    true,
		"SELECT":                                    true,
		"SELECTION(m1)":                             false,
		"SUM(m1)":                                   false,
		"":                                          false,
	} {
		if got := IsInsightsQuery(expr); got != want {
			t.Errorf("IsInsightsQuery(%q) = %v, want %v", expr, got, want)
		}
	}
}

func TestStepEvalNamesTheQuery(t *testing.T) {
	env := newFakeEnv()
	plan, err := PlanQueries([]Query{{ID: "total", Expression: "SUM(5)"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = plan.Steps[0].Eval(env)
	want := "Error in expression 'total': Invalid argument 1 for function 'SUM': expected a time series or an array of time series, got a scalar."
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	var me *Error
	if !errors.As(err, &me) || me.ID != "total" || me.ErrorCode() != CodeValidationError {
		t.Errorf("error %#v", err)
	}
}
