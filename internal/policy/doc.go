// Package policy reads AWS's IAM JSON policy language
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
// and decides requests with AWS's policy evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
//
// Documents come in two families. Parse checks a resource-based policy —
// the access policy of an SQS queue, an SNS topic, an EventBridge bus, an
// S3 bucket — whose statements name their Principal, with Vigil's
// messages; Cache keeps what it parsed. ParseIdentity checks a policy
// attached to its principal, which names none — an IAM managed or inline
// policy, a permissions boundary, a session policy, an Organizations SCP
// — as IAM does, answering its MalformedPolicyDocument messages; Size
// measures a document as IAM's size quotas count it.
//
// Both compile a document once: actions into exact names and wildcard
// patterns, matched case-insensitively; resources into exact ARNs,
// patterns matched component by component, and patterns holding policy
// variables; condition values for their operator. In a document of
// Version 2012-10-17, policy variables (${aws:username},
// ${aws:PrincipalTag/team, 'default'}, ${*} …) are substituted from the
// request in Resource and NotResource and in the values of the string
// and ARN condition operators, in both families, as AWS does; in
// 2008-10-17 they are text.
//
// Policy.Evaluate decides a request against one policy: an explicit deny
// wins over any allow, and what no statement allows is implicitly
// denied. A Set compiles the policies of one kind that apply together
// into an immutable index, which callers cache per principal. Authorize
// decides a request against all the policies that govern it: the
// identity-based policies, permissions boundary and session policies of
// its principal, the SCPs of each level of an organization, the
// resource's policy and its account. It says which type of policy decided, from which Result.Message words
// AWS's AccessDenied message. Evaluating allocates nothing in the common
// case. Explain decides as Authorize does and tells a Trace which
// statements applied and which condition keys the request lacked, for
// IAM's policy simulator, which also reports where each statement is in
// its document (Statement.Start and End, recorded when parsing).
//
// Document edits a policy statement by statement, as the AddPermission
// and RemovePermission operations of SNS and SQS do.
package policy
