// Package eventpattern is the event-pattern language of Amazon EventBridge
// and of Amazon SNS filter policies: it parses and validates patterns with
// AWS's error messages, matches a JSON event against one pattern
// (TestEventPattern), and compiles many patterns into a Matcher whose cost
// per event grows with the event, not with the number of patterns.
//
// It follows the EventBridge user guide — "Creating event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html),
// "Comparison operators for use in event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html),
// "Arrays in event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html),
// "Matching null values and empty strings"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html)
// and the quotas (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html)
// — and SNS's "Amazon SNS subscription filter policies"
// (https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html)
// and "Filter policy constraints"
// (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).
// Where the guides are silent it follows Event Ruler
// (https://github.com/aws/event-ruler), the engine AWS publishes as the one
// behind both services, whose reasons AWS returns word for word, and AWS's
// answers recorded by LocalStack's tests, which testdata cites.
//
// # Patterns
//
// A pattern is a JSON object "with the same structure as the events" it
// matches. A field's value is an array of values, of which one must match
// ("the value to match is in a JSON array"), or an object of nested
// fields; any other value is refused ("\"slug\" must be an object or an
// array"). Fields the pattern does not name are ignored; every field it
// names must match, except within $or. A value is an exact string, number,
// true, false or null, or an object with one operator:
//
//   - prefix, suffix, and both with {"equals-ignore-case": ...}; an empty
//     prefix or suffix matches every string;
//   - equals-ignore-case, comparing by Unicode simple case folding;
//   - wildcard, where * matches any run of characters, \* and \\ are a
//     literal * and \, and "consecutive wildcard characters are not
//     supported";
//   - anything-but of a string, a number, a list of strings or of numbers,
//     or of a prefix, suffix, equals-ignore-case or wildcard (one or a
//     list); it matches every value it does not exclude, null and numbers
//     included, but not a missing field;
//   - numeric with =, <, <=, >, >= and a range of a lower and an upper
//     bound;
//   - exists: true for a field with a value, false for a field without
//     one; "Exists matching only works on leaf nodes", so a field whose
//     value is an object or an empty array does not exist;
//   - cidr, an IPv4 or IPv6 block;
//   - exactly, Event Ruler's explicit exact string.
//
// Strings match only strings, "without case-folding or any other string
// normalization", except that a string of a pattern's list that is an IP
// address matches the same address in any notation. "Null values and
// empty strings are not interchangeable". Numbers match numbers by value
// (300 matches 300.0): numeric matching "is limited to values between
// -5.0e9 and +5.0e9 inclusive, with 15 digits of precision, or six digits
// to the right of the decimal point", so numbers are compared in
// millionths, a number outside the range in a list of values matches its
// own literal only, and one in a numeric or anything-but match is refused.
// "If you include a key more than once the last reference will be the one
// used." $or, an array of two or more objects, matches when one of them
// does, and combines with its sibling fields by AND; a pattern is compiled
// into one rule per combination of its $or branches, and refused when
// "the use of $or results in over 1000 rule combinations".
//
// # Events and arrays
//
// An event is a JSON object, flattened as Event Ruler flattens it: each
// value that is not an object or array is at the path of the field names
// leading to it, joined with dots, so {"a.b": 1} and {"a": {"b": 1}} are
// the same to a pattern. Arrays are crushed out: "If the value in the
// event is an array, then the event pattern matches if the intersection
// of the event pattern array and the event array is non-empty", and a
// pattern's nested fields reach into arrays of objects. Matches are
// consistent across arrays, as in Event Ruler's rulesForJSONEvent: a rule
// does not match with values of two fields taken from objects in
// different elements of the same array.
//
// # Errors
//
// Parse refuses a pattern with an *Error whose Message is AWS's:
// "Event pattern is not valid. Reason: " and Event Ruler's reason, or
// Jackson's for malformed JSON, found in Event Ruler's order so that of
// several faults the one AWS reports comes first. AWS appends Jackson's
// location to most reasons ("\n at [Source: ...; line: 1, column: 11]");
// the Message leaves it out and Error.Offset gives the fault's offset.
// Where AWS's wording is not known the reason is Vigil's, in the same
// form. Limits enforced: the 1000 combinations of $or, and the complexity
// of wildcards ("Rule is too complex - try using fewer wildcard characters
// or fewer repeating character sequences after a wildcard character"),
// measured as Event Ruler measures it and bounded at 10 (see
// maxComplexity). The pattern size (4096 characters in the API, a quota
// of 2048 by default) and the 30 rules with wildcards per bus are the
// events service's to enforce.
//
// ParseFilterPolicy reads SNS filter policies, whose differences it
// documents; their errors are SNS's InvalidParameterException messages.
//
// # Matching many patterns
//
// A Matcher holds patterns by id and returns the ids matching an event;
// see Matcher for how it indexes them. Match is safe for concurrent use;
// Add and Remove take a lock. BenchmarkMatch reports its throughput.
package eventpattern
