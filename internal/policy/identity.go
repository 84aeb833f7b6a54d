package policy

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a kind of policy document that is attached to its principal,
// and so names none: what ParseIdentity checks a document as.
type Kind int

// The kinds of attached policies.
const (
	// KindManaged is an IAM managed policy (CreatePolicy,
	// CreatePolicyVersion), which is also what a permissions boundary is.
	// It must be of Version 2012-10-17.
	KindManaged Kind = iota
	// KindInline is an inline policy of an IAM user, group or role
	// (PutUserPolicy, PutGroupPolicy, PutRolePolicy); without a Version
	// it is of 2008-10-17, which has no policy variables.
	KindInline
	// KindSession is a session policy (the Policy parameter of STS's
	// AssumeRole and GetFederationToken), checked as an inline policy.
	KindSession
	// KindSCP is an AWS Organizations service control policy. Since
	// September 2025 SCPs take the whole policy language — Condition,
	// resource ARNs and NotAction in Allow statements, NotResource — but
	// for Principal and NotPrincipal
	// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html);
	// they must be of Version 2012-10-17. Organizations answers every
	// fault with one message, scpMalformed.
	KindSCP
)

// The messages of IAM's MalformedPolicyDocument error, and of
// Organizations' MalformedPolicyDocumentException.
const (
	msgSyntax       = "Syntax errors in policy."
	msgVersion      = "Policy document must be version 2012-10-17 or greater."
	msgPrincipal    = "Policy document should not specify a principal."
	msgLegacy       = "The policy failed legacy parsing"
	msgSidUnique    = "Statement IDs (SID) in a single policy must be unique."
	msgNoActions    = "Policy statement must contain actions."
	msgNoResources  = "Policy statement must contain resources."
	msgVendor       = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon     = "Actions/Condition can contain only one colon."
	msgVendorFormat = "Vendor %s is not valid"
	msgNotARN       = "Resource %s must be in ARN format or \"*\"."
	msgPartition    = "Partition \"%s\" is not valid for resource \"arn:%s:%s:%s:%s:%s\"."
	msgVendorRegex  = "Resource vendor must be fully qualified and cannot contain regexes."
	msgIAMRegion    = "IAM resource %s cannot contain region information."
	msgS3Region     = "Resource %s can not contain region information."
	msgIAMPath      = "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."
	scpMalformed    = "The provided policy document does not meet the requirements of the specified policy type."
)

// ParseIdentity reads and checks a policy document of a kind attached to
// its principal, as IAM (or Organizations, for an SCP) does, and compiles
// it. Its error is an *Error of Statement -1 whose Reason, and text, is
// AWS's message, as IAM words it: it names no statement.
//
// IAM checks in a fixed order, and answers the first fault it finds:
// the document's syntax ("Syntax errors in policy.": JSON, elements and
// their types, an Effect in any case); its Version; a Principal; what
// its "legacy parser" refuses (an Effect not written Allow or Deny, a date
// it cannot read, a malformed ARN); Sids used twice; statements without
// actions; the format of resources; the vendor of actions; statements
// without resources. The messages and their order are those IAM answers
// (as moto's iam/policy_validation.py records them), to which Vigil adds
// the refusal of a Principal.
func ParseIdentity(doc []byte, kind Kind) (*Policy, error) {
	raw, msg := decodeIAM(doc)
	if msg == "" {
		msg = raw.check(kind)
	}
	if msg != "" {
		if kind == KindSCP {
			msg = scpMalformed
		}
		return nil, docError(msg)
	}
	p, err := raw.compile()
	if err != nil {
		panic("BUG: policy: a document IAM takes does not compile: " + err.Error())
	}
	p.locate(doc)
	return p, nil
}

// rawPolicy is a document that passed IAM's syntax check.
type rawPolicy struct {
	version    string
	id         string
	statements []rawStatement
}

// rawStatement is a statement of a rawPolicy. Its lists have no nulls,
// which IAM takes and ignores.
type rawStatement struct {
	sid                string
	effect             string
	action, resource   string // the element used: "Action" or "NotAction" …, or ""
	actions, resources []string
	principal          bool
	condition          json.RawMessage
}

// decodeIAM checks a document's syntax as IAM does.
func decodeIAM(doc []byte) (*rawPolicy, string) {
	if !json.Valid(doc) {
		return nil, msgSyntax
	}
	top, err := members(doc)
	if err != nil {
		return nil, msgSyntax
	}
	p := &rawPolicy{}
	var statements json.RawMessage
	for _, m := range top {
		var ok bool
		switch m.key {
		case "Version":
			p.version, ok = jsonString(m.value)
			ok = ok && (p.version == Version2012 || p.version == Version2008)
		case "Id":
			p.id, ok = jsonString(m.value)
		case "Statement":
			statements, ok = m.value, true
		}
		if !ok {
			return nil, msgSyntax
		}
	}
	list := []json.RawMessage{statements}
	if statements == nil || isArray(statements) && (json.Unmarshal(statements, &list) != nil || len(list) == 0) {
		return nil, msgSyntax
	}
	for _, s := range list {
		st, ok := decodeStatement(s)
		if !ok {
			return nil, msgSyntax
		}
		p.statements = append(p.statements, st)
	}
	return p, ""
}

func decodeStatement(raw json.RawMessage) (rawStatement, bool) {
	var s rawStatement
	ms, err := members(raw)
	if err != nil {
		return s, false
	}
	effect := false
	for _, m := range ms {
		ok := true
		switch m.key {
		case "Sid":
			s.sid, ok = jsonString(m.value)
		case "Effect":
			s.effect, effect = jsonString(m.value)
			effect = effect && (strings.EqualFold(s.effect, "Allow") || strings.EqualFold(s.effect, "Deny"))
			ok = effect
		case "Action", "NotAction":
			if ok = s.action == ""; ok {
				s.action = m.key
				s.actions, ok = iamStrings(m.value)
			}
		case "Resource", "NotResource":
			if ok = s.resource == ""; ok {
				s.resource = m.key
				s.resources, ok = iamStrings(m.value)
			}
		case "Principal", "NotPrincipal":
			s.principal = true
		case "Condition":
			s.condition, ok = m.value, validConditionSyntax(m.value)
		default:
			ok = false
		}
		if !ok {
			return s, false
		}
	}
	return s, effect
}

// jsonString reads a JSON string, and nothing else.
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// iamStrings reads a string, or a list of strings and nulls, leaving the
// nulls out.
func iamStrings(raw json.RawMessage) ([]string, bool) {
	if !isArray(raw) {
		s, ok := jsonString(raw)
		return []string{s}, ok
	}
	var list []*string
	if json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, true
}

// The quotas on the size of IAM's policies, in characters as Size counts
// them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
// IAM refuses a document past them with LimitExceeded: "Cannot exceed
// quota for PolicySize: 6144" for a managed policy, "Maximum policy size
// of 2048 bytes exceeded for user NAME" (group, role) for the inline
// policies of an identity, whose sizes add up.
const (
	MaxManagedPolicySize = 6144
	MaxUserInlineSize    = 2048
	MaxGroupInlineSize   = 5120
	MaxRoleInlineSize    = 10240
)

// Size returns the size of a policy document as IAM counts it against
// its quotas: its characters, but for white space. (Organizations counts
// every character of an SCP: utf8.RuneCount.)
func Size(doc []byte) int {
	n := 0
	for len(doc) > 0 {
		r, size := utf8.DecodeRune(doc)
		if !unicode.IsSpace(r) {
			n++
		}
		doc = doc[size:]
	}
	return n
}
