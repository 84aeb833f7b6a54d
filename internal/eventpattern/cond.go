package eventpattern

import (
	"slices"
	"strings"
	"unsafe"
)

// A rule is one way a pattern can match: every field must be satisfied.
// A pattern is one rule, or one per combination of the branches of its
// $or, as Event Ruler compiles it.
type rule struct {
	fields []field // sorted by path
}

// A field is the condition a rule puts on one path: that a value at the
// path meets one of conds, or, when absent is set ({"exists": false}
// among the values), that no value is at the path.
type field struct {
	path string
	// depth is the number of objects the field is nested in, from 1; SNS
	// counts it in a filter policy's complexity.
	depth int
	// values is the number of values the pattern lists for the field.
	values int
	conds  []cond
	absent bool
}

// opKind is the kind of a value in a pattern's list.
type opKind uint8

const (
	opString              opKind = iota // "text"
	opIP                                // "10.0.0.1": the address, however written
	opNumber                            // 300: the number, or its literal text
	opLiteral                           // true, false, null
	opPrefix                            // {"prefix": "x"}
	opPrefixFold                        // {"prefix": {"equals-ignore-case": "x"}}
	opSuffix                            // {"suffix": "x"}
	opSuffixFold                        // {"suffix": {"equals-ignore-case": "x"}}
	opEqualsFold                        // {"equals-ignore-case": "x"}
	opWildcard                          // {"wildcard": "x*"}
	opNumeric                           // {"numeric": [">", 0, "<=", 5]}
	opCIDR                              // {"cidr": "10.0.0.0/24"}
	opExists                            // {"exists": true}
	opAnythingBut                       // {"anything-but": "x"}, or a list of strings or of numbers
	opAnythingButPrefix                 // {"anything-but": {"prefix": ...}}
	opAnythingButSuffix                 // {"anything-but": {"suffix": ...}}
	opAnythingButFold                   // {"anything-but": {"equals-ignore-case": ...}}
	opAnythingButWildcard               // {"anything-but": {"wildcard": ...}}
)

// A cond is one value of a pattern's list: a condition one value of the
// event meets or not.
type cond struct {
	kind opKind
	// s is the string, the literal of a number, true, false or null, or
	// the affix; folded (fold) for the kinds that ignore case.
	s string
	// key is the key of a number, when keyOK.
	key   int64
	keyOK bool
	rng   numRange
	ip    ipAddr
	block cidr
	glob  glob
	// strs are the strings an anything-but excludes (folded for
	// opAnythingButFold), or its prefixes or suffixes.
	strs []string
	// keys are the numbers an anything-but excludes.
	keys  []int64
	globs []glob
}

// valueKind is the JSON type of a value in an event.
type valueKind uint8

const (
	vString valueKind = iota
	vNumber
	vTrue
	vFalse
	vNull
)

// A leaf is a value of an event that is neither an object nor an array,
// at the path a pattern names.
type leaf struct {
	kind valueKind
	// text is the string, or the literal of a number, true, false or null.
	text  string
	key   int64
	keyOK bool
	// folded and ip are computed when first needed.
	folded  string
	ip      ipAddr
	hasFold bool
	ipState uint8 // 0 not known, 1 an address, 2 not one
	// trail and trailLen locate in event.trails the arrays the leaf is in
	// an object or array element of, with the element's index.
	trail, trailLen int32
	// next is the index of the next leaf at the same path, or -1.
	next int32
	// arena holds the folds of the event's strings.
	arena *[]byte
}

func (l *leaf) fold() string {
	if !l.hasFold {
		l.folded, l.hasFold = l.text, true
		if !folded(l.text) {
			start := len(*l.arena)
			*l.arena = appendFold(*l.arena, l.text)
			// The fold shares the arena's bytes, which later appends
			// leave alone, until the next event is loaded.
			l.folded = unsafe.String(&(*l.arena)[start], len(*l.arena)-start)
		}
	}
	return l.folded
}

// addr returns the leaf as an address, if it is a string that is one.
func (l *leaf) addr() (ipAddr, bool) {
	if l.ipState == 0 {
		l.ipState = 2
		if a, _, ok := parseIP(l.text); ok {
			l.ip, l.ipState = a, 1
		}
	}
	return l.ip, l.ipState == 1
}

// matches reports whether the leaf meets the condition. Matches on
// strings ignore values of other types; an anything-but matches every
// value it does not exclude, whatever its type, as EventBridge's
// anything-but matches null and numbers.
func (c *cond) matches(l *leaf) bool {
	isString := l.kind == vString
	switch c.kind {
	case opString:
		return isString && l.text == c.s
	case opIP:
		if !isString {
			return false
		}
		a, ok := l.addr()
		return ok && a == c.ip
	case opNumber:
		return l.kind == vNumber && (c.keyOK && l.keyOK && c.key == l.key || l.text == c.s)
	case opLiteral:
		return l.kind != vString && l.kind != vNumber && l.text == c.s
	case opPrefix:
		return isString && strings.HasPrefix(l.text, c.s)
	case opPrefixFold:
		return isString && strings.HasPrefix(l.fold(), c.s)
	case opSuffix:
		return isString && strings.HasSuffix(l.text, c.s)
	case opSuffixFold:
		return isString && strings.HasSuffix(l.fold(), c.s)
	case opEqualsFold:
		return isString && l.fold() == c.s
	case opWildcard:
		return isString && c.glob.match(l.text)
	case opNumeric:
		return l.kind == vNumber && l.keyOK && c.rng.contains(l.key)
	case opCIDR:
		if !isString {
			return false
		}
		a, ok := l.addr()
		return ok && c.block.contains(a)
	case opExists:
		return true
	case opAnythingBut:
		switch {
		case isString:
			return !slices.Contains(c.strs, l.text)
		case l.kind == vNumber && l.keyOK:
			return !slices.Contains(c.keys, l.key)
		}
		return true
	case opAnythingButPrefix:
		return !isString || !slices.ContainsFunc(c.strs, func(p string) bool { return strings.HasPrefix(l.text, p) })
	case opAnythingButSuffix:
		return !isString || !slices.ContainsFunc(c.strs, func(p string) bool { return strings.HasSuffix(l.text, p) })
	case opAnythingButFold:
		return !isString || !slices.Contains(c.strs, l.fold())
	case opAnythingButWildcard:
		return !isString || !slices.ContainsFunc(c.globs, func(g glob) bool { return g.match(l.text) })
	}
	panic("BUG: eventpattern: unknown condition kind")
}

// matches reports whether the leaf meets one of the field's conditions.
func (f *field) matches(l *leaf) bool {
	for i := range f.conds {
		if f.conds[i].matches(l) {
			return true
		}
	}
	return false
}
