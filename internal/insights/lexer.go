package insights

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind classifies tokens.
type tokKind int

const (
	tEOF    tokKind = iota
	tIdent          // a field name or keyword (bare or in backticks)
	tString         // "…" or '…'
	tNumber         // 12, 1.5
	tPeriod         // 5m, 1h, 300ms
	tRegex          // /…/flags
	tPipe           // |
	tComma          // ,
	tLParen         // (
	tRParen         // )
	tLBrack         // [
	tRBrack         // ]
	tDot            // . (member access after ] or ))
	tColon          // : (SOURCE parameters)
	tOp             // = != < <= > >= + - * / % ^ =~
)

type token struct {
	kind tokKind
	text string // the value: unquoted string, regex body, identifier, operator
	raw  string // the source text
	pos  Pos
	// quoted is true for identifiers written in backticks (never keywords).
	quoted bool
	// flags holds regex flags (e.g. "i").
	flags string
	// parts are the dot-separated parts of an identifier; a backticked
	// part keeps its dots.
	parts []string
}

type lexer struct {
	src  string
	off  int
	line int
	col  int
	prev tokKind
	// prevText is the text of the previous token (lowercased identifiers),
	// used to tell a regex from a division.
	prevText string
	// parseArg counts tokens after the parse keyword: the token after its
	// source field may be a regex.
	parseArg int
}

func newLexer(src string) *lexer { return &lexer{src: src, line: 1, col: 1, prev: tPipe} }

func (l *lexer) pos() Pos { return Pos{Offset: l.off, Line: l.line, Column: l.col} }

func (l *lexer) peekRune() rune {
	if l.off >= len(l.src) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.off:])
	return r
}

func (l *lexer) next() rune {
	if l.off >= len(l.src) {
		return -1
	}
	r, n := utf8.DecodeRuneInString(l.src[l.off:])
	l.off += n
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '@' || r == '$' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return r == '_' || r == '@' || r == '$' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// regexAllowed reports whether a '/' at this point starts a regular
// expression (operand position) rather than a division.
func (l *lexer) regexAllowed() bool {
	switch l.prev {
	case tOp, tPipe, tComma, tLParen, tLBrack:
		return true
	case tIdent:
		switch l.prevText {
		case "like", "parse", "in", "and", "or", "not", "filter":
			return true
		}
		return l.parseArg == 2
	}
	return false
}

// lex returns the next token.
func (l *lexer) lex() (token, error) {
	t, err := l.scan()
	if err == nil {
		switch {
		case t.kind == tIdent && !t.quoted && strings.EqualFold(t.text, "parse"):
			l.parseArg = 1
		case l.parseArg == 1:
			l.parseArg = 2
		default:
			l.parseArg = 0
		}
		l.prev = t.kind
		l.prevText = ""
		if t.kind == tIdent && !t.quoted {
			l.prevText = strings.ToLower(t.text)
		}
	}
	return t, err
}

func (l *lexer) scan() (token, error) {
	// Skip white space and comments (# to the end of the line).
	for {
		r := l.peekRune()
		if r == '#' {
			for r != -1 && r != '\n' {
				l.next()
				r = l.peekRune()
			}
			continue
		}
		if r != -1 && unicode.IsSpace(r) {
			l.next()
			continue
		}
		break
	}
	p := l.pos()
	start := l.off
	r := l.next()
	mk := func(k tokKind, text string) token {
		return token{kind: k, text: text, raw: l.src[start:l.off], pos: p}
	}
	switch {
	case r == -1:
		return token{kind: tEOF, pos: p}, nil
	case r == '|':
		return mk(tPipe, "|"), nil
	case r == ',':
		return mk(tComma, ","), nil
	case r == '(':
		return mk(tLParen, "("), nil
	case r == ')':
		return mk(tRParen, ")"), nil
	case r == '[':
		return mk(tLBrack, "["), nil
	case r == ':':
		return mk(tColon, ":"), nil
	case r == ']':
		return mk(tRBrack, "]"), nil
	case r == '"' || r == '\'':
		s, err := l.quoted(r, p)
		if err != nil {
			return token{}, err
		}
		return mk(tString, s), nil
	case r == '`':
		name, err := l.backtick(p)
		if err != nil {
			return token{}, err
		}
		name, parts, err := l.identTail(name, []string{name}, true)
		if err != nil {
			return token{}, err
		}
		t := mk(tIdent, name)
		t.quoted = true
		t.parts = parts
		return t, nil
	case r == '/' && l.regexAllowed():
		body, err := l.regex(p)
		if err != nil {
			return token{}, err
		}
		flags := ""
		for {
			c := l.peekRune()
			if c >= 'a' && c <= 'z' {
				flags += string(c)
				l.next()
				continue
			}
			break
		}
		t := mk(tRegex, body)
		t.flags = flags
		return t, nil
	case r >= '0' && r <= '9':
		return l.number(start, p), nil
	case r == '.' && l.peekRune() >= '0' && l.peekRune() <= '9' && l.prev != tRBrack && l.prev != tRParen:
		return l.number(start, p), nil
	case r == '.':
		return mk(tDot, "."), nil
	case isIdentStart(r):
		for isIdentPart(l.peekRune()) {
			l.next()
		}
		if raw := l.src[start:l.off]; strings.Contains(raw, "..") || strings.HasSuffix(raw, ".") && l.peekRune() != '`' {
			return token{}, errorf(p, "invalid field name %s", raw)
		}
		name, parts, err := l.identTail(l.src[start:l.off], dotParts(l.src[start:l.off]), false)
		if err != nil {
			return token{}, err
		}
		return token{kind: tIdent, text: name, raw: l.src[start:l.off], pos: p, parts: parts}, nil
	}
	switch r {
	case '=':
		if l.peekRune() == '~' {
			l.next()
			return mk(tOp, "=~"), nil
		}
		if l.peekRune() == '=' { // tolerate ==
			l.next()
		}
		return mk(tOp, "="), nil
	case '!':
		if l.peekRune() == '=' {
			l.next()
			return mk(tOp, "!="), nil
		}
	case '<':
		if l.peekRune() == '=' {
			l.next()
			return mk(tOp, "<="), nil
		}
		if l.peekRune() == '>' {
			l.next()
			return mk(tOp, "!="), nil
		}
		return mk(tOp, "<"), nil
	case '>':
		if l.peekRune() == '=' {
			l.next()
			return mk(tOp, ">="), nil
		}
		return mk(tOp, ">"), nil
	case '+', '-', '*', '/', '%', '^':
		return mk(tOp, string(r)), nil
	}
	return token{}, errorf(p, "unexpected symbol found %s", string(r))
}

// identTail continues a field name across backticked parts, so that
// a.`b.c`.d is one name ("a.b.c.d") with the parts a, b.c and d. lastTick
// tells whether name ended with a backticked part.
func (l *lexer) identTail(name string, parts []string, lastTick bool) (string, []string, error) {
	for {
		switch {
		case strings.HasSuffix(name, ".") && !lastTick && l.peekRune() == '`':
			p := l.pos()
			l.next()
			part, err := l.backtick(p)
			if err != nil {
				return "", nil, err
			}
			name += part
			parts = append(parts, part)
			lastTick = true
		case lastTick && l.peekRune() == '.':
			start := l.off
			l.next()
			for isIdentPart(l.peekRune()) {
				l.next()
			}
			if raw := l.src[start:l.off]; raw == "." || strings.Contains(raw, "..") || strings.HasSuffix(raw, ".") && l.peekRune() != '`' {
				return "", nil, errorf(l.pos(), "invalid field name %s", name+raw)
			}
			name += l.src[start:l.off]
			parts = append(parts, dotParts(l.src[start+1:l.off])...)
			lastTick = false
		default:
			return name, parts, nil
		}
	}
}

// dotParts splits a bare name at its dots; a trailing dot (before a
// backticked part) makes no part.
func dotParts(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.Split(strings.TrimSuffix(s, "."), ".")
	return out
}

func (l *lexer) backtick(p Pos) (string, error) {
	start := l.off
	for {
		r := l.next()
		if r == -1 {
			return "", errorf(p, "unterminated field name")
		}
		if r == '`' {
			if l.off-1 == start {
				return "", errorf(p, "invalid field name ``")
			}
			return l.src[start : l.off-1], nil
		}
	}
}

func (l *lexer) quoted(q rune, p Pos) (string, error) {
	var b strings.Builder
	for {
		r := l.next()
		switch r {
		case -1:
			return "", errorf(p, "unterminated string")
		case q:
			return b.String(), nil
		case '\\':
			e := l.next()
			switch e {
			case -1:
				return "", errorf(p, "unterminated string")
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '\\', '"', '\'':
				b.WriteRune(e)
			default:
				// Keep unknown escapes verbatim (patterns such as "\d").
				b.WriteByte('\\')
				b.WriteRune(e)
			}
		default:
			b.WriteRune(r)
		}
	}
}

func (l *lexer) regex(p Pos) (string, error) {
	var b strings.Builder
	for {
		r := l.next()
		switch r {
		case -1:
			return "", errorf(p, "unterminated regular expression")
		case '/':
			return b.String(), nil
		case '\\':
			e := l.next()
			if e == -1 {
				return "", errorf(p, "unterminated regular expression")
			}
			if e != '/' {
				b.WriteByte('\\')
			}
			b.WriteRune(e)
		default:
			b.WriteRune(r)
		}
	}
}

// number lexes a number or a time period (a number followed at once by a
// unit such as ms, s, m, h, d).
func (l *lexer) number(start int, p Pos) token {
	for {
		r := l.peekRune()
		if (r >= '0' && r <= '9') || r == '.' {
			l.next()
			continue
		}
		break
	}
	// Exponent.
	if r := l.peekRune(); r == 'e' || r == 'E' {
		save := *l
		l.next()
		if r2 := l.peekRune(); r2 == '+' || r2 == '-' {
			l.next()
		}
		if r3 := l.peekRune(); r3 >= '0' && r3 <= '9' {
			for r4 := l.peekRune(); r4 >= '0' && r4 <= '9'; r4 = l.peekRune() {
				l.next()
			}
			return token{kind: tNumber, text: l.src[start:l.off], raw: l.src[start:l.off], pos: p}
		}
		*l = save
	}
	numEnd := l.off
	if r := l.peekRune(); r != -1 && unicode.IsLetter(r) {
		for r := l.peekRune(); r != -1 && (unicode.IsLetter(r)); r = l.peekRune() {
			l.next()
		}
		return token{kind: tPeriod, text: l.src[start:l.off], raw: l.src[start:l.off], pos: p}
	}
	return token{kind: tNumber, text: l.src[start:numEnd], raw: l.src[start:numEnd], pos: p}
}
