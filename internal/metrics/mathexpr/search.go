package mathexpr

import (
	"fmt"
	"slices"
	"strings"
)

// SearchQuery is the parsed query of a SEARCH expression, as "CloudWatch
// search expression syntax" defines it
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html):
// an optional metric schema {Namespace, DimensionName, …} and an optional
// search term of partial and exact matches, property designators
// (MetricName=, Namespace=, DimensionName=), AND, OR, NOT and parentheses.
type SearchQuery struct {
	// Schema is the metric schema, or nil when the query has none.
	Schema *Schema
	term   sterm
	src    string
}

// Schema is a SEARCH metric schema. A metric matches it when it is in the
// namespace and its dimension names are exactly the schema's: {AWS/EC2,
// InstanceType} finds the per-instance-type metrics, not the per-instance
// ones, and {AWS/EBS} finds the metrics with no dimensions.
type Schema struct {
	// Namespace is the metric namespace.
	Namespace string
	// DimensionNames are the dimension names, each once, in query order.
	DimensionNames []string
}

// String returns the query as it was written.
func (q *SearchQuery) String() string { return q.src }

// Match reports whether the metric with this namespace, name and
// dimensions matches the query.
func (q *SearchQuery) Match(namespace, metricName string, dims map[string]string) bool {
	if s := q.Schema; s != nil {
		if namespace != s.Namespace || len(dims) != len(s.DimensionNames) {
			return false
		}
		for _, d := range s.DimensionNames {
			if _, ok := dims[d]; !ok {
				return false
			}
		}
	}
	if q.term == nil {
		return true
	}
	return q.term.match(newCandidate(namespace, metricName, dims))
}

// candidate is a metric being matched, with its strings tokenized once.
type candidate struct {
	rawNamespace, rawName string
	namespace, name       strTokens
	dims                  map[string]string
	// The dimensions as parallel lists, raw and tokenized.
	rawDimNames, rawDimValues []string
	dimNames, dimValues       []strTokens
}

func newCandidate(namespace, name string, dims map[string]string) *candidate {
	c := &candidate{
		namespace: tokenize(namespace), name: tokenize(name),
		dims: dims, rawNamespace: namespace, rawName: name,
	}
	for k, v := range dims {
		c.rawDimNames = append(c.rawDimNames, k)
		c.rawDimValues = append(c.rawDimValues, v)
		c.dimNames = append(c.dimNames, tokenize(k))
		c.dimValues = append(c.dimValues, tokenize(v))
	}
	return c
}

// sterm is a node of a search term.
type sterm interface{ match(c *candidate) bool }

type (
	sAnd []sterm
	sOr  []sterm
	sNot struct{ x sterm }
	// sLeaf is one search term: exact ("…") or partial, against every
	// property of the metric or, when prop is set, against one of them.
	sLeaf struct {
		text  string
		exact bool
		// prop is "", "MetricName", "Namespace" or a dimension name.
		prop string
		toks termTokens
	}
)

func (a sAnd) match(c *candidate) bool {
	for _, x := range a {
		if !x.match(c) {
			return false
		}
	}
	return true
}

func (o sOr) match(c *candidate) bool {
	for _, x := range o {
		if x.match(c) {
			return true
		}
	}
	return false
}

func (n sNot) match(c *candidate) bool { return !n.x.match(c) }

func (l *sLeaf) match(c *candidate) bool {
	switch l.prop {
	case "":
		if l.test(c.rawName, c.name) || l.test(c.rawNamespace, c.namespace) {
			return true
		}
		for i, k := range c.rawDimNames {
			if l.test(k, c.dimNames[i]) || l.test(c.rawDimValues[i], c.dimValues[i]) {
				return true
			}
		}
		return false
	case "MetricName":
		return l.test(c.rawName, c.name)
	case "Namespace":
		return l.test(c.rawNamespace, c.namespace)
	}
	v, ok := c.dims[l.prop]
	return ok && l.test(v, tokenize(v))
}

// test matches the leaf against one string.
func (l *sLeaf) test(raw string, st strTokens) bool {
	if l.exact {
		return raw == l.text
	}
	return partialMatch(l.toks, st)
}

// ParseSearch parses the query string of a SEARCH expression (its first
// argument, without the enclosing single quotes).
func ParseSearch(query string) (*SearchQuery, error) {
	p := &searchParser{src: query}
	q := &SearchQuery{src: query}
	p.skipSpace()
	if p.peek() == '{' {
		s, err := p.schema()
		if err != nil {
			return nil, err
		}
		q.Schema = s
	}
	p.skipSeparators()
	if !p.eof() {
		t, err := p.or("")
		if err != nil {
			return nil, err
		}
		p.skipSeparators()
		if !p.eof() {
			return nil, p.errorf("unexpected %q", p.src[p.pos:])
		}
		q.term = t
	}
	if q.Schema == nil && q.term == nil {
		return nil, searchError(0, "the query needs a metric schema, a search term or both")
	}
	return q, nil
}

// searchError is the error for a SEARCH query that cannot be parsed.
func searchError(pos int, format string, args ...any) *Error {
	return &Error{
		Code:    CodeValidationError,
		Message: "Invalid syntax in SEARCH query",
		Detail:  fmt.Sprintf("offset %d: ", pos) + fmt.Sprintf(format, args...),
	}
}

// searchParser is a recursive-descent parser for search queries.
type searchParser struct {
	src   string
	pos   int
	depth int
}

func (p *searchParser) eof() bool { return p.pos >= len(p.src) }

func (p *searchParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

func (p *searchParser) errorf(format string, args ...any) *Error {
	return searchError(p.pos, format, args...)
}

func (p *searchParser) skipSpace() {
	for !p.eof() && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// skipSeparators skips white space and commas, which separate terms
// ('{AWS/Lambda, FunctionName}, MetricName="Errors"').
func (p *searchParser) skipSeparators() {
	for !p.eof() && (isSpace(p.src[p.pos]) || p.src[p.pos] == ',') {
		p.pos++
	}
}

// schema parses {Namespace, DimensionName, …}; names are separated by
// commas or white space ('{AWS/ECS ClusterName}') and may be quoted.
func (p *searchParser) schema() (*Schema, error) {
	p.pos++ // {
	var names []string
	for {
		p.skipSeparators()
		switch {
		case p.eof():
			return nil, p.errorf("unterminated metric schema")
		case p.peek() == '}':
			p.pos++
			if len(names) == 0 {
				return nil, p.errorf("empty metric schema")
			}
			s := &Schema{Namespace: names[0]}
			for _, d := range names[1:] {
				if !slices.Contains(s.DimensionNames, d) {
					s.DimensionNames = append(s.DimensionNames, d)
				}
			}
			return s, nil
		case p.peek() == '"':
			s, err := p.quoted()
			if err != nil {
				return nil, err
			}
			names = append(names, s)
		default:
			start := p.pos
			for !p.eof() && !isSpace(p.peek()) && !strings.ContainsRune(",{}\"", rune(p.peek())) {
				p.pos++
			}
			if p.pos == start {
				return nil, p.errorf("unexpected %q in metric schema", p.peek())
			}
			names = append(names, p.src[start:p.pos])
		}
	}
}

// quoted parses "…", in which \" \\ \( and \) stand for the character
// after the backslash.
func (p *searchParser) quoted() (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for !p.eof() {
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 >= len(p.src) {
				return "", searchError(start, "unterminated quoted string")
			}
			b.WriteByte(p.src[p.pos+1])
			p.pos += 2
			continue
		case '"':
			p.pos++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.pos++
	}
	return "", searchError(start, "unterminated quoted string")
}

// word parses a bare word: anything up to white space, a comma, a
// parenthesis, a quote, an equals sign or a brace.
func (p *searchParser) word() string {
	start := p.pos
	for !p.eof() && !isSpace(p.peek()) && !strings.ContainsRune(",()\"={}", rune(p.peek())) {
		p.pos++
	}
	return p.src[start:p.pos]
}

// atKeyword reports whether the next bare word is the operator kw (AND,
// OR, NOT: case-sensitive, so "and" is a search term).
func (p *searchParser) atKeyword(kw string) bool {
	if !strings.HasPrefix(p.src[p.pos:], kw) {
		return false
	}
	end := p.pos + len(kw)
	return end == len(p.src) || isSpace(p.src[end]) || strings.ContainsRune(",()\"", rune(p.src[end]))
}

// or parses terms joined by OR. prop is the property a designator's
// parenthesised group applies to, or "".
func (p *searchParser) or(prop string) (sterm, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errorf("query nested more than %d levels deep", maxDepth)
	}
	var alts sOr
	for {
		t, err := p.and(prop)
		if err != nil {
			return nil, err
		}
		alts = append(alts, t)
		p.skipSeparators()
		if !p.atKeyword("OR") {
			break
		}
		p.pos += len("OR")
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

// and parses terms joined by AND or by juxtaposition, which "implicitly
// searches them as if there were an AND operator".
func (p *searchParser) and(prop string) (sterm, error) {
	var all sAnd
	for {
		p.skipSeparators()
		if p.atKeyword("AND") {
			if len(all) == 0 {
				return nil, p.errorf("AND without a term before it")
			}
			p.pos += len("AND")
			p.skipSeparators()
		} else if p.eof() || p.peek() == ')' || p.atKeyword("OR") {
			break
		}
		t, err := p.unary(prop)
		if err != nil {
			return nil, err
		}
		all = append(all, t)
	}
	switch len(all) {
	case 0:
		return nil, p.errorf("expected a search term")
	case 1:
		return all[0], nil
	}
	return all, nil
}

// unary parses NOT term, or a term.
func (p *searchParser) unary(prop string) (sterm, error) {
	p.skipSeparators()
	if p.atKeyword("NOT") {
		p.pos += len("NOT")
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.errorf("query nested more than %d levels deep", maxDepth)
		}
		x, err := p.unary(prop)
		if err != nil {
			return nil, err
		}
		return sNot{x}, nil
	}
	return p.primary(prop)
}

// primary parses (group), "exact", a partial word, or a designator
// Property=value where value is a term or a parenthesised group.
func (p *searchParser) primary(prop string) (sterm, error) {
	start := p.pos
	var text string
	exact := false
	switch c := p.peek(); {
	case c == '(':
		p.pos++
		t, err := p.or(prop)
		if err != nil {
			return nil, err
		}
		p.skipSeparators()
		if p.peek() != ')' {
			return nil, p.errorf("expected ')'")
		}
		p.pos++
		return t, nil
	case c == '"':
		s, err := p.quoted()
		if err != nil {
			return nil, err
		}
		text, exact = s, true
	default:
		text = p.word()
		if text == "" {
			return nil, p.errorf("unexpected %q", c)
		}
	}
	save := p.pos
	p.skipSpace()
	if p.peek() != '=' {
		p.pos = save
		return newLeaf(start, text, exact, prop)
	}
	// A designator: text names the property.
	if prop != "" {
		return nil, searchError(start, "a property designator inside another one")
	}
	if strings.HasPrefix(text, ":aws.") {
		return nil, unsupported("Cross-account search (%s) is not supported.", text)
	}
	p.pos++
	p.skipSpace()
	return p.primary(text)
}

// newLeaf builds a search term leaf.
func newLeaf(pos int, text string, exact bool, prop string) (sterm, error) {
	l := &sLeaf{text: text, exact: exact, prop: prop}
	if !exact {
		l.toks = tokenizeTerm(text)
		if len(l.toks.toks) == 0 {
			return nil, searchError(pos, "the search term %q has no letters or digits", text)
		}
	}
	return l, nil
}
