package policy

import (
	"strings"
)

// evaluation is a request being evaluated, with what is computed once.
// It lives on its caller's stack: evaluating allocates nothing in the
// common case.
type evaluation struct {
	r *Request
	// keyBuf[:keyLen] is the action in lower case, for the index of a Set;
	// long holds it when it does not fit (keyLen < 0).
	keyBuf [64]byte
	keyLen int
	long   string
	// boundary: the principal has a permissions boundary.
	boundary bool
	// roleARN is aws:PrincipalArn of a role session, made once asked for.
	roleARN  string
	roleDone bool
	// trace is told what the evaluation looks at (Explain); nil for
	// Authorize and Evaluate.
	trace Trace
}

func (e *evaluation) init(r *Request) {
	e.r = r
	if len(r.Action) > len(e.keyBuf) {
		e.keyLen, e.long = -1, toLowerASCII(r.Action)
		return
	}
	for i := 0; i < len(r.Action); i++ {
		e.keyBuf[i] = lowerASCII(r.Action[i])
	}
	e.keyLen = len(r.Action)
}

// values are the values of a condition key in a request: those of the
// request's context, or one derived from its principal (held in one, so
// that deriving allocates nothing).
type values struct {
	list []string
	one  string
	n    int
}

func (v *values) at(i int) string {
	if v.list != nil {
		return v.list[i]
	}
	return v.one
}

func oneValue(s string) values { return values{one: s, n: 1} }

// lookup returns the values of a condition key in the request; key names
// match case-insensitively. When the context names a key twice, in
// different cases, the name first in byte order wins, so that the outcome
// does not depend on the map's order.
func (e *evaluation) lookup(key string) values {
	if v, ok := e.r.Context[key]; ok {
		return values{list: v, n: len(v)}
	}
	found, name := values{}, ""
	for k, v := range e.r.Context {
		if strings.EqualFold(k, key) && (name == "" || k < name) {
			found, name = values{list: v, n: len(v)}, k
		}
	}
	if name != "" {
		return found
	}
	return e.derived(key)
}

// derived returns the value of a key the request's principal determines
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
func (e *evaluation) derived(key string) values {
	p := &e.r.Principal
	if tag, ok := cutPrefixFold(key, "aws:PrincipalTag/"); ok {
		return tagValue(p.Tags, tag)
	}
	var v string
	switch {
	case strings.EqualFold(key, "aws:PrincipalAccount"):
		v = p.Account
	case strings.EqualFold(key, "aws:PrincipalArn"):
		v = e.principalARN()
	case strings.EqualFold(key, "aws:PrincipalServiceName"):
		v = p.Service
	case strings.EqualFold(key, "aws:PrincipalType"):
		v = p.kind()
	case strings.EqualFold(key, "aws:userid"):
		v = p.UserID
	case strings.EqualFold(key, "aws:username"):
		v = p.userName()
	}
	if v == "" {
		return values{}
	}
	return oneValue(v)
}

// principalARN returns aws:PrincipalArn: the principal's ARN, or for a
// role session its role's.
func (e *evaluation) principalARN() string {
	if !e.roleDone {
		e.roleARN, e.roleDone = e.r.Principal.ARN, true
		if role, ok := sessionRole(e.r.Principal.ARN); ok {
			e.roleARN = role
		}
	}
	return e.roleARN
}

// variable returns the value of a policy variable: the key's value, when
// the request has exactly one.
func (e *evaluation) variable(key string) (string, bool) {
	v := e.lookup(key)
	if v.n != 1 {
		return "", false
	}
	return v.at(0), true
}

// tagValue returns a tag's value; tag keys match case-insensitively, the
// key first in byte order winning among those that differ in case only.
func tagValue(tags map[string]string, key string) values {
	if v, ok := tags[key]; ok {
		return oneValue(v)
	}
	found, name := "", ""
	for k, v := range tags {
		if strings.EqualFold(k, key) && (name == "" || k < name) {
			found, name = v, k
		}
	}
	if name == "" {
		return values{}
	}
	return oneValue(found)
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// The values of aws:PrincipalType.
const (
	typeAccount       = "Account"
	typeUser          = "User"
	typeAssumedRole   = "AssumedRole"
	typeFederatedUser = "FederatedUser"
	typeAnonymous     = "Anonymous"
)

// kind returns the value of aws:PrincipalType, derived from the
// principal's ARN: "" for a service, or an ARN of no known kind.
func (p *Principal) kind() string {
	if p.Service != "" {
		return ""
	}
	if p.Account == "" && p.ARN == "" {
		return typeAnonymous
	}
	parts, ok := splitARN(p.ARN)
	switch {
	case !ok:
		return ""
	case parts[2] == "iam" && parts[5] == "root":
		return typeAccount
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "user/"):
		return typeUser
	case parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/"):
		return typeAssumedRole
	case parts[2] == "sts" && strings.HasPrefix(parts[5], "federated-user/"):
		return typeFederatedUser
	}
	return ""
}

// userName returns aws:username: an IAM user's name, the last element of
// its ARN's path; "" for other principals, which have none.
func (p *Principal) userName() string {
	parts, ok := splitARN(p.ARN)
	if !ok || parts[2] != "iam" || !strings.HasPrefix(parts[5], "user/") {
		return ""
	}
	return parts[5][strings.LastIndexByte(parts[5], '/')+1:]
}

// actionSet is a compiled Action or NotAction element. Actions match
// case-insensitively.
type actionSet struct {
	// all: "*".
	all bool
	// exact are the names without wildcards, globs those with, in lower
	// case.
	exact []string
	globs []string
}

func compileActions(written []string) actionSet {
	var a actionSet
	for _, w := range written {
		l := toLowerASCII(w)
		switch {
		case l == "*":
			a.all = true
		case strings.ContainsAny(l, "*?"):
			a.globs = append(a.globs, l)
		default:
			a.exact = append(a.exact, l)
		}
	}
	return a
}

func (a *actionSet) match(e *evaluation) bool {
	if a.all {
		return true
	}
	for _, x := range a.exact {
		if equalFoldASCII(x, e.r.Action) {
			return true
		}
	}
	for _, g := range a.globs {
		if globFold(g, e.r.Action) {
			return true
		}
	}
	return false
}

// resourceSet is a compiled Resource or NotResource element. Resources
// match case-sensitively, component by component (arnMatch).
type resourceSet struct {
	// all: "*".
	all bool
	// exact are the ARNs without wildcards or variables, globs those with
	// wildcards, tmpls those with policy variables.
	exact []string
	globs []string
	tmpls []resourceTemplate
}

// resourceTemplate is a Resource pattern with policy variables, which
// AWS substitutes in its resource component only, after the fifth colon.
type resourceTemplate struct {
	// prefix is the pattern's first five components, as text.
	prefix string
	rest   template
}

func compileResources(written []string, version string) resourceSet {
	var r resourceSet
	for _, w := range written {
		if w == "*" {
			r.all = true
			continue
		}
		if version == Version2012 {
			if prefix, rest, ok := cutResource(w); ok {
				if t, ok := parseTemplate(rest, true); ok {
					r.tmpls = append(r.tmpls, resourceTemplate{prefix: prefix, rest: t})
					continue
				}
			}
		}
		if strings.ContainsAny(w, "*?") {
			r.globs = append(r.globs, w)
		} else {
			r.exact = append(r.exact, w)
		}
	}
	return r
}

// cutResource splits an ARN after its fifth colon.
func cutResource(arn string) (prefix, rest string, ok bool) {
	i := 0
	for range 5 {
		j := strings.IndexByte(arn[i:], ':')
		if j < 0 {
			return "", "", false
		}
		i += j + 1
	}
	return arn[:i-1], arn[i:], true
}

func (r *resourceSet) match(e *evaluation) bool {
	if r.all {
		return true
	}
	res := e.r.Resource
	for _, x := range r.exact {
		if x == res {
			return true
		}
	}
	for _, g := range r.globs {
		if arnMatch(g, res) {
			return true
		}
	}
	if len(r.tmpls) == 0 {
		return false
	}
	prefix, rest, ok := cutResource(res)
	if !ok {
		return false
	}
	for i := range r.tmpls {
		t := &r.tmpls[i]
		if arnMatch(t.prefix, prefix) && t.rest.match(e, rest) {
			return true
		}
	}
	return false
}
