// Package eventinput is what an Amazon EventBridge rule target receives of
// an event: the Input, InputPath and InputTransformer of a Target, checked
// as PutTargets checks them (Compile, with AWS's ValidationException
// messages) and applied to each matched event (Input.Apply).
//
// It follows the EventBridge user guide's "Amazon EventBridge input
// transformation"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html)
// and its tutorial
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-input-transformer-tutorial.html),
// the API reference's Target and InputTransformer
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html),
// and, where the guides are silent, AWS's answers recorded by LocalStack's
// AWS-validated tests (tests/aws/services/events/test_events_inputs.py and
// its snapshot) and PutTargets' answers measured for a CloudFormation
// linter, which testdata cites case by case. What no source settles is
// Vigil's choice, and said so where it is made.
//
// # What a target receives
//
// A target has at most one of Input, InputPath and InputTransformer ("Only
// one of Input, InputPath, or InputTransformer must be provided for target
// t1."). Without any, it receives the whole event. With Input, it receives
// the Input's text as given, which must be JSON ("JSON syntax error in
// input for target t1: " and Jackson's location of the fault, computed as
// Jackson computes it for the common faults). With InputPath, it receives
// the JSON value the path selects, compact; a path that selects nothing
// leaves nothing to deliver (ErrUndeliverable), AWS's behaviour there
// being undocumented.
//
// # Paths
//
// InputPath and the values of InputPathsMap are JsonPaths of the subset
// EventBridge supports: "$", then member names after dots (letters,
// digits, dashes, underscores, slashes and other characters but blanks,
// dots, brackets, parentheses and quotes), array indices in brackets, and
// the wildcards ".*" and "[*]". Anything else — no leading "$", quoted
// bracket notation ($.detail['key']), an empty name ("$.", "$..a") — is
// refused as "InputPath for target t1 is invalid.", for InputPath and for
// the map's values alike. A path without a wildcard selects one value or
// none; a path with one selects the list of the values it reaches, as
// Jayway JsonPath does. Of an object whose member repeats, the last is
// taken.
//
// # Templates
//
// An InputTemplate is a JSON template when its first character that is not
// white space is "{" (the API reference: "If InputTemplate is a JSON
// object (surrounded by curly braces)"); any other template, a quoted
// string above all ("For Strings, quotes are required"), is text. A
// placeholder is "<", a name of letters, digits, ".", "_" and "-", and
// ">": the names InputPathsMap may have (its keys' pattern is
// [A-Za-z0-9\_\-]+) and the predefined variables. "<" and ">" cannot be
// escaped; any other "<" is text. A placeholder naming neither a key of
// the map nor a predefined variable is refused: "InputTemplate for target
// t1 contains invalid placeholder x.".
//
// A placeholder's value is written as AWS writes it:
//   - in a JSON template, outside strings, as JSON: a string quoted (as in
//     the guide's "instance" : <instance> → "instance" : "i-0123456789"),
//     an object, an array, a number or a boolean as itself;
//   - in a JSON template, inside a string, as text: a string's characters
//     unescaped ("EventBridge doesn't escape values extracted by Input
//     Path"), anything else as its JSON. A value that breaks the JSON —
//     an object's quotes, a string's quote or newline — makes the input
//     invalid, and AWS does not deliver it (recorded by LocalStack:
//     '{"payload": "<payload>"}' with an object delivers nothing);
//   - in a text template, as text: a string's characters, anything else
//     as its compact JSON without its quotation marks (recorded:
//     "Payload of <payload>" → "Payload of {acc_id:0a787ecb-4015,sf_id:baz}",
//     "<listmulti> multiple list items" → "[ACTIVE,INACTIVE] multiple list
//     items").
//
// A path that selects nothing, or null, gives an empty string: nothing in
// text ("info extracted from detail " in the recorded answer) and "" as a
// JSON value ("command": <command> → "command": "").
//
// A JSON template's result must be JSON: Apply returns it compact ("The
// JSON that is passed to the target is minified", as an earlier version of
// the guide put it), or ErrUndeliverable. A text template's result is
// delivered as it is, its quotes, spaces and lines included (the tutorial's
// SNS message is "This event was of customerCreated type.", quotes and
// all).
//
// # Predefined variables
//
// The guide's predefined variables need no path and cannot be redefined:
//   - aws.events.rule-arn and aws.events.rule-name, the rule's;
//   - aws.events.event.ingestion-time, the time EventBridge received the
//     event, as an ISO 8601 timestamp in seconds (2015-11-11T21:29:54Z);
//   - aws.events.event, "the original event payload as JSON (without the
//     detail field)", written as AWS was recorded writing it: id, account,
//     detailType (the event's detail-type), time, source, region,
//     resources and version, in this order;
//   - aws.events.event.json, "the full original event payload as JSON".
//
// The last two "can only be used as a value for a JSON field": in a text
// template they are refused, "InputTemplate for target t1 contains
// placeholder aws.events.event.json valid only for JSON template.".
//
// # Limits
//
// The API model's constraints — Input up to 8192 characters, InputPath and
// each path up to 256, InputTemplate 1 to 8192, InputPathsMap up to 100
// entries whose keys match [A-Za-z0-9\_\-]+ — are checked with AWS's
// messages by the protocol layer before PutTargets runs, so a key such as
// aws.events.rule-arn never reaches Compile; were one given, the
// predefined variable would win. Rules of particular targets (what a
// CloudWatch Logs target accepts) are the events service's.
//
// # Cost
//
// Compile does the work of a target once: paths parsed and merged into a
// tree, the template split into text and placeholders. Apply reads the
// event without decoding it into values, and reads each object or array on
// the paths' way once, however many paths go through it; it does not check
// that the event is JSON, which every event is before a rule matches it.
// BenchmarkApply reports its cost. An Input is immutable and safe for
// concurrent use.
package eventinput
