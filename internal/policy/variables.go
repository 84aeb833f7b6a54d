package policy

import (
	"strings"
	"unicode/utf8"
)

// Policy variables follow "IAM policy elements: Variables and tags"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
// in a document of Version 2012-10-17, ${KEY} in a Resource or
// NotResource pattern and in the values of the string and ARN condition
// operators stands for the value of the condition key KEY in the request;
// ${KEY, 'DEFAULT'} for DEFAULT when the request has none; ${*}, ${?} and
// ${$} for the characters *, ? and $ themselves. A variable whose key has
// no value, or more than one, makes the pattern or value it is in match
// nothing. In 2008-10-17, "${" is plain text.

// partKind is what a part of a template is.
type partKind uint8

const (
	// partText is literal text, matched as it is.
	partText partKind = iota
	// partStar is a * of a pattern.
	partStar
	// partOne is a ? of a pattern.
	partOne
	// partVar is a variable: its text is the key; its value is matched as
	// literal text.
	partVar
)

// part is a part of a template.
type part struct {
	kind partKind
	text string
	// def is a variable's default value, when hasDef.
	def    string
	hasDef bool
}

// template is a pattern or a condition value that holds policy
// variables, split into parts.
type template struct {
	parts []part
	vars  int
}

// maxInlineVars is how many variables a template resolves without
// allocating.
const maxInlineVars = 8

// parseTemplate splits s into parts when it holds a policy variable, and
// reports false when it holds none; with wildcards, its * and ? outside
// variables are wildcards. A "${" that no valid variable follows is text.
func parseTemplate(s string, wildcards bool) (template, bool) {
	var t template
	has := false
	text := func(s string) {
		if !wildcards {
			t.addText(s)
			return
		}
		for s != "" {
			i := strings.IndexAny(s, "*?")
			if i < 0 {
				t.addText(s)
				return
			}
			t.addText(s[:i])
			if s[i] == '*' {
				t.parts = append(t.parts, part{kind: partStar})
			} else {
				t.parts = append(t.parts, part{kind: partOne})
			}
			s = s[i+1:]
		}
	}
	for s != "" {
		i := strings.Index(s, "${")
		if i < 0 {
			text(s)
			break
		}
		end := strings.IndexByte(s[i:], '}')
		v, ok := part{}, false
		if end > 0 {
			v, ok = parseVariable(s[i+2 : i+end])
		}
		if !ok {
			text(s[:i+2])
			s = s[i+2:]
			continue
		}
		text(s[:i])
		if v.kind == partText {
			t.addText(v.text)
		} else {
			t.parts = append(t.parts, v)
			t.vars++
		}
		has = true
		s = s[i+end+1:]
	}
	return t, has
}

// addText appends literal text, merged with the text before it.
func (t *template) addText(s string) {
	if s == "" {
		return
	}
	if n := len(t.parts); n > 0 && t.parts[n-1].kind == partText {
		t.parts[n-1].text += s
		return
	}
	t.parts = append(t.parts, part{kind: partText, text: s})
}

// parseVariable reads what is between "${" and "}": a special character,
// KEY, or KEY, 'DEFAULT'.
func parseVariable(s string) (part, bool) {
	switch s {
	case "*", "?", "$":
		return part{kind: partText, text: s}, true
	}
	key, def, hasDef := strings.Cut(s, ", '")
	if hasDef {
		var ok bool
		if def, ok = strings.CutSuffix(def, "'"); !ok || strings.Contains(def, "'") {
			return part{}, false
		}
	}
	if key == "" || strings.ContainsAny(key, " \t'${}") {
		return part{}, false
	}
	return part{kind: partVar, text: key, def: def, hasDef: hasDef}, true
}

// resolve returns the values of the template's variables in the request,
// in order, in buf when they fit; false when one has none.
func (t *template) resolve(e *evaluation, buf *[maxInlineVars]string) ([]string, bool) {
	vals := buf[:0]
	if t.vars > maxInlineVars {
		vals = make([]string, 0, t.vars)
	}
	for i := range t.parts {
		p := &t.parts[i]
		if p.kind != partVar {
			continue
		}
		v, ok := e.variable(p.text)
		switch {
		case ok:
		case p.hasDef:
			v = p.def
		default:
			e.missing(p.text)
			return nil, false
		}
		vals = append(vals, v)
	}
	return vals, true
}

// match reports whether s matches the template as a pattern.
func (t *template) match(e *evaluation, s string) bool {
	var buf [maxInlineVars]string
	vals, ok := t.resolve(e, &buf)
	return ok && matchParts(t.parts, vals, s)
}

// equal reports whether s equals the template's text, its ASCII letters
// matched case-insensitively with fold.
func (t *template) equal(e *evaluation, s string, fold bool) bool {
	var buf [maxInlineVars]string
	vals, ok := t.resolve(e, &buf)
	if !ok {
		return false
	}
	v := 0
	for i := range t.parts {
		text := t.parts[i].text
		if t.parts[i].kind == partVar {
			text, v = vals[v], v+1
		}
		if len(s) < len(text) || !fold && s[:len(text)] != text || fold && !strings.EqualFold(s[:len(text)], text) {
			return false
		}
		s = s[len(text):]
	}
	return s == ""
}

// expand returns the template's text with its variables replaced.
func (t *template) expand(e *evaluation) (string, bool) {
	var buf [maxInlineVars]string
	vals, ok := t.resolve(e, &buf)
	if !ok {
		return "", false
	}
	var b strings.Builder
	v := 0
	for i := range t.parts {
		switch t.parts[i].kind {
		case partVar:
			b.WriteString(vals[v])
			v++
		case partStar:
			b.WriteByte('*')
		case partOne:
			b.WriteByte('?')
		default:
			b.WriteString(t.parts[i].text)
		}
	}
	return b.String(), true
}

// matchParts is glob over parts: text and variable values match as they
// are, partStar as *, partOne as ?. vals are the values of the variables,
// in order.
func matchParts(parts []part, vals []string, s string) bool {
	p, i := 0, 0
	star, mark, starVar := -1, 0, 0
	v := 0
	for {
		if p < len(parts) {
			switch parts[p].kind {
			case partStar:
				star, mark, starVar = p, i, v
				p++
				continue
			case partOne:
				if i < len(s) {
					_, n := utf8.DecodeRuneInString(s[i:])
					p, i = p+1, i+n
					continue
				}
			default:
				text := parts[p].text
				if parts[p].kind == partVar {
					text = vals[v]
				}
				if strings.HasPrefix(s[i:], text) {
					if parts[p].kind == partVar {
						v++
					}
					p, i = p+1, i+len(text)
					continue
				}
			}
		} else if i == len(s) {
			return true
		}
		if star < 0 || mark >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[mark:])
		mark += n
		p, i, v = star+1, mark, starVar
	}
}
