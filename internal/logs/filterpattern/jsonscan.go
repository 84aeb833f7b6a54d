package filterpattern

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A purpose-built JSON reader: one pass over the message validates all of
// it (an event that is not valid JSON matches no JSON pattern) but keeps
// only the values the pattern's selectors can reach, as a small tree of
// nodes in a reusable slice. Nothing is decoded until a condition needs
// it. It accepts exactly RFC 8259 JSON, as Jackson does by default (no
// comments, NaN, single quotes or trailing commas), and nesting up to
// Jackson's default limit of 1000 levels.

type jsonKind uint8

const (
	jNull jsonKind = iota
	jFalse
	jTrue
	jNumber
	jString
	jArray
	jObject
)

// jnode is one kept JSON value. Spans are byte offsets in the message.
type jnode struct {
	kind jsonKind
	esc  bool // the string value contains escapes
	kesc bool // the member key contains escapes
	// start and end delimit the value; for strings, the text between the
	// quotes.
	start, end int32
	// keyStart and keyEnd delimit an object member's key (between the
	// quotes); index is an array element's position.
	keyStart, keyEnd int32
	index            int32
	// first and next link children in document order; -1 ends a list.
	first, next int32
}

// maxDepth is the deepest nesting accepted.
const maxDepth = 1000

// jscan reads one message. Its nodes slice is reused across messages.
type jscan struct {
	s     string
	i     int
	depth int
	nodes []jnode
}

// parse reads s as a JSON object, keeping the values t selects. It
// reports false when s is not a valid JSON object. The root is node 0.
func (sc *jscan) parse(s string, t *trie) bool {
	sc.s, sc.i, sc.depth, sc.nodes = s, 0, 0, sc.nodes[:0]
	sc.ws()
	if sc.i >= len(s) || s[sc.i] != '{' {
		return false
	}
	if _, ok := sc.value(t); !ok {
		return false
	}
	sc.ws()
	return sc.i == len(s)
}

func (sc *jscan) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// value reads one value; when t is nil it only validates it and returns
// -1, otherwise it returns the new node's index.
func (sc *jscan) value(t *trie) (int32, bool) {
	s := sc.s
	if sc.i >= len(s) {
		return -1, false
	}
	var n jnode
	n.start, n.first, n.next, n.keyStart, n.keyEnd = int32(sc.i), -1, -1, -1, -1
	switch c := s[sc.i]; {
	case c == '{':
		return sc.object(t)
	case c == '[':
		return sc.array(t)
	case c == '"':
		esc, ok := sc.str()
		if !ok {
			return -1, false
		}
		n.kind, n.esc, n.start, n.end = jString, esc, n.start+1, int32(sc.i-1)
	case c == '-' || c >= '0' && c <= '9':
		if !sc.number() {
			return -1, false
		}
		n.kind, n.end = jNumber, int32(sc.i)
	case strings.HasPrefix(s[sc.i:], "true"):
		sc.i += 4
		n.kind, n.end = jTrue, int32(sc.i)
	case strings.HasPrefix(s[sc.i:], "false"):
		sc.i += 5
		n.kind, n.end = jFalse, int32(sc.i)
	case strings.HasPrefix(s[sc.i:], "null"):
		sc.i += 4
		n.kind, n.end = jNull, int32(sc.i)
	default:
		return -1, false
	}
	if t == nil {
		return -1, true
	}
	sc.nodes = append(sc.nodes, n)
	return int32(len(sc.nodes) - 1), true
}

// container starts a kept container node (or none when t is nil).
func (sc *jscan) container(t *trie, kind jsonKind) int32 {
	if t == nil {
		return -1
	}
	sc.nodes = append(sc.nodes, jnode{kind: kind, start: int32(sc.i), first: -1, next: -1, keyStart: -1, keyEnd: -1})
	return int32(len(sc.nodes) - 1)
}

// link appends child to parent's children; last is the previous child.
func (sc *jscan) link(parent, last, child int32) int32 {
	if child < 0 {
		return last
	}
	if last < 0 {
		sc.nodes[parent].first = child
	} else {
		sc.nodes[last].next = child
	}
	return child
}

func (sc *jscan) object(t *trie) (int32, bool) {
	if sc.depth++; sc.depth > maxDepth {
		return -1, false
	}
	self := sc.container(t, jObject)
	s := sc.s
	sc.i++
	sc.ws()
	last := int32(-1)
	if sc.i < len(s) && s[sc.i] == '}' {
		sc.i++
	} else {
		for {
			if sc.i >= len(s) || s[sc.i] != '"' {
				return -1, false
			}
			ks := sc.i + 1
			kesc, ok := sc.str()
			if !ok {
				return -1, false
			}
			ke := sc.i - 1
			sc.ws()
			if sc.i >= len(s) || s[sc.i] != ':' {
				return -1, false
			}
			sc.i++
			sc.ws()
			var ct *trie
			if t != nil {
				ct = t.member(s[ks:ke], kesc)
			}
			child, ok := sc.value(ct)
			if !ok {
				return -1, false
			}
			if child >= 0 {
				sc.nodes[child].keyStart, sc.nodes[child].keyEnd, sc.nodes[child].kesc = int32(ks), int32(ke), kesc
				last = sc.link(self, last, child)
			}
			if done, ok := sc.separator('}'); !ok {
				return -1, false
			} else if done {
				break
			}
		}
	}
	return sc.close(self), true
}

// separator consumes what follows a member or an element: a comma (more
// to come) or the container's closing byte (done); ok is false for
// anything else.
func (sc *jscan) separator(closing byte) (done, ok bool) {
	sc.ws()
	if sc.i < len(sc.s) && sc.s[sc.i] == ',' {
		sc.i++
		sc.ws()
		return false, true
	}
	if sc.i < len(sc.s) && sc.s[sc.i] == closing {
		sc.i++
		return true, true
	}
	return false, false
}

// close ends the container node self (-1: not kept) at the current
// position.
func (sc *jscan) close(self int32) int32 {
	sc.depth--
	if self >= 0 {
		sc.nodes[self].end = int32(sc.i)
	}
	return self
}

func (sc *jscan) array(t *trie) (int32, bool) {
	if sc.depth++; sc.depth > maxDepth {
		return -1, false
	}
	self := sc.container(t, jArray)
	s := sc.s
	sc.i++
	sc.ws()
	last := int32(-1)
	if sc.i < len(s) && s[sc.i] == ']' {
		sc.i++
	} else {
		for k := 0; ; k++ {
			var ct *trie
			if t != nil {
				ct = t.element(k)
			}
			child, ok := sc.value(ct)
			if !ok {
				return -1, false
			}
			if child >= 0 {
				sc.nodes[child].index = int32(k)
				last = sc.link(self, last, child)
			}
			if done, ok := sc.separator(']'); !ok {
				return -1, false
			} else if done {
				break
			}
		}
	}
	return sc.close(self), true
}

// member returns the subtree a member named key needs, or nil.
func (t *trie) member(key string, esc bool) *trie {
	if t.full {
		return t
	}
	if t.fields != nil {
		if esc {
			key = unescapeJSON(key)
		}
		if c := t.fields[key]; c != nil {
			return c
		}
	}
	return t.wild
}

// element returns the subtree array element k needs, or nil.
func (t *trie) element(k int) *trie {
	if t.full {
		return t
	}
	if c := t.index[k]; c != nil {
		return c
	}
	return t.wild
}

// str reads a string at s[i] == '"' and reports whether it has escapes.
func (sc *jscan) str() (esc, ok bool) {
	s := sc.s
	i := sc.i + 1
	for i < len(s) {
		// Skip plain bytes quickly.
		for i < len(s) && s[i] != '"' && s[i] != '\\' && s[i] >= 0x20 {
			i++
		}
		if i >= len(s) {
			return false, false
		}
		switch c := s[i]; {
		case c == '"':
			sc.i = i + 1
			return esc, true
		case c < 0x20:
			return false, false
		}
		esc = true
		if i+1 >= len(s) {
			return false, false
		}
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if i+5 >= len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
				return false, false
			}
			i += 6
		default:
			return false, false
		}
	}
	return false, false
}

// number reads a JSON number.
func (sc *jscan) number() bool {
	s := sc.s
	i := sc.i
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		k := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == k {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		k := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == k {
			return false
		}
	}
	sc.i = i
	return true
}

// unescapeJSON decodes the escapes of a validated JSON string body. Lone
// surrogates become U+FFFD.
func unescapeJSON(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			b.WriteByte(c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if i+4 >= len(raw) {
				b.WriteRune(utf8.RuneError)
				i = len(raw)
				continue
			}
			r := rune(hex4(raw[i+1 : i+5]))
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2 := rune(hex4(raw[i+3 : i+7]))
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b.WriteRune(d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			b.WriteByte(raw[i])
		}
	}
	return b.String()
}

func hex4(s string) int {
	v := 0
	for i := 0; i < 4; i++ {
		v = v<<4 | int(unhex(s[i]))
	}
	return v
}
