package eventpattern

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// An event is matched as Event Ruler matches one: flattened into the
// values at its leaves, each with the path of field names that leads to
// it joined with dots, and arrays "crushed out": the elements of an array
// are values of the array's path. Only the paths the patterns name are
// kept; the rest of the event is checked for syntax and skipped. Since
// paths are joined with dots, {"a.b": 1} and {"a": {"b": 1}} are the same
// to a pattern, as Event Ruler documents ("Caveat: Compiled rules and JSON
// keys with dots").

// arrayPos is an element of an array of an event: the array, numbered in
// the order arrays open, and the element's index.
type arrayPos struct {
	array, index int32
}

// event is an event being matched: its leaves at the paths of a
// pathTable. It is reused from event to event.
type event struct {
	src    []byte
	key    []byte // a decoded field name or string
	leaves []leaf
	// first[id] is 1 + the index of the last leaf at the path with that
	// id, or 0, when mark[id] == gen.
	first []int32
	mark  []uint32
	gen   uint32
	// trails holds the arrayPos lists of the leaves; open is the list of
	// the value being read.
	trails []arrayPos
	open   []arrayPos
	arrays int32
	folds  []byte // the arena of the leaves' folds
	// sel and selStart serve the array-consistency check.
	sel      []int32
	selStart []int32
}

// errEventNotObject is returned for an event that is not a JSON object.
var errEventNotObject = errors.New("cannot match event: it is not a JSON object")

// jsonError is a fault in the JSON of an event.
type jsonError struct {
	off  int
	what string
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("cannot match event: invalid JSON at offset %d: %s", e.off, e.what)
}

func fault(off int, what string) error { return &jsonError{off, what} }

// load reads src, keeping the leaves at the paths of tab.
func (e *event) load(tab *pathTable, src []byte) error {
	e.src = src
	e.leaves = e.leaves[:0]
	e.trails = e.trails[:0]
	e.open = e.open[:0]
	e.folds = e.folds[:0]
	e.arrays = 0
	if n := int(tab.ids); len(e.mark) < n {
		e.mark = append(e.mark, make([]uint32, n-len(e.mark))...)
		e.first = append(e.first, make([]int32, n-len(e.first))...)
	}
	e.gen++
	if e.gen == 0 { // the marks wrapped around: clear them
		clear(e.mark)
		e.gen = 1
	}
	i := space(src, 0)
	if i >= len(src) || src[i] != '{' {
		return errEventNotObject
	}
	i, err := e.object(i, &tab.root)
	if err != nil {
		return err
	}
	if i = space(src, i); i < len(src) {
		return fault(i, "data after the top-level object")
	}
	return nil
}

// release drops the event's references to the bytes it was loaded from.
func (e *event) release() {
	clear(e.leaves)
	e.leaves = e.leaves[:0]
	e.src = nil
}

// head returns the index of the last leaf at the path with id, or -1.
func (e *event) head(id int32) int32 {
	if e.mark[id] != e.gen {
		return -1
	}
	return e.first[id] - 1
}

// hasTrails reports whether a leaf is inside an object or array that is
// an array element, so that matches must be consistent across arrays.
func (e *event) hasTrails() bool { return len(e.trails) > 0 }

// object reads the object at src[i], whose path is n's, which the rules
// extend, and returns the offset after it.
func (e *event) object(i int, n *pathNode) (int, error) {
	src := e.src
	if i = space(src, i+1); i < len(src) && src[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(src) || src[i] != '"' {
			return i, fault(i, "expected a field name")
		}
		end, escaped, err := scanString(src, i)
		if err != nil {
			return i, err
		}
		name := src[i+1 : end-1]
		if escaped {
			e.key = decodeString(e.key[:0], name)
			name = e.key
		}
		child := n.child(name)
		if i = space(src, end); i >= len(src) || src[i] != ':' {
			return i, fault(i, "expected a colon")
		}
		if i, err = e.value(space(src, i+1), child); err != nil {
			return i, err
		}
		if i = space(src, i); i >= len(src) {
			return i, fault(i, "unexpected end of input in an object")
		}
		switch src[i] {
		case ',':
			i = space(src, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, fault(i, "expected a comma or the end of an object")
		}
	}
}

// value reads the value at src[i], whose path is n's, or one the rules do
// not name when n is nil.
func (e *event) value(i int, n *pathNode) (int, error) {
	if i >= len(e.src) {
		return i, fault(i, "unexpected end of input")
	}
	switch e.src[i] {
	case '{':
		if n == nil || n.below == 0 {
			return skipValue(e.src, i)
		}
		return e.object(i, n)
	case '[':
		if n == nil {
			return skipValue(e.src, i)
		}
		return e.array(i, n)
	}
	if n == nil || n.fields == 0 {
		return skipValue(e.src, i)
	}
	return e.scalar(i, n.id)
}

// array reads the array at src[i], at a path the rules name or extend.
func (e *event) array(i int, n *pathNode) (int, error) {
	src := e.src
	id := e.arrays
	e.arrays++
	if i = space(src, i+1); i < len(src) && src[i] == ']' {
		return i + 1, nil
	}
	for index := int32(0); ; index++ {
		if i >= len(src) {
			return i, fault(i, "unexpected end of input in an array")
		}
		var err error
		switch c := src[i]; {
		case c == '{' && n.below > 0 || c == '[':
			// An object or array element puts its leaves in the element.
			e.open = append(e.open, arrayPos{array: id, index: index})
			if c == '{' {
				i, err = e.object(i, n)
			} else {
				i, err = e.array(i, n)
			}
			e.open = e.open[:len(e.open)-1]
		case c == '{' || n.fields == 0:
			i, err = skipValue(src, i)
		default:
			i, err = e.scalar(i, n.id)
		}
		if err != nil {
			return i, err
		}
		if i = space(src, i); i >= len(src) {
			return i, fault(i, "unexpected end of input in an array")
		}
		switch src[i] {
		case ',':
			i = space(src, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, fault(i, "expected a comma or the end of an array")
		}
	}
}

// scalar reads the string, number, true, false or null at src[i] into a
// leaf at the path with id.
func (e *event) scalar(i int, id int32) (int, error) {
	src := e.src
	l := leaf{next: -1, arena: &e.folds}
	switch c := src[i]; {
	case c == '"':
		end, escaped, err := scanString(src, i)
		if err != nil {
			return i, err
		}
		// A string without escapes shares the event's bytes, which Match
		// and Matches use only while they run.
		l.kind = vString
		switch {
		case escaped:
			e.key = decodeString(e.key[:0], src[i+1:end-1])
			l.text = string(e.key)
		case end-i > 2:
			l.text = unsafe.String(&src[i+1], end-i-2)
		}
		i = end
	case c == '-' || isDigit(c):
		end, err := scanNumber(src, i)
		if err != nil {
			return i, err
		}
		l.kind, l.text = vNumber, unsafe.String(&src[i], end-i)
		l.key, l.keyOK = numberKey(l.text)
		i = end
	default:
		kind, end, err := scanLiteral(src, i)
		if err != nil {
			return i, err
		}
		l.kind, l.text = kind, literals[kind]
		i = end
	}
	if len(e.open) > 0 {
		l.trail, l.trailLen = int32(len(e.trails)), int32(len(e.open))
		e.trails = append(e.trails, e.open...)
	}
	if e.mark[id] == e.gen {
		l.next = e.first[id] - 1
	}
	e.mark[id] = e.gen
	e.leaves = append(e.leaves, l)
	e.first[id] = int32(len(e.leaves))
	return i, nil
}

// space returns the offset of the first byte from i on that is not white
// space.
func space(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\n' || src[i] == '\t' || src[i] == '\r') {
		i++
	}
	return i
}

// skipValue checks the syntax of the value at src[i] and returns the
// offset after it.
func skipValue(src []byte, i int) (int, error) {
	if i >= len(src) {
		return i, fault(i, "unexpected end of input")
	}
	var err error
	switch c := src[i]; {
	case c == '{':
		if i = space(src, i+1); i < len(src) && src[i] == '}' {
			return i + 1, nil
		}
		for {
			if i >= len(src) || src[i] != '"' {
				return i, fault(i, "expected a field name")
			}
			if i, _, err = scanString(src, i); err != nil {
				return i, err
			}
			if i = space(src, i); i >= len(src) || src[i] != ':' {
				return i, fault(i, "expected a colon")
			}
			if i, err = skipValue(src, space(src, i+1)); err != nil {
				return i, err
			}
			if i = space(src, i); i >= len(src) {
				return i, fault(i, "unexpected end of input in an object")
			}
			switch src[i] {
			case '}':
				return i + 1, nil
			case ',':
				i = space(src, i+1)
			default:
				return i, fault(i, "expected a comma or the end of an object")
			}
		}
	case c == '[':
		if i = space(src, i+1); i < len(src) && src[i] == ']' {
			return i + 1, nil
		}
		for {
			if i, err = skipValue(src, i); err != nil {
				return i, err
			}
			if i = space(src, i); i >= len(src) {
				return i, fault(i, "unexpected end of input in an array")
			}
			switch src[i] {
			case ']':
				return i + 1, nil
			case ',':
				i = space(src, i+1)
			default:
				return i, fault(i, "expected a comma or the end of an array")
			}
		}
	case c == '"':
		i, _, err = scanString(src, i)
		return i, err
	case c == '-' || isDigit(c):
		return scanNumber(src, i)
	}
	_, i, err = scanLiteral(src, i)
	return i, err
}

// literals are the texts of true, false and null, by kind.
var literals = map[valueKind]string{vTrue: "true", vFalse: "false", vNull: "null"}

// scanLiteral reads true, false or null at src[i].
func scanLiteral(src []byte, i int) (valueKind, int, error) {
	for _, kind := range [...]valueKind{vTrue, vFalse, vNull} {
		w := literals[kind]
		if len(src)-i >= len(w) && string(src[i:i+len(w)]) == w {
			return kind, i + len(w), nil
		}
	}
	return 0, i, fault(i, "expected a value")
}

// scanNumber reads the JSON number at src[i] and returns the offset after
// it.
func scanNumber(src []byte, i int) (int, error) {
	if src[i] == '-' {
		i++
	}
	switch {
	case i >= len(src) || !isDigit(src[i]):
		return i, fault(i, "expected a digit")
	case src[i] == '0':
		i++
	default:
		i = digits(src, i)
	}
	if i < len(src) && src[i] == '.' {
		if i++; i >= len(src) || !isDigit(src[i]) {
			return i, fault(i, "expected a digit after the decimal point")
		}
		i = digits(src, i)
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		if i++; i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) || !isDigit(src[i]) {
			return i, fault(i, "expected a digit in the exponent")
		}
		i = digits(src, i)
	}
	return i, nil
}

func digits(src []byte, i int) int {
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	return i
}

// plain marks the bytes a JSON string holds as they are: ASCII other
// than control characters, quotes and backslashes.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the offset of the first byte from i on that is not
// plain, reading eight bytes at a time while it can.
func skipPlain(src []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(src); i += 8 {
		x := binary.LittleEndian.Uint64(src[i:])
		q, bs := x^(ones*'"'), x^(ones*'\\')
		// A byte is special when it is a quote or a backslash (a zero byte
		// of q or bs), below 0x20 or above 0x7f.
		if ((q-ones)&^q|(bs-ones)&^bs|(x-ones*0x20)&^x|x)&highs != 0 {
			break
		}
	}
	for i < len(src) && plain[src[i]] {
		i++
	}
	return i
}

// scanString checks the string whose opening quote is at src[i] and
// returns the offset after its closing quote, and whether it has escapes.
func scanString(src []byte, i int) (int, bool, error) {
	escaped := false
	for i++; ; {
		if i = skipPlain(src, i); i >= len(src) {
			return i, false, fault(i, "unterminated string")
		}
		switch c := src[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			n := escapeLen(src, i)
			if n == 0 {
				return i, false, fault(i, "invalid escape")
			}
			escaped = true
			i += n
		case c < 0x20:
			return i, false, fault(i, "control character in a string")
		default:
			r, n := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && n <= 1 {
				return i, false, fault(i, "invalid UTF-8 in a string")
			}
			i += n
		}
	}
}

// escapeLen returns the length of the escape sequence at src[i], or 0 if
// it is not one.
func escapeLen(src []byte, i int) int {
	if i+1 >= len(src) {
		return 0
	}
	switch src[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if _, ok := hex4(src, i+2); ok {
			return 6
		}
	}
	return 0
}

// hex4 reads the four hex digits of a \u escape at src[i].
func hex4(src []byte, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range src[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// decodeString appends to b the text of s, the checked content of a JSON
// string. A \u escape of half a surrogate pair that is not completed is
// U+FFFD.
func decodeString(b, s []byte) []byte {
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			b = append(b, s[i:j]...)
			i = j
			continue
		}
		switch c := s[i+1]; c {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, _ := hex4(s, i+2)
			i += 6
			if utf16IsHigh(r) && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if lo, _ := hex4(s, i+2); utf16IsLow(lo) {
					b = utf8.AppendRune(b, 0x10000+(r-0xD800)<<10+(lo-0xDC00))
					i += 6
					continue
				}
			}
			if utf16IsHigh(r) || utf16IsLow(r) {
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default: // " \ /
			b = append(b, c)
		}
		i += 2
	}
	return b
}
