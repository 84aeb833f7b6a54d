package widget

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// constant returns data holding v at every period for every query.
func constant(req Request, v float64) map[string][]series.Series {
	data := map[string][]series.Series{}
	for _, q := range req.Queries {
		data[q.ID] = []series.Series{synth(req, q, func(int) float64 { return v })}
	}
	return data
}

// rowOf returns the row where most pixels have color c, and how many.
func rowOf(img image.Image, c color.NRGBA, tol int) (int, int) {
	b := img.Bounds()
	best, bestN := -1, 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		n := 0
		for x := b.Min.X; x < b.Max.X; x++ {
			if near(img.At(x, y), c, tol) {
				n++
			}
		}
		if n > bestN {
			best, bestN = y, n
		}
	}
	return best, bestN
}

// colOf returns the column where most pixels have color c.
func colOf(img image.Image, c color.NRGBA, tol int) (int, int) {
	b := img.Bounds()
	best, bestN := -1, 0
	for x := b.Min.X; x < b.Max.X; x++ {
		n := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if near(img.At(x, y), c, tol) {
				n++
			}
		}
		if n > bestN {
			best, bestN = x, n
		}
	}
	return best, bestN
}

// TestRenderHorizontalAnnotationRows checks that annotations and data land
// on the rows their values map to: with the axis fixed, the rows of values
// 10, 50 and 90 and of a constant line at 70 must be proportional.
func TestRenderHorizontalAnnotationRows(t *testing.T) {
	w, req := prepare(t, `{
		"metrics": [["N", "M", {"color": "#00aa00"}]],
		"yAxis": {"left": {"min": 0, "max": 100}},
		"legend": {"position": "hidden"},
		"annotations": {"horizontal": [
			{"value": 10, "color": "#ff00ff"},
			{"value": 50, "color": "#00ffff"},
			{"value": 90, "color": "#0000ff"}
		]}
	}`)
	img := decodePNG(t, render(t, w, constant(req, 70), FormatPNG, RenderOptions{}))
	row := func(hex string, tol, minCount int) float64 {
		t.Helper()
		y, n := rowOf(img, hexColor(hex), tol)
		if n < minCount {
			t.Fatalf("color %s: best row %d has only %d pixels", hex, y, n)
		}
		return float64(y)
	}
	r10, r50, r90 := row("#ff00ff", 8, 400), row("#00ffff", 8, 400), row("#0000ff", 8, 400)
	if !(r90 < r50 && r50 < r10) {
		t.Fatalf("rows of 10, 50, 90: %v %v %v; larger values must be higher", r10, r50, r90)
	}
	if want := (r10 + r90) / 2; math.Abs(r50-want) > 1 {
		t.Fatalf("row of 50 is %v, want %v ± 1 (10 at %v, 90 at %v)", r50, want, r10, r90)
	}
	// 0 and 100 are the plot's edges: 10 is a tenth of the height from
	// the bottom.
	height := (r10 - r90) / 0.8
	bottom := r10 + height*0.1
	if want := bottom - height*0.7; math.Abs(row("#00aa00", 60, 300)-want) > 1.5 {
		t.Fatalf("row of the data at 70 is %v, want %v ± 1.5", row("#00aa00", 60, 300), want)
	}
}

// TestRenderVerticalAnnotationColumns checks vertical annotations against
// the time axis: the middle of the range lies halfway between its first
// and third quarters.
func TestRenderVerticalAnnotationColumns(t *testing.T) {
	w, req := prepare(t, `{
		"start": "2024-05-01T08:00:00Z", "end": "2024-05-01T12:00:00Z",
		"metrics": [["N", "M"]],
		"annotations": {"vertical": [
			{"value": "2024-05-01T09:00:00Z", "color": "#ff00ff"},
			{"value": "2024-05-01T10:00:00Z", "color": "#00ffff"},
			{"value": "2024-05-01T11:00:00Z", "color": "#0000ff"}
		]}
	}`)
	img := decodePNG(t, render(t, w, constant(req, 1), FormatPNG, RenderOptions{}))
	col := func(hex string) float64 {
		x, n := colOf(img, hexColor(hex), 8)
		if n < 200 {
			t.Fatalf("color %s: best column %d has only %d pixels", hex, x, n)
		}
		return float64(x)
	}
	c9, c10, c11 := col("#ff00ff"), col("#00ffff"), col("#0000ff")
	if math.Abs(c10-(c9+c11)/2) > 1 || c9 >= c11 {
		t.Fatalf("columns of 09:00, 10:00, 11:00: %v %v %v", c9, c10, c11)
	}
}

func TestRenderSingleValueText(t *testing.T) {
	w, req := prepare(t, `{"view": "singleValue", "metrics": [["N", "CPU"], ["N", "Requests"], ["N", "Big", {"label": "big one"}]]}`)
	data := constant(req, 42.5)
	data["m2"] = []series.Series{{Timestamps: []int64{req.Start.Unix(), req.Start.Unix() + 60}, Values: []float64{7, 1234}}}
	data["m3"] = []series.Series{{Timestamps: []int64{req.Start.Unix()}, Values: []float64{2.5e6}}}
	texts := svgTexts(t, render(t, w, data, FormatSVG, RenderOptions{Units: map[string]string{"m1": "Percent", "m2": "Count/Second", "m3": "Bytes"}}))
	for _, want := range []string{"CPU", "42.5%", "Requests", "1.23k/s", "big one", "2.5 MB"} {
		if !slices.Contains(texts, want) {
			t.Errorf("SVG texts %q lack %q", texts, want)
		}
	}
	// Full precision prints every digit.
	w.SingleValueFullPrecision = true
	texts = svgTexts(t, render(t, w, data, FormatSVG, RenderOptions{}))
	if !slices.Contains(texts, "1234") || !slices.Contains(texts, "2500000") {
		t.Errorf("full precision: SVG texts %q", texts)
	}
}

func TestRenderLegend(t *testing.T) {
	const js = `{"title": "T", "legend": {"position": "%s"}, "metrics": [["N", "Alpha"], ["N", "Beta", {"label": "bravo"}]]}`
	for _, pos := range []string{"bottom", "right", "hidden"} {
		w, req := prepare(t, strings.Replace(js, "%s", pos, 1))
		texts := svgTexts(t, render(t, w, waves(req), FormatSVG, RenderOptions{}))
		has := slices.Contains(texts, "Alpha") && slices.Contains(texts, "bravo")
		if has != (pos != "hidden") {
			t.Errorf("legend %s: SVG texts %q", pos, texts)
		}
		if !slices.Contains(texts, "T") {
			t.Errorf("legend %s: no title in %q", pos, texts)
		}
	}
}

func TestRenderAxes(t *testing.T) {
	w, req := prepare(t, `{
		"timezone": "+0130", "yAxis": {"left": {"min": 0, "max": 100}, "right": {"label": "things"}},
		"metrics": [["N", "M"], ["N", "R", {"yAxis": "right"}]]
	}`)
	texts := svgTexts(t, render(t, w, waves(req), FormatSVG, RenderOptions{Units: map[string]string{"m1": "Percent"}}))
	// The range is 09:00 to 12:00 UTC: 10:30 to 13:30 at +01:30.
	for _, want := range []string{"0", "20", "40", "60", "80", "100", "10:30", "12:00", "13:30", "Percent", "things"} {
		if !slices.Contains(texts, want) {
			t.Errorf("SVG texts %q lack %q", texts, want)
		}
	}
	if slices.Contains(texts, "09:00") {
		t.Errorf("SVG texts %q show UTC times", texts)
	}
}

func TestRenderPieShares(t *testing.T) {
	w, req := prepare(t, `{"view": "pie", "metrics": [["N", "A"], ["N", "B"], ["N", "C"]]}`)
	data := constant(req, 1)
	data["m1"] = []series.Series{{Timestamps: []int64{req.Start.Unix()}, Values: []float64{3}}}
	data["m3"] = nil
	texts := svgTexts(t, render(t, w, data, FormatSVG, RenderOptions{}))
	for _, want := range []string{"A (75.0%)", "B (25.0%)", "C"} {
		if !slices.Contains(texts, want) {
			t.Errorf("SVG texts %q lack %q", texts, want)
		}
	}
}

func TestRenderBarHeights(t *testing.T) {
	w, req := prepare(t, `{"view": "bar", "yAxis": {"left": {"min": 0, "max": 100}}, "legend": {"position": "hidden"},
		"metrics": [["N", "A", {"color": "#ff00ff"}], ["N", "B", {"color": "#0000ff"}]]}`)
	data := constant(req, 50)
	data["m2"] = []series.Series{{Timestamps: []int64{req.Start.Unix()}, Values: []float64{100}}}
	img := decodePNG(t, render(t, w, data, FormatPNG, RenderOptions{}))
	height := func(hex string) int {
		_, n := colOf(img, hexColor(hex), 4)
		return n
	}
	a, b := height("#ff00ff"), height("#0000ff")
	if math.Abs(float64(b)/float64(a)-2) > 0.05 {
		t.Fatalf("bars of 50 and 100 are %d and %d pixels high", a, b)
	}
}

func TestRenderSizes(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {10, 10}, {40, 30}, {2000, 120}, {120, 2000}} {
		for _, view := range []string{"timeSeries", "bar", "pie", "singleValue"} {
			w, req := prepare(t, `{"title": "A long title for a small image", "view": "`+view+`", "metrics": [["N", "M"], ["N", "M2"]]}`)
			w.Width, w.Height = size[0], size[1]
			render(t, w, waves(req), FormatPNG, RenderOptions{})
			render(t, w, waves(req), FormatSVG, RenderOptions{})
		}
	}
}

func TestRenderOddData(t *testing.T) {
	w, req := prepare(t, `{"stacked": true, "metrics": [["N", "A"], ["N", "B"], [{"expression": "SEARCH('x', 'Sum', 300)"}]]}`)
	s := req.Start.Unix()
	data := map[string][]series.Series{
		"m1": {{Timestamps: []int64{s, s + 300, s + 600}, Values: []float64{math.NaN(), math.Inf(1), 1e308}}},
		"m2": {{Timestamps: []int64{s - 3600, s + 300, s + 600}, Values: []float64{-1e308, 5, 1e308}}},
		"e3": {{Label: "one"}, {Label: "two", Timestamps: []int64{s}, Values: []float64{1}}},
	}
	for _, stacked := range []bool{true, false} {
		w.Stacked = stacked
		texts := svgTexts(t, render(t, w, data, FormatSVG, RenderOptions{}))
		if !slices.Contains(texts, "one") || !slices.Contains(texts, "two") {
			t.Errorf("expression series labels missing from %q", texts)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	w, req := prepare(t, `{"metrics": [["N", "M"]]}`)
	var we *Error
	if _, err := w.Render(waves(req), "jpeg"); !errors.As(err, &we) || we.Code != CodeInvalidParameterValue {
		t.Errorf("format jpeg: got %v", err)
	}
	bad := map[string][]series.Series{"m1": {{Timestamps: []int64{1, 2}, Values: []float64{1}}}}
	if _, err := w.Render(bad, FormatPNG); err == nil || errors.As(err, &we) {
		t.Errorf("mismatched series: got %v, want an internal error", err)
	}
	for _, f := range []string{"image/png", "image/svg+xml"} {
		if _, err := w.Render(waves(req), f); err != nil {
			t.Errorf("format %s: %v", f, err)
		}
	}
	fresh, err := ParseWidget(`{"metrics": [["N", "M"]]}`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "BUG:") {
			t.Errorf("Render before Queries: recovered %v, want a BUG panic", r)
		}
	}()
	fresh.Render(nil, FormatPNG)
}

func TestRenderDarkTheme(t *testing.T) {
	w, req := prepare(t, `{"theme": "dark", "metrics": [["N", "M"]]}`)
	img := decodePNG(t, render(t, w, waves(req), FormatPNG, RenderOptions{}))
	if !near(img.At(1, 1), themeColors(ThemeDark).background, 0) {
		t.Errorf("corner is %v, want the dark background", img.At(1, 1))
	}
}

func TestRenderOddText(t *testing.T) {
	w, req := prepare(t, `{"title": "ctl\u0001\u001f tab\there\nnew line \ufffe \ud83d\ude80 שלום", "metrics": [["N", "M", {"label": "\u0000zero"}]]}`)
	texts := svgTexts(t, render(t, w, waves(req), FormatSVG, RenderOptions{}))
	render(t, w, waves(req), FormatPNG, RenderOptions{})
	if !slices.Contains(texts, "zero") {
		t.Errorf("SVG texts %q lack the label without its control character", texts)
	}
}

func TestRenderNoData(t *testing.T) {
	for _, view := range []string{"timeSeries", "bar", "pie"} {
		w, _ := prepare(t, `{"view": "`+view+`", "metrics": [["N", "M"]]}`)
		texts := svgTexts(t, render(t, w, nil, FormatSVG, RenderOptions{}))
		if !slices.Contains(texts, "No data available.") {
			t.Errorf("%s: SVG texts %q", view, texts)
		}
	}
	w, req := prepare(t, `{"metrics": [["N", "M"]]}`)
	if texts := svgTexts(t, render(t, w, waves(req), FormatSVG, RenderOptions{})); slices.Contains(texts, "No data available.") {
		t.Errorf("with data: SVG texts %q", texts)
	}
}

func TestRenderDeterministic(t *testing.T) {
	w, req := prepare(t, `{"stacked": true, "metrics": [["N", "A"], ["N", "B", {"yAxis": "right"}], ["N", "C"], ["N", "D", {"yAxis": "right"}]]}`)
	data := waves(req)
	first := render(t, w, data, FormatPNG, RenderOptions{})
	for range 5 {
		if again := render(t, w, data, FormatPNG, RenderOptions{}); !bytes.Equal(again, first) {
			t.Fatal("two renders of the same widget and data differ")
		}
	}
}
