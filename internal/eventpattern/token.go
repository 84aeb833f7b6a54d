package eventpattern

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a token of a pattern.
type tokKind uint8

const (
	tokEOF       tokKind = iota // end of input before any value
	tokObject                   // {
	tokObjectEnd                // }
	tokArray                    // [
	tokArrayEnd                 // ]
	tokName                     // a field name, with its colon
	tokString
	tokNumber
	tokTrue
	tokFalse
	tokNull
	tokError // a syntax error; always the last token
)

// token is one token of a pattern, as Jackson, the JSON parser behind
// Event Ruler, hands them out.
type token struct {
	kind tokKind
	// off is the offset of the token's first byte.
	off int
	// text is the decoded name or string, the literal of a number, true,
	// false or null, the bracket of a structural token, or the message of
	// a tokError.
	text string
	// bad is the error in a string's content. Jackson reads a string's
	// content only when asked for its text, so the error is raised then.
	bad string
	// badOff is the offset of that error.
	badOff int
}

// isNumber reports whether the token is a number.
func (t token) isNumber() bool { return t.kind == tokNumber }

// validValue is Jackson's list of what may start a JSON value.
const validValue = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"

// lexer splits a pattern into tokens, stopping after the top-level value
// (Jackson reads no further, so trailing text is ignored) or at the first
// syntax error, which it words as Jackson does, without the location
// Jackson appends.
type lexer struct {
	src   []byte
	pos   int
	toks  []token
	stack []lexFrame
}

// lexFrame is an open object or array and what may come next in it.
type lexFrame struct {
	object bool
	state  frameState
}

// frameState is where a lexer is in an object or array.
type frameState uint8

const (
	justOpened frameState = iota
	afterComma
	afterValue // after a member or element
)

// tokenize returns the tokens of src.
func tokenize(src []byte) []token {
	l := &lexer{src: src, toks: make([]token, 0, len(src)/4+4)}
	l.run()
	return l.toks
}

func (l *lexer) run() {
	l.skipSpace()
	if l.pos >= len(l.src) {
		l.toks = append(l.toks, token{kind: tokEOF, off: l.pos})
		return
	}
	if !l.value() {
		return
	}
	for len(l.stack) > 0 {
		if !l.step() {
			return
		}
	}
}

// fail appends a syntax error at off.
func (l *lexer) fail(off int, format string, args ...any) bool {
	l.toks = append(l.toks, token{kind: tokError, off: off, text: fmt.Sprintf(format, args...)})
	return false
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\n', '\r':
			l.pos++
		default:
			return
		}
	}
}

// step lexes the next token inside the innermost open object or array.
func (l *lexer) step() bool {
	f := &l.stack[len(l.stack)-1]
	l.skipSpace()
	if l.pos >= len(l.src) {
		return l.eof()
	}
	c := l.src[l.pos]
	// Jackson closes a scope before it looks for a comma, except right
	// after one.
	if (c == '}' || c == ']') && f.state != afterComma {
		want := byte(']')
		kind := tokArrayEnd
		if f.object {
			want, kind = '}', tokObjectEnd
		}
		if c != want {
			return l.fail(l.pos, "Unexpected close marker '%c': expected '%c'", c, want)
		}
		l.toks = append(l.toks, token{kind: kind, off: l.pos, text: string(c)})
		l.pos++
		l.stack = l.stack[:len(l.stack)-1]
		if len(l.stack) > 0 {
			l.stack[len(l.stack)-1].state = afterValue
		}
		return true
	}
	if f.state == afterValue {
		if c != ',' {
			what := "Array"
			if f.object {
				what = "Object"
			}
			return l.fail(l.pos, "Unexpected character (%s): was expecting comma to separate %s entries", l.charDesc(l.pos), what)
		}
		l.pos++
		f.state = afterComma
		l.skipSpace()
		if l.pos >= len(l.src) {
			return l.eof()
		}
	}
	if !f.object {
		f.state = afterValue
		return l.value()
	}
	return l.member()
}

// eof reports the end of input inside an open object or array.
func (l *lexer) eof() bool {
	what := "Array"
	if l.stack[len(l.stack)-1].object {
		what = "Object"
	}
	return l.fail(l.pos, "Unexpected end-of-input: expected close marker for %s", what)
}

// member lexes a field name, its colon and the start of its value.
func (l *lexer) member() bool {
	f := &l.stack[len(l.stack)-1]
	start := l.pos
	if l.src[l.pos] != '"' {
		return l.fail(l.pos, "Unexpected character (%s): was expecting double-quote to start field name", l.charDesc(l.pos))
	}
	name, bad, badOff, ok := l.str()
	if !ok {
		return false
	}
	if bad != "" {
		return l.fail(badOff, "%s", bad)
	}
	l.skipSpace()
	if l.pos >= len(l.src) {
		return l.eof()
	}
	if l.src[l.pos] != ':' {
		return l.fail(l.pos, "Unexpected character (%s): was expecting a colon to separate field name and value", l.charDesc(l.pos))
	}
	l.pos++
	l.skipSpace()
	if l.pos >= len(l.src) {
		return l.eof()
	}
	f.state = afterValue
	// Jackson reads the start of the value with the name, so an error
	// there is raised before the name is seen.
	n := len(l.toks)
	l.toks = append(l.toks, token{kind: tokName, off: start, text: name})
	if !l.value() {
		errTok := l.toks[len(l.toks)-1]
		l.toks = append(l.toks[:n], errTok)
		return false
	}
	return true
}

// value lexes the start of a value: a whole scalar, or the bracket that
// opens an object or array.
func (l *lexer) value() bool {
	start := l.pos
	c := l.src[l.pos]
	switch {
	case c == '{':
		l.pos++
		l.toks = append(l.toks, token{kind: tokObject, off: start, text: "{"})
		l.stack = append(l.stack, lexFrame{object: true, state: justOpened})
		return true
	case c == '[':
		l.pos++
		l.toks = append(l.toks, token{kind: tokArray, off: start, text: "["})
		l.stack = append(l.stack, lexFrame{state: justOpened})
		return true
	case c == '"':
		s, bad, badOff, ok := l.str()
		if !ok {
			return false
		}
		l.toks = append(l.toks, token{kind: tokString, off: start, text: s, bad: bad, badOff: badOff})
		return true
	case c == '-' || ('0' <= c && c <= '9'):
		return l.number()
	}
	r, _ := utf8.DecodeRune(l.src[l.pos:])
	if !isIdentStart(r) {
		return l.fail(l.pos, "Unexpected character (%s): expected a valid value %s", l.charDesc(l.pos), validValue)
	}
	word := l.word()
	switch word {
	case "true":
		l.toks = append(l.toks, token{kind: tokTrue, off: start, text: word})
	case "false":
		l.toks = append(l.toks, token{kind: tokFalse, off: start, text: word})
	case "null":
		l.toks = append(l.toks, token{kind: tokNull, off: start, text: word})
	default:
		return l.fail(start, "Unrecognized token '%s': was expecting %s", word, validValue)
	}
	return true
}

// word reads the characters Jackson takes into an unrecognized token.
func (l *lexer) word() string {
	start := l.pos
	for l.pos < len(l.src) && l.pos-start < 256 {
		r, n := utf8.DecodeRune(l.src[l.pos:])
		if !isIdentPart(r) {
			break
		}
		l.pos += n
	}
	return string(l.src[start:l.pos])
}

func isIdentStart(r rune) bool { return unicode.IsLetter(r) || r == '_' || r == '$' }

func isIdentPart(r rune) bool { return isIdentStart(r) || unicode.IsDigit(r) }

// number lexes a JSON number.
func (l *lexer) number() bool {
	start := l.pos
	if l.src[l.pos] == '-' {
		l.pos++
		if l.pos >= len(l.src) {
			return l.fail(l.pos, "Unexpected end-of-input in numeric value")
		}
		if !isDigit(l.src[l.pos]) {
			return l.fail(l.pos, "Unexpected character (%s) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value", l.charDesc(l.pos))
		}
	}
	if l.src[l.pos] == '0' && l.pos+1 < len(l.src) && isDigit(l.src[l.pos+1]) {
		return l.fail(l.pos, "Invalid numeric value: Leading zeroes not allowed")
	}
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '.' {
		l.pos++
		if l.pos >= len(l.src) {
			return l.fail(l.pos, "Unexpected end-of-input in numeric value")
		}
		if !isDigit(l.src[l.pos]) {
			return l.fail(l.pos, "Unexpected character (%s) in numeric value: Decimal point not followed by a digit", l.charDesc(l.pos))
		}
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if l.pos >= len(l.src) {
			return l.fail(l.pos, "Unexpected end-of-input in numeric value")
		}
		if !isDigit(l.src[l.pos]) {
			return l.fail(l.pos, "Unexpected character (%s) in numeric value: Exponent indicator not followed by a digit", l.charDesc(l.pos))
		}
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
	}
	l.toks = append(l.toks, token{kind: tokNumber, off: start, text: string(l.src[start:l.pos])})
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// str reads a string from the opening quote at l.pos. It fails (and
// appends the error) only when the string is not closed; another fault in
// its content is returned as bad, to be raised when the text is read.
func (l *lexer) str() (s, bad string, badOff int, ok bool) {
	l.pos++ // the opening quote
	start := l.pos
	plain := true
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '"' {
			if plain {
				s = string(l.src[start:l.pos])
				l.pos++
				return s, "", 0, true
			}
			break
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			plain = false
			break
		}
		l.pos++
	}
	var b strings.Builder
	b.Write(l.src[start:l.pos])
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			return b.String(), bad, badOff, true
		case c < 0x20:
			if bad == "" {
				bad, badOff = fmt.Sprintf("Illegal unquoted character (%s): has to be escaped using backslash to be included in string value", l.charDesc(l.pos)), l.pos
			}
			l.pos++
		case c == '\\':
			if l.pos+1 >= len(l.src) {
				l.pos++
				continue
			}
			r, n, msg := l.escape()
			if msg != "" && bad == "" {
				bad, badOff = msg, l.pos
			}
			b.WriteRune(r)
			l.pos += n
		case c >= 0x80:
			r, n := utf8.DecodeRune(l.src[l.pos:])
			if r == utf8.RuneError && n <= 1 {
				if bad == "" {
					bad, badOff = utf8Fault(l.src[l.pos:]), l.pos
				}
				l.pos++
				continue
			}
			b.WriteString(string(l.src[l.pos : l.pos+n]))
			l.pos += n
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	l.fail(l.pos, "Unexpected end-of-input: was expecting closing quote for a string value")
	return "", "", 0, false
}

// escape decodes the escape sequence at l.pos, returning the rune, the
// bytes it takes and a fault if it is not a JSON escape.
func (l *lexer) escape() (rune, int, string) {
	c := l.src[l.pos+1]
	switch c {
	case '"', '\\', '/':
		return rune(c), 2, ""
	case 'b':
		return '\b', 2, ""
	case 'f':
		return '\f', 2, ""
	case 'n':
		return '\n', 2, ""
	case 'r':
		return '\r', 2, ""
	case 't':
		return '\t', 2, ""
	case 'u':
		r, msg := l.hex4(l.pos + 2)
		if msg != "" {
			return utf8.RuneError, 2, msg
		}
		n := 6
		if utf16IsHigh(r) && l.pos+7 < len(l.src) && l.src[l.pos+6] == '\\' && l.src[l.pos+7] == 'u' {
			if lo, msg := l.hex4(l.pos + 8); msg == "" && utf16IsLow(lo) {
				return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12, ""
			}
		}
		if utf16IsHigh(r) || utf16IsLow(r) {
			return utf8.RuneError, n, ""
		}
		return r, n, ""
	}
	r, _ := utf8.DecodeRune(l.src[l.pos+1:])
	return utf8.RuneError, 2, fmt.Sprintf("Unrecognized character escape '%c' (code %d)", r, r)
}

// hex4 reads the four hex digits of a \u escape at off.
func (l *lexer) hex4(off int) (rune, string) {
	var r rune
	for i := 0; i < 4; i++ {
		if off+i >= len(l.src) {
			return 0, "Unexpected end-of-input within/between String entries"
		}
		c := l.src[off+i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, fmt.Sprintf("Unexpected character (%s): expected a hex-digit for character escape sequence", l.charDesc(off+i))
		}
		r = r<<4 | rune(v)
	}
	return r, ""
}

func utf16IsHigh(r rune) bool { return 0xD800 <= r && r < 0xDC00 }

func utf16IsLow(r rune) bool { return 0xDC00 <= r && r < 0xE000 }

// utf8Fault words an invalid UTF-8 sequence as Jackson does.
func utf8Fault(b []byte) string {
	c := b[0]
	if c < 0xC2 || c > 0xF4 {
		return fmt.Sprintf("Invalid UTF-8 start byte 0x%x", c)
	}
	for i := 1; i < len(b) && i < 4; i++ {
		if b[i]&0xC0 != 0x80 {
			return fmt.Sprintf("Invalid UTF-8 middle byte 0x%x", b[i])
		}
	}
	return "Unexpected end-of-input in UTF-8 character"
}

// charDesc describes the character at off as Jackson does: "'x' (code
// 120)", or "(CTRL-CHAR, code 10)" for a control character.
func (l *lexer) charDesc(off int) string {
	r, _ := utf8.DecodeRune(l.src[off:])
	switch {
	case unicode.IsControl(r):
		return fmt.Sprintf("(CTRL-CHAR, code %d)", r)
	case r > 255:
		return fmt.Sprintf("'%c' (code %d / 0x%x)", r, r, r)
	}
	return fmt.Sprintf("'%c' (code %d)", r, r)
}
