package protocol

import (
	"hash/maphash"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// arena allocates what a decoder builds for one request: the targets of
// pointer members come from slabs, and short strings that repeat (metric
// names, dimension names, units) are shared, so that decoding a list of a
// thousand structures costs tens of allocations instead of thousands.
type arena struct {
	slabs []slab // by typeInfo id
	strs  [internSlots]string
	// Typed slabs for the most common pointer members.
	strSlab   []string
	floatSlab []float64
	timeSlab  []time.Time
	// orders remembers, by struct typeInfo id, the order in which the
	// client sent members: the next structure of the type likely follows
	// it.
	orders [][]*fieldInfo
	paths  []*path // by depth (see path)
}

type slab struct {
	v reflect.Value // a slice of slabSize values of one type
	n int           // how many are handed out
}

const (
	slabSize = 64
	// internSlots is the size of the string cache, a direct-mapped
	// table: a string evicts the one in its slot.
	internSlots  = 256
	internMaxLen = 64
)

var internSeed = maphash.MakeSeed()

// deref returns the value dst points to, allocating it when dst is a nil
// pointer member; for a value member it returns dst.
func (a *arena) deref(ti *typeInfo, dst reflect.Value) reflect.Value {
	if !ti.ptr {
		return dst
	}
	if dst.IsNil() {
		if ti.id >= len(a.slabs) {
			a.slabs = append(a.slabs, make([]slab, ti.id+1-len(a.slabs))...)
		}
		s := &a.slabs[ti.id]
		if !s.v.IsValid() || s.n == slabSize {
			*s = slab{v: reflect.MakeSlice(reflect.SliceOf(ti.base), slabSize, slabSize)}
		}
		dst.Set(s.v.Index(s.n).Addr())
		s.n++
	}
	return dst.Elem()
}

// setString stores s in a string member.
func (a *arena) setString(ti *typeInfo, dst reflect.Value, s string) {
	if !ti.ptr || ti.base != stringType {
		a.deref(ti, dst).SetString(s)
		return
	}
	*addrOf[*string](dst) = fromSlab(&a.strSlab, s)
}

// setFloat stores f in a float member.
func (a *arena) setFloat(ti *typeInfo, dst reflect.Value, f float64) {
	if !ti.ptr || ti.base != float64Type {
		a.deref(ti, dst).SetFloat(f)
		return
	}
	*addrOf[*float64](dst) = fromSlab(&a.floatSlab, f)
}

// field returns the member of structure type ti that the i-th key of an
// object names. Structures of a list come with their members in the same
// order, so it first tries the member the previous structure of the type
// had at i, and learns the order as it goes.
func (a *arena) field(ti *typeInfo, i int, key []byte) (*fieldInfo, bool) {
	order := a.order(ti)
	o := *order
	if i < len(o) && o[i].wire == string(key) {
		return o[i], true
	}
	f, ok := ti.st.byWire[string(key)]
	if ok {
		if i < len(o) {
			o[i] = f
		} else if i == len(o) {
			*order = append(o, f)
		}
	}
	return f, ok
}

// order returns the member order last seen for a struct type.
func (a *arena) order(ti *typeInfo) *[]*fieldInfo {
	if ti.id >= len(a.orders) {
		a.orders = append(a.orders, make([][]*fieldInfo, ti.id+1-len(a.orders))...)
	}
	return &a.orders[ti.id]
}

// text returns b as a string, sharing the string of the same bytes seen
// recently.
func (a *arena) text(b []byte) string {
	if len(b) > internMaxLen {
		return string(b)
	}
	slot := &a.strs[maphash.Bytes(internSeed, b)%internSlots]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// setTime stores t in a time member without boxing it.
func (a *arena) setTime(ti *typeInfo, dst reflect.Value, t time.Time) {
	if !ti.ptr {
		*addrOf[time.Time](dst) = t
		return
	}
	*addrOf[*time.Time](dst) = fromSlab(&a.timeSlab, t)
}

// appendElem extends the list dst (addressable; its length is the
// elements decoded so far) by a zero element, doubling its capacity when
// it is full, and returns the element: decoders fill lists in place.
func appendElem(dst reflect.Value, ti *typeInfo) reflect.Value {
	n := dst.Len()
	if n == dst.Cap() {
		grown := reflect.MakeSlice(ti.typ, n, max(2*n, 4))
		reflect.Copy(grown, dst)
		dst.Set(grown)
	}
	dst.SetLen(n + 1)
	return dst.Index(n)
}

// addrOf returns the address of dst, which is addressable and of type T
// (the caller has checked). dst.Addr().Interface() would look up the
// pointer type and box it, at every member.
func addrOf[T any](dst reflect.Value) *T { return (*T)(unsafe.Pointer(dst.UnsafeAddr())) }

// fromSlab returns a pointer to a copy of v taken from the slab, which it
// refills slabSize values at a time.
func fromSlab[T any](slab *[]T, v T) *T {
	if len(*slab) == 0 {
		*slab = make([]T, slabSize)
	}
	p := &(*slab)[0]
	*slab = (*slab)[1:]
	*p = v
	return p
}

var (
	stringType  = reflect.TypeFor[string]()
	float64Type = reflect.TypeFor[float64]()
)

// path is the path of the member being decoded, kept as a chain of
// segments (a member name, or a list element's 1-based index) and written
// out only for an error message. Messages are formatted when the error is
// made, so a node can be reused as soon as its member is decoded: a
// decoder takes one node per depth from the arena (child) and updates it
// as it goes through members and elements.
type path struct {
	parent *path
	name   string
	index  int
	depth  int
}

// child returns the arena's node for the members or elements under at.
func (a *arena) child(at *path) *path {
	depth := 1
	if at != nil {
		depth = at.depth + 1
	}
	for len(a.paths) <= depth {
		a.paths = append(a.paths, new(path))
	}
	p := a.paths[depth]
	*p = path{parent: at, depth: depth}
	return p
}

func (p *path) String() string {
	if p == nil {
		return ""
	}
	seg := p.name
	if seg == "" {
		seg = strconv.Itoa(p.index)
	}
	if parent := p.parent.String(); parent != "" {
		return parent + "." + seg
	}
	return seg
}
