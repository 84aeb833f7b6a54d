package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Error is a policy document Parse refuses: what is wrong, and in which
// statement. Services word it as their own error ("Invalid parameter:
// Policy Error: …" in SNS, MalformedPolicy in S3).
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
// given twice, is refused. The error is an *Error.
func Parse(doc []byte) (*Policy, error) {
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
		if err := p.Statements[i].parse(raw, p.Version); err != nil {
			return nil, &Error{Statement: i, Sid: p.Statements[i].Sid, Reason: err.Error()}
		}
	}
	return p, nil
}

func docError(reason string) *Error { return &Error{Statement: -1, Reason: reason} }

// parse reads one statement of a document of the version given.
func (s *Statement) parse(raw json.RawMessage, version string) error {
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
			s.Actions, s.actions, err = parseActions(m.key, m.value)
		case "Resource", "NotResource":
			if resource {
				return errors.New("A statement has either a Resource or a NotResource, not both.")
			}
			resource, s.NotResource = true, m.key == "NotResource"
			s.Resources, err = parseResources(m.key, m.value, version)
		case "Condition":
			s.conditions, err = parseConditions(m.value, version)
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
	case !resource:
		return errors.New("Policy statement must contain resources.")
	}
	return nil
}

// parseActions reads an Action or NotAction element: "*" or
// "service:pattern" values, whose patterns may hold * and ?. It returns
// them as written and in lower case.
func parseActions(element string, raw json.RawMessage) (written, lower []string, err error) {
	written, err = stringList(element, raw)
	if err != nil {
		return nil, nil, err
	}
	if len(written) == 0 {
		return nil, nil, errors.New("Policy statement must contain actions.")
	}
	lower = make([]string, len(written))
	for i, a := range written {
		if a != "*" {
			vendor, name, ok := strings.Cut(a, ":")
			if !ok || vendor == "" || name == "" || strings.ContainsAny(a, " \t") {
				return nil, nil, errors.New("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
			if strings.ContainsAny(vendor, "*?") {
				return nil, nil, fmt.Errorf("Invalid action %q: the service prefix cannot hold wildcards.", a)
			}
		}
		lower[i] = strings.ToLower(a)
	}
	return written, lower, nil
}

// parseResources reads a Resource or NotResource element: "*" or ARNs,
// which may hold * and ?.
func parseResources(element string, raw json.RawMessage, version string) ([]string, error) {
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
		if err := checkVariables(r, version); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// checkVariables refuses a policy variable (${aws:username}) in a
// document of 2012-10-17, the version that has them: Vigil does not
// substitute them, and matching them as written would grant or deny
// what the policy does not say. In 2008-10-17 "${" is plain text.
func checkVariables(s, version string) error {
	if version == Version2012 && strings.Contains(s, "${") {
		return fmt.Errorf("Vigil does not support policy variables: %s.", s)
	}
	return nil
}

// strings1 reads an element that holds a string or a list of strings.
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
