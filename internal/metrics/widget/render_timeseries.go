package widget

import (
	"image/color"
	"math"
	"slices"
	"time"
)

// Opacities of shaded areas.
const (
	annotationFillAlpha = 0.12
	stackedFillAlpha    = 0.45
	lineWidth           = 1.5
)

// valueAxes are the y-axes of a graph, laid out.
type valueAxes struct {
	left, right           linear
	useLeft, useRight     bool
	leftTitle, rightTitle string
	// leftTitleX and rightTitleX are where the titles' tops are.
	leftTitleX, rightTitleX float64
}

// axisOf returns the scale of an axis.
func (a *valueAxes) axisOf(ax Axis) *linear {
	if ax == AxisRight && a.useRight {
		return &a.right
	}
	return &a.left
}

// layoutValueAxes shrinks plot to leave room for the y-axes' tick labels
// and titles and returns the axes' scales over it. ext holds each axis'
// extent; includeZero keeps zero on the axes.
func (w *Widget) layoutValueAxes(plot *rect, ext map[Axis]*extent, titles map[Axis]string, includeZero bool) valueAxes {
	tf := face(tickSize, false)
	th := lineHeight(tf)
	va := valueAxes{useLeft: ext[AxisLeft].ok || !ext[AxisRight].ok, useRight: ext[AxisRight].ok}
	if va.useLeft {
		va.leftTitle = titles[AxisLeft]
	}
	if va.useRight {
		va.rightTitle = titles[AxisRight]
	}
	if va.leftTitle != "" {
		va.leftTitleX = plot.x0
		plot.x0 += th + axisTitleGap
	}
	if va.rightTitle != "" {
		va.rightTitleX = plot.x1 - th
		plot.x1 -= th + axisTitleGap
	}
	// Room for half a tick label above the top tick.
	plot.y0 += th / 2
	n := min(max(int(plot.h()/40), 2), 10)
	labelWidth := func(s linear) float64 {
		format := tickFormatter(s)
		wd := 0.0
		for _, t := range s.ticks {
			wd = max(wd, textWidth(tf, format(t)))
		}
		return wd
	}
	if va.useLeft {
		va.left = valueScale(*ext[AxisLeft], w.Left, includeZero, n)
		plot.x0 += labelWidth(va.left) + tickGap
	}
	if va.useRight {
		va.right = valueScale(*ext[AxisRight], w.Right, includeZero, n)
		plot.x1 -= labelWidth(va.right) + tickGap
	}
	for _, s := range []*linear{&va.left, &va.right} {
		s.p0, s.p1 = plot.y1, plot.y0
	}
	return va
}

// drawValueAxes draws the grid, tick labels and titles of the y-axes.
func (w *Widget) drawValueAxes(p *painter, sc *scene, plot rect, va *valueAxes) {
	tf := face(tickSize, false)
	th := lineHeight(tf)
	grid := &va.left
	if !va.useLeft {
		grid = &va.right
	}
	for _, t := range grid.ticks {
		if y := grid.px(t); y >= plot.y0-0.5 && y <= plot.y1+0.5 {
			p.hline(sc.colors.grid, plot.x0, plot.x1, y)
		}
	}
	for _, side := range []struct {
		use   bool
		s     *linear
		x     float64
		a     align
		title string
		tx    float64
	}{
		{va.useLeft, &va.left, plot.x0 - tickGap, alignRight, va.leftTitle, va.leftTitleX},
		{va.useRight, &va.right, plot.x1 + tickGap, alignLeft, va.rightTitle, va.rightTitleX},
	} {
		if !side.use {
			continue
		}
		format := tickFormatter(*side.s)
		for _, t := range side.s.ticks {
			y := side.s.px(t)
			if y < plot.y0-0.5 || y > plot.y1+0.5 {
				continue
			}
			p.text(tf, sc.colors.muted, side.x, y-th/2, side.a, format(t))
		}
		if side.title == "" {
			continue
		}
		p.textUp(tf, sc.colors.muted, side.tx, (plot.y0+plot.y1)/2, fit(tf, side.title, plot.h()))
	}
}

// axisTitles returns the titles of the y-axes: the label option, or, with
// showUnits, the unit the axis' lines share.
func (w *Widget) axisTitles(sc *scene) map[Axis]string {
	titles := map[Axis]string{}
	for _, ax := range []struct {
		name Axis
		cfg  YAxis
	}{{AxisLeft, w.Left}, {AxisRight, w.Right}} {
		if ax.cfg.Label != "" {
			titles[ax.name] = ax.cfg.Label
			continue
		}
		if !ax.cfg.ShowUnits {
			continue
		}
		unit, seen, same := "", false, true
		for _, l := range sc.lines {
			if l.axis != ax.name {
				continue
			}
			if !seen {
				unit, seen = l.unit, true
			} else if l.unit != unit {
				same = false
			}
		}
		if same && unit != "None" {
			titles[ax.name] = unit
		}
	}
	return titles
}

// inRange reports whether a Unix time is inside the widget's range.
func (w *Widget) inRange(ts int64) bool {
	return ts >= w.resolved.start.Unix() && ts <= w.resolved.end.Unix()
}

// stackedLayer is one line's band of a stacked graph.
type stackedLayer struct {
	ts           []int64
	lower, upper []float64
}

// stack stacks the lines of one axis: at every timestamp any of them has,
// each adds its value (zero where it has none) on top of those before it.
func (w *Widget) stack(lines []*line) []stackedLayer {
	var ts []int64
	for _, l := range lines {
		for _, t := range l.ts {
			if w.inRange(t) {
				ts = append(ts, t)
			}
		}
	}
	slices.Sort(ts)
	ts = slices.Compact(ts)
	base := make([]float64, len(ts))
	layers := make([]stackedLayer, len(lines))
	for k, l := range lines {
		lower := slices.Clone(base)
		j := 0
		for i, t := range ts {
			for j < len(l.ts) && l.ts[j] < t {
				j++
			}
			if j < len(l.ts) && l.ts[j] == t {
				if v := l.vs[j]; !math.IsNaN(v) && !math.IsInf(v, 0) {
					base[i] += v
				}
			}
		}
		layers[k] = stackedLayer{ts: ts, lower: lower, upper: slices.Clone(base)}
	}
	return layers
}

// drawTimeSeries draws lines, or stacked areas, against time.
func (w *Widget) drawTimeSeries(p *painter, sc *scene, body rect) {
	plot, drawLegend := w.placeLegend(p, sc, body, legendItems(sc))
	defer drawLegend()
	tf := face(tickSize, false)
	th := lineHeight(tf)
	plot.y1 -= th + tickGap

	ext := map[Axis]*extent{AxisLeft: {}, AxisRight: {}}
	var stacks map[Axis][]stackedLayer
	byAxis := map[Axis][]*line{}
	for i := range sc.lines {
		l := &sc.lines[i]
		byAxis[l.axis] = append(byAxis[l.axis], l)
	}
	if w.Stacked {
		stacks = map[Axis][]stackedLayer{}
		for ax, ls := range byAxis {
			stacks[ax] = w.stack(ls)
			for _, layer := range stacks[ax] {
				for i := range layer.ts {
					ext[ax].add(layer.lower[i])
					ext[ax].add(layer.upper[i])
				}
			}
		}
	} else {
		for _, l := range sc.lines {
			for i, t := range l.ts {
				if w.inRange(t) {
					ext[l.axis].add(l.vs[i])
				}
			}
		}
	}
	// The graph is scaled so that every visible horizontal annotation
	// shows.
	for _, a := range w.Horizontal {
		if a.Visible {
			ext[a.YAxis].add(a.Value)
			if a.Band {
				ext[a.YAxis].add(a.Value2)
			}
		}
	}
	va := w.layoutValueAxes(&plot, ext, w.axisTitles(sc), w.Stacked)
	if !va.useRight {
		plot.x1 -= th // room for the last time label
	}
	if plot.w() < minPlotSide || plot.h() < minPlotSide {
		return
	}
	start, end := w.resolved.start, w.resolved.end
	tx := linear{min: unixSeconds(start), max: unixSeconds(end), p0: plot.x0, p1: plot.x1}

	w.drawValueAxes(p, sc, plot, &va)
	w.drawAnnotationFills(p, sc, plot, &va, &tx)
	if w.Stacked {
		for _, ax := range []Axis{AxisLeft, AxisRight} {
			layers := stacks[ax]
			s := va.axisOf(ax)
			for k, layer := range layers {
				l := byAxis[ax][k]
				poly := make([]pt, 0, 2*len(layer.ts))
				top := make([]pt, 0, len(layer.ts))
				for i, t := range layer.ts {
					q := pt{tx.px(float64(t)), s.px(layer.upper[i])}
					poly = append(poly, q)
					top = append(top, q)
				}
				for i := len(layer.ts) - 1; i >= 0; i-- {
					poly = append(poly, pt{tx.px(float64(layer.ts[i])), s.px(layer.lower[i])})
				}
				p.fill(withAlpha(l.color, stackedFillAlpha), clipPolygon(poly, plot))
				w.strokeLine(p, l.color, top, plot)
			}
		}
	} else {
		for _, l := range sc.lines {
			s := va.axisOf(l.axis)
			pts := make([]pt, 0, len(l.ts))
			for i, t := range l.ts {
				if v := l.vs[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
					pts = append(pts, pt{tx.px(float64(t)), s.px(v)})
				}
			}
			w.strokeLine(p, l.color, pts, plot)
		}
	}
	w.drawAnnotationLines(p, sc, plot, &va, &tx)
	if sc.empty() {
		noData(p, sc, plot)
	}

	p.hline(sc.colors.axis, plot.x0, plot.x1, plot.y1)
	label := textWidth(tf, "00:00")
	if end.Sub(start) > 24*time.Hour {
		label = textWidth(tf, "00/00 00:00")
	}
	for _, tk := range timeTicks(start, end, w.Timezone, max(int(plot.w()/(label+24)), 1)) {
		x := tx.px(unixSeconds(tk.t))
		p.vline(sc.colors.axis, x, plot.y1, plot.y1+3)
		p.text(tf, sc.colors.muted, x, plot.y1+tickGap, alignCenter, tk.label)
	}
}

// strokeLine draws a line through pts, clipped to the plot; a lone point
// is drawn as a dot.
func (w *Widget) strokeLine(p *painter, c color.NRGBA, pts []pt, plot rect) {
	if len(pts) == 1 {
		q := pts[0]
		if q.x >= plot.x0 && q.x <= plot.x1 && q.y >= plot.y0 && q.y <= plot.y1 {
			p.fillRect(c, rect{q.x - 2, q.y - 2, q.x + 2, q.y + 2})
		}
		return
	}
	for _, run := range clipPolyline(decimate(pts), plot) {
		// The rasterizer slows down with the number of cells a path
		// covers in a row, so long lines go to it in pieces that share
		// their end points.
		for p.raster && len(run) > strokeChunk {
			p.stroke(c, lineWidth, nil, run[:strokeChunk+1])
			run = run[strokeChunk:]
		}
		p.stroke(c, lineWidth, nil, run)
	}
}

// strokeChunk is how many segments of a line are stroked at once.
const strokeChunk = 64

// unixSeconds returns t in fractional Unix seconds.
func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// annotationColor returns an annotation's color.
func annotationColor(sc *scene, hex string) color.NRGBA {
	if hex == "" {
		return sc.colors.annotation
	}
	return hexColor(hex)
}

// drawAnnotationFills shades the annotations' fills and bands, under the
// data.
func (w *Widget) drawAnnotationFills(p *painter, sc *scene, plot rect, va *valueAxes, tx *linear) {
	clampY := func(y float64) float64 { return min(max(y, plot.y0), plot.y1) }
	clampX := func(x float64) float64 { return min(max(x, plot.x0), plot.x1) }
	for _, a := range w.Horizontal {
		if !a.Visible {
			continue
		}
		s := va.axisOf(a.YAxis)
		c := withAlpha(annotationColor(sc, a.Color), annotationFillAlpha)
		y := clampY(s.px(a.Value))
		switch {
		case a.Band:
			y2 := clampY(s.px(a.Value2))
			p.fillRect(c, rect{plot.x0, min(y, y2), plot.x1, max(y, y2)})
		case a.Fill == FillAbove:
			p.fillRect(c, rect{plot.x0, plot.y0, plot.x1, y})
		case a.Fill == FillBelow:
			p.fillRect(c, rect{plot.x0, y, plot.x1, plot.y1})
		}
	}
	if tx == nil {
		return
	}
	for _, a := range w.Vertical {
		if !a.Visible {
			continue
		}
		c := withAlpha(annotationColor(sc, a.Color), annotationFillAlpha)
		x := clampX(tx.px(unixSeconds(a.Time)))
		switch {
		case a.Band:
			x2 := clampX(tx.px(unixSeconds(a.Time2)))
			p.fillRect(c, rect{min(x, x2), plot.y0, max(x, x2), plot.y1})
		case a.Fill == FillBefore:
			p.fillRect(c, rect{plot.x0, plot.y0, x, plot.y1})
		case a.Fill == FillAfter:
			p.fillRect(c, rect{x, plot.y0, plot.x1, plot.y1})
		}
	}
}

// drawAnnotationLines draws the annotations' lines and labels, over the
// data.
func (w *Widget) drawAnnotationLines(p *painter, sc *scene, plot rect, va *valueAxes, tx *linear) {
	f := face(tickSize, false)
	lh := lineHeight(f)
	hline := func(c color.NRGBA, y float64, label string) {
		if y < plot.y0-0.5 || y > plot.y1+0.5 {
			return
		}
		p.hline(c, plot.x0, plot.x1, y)
		ty := y - lh - 1
		if ty < plot.y0 {
			ty = y + 2
		}
		p.text(f, c, plot.x0+4, ty, alignLeft, fit(f, label, plot.w()-8))
	}
	for _, a := range w.Horizontal {
		if !a.Visible {
			continue
		}
		s := va.axisOf(a.YAxis)
		c := annotationColor(sc, a.Color)
		hline(c, s.px(a.Value), a.Label)
		if a.Band {
			hline(c, s.px(a.Value2), a.Label2)
		}
	}
	if tx == nil {
		return
	}
	vline := func(c color.NRGBA, x float64, label string) {
		if x < plot.x0-0.5 || x > plot.x1+0.5 {
			return
		}
		p.vline(c, x, plot.y0, plot.y1)
		room := plot.x1 - x - 6
		if room < 40 {
			// Near the right edge the label goes left of the line.
			p.text(f, c, x-3, plot.y0+2, alignRight, fit(f, label, x-plot.x0-6))
			return
		}
		p.text(f, c, x+3, plot.y0+2, alignLeft, fit(f, label, room))
	}
	for _, a := range w.Vertical {
		if !a.Visible {
			continue
		}
		c := annotationColor(sc, a.Color)
		vline(c, tx.px(unixSeconds(a.Time)), a.Label)
		if a.Band {
			vline(c, tx.px(unixSeconds(a.Time2)), a.Label2)
		}
	}
}
