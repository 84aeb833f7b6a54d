package authz

import (
	"fmt"
	"strings"
)

// This file reads the data files (*.authz); doc.go describes their format.

// serviceDef is one service's section of the data.
type serviceDef struct {
	prefix    string
	file      string
	resources map[string]*resourceDef
	actions   map[string]*actionDef
	ops       map[string]*opDef
}

// resourceDef is a resource type: its ARN template and the condition
// keys that apply to it.
type resourceDef struct {
	name string
	tmpl *template
	keys []string
}

// actionDef is an IAM action: the resource types it applies to and the
// condition keys it supports.
type actionDef struct {
	name  string
	types []typeRef
	keys  []string
}

type typeRef struct {
	name     string
	required bool
}

// opDef is what an operation requires: nothing (none), or requirements.
type opDef struct {
	name string
	pos  string
	none bool
	reqs []*reqDef
}

// reqDef is one requirement of an operation: an action on resources,
// with condition keys, when the gate holds.
type reqDef struct {
	pos       string
	gate      *gateDef
	service   string
	action    string
	resources []*resDef
	conds     []*condDef
}

// resDef is a resource of a requirement: "*", arn(src) for a member that
// holds the ARN, or a resource type's template with its variables bound.
// unlisted marks one the Service Authorization Reference does not list
// for the action; optional one left out when its members are absent.
type resDef struct {
	star     bool
	arn      *srcDef
	typ      string
	binds    []*bindDef
	unlisted bool
	optional bool
}

type bindDef struct {
	v   string
	src *srcDef
}

// srcDef is where a value comes from: the first of its alternatives that
// is present.
type srcDef struct {
	text string
	alts []*altDef
}

// altDef is a literal, or a member path with an optional converter and
// the converter's output to take (sel).
type altDef struct {
	lit   string
	isLit bool
	path  string
	conv  string
	sel   string
}

// gateDef makes a requirement conditional: on a value being present
// (or absent with not), or equal (or unequal) to a literal.
type gateDef struct {
	not bool
	src *srcDef
	op  string
	lit string
}

type condDef struct {
	key string
	src *srcDef
}

// parseData reads one data file into services.
func parseData(file, text string, services map[string]*serviceDef) error {
	var svc *serviceDef
	var op *opDef
	for n, raw := range strings.Split(text, "\n") {
		pos := fmt.Sprintf("%s:%d", file, n+1)
		line := stripComment(raw)
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if op == nil || op.none {
				return fmt.Errorf("%s: a continuation line must follow an op line with requirements", pos)
			}
			r, err := parseRequirement(strings.TrimSpace(line), svc.prefix, pos)
			if err != nil {
				return err
			}
			op.reqs = append(op.reqs, r)
			continue
		}
		op = nil
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		if word != "service" && svc == nil {
			return fmt.Errorf("%s: %s before any service line", pos, word)
		}
		switch word {
		case "service":
			if _, dup := services[rest]; dup || rest == "" || strings.ContainsAny(rest, " \t") {
				return fmt.Errorf("%s: bad or repeated service %q", pos, rest)
			}
			svc = &serviceDef{prefix: rest, file: file, resources: map[string]*resourceDef{},
				actions: map[string]*actionDef{}, ops: map[string]*opDef{}}
			services[rest] = svc
		case "resource":
			r, err := parseResourceLine(rest)
			if err != nil {
				return fmt.Errorf("%s: %w", pos, err)
			}
			if svc.resources[r.name] != nil {
				return fmt.Errorf("%s: resource type %s defined twice", pos, r.name)
			}
			svc.resources[r.name] = r
		case "action":
			a, err := parseActionLine(rest)
			if err != nil {
				return fmt.Errorf("%s: %w", pos, err)
			}
			if svc.actions[a.name] != nil {
				return fmt.Errorf("%s: action %s defined twice", pos, a.name)
			}
			svc.actions[a.name] = a
		case "op":
			name, body, _ := strings.Cut(rest, " ")
			body = strings.TrimSpace(body)
			if name == "" || body == "" {
				return fmt.Errorf("%s: an op line needs an operation and a requirement (or -)", pos)
			}
			if svc.ops[name] != nil {
				return fmt.Errorf("%s: operation %s mapped twice", pos, name)
			}
			op = &opDef{name: name, pos: pos}
			if body == "-" {
				op.none = true
			} else {
				r, err := parseRequirement(body, svc.prefix, pos)
				if err != nil {
					return err
				}
				op.reqs = append(op.reqs, r)
			}
			svc.ops[name] = op
		default:
			return fmt.Errorf("%s: unknown line kind %q", pos, word)
		}
	}
	return nil
}

// checkTables checks a service's tables: the file is named after the
// service, and every resource type an action names is defined.
func checkTables(svc *serviceDef) error {
	if want := svc.prefix + ".authz"; svc.file != want {
		return fmt.Errorf("%s: service %s belongs in %s", svc.file, svc.prefix, want)
	}
	for _, a := range svc.actions {
		for _, t := range a.types {
			if svc.resources[t.name] == nil {
				return fmt.Errorf("%s: action %s names resource type %s, which has no resource line", svc.file, a.name, t.name)
			}
		}
	}
	return nil
}

// stripComment drops a comment: "#" at the start of a line or after a
// blank, to the end of the line.
func stripComment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return strings.TrimRight(line[:i], " \t")
		}
	}
	return strings.TrimRight(line, " \t\r")
}

// splitKeys splits a trailing " {k1 k2}" list off a line (ARN templates
// hold "${" but never " {").
func splitKeys(s string) (head string, keys []string, err error) {
	i := strings.Index(s, " {")
	if i < 0 {
		return s, nil, nil
	}
	if !strings.HasSuffix(s, "}") {
		return "", nil, fmt.Errorf("unterminated {…} in %q", s)
	}
	return strings.TrimSpace(s[:i]), strings.Fields(s[i+2 : len(s)-1]), nil
}

func parseResourceLine(s string) (*resourceDef, error) {
	head, keys, err := splitKeys(s)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(head)
	if len(f) != 2 {
		return nil, fmt.Errorf("want: resource NAME ARN-TEMPLATE [{KEYS}], got %q", s)
	}
	t, err := parseTemplate(f[1])
	if err != nil {
		return nil, err
	}
	return &resourceDef{name: f[0], tmpl: t, keys: keys}, nil
}

func parseActionLine(s string) (*actionDef, error) {
	head, keys, err := splitKeys(s)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(head)
	if len(f) == 0 {
		return nil, fmt.Errorf("want: action NAME [TYPES] [{KEYS}]")
	}
	a := &actionDef{name: f[0], keys: keys}
	for _, t := range f[1:] {
		name, req := strings.CutSuffix(t, "*")
		a.types = append(a.types, typeRef{name: name, required: req})
	}
	return a, nil
}
