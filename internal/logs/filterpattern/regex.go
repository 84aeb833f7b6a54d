package filterpattern

import (
	"fmt"
	"regexp"
	"strings"
)

// regex is a %...% regular expression, translated from AWS's dialect to
// Go's RE2 syntax.
//
// AWS documents the dialect under "Supported regular expressions (regex)
// syntax": alphanumerics; the symbols : _ # = @ / ; , -; the operators
// ^ $ ? [ ] { } | \ * + .; the escapes \d \D \s \S \w \W \xhh; no
// parentheses; no multi-byte characters. Everything else is rejected, as
// AWS rejects it ("%something!% would be rejected since '!' is not
// supported"). A match is a search anywhere in the text ("%AUTHORIZED%"
// matches "UNAUTHORIZED REQUEST").
//
// AWS's service runs on the JVM, so where Java's java.util.regex and RE2
// read the same text differently the translation follows Java:
//   - "." does not match the line terminators \n \r \u0085 \u2028 \u2029
//     (RE2's "." excludes only \n);
//   - "$" matches at the end of the text or before a final line
//     terminator (RE2's "$" only at the very end);
//   - \s is [ \t\n\x0B\f\r] (RE2's \s lacks \x0B);
//   - "{,n}" means {0,n} (AWS: "Either m or n can be omitted").
//
// Constructs whose meaning differs and that the dialect does not need are
// rejected instead: nested classes "[a[b]]", a class starting with "]",
// possessive quantifiers "a*+", and "{" that does not start a counted
// repetition.
type regex struct {
	src string
	re  *regexp.Regexp
	// lits are literal substrings every match contains; they pre-filter
	// the search and feed Pattern.Terms.
	lits []string
}

// match reports whether the expression occurs in s.
func (r *regex) match(s string) bool {
	for _, l := range r.lits {
		if !strings.Contains(s, l) {
			return false
		}
	}
	return r.re.MatchString(s)
}

const (
	javaDot    = `[^\n\r\x{85}\x{2028}\x{2029}]`
	javaDollar = `(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?\z`
	javaSpace  = `[\t\n\x0B\f\r ]`
	javaNoSp   = `[^\t\n\x0B\f\r ]`
)

// maxRepeat is RE2's largest repetition count.
const maxRepeat = 1000

// compileRegex translates and compiles the body of %body%; off is the
// offset of body in the pattern, for errors.
func compileRegex(body string, off int) (*regex, error) {
	if body == "" {
		return nil, syntaxErr(off, "empty regular expression")
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= 0x80:
			return nil, syntaxErr(off+i, "multi-byte characters are not supported in regular expressions")
		case c == '(' || c == ')':
			return nil, syntaxErr(off+i, "parentheses are not supported in regular expressions")
		case !regexChar(c):
			return nil, syntaxErr(off+i, "character %q is not supported in regular expressions", c)
		}
	}
	t := reTranslator{src: body, off: off}
	if err := t.run(); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(t.out.String())
	if err != nil {
		return nil, syntaxErr(off, "invalid regular expression: %v", err)
	}
	r := &regex{src: body, re: re}
	if !t.alternation {
		r.lits = t.lits
	}
	return r, nil
}

// regexChar reports whether c may appear in an AWS regular expression.
func regexChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte(regexSymbols, c) >= 0 || strings.IndexByte(regexOperators, c) >= 0
}

// regexSymbols are the documented symbol characters (and the space that
// the documentation's own "%^starting|^initializing|^shutting down%" uses).
const (
	regexSymbols   = ":_#=@/;,- "
	regexOperators = `^$?[]{}|\*+.`
)

// atomKind is what the translator just emitted, which decides whether a
// quantifier may follow.
type atomKind uint8

const (
	atomNone    atomKind = iota // start, after "|", after an anchor
	atomLiteral                 // one literal character
	atomOther                   // ".", a class or a class escape
	atomQuant                   // a quantifier
)

type reTranslator struct {
	src         string
	off         int
	i           int
	out         strings.Builder
	last        atomKind
	alternation bool
	pending     []byte
	lits        []string
}

func (t *reTranslator) errf(at int, format string, args ...any) error {
	return syntaxErr(t.off+at, "invalid regular expression: "+format, args...)
}

// flush ends the current run of consecutive literal characters.
func (t *reTranslator) flush() {
	if len(t.pending) > 0 {
		t.lits = append(t.lits, string(t.pending))
		t.pending = t.pending[:0]
	}
}

func (t *reTranslator) literal(c byte) {
	t.out.WriteString(regexp.QuoteMeta(string(c)))
	t.pending = append(t.pending, c)
	t.last = atomLiteral
}

func (t *reTranslator) other(s string) {
	t.flush()
	t.out.WriteString(s)
	t.last = atomOther
}

func (t *reTranslator) run() error {
	s := t.src
	for t.i < len(s) {
		c := s[t.i]
		switch c {
		case '|':
			t.flush()
			t.alternation = true
			t.out.WriteByte('|')
			t.last = atomNone
			t.i++
		case '^':
			t.flush()
			t.out.WriteByte('^')
			t.last = atomNone
			t.i++
		case '$':
			t.flush()
			t.out.WriteString(javaDollar)
			t.last = atomNone
			t.i++
		case '.':
			t.other(javaDot)
			t.i++
		case '[':
			cls, err := t.class()
			if err != nil {
				return err
			}
			t.other(cls)
		case '\\':
			if err := t.escape(); err != nil {
				return err
			}
		case '*', '+', '?', '{':
			if err := t.quantifier(); err != nil {
				return err
			}
		default:
			t.literal(c)
			t.i++
		}
	}
	t.flush()
	return nil
}

// escape translates a backslash escape outside a class.
func (t *reTranslator) escape() error {
	s := t.src
	if t.i+1 >= len(s) {
		return t.errf(t.i, "trailing backslash")
	}
	c := s[t.i+1]
	switch c {
	case 'd':
		t.other(`[0-9]`)
	case 'D':
		t.other(`[^0-9]`)
	case 'w':
		t.other(`[0-9A-Za-z_]`)
	case 'W':
		t.other(`[^0-9A-Za-z_]`)
	case 's':
		t.other(javaSpace)
	case 'S':
		t.other(javaNoSp)
	case 'x':
		v, err := t.hex(t.i)
		if err != nil {
			return err
		}
		t.literal(v)
		t.i += 4
		return nil
	default:
		if !escapableChar(c) {
			return t.errf(t.i, "unsupported escape \\%c", c)
		}
		t.literal(c)
	}
	t.i += 2
	return nil
}

// escapableChar reports whether \c stands for the character c itself.
func escapableChar(c byte) bool {
	return strings.IndexByte(regexOperators, c) >= 0 || strings.IndexByte(regexSymbols, c) >= 0
}

// hex reads \xhh at s[at:], an ASCII character.
func (t *reTranslator) hex(at int) (byte, error) {
	s := t.src
	if at+3 >= len(s) || !isHex(s[at+2]) || !isHex(s[at+3]) {
		return 0, t.errf(at, `\x must be followed by two hexadecimal digits`)
	}
	v := unhex(s[at+2])<<4 | unhex(s[at+3])
	if v >= 0x80 {
		return 0, t.errf(at, `\x%c%c is not an ASCII character`, s[at+2], s[at+3])
	}
	return v, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// quantifier translates ?, *, + or {m,n} (with an optional lazy "?",
// which does not change whether a search matches).
func (t *reTranslator) quantifier() error {
	s := t.src
	start := t.i
	switch t.last {
	case atomNone:
		return t.errf(start, "%q has nothing to repeat", s[start])
	case atomQuant:
		return t.errf(start, "%q cannot follow another repetition operator", s[start])
	}
	min := 1
	if c := s[t.i]; c == '{' {
		m, text, err := t.counted()
		if err != nil {
			return err
		}
		min = m
		t.out.WriteString(text)
	} else {
		if c != '+' {
			min = 0
		}
		t.out.WriteByte(c)
		t.i++
	}
	if t.last == atomLiteral {
		if min == 0 {
			t.pending = t.pending[:len(t.pending)-1]
		}
	}
	t.flush()
	t.last = atomQuant
	if t.i < len(s) && s[t.i] == '?' {
		t.out.WriteByte('?')
		t.i++
	}
	return nil
}

// counted reads {m}, {m,}, {,n} or {m,n} and returns m and its RE2 form.
func (t *reTranslator) counted() (int, string, error) {
	s := t.src
	start := t.i
	j := t.i + 1
	readNum := func() (int, bool) {
		k, n := j, 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			if n <= maxRepeat {
				n = n*10 + int(s[j]-'0')
			}
			j++
		}
		return n, j > k
	}
	m, hasM := readNum()
	n, hasN, comma := m, hasM, false
	if j < len(s) && s[j] == ',' {
		comma = true
		j++
		n, hasN = readNum()
	}
	if j >= len(s) || s[j] != '}' || (!hasM && !hasN) {
		return 0, "", t.errf(start, `"{" must start a repetition {m}, {m,}, {,n} or {m,n}; write \{ for a literal brace`)
	}
	t.i = j + 1
	if m > maxRepeat || (hasN && n > maxRepeat) {
		return 0, "", t.errf(start, "repetition count above %d", maxRepeat)
	}
	if comma && hasN && n < m {
		return 0, "", t.errf(start, "repetition {%d,%d} has its bounds reversed", m, n)
	}
	switch {
	case !comma:
		return m, fmt.Sprintf("{%d}", m), nil
	case !hasN:
		return m, fmt.Sprintf("{%d,}", m), nil
	}
	return m, fmt.Sprintf("{%d,%d}", m, n), nil
}

// class translates a bracket expression starting at s[t.i] == '['.
func (t *reTranslator) class() (string, error) {
	s := t.src
	start := t.i
	var b strings.Builder
	b.WriteByte('[')
	j := t.i + 1
	if j < len(s) && s[j] == '^' {
		b.WriteByte('^')
		j++
	}
	if j < len(s) && s[j] == ']' {
		return "", t.errf(start, `a character class cannot start with "]"; write \]`)
	}
	items := 0
	for {
		if j >= len(s) {
			return "", t.errf(start, "unterminated character class")
		}
		if s[j] == ']' {
			break
		}
		lo, set, n, err := t.classItem(j)
		if err != nil {
			return "", err
		}
		j += n
		items++
		if set != "" {
			b.WriteString(set)
			continue
		}
		if j+1 < len(s) && s[j] == '-' && s[j+1] != ']' {
			hi, set2, n2, err := t.classItem(j + 1)
			if err != nil {
				return "", err
			}
			if set2 != "" {
				return "", t.errf(j, "a range cannot end with a class escape")
			}
			if hi < lo {
				return "", t.errf(j, "range %c-%c is out of order", lo, hi)
			}
			j += 1 + n2
			if j+1 < len(s) && s[j] == '-' && s[j+1] != ']' {
				return "", t.errf(j, `"-" after a range is ambiguous; write \-`)
			}
			writeClassChar(&b, lo)
			b.WriteByte('-')
			writeClassChar(&b, hi)
			continue
		}
		writeClassChar(&b, lo)
	}
	t.i = j + 1
	b.WriteByte(']')
	return b.String(), nil
}

// classItem reads one character or class escape inside a bracket
// expression at s[j]; it returns the character, or the RE2 text of a
// class escape, and the bytes consumed.
func (t *reTranslator) classItem(j int) (byte, string, int, error) {
	s := t.src
	c := s[j]
	switch c {
	case '[':
		return 0, "", 0, t.errf(j, `nested character classes are not supported; write \[`)
	case '\\':
		if j+1 >= len(s) {
			return 0, "", 0, t.errf(j, "trailing backslash")
		}
		e := s[j+1]
		switch e {
		case 'd':
			return 0, `0-9`, 2, nil
		case 'D':
			return 0, `\D`, 2, nil
		case 'w':
			return 0, `0-9A-Za-z_`, 2, nil
		case 'W':
			return 0, `\W`, 2, nil
		case 's':
			return 0, `\t\n\x0B\f\r `, 2, nil
		case 'S':
			return 0, `[:^space:]`, 2, nil
		case 'x':
			v, err := t.hex(j)
			return v, "", 4, err
		}
		if !escapableChar(e) {
			return 0, "", 0, t.errf(j, "unsupported escape \\%c", e)
		}
		return e, "", 2, nil
	}
	return c, "", 1, nil
}

func writeClassChar(b *strings.Builder, c byte) {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == ' ':
		b.WriteByte(c)
	case c < 0x20 || c == 0x7f:
		fmt.Fprintf(b, `\x{%02x}`, c)
	default:
		b.WriteByte('\\')
		b.WriteByte(c)
	}
}
