package mathexpr

import (
	"slices"
)

// funcSpec describes a metric math function: its arguments as the parser
// checks them, and its evaluation.
type funcSpec struct {
	name             string
	minArgs, maxArgs int
	// args describes each argument position.
	args []argSpec
	// unsupported, when set, names what the function needs that Vigil
	// does not have; the parser refuses the function.
	unsupported string
	// extra performs parse-time checks beyond the argument kinds.
	extra func(c *callNode) error
	eval  func(e *evaluator, c *callNode) (val, error)
}

// argSpec says what one argument may be.
type argSpec struct {
	value    bool     // an expression
	str      bool     // a quoted string
	keywords []string // bare words such as REPEAT
}

var (
	anyValue   = argSpec{value: true}
	aString    = argSpec{str: true}
	fillWith   = argSpec{value: true, keywords: []string{"REPEAT", "LINEAR"}}
	sortByFn   = argSpec{keywords: []string{"AVG", "MIN", "MAX", "SUM"}}
	sortOrder  = argSpec{keywords: []string{"ASC", "DESC"}}
	oneValue   = []argSpec{anyValue}
	valueValue = []argSpec{anyValue, anyValue}
)

// functions is the function table of "Metric math syntax and functions"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax).
// It is read-only.
var functions = functionTable()

// functionTable builds the function table.
func functionTable() map[string]*funcSpec {
	specs := []*funcSpec{
		{name: "ABS", minArgs: 1, maxArgs: 1, args: oneValue, eval: mathFunc(absf)},
		{name: "CEIL", minArgs: 1, maxArgs: 1, args: oneValue, eval: mathFunc(ceilf)},
		{name: "FLOOR", minArgs: 1, maxArgs: 1, args: oneValue, eval: mathFunc(floorf)},
		{name: "LOG", minArgs: 1, maxArgs: 1, args: oneValue, eval: mathFunc(logf)},
		{name: "LOG10", minArgs: 1, maxArgs: 1, args: oneValue, eval: mathFunc(log10f)},

		{name: "AVG", minArgs: 1, maxArgs: 1, args: oneValue, eval: reduceFunc(redAvg)},
		{name: "MAX", minArgs: 1, maxArgs: 1, args: oneValue, eval: reduceFunc(redMax)},
		{name: "MIN", minArgs: 1, maxArgs: 1, args: oneValue, eval: reduceFunc(redMin)},
		{name: "SUM", minArgs: 1, maxArgs: 1, args: oneValue, eval: reduceFunc(redSum)},
		{name: "STDDEV", minArgs: 1, maxArgs: 1, args: oneValue, eval: reduceFunc(redStddev)},
		{name: "DATAPOINT_COUNT", minArgs: 1, maxArgs: 1, args: oneValue, eval: reduceFunc(redCount)},
		{name: "METRIC_COUNT", minArgs: 1, maxArgs: 1, args: oneValue, eval: evalMetricCount},

		{name: "DIFF", minArgs: 1, maxArgs: 1, args: oneValue, eval: stepFunc(stepDiff)},
		{name: "DIFF_TIME", minArgs: 1, maxArgs: 1, args: oneValue, eval: stepFunc(stepDiffTime)},
		{name: "RATE", minArgs: 1, maxArgs: 1, args: oneValue, eval: stepFunc(stepRate)},
		{name: "RUNNING_SUM", minArgs: 1, maxArgs: 1, args: oneValue, eval: evalRunningSum},

		{name: "FILL", minArgs: 2, maxArgs: 2, args: []argSpec{anyValue, fillWith}, eval: evalFill},
		{name: "IF", minArgs: 2, maxArgs: 3, args: []argSpec{anyValue, anyValue, anyValue}, eval: evalIf},
		{name: "TIME_SERIES", minArgs: 1, maxArgs: 1, args: oneValue, eval: evalTimeSeries},
		{name: "PERIOD", minArgs: 1, maxArgs: 1, args: oneValue, eval: evalPeriod},

		{name: "MINUTE", minArgs: 1, maxArgs: 1, args: oneValue, eval: clockFunc(clockMinute)},
		{name: "HOUR", minArgs: 1, maxArgs: 1, args: oneValue, eval: clockFunc(clockHour)},
		{name: "DAY", minArgs: 1, maxArgs: 1, args: oneValue, eval: clockFunc(clockDay)},
		{name: "DATE", minArgs: 1, maxArgs: 1, args: oneValue, eval: clockFunc(clockDate)},
		{name: "MONTH", minArgs: 1, maxArgs: 1, args: oneValue, eval: clockFunc(clockMonth)},
		{name: "YEAR", minArgs: 1, maxArgs: 1, args: oneValue, eval: clockFunc(clockYear)},
		{name: "EPOCH", minArgs: 1, maxArgs: 1, args: oneValue, eval: clockFunc(clockEpoch)},

		{name: "FIRST", minArgs: 1, maxArgs: 1, args: oneValue, eval: evalFirstLast(true)},
		{name: "LAST", minArgs: 1, maxArgs: 1, args: oneValue, eval: evalFirstLast(false)},
		{name: "REMOVE_EMPTY", minArgs: 1, maxArgs: 1, args: oneValue, eval: evalRemoveEmpty},
		{name: "SLICE", minArgs: 2, maxArgs: 3, args: []argSpec{anyValue, anyValue, anyValue}, eval: evalSlice},
		{name: "SORT", minArgs: 3, maxArgs: 4, args: []argSpec{anyValue, sortByFn, sortOrder, anyValue}, eval: evalSort},

		{name: "METRICS", minArgs: 0, maxArgs: 1, args: []argSpec{aString}, eval: evalMetrics},
		{name: "SEARCH", minArgs: 2, maxArgs: 3, args: []argSpec{aString, aString, anyValue}, extra: checkSearch, eval: evalSearch},
		{name: "ANOMALY_DETECTION_BAND", minArgs: 1, maxArgs: 2, args: valueValue, eval: evalAnomalyBand},

		{name: "INSIGHT_RULE_METRIC", unsupported: "CloudWatch Contributor Insights rules"},
		{name: "DB_PERF_INSIGHTS", unsupported: "Amazon RDS Performance Insights"},
		{name: "SERVICE_QUOTA", unsupported: "AWS Service Quotas"},
		{name: "LAMBDA", unsupported: "AWS Lambda functions (custom data sources)"},
	}
	table := make(map[string]*funcSpec, len(specs))
	for _, s := range specs {
		table[s.name] = s
	}
	return table
}

// check validates the arguments of a call at parse time.
func (f *funcSpec) check(c *callNode) error {
	if len(c.args) < f.minArgs || len(c.args) > f.maxArgs {
		return invalid("Invalid number of arguments for function '%s'", f.name)
	}
	for i, a := range c.args {
		spec := f.args[i]
		ok := false
		switch a := a.(type) {
		case *strNode:
			ok = spec.str
		case *kwNode:
			ok = slices.Contains(spec.keywords, a.name)
		default:
			ok = spec.value
		}
		if !ok {
			return invalid("Invalid argument %d for function '%s'", i+1, f.name)
		}
	}
	if f.extra != nil {
		return f.extra(c)
	}
	return nil
}
