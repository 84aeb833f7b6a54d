// Package stats is the statistics core of CloudWatch metrics: it parses
// and validates statistic names as the API accepts them (Parse, and the
// Parse* functions that word errors as each operation does), computes
// every statistic of "CloudWatch statistics definitions"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html)
// over a period's observations (Compute), and summarizes observations in a
// mergeable distribution sketch for rolled-up data (Sketch).
//
// Compute works on a Distribution: *Values, the exact raw values of a
// period, or *Sketch. Callers pass Values whenever they have the raw
// values, so that statistics are exact; a Sketch is itself exact while it
// holds at most ExactLimit distinct values, and beyond that its accuracy
// is bounded as its documentation states (percentiles within 0.78% of the
// true value at their rank, after any number of merges).
//
// The package knows nothing of HTTP, of the API types or of storage. Its
// API errors (*APIError) carry the AWS code and message, and the
// CloudWatch service maps them onto its wire errors.
package stats
