// Package insights implements the CloudWatch Logs Insights query language
// (Logs Insights QL): a lexer and parser producing a syntax tree (Parse),
// semantic checks and a compiled logical plan (Compile), the catalog of
// documented functions (LookupFunc), and the field-discovery rules that
// decide which fields an event has (DiscoverFields, RuleFor).
//
// The package knows no storage and writes no SQL: a store renders a Plan
// for its engine (internal/store/duckdb renders one SQL statement).
// Semantics follow the AWS user guide, "CloudWatch Logs Insights language
// query syntax":
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
//
// # Commands
//
// Supported: fields, display, filter, filterIndex (as filter: Vigil
// scans every event, so the results are filter's), stats (at most two,
// aggregates inside expressions, "by" keys with aliases), sort (several
// keys, asc or desc, AWS's natural order; ascending by default), limit
// (1 to 10,000), parse (globs and regular expressions with named groups),
// dedup, unnest, and SOURCE logGroups(namePrefix, class,
// accountIdentifiers), which the plan carries for the API layer to
// resolve. Comments start with # and run to the end of the line.
//
// Refused with an error naming the command: pattern, diff and anomaly
// (machine-learning features), unmask (Vigil stores no masked data),
// lookup and join.
//
// # Result shape
//
// Without stats, the columns are the fields the fields commands list (in
// order), then the fields parse and unnest create; without fields,
// @timestamp and @message first; the last display command replaces them.
// Every such row also has @ptr, which LogRecord reads back. Rows come
// newest first unless sorted. With stats, the columns are the "by" keys,
// then the aggregates (named by their alias or their text, such as
// "count(*)"), then fields defined after stats; rows come in the order of
// their keys unless sorted, and a stats without keys that matched no
// event returns no row. sort and limit before a filter or fields still
// apply to the final result (AWS's Cognito samples rely on it); they must
// follow the last stats.
//
// # Values
//
// Field values are dynamically typed, as AWS's are: see Plan. Regular
// expressions run on RE2 (AWS uses Hyperscan): look-around and
// back-references are refused; /…/i is case-insensitive like (?i).
package insights
