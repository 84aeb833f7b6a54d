package eventpattern

import (
	"bytes"
	"strings"
)

// pathNode is a node of a pathTable: a path, and the paths that extend it
// by a dot and a name.
type pathNode struct {
	children map[string]*pathNode
	// lens has bit n set when a child's name is n bytes long, or bit 63
	// for 63 bytes or more: most names of an event are found missing
	// without hashing them.
	lens uint64
	// id numbers the path among the fields of the rules, while fields > 0.
	id int32
	// fields counts the rules' fields at the path; below those at paths
	// that extend it.
	fields, below int32
}

// child returns the node of the path extended by name, which may hold
// dots, or nil.
func (n *pathNode) child(name []byte) *pathNode {
	for n != nil && n.children != nil {
		i := bytes.IndexByte(name, '.')
		if i < 0 {
			if n.lens&lenBit(len(name)) == 0 {
				return nil
			}
			return n.children[string(name)]
		}
		n, name = n.children[string(name[:i])], name[i+1:]
	}
	return nil
}

// lenBit is the bit of pathNode.lens for names of n bytes.
func lenBit(n int) uint64 { return 1 << min(n, 63) }

// setLens computes lens from the children.
func (n *pathNode) setLens() {
	n.lens = 0
	for name := range n.children {
		n.lens |= lenBit(len(name))
	}
}

// pathTable holds the paths of a set of rules, as a tree of their
// dot-separated names, with the top-level object at the root.
type pathTable struct {
	root pathNode
	ids  int32   // ids given out
	free []int32 // ids given back
}

func newPathTable() *pathTable {
	return &pathTable{root: pathNode{id: -1}}
}

// add records a field at path and returns the path's id.
func (t *pathTable) add(path string) int32 {
	n := &t.root
	for _, name := range strings.Split(path, ".") {
		n.below++
		c := n.children[name]
		if c == nil {
			if n.children == nil {
				n.children = map[string]*pathNode{}
			}
			c = &pathNode{id: -1}
			n.children[name] = c
			n.lens |= lenBit(len(name))
		}
		n = c
	}
	if n.fields == 0 {
		if k := len(t.free); k > 0 {
			n.id, t.free = t.free[k-1], t.free[:k-1]
		} else {
			n.id = t.ids
			t.ids++
		}
	}
	n.fields++
	return n.id
}

// remove forgets a field at path.
func (t *pathTable) remove(path string) {
	names := strings.Split(path, ".")
	chain := make([]*pathNode, 1, len(names)+1)
	n := &t.root
	chain[0] = n
	for _, name := range names {
		n.below--
		n = n.children[name]
		chain = append(chain, n)
	}
	n.fields--
	if n.fields == 0 {
		t.free = append(t.free, n.id)
		n.id = -1
	}
	// Drop the nodes no field needs any more, from the bottom.
	for i := len(names) - 1; i >= 0; i-- {
		if c := chain[i+1]; c.fields > 0 || c.below > 0 {
			break
		}
		delete(chain[i].children, names[i])
		chain[i].setLens()
	}
}
