package filterpattern

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// jsonPattern is a compiled { ... } pattern.
//
// Grammar, from "Using filter patterns to match terms in JSON log events":
//
//	pattern   = "{" or "}"
//	or        = and { "||" and }             (() binds before && before ||)
//	and       = unary { "&&" unary }
//	unary     = "(" or ")" | condition
//	condition = selector op value
//	          | selector "IS" ("NULL" | "TRUE" | "FALSE")
//	          | selector "NOT" "EXISTS"
//	op        = "=" | "!=" | "<" | ">" | "<=" | ">="
//	value     = number | "quoted" | bare | %regex% | *
//
// "IS NOT" and "EXISTS" on its own "currently aren't supported" and are
// rejected; so are relational operators with a non-number.
type jsonPattern struct {
	expr *jexpr
	trie *trie
	// sels are the distinct selectors of the pattern in order of first
	// use, for Fields.All.
	sels    []*selector
	regexes int
}

type exprKind uint8

const (
	exprCond exprKind = iota
	exprAnd
	exprOr
)

type jexpr struct {
	kind exprKind
	l, r *jexpr
	c    *jcond
}

type condKind uint8

const (
	condCmp condKind = iota
	condIsNull
	condIsTrue
	condIsFalse
	condNotExists
)

type jcond struct {
	sel  *selector
	kind condKind
	op   cmpOp
	val  operand
}

// maxWildcards is AWS's quota: "up to three wildcard selectors in a filter
// pattern with compound expressions" (and one per property selector).
const maxWildcards = 3

type jsonParser struct {
	src       string
	i         int
	regexes   int
	wildcards int
	sels      []*selector
}

func parseJSONPattern(src string, off int, trimmed string) (*jsonPattern, error) {
	if !strings.HasSuffix(trimmed, "}") {
		// AWS's wording for this mistake, which a shell that splits an
		// unquoted pattern at blanks makes easy.
		return nil, syntaxErr(off+len(trimmed), "If a filter pattern starts with '{' it must end with '}'")
	}
	p := &jsonParser{src: src, i: off + 1}
	p.skip()
	if p.peek() == '}' {
		return nil, syntaxErr(p.i, "empty JSON expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.peek() != '}' {
		return nil, p.unexpected("\"&&\", \"||\" or \"}\"")
	}
	p.i++
	p.skip()
	if p.i != len(p.src) {
		return nil, syntaxErr(p.i, "unexpected text after the closing \"}\"")
	}
	if p.regexes > maxRegexes {
		return nil, syntaxErr(off, "a JSON filter pattern can contain at most %d regular expressions", maxRegexes)
	}
	if p.wildcards > maxWildcards {
		return nil, syntaxErr(off, "a filter pattern can contain at most %d wildcard selectors", maxWildcards)
	}
	return &jsonPattern{expr: e, trie: buildTrie(p.sels), sels: distinctSelectors(p.sels), regexes: p.regexes}, nil
}

// distinctSelectors returns sels without repeats of the same text.
func distinctSelectors(sels []*selector) []*selector {
	var out []*selector
	seen := map[string]bool{}
	for _, s := range sels {
		if !seen[s.src] {
			seen[s.src] = true
			out = append(out, s)
		}
	}
	return out
}

func (p *jsonParser) skip() {
	for p.i < len(p.src) && isSpace(p.src[p.i]) {
		p.i++
	}
}

func (p *jsonParser) peek() byte {
	if p.i < len(p.src) {
		return p.src[p.i]
	}
	return 0
}

func (p *jsonParser) unexpected(want string) error {
	if p.i >= len(p.src) {
		return syntaxErr(p.i, "unexpected end of pattern, expected %s", want)
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.i:])
	return syntaxErr(p.i, "unexpected %q, expected %s", r, want)
}

func (p *jsonParser) or() (*jexpr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if !strings.HasPrefix(p.src[p.i:], "||") {
			return l, nil
		}
		p.i += 2
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &jexpr{kind: exprOr, l: l, r: r}
	}
}

func (p *jsonParser) and() (*jexpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		p.skip()
		if !strings.HasPrefix(p.src[p.i:], "&&") {
			return l, nil
		}
		p.i += 2
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &jexpr{kind: exprAnd, l: l, r: r}
	}
}

func (p *jsonParser) unary() (*jexpr, error) {
	p.skip()
	if p.peek() != '(' {
		c, err := p.cond()
		if err != nil {
			return nil, err
		}
		return &jexpr{kind: exprCond, c: c}, nil
	}
	p.i++
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.peek() != ')' {
		return nil, p.unexpected("\")\"")
	}
	p.i++
	return e, nil
}

func (p *jsonParser) cond() (*jcond, error) {
	if p.peek() != '$' {
		return nil, p.unexpected("a property selector starting with $")
	}
	sel, n, err := parseSelector(p.src, p.i)
	if err != nil {
		return nil, err
	}
	if sel.wild >= 0 {
		p.wildcards++
	}
	p.i += n
	if p.i < len(p.src) && !isSpace(p.src[p.i]) && !strings.ContainsRune("=!<>)}&|", rune(p.src[p.i])) {
		return nil, p.unexpected("a comparison operator, IS or NOT EXISTS")
	}
	p.sels = append(p.sels, sel)
	c := &jcond{sel: sel}
	p.skip()
	switch {
	case p.keyword("IS"):
		p.skip()
		switch {
		case p.keyword("NULL"):
			c.kind = condIsNull
		case p.keyword("TRUE"):
			c.kind = condIsTrue
		case p.keyword("FALSE"):
			c.kind = condIsFalse
		case p.keyword("NOT"):
			return nil, syntaxErr(p.i-3, "IS NOT is not supported")
		default:
			return nil, p.unexpected("NULL, TRUE or FALSE after IS")
		}
		return c, nil
	case p.keyword("NOT"):
		p.skip()
		if !p.keyword("EXISTS") {
			return nil, p.unexpected("EXISTS after NOT")
		}
		c.kind = condNotExists
		return c, nil
	case p.keyword("EXISTS"):
		return nil, syntaxErr(p.i-6, "EXISTS is not supported; use NOT EXISTS, or = * to require a value")
	}
	op, n := readOp(p.src, p.i)
	if n == 0 {
		if strings.HasPrefix(p.src[p.i:], "==") {
			return nil, syntaxErr(p.i, "\"==\" is not an operator; use \"=\"")
		}
		return nil, p.unexpected("a comparison operator (=, !=, <, >, <=, >=), IS or NOT EXISTS")
	}
	c.op = op
	p.i += n
	p.skip()
	v, err := p.value(op)
	if err != nil {
		return nil, err
	}
	c.val = v
	return c, nil
}

// keyword consumes word (matched without regard to case) when it stands
// alone at the current position.
func (p *jsonParser) keyword(word string) bool {
	end := p.i + len(word)
	if end > len(p.src) || !strings.EqualFold(p.src[p.i:end], word) {
		return false
	}
	if end < len(p.src) && isWordByte(p.src[end]) {
		return false
	}
	p.i = end
	return true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// value reads the right-hand side of a comparison.
func (p *jsonParser) value(op cmpOp) (operand, error) {
	v, n, err := readValue(p.src, p.i, op, "){}&|")
	if err != nil {
		return v, err
	}
	if v.kind == opdRegex {
		p.regexes++
	}
	p.i += n
	return v, nil
}

// readValue reads a condition's value at s[i:] (JSON or space-delimited):
// a quoted string, a %regex%, or a bare word ending at whitespace or one
// of stops. It returns the operand and the bytes consumed.
//
// AWS: "Strings that consist entirely of alphanumeric characters do not
// need to be quoted. Strings that have unicode and other characters such
// as '@,' '$,' '\,' etc. must be enclosed in double quotes." Its own
// examples leave dots, asterisks and hyphens unquoted (123.123.*,
// kms.amazonaws.com in the CIS alarms), so bare words may hold letters,
// digits and _ - . * + ; anything else must be quoted.
func readValue(s string, i int, op cmpOp, stops string) (operand, int, error) {
	if i >= len(s) || strings.IndexByte(stops, s[i]) >= 0 {
		return operand{}, 0, syntaxErr(i, "missing value after %q", op.String())
	}
	switch s[i] {
	case '"':
		text, next, ok := readQuoted(s, i)
		if !ok {
			return operand{}, 0, syntaxErr(i, "unterminated quoted string")
		}
		if op.relational() {
			return operand{}, 0, syntaxErr(i, "operator %q needs a number, not a string", op.String())
		}
		return newOperand(text, true), next - i, nil
	case '%':
		end := strings.IndexByte(s[i+1:], '%')
		if end < 0 {
			return operand{}, 0, syntaxErr(i, "unterminated regular expression")
		}
		if op.relational() {
			return operand{}, 0, syntaxErr(i, "operator %q needs a number, not a regular expression", op.String())
		}
		re, err := compileRegex(s[i+1:i+1+end], i+1)
		if err != nil {
			return operand{}, 0, err
		}
		return operand{kind: opdRegex, re: re}, end + 2, nil
	}
	j := i
	for j < len(s) && !isSpace(s[j]) && strings.IndexByte(stops, s[j]) < 0 && s[j] != '"' {
		c := s[j]
		if !isWordByte(c) && c != '-' && c != '.' && c != '*' && c != '+' {
			r, _ := utf8.DecodeRuneInString(s[j:])
			return operand{}, 0, syntaxErr(j, "unexpected %q in a value; enclose values with characters other than letters, digits, _ - . * + in double quotes", r)
		}
		j++
	}
	v := newOperand(s[i:j], false)
	if op.relational() && v.kind != opdNumber {
		return operand{}, 0, syntaxErr(i, "operator %q needs a number, not %q", op.String(), s[i:j])
	}
	return v, j - i, nil
}

// selector is a JSON property selector such as $.a.b[0] or $.['x.y'].
type selector struct {
	src   string
	steps []step
	wild  int // index of the wildcard step, or -1
}

type stepKind uint8

const (
	stepName stepKind = iota
	stepIndex
	stepWild
)

type step struct {
	kind  stepKind
	name  string
	index int
}

// maxIndex bounds array indexes in selectors.
const maxIndex = 1 << 30

// parseSelector reads a selector at s[i] == '$' and returns it and the
// bytes consumed. AWS: "Property selectors always start with dollar sign
// ($)... are alphanumeric strings that also support '-' and '_'... Array
// elements are denoted with [NUMBER] syntax, and must follow a property";
// "If the JSON property contains a period, then the bracket notation may
// be used" ($.['cluster.name']); "You can use the JSON wildcard to select
// any array element or any JSON object field" ($.* and [*]), at most one
// per selector.
func parseSelector(s string, i int) (*selector, int, error) {
	start := i
	sel := &selector{wild: -1}
	i++
	for i < len(s) {
		var st step
		switch {
		case s[i] == '.' && i+1 < len(s) && s[i+1] == '*':
			st.kind = stepWild
			i += 2
		case s[i] == '.' && i+1 < len(s) && s[i+1] == '[':
			name, n, err := bracketKey(s, i+1)
			if err != nil {
				return nil, 0, err
			}
			st.name = name
			i += 1 + n
		case s[i] == '.':
			j := i + 1
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !isNameRune(r) {
					break
				}
				j += size
			}
			if j == i+1 {
				return nil, 0, syntaxErr(i, "missing property name after \".\"; write $.['name'] for a name with characters other than letters, digits, _ and -")
			}
			st.name = s[i+1 : j]
			i = j
		case s[i] == '[' && len(sel.steps) > 0:
			j := i + 1
			switch {
			case j < len(s) && s[j] == '*':
				if j+1 >= len(s) || s[j+1] != ']' {
					return nil, 0, syntaxErr(i, "malformed [*]")
				}
				st.kind = stepWild
				i = j + 2
			case j < len(s) && (s[j] == '\'' || s[j] == '"'):
				name, n, err := bracketKey(s, i)
				if err != nil {
					return nil, 0, err
				}
				st.name = name
				i += n
			default:
				n := 0
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					if n < maxIndex {
						n = n*10 + int(s[j]-'0')
					}
					j++
				}
				if j == i+1 || j >= len(s) || s[j] != ']' {
					return nil, 0, syntaxErr(i, "an array index must be [NUMBER] or [*]")
				}
				if n >= maxIndex {
					return nil, 0, syntaxErr(i, "array index too large")
				}
				st = step{kind: stepIndex, index: n}
				i = j + 1
			}
		case s[i] == '[':
			return nil, 0, syntaxErr(i, "an array index must follow a property")
		default:
			goto done
		}
		if st.kind == stepWild {
			if sel.wild >= 0 {
				return nil, 0, syntaxErr(i-2, "a property selector can contain only one wildcard")
			}
			sel.wild = len(sel.steps)
		}
		sel.steps = append(sel.steps, st)
	}
done:
	if len(sel.steps) == 0 {
		return nil, 0, syntaxErr(start, "a property selector must name a property, as in $.field")
	}
	sel.src = s[start:i]
	return sel, i - start, nil
}

// bracketKey reads ['name'] or ["name"] at s[i] == '['.
func bracketKey(s string, i int) (string, int, error) {
	if i+1 >= len(s) || (s[i+1] != '\'' && s[i+1] != '"') {
		return "", 0, syntaxErr(i, "expected a quoted property name in brackets, as in ['a.b']")
	}
	q := s[i+1]
	end := strings.IndexByte(s[i+2:], q)
	if end < 0 {
		return "", 0, syntaxErr(i, "unterminated property name")
	}
	close := i + 2 + end + 1
	if close >= len(s) || s[close] != ']' {
		return "", 0, syntaxErr(i, "expected \"]\" after a quoted property name")
	}
	return s[i+2 : i+2+end], close + 1 - i, nil
}

func isNameRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isWordByte(byte(r)) || r == '-'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// parseSelectorString parses a whole string as a selector, for
// Fields.Get.
func parseSelectorString(s string) (*selector, bool) {
	if !strings.HasPrefix(s, "$") {
		return nil, false
	}
	sel, n, err := parseSelector(s, 0)
	if err != nil || n != len(s) {
		return nil, false
	}
	return sel, true
}

// trie merges the selectors of a pattern so one pass over a message keeps
// just the values they can reach.
type trie struct {
	fields map[string]*trie
	index  map[int]*trie
	wild   *trie
	// full keeps every value (for Extract, whose selectors are not known
	// in advance).
	full bool
}

var fullTrie = &trie{full: true}

func buildTrie(sels []*selector) *trie {
	root := &trie{}
	for _, s := range sels {
		t := root
		for _, st := range s.steps {
			t = t.child(st)
		}
	}
	root.spreadWild()
	return root
}

func (t *trie) child(st step) *trie {
	switch st.kind {
	case stepWild:
		if t.wild == nil {
			t.wild = &trie{}
		}
		return t.wild
	case stepIndex:
		if t.index == nil {
			t.index = map[int]*trie{}
		}
		if t.index[st.index] == nil {
			t.index[st.index] = &trie{}
		}
		return t.index[st.index]
	}
	if t.fields == nil {
		t.fields = map[string]*trie{}
	}
	if t.fields[st.name] == nil {
		t.fields[st.name] = &trie{}
	}
	return t.fields[st.name]
}

// spreadWild merges each wildcard subtree into the named and indexed
// siblings, so that a value reached both by name and by wildcard keeps
// what both need.
func (t *trie) spreadWild() {
	if t.wild != nil {
		t.wild.spreadWild()
		for k, c := range t.fields {
			t.fields[k] = union(c, t.wild)
		}
		for k, c := range t.index {
			t.index[k] = union(c, t.wild)
		}
	}
	for _, c := range t.fields {
		c.spreadWild()
	}
	for _, c := range t.index {
		c.spreadWild()
	}
}

// union returns a new trie holding the paths of a and b.
func union(a, b *trie) *trie {
	if a == nil && b == nil {
		return nil
	}
	out := &trie{}
	for _, src := range []*trie{a, b} {
		if src == nil {
			continue
		}
		for k, c := range src.fields {
			if out.fields == nil {
				out.fields = map[string]*trie{}
			}
			out.fields[k] = union(out.fields[k], c)
		}
		for k, c := range src.index {
			if out.index == nil {
				out.index = map[int]*trie{}
			}
			out.index[k] = union(out.index[k], c)
		}
		if src.wild != nil {
			out.wild = union(out.wild, src.wild)
		}
	}
	return out
}
