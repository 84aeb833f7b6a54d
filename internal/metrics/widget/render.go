package widget

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"regexp"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// The formats Render writes.
const (
	FormatPNG = "png"
	FormatSVG = "svg"
)

// RenderOptions are what the drawing needs beyond the data.
type RenderOptions struct {
	// Units maps query ids to their CloudWatch unit (Percent, Bytes, …).
	// Single values print it, and an axis whose metrics share one unit
	// shows it as its title when its showUnits is on.
	Units map[string]string
}

// Render draws the widget with the data fetched for its queries, one or
// more series per query id (an expression may return several), as "png"
// or "svg" (also spelled "image/png" and "image/svg+xml"). Queries must
// have been called first: Render draws the time range it resolved.
func (w *Widget) Render(data map[string][]series.Series, format string) ([]byte, error) {
	return w.RenderWith(data, format, RenderOptions{})
}

// RenderWith is Render with options.
func (w *Widget) RenderWith(data map[string][]series.Series, format string, opts RenderOptions) ([]byte, error) {
	switch format {
	case FormatPNG, "image/png":
		format = FormatPNG
	case FormatSVG, "image/svg+xml":
		format = FormatSVG
	default:
		return nil, invalid("The value %q for parameter OutputFormat is not valid. Valid values: png, image/png, svg, image/svg+xml.", format)
	}
	if w.resolved == nil {
		panic("BUG: widget: Render called before Queries resolved the time range")
	}
	sc, err := w.scene(data, opts)
	if err != nil {
		return nil, err
	}
	width, height := float64(w.Width), float64(w.Height)
	var buf bytes.Buffer
	switch format {
	case FormatPNG:
		c := vgimg.NewWith(
			vgimg.UseWH(vg.Length(width), vg.Length(height)),
			vgimg.UseDPI(72),
			vgimg.UseBackgroundColor(sc.colors.background),
		)
		w.draw(&painter{c: c, w: width, h: height, raster: true}, sc)
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		if err := enc.Encode(&buf, c.Image()); err != nil {
			return nil, fmt.Errorf("cannot encode widget image as PNG: %w", err)
		}
	case FormatSVG:
		c := vgsvg.NewWith(vgsvg.UseWH(vg.Length(width), vg.Length(height)))
		p := &painter{c: c, w: width, h: height}
		p.fillRect(sc.colors.background, rect{0, 0, width, height})
		w.draw(p, sc)
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("cannot write widget image as SVG: %w", err)
		}
		return svgInPixels(buf.Bytes(), w.Width, w.Height), nil
	}
	return buf.Bytes(), nil
}

// svgSize matches the size vgsvg gives its documents, in points.
var svgSize = regexp.MustCompile(`<svg width="[0-9.e+]+pt" height="[0-9.e+]+pt"`)

// svgInPixels sizes an SVG document in pixels, as the widget's width and
// height are; vgsvg writes points, which viewers enlarge by a third.
func svgInPixels(doc []byte, w, h int) []byte {
	head := doc[:min(len(doc), 512)]
	loc := svgSize.FindIndex(head)
	if loc == nil {
		panic("BUG: widget: vgsvg wrote an unexpected SVG header")
	}
	repl := `<svg width="` + strconv.Itoa(w) + `px" height="` + strconv.Itoa(h) + `px"`
	out := make([]byte, 0, len(doc)+8)
	out = append(out, doc[:loc[0]]...)
	out = append(out, repl...)
	return append(out, doc[loc[1]:]...)
}

// line is one series as drawn: its points, label and color.
type line struct {
	label  string
	color  color.NRGBA
	axis   Axis
	unit   string
	ts     []int64 // Unix seconds, ascending
	vs     []float64
	hasPts bool
}

// latest returns the line's last finite value.
func (l *line) latest() (float64, bool) {
	for i := len(l.vs) - 1; i >= 0; i-- {
		if v := l.vs[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, true
		}
	}
	return 0, false
}

// scene is what a widget draws: its visible lines and colors.
type scene struct {
	lines  []line
	colors colors
}

// empty reports whether no line has data.
func (sc *scene) empty() bool {
	for i := range sc.lines {
		if sc.lines[i].hasPts {
			return false
		}
	}
	return true
}

// noData writes that there is no data in the middle of r.
func noData(p *painter, sc *scene, r rect) {
	f := face(legendSize, false)
	p.text(f, sc.colors.muted, (r.x0+r.x1)/2, (r.y0+r.y1-lineHeight(f))/2, alignCenter, "No data available.")
}

// scene collects the visible series in row order. A visible row without
// data still gets a legend entry.
func (w *Widget) scene(data map[string][]series.Series, opts RenderOptions) (*scene, error) {
	sc := &scene{colors: themeColors(w.Theme)}
	n := 0
	for i := range w.Metrics {
		m := &w.Metrics[i]
		if !m.Visible {
			continue
		}
		label := w.labelOf(i)
		list := data[m.ID]
		if len(list) == 0 {
			list = []series.Series{{}}
		}
		for j := range list {
			s := &list[j]
			if len(s.Timestamps) != len(s.Values) {
				return nil, fmt.Errorf("cannot render series %d of query %q: it has %d timestamps and %d values", j, m.ID, len(s.Timestamps), len(s.Values))
			}
			l := line{label: label, axis: m.YAxis, unit: opts.Units[m.ID], ts: s.Timestamps, vs: s.Values}
			if s.Label != "" {
				l.label = s.Label
			}
			if m.Color != "" {
				l.color = hexColor(m.Color)
			} else {
				l.color = hexColor(palette[n%len(palette)])
			}
			l.hasPts = len(s.Timestamps) > 0
			n++
			sc.lines = append(sc.lines, l)
		}
	}
	return sc, nil
}

// Sizes of the layout, in pixels.
const (
	pad          = 8.0
	titleSize    = 14.0
	tickSize     = 11.0
	legendSize   = 12.0
	swatch       = 10.0
	minPlotSide  = 16.0
	tickGap      = 4.0
	axisTitleGap = 4.0
)

// draw draws the scene.
func (w *Widget) draw(p *painter, sc *scene) {
	body := rect{pad, pad, p.w - pad, p.h - pad}
	if w.Title != "" {
		f := face(titleSize, true)
		if body.h() >= lineHeight(f) {
			p.text(f, sc.colors.text, body.x0, body.y0, alignLeft, fit(f, w.Title, body.w()))
			body.y0 += lineHeight(f) + 6
		}
	}
	if body.w() < minPlotSide || body.h() < minPlotSide {
		return
	}
	switch w.View {
	case ViewSingleValue:
		w.drawSingleValues(p, sc, body)
	case ViewPie:
		w.drawPie(p, sc, body)
	case ViewBar:
		w.drawBars(p, sc, body)
	default:
		w.drawTimeSeries(p, sc, body)
	}
}

// legendItem is one entry of the legend.
type legendItem struct {
	label string
	color color.NRGBA
}

// placeLegend reserves room for the legend in body and returns the room
// left for the graph and a function that draws the legend.
func (w *Widget) placeLegend(p *painter, sc *scene, body rect, items []legendItem) (rect, func()) {
	if w.Legend == LegendHidden || len(items) == 0 {
		return body, func() {}
	}
	f := face(legendSize, false)
	lh := lineHeight(f) + 4
	entry := func(it legendItem, x, y, maxW float64) {
		p.fillRect(it.color, rect{x, y + (lh-4-swatch)/2 + 1, x + swatch, y + (lh-4-swatch)/2 + 1 + swatch})
		p.text(f, sc.colors.muted, x+swatch+5, y, alignLeft, fit(f, it.label, maxW-swatch-5))
	}
	if w.Legend == LegendRight {
		colW := 0.0
		for _, it := range items {
			colW = max(colW, swatch+5+textWidth(f, it.label))
		}
		colW = min(colW, body.w()*0.35)
		if colW < swatch+20 {
			return body, func() {}
		}
		area := rect{body.x1 - colW, body.y0, body.x1, body.y1}
		body.x1 = area.x0 - pad
		return body, func() {
			rows := int(area.h() / lh)
			for i, it := range items {
				if i == rows-1 && len(items) > rows {
					p.text(f, sc.colors.muted, area.x0, area.y0+float64(i)*lh, alignLeft, fmt.Sprintf("+%d more", len(items)-i))
					return
				}
				if i >= rows {
					return
				}
				entry(it, area.x0, area.y0+float64(i)*lh, colW)
			}
		}
	}
	// At the bottom: entries flow in rows, using at most a third of the
	// height.
	type placed struct {
		it   legendItem
		x, y float64
		maxW float64
	}
	maxRows := max(int(body.h()/3/lh), 1)
	var out []placed
	x, row := body.x0, 0
	more := 0
	for i, it := range items {
		wd := min(swatch+5+textWidth(f, it.label), body.w())
		if x > body.x0 && x+wd > body.x1 {
			row++
			x = body.x0
		}
		if row >= maxRows {
			more = len(items) - i
			break
		}
		out = append(out, placed{it, x, float64(row) * lh, wd})
		x += wd + 16
	}
	height := float64(min(row+1, maxRows)) * lh
	if height > body.h()/2 {
		return body, func() {}
	}
	top := body.y1 - height
	body.y1 = top - 4
	return body, func() {
		for i, pl := range out {
			if more > 0 && i == len(out)-1 {
				p.text(f, sc.colors.muted, pl.x, top+pl.y, alignLeft, fmt.Sprintf("+%d more", more+1))
				break
			}
			entry(pl.it, pl.x, top+pl.y, pl.maxW)
		}
	}
}

// legendItems returns one entry per line.
func legendItems(sc *scene) []legendItem {
	items := make([]legendItem, len(sc.lines))
	for i, l := range sc.lines {
		items[i] = legendItem{label: l.label, color: l.color}
	}
	return items
}
