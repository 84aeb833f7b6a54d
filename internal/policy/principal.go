package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// principals are the principals a Principal or NotPrincipal element
// names (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
type principals struct {
	// all is "*" or {"AWS": "*"}: every principal, services and anonymous
	// callers included.
	all bool
	// accounts are AWS accounts, named by id or by their root's ARN: each
	// covers every principal of its account.
	accounts []string
	// arns are the IAM and STS ARNs of users, roles and sessions.
	arns []string
	// services are service principals, in lower case.
	services []string
}

// accountIDs are AWS account ids.
var accountIDs = regexp.MustCompile(`^[0-9]{12}$`)

// parsePrincipals reads a Principal or NotPrincipal element: "*", or an
// object whose members AWS, Service, Federated and CanonicalUser hold a
// string or a list of strings. Federated and canonical-user principals
// are accepted and match no request: Vigil has neither.
func parsePrincipals(raw json.RawMessage) (principals, error) {
	var ps principals
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return ps, invalidPrincipal(raw)
		}
		ps.all = true
		return ps, nil
	}
	ms, err := members(raw)
	if err != nil || len(ms) == 0 {
		return ps, invalidPrincipal(raw)
	}
	for _, m := range ms {
		values, err := stringList(m.key, m.value)
		if err != nil || len(values) == 0 {
			return ps, invalidPrincipal(raw)
		}
		for _, v := range values {
			switch {
			case m.key == "AWS" && v == "*":
				ps.all = true
			case m.key == "AWS" && accountIDs.MatchString(v):
				ps.accounts = append(ps.accounts, v)
			case m.key == "AWS":
				account, ok := principalARN(v)
				if !ok {
					return ps, invalidPrincipal(raw)
				}
				if account != "" {
					ps.accounts = append(ps.accounts, account)
				} else {
					ps.arns = append(ps.arns, v)
				}
			case m.key == "Service" && v != "" && !strings.ContainsAny(v, "*? "):
				ps.services = append(ps.services, strings.ToLower(v))
			case (m.key == "Federated" || m.key == "CanonicalUser") && v != "" && !strings.ContainsAny(v, "*?"):
			default:
				return ps, invalidPrincipal(raw)
			}
		}
	}
	return ps, nil
}

func invalidPrincipal(raw json.RawMessage) error {
	return fmt.Errorf("Invalid principal in policy: %s.", compact(raw))
}

// principalARN checks an IAM or STS principal ARN, in which AWS allows no
// wildcard; for an account's root (arn:aws:iam::ACCOUNT:root) it returns
// the account.
func principalARN(arn string) (rootOf string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" && parts[2] != "sts" ||
		parts[3] != "" || parts[4] == "" || parts[5] == "" || strings.ContainsAny(arn, "*? ") {
		return "", false
	}
	if parts[2] == "iam" && parts[5] == "root" {
		return parts[4], true
	}
	return "", true
}

// contains reports whether the element names p. For a Principal element
// (strict false) one match is enough: an account covers its principals,
// a role its sessions. A NotPrincipal element (strict true) excludes p
// only when it names each identity AWS evaluates p as: its account, then
// a session's role, then p itself — which is why AWS's guide asks a
// NotPrincipal to list the account and the role along with the user or
// session (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
func (ps *principals) contains(p Principal, strict bool) bool {
	switch {
	case ps.all:
		return true
	case p.Service != "":
		return slices.Contains(ps.services, strings.ToLower(p.Service))
	case p.Account == "":
		return false // anonymous: named by "*" only
	}
	account := slices.Contains(ps.accounts, p.Account)
	self := p.ARN != "" && slices.Contains(ps.arns, p.ARN)
	role, session := sessionRole(p.ARN)
	roleListed := session && slices.ContainsFunc(ps.arns, func(a string) bool { return sameRole(a, role) })
	if !strict {
		return account || self || roleListed
	}
	if !account {
		return false
	}
	if root, _ := principalARN(p.ARN); p.ARN == "" || root != "" {
		return true
	}
	return self && (!session || roleListed)
}

// sessionRole returns the role of an assumed-role session, given its ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), as the role's ARN
// without a path, which the session's ARN does not carry.
func sessionRole(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "sts" {
		return "", false
	}
	rest, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "/")
	if !ok || name == "" {
		return "", false
	}
	return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + name, true
}

// sameRole reports whether two role ARNs name the same role: the same
// account and name, whatever their paths (a role's name is unique in its
// account).
func sameRole(a, b string) bool {
	accountA, nameA, okA := roleOf(a)
	accountB, nameB, okB := roleOf(b)
	return okA && okB && accountA == accountB && nameA == nameB
}

// roleOf returns the account and name of a role ARN
// (arn:aws:iam::ACCOUNT:role/PATH/NAME).
func roleOf(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	return parts[4], parts[5][strings.LastIndexByte(parts[5], '/')+1:], true
}
