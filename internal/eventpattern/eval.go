package eventpattern

// Arrays are matched as Event Ruler's rulesForJSONEvent matches them: it
// "will refuse to recognize any match in which any two fields are within
// JSON objects that are in different elements of the same array". Each
// leaf knows the array elements it is in (its trail); two leaves are
// consistent when they are in the same element of every array they share.
// Absence ({"exists": false}) is of the whole event.

// satisfies reports whether the event satisfies a rule's fields, whose
// paths have the ids fids in the event's pathTable.
func (e *event) satisfies(fields []field, fids []int32) bool {
	if !e.hasTrails() {
		for i := range fields {
			f := &fields[i]
			head := e.head(fids[i])
			if head < 0 {
				if f.absent {
					continue
				}
				return false
			}
			found := false
			for li := head; li >= 0; li = e.leaves[li].next {
				if f.matches(&e.leaves[li]) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	// Collect the matching leaves of each field whose every match is in
	// an array element; a field with a match outside arrays is consistent
	// with any choice.
	e.sel, e.selStart = e.sel[:0], e.selStart[:0]
	for i := range fields {
		f := &fields[i]
		head := e.head(fids[i])
		if head < 0 {
			if f.absent {
				continue
			}
			return false
		}
		start := len(e.sel)
		free := false
		for li := head; li >= 0 && !free; li = e.leaves[li].next {
			if l := &e.leaves[li]; f.matches(l) {
				if l.trailLen == 0 {
					free = true
				}
				e.sel = append(e.sel, li)
			}
		}
		switch {
		case len(e.sel) == start:
			return false
		case free:
			e.sel = e.sel[:start]
		default:
			e.selStart = append(e.selStart, int32(start))
		}
	}
	if len(e.selStart) < 2 {
		return true
	}
	e.selStart = append(e.selStart, int32(len(e.sel)))
	return e.choose(0, make([]int32, 0, len(e.selStart)-1))
}

// choose reports whether a leaf can be chosen for each collected field
// from the k-th on, consistent with those chosen.
func (e *event) choose(k int, chosen []int32) bool {
	if k == len(e.selStart)-1 {
		return true
	}
	for _, li := range e.sel[e.selStart[k]:e.selStart[k+1]] {
		ok := true
		for _, c := range chosen {
			if !e.consistent(li, c) {
				ok = false
				break
			}
		}
		if ok && e.choose(k+1, append(chosen, li)) {
			return true
		}
	}
	return false
}

// consistent reports whether leaves a and b are in the same element of
// every array they share. Arrays nest, so the arrays two leaves share
// open both their trails.
func (e *event) consistent(a, b int32) bool {
	la, lb := &e.leaves[a], &e.leaves[b]
	ta := e.trails[la.trail : la.trail+la.trailLen]
	tb := e.trails[lb.trail : lb.trail+lb.trailLen]
	for i := 0; i < len(ta) && i < len(tb) && ta[i].array == tb[i].array; i++ {
		if ta[i].index != tb[i].index {
			return false
		}
	}
	return true
}
