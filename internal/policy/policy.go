// Package policy parses and evaluates AWS resource-based policy
// documents — the access policies of SQS queues, SNS topics, EventBridge
// buses and S3 buckets — in the IAM JSON policy language
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
//
// Parse checks a document as AWS does and compiles it; Evaluate decides a
// request against it with AWS's logic: an explicit deny wins over any
// allow, and what no statement allows is implicitly denied
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
// Document edits a policy statement by statement, as the AddPermission
// and RemovePermission operations of SNS and SQS do.
//
// Policy variables (${aws:username} …) are refused, not substituted.
package policy

import (
	"strings"
)

// Effect is what a statement does to the requests it applies to.
type Effect string

// The effects.
const (
	EffectAllow Effect = "Allow"
	EffectDeny  Effect = "Deny"
)

// Decision is the outcome of evaluating a request.
type Decision int

// The decisions. Only Allow lets a request through.
const (
	// ImplicitDeny: no statement applies to the request.
	ImplicitDeny Decision = iota
	// Allow: an Allow statement applies, and no Deny statement.
	Allow
	// ExplicitDeny: a Deny statement applies.
	ExplicitDeny
)

// String names a decision: "allow", "explicit deny" or "implicit deny".
func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case ExplicitDeny:
		return "explicit deny"
	}
	return "implicit deny"
}

// Policy is a parsed policy document.
type Policy struct {
	// Version is the policy language's version: "2012-10-17", or
	// "2008-10-17" (also when the document names none).
	Version string
	// ID is the document's Id ("" when it has none).
	ID string
	// Statements are its statements, in order.
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	// Sid is the statement's id ("" when it has none).
	Sid string
	// Effect is what the statement does: allow or deny.
	Effect Effect
	// Actions are the statement's Action patterns as written ("sns:Publish",
	// "s3:Get*", "*"), or its NotAction patterns when NotAction is true.
	Actions   []string
	NotAction bool
	// Resources are its Resource patterns as written, or its NotResource
	// patterns when NotResource is true.
	Resources   []string
	NotResource bool

	principals   principals
	notPrincipal bool
	// actions are Actions in lower case: actions match case-insensitively.
	actions    []string
	conditions []condition
}

// Principal is who makes a request: an AWS principal (an account's root,
// an IAM user or role, a role session), a service acting on someone's
// behalf, or, with every field empty, an anonymous caller.
type Principal struct {
	// Account is an AWS principal's 12-digit account.
	Account string
	// ARN is an AWS principal's ARN: arn:aws:iam::ACCOUNT:root,
	// arn:aws:iam::ACCOUNT:user/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION …
	ARN string
	// Service is a service principal, such as "sns.amazonaws.com".
	Service string
}

// Request is what a policy decides on.
type Request struct {
	Principal Principal
	// Action is the action asked for, as "service:Action" ("sqs:SendMessage").
	Action string
	// Resource is the ARN of the resource acted on.
	Resource string
	// Context holds the request's condition keys and their values
	// ("aws:SourceArn", "aws:SourceAccount", "aws:SourceIp" …); key names
	// match case-insensitively. aws:PrincipalAccount, aws:PrincipalArn and
	// aws:PrincipalServiceName are taken from Principal when Context does
	// not hold them.
	Context map[string][]string
}

// Evaluate decides r: ExplicitDeny when a Deny statement applies to it,
// else Allow when an Allow statement does, else ImplicitDeny.
func (p *Policy) Evaluate(r *Request) Decision {
	e := evaluation{r: r, action: strings.ToLower(r.Action)}
	d := ImplicitDeny
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.applies(&e) {
			continue
		}
		if s.Effect == EffectDeny {
			return ExplicitDeny
		}
		d = Allow
	}
	return d
}

// evaluation is a request being evaluated, with what is computed once.
type evaluation struct {
	r *Request
	// action is the request's action in lower case.
	action string
}

// applies reports whether the statement covers the request: its
// principal, action and resource match, and every condition holds.
func (s *Statement) applies(e *evaluation) bool {
	if s.principals.contains(e.r.Principal, s.notPrincipal) == s.notPrincipal {
		return false
	}
	if anyMatch(s.actions, e.action, glob) == s.NotAction {
		return false
	}
	// "*" matches every resource, and in an ARN pattern * and ? match
	// across colons, as AWS's do ("arn:aws:logs:*:*:log-group:*" covers
	// log streams).
	if anyMatch(s.Resources, e.r.Resource, glob) == s.NotResource {
		return false
	}
	for i := range s.conditions {
		if !s.conditions[i].holds(e) {
			return false
		}
	}
	return true
}

// anyMatch reports whether v matches one of patterns.
func anyMatch(patterns []string, v string, match func(pattern, v string) bool) bool {
	for _, p := range patterns {
		if match(p, v) {
			return true
		}
	}
	return false
}

// value returns the values of a condition key in the request (key names
// match case-insensitively), or nil when it has none.
func (e *evaluation) value(key string) []string {
	if v, ok := e.r.Context[key]; ok {
		return v
	}
	for k, v := range e.r.Context {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	p := e.r.Principal
	switch {
	case strings.EqualFold(key, "aws:PrincipalAccount") && p.Account != "":
		return []string{p.Account}
	case strings.EqualFold(key, "aws:PrincipalArn") && p.ARN != "":
		if role, ok := sessionRole(p.ARN); ok {
			return []string{role}
		}
		return []string{p.ARN}
	case strings.EqualFold(key, "aws:PrincipalServiceName") && p.Service != "":
		return []string{p.Service}
	}
	return nil
}
