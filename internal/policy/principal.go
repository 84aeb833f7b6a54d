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
	// federated are identity providers (an OIDC or SAML provider's ARN,
	// or a web identity provider's name, accounts.google.com).
	federated []string
}

// accountIDs are AWS account ids.
var accountIDs = regexp.MustCompile(`^[0-9]{12}$`)

// parsePrincipals reads a Principal or NotPrincipal element: "*", or an
// object whose members AWS, Service, Federated and CanonicalUser hold a
// string or a list of strings. Federated principals match the callers of
// AssumeRoleWithWebIdentity through that provider; canonical users are
// accepted and match no request: Vigil has none.
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
			case m.key == "Federated" && v != "" && !strings.ContainsAny(v, "*?"):
				ps.federated = append(ps.federated, v)
			case m.key == "CanonicalUser" && v != "" && !strings.ContainsAny(v, "*?"):
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
	parts, ok := splitARN(arn)
	if !ok || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" && parts[2] != "sts" ||
		parts[3] != "" || parts[4] == "" || parts[5] == "" || strings.ContainsAny(arn, "*? ") {
		return "", false
	}
	if parts[2] == "iam" && parts[5] == "root" {
		return parts[4], true
	}
	return "", true
}

// principalMatch is how a Principal element names a principal, weakest
// first. The evaluation of a resource-based policy with the principal's
// other policies depends on it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-eval-logic).
type principalMatch int8

const (
	noMatch principalMatch = iota
	// byAccount: the element names the principal's account, which
	// delegates to the account's own policies
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts).
	byAccount
	// byGrant: "*", a service, or the role of a session.
	byGrant
	// byARN: the principal's own ARN: an IAM user's, a role session's, a
	// federated user's.
	byARN
)

// match returns how the element names p.
func (ps *principals) match(p *Principal) principalMatch {
	switch {
	case ps.all:
		return byGrant
	case p.Service != "":
		if slices.Contains(ps.services, strings.ToLower(p.Service)) {
			return byGrant
		}
		return noMatch
	case p.Federated != "":
		if slices.Contains(ps.federated, p.Federated) {
			return byGrant
		}
		return noMatch
	case p.Account == "":
		return noMatch // anonymous: named by "*" only
	}
	if p.ARN != "" && slices.Contains(ps.arns, p.ARN) {
		return byARN
	}
	if listed, _ := sessionRoleListed(ps.arns, p.ARN); listed {
		return byGrant
	}
	if slices.Contains(ps.accounts, p.Account) {
		return byAccount
	}
	return noMatch
}

// excludes reports whether a NotPrincipal element excludes p: only when
// it names each identity AWS evaluates p as: its account, then a
// session's role, then p itself — which is why AWS's guide asks a
// NotPrincipal to list the account and the role along with the user or
// session (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
func (ps *principals) excludes(p *Principal) bool {
	switch {
	case ps.all:
		return true
	case p.Service != "":
		return slices.Contains(ps.services, strings.ToLower(p.Service))
	case p.Federated != "":
		return slices.Contains(ps.federated, p.Federated)
	case p.Account == "" || !slices.Contains(ps.accounts, p.Account):
		return false
	}
	if root, _ := principalARN(p.ARN); p.ARN == "" || root != "" {
		return true
	}
	listed, session := sessionRoleListed(ps.arns, p.ARN)
	return slices.Contains(ps.arns, p.ARN) && (!session || listed)
}

// splitARN splits an ARN into its six components, the last holding the
// rest; false when it has fewer. It does not allocate.
func splitARN(arn string) (parts [6]string, ok bool) {
	for i := range 5 {
		var found bool
		parts[i], arn, found = strings.Cut(arn, ":")
		if !found {
			return parts, false
		}
	}
	parts[5] = arn
	return parts, true
}

// sessionOf returns the partition, account and role name of an
// assumed-role session's ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
func sessionOf(arn string) (partition, account, role string, ok bool) {
	parts, ok := splitARN(arn)
	if !ok || parts[2] != "sts" {
		return "", "", "", false
	}
	rest, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if !ok {
		return "", "", "", false
	}
	name, _, ok := strings.Cut(rest, "/")
	if !ok || name == "" {
		return "", "", "", false
	}
	return parts[1], parts[4], name, true
}

// sessionRole returns the role of an assumed-role session, given its ARN,
// as the role's ARN without a path, which the session's ARN does not
// carry.
func sessionRole(arn string) (string, bool) {
	partition, account, role, ok := sessionOf(arn)
	if !ok {
		return "", false
	}
	return "arn:" + partition + ":iam::" + account + ":role/" + role, true
}

// namesRole reports whether a role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME)
// names the role of this account and name, whatever its path (a role's
// name is unique in its account).
func namesRole(arn, account, name string) bool {
	parts, ok := splitARN(arn)
	return ok && parts[2] == "iam" && parts[4] == account && strings.HasPrefix(parts[5], "role/") &&
		parts[5][strings.LastIndexByte(parts[5], '/')+1:] == name
}

// sessionRoleListed reports whether arns name the role of a session,
// given its ARN.
func sessionRoleListed(arns []string, session string) (listed, isSession bool) {
	_, account, role, ok := sessionOf(session)
	if !ok {
		return false, false
	}
	for _, a := range arns {
		if namesRole(a, account, role) {
			return true, true
		}
	}
	return false, true
}
