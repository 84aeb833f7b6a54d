package eventpattern

import (
	"slices"
	"sync"
)

// Matcher matches events against many patterns at once, as EventBridge
// matches an event against the rules of a bus.
//
// Its patterns are compiled into a decision tree over the rules of the
// patterns (one rule per combination of a pattern's $or branches). A
// node holds rules to check against the event; when it holds more than a
// few, it splits them on the path that the most of them put a selective
// condition on: each distinct condition on that path gets a child node,
// found from an event's values at the path by hashing (exact strings,
// numbers, literals, folded strings, addresses and blocks), by looking up
// prefixes and suffixes (prefix, suffix, and wildcards by the text before
// their first or after their last *), by a stabbing query in an interval
// tree (numeric ranges), or always for a string (an empty prefix, a
// wildcard that starts and ends with *) or any value (exists, anything-but);
// rules without a condition on the path, or only {"exists": false}, go to
// a rest node. Matching walks the tree from the root along the event's
// values and checks the rules of the nodes it reaches, so its cost grows
// with the event and the rules that share the event's values, not with
// the number of patterns. An event is read once, keeping only the values
// at paths the patterns name. A node splits when it holds more than
// splitAt rules and at least two of them put a selective condition on a
// path not split on above it.
//
// Match may be called from many goroutines at once. Add and Remove lock
// out Match while they run; the first Match after an Add that brings new
// numeric ranges rebuilds their interval trees under the same lock.
type Matcher struct {
	mu      sync.RWMutex
	tab     *pathTable
	entries map[string]*entry
	// entrySeq numbers entries, for the sets of a match.
	entrySeq  int32
	freeEntry []int32
	subs      []*sub // by id; nil when free
	freeSub   []int32
	root      *node
	nodes     int32 // node ids given out
	// dirty holds the split indexes whose interval trees must be rebuilt.
	dirty []*splitIndex
	// removed counts the subs removed since the tree was last built; when
	// they outnumber the live ones the tree is rebuilt.
	removed, live int
	scratch       sync.Pool
}

// entry is a pattern added to a Matcher.
type entry struct {
	id   string
	num  int32
	subs []*sub
}

// sub is one rule of a pattern, in the tree. It holds what a match reads
// of the rule, to reach it in few steps.
type sub struct {
	id     int32 // numbers the sub among the Matcher's, for the sets of a match
	entry  int32 // the entry's num
	fields []field
	fids   []int32
	owner  *entry
	// homes are the nodes that list the sub.
	homes []*node
}

// node is a node of the decision tree.
type node struct {
	id   int32
	subs []*sub
	// split, once the node is split, sends values at its path to the
	// children; the subs are then below the node.
	split *splitIndex
	rest  *node
	// used are the paths split on above the node.
	used []int32
	// tried is the number of subs at the last failed attempt to split.
	tried int
}

// splitAt is the number of subs above which a node splits.
const splitAt = 4

// NewMatcher returns a Matcher without patterns.
func NewMatcher() *Matcher {
	m := &Matcher{tab: newPathTable(), entries: map[string]*entry{}}
	m.root = m.newNode(nil)
	m.scratch.New = func() any { return new(scratch) }
	return m
}

func (m *Matcher) newNode(used []int32) *node {
	n := &node{id: m.nodes, used: used}
	m.nodes++
	return n
}

// Add adds pattern p under id, replacing the pattern added under id
// before, if any. Patterns of both services may be mixed.
func (m *Matcher) Add(id string, p *Pattern) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.entries[id]; e != nil {
		m.remove(e)
	}
	e := &entry{id: id}
	if n := len(m.freeEntry); n > 0 {
		e.num, m.freeEntry = m.freeEntry[n-1], m.freeEntry[:n-1]
	} else {
		e.num = m.entrySeq
		m.entrySeq++
	}
	m.entries[id] = e
	for _, r := range p.rules {
		s := &sub{entry: e.num, owner: e, fields: r.fields, fids: make([]int32, len(r.fields))}
		for i, f := range r.fields {
			s.fids[i] = m.tab.add(f.path)
		}
		if n := len(m.freeSub); n > 0 {
			s.id, m.freeSub = m.freeSub[n-1], m.freeSub[:n-1]
			m.subs[s.id] = s
		} else {
			s.id = int32(len(m.subs))
			m.subs = append(m.subs, s)
		}
		e.subs = append(e.subs, s)
		m.live++
		m.insert(m.root, s)
	}
}

// Remove removes the pattern added under id, if any.
func (m *Matcher) Remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.entries[id]; e != nil {
		m.remove(e)
	}
}

// Len returns the number of patterns.
func (m *Matcher) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.entries)
}

func (m *Matcher) remove(e *entry) {
	delete(m.entries, e.id)
	m.freeEntry = append(m.freeEntry, e.num)
	for _, s := range e.subs {
		for _, n := range s.homes {
			n.subs = slices.DeleteFunc(n.subs, func(x *sub) bool { return x == s })
		}
		for _, f := range s.fields {
			m.tab.remove(f.path)
		}
		m.subs[s.id] = nil
		m.freeSub = append(m.freeSub, s.id)
		m.removed++
		m.live--
	}
	if m.removed > 64 && m.removed > m.live {
		m.rebuildTree()
	}
}

// rebuildTree builds the tree anew from the live subs, dropping the nodes
// removals emptied.
func (m *Matcher) rebuildTree() {
	m.nodes = 0
	m.dirty = nil
	m.root = m.newNode(nil)
	m.removed = 0
	for _, s := range m.subs {
		if s != nil {
			s.homes = s.homes[:0]
			m.insert(m.root, s)
		}
	}
}

// insert puts sub s in the tree below n.
func (m *Matcher) insert(n *node, s *sub) {
	for n.split != nil {
		x := n.split
		i := slices.Index(s.fids, x.fid)
		if i < 0 || s.fields[i].absent {
			if n.rest == nil {
				n.rest = m.newNode(append(slices.Clone(n.used), x.fid))
			}
			n = n.rest
			continue
		}
		used := append(slices.Clone(n.used), x.fid)
		mk := func() *node { return m.newNode(used) }
		for j := range s.fields[i].conds {
			if child := x.child(&s.fields[i].conds[j], mk); child != nil {
				m.insert(child, s)
			}
		}
		if x.tree == nil && len(x.ranges) > 0 && !x.queued {
			x.queued = true
			m.dirty = append(m.dirty, x)
		}
		return
	}
	if slices.Contains(s.homes, n) {
		return
	}
	n.subs = append(n.subs, s)
	s.homes = append(s.homes, n)
	if len(n.subs) > splitAt && len(n.subs) >= 2*n.tried {
		m.trySplit(n)
	}
}

// trySplit splits leaf node n on the path on which the most of its subs
// put a selective condition, if at least two do; the subs without one go
// to the rest node, which splits in turn.
func (m *Matcher) trySplit(n *node) {
	type count struct{ selective, score int }
	counts := map[int32]*count{}
	for _, s := range n.subs {
		for i := range s.fields {
			f := &s.fields[i]
			if f.absent || slices.Contains(n.used, s.fids[i]) {
				continue
			}
			worst := 0
			for j := range f.conds {
				worst = max(worst, rank(&f.conds[j]))
			}
			if worst > 1 {
				continue
			}
			c := counts[s.fids[i]]
			if c == nil {
				c = &count{}
				counts[s.fids[i]] = c
			}
			c.selective++
			c.score += 2 - worst
		}
	}
	best, bestCount := int32(-1), count{}
	for fid, c := range counts {
		if c.selective > bestCount.selective || c.selective == bestCount.selective &&
			(c.score > bestCount.score || c.score == bestCount.score && fid < best) {
			best, bestCount = fid, *c
		}
	}
	if bestCount.selective < 2 {
		n.tried = len(n.subs)
		return
	}
	subs := n.subs
	n.subs = nil
	n.split = &splitIndex{fid: best}
	for _, s := range subs {
		s.homes = slices.DeleteFunc(s.homes, func(h *node) bool { return h == n })
		m.insert(n, s)
	}
}

// scratch holds what one Match needs.
type scratch struct {
	ev                   event
	nodes, subs, entries bitset // those met in this match
	matched              []*entry
	visit                func(*node)
}

// bitset is a set of small numbers that empties in time proportional to
// its members.
type bitset struct {
	words   []uint64
	touched []int32 // the words not zero
}

// add adds i, which must be below the size, and reports whether it was
// not there.
func (b *bitset) add(i int32) bool {
	w, bit := i>>6, uint64(1)<<(i&63)
	if b.words[w]&bit != 0 {
		return false
	}
	if b.words[w] == 0 {
		b.touched = append(b.touched, w)
	}
	b.words[w] |= bit
	return true
}

// has reports whether i is in the set.
func (b *bitset) has(i int32) bool { return b.words[i>>6]&(1<<(i&63)) != 0 }

// reset empties the set and makes room for numbers below n.
func (b *bitset) reset(n int) {
	for _, w := range b.touched {
		b.words[w] = 0
	}
	b.touched = b.touched[:0]
	if words := (n + 63) / 64; len(b.words) < words {
		b.words = append(b.words, make([]uint64, words-len(b.words))...)
	}
}

// Match returns the ids of the patterns that match an event, sorted. The
// event must be a JSON object.
func (m *Matcher) Match(evt []byte) ([]string, error) {
	m.mu.RLock()
	for len(m.dirty) > 0 {
		m.mu.RUnlock()
		m.mu.Lock()
		for _, x := range m.dirty {
			x.rebuild()
			x.queued = false
		}
		m.dirty = nil
		m.mu.Unlock()
		m.mu.RLock()
	}
	defer m.mu.RUnlock()
	sc := m.scratch.Get().(*scratch)
	defer func() {
		sc.ev.release()
		m.scratch.Put(sc)
	}()
	if err := sc.ev.load(m.tab, evt); err != nil {
		return nil, err
	}
	sc.begin(m)
	sc.visit(m.root)
	if len(sc.matched) == 0 {
		return nil, nil
	}
	ids := make([]string, len(sc.matched))
	for i, e := range sc.matched {
		ids[i] = e.id
	}
	slices.Sort(ids)
	return ids, nil
}

// begin readies the sets for a match in m.
func (sc *scratch) begin(m *Matcher) {
	sc.matched = sc.matched[:0]
	sc.nodes.reset(int(m.nodes))
	sc.subs.reset(len(m.subs))
	sc.entries.reset(int(m.entrySeq))
	if sc.visit == nil {
		sc.visit = sc.node
	}
}

// node checks the subs of n and walks on below it.
func (sc *scratch) node(n *node) {
	if !sc.nodes.add(n.id) {
		return
	}
	for _, s := range n.subs {
		if !sc.subs.add(s.id) || sc.entries.has(s.entry) {
			continue
		}
		if sc.ev.satisfies(s.fields, s.fids) {
			sc.entries.add(s.entry)
			sc.matched = append(sc.matched, s.owner)
		}
	}
	if n.split == nil {
		return
	}
	if n.rest != nil {
		sc.node(n.rest)
	}
	for li := sc.ev.head(n.split.fid); li >= 0; li = sc.ev.leaves[li].next {
		n.split.visitLeaf(&sc.ev.leaves[li], sc.visit)
	}
}
