package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is a policy document Parse or ParseIdentity refuses: what is
// wrong, and in which statement. Services word Parse's as their own error
// ("Invalid parameter: Policy Error: …" in SNS, MalformedPolicy in S3);
// ParseIdentity's name no statement, and their text is the message of
// IAM's MalformedPolicyDocument error as it is.
type Error struct {
	// Statement is the index of the statement at fault, from 0, or -1
	// when the fault is the document's.
	Statement int
	// Sid is that statement's Sid, when it has one.
	Sid string
	// Reason says what is wrong, in the words of AWS's own messages where
	// there are some ("Policy statement must contain actions.").
	Reason string
}

func (e *Error) Error() string {
	switch {
	case e.Statement < 0:
		return e.Reason
	case e.Sid != "":
		return fmt.Sprintf("Statement %q: %s", e.Sid, e.Reason)
	}
	return fmt.Sprintf("Statement %d: %s", e.Statement+1, e.Reason)
}

// The policy language's versions. A document without a Version is read
// as 2008-10-17, which has no policy variables.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Parse reads and checks a resource-based policy document: a JSON object
// with an optional Version and Id and a Statement (one statement or a
// list of them); each statement has an Effect, a Principal or
// NotPrincipal, an Action or NotAction, a Resource or NotResource and an
// optional Condition (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
// Element names are case-sensitive; an element AWS does not define, or
// given twice, is refused. The error is an *Error. Policy variables are
// substituted at evaluation, as in identity-based policies.
func Parse(doc []byte) (*Policy, error) { return parse(doc, false) }

// ParseTrust reads and checks a role's trust policy
// (AssumeRolePolicyDocument): a resource-based policy whose statements
// name no resource — the role is theirs — and only STS's actions to
// assume a role or set a session's properties.
func ParseTrust(doc []byte) (*Policy, error) { return parse(doc, true) }

// trustActions are the actions a trust policy may name.
var trustActions = []string{"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
	"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}

func parse(doc []byte, trust bool) (*Policy, error) {
	if !json.Valid(doc) {
		return nil, docError("Syntax errors in policy.")
	}
	top, err := members(doc)
	if errors.Is(err, errNotObject) {
		return nil, docError("The policy must be a JSON object.")
	}
	if err != nil {
		return nil, docError(err.Error())
	}
	p := &Policy{Version: Version2008}
	var statements json.RawMessage
	for _, m := range top {
		switch m.key {
		case "Version":
			var v string
			if err := json.Unmarshal(m.value, &v); err != nil || v != Version2012 && v != Version2008 {
				return nil, docError(fmt.Sprintf("Invalid Version %s: the policy language's versions are %s and %s.", compact(m.value), Version2012, Version2008))
			}
			p.Version = v
		case "Id":
			if err := json.Unmarshal(m.value, &p.ID); err != nil {
				return nil, docError("Id must be a string.")
			}
		case "Statement":
			statements = m.value
		default:
			return nil, docError(fmt.Sprintf("Unknown field %s.", m.key))
		}
	}
	if statements == nil {
		return nil, docError("Missing required field Statement.")
	}
	list := []json.RawMessage{statements}
	if isArray(statements) {
		if err := json.Unmarshal(statements, &list); err != nil {
			return nil, docError("Statement must be an object or a list of objects.")
		}
	}
	if len(list) == 0 {
		return nil, docError("Statement must not be empty.")
	}
	p.Statements = make([]Statement, len(list))
	for i, raw := range list {
		if err := p.Statements[i].parse(raw, p.Version, trust); err != nil {
			return nil, &Error{Statement: i, Sid: p.Statements[i].Sid, Reason: err.Error()}
		}
	}
	p.locate(doc)
	return p, nil
}

func docError(reason string) *Error { return &Error{Statement: -1, Reason: reason} }

// parse reads one statement of a document of the version given, of a
// trust policy when trust.
func (s *Statement) parse(raw json.RawMessage, version string, trust bool) error {
	ms, err := members(raw)
	if errors.Is(err, errNotObject) {
		return errors.New("A statement must be a JSON object.")
	}
	if err != nil {
		return err
	}
	// The Sid first, so that errors name the statement by it.
	for _, m := range ms {
		if m.key == "Sid" {
			if err := json.Unmarshal(m.value, &s.Sid); err != nil {
				return errors.New("Sid must be a string.")
			}
		}
	}
	var principal, action, resource, effect bool
	for _, m := range ms {
		var err error
		switch m.key {
		case "Sid":
		case "Effect":
			effect = true
			err = json.Unmarshal(m.value, &s.Effect)
			if err != nil || s.Effect != EffectAllow && s.Effect != EffectDeny {
				err = fmt.Errorf("Invalid effect: %s.", compact(m.value))
			}
		case "Principal", "NotPrincipal":
			if principal {
				return errors.New("A statement has either a Principal or a NotPrincipal, not both.")
			}
			principal, s.notPrincipal = true, m.key == "NotPrincipal"
			s.principals, err = parsePrincipals(m.value)
		case "Action", "NotAction":
			if action {
				return errors.New("A statement has either an Action or a NotAction, not both.")
			}
			action, s.NotAction = true, m.key == "NotAction"
			s.Actions, err = parseActions(m.key, m.value)
			s.actions = compileActions(s.Actions)
		case "Resource", "NotResource":
			if trust {
				return fmt.Errorf("Has prohibited field %s", m.key)
			}
			if resource {
				return errors.New("A statement has either a Resource or a NotResource, not both.")
			}
			resource, s.NotResource = true, m.key == "NotResource"
			s.Resources, err = parseResources(m.key, m.value)
			s.resources = compileResources(s.Resources, version)
		case "Condition":
			s.conditions, err = parseConditions(m.value, dialect{version: version})
		default:
			err = fmt.Errorf("Unknown field %s.", m.key)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case !effect:
		return errors.New("Missing required field Effect.")
	case !principal:
		return errors.New("Missing required field Principal.")
	case !action:
		return errors.New("Policy statement must contain actions.")
	case trust:
		for _, a := range s.Actions {
			if !slices.ContainsFunc(trustActions, func(t string) bool { return globFold(toLowerASCII(a), t) }) {
				return errors.New("AssumeRole policy may only specify STS AssumeRole actions.")
			}
		}
		s.Resources = []string{"*"}
		s.resources = compileResources(s.Resources, version)
	case !resource:
		return errors.New("Policy statement must contain resources.")
	}
	return nil
}

// parseActions reads an Action or NotAction element: "*" or
// "service:pattern" values, whose patterns may hold * and ?.
func parseActions(element string, raw json.RawMessage) ([]string, error) {
	written, err := stringList(element, raw)
	if err != nil {
		return nil, err
	}
	if len(written) == 0 {
		return nil, errors.New("Policy statement must contain actions.")
	}
	for _, a := range written {
		if a != "*" {
			vendor, name, ok := strings.Cut(a, ":")
			if !ok || vendor == "" || name == "" || strings.ContainsAny(a, " \t") {
				return nil, errors.New("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			if strings.ContainsAny(vendor, "*?") {
				return nil, fmt.Errorf("Invalid action %q: the service prefix cannot hold wildcards.", a)
			}
		}
	}
	return written, nil
}

// parseResources reads a Resource or NotResource element: "*" or ARNs,
// which may hold * and ?.
func parseResources(element string, raw json.RawMessage) ([]string, error) {
	rs, err := stringList(element, raw)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, errors.New("Policy statement must contain resources.")
	}
	for _, r := range rs {
		if r != "*" && (!strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5) {
			return nil, fmt.Errorf("Resource %s must be in ARN format or \"*\".", r)
		}
	}
	return rs, nil
}

// stringList reads an element that holds a string or a list of strings.
func stringList(element string, raw json.RawMessage) ([]string, error) {
	var list []string
	if isArray(raw) {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("%s must be a string or a list of strings.", element)
		}
		return list, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, fmt.Errorf("%s must be a string or a list of strings.", element)
	}
	return []string{one}, nil
}

// isArray reports whether a JSON value is an array.
func isArray(raw json.RawMessage) bool {
	b := bytes.TrimLeft(raw, " \t\r\n")
	return len(b) > 0 && b[0] == '['
}

// compact returns a JSON value, valid, without its white space, to quote
// it in an error.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// member is a member of a JSON object.
type member struct {
	key   string
	value json.RawMessage
}

// errNotObject is the error of members for a value that is not an
// object.
var errNotObject = errors.New("not a JSON object")

// members returns the members of a JSON object, valid JSON, in their
// order; it fails with errNotObject when raw is not an object, and when
// it names a member twice (which would leave the reader to choose one).
func members(raw json.RawMessage) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errNotObject
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := t.(string)
		if seen[key] {
			return nil, fmt.Errorf("Field %s is given twice.", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}
