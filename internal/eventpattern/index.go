package eventpattern

import "slices"

// A splitIndex sends a leaf of an event to the nodes below a split on
// the leaf's path: one node per distinct condition of the subs there,
// found by hashing the leaf's value, by looking up its prefixes and
// suffixes, or by a stabbing query on the numeric ranges.
type splitIndex struct {
	fid      int32
	exact    map[string]*node // opString, and wildcards without *
	lits     map[string]*node // true, false, null, and numbers without a key, by literal
	numbers  map[int64]*node  // numbers by key, and {"numeric": ["=", n]}
	fold     map[string]*node // opEqualsFold, by folded string
	ips      map[ipAddr]*node
	cidrs    map[int]map[ipAddr]*node // by mask length, then masked address
	cidrBits []int
	prefix   affixIndex // opPrefix, and wildcards by the text before their first *
	suffix   affixIndex // opSuffix, and wildcards starting with * by the text after their last *
	prefixF  affixIndex // opPrefixFold
	suffixF  affixIndex // opSuffixFold
	ranges   map[numRange]*node
	tree     *itree // of ranges; nil when it must be rebuilt
	queued   bool   // whether the Matcher will rebuild tree
	strs     *node  // conditions any string may meet
	any      *node  // conditions any value may meet
}

// affixIndex finds the nodes of the prefixes (or suffixes) of a string
// with one lookup per distinct length.
type affixIndex struct {
	m    map[string]*node
	lens []int // sorted
}

// child returns the node of affix s, made by mk when new.
func (a *affixIndex) child(s string, mk func() *node) *node {
	if a.m == nil {
		a.m = map[string]*node{}
	}
	n := a.m[s]
	if n == nil {
		n = mk()
		a.m[s] = n
		if i, found := slices.BinarySearch(a.lens, len(s)); !found {
			a.lens = slices.Insert(a.lens, i, len(s))
		}
	}
	return n
}

// each calls visit with the node of each affix of s.
func (a *affixIndex) each(s string, suffix bool, visit func(*node)) {
	for _, n := range a.lens {
		if n > len(s) {
			return
		}
		key := s[:n]
		if suffix {
			key = s[len(s)-n:]
		}
		if c := a.m[key]; c != nil {
			visit(c)
		}
	}
}

// child returns the node for condition c, made by mk when new, or nil for
// a condition no value meets.
func (x *splitIndex) child(c *cond, mk func() *node) *node {
	get := func(m *map[string]*node, k string) *node {
		if *m == nil {
			*m = map[string]*node{}
		}
		n := (*m)[k]
		if n == nil {
			n = mk()
			(*m)[k] = n
		}
		return n
	}
	anyString := func() *node {
		if x.strs == nil {
			x.strs = mk()
		}
		return x.strs
	}
	switch c.kind {
	case opString:
		return get(&x.exact, c.s)
	case opLiteral:
		return get(&x.lits, c.s)
	case opNumber:
		if !c.keyOK {
			return get(&x.lits, c.s)
		}
		return x.number(c.key, mk)
	case opEqualsFold:
		return get(&x.fold, c.s)
	case opIP:
		if x.ips == nil {
			x.ips = map[ipAddr]*node{}
		}
		n := x.ips[c.ip]
		if n == nil {
			n = mk()
			x.ips[c.ip] = n
		}
		return n
	case opCIDR:
		if x.cidrs == nil {
			x.cidrs = map[int]map[ipAddr]*node{}
		}
		m := x.cidrs[c.block.bits]
		if m == nil {
			m = map[ipAddr]*node{}
			x.cidrs[c.block.bits] = m
			x.cidrBits = append(x.cidrBits, c.block.bits)
		}
		n := m[c.block.addr]
		if n == nil {
			n = mk()
			m[c.block.addr] = n
		}
		return n
	case opPrefix, opPrefixFold, opSuffix, opSuffixFold:
		if c.s == "" {
			return anyString()
		}
		switch c.kind {
		case opPrefix:
			return x.prefix.child(c.s, mk)
		case opPrefixFold:
			return x.prefixF.child(c.s, mk)
		case opSuffix:
			return x.suffix.child(c.s, mk)
		}
		return x.suffixF.child(c.s, mk)
	case opWildcard:
		runs := c.glob.runs
		switch {
		case len(runs) == 1:
			return get(&x.exact, runs[0])
		case runs[0] != "":
			return x.prefix.child(runs[0], mk)
		case runs[len(runs)-1] != "":
			return x.suffix.child(runs[len(runs)-1], mk)
		}
		return anyString()
	case opNumeric:
		switch {
		case c.rng.empty():
			return nil
		case c.rng.lo == c.rng.hi:
			return x.number(c.rng.lo, mk)
		}
		if x.ranges == nil {
			x.ranges = map[numRange]*node{}
		}
		n := x.ranges[c.rng]
		if n == nil {
			n = mk()
			x.ranges[c.rng] = n
			x.tree = nil
		}
		return n
	}
	// exists: true and every anything-but.
	if x.any == nil {
		x.any = mk()
	}
	return x.any
}

func (x *splitIndex) number(k int64, mk func() *node) *node {
	if x.numbers == nil {
		x.numbers = map[int64]*node{}
	}
	n := x.numbers[k]
	if n == nil {
		n = mk()
		x.numbers[k] = n
	}
	return n
}

// visitLeaf calls visit with every node whose condition the leaf may
// meet.
func (x *splitIndex) visitLeaf(l *leaf, visit func(*node)) {
	if x.any != nil {
		visit(x.any)
	}
	switch l.kind {
	case vString:
		if n := x.exact[l.text]; n != nil {
			visit(n)
		}
		x.prefix.each(l.text, false, visit)
		x.suffix.each(l.text, true, visit)
		if x.fold != nil || x.prefixF.m != nil || x.suffixF.m != nil {
			f := l.fold()
			if n := x.fold[f]; n != nil {
				visit(n)
			}
			x.prefixF.each(f, false, visit)
			x.suffixF.each(f, true, visit)
		}
		if x.ips != nil || x.cidrs != nil {
			if a, ok := l.addr(); ok {
				if n := x.ips[a]; n != nil {
					visit(n)
				}
				for _, bits := range x.cidrBits {
					if bits <= a.bits() {
						if n := x.cidrs[bits][a.masked(bits)]; n != nil {
							visit(n)
						}
					}
				}
			}
		}
		if x.strs != nil {
			visit(x.strs)
		}
	case vNumber:
		if l.keyOK {
			if n := x.numbers[l.key]; n != nil {
				visit(n)
			}
			if x.tree != nil {
				x.tree.stab(l.key, visit)
			}
		}
		if n := x.lits[l.text]; n != nil {
			visit(n)
		}
	default:
		if n := x.lits[l.text]; n != nil {
			visit(n)
		}
	}
}

// rank orders conditions by how few values they let through, to choose
// the path to split on: 0 for those met by a few values, 1 for prefixes,
// suffixes, wildcards with text at an end and numeric ranges, 2 for those
// met by any string and 3 for those met by any value.
func rank(c *cond) int {
	switch c.kind {
	case opString, opLiteral, opNumber, opEqualsFold, opIP, opCIDR:
		return 0
	case opPrefix, opPrefixFold, opSuffix, opSuffixFold:
		if c.s == "" {
			return 2
		}
		return 1
	case opWildcard:
		if r := c.glob.runs; len(r) == 1 || r[0] != "" || r[len(r)-1] != "" {
			return 1
		}
		return 2
	case opNumeric:
		return 1
	}
	return 3
}

// itree is a centered interval tree of numeric ranges.
type itree struct {
	center      int64
	byLo, byHi  []ival // the ranges holding center, by lower bound up and upper bound down
	left, right *itree
}

// ival is a range and its node.
type ival struct {
	r numRange
	n *node
}

// buildITree builds the tree of non-empty ranges.
func buildITree(ivs []ival) *itree {
	if len(ivs) == 0 {
		return nil
	}
	// A key every range holds; the median of those is held by one range
	// at least, so every level places one.
	points := make([]int64, len(ivs))
	for i, iv := range ivs {
		points[i] = iv.r.lo
		if iv.r.loOpen {
			points[i]++
		}
	}
	slices.Sort(points)
	t := &itree{center: points[len(points)/2]}
	var left, right []ival
	for _, iv := range ivs {
		switch {
		case iv.r.contains(t.center):
			t.byLo = append(t.byLo, iv)
		case iv.r.hi < t.center || iv.r.hi == t.center:
			left = append(left, iv)
		default:
			right = append(right, iv)
		}
	}
	t.byHi = slices.Clone(t.byLo)
	slices.SortFunc(t.byLo, func(a, b ival) int {
		if a.r.lo != b.r.lo {
			return cmpInt(a.r.lo, b.r.lo)
		}
		return cmpBool(a.r.loOpen, b.r.loOpen)
	})
	slices.SortFunc(t.byHi, func(a, b ival) int {
		if a.r.hi != b.r.hi {
			return cmpInt(b.r.hi, a.r.hi)
		}
		return cmpBool(a.r.hiOpen, b.r.hiOpen)
	})
	t.left, t.right = buildITree(left), buildITree(right)
	return t
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpBool orders false (a closed bound) before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// stab calls visit with the node of every range holding k.
func (t *itree) stab(k int64, visit func(*node)) {
	for t != nil {
		switch {
		case k < t.center:
			for _, iv := range t.byLo {
				if !(iv.r.lo < k || iv.r.lo == k && !iv.r.loOpen) {
					break
				}
				visit(iv.n)
			}
			t = t.left
		case k > t.center:
			for _, iv := range t.byHi {
				if !(iv.r.hi > k || iv.r.hi == k && !iv.r.hiOpen) {
					break
				}
				visit(iv.n)
			}
			t = t.right
		default:
			for _, iv := range t.byLo {
				visit(iv.n)
			}
			return
		}
	}
}

// rebuild builds the tree of the ranges, if it must be.
func (x *splitIndex) rebuild() {
	if x.tree != nil || len(x.ranges) == 0 {
		return
	}
	ivs := make([]ival, 0, len(x.ranges))
	for r, n := range x.ranges {
		ivs = append(ivs, ival{r, n})
	}
	// Map order is random; sort so that the tree is the same each time.
	slices.SortFunc(ivs, func(a, b ival) int {
		if c := cmpInt(a.r.lo, b.r.lo); c != 0 {
			return c
		}
		return cmpInt(a.r.hi, b.r.hi)
	})
	x.tree = buildITree(ivs)
}
