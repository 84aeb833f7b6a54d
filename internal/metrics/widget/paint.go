package widget

import (
	"image/color"
	"math"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/vg"
)

// fonts is the font cache, built on first use from the Liberation fonts
// that gonum ships; it is read-only once built.
var fonts = sync.OnceValue(func() *font.Cache {
	return font.NewCache(liberation.Collection())
})

// face returns Liberation Sans at a size in pixels.
func face(size float64, bold bool) font.Face {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: font.Length(size)}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return fonts().Lookup(f, f.Size)
}

// pt is a point in image pixels, y growing downward.
type pt struct{ x, y float64 }

// rect is an axis-aligned rectangle in image pixels.
type rect struct{ x0, y0, x1, y1 float64 }

func (r rect) w() float64 { return r.x1 - r.x0 }
func (r rect) h() float64 { return r.y1 - r.y0 }

// align is the horizontal alignment of text.
type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// painter draws on a vg.Canvas in image pixels with the origin at the top
// left: vg's canvases put it at the bottom left, and at 72 DPI one vg point
// is one pixel.
type painter struct {
	c    vg.Canvas
	w, h float64
	// raster is set for raster canvases.
	raster bool
}

// vgPt converts an image point to canvas coordinates, keeping it within a
// distance of the image that the rasterizer handles.
func (p *painter) vgPt(q pt) vg.Point {
	const far = 1e5
	return vg.Point{X: vg.Length(min(max(q.x, -far), far)), Y: vg.Length(p.h - min(max(q.y, -far), far))}
}

// path builds a polyline (closed when close is set), skipping points that
// are not numbers.
func (p *painter) path(pts []pt, close bool) vg.Path {
	path := make(vg.Path, 0, len(pts)+1)
	for _, q := range pts {
		if math.IsNaN(q.x) || math.IsNaN(q.y) {
			continue
		}
		if len(path) == 0 {
			path.Move(p.vgPt(q))
		} else {
			path.Line(p.vgPt(q))
		}
	}
	if close {
		path.Close()
	}
	return path
}

// stroke draws a polyline.
func (p *painter) stroke(c color.Color, width float64, dash []float64, pts []pt) {
	if len(pts) < 2 {
		return
	}
	p.c.SetColor(c)
	p.c.SetLineWidth(vg.Length(width))
	d := make([]vg.Length, len(dash))
	for i, v := range dash {
		d[i] = vg.Length(v)
	}
	p.c.SetLineDash(d, 0)
	p.c.Stroke(p.path(pts, false))
	p.c.SetLineDash(nil, 0)
}

// fill fills a polygon.
func (p *painter) fill(c color.Color, pts []pt) {
	if len(pts) < 3 {
		return
	}
	p.c.SetColor(c)
	p.c.Fill(p.path(pts, true))
}

// fillRect fills a rectangle.
func (p *painter) fillRect(c color.Color, r rect) {
	if r.w() <= 0 || r.h() <= 0 {
		return
	}
	p.fill(c, []pt{{r.x0, r.y0}, {r.x1, r.y0}, {r.x1, r.y1}, {r.x0, r.y1}})
}

// hline draws a crisp one-pixel horizontal line in row y.
func (p *painter) hline(c color.Color, x0, x1, y float64) {
	y = crisp(y)
	p.stroke(c, 1, nil, []pt{{x0, y}, {x1, y}})
}

// vline draws a crisp one-pixel vertical line in column x.
func (p *painter) vline(c color.Color, x, y0, y1 float64) {
	x = crisp(x)
	p.stroke(c, 1, nil, []pt{{x, y0}, {x, y1}})
}

// crisp moves a coordinate to the middle of its pixel, so a one-pixel line
// covers exactly one row or column.
func crisp(v float64) float64 { return math.Floor(v) + 0.5 }

// text draws s with its top at y, aligned on x.
func (p *painter) text(f font.Face, c color.Color, x, y float64, a align, s string) {
	s = printable(s)
	if s == "" {
		return
	}
	switch a {
	case alignCenter:
		x -= textWidth(f, s) / 2
	case alignRight:
		x -= textWidth(f, s)
	}
	p.c.SetColor(c)
	p.c.FillString(f, p.vgPt(pt{x, y + ascent(f)}), s)
}

// textUp draws s rotated a quarter turn counterclockwise, reading upward,
// centered on y with its top at x.
func (p *painter) textUp(f font.Face, c color.Color, x, y float64, s string) {
	s = printable(s)
	if s == "" {
		return
	}
	p.c.Push()
	p.c.Translate(p.vgPt(pt{x + ascent(f), y + textWidth(f, s)/2}))
	p.c.Rotate(math.Pi / 2)
	p.c.SetColor(c)
	p.c.FillString(f, vg.Point{}, s)
	p.c.Pop()
}

// printable turns tabs and line breaks into spaces and drops the control
// characters and non-characters that XML, and so SVG, cannot hold.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xfffe || r == 0xffff:
			return -1
		}
		return r
	}, s)
}

// textWidth measures s in pixels.
func textWidth(f font.Face, s string) float64 { return float64(f.Width(s)) }

// ascent is the height of f above the baseline; lineHeight the height of a
// line.
func ascent(f font.Face) float64 { return float64(f.Extents().Ascent) }

func lineHeight(f font.Face) float64 {
	e := f.Extents()
	return float64(e.Ascent + e.Descent)
}

// fit shortens s with an ellipsis until it is at most width pixels wide.
func fit(f font.Face, s string, width float64) string {
	s = printable(s)
	if width <= 0 {
		return ""
	}
	if textWidth(f, s) <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if textWidth(f, string(r[:mid])+"…") <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return ""
	}
	return string(r[:lo]) + "…"
}
