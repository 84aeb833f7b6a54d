// Package mathexpr is CloudWatch's metric math language: the Expression of
// a GetMetricData (or PutMetricAlarm) MetricDataQuery, parsed (Parse),
// ordered across the queries of a request (PlanQueries) and evaluated over
// time series (Expr.Eval), with SEARCH queries (ParseSearch,
// SearchQuery.Match) and dynamic labels (ExpandLabel, ResultLabels).
//
// It follows the CloudWatch User Guide: "Using metric math"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html),
// "CloudWatch search expression syntax"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html)
// and "Use dynamic labels"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/graph-dynamic-labels.html).
// Where those pages are silent the choice made is written on the code that
// makes it; the rules that matter most are:
//
//   - Two time series combine over the union of their timestamps, a
//     missing value counting as 0 (arithmetic, comparison and logical
//     operators alike); a time series and a scalar combine only where the
//     series has points.
//   - A result that is NaN or infinite (division by zero, LOG(0), …) is
//     dropped, and the result is flagged so that GetMetricData can add its
//     ArithmeticError message.
//   - METRICS() is every MetricStat query of the request, hidden ones
//     (ReturnData false) included; expressions, SEARCH results and Metrics
//     Insights queries are not metrics.
//
// Functions that need an AWS service Vigil does not have (INSIGHT_RULE_METRIC,
// DB_PERF_INSIGHTS, SERVICE_QUOTA, LAMBDA) are refused with an error that
// names them. Data comes from an Env the caller supplies, so the package
// knows nothing of storage, HTTP or the API types.
package mathexpr
