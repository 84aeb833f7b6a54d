package policy

import (
	"strings"
)

// PolicyType is a type of policy, as AWS's AccessDenied messages name it.
type PolicyType int

// The policy types.
const (
	// NoPolicy: no policy decided — an account's root acting in its own
	// account, which is allowed what no policy denies.
	NoPolicy PolicyType = iota
	IdentityPolicy
	ResourcePolicy
	ServiceControlPolicy
	PermissionsBoundary
	SessionPolicy
)

// String names the type as AWS's messages do: "identity-based policy",
// "resource-based policy", "service control policy", "permissions
// boundary", "session policy".
func (t PolicyType) String() string {
	switch t {
	case IdentityPolicy:
		return "identity-based policy"
	case ResourcePolicy:
		return "resource-based policy"
	case ServiceControlPolicy:
		return "service control policy"
	case PermissionsBoundary:
		return "permissions boundary"
	case SessionPolicy:
		return "session policy"
	}
	return "no policy"
}

// Policies are the policies that govern a request; a nil member is
// absent.
type Policies struct {
	// Identity are the principal's identity-based policies: its inline and
	// managed policies, and its groups'. The account's root has none.
	Identity *Set
	// Boundary is the principal's permissions boundary.
	Boundary *Set
	// Session are the session policies of a role session or a federated
	// user.
	Session *Set
	// SCPs are the service control policies that apply to the principal's
	// account: one Set per level of its path in its organization, the
	// root first and the account last, each of which must allow a
	// request. nil for an account in no organization, for the
	// organization's management account and for service-linked roles,
	// which SCPs do not restrict.
	SCPs []*Set
	// Resource is the resource-based policy of the resource acted on.
	Resource *Policy
	// ResourceAccount is the account that owns the resource; "" for the
	// principal's.
	ResourceAccount string
}

// Result is the outcome of Authorize.
type Result struct {
	Decision Decision
	// By is the type of policy that decided: for an explicit deny, the
	// type whose Deny statement applies; for an implicit deny, the type
	// that allows nothing; for an allow, the type whose Allow let the
	// request through.
	By PolicyType
}

// Authorize decides a request with AWS's policy evaluation logic
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
//
//   - An explicit deny in any of the policies wins; the types are looked
//     at in this order: SCPs, the resource-based policy, identity-based
//     policies, the permissions boundary, session policies.
//   - Each level of SCPs must allow the request.
//   - The account's root (arn:aws:iam::ACCOUNT:root) is allowed what
//     nothing denies in its account; in another account, what the
//     resource-based policy allows.
//   - In the principal's account, an allow of the resource-based policy
//     suffices when it names the principal by its own ARN — an IAM user,
//     a role session, a federated user: then neither its identity-based
//     policies nor its boundary nor its session policies need allow.
//     When it names the principal otherwise ("*", a session's role), the
//     boundary and session policies must still allow; when it names the
//     principal's account only, it delegates to the account's policies
//     and grants nothing by itself
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-eval-logic).
//   - Otherwise the identity-based policies must allow, and the boundary
//     and session policies when present; across accounts, the resource's
//     policy must allow too.
//   - Anonymous callers and services, which have no policies of their
//     own, are allowed what the resource-based policy allows.
func Authorize(r *Request, ps *Policies) Result { return authorize(r, ps, nil) }

// authorize is Authorize, telling t (when not nil) what it looks at.
func authorize(r *Request, ps *Policies, t Trace) Result {
	var e evaluation
	e.init(r)
	e.trace = t
	e.boundary = ps.Boundary != nil
	resource, resourceMatch := ImplicitDeny, noMatch
	if ps.Resource != nil {
		resource, resourceMatch = ps.Resource.decide(&e)
	}
	if r.Principal.Account == "" {
		return Result{resource, ResourcePolicy}
	}
	scps := Allow
	for _, level := range ps.SCPs {
		switch level.decide(&e) {
		case ExplicitDeny:
			return Result{ExplicitDeny, ServiceControlPolicy}
		case ImplicitDeny:
			scps = ImplicitDeny
		}
	}
	if resource == ExplicitDeny {
		return Result{ExplicitDeny, ResourcePolicy}
	}
	same := ps.ResourceAccount == "" || ps.ResourceAccount == r.Principal.Account
	if root, _ := principalARN(r.Principal.ARN); root != "" {
		switch {
		case scps != Allow:
			return Result{ImplicitDeny, ServiceControlPolicy}
		case same:
			return Result{Allow, NoPolicy}
		case resource == Allow:
			return Result{Allow, ResourcePolicy}
		}
		return Result{ImplicitDeny, ResourcePolicy}
	}
	identity := ps.Identity.decide(&e)
	if identity == ExplicitDeny {
		return Result{ExplicitDeny, IdentityPolicy}
	}
	boundary, session := Allow, Allow
	if ps.Boundary != nil {
		if boundary = ps.Boundary.decide(&e); boundary == ExplicitDeny {
			return Result{ExplicitDeny, PermissionsBoundary}
		}
	}
	if ps.Session != nil {
		if session = ps.Session.decide(&e); session == ExplicitDeny {
			return Result{ExplicitDeny, SessionPolicy}
		}
	}
	switch {
	case scps != Allow:
		return Result{ImplicitDeny, ServiceControlPolicy}
	case same && resource == Allow && resourceMatch == byARN:
		return Result{Allow, ResourcePolicy}
	case same && resource == Allow && resourceMatch == byGrant:
		if res, ok := limited(boundary, session); ok {
			return res
		}
		return Result{Allow, ResourcePolicy}
	case identity != Allow:
		return Result{ImplicitDeny, IdentityPolicy}
	}
	if res, ok := limited(boundary, session); ok {
		return res
	}
	switch {
	case same:
		return Result{Allow, IdentityPolicy}
	case resource != Allow:
		return Result{ImplicitDeny, ResourcePolicy}
	}
	return Result{Allow, ResourcePolicy}
}

// limited returns the implicit deny of a permissions boundary or of
// session policies that do not allow a request.
func limited(boundary, session Decision) (Result, bool) {
	switch {
	case boundary != Allow:
		return Result{ImplicitDeny, PermissionsBoundary}, true
	case session != Allow:
		return Result{ImplicitDeny, SessionPolicy}, true
	}
	return Result{}, false
}

// Message returns AWS's AccessDenied message for a request Authorize
// denied ("" for one it allowed): "User: ARN is not authorized to
// perform: ACTION on resource: RESOURCE because no identity-based policy
// allows the ACTION action", or "… with an explicit deny in a service
// control policy" (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
// The resource is left out when it is "*"; an anonymous caller is
// "anonymous".
func (res Result) Message(r *Request) string {
	if res.Decision == Allow {
		return ""
	}
	who := r.Principal.ARN
	switch {
	case who == "" && r.Principal.Service != "":
		who = r.Principal.Service
	case who == "":
		who = "anonymous"
	}
	var b strings.Builder
	b.WriteString("User: ")
	b.WriteString(who)
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(r.Action)
	if r.Resource != "" && r.Resource != "*" {
		b.WriteString(" on resource: ")
		b.WriteString(r.Resource)
	}
	if res.Decision == ExplicitDeny {
		b.WriteString(" with an explicit deny in ")
		switch res.By {
		case IdentityPolicy:
			b.WriteString("an identity-based policy")
		case SessionPolicy:
			// sic: AWS's guide quotes the message so.
			b.WriteString("a sessions policy")
		default:
			b.WriteString("a " + res.By.String())
		}
		return b.String()
	}
	b.WriteString(" because no ")
	b.WriteString(res.By.String())
	b.WriteString(" allows the ")
	b.WriteString(r.Action)
	b.WriteString(" action")
	return b.String()
}
