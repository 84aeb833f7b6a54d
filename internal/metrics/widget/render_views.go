package widget

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
)

// The bar, pie and single-value views show one value per line: its latest
// one. With setPeriodToTimeRange the queries have one period spanning the
// range, so that value covers all of it.

// drawBars draws one bar per line from zero to its latest value.
func (w *Widget) drawBars(p *painter, sc *scene, body rect) {
	plot, drawLegend := w.placeLegend(p, sc, body, legendItems(sc))
	defer drawLegend()
	plot.y1 -= tickGap
	ext := map[Axis]*extent{AxisLeft: {}, AxisRight: {}}
	for i := range sc.lines {
		if v, ok := sc.lines[i].latest(); ok {
			ext[AxisLeft].add(v)
		}
	}
	for _, a := range w.Horizontal {
		if a.Visible {
			ext[AxisLeft].add(a.Value)
			if a.Band {
				ext[AxisLeft].add(a.Value2)
			}
		}
	}
	titles := w.axisTitles(sc)
	delete(titles, AxisRight)
	va := w.layoutValueAxes(&plot, ext, titles, true)
	plot.x1 -= pad
	if plot.w() < minPlotSide || plot.h() < minPlotSide {
		return
	}
	w.drawValueAxes(p, sc, plot, &va)
	w.drawAnnotationFills(p, sc, plot, &va, nil)
	s := &va.left
	n := len(sc.lines)
	slot := plot.w() / float64(max(n, 1))
	barW := min(slot*0.6, 120)
	zero := min(max(s.px(0), plot.y0), plot.y1)
	for i := range sc.lines {
		v, ok := sc.lines[i].latest()
		if !ok {
			continue
		}
		x := plot.x0 + slot*(float64(i)+0.5)
		y := min(max(s.px(v), plot.y0), plot.y1)
		p.fillRect(sc.lines[i].color, rect{x - barW/2, min(y, zero), x + barW/2, max(y, zero)})
	}
	w.drawAnnotationLines(p, sc, plot, &va, nil)
	p.hline(sc.colors.axis, plot.x0, plot.x1, zero)
	if sc.empty() {
		noData(p, sc, plot)
	}
}

// drawPie draws one slice per line with a positive latest value, clockwise
// from the top; the legend gives each slice's share.
func (w *Widget) drawPie(p *painter, sc *scene, body rect) {
	total := 0.0
	vals := make([]float64, len(sc.lines))
	for i := range sc.lines {
		if v, ok := sc.lines[i].latest(); ok && v > 0 {
			vals[i] = v
			total += v
		}
	}
	items := legendItems(sc)
	for i := range items {
		if total > 0 && vals[i] > 0 {
			items[i].label += " (" + strconv.FormatFloat(100*vals[i]/total, 'f', 1, 64) + "%)"
		}
	}
	area, drawLegend := w.placeLegend(p, sc, body, items)
	defer drawLegend()
	c := pt{(area.x0 + area.x1) / 2, (area.y0 + area.y1) / 2}
	r := min(area.w(), area.h())/2 - 4
	if r < 4 {
		return
	}
	if total <= 0 || math.IsInf(total, 0) {
		noData(p, sc, area)
		return
	}
	angle := math.Pi / 2 // canvas angles turn counterclockwise from 3 o'clock
	for i, v := range vals {
		if v <= 0 {
			continue
		}
		sweep := -2 * math.Pi * v / total
		var path vg.Path
		path.Move(p.vgPt(c))
		path.Arc(p.vgPt(c), vg.Length(r), angle, sweep)
		path.Close()
		p.c.SetColor(sc.lines[i].color)
		p.c.Fill(path)
		angle += sweep
	}
	// Separate the slices with the background color.
	if len(sc.lines) > 1 {
		angle = math.Pi / 2
		for _, v := range vals {
			if v <= 0 {
				continue
			}
			p.stroke(sc.colors.background, 1, nil, []pt{c, {c.x + r*math.Cos(angle), c.y - r*math.Sin(angle)}})
			angle -= 2 * math.Pi * v / total
		}
	}
}

// drawSingleValues prints each line's latest value, with its unit, in a
// grid of tiles under its label.
func (w *Widget) drawSingleValues(p *painter, sc *scene, body rect) {
	n := len(sc.lines)
	lf := face(legendSize, false)
	if n == 0 {
		noData(p, sc, body)
		return
	}
	cols := min(n, max(1, int(body.w()/130)))
	rows := (n + cols - 1) / cols
	tw, th := body.w()/float64(cols), body.h()/float64(rows)
	lh := lineHeight(lf)
	if th < lh {
		return
	}
	texts := make([]string, n)
	for i := range sc.lines {
		texts[i] = "--"
		if v, ok := sc.lines[i].latest(); ok {
			texts[i] = formatWithUnit(v, w.SingleValueFullPrecision, sc.lines[i].unit)
		}
	}
	// One size for all values: the largest at which each fits its tile.
	room := th - lh - 6
	size := min(room*0.8, 48.0)
	for ; size > 8; size -= 2 {
		f := face(size, false)
		fits := true
		for _, text := range texts {
			if textWidth(f, text) > tw-14 {
				fits = false
				break
			}
		}
		if fits {
			break
		}
	}
	vf := face(max(size, 8), false)
	for i := range sc.lines {
		l := &sc.lines[i]
		x := body.x0 + float64(i%cols)*tw
		y := body.y0 + float64(i/cols)*th
		p.fillRect(l.color, rect{x, y + 2, x + 3, y + lh - 1})
		p.text(lf, sc.colors.muted, x+7, y, alignLeft, fit(lf, l.label, tw-14))
		if room >= 8 {
			p.text(vf, sc.colors.text, x+7, y+lh+4, alignLeft, fit(vf, texts[i], tw-14))
		}
	}
}

// formatWithUnit formats a single value with its unit: "42.5%", "12 ms",
// "1.23k/s"; byte and bit units take the SI prefix ("2.5 MB"); Count and
// None show nothing.
func formatWithUnit(v float64, full bool, unit string) string {
	sym := unitSymbol(unit)
	switch sym {
	case "":
		return formatValue(v, full)
	case "%", "/s":
		return formatValue(v, full) + sym
	case "B", "b", "B/s", "b/s":
		if a := math.Abs(v); !full && a >= 1e3 && a < 1e21 {
			for _, p := range siPrefixes {
				if a >= p.v {
					return trimFloat(v/p.v) + " " + strings.ToUpper(p.suffix) + sym
				}
			}
		}
	}
	return formatValue(v, full) + " " + sym
}
