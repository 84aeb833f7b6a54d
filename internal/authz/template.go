package authz

import (
	"fmt"
	"slices"
	"strings"
)

// The variables every ARN template may use, filled from the request's
// scope unless a binding or an ARN member says otherwise.
const (
	varPartition = "Partition"
	varRegion    = "Region"
	varAccount   = "Account"
)

// isScopeVar reports whether v is one of the scope variables.
func isScopeVar(v string) bool {
	return v == varPartition || v == varRegion || v == varAccount
}

// A template is an ARN format of the Service Authorization Reference,
// "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
// split into its literal text and its variables.
type template struct {
	text  string
	parts []tmplPart
	// vars lists the variables in order of appearance, each once.
	vars []string
}

// tmplPart is literal text, or a variable when v is set: vars[vi].
type tmplPart struct {
	lit string
	v   string
	vi  int
}

func parseTemplate(s string) (*template, error) {
	t := &template{text: s}
	rest := s
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			t.parts = append(t.parts, tmplPart{lit: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tmplPart{lit: rest[:i]})
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unterminated variable in ARN template %q", s)
		}
		v := rest[i+2 : i+j]
		if v == "" {
			return nil, fmt.Errorf("empty variable in ARN template %q", s)
		}
		if n := len(t.parts); n > 0 && t.parts[n-1].v != "" {
			// Two variables in a row could not be told apart in an ARN.
			return nil, fmt.Errorf("variables ${%s} and ${%s} touch in ARN template %q", t.parts[n-1].v, v, s)
		}
		vi := slices.Index(t.vars, v)
		if vi < 0 {
			vi = len(t.vars)
			t.vars = append(t.vars, v)
		}
		t.parts = append(t.parts, tmplPart{v: v, vi: vi})
		rest = rest[i+j+1:]
	}
	if !strings.HasPrefix(s, "arn:") {
		return nil, fmt.Errorf("ARN template %q does not start with \"arn:\"", s)
	}
	return t, nil
}

// nameVar is the variable that names the resource: the template's last.
func (t *template) nameVar() string {
	if len(t.vars) == 0 {
		return ""
	}
	return t.vars[len(t.vars)-1]
}

// match splits an ARN of this template into its variables; ok is false
// when the ARN does not have the template's form. A variable takes the
// text up to the first occurrence of the literal after it, the last one
// the rest of the ARN (names may hold "/" and ":").
func (t *template) match(arn string, set func(v, val string)) bool {
	rest := arn
	for i, p := range t.parts {
		if p.v == "" {
			if !strings.HasPrefix(rest, p.lit) {
				return false
			}
			rest = rest[len(p.lit):]
			continue
		}
		end := len(rest)
		if i+1 < len(t.parts) {
			end = strings.Index(rest, t.parts[i+1].lit)
			if end < 0 {
				return false
			}
		}
		set(p.v, rest[:end])
		rest = rest[end:]
	}
	return rest == ""
}
