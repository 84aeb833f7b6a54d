package policy

import "strings"

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
	// Start and End are where the statement is in the document it was
	// read from, as IAM's policy simulator reports the statements it
	// matched (StartPosition and EndPosition): End is just past its
	// closing brace; Start just past what comes before it in a Statement
	// list — the [ for the first, else the statement before — or, when
	// the Statement element is one statement and not a list, just past
	// its opening brace.
	Start, End Position

	principals   principals
	notPrincipal bool
	// attached: the statement has no Principal element, being of a policy
	// attached to its principal (an identity-based policy, a permissions
	// boundary, a session policy, an SCP).
	attached   bool
	actions    actionSet
	resources  resourceSet
	conditions []condition
}

// Principal is who makes a request: an AWS principal (an account's root,
// an IAM user, a role session, a federated user), a service acting on
// someone's behalf, or, with every field empty, an anonymous caller.
type Principal struct {
	// Account is an AWS principal's 12-digit account.
	Account string
	// ARN is an AWS principal's ARN: arn:aws:iam::ACCOUNT:root,
	// arn:aws:iam::ACCOUNT:user/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION,
	// arn:aws:sts::ACCOUNT:federated-user/NAME.
	ARN string
	// Service is a service principal, such as "sns.amazonaws.com".
	Service string
	// Federated is the identity provider of a web identity caller (the
	// ARN of an IAM OIDC provider).
	Federated string
	// UserID is the value of aws:userid: an IAM user's unique id, the
	// account for the root, ROLEID:SESSION for a role session, ACCOUNT:NAME
	// for a federated user; "" leaves the key absent.
	UserID string
	// Tags are the values of aws:PrincipalTag/KEY: an IAM user's tags, or
	// a role session's (its role's and its session tags). Tag keys match
	// case-insensitively.
	Tags map[string]string
}

// Request is what a policy decides on.
type Request struct {
	Principal Principal
	// Action is the action asked for, as "service:Action" ("sqs:SendMessage").
	Action string
	// Resource is the ARN of the resource acted on, or "*" for an action
	// on no particular resource.
	Resource string
	// Context holds the request's condition keys and their values
	// ("aws:SourceArn", "aws:SourceIp", "aws:CurrentTime",
	// "aws:RequestTag/KEY", "aws:TagKeys" …); key names match
	// case-insensitively. Keys that Principal determines are derived from
	// it when Context does not hold them: aws:PrincipalAccount,
	// aws:PrincipalArn, aws:PrincipalServiceName, aws:PrincipalType,
	// aws:userid, aws:username and aws:PrincipalTag/KEY.
	Context map[string][]string
}

// Evaluate decides r: ExplicitDeny when a Deny statement applies to it,
// else Allow when an Allow statement does, else ImplicitDeny.
func (p *Policy) Evaluate(r *Request) Decision {
	var e evaluation
	e.init(r)
	d, _ := p.decide(&e)
	return d
}

// decide evaluates the policy: its decision, and for an Allow how the
// statements that allow name the principal at best.
func (p *Policy) decide(e *evaluation) (Decision, principalMatch) {
	d, best := ImplicitDeny, noMatch
	for i := range p.Statements {
		s := &p.Statements[i]
		if s.Effect == EffectAllow && best == byARN && e.trace == nil {
			continue // only a Deny can change the outcome
		}
		m := s.names(e)
		if m == noMatch || !s.covers(e, true) {
			continue
		}
		e.applies(s)
		if s.Effect == EffectDeny {
			return ExplicitDeny, noMatch
		}
		d, best = Allow, max(best, m)
	}
	return d, best
}

// names returns how the statement's Principal or NotPrincipal names the
// request's principal; a statement of an attached policy names its own.
func (s *Statement) names(e *evaluation) principalMatch {
	switch {
	case s.attached:
		return byGrant
	case !s.notPrincipal:
		return s.principals.match(&e.r.Principal)
	case s.Effect == EffectDeny && e.boundary:
		// "The NotPrincipal element with a Deny effect will always deny
		// any IAM principal that has a permissions boundary policy
		// attached, regardless of the values specified in the
		// NotPrincipal element."
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)
		return byGrant
	case s.principals.excludes(&e.r.Principal):
		return noMatch
	}
	return byGrant
}

// covers reports whether the statement's action (unless the caller
// matched it already), resource and conditions cover the request. A
// traced evaluation looks at every condition, so that the trace hears of
// every key the request lacks.
func (s *Statement) covers(e *evaluation, checkAction bool) bool {
	if checkAction && s.actions.match(e) == s.NotAction {
		return false
	}
	if s.resources.match(e) == s.NotResource {
		return false
	}
	holds := true
	for i := range s.conditions {
		if !s.conditions[i].holds(e) {
			if e.trace == nil {
				return false
			}
			holds = false
		}
	}
	return holds
}

// NamesKey reports whether a condition of the policy looks up a key whose
// name begins with prefix (matched case-insensitively, as keys are):
// "aws:ResourceTag/" tells a caller the resource's tags are needed.
func (p *Policy) NamesKey(prefix string) bool {
	for i := range p.Statements {
		if p.Statements[i].namesKey(prefix) {
			return true
		}
	}
	return false
}

func (s *Statement) namesKey(prefix string) bool {
	for _, c := range s.conditions {
		if len(c.key) >= len(prefix) && strings.EqualFold(c.key[:len(prefix)], prefix) {
			return true
		}
	}
	return false
}
