package mathexpr

import (
	"strconv"
)

// tokKind is the kind of a lexical token of an expression.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokNumber         // 5, 50.25, 1e-36
	tokID             // m1, errors_5xx: a query Id, lowercase first
	tokName           // SUM, LOG10, AND, REPEAT: uppercase first
	tokString         // "errors" or 'Average', raw between the quotes
	tokLParen
	tokRParen
	tokLBrack
	tokRBrack
	tokComma
	tokPlus
	tokMinus
	tokStar
	tokSlash
	tokCaret
	tokLT
	tokLE
	tokGT
	tokGE
	tokEQ
	tokNE
	tokAndAnd
	tokOrOr
)

// token is one lexical token; text is the raw source for names and
// strings, num the value of a number.
type token struct {
	kind tokKind
	pos  int
	text string
	num  float64
}

// lexer splits an expression into tokens.
type lexer struct {
	src string
	pos int
}

// isIDStart, isUpper, isWordChar and isDigit classify ASCII bytes; ids and
// function names are ASCII (Id's pattern is ^[a-z][a-zA-Z0-9_]*$).
func isIDStart(c byte) bool  { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool    { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isWordChar(c byte) bool { return isIDStart(c) || isUpper(c) || isDigit(c) || c == '_' }
func isSpace(c byte) bool    { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// next returns the next token.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case isDigit(c) || (c == '.' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1])):
		return l.number()
	case isIDStart(c) || isUpper(c):
		for l.pos < len(l.src) && isWordChar(l.src[l.pos]) {
			l.pos++
		}
		k := tokID
		if isUpper(c) {
			k = tokName
		}
		return token{kind: k, pos: start, text: l.src[start:l.pos]}, nil
	case c == '"' || c == '\'':
		return l.str(c)
	}
	if l.pos+1 < len(l.src) {
		if k := twoCharToken(c, l.src[l.pos+1]); k != tokEOF {
			l.pos += 2
			return token{kind: k, pos: start, text: l.src[start:l.pos]}, nil
		}
	}
	if k := oneCharToken(c); k != tokEOF {
		l.pos++
		return token{kind: k, pos: start, text: l.src[start:l.pos]}, nil
	}
	return token{}, syntaxError(start, "unexpected character %q", rune(c))
}

// number lexes 5, 50.25, .5 or 1e-36.
func (l *lexer) number() (token, error) {
	start := l.pos
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		p := l.pos + 1
		if p < len(l.src) && (l.src[p] == '+' || l.src[p] == '-') {
			p++
		}
		if p < len(l.src) && isDigit(l.src[p]) {
			for p < len(l.src) && isDigit(l.src[p]) {
				p++
			}
			l.pos = p
		}
	}
	text := l.src[start:l.pos]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		// Only overflow gets here (1e999): AWS's numbers are doubles.
		return token{}, syntaxError(start, "number %s out of range", text)
	}
	return token{kind: tokNumber, pos: start, text: text, num: v}, nil
}

// str lexes a quoted string. A backslash protects the next character from
// ending the string but stays in the text: SEARCH's own escapes
// ("Europe\\France Traffic\(Network\)") must reach the search parser
// intact.
func (l *lexer) str(q byte) (token, error) {
	start := l.pos
	l.pos++
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '\\':
			l.pos += 2
			continue
		case q:
			l.pos++
			return token{kind: tokString, pos: start, text: l.src[start+1 : l.pos-1]}, nil
		}
		l.pos++
	}
	return token{}, syntaxError(start, "unterminated string")
}

// twoCharToken returns the operator spelled by c and d, or tokEOF.
func twoCharToken(c, d byte) tokKind {
	switch string([]byte{c, d}) {
	case "<=":
		return tokLE
	case ">=":
		return tokGE
	case "==":
		return tokEQ
	case "!=":
		return tokNE
	case "&&":
		return tokAndAnd
	case "||":
		return tokOrOr
	}
	return tokEOF
}

// oneCharToken returns the token spelled by c, or tokEOF.
func oneCharToken(c byte) tokKind {
	switch c {
	case '(':
		return tokLParen
	case ')':
		return tokRParen
	case '[':
		return tokLBrack
	case ']':
		return tokRBrack
	case ',':
		return tokComma
	case '+':
		return tokPlus
	case '-':
		return tokMinus
	case '*':
		return tokStar
	case '/':
		return tokSlash
	case '^':
		return tokCaret
	case '<':
		return tokLT
	case '>':
		return tokGT
	}
	return tokEOF
}
