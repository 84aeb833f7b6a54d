package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// check runs IAM's checks after the syntax's, in IAM's order, and
// returns the message of the first that fails.
func (p *rawPolicy) check(kind Kind) string {
	if (kind == KindManaged || kind == KindSCP) && p.version != Version2012 {
		return msgVersion
	}
	for i := range p.statements {
		if p.statements[i].principal {
			return msgPrincipal
		}
	}
	resourceFault, legacy := p.checkResources()
	if legacy || p.legacyFails() {
		return msgLegacy
	}
	sids := map[string]bool{}
	for _, s := range p.statements {
		if s.sid != "" && sids[s.sid] {
			return msgSidUnique
		}
		sids[s.sid] = true
	}
	for _, s := range p.statements {
		if len(s.actions) == 0 {
			return msgNoActions
		}
	}
	if resourceFault != "" {
		return resourceFault
	}
	for _, element := range []string{"Action", "NotAction"} {
		for _, s := range p.statements {
			if s.action != element {
				continue
			}
			for _, a := range s.actions {
				if msg := actionFault(a); msg != "" {
					return msg
				}
			}
		}
	}
	for _, s := range p.statements {
		if len(s.resources) == 0 {
			return msgNoResources
		}
	}
	return ""
}

// legacyFails reports whether IAM's legacy parser refuses an Effect or a
// date: an Effect written otherwise than Allow or Deny, a value of a Date
// operator that is not a date parseDate reads.
func (p *rawPolicy) legacyFails() bool {
	for _, s := range p.statements {
		if s.effect != string(EffectAllow) && s.effect != string(EffectDeny) {
			return true
		}
		if s.condition == nil {
			continue
		}
		ops, _ := members(s.condition)
		for _, op := range ops {
			c, err := parseOperator(op.key, true)
			if err != nil || c.kind != kindDate {
				continue
			}
			keys, _ := members(op.value)
			for _, k := range keys {
				list := []json.RawMessage{k.value}
				if isArray(k.value) {
					_ = json.Unmarshal(k.value, &list)
				}
				for _, v := range list {
					d, ok := jsonString(v)
					if !ok {
						return true
					}
					if _, ok := parseDate(d); !ok {
						return true
					}
				}
			}
		}
	}
	return false
}

// checkResources checks the format of the resources, Resource elements
// first, and returns the first fault; legacy reports that IAM's legacy
// parser refuses a resource of a statement before that fault.
func (p *rawPolicy) checkResources() (fault string, legacy bool) {
	for _, element := range []string{"Resource", "NotResource"} {
		for _, s := range p.statements {
			if s.resource != element {
				continue
			}
			for _, r := range s.resources {
				if msg := resourceFault(r); msg != "" && fault == "" {
					fault = msg
				}
			}
			if fault != "" {
				continue
			}
			for _, r := range s.resources {
				if r == "*" {
					continue
				}
				parts := strings.Split(r, ":")
				if len(parts) < 3 || parts[2] == "" || strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
					return fault, true
				}
			}
		}
	}
	return fault, false
}

// partitions are the AWS partitions.
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// iamPaths are how the resource component of an IAM ARN begins (but for
// "*"), as msgIAMPath lists them.
var iamPaths = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/",
	"sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// s3Regional are the kinds of S3 resources that are in a region.
var s3Regional = []string{"accesspoint/", "job/", "storage-lens/", "storage-lens-group/", "access-grants/", "async-request/"}

// resourceFault checks the format of a resource as IAM does.
func resourceFault(r string) string {
	if r == "*" {
		return ""
	}
	_, rest, ok := strings.Cut(r, ":")
	if !ok {
		return fmt.Sprintf(msgNotARN, r)
	}
	partition, rest, ok := strings.Cut(rest, ":")
	if partition != "*" && !slices.Contains(partitions, partition) {
		// IAM quotes the resource as an ARN of six components, filling
		// those it lacks with *.
		parts := strings.Split(rest, ":")
		at := func(i int) string {
			if i < len(parts) && (parts[i] != "" || len(parts) > 1) {
				return parts[i]
			}
			return "*"
		}
		last := "*"
		if len(parts) > 3 {
			last = strings.Join(parts[3:], ":")
		}
		return fmt.Sprintf(msgPartition, partition, partition, at(0), at(1), at(2), last)
	}
	if !ok {
		return msgVendorRegex
	}
	service, rest, _ := strings.Cut(rest, ":")
	region, rest, _ := strings.Cut(rest, ":")
	_, resource, _ := strings.Cut(rest, ":")
	switch {
	case service == "iam" && region != "":
		return fmt.Sprintf(msgIAMRegion, r)
	case service == "s3" && region != "" && !slices.ContainsFunc(s3Regional, func(p string) bool { return strings.HasPrefix(resource, p) }):
		return fmt.Sprintf(msgS3Region, r)
	case service == "iam" && resource != "*" &&
		!slices.ContainsFunc(iamPaths, func(p string) bool { return strings.HasPrefix(resource, p) }):
		return msgIAMPath
	}
	return ""
}

// actionFault checks the vendor of an action as IAM does.
func actionFault(a string) string {
	parts := strings.Split(a, ":")
	switch {
	case len(parts) == 1 && a != "*":
		return msgVendor
	case len(parts) > 2:
		return msgOneColon
	case parts[0] != "*" && strings.ContainsFunc(parts[0], func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '.')
	}):
		return fmt.Sprintf(msgVendorFormat, parts[0])
	}
	return ""
}

// validConditionSyntax checks a Condition element as IAM's syntax check
// does: an object of operators, each an object of condition keys, each
// with a string, a boolean, or a list of strings, numbers and booleans;
// an operator IAM does not know, only without keys.
func validConditionSyntax(raw json.RawMessage) bool {
	ops, err := members(raw)
	if err != nil {
		return false
	}
	for _, op := range ops {
		keys, err := members(op.value)
		if err != nil {
			return false
		}
		if _, err := parseOperator(op.key, true); err != nil && len(keys) > 0 {
			return false
		}
		for _, k := range keys {
			list := []json.RawMessage{k.value}
			if isArray(k.value) {
				if json.Unmarshal(k.value, &list) != nil {
					return false
				}
			} else if k.value[0] != '"' && k.value[0] != 't' && k.value[0] != 'f' {
				return false // a number, a null or an object
			}
			for _, v := range list {
				if c := v[0]; c == '{' || c == '[' || c == 'n' {
					return false
				}
			}
		}
	}
	return true
}

// compile compiles a document IAM takes.
func (p *rawPolicy) compile() (*Policy, error) {
	out := &Policy{Version: p.version, ID: p.id, Statements: make([]Statement, len(p.statements))}
	if out.Version == "" {
		out.Version = Version2008
	}
	for i, s := range p.statements {
		st := &out.Statements[i]
		st.Sid, st.Effect, st.attached = s.sid, Effect(s.effect), true
		st.Actions, st.NotAction = s.actions, s.action == "NotAction"
		st.actions = compileActions(s.actions)
		st.Resources, st.NotResource = s.resources, s.resource == "NotResource"
		st.resources = compileResources(s.resources, out.Version)
		if s.condition != nil {
			var err error
			if st.conditions, err = parseConditions(s.condition, dialect{version: out.Version, lenient: true}); err != nil {
				return nil, fmt.Errorf("statement %d: %w", i+1, err)
			}
		}
	}
	return out, nil
}
