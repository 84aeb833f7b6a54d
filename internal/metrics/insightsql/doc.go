// Package insightsql is CloudWatch Metrics Insights: the SQL dialect of a
// GetMetricData Expression that starts with SELECT, parsed (Parse) and
// evaluated over the metrics an Env supplies (Query.Eval).
//
// It follows the Metrics Insights pages of the CloudWatch User Guide:
// "Query components and syntax"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html),
// "SQL inference"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-inference.html),
// "Metrics Insights quotas"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html)
// and "Troubleshooting Metrics Insights"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-troubleshooting.html).
// Where they are silent the choice is written on the code that makes it;
// the ones that matter most:
//
//   - Functions aggregate observations: AVG is the sum of the matched
//     metrics' Sums over the sum of their SampleCounts in each period, not
//     the mean of their Averages.
//   - A GROUP BY series is labeled with its group's values separated by
//     spaces, Other standing for a key its metrics lack.
//   - ORDER BY FUNCTION() reduces each returned series' data points, and
//     ties keep the default order (GROUP BY values, ascending).
//   - Quotas cut results rather than fail them, with the GetMetricData
//     message AWS sends: MaxMatchingResultsExceeded past 10,000 metrics,
//     MaxQueryResultsExceeded past 500 series,
//     MaxQueryTimeRangeExceeded for data older than the query may read.
//
// Resource tags (tag.Name) and cross-account labels (AWS.AccountId) are
// refused with an error that says Vigil lacks them. The package knows
// nothing of storage, HTTP or the API types.
package insightsql
