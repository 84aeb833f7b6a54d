package authz

import (
	"fmt"
	"strings"
)

// parseRequirement reads one requirement:
//
//	[if(GATE)] SERVICE:ACTION RESOURCE… [{KEY=SRC, …}]
func parseRequirement(s, prefix, pos string) (*reqDef, error) {
	toks, err := splitTop(s, ' ')
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pos, err)
	}
	r := &reqDef{pos: pos}
	if len(toks) > 0 && strings.HasPrefix(toks[0], "if(") {
		g, err := parseGate(toks[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pos, err)
		}
		r.gate = g
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("%s: requirement without an action", pos)
	}
	svc, act, ok := strings.Cut(toks[0], ":")
	if !ok || svc == "" || act == "" || strings.ContainsAny(act, "(){}*") {
		return nil, fmt.Errorf("%s: %q is not SERVICE:ACTION", pos, toks[0])
	}
	r.service, r.action = svc, act
	for i, t := range toks[1:] {
		if strings.HasPrefix(t, "{") {
			if i != len(toks)-2 {
				return nil, fmt.Errorf("%s: condition keys {…} must come last", pos)
			}
			if r.conds, err = parseConds(t); err != nil {
				return nil, fmt.Errorf("%s: %w", pos, err)
			}
			break
		}
		res, err := parseResource(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pos, err)
		}
		r.resources = append(r.resources, res)
	}
	if len(r.resources) == 0 {
		return nil, fmt.Errorf("%s: %s:%s names no resource (write * for none)", pos, svc, act)
	}
	return r, nil
}

// splitTop splits s at sep outside parentheses, braces and quotes,
// dropping empty pieces and trimming blanks.
func splitTop(s string, sep byte) ([]string, error) {
	var out []string
	depth, quoted, start := 0, false, 0
	flush := func(end int) {
		if p := strings.TrimSpace(s[start:end]); p != "" {
			out = append(out, p)
		}
		start = end + 1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(' || c == '{':
			depth++
		case c == ')' || c == '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced %q in %q", c, s)
			}
		case c == sep && depth == 0:
			flush(i)
		}
	}
	if depth != 0 || quoted {
		return nil, fmt.Errorf("unbalanced brackets or quotes in %q", s)
	}
	flush(len(s))
	return out, nil
}

// inside returns the text between open and a final ")" or "}".
func inside(s, open string) (string, bool) {
	if !strings.HasPrefix(s, open) || len(s) < len(open)+1 {
		return "", false
	}
	last := s[len(s)-1]
	if last != ')' && last != '}' {
		return "", false
	}
	return s[len(open) : len(s)-1], true
}

func parseGate(t string) (*gateDef, error) {
	body, ok := inside(t, "if(")
	if !ok {
		return nil, fmt.Errorf("bad gate %q", t)
	}
	g := &gateDef{}
	for _, op := range []string{"==", "!="} {
		if l, r, found := strings.Cut(body, op); found {
			lit := strings.TrimSpace(r)
			if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
				return nil, fmt.Errorf("gate %q compares with %q, not a quoted literal", t, lit)
			}
			g.op, g.lit, body = op, lit[1:len(lit)-1], strings.TrimSpace(l)
			break
		}
	}
	if g.op == "" {
		body, g.not = strings.CutPrefix(body, "!")
	}
	src, err := parseSrc(body)
	if err != nil {
		return nil, err
	}
	g.src = src
	return g, nil
}

// parseResource reads *, arn(SRC) or TYPE(VAR=SRC, …), with prefixes:
// "!" marks a resource that AWS evaluates although the Service
// Authorization Reference does not list it for the action, "?" one that
// is left out when the members it reads are absent.
func parseResource(t string) (*resDef, error) {
	var unlisted, optional bool
	for len(t) > 0 && (t[0] == '!' || t[0] == '?') {
		unlisted = unlisted || t[0] == '!'
		optional = optional || t[0] == '?'
		t = t[1:]
	}
	r, err := parseResourceForm(t)
	if err != nil {
		return nil, err
	}
	r.unlisted, r.optional = unlisted, optional
	return r, nil
}

func parseResourceForm(t string) (*resDef, error) {
	if t == "*" {
		return &resDef{star: true}, nil
	}
	if body, ok := inside(t, "arn("); ok {
		src, err := parseSrc(body)
		if err != nil {
			return nil, err
		}
		return &resDef{arn: src}, nil
	}
	i := strings.IndexByte(t, '(')
	if i <= 0 {
		return nil, fmt.Errorf("resource %q is not *, arn(SRC) or TYPE(VAR=SRC, …)", t)
	}
	body, ok := inside(t, t[:i+1])
	if !ok {
		return nil, fmt.Errorf("resource %q does not end with )", t)
	}
	r := &resDef{typ: t[:i]}
	parts, err := splitTop(body, ',')
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		v, s, found := strings.Cut(p, "=")
		v = strings.TrimSpace(v)
		if !found || v == "" || strings.ContainsAny(v, " \"") {
			return nil, fmt.Errorf("binding %q in %q is not VAR=SRC", p, t)
		}
		src, err := parseSrc(strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		r.binds = append(r.binds, &bindDef{v: v, src: src})
	}
	return r, nil
}

func parseConds(t string) ([]*condDef, error) {
	body, ok := inside(t, "{")
	if !ok || !strings.HasSuffix(t, "}") {
		return nil, fmt.Errorf("bad condition list %q", t)
	}
	parts, err := splitTop(body, ',')
	if err != nil {
		return nil, err
	}
	var out []*condDef
	for _, p := range parts {
		k, s, found := strings.Cut(p, "=")
		k = strings.TrimSpace(k)
		if !found || !strings.Contains(k, ":") {
			return nil, fmt.Errorf("condition %q is not KEY=SRC", p)
		}
		src, err := parseSrc(strings.TrimSpace(s))
		if err != nil {
			return nil, err
		}
		out = append(out, &condDef{key: k, src: src})
	}
	return out, nil
}

// parseSrc reads ALT|ALT|…, each ALT a "literal" or PATH[@CONV[.SEL]].
func parseSrc(s string) (*srcDef, error) {
	parts, err := splitTop(s, '|')
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("empty value source")
	}
	src := &srcDef{text: s}
	for _, p := range parts {
		a := &altDef{}
		switch {
		case p[0] == '"':
			if len(p) < 2 || p[len(p)-1] != '"' {
				return nil, fmt.Errorf("bad literal %s", p)
			}
			a.lit, a.isLit = p[1:len(p)-1], true
		case strings.ContainsAny(p, " (){}=,\""):
			return nil, fmt.Errorf("bad member path %q", p)
		default:
			a.path = p
			if path, conv, ok := strings.Cut(p, "@"); ok {
				a.path, a.conv = path, conv
				if c, sel, ok := strings.Cut(conv, "."); ok {
					a.conv, a.sel = c, sel
				}
				if a.path == "" || a.conv == "" {
					return nil, fmt.Errorf("bad converted member %q", p)
				}
			}
		}
		src.alts = append(src.alts, a)
	}
	return src, nil
}
