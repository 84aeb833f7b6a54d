package filterpattern

import (
	"iter"
	"sync"
)

// Evaluation of JSON patterns.
//
// What a condition sees, from "Using filter patterns to match terms in
// JSON log events" and its older version's "JSON Special Considerations":
//   - "The SELECTOR must point to a value node (string or number). If it
//     points to an array or object, the filter will not be applied":
//     comparisons against arrays, objects and missing properties are
//     false, for = and != alike. The documentation is silent on null and
//     booleans; booleans compare as the text true/false (so $.f = true
//     works), null compares as nothing: only IS NULL sees it.
//   - Strings compare after JSON unescaping; numbers compare by value
//     (1e3 = 1000) when the pattern's value is an unquoted number, and by
//     their text otherwise (so "4*" matches 404). A string holding a
//     number (“latency”: “250”) compares numerically too, as the text of
//     a value node is what AWS compares.
//   - IS TRUE / IS FALSE need a JSON boolean, IS NULL a JSON null; NOT
//     EXISTS holds when the selector reaches nothing (including through a
//     non-object or a short array).
//   - A selector with a wildcard satisfies a condition when any value it
//     reaches does; NOT EXISTS when it reaches none.
//   - A property given twice takes its last value, as JSON parsers do.

var scanPool = sync.Pool{New: func() any { return &jscan{nodes: make([]jnode, 0, 64)} }}

func (jp *jsonPattern) match(msg string) bool {
	// Cheap rejection of events that are not JSON objects at all.
	i := 0
	for i < len(msg) && isSpace(msg[i]) {
		i++
	}
	if i >= len(msg) || msg[i] != '{' {
		return false
	}
	sc := scanPool.Get().(*jscan)
	ok := sc.parse(msg, jp.trie) && sc.eval(jp.expr)
	sc.s = ""
	if cap(sc.nodes) <= maxPooledNodes {
		scanPool.Put(sc)
	}
	return ok
}

// maxPooledNodes keeps the few events whose selected values are very many
// (a wildcard over a huge array) from pinning large buffers in the pool.
const maxPooledNodes = 4096

// extract matches first, with the pooled scanner and the pattern's trie,
// so that the many events a metric filter rejects cost no allocation;
// only a match is read in full, for selectors the pattern does not use.
func (jp *jsonPattern) extract(msg string) (Fields, bool) {
	if !jp.match(msg) {
		return nil, false
	}
	sc := &jscan{}
	if !sc.parse(msg, fullTrie) || !sc.eval(jp.expr) {
		panic("BUG: a JSON event matched, then did not")
	}
	return &jsonFields{sc: sc, sels: jp.sels}, true
}

func (sc *jscan) eval(e *jexpr) bool {
	switch e.kind {
	case exprAnd:
		return sc.eval(e.l) && sc.eval(e.r)
	case exprOr:
		return sc.eval(e.l) || sc.eval(e.r)
	}
	return sc.cond(e.c)
}

// cond evaluates one condition against the kept tree.
func (sc *jscan) cond(c *jcond) bool {
	steps := c.sel.steps
	if c.sel.wild < 0 {
		n := sc.follow(0, steps)
		if c.kind == condNotExists {
			return n < 0
		}
		return n >= 0 && sc.test(c, n)
	}
	base := sc.follow(0, steps[:c.sel.wild])
	rest := steps[c.sel.wild+1:]
	found := false
	if base >= 0 {
		for ch := range sc.children(base) {
			n := sc.follow(ch, rest)
			if n < 0 {
				continue
			}
			if c.kind == condNotExists {
				found = true
				break
			}
			if sc.test(c, n) {
				return true
			}
		}
	}
	if c.kind == condNotExists {
		return !found
	}
	return false
}

// follow walks steps (which hold no wildcard) from node n and returns the
// node reached, or -1.
func (sc *jscan) follow(n int32, steps []step) int32 {
	for _, st := range steps {
		if n < 0 {
			return -1
		}
		node := &sc.nodes[n]
		next := int32(-1)
		switch st.kind {
		case stepName:
			if node.kind != jObject {
				return -1
			}
			for ch := node.first; ch >= 0; ch = sc.nodes[ch].next {
				if sc.keyIs(ch, st.name) {
					next = ch // keep going: the last duplicate wins
				}
			}
		case stepIndex:
			if node.kind != jArray {
				return -1
			}
			for ch := node.first; ch >= 0; ch = sc.nodes[ch].next {
				if int(sc.nodes[ch].index) == st.index {
					next = ch
					break
				}
			}
		default:
			panic("BUG: wildcard step in follow")
		}
		n = next
	}
	return n
}

func (sc *jscan) key(n int32) string {
	node := &sc.nodes[n]
	k := sc.s[node.keyStart:node.keyEnd]
	if node.kesc {
		return unescapeJSON(k)
	}
	return k
}

func (sc *jscan) keyIs(n int32, name string) bool {
	node := &sc.nodes[n]
	if !node.kesc {
		return sc.s[node.keyStart:node.keyEnd] == name
	}
	return unescapeJSON(sc.s[node.keyStart:node.keyEnd]) == name
}

// smallObject is the member count up to which children finds repeated
// keys by comparing each member with the later ones, without allocating.
const smallObject = 16

// children yields the elements of array node n, or the members of object
// node n whose key no later member repeats (the last duplicate wins), in
// document order; nothing for other nodes.
func (sc *jscan) children(n int32) iter.Seq[int32] {
	return func(yield func(int32) bool) {
		node := &sc.nodes[n]
		switch node.kind {
		case jArray:
			for ch := node.first; ch >= 0; ch = sc.nodes[ch].next {
				if !yield(ch) {
					return
				}
			}
			return
		case jObject:
		default:
			return
		}
		count := 0
		for ch := node.first; ch >= 0 && count <= smallObject; ch = sc.nodes[ch].next {
			count++
		}
		var last map[string]int32
		if count > smallObject {
			// A large object: index the last member of each key once,
			// rather than comparing every pair.
			last = map[string]int32{}
			for ch := node.first; ch >= 0; ch = sc.nodes[ch].next {
				last[sc.key(ch)] = ch
			}
		}
		for ch := node.first; ch >= 0; ch = sc.nodes[ch].next {
			var shadowed bool
			if last != nil {
				shadowed = last[sc.key(ch)] != ch
			} else {
				shadowed = sc.shadowed(ch)
			}
			if !shadowed && !yield(ch) {
				return
			}
		}
	}
}

// shadowed reports whether a later member of the same object has n's key.
func (sc *jscan) shadowed(n int32) bool {
	next := sc.nodes[n].next
	if next < 0 {
		return false
	}
	k := sc.key(n)
	for ch := next; ch >= 0; ch = sc.nodes[ch].next {
		if sc.keyIs(ch, k) {
			return true
		}
	}
	return false
}

// text returns the comparable text of node n: the unescaped string, the
// number as written, or true/false.
func (sc *jscan) text(n int32) (string, bool) {
	node := &sc.nodes[n]
	switch node.kind {
	case jString:
		raw := sc.s[node.start:node.end]
		if node.esc {
			return unescapeJSON(raw), true
		}
		return raw, true
	case jNumber:
		return sc.s[node.start:node.end], true
	case jTrue:
		return "true", true
	case jFalse:
		return "false", true
	}
	return "", false
}

func (sc *jscan) test(c *jcond, n int32) bool {
	switch c.kind {
	case condIsNull:
		return sc.nodes[n].kind == jNull
	case condIsTrue:
		return sc.nodes[n].kind == jTrue
	case condIsFalse:
		return sc.nodes[n].kind == jFalse
	case condNotExists:
		return false
	}
	v, ok := sc.text(n)
	return ok && c.val.test(c.op, v)
}

// jsonFields is the Fields of a JSON match: the whole message, parsed,
// and the pattern's selectors.
type jsonFields struct {
	sc   *jscan
	sels []*selector
}

// Get returns the text of the value a selector names: strings unescaped,
// numbers as written, booleans as true/false. Null, arrays, objects and
// missing values are reported as absent. With a wildcard, the first value
// in document order is returned.
func (f *jsonFields) Get(selector string) (string, bool) {
	sel, ok := parseSelectorString(selector)
	if !ok {
		return "", false
	}
	return f.get(sel)
}

func (f *jsonFields) get(sel *selector) (string, bool) {
	sc := f.sc
	if sel.wild < 0 {
		n := sc.follow(0, sel.steps)
		if n < 0 {
			return "", false
		}
		return sc.text(n)
	}
	base := sc.follow(0, sel.steps[:sel.wild])
	if base < 0 {
		return "", false
	}
	for ch := range sc.children(base) {
		if n := sc.follow(ch, sel.steps[sel.wild+1:]); n >= 0 {
			if v, ok := sc.text(n); ok {
				return v, true
			}
		}
	}
	return "", false
}

// All returns, for each selector of the pattern that reaches a string,
// number or boolean, the selector as written and the value Get gives for
// it. The guides do not document TestMetricFilter's extractedValues for
// JSON patterns (the 2020 guide said they were empty for any pattern that
// is not space-delimited; later versions dropped the sentence); reporting
// the pattern's selectors shows, as for space-delimited patterns, what
// $.selector metric values and dimensions would publish.
func (f *jsonFields) All() map[string]string {
	out := make(map[string]string, len(f.sels))
	for _, sel := range f.sels {
		if v, ok := f.get(sel); ok {
			out[sel.src] = v
		}
	}
	return out
}
