// Package authz tells what IAM authorization a call needs: for an
// operation of a service and its decoded input, the actions it requires,
// the ARNs of the resources each applies to, and the condition keys the
// request fills (Resolve).
//
// # Where the data comes from
//
// The *.authz files, one per IAM service prefix, are the Service
// Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/,
// the "Actions, resources, and condition keys for …" page of each
// service, as published in June 2026) written down for Vigil: its
// resource types with their ARN formats, its actions with their resource
// types and condition keys, and, for every operation of the API models
// Vigil routes, what the operation requires. Which actions an operation
// needs when it is not the action of its name comes from the service's
// API reference ("Permissions" of S3's operations, the IAM user guide for
// iam:PassRole, sts:TagSession); each file's header says what it follows
// and its rows comment what departs from the reference.
//
// # Format
//
// Lines are read one at a time; "#" starts a comment (at the start of a
// line or after a blank).
//
//	service logs
//	resource log-group arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName} {aws:ResourceTag/${TagKey}}
//	action CreateLogGroup log-group* {aws:TagKeys aws:RequestTag/${TagKey}}
//	op PutLogEvents logs:PutLogEvents log-stream(LogGroupName=logGroupName, LogStreamName=logStreamName)
//	op PutSubscriptionFilter logs:PutSubscriptionFilter !log-stream(LogGroupName=logGroupName, LogStreamName="")
//	    if(roleArn) iam:PassRole arn(roleArn) {iam:PassedToService="logs.amazonaws.com"}
//
// "service" opens the section of an IAM prefix. "resource" is a resource
// type of the reference: its name (blanks written as "-"), its ARN
// template and the condition keys that apply to it. "action" is an
// action of the reference: its resource types, "*" marking the required
// ones, and its condition keys. "op" maps an operation (its name in the
// API model) to "-" when it needs no permission, or to a requirement;
// indented lines that follow add requirements. A requirement is
//
//	[if(GATE)] SERVICE:ACTION RESOURCE… [{KEY=SOURCE, …}]
//
// A RESOURCE is "*", arn(SOURCE) for a member that holds the ARN, or
// TYPE(VAR=SOURCE, …) binding the template's variables (the scope fills
// ${Partition}, ${Region} and ${Account} unless bound). A leading "!"
// marks a resource AWS evaluates although the reference does not list it
// for the action (CloudWatch Logs' log groups, resources only the service
// can name: !*); a leading "?" one that is left out when the members it
// reads are absent. When every resource is left out, the first is named
// with empty parts: a call always needs its action.
//
// A SOURCE is a member path, a "literal", or alternatives "A|B" (the
// first present). Paths use the members' wire names (the first element
// of the aws struct tag): logGroupName, Delete.Object[].Key; "[]" reads
// every element of a list, one ARN each. PATH@CONV reads the member
// through a converter: @TYPE for a name or ARN of a resource type (an ARN
// brings its own account and region), @queue-url, @copy-source,
// @query-tags (see converter); PATH@CONV.OUT takes one output. A GATE is
// SOURCE (present), !SOURCE (absent), or SOURCE == "lit" / != "lit". A
// KEY ending in ${TagKey} or <key> takes a set of tags (a map, a list of
// Key/Value structures, or @query-tags), expanded per tag; aws:TagKeys
// and s3:RequestObjectTagKeys read its keys. A member that is absent
// fills nothing: an ARN part stays empty (the call fails validation
// anyway), a condition key is left out.
//
// New checks every row against the tables above it (the action exists,
// names its required resource types and supports its condition keys) and
// against the operation's input type (every path exists and reads a
// value), and fails when an operation of a routed service has no row.
//
// # Updating
//
// When a service gains an operation, the tests fail until the operation
// has a row. Read the operation in the service's reference page (action,
// resource types, condition keys, dependent actions) and its API
// reference (which members name the resource), add the action or
// resource type lines the page gained, and write the row. Copy tables
// from the reference rather than guessing; comment a row that departs
// from it.
package authz
