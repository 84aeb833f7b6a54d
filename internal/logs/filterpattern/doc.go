// Package filterpattern implements the CloudWatch Logs filter pattern
// language: the syntax that FilterLogEvents, metric filters, subscription
// filters, TestMetricFilter and Live Tail use to select log events.
//
// It follows "Filter pattern syntax for metric filters, subscription
// filters, filter log events, and Live Tail"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)
// and its sub-pages on regular expressions, unstructured, JSON and
// space-delimited log events. A pattern is one of three kinds:
//
//   - Unstructured: terms, quoted phrases, ?term (OR) and -term (NOT), or
//     one standalone regular expression %...%; matched as case-sensitive
//     substrings of the message.
//   - JSON: { $.a.b = "x" && $.n > 10 || $.c IS NULL ... }, evaluated
//     against the message parsed as a JSON object.
//   - Space-delimited: [ip, user, ..., status=5*, size>1000], evaluated
//     against the message split into fields at whitespace, where "..." and
//     [...] group a field.
//
// Where the documentation is silent the package picks the most plausible
// AWS behaviour and says so in a comment next to the code; where a pattern
// is outside the documented language it is rejected rather than guessed
// at, so a pattern never silently matches something other than what AWS
// matches. Parse compiles a pattern once; Match, Extract and Terms are then
// safe for concurrent use.
package filterpattern
