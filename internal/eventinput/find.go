package eventinput

// A finder finds the values of several paths in an event. It merges the
// paths into a tree, so that the objects and arrays on their way are read
// once, however many paths go through them.
type finder struct {
	root node
	// slots is how many offsets a search notes: one per node but the
	// root.
	slots int
	// many tells, for each path, whether it selects a list.
	many []bool
}

// A node is a step that paths share.
type node struct {
	step step
	kids []*node
	// slot is where a search notes the offsets of the kids' values.
	slot int
	// ends are the indices of the paths that end here.
	ends []int
}

// newFinder returns the finder of paths.
func newFinder(paths ...*path) *finder {
	f := &finder{many: make([]bool, len(paths))}
	for i, p := range paths {
		n := &f.root
		for _, st := range p.steps {
			n = n.kid(st)
		}
		n.ends = append(n.ends, i)
		f.many[i] = p.many
	}
	f.root.number(&f.slots)
	return f
}

// kid returns n's kid for st, added if n has none.
func (n *node) kid(st step) *node {
	for _, k := range n.kids {
		if k.step == st {
			return k
		}
	}
	k := &node{step: st}
	n.kids = append(n.kids, k)
	return k
}

// number gives the kids of n and of its descendants their slots, from
// *next on.
func (n *node) number(next *int) {
	n.slot = *next
	*next += len(n.kids)
	for _, k := range n.kids {
		k.number(next)
	}
}

// find returns the compact JSON text of each path's value in the JSON
// document doc: nil for a path that selects nothing, and for a path with a
// wildcard the array of the values it reaches, empty if none.
func (f *finder) find(doc []byte) [][]byte {
	s := search{doc: doc, slots: make([]int, f.slots), out: make([][]byte, len(f.many)), many: f.many}
	s.visit(&f.root, skipSpace(doc, 0))
	for i, many := range f.many {
		switch {
		case !many:
		case s.out[i] == nil:
			s.out[i] = []byte("[]")
		default:
			s.out[i] = append(s.out[i], ']')
		}
	}
	return s.out
}

// search is one finder's search of one document.
type search struct {
	doc   []byte
	slots []int
	out   [][]byte
	many  []bool
}

// visit notes the values of the paths that end at n or below, n's value
// being at v. A kid that is a wildcard is visited for each member or
// element as it comes; of an object whose member repeats, the last counts,
// as in Jackson's tree.
func (s *search) visit(n *node, v int) {
	doc := s.doc
	if v >= len(doc) {
		return
	}
	for _, i := range n.ends {
		switch {
		case !s.many[i]:
			s.out[i] = appendCompact(nil, doc[v:skipValue(doc, v)])
		case s.out[i] == nil:
			s.out[i] = appendCompact([]byte{'['}, doc[v:skipValue(doc, v)])
		default:
			s.out[i] = appendCompact(append(s.out[i], ','), doc[v:skipValue(doc, v)])
		}
	}
	if len(n.kids) == 0 {
		return
	}
	at := s.slots[n.slot : n.slot+len(n.kids)]
	for i := range at {
		at[i] = -1
	}
	switch doc[v] {
	case '{':
		for tok, m := range members(doc, v) {
			name := unquote(tok)
			for i, k := range n.kids {
				switch {
				case k.step.kind == every:
					s.visit(k, m)
				case k.step.kind == member && string(name) == k.step.name:
					at[i] = m
				}
			}
		}
	case '[':
		e := 0
		for el := range elements(doc, v) {
			for i, k := range n.kids {
				switch {
				case k.step.kind == every:
					s.visit(k, el)
				case k.step.kind == element && k.step.index == e:
					at[i] = el
				}
			}
			e++
		}
	}
	for i, k := range n.kids {
		if at[i] >= 0 {
			s.visit(k, at[i])
		}
	}
}
