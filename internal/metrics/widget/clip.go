package widget

import "math"

// vg canvases cannot clip, so the lines and areas of the plot are clipped
// to the plot area before they are drawn.

// clipSegment clips the segment a–b to r (Liang–Barsky).
func clipSegment(a, b pt, r rect) (pt, pt, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	for _, e := range [4][2]float64{
		{-dx, a.x - r.x0}, {dx, r.x1 - a.x},
		{-dy, a.y - r.y0}, {dy, r.y1 - a.y},
	} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return a, b, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return a, b, false
			}
			t0 = max(t0, t)
		} else {
			if t < t0 {
				return a, b, false
			}
			t1 = min(t1, t)
		}
	}
	return pt{a.x + t0*dx, a.y + t0*dy}, pt{a.x + t1*dx, a.y + t1*dy}, true
}

// clipPolyline clips a polyline to r, returning the visible runs.
func clipPolyline(pts []pt, r rect) [][]pt {
	var runs [][]pt
	var cur []pt
	for i := 1; i < len(pts); i++ {
		a, b, ok := clipSegment(pts[i-1], pts[i], r)
		if !ok {
			if len(cur) > 1 {
				runs = append(runs, cur)
			}
			cur = nil
			continue
		}
		if len(cur) == 0 || cur[len(cur)-1] != a {
			if len(cur) > 1 {
				runs = append(runs, cur)
			}
			cur = []pt{a}
		}
		cur = append(cur, b)
	}
	if len(cur) > 1 {
		runs = append(runs, cur)
	}
	return runs
}

// clipPolygon clips a polygon to r (Sutherland–Hodgman).
func clipPolygon(poly []pt, r rect) []pt {
	type edge struct {
		inside func(pt) bool
		cross  func(a, b pt) pt
	}
	atX := func(a, b pt, x float64) pt { return pt{x, a.y + (b.y-a.y)*(x-a.x)/(b.x-a.x)} }
	atY := func(a, b pt, y float64) pt { return pt{a.x + (b.x-a.x)*(y-a.y)/(b.y-a.y), y} }
	edges := []edge{
		{func(p pt) bool { return p.x >= r.x0 }, func(a, b pt) pt { return atX(a, b, r.x0) }},
		{func(p pt) bool { return p.x <= r.x1 }, func(a, b pt) pt { return atX(a, b, r.x1) }},
		{func(p pt) bool { return p.y >= r.y0 }, func(a, b pt) pt { return atY(a, b, r.y0) }},
		{func(p pt) bool { return p.y <= r.y1 }, func(a, b pt) pt { return atY(a, b, r.y1) }},
	}
	out := poly
	for _, e := range edges {
		if len(out) == 0 {
			return nil
		}
		in := out
		out = make([]pt, 0, len(in)+4)
		prev := in[len(in)-1]
		for _, cur := range in {
			switch {
			case e.inside(cur) && !e.inside(prev):
				out = append(out, e.cross(prev, cur), cur)
			case e.inside(cur):
				out = append(out, cur)
			case e.inside(prev):
				out = append(out, e.cross(prev, cur))
			}
			prev = cur
		}
	}
	return out
}

// decimate thins a polyline whose points are sorted by x to at most four
// points per pixel column (the first, lowest, highest and last), which
// draws the same picture as all of them.
func decimate(pts []pt) []pt {
	if len(pts) < 8 {
		return pts
	}
	cols := math.Abs(pts[len(pts)-1].x - pts[0].x)
	if float64(len(pts)) <= 4*cols {
		return pts
	}
	out := make([]pt, 0, int(4*cols)+8)
	for i := 0; i < len(pts); {
		col := math.Floor(pts[i].x)
		j := i
		lo, hi := i, i
		for j < len(pts) && math.Floor(pts[j].x) == col {
			if pts[j].y < pts[lo].y {
				lo = j
			}
			if pts[j].y > pts[hi].y {
				hi = j
			}
			j++
		}
		out = append(out, pts[i])
		a, b := min(lo, hi), max(lo, hi)
		for _, k := range []int{a, b, j - 1} {
			if k != i && out[len(out)-1] != pts[k] {
				out = append(out, pts[k])
			}
		}
		i = j
	}
	return out
}
