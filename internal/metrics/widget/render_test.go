package widget

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// testNow is the clock of the render tests.
var testNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// prepare parses a widget and resolves its queries at testNow.
func prepare(t testing.TB, js string) (*Widget, Request) {
	t.Helper()
	w, err := ParseWidget(js)
	if err != nil {
		t.Fatalf("ParseWidget: %v", err)
	}
	req, err := w.Queries(testNow)
	if err != nil {
		t.Fatalf("Queries: %v", err)
	}
	return w, req
}

// synth returns one series for a query: a point every period over the
// request's range, valued f(i).
func synth(req Request, q Query, f func(i int) float64) series.Series {
	var s series.Series
	step := int64(q.Period)
	for ts, i := req.Start.Unix()/step*step, 0; ts < req.End.Unix(); ts, i = ts+step, i+1 {
		if ts < req.Start.Unix() {
			continue
		}
		s.Timestamps = append(s.Timestamps, ts)
		s.Values = append(s.Values, f(i))
	}
	return s
}

// waves returns data for every query of req: phase-shifted sine waves.
func waves(req Request) map[string][]series.Series {
	data := map[string][]series.Series{}
	for k, q := range req.Queries {
		data[q.ID] = []series.Series{synth(req, q, func(i int) float64 {
			return 50 + 30*math.Sin(float64(i)/6+float64(k)) + 5*float64(k)
		})}
	}
	return data
}

// render renders and checks the image's size and syntax.
func render(t testing.TB, w *Widget, data map[string][]series.Series, format string, opts RenderOptions) []byte {
	t.Helper()
	out, err := w.RenderWith(data, format, opts)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	switch format {
	case FormatPNG:
		img, err := png.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("png.Decode: %v", err)
		}
		if b := img.Bounds(); b.Dx() != w.Width || b.Dy() != w.Height {
			t.Fatalf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), w.Width, w.Height)
		}
	case FormatSVG:
		svgTexts(t, out)
	}
	return out
}

// svgTexts parses an SVG document and returns its text elements.
func svgTexts(t testing.TB, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var texts []string
	var root *xml.StartElement
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == nil {
				el := tok.Copy()
				root = &el
			}
			inText = tok.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, strings.TrimSpace(string(tok)))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root == nil || root.Name.Local != "svg" {
		t.Fatalf("SVG root is %v, want svg", root)
	}
	return texts
}

// samples are widgets a human may want to look at; TestRenderSamples
// writes them as PNG when the tests run with -v.
var samples = []struct {
	name  string
	json  string
	units map[string]string
}{
	{"lines", `{
		"title": "CPU utilization of the web fleet",
		"timezone": "+0130",
		"metrics": [
			["AWS/EC2", "CPUUtilization", "InstanceId", "i-0123456789abcdef0"],
			["...", "i-0fedcba9876543210"],
			["...", "i-0aaaabbbbccccdddd", {"label": "canary", "color": "#2ca02c"}]
		],
		"yAxis": {"left": {"min": 0, "max": 100}},
		"annotations": {
			"horizontal": [{"label": "Critical", "value": 85, "fill": "above", "color": "#d62728"}],
			"vertical": [[{"label": "Deploy", "value": "2024-05-01T10:00:00Z"}, {"label": "Done", "value": "2024-05-01T10:30:00Z"}]]
		}
	}`, map[string]string{"m1": "Percent", "m2": "Percent", "m3": "Percent"}},
	{"stacked", `{
		"title": "Requests by status",
		"view": "timeSeries", "stacked": true, "period": 60,
		"legend": {"position": "right"},
		"metrics": [
			["App", "Requests", "Status", "2xx", {"stat": "Sum"}],
			["...", "4xx", {"stat": "Sum"}],
			["...", "5xx", {"stat": "Sum"}]
		],
		"yAxis": {"left": {"label": "requests/min"}}
	}`, nil},
	{"right-axis-dark", `{
		"title": "Latency and errors", "theme": "dark", "start": "-PT6H",
		"metrics": [
			["App", "Latency", {"stat": "p99", "label": "p99 latency"}],
			["App", "Errors", {"stat": "Sum", "yAxis": "right"}]
		],
		"annotations": {"horizontal": [[{"value": 40, "label": "SLO band", "color": "#ff7f0e"}, {"value": 60}]]}
	}`, map[string]string{"m1": "Milliseconds", "m2": "Count"}},
	{"bar", `{
		"title": "Invocations", "view": "bar", "setPeriodToTimeRange": true,
		"metrics": [
			["AWS/Lambda", "Invocations", "FunctionName", "api", {"stat": "Sum"}],
			["...", "worker", {"stat": "Sum"}],
			["...", "cron", {"stat": "Sum"}]
		],
		"annotations": {"horizontal": [{"value": 60, "label": "budget"}]}
	}`, nil},
	{"pie", `{
		"title": "Traffic share", "view": "pie", "legend": {"position": "right"},
		"metrics": [
			["App", "Bytes", "Region", "us-east-1", {"stat": "Sum"}],
			["...", "eu-west-1", {"stat": "Sum"}],
			["...", "ap-south-1", {"stat": "Sum"}]
		]
	}`, nil},
	{"single-value", `{
		"title": "Fleet health", "view": "singleValue",
		"metrics": [
			["AWS/EC2", "CPUUtilization", {"label": "CPU"}],
			["AWS/EC2", "NetworkIn", {"stat": "Sum"}],
			["App", "Latency", {"stat": "p50"}],
			["App", "Errors", {"stat": "Sum"}]
		]
	}`, map[string]string{"m1": "Percent", "m2": "Bytes", "m3": "Milliseconds", "m4": "Count"}},
	{"expression", `{
		"title": "Error rate", "width": 800, "height": 300, "legend": {"position": "hidden"},
		"metrics": [
			["App", "Errors", {"id": "errors", "stat": "Sum", "visible": false}],
			["App", "Requests", {"id": "requests", "stat": "Sum", "visible": false}],
			[{"expression": "100*errors/requests", "label": "Error rate", "id": "rate"}]
		]
	}`, nil},
	// Drawn from BenchmarkRenderLines' data.
	{"ten-by-day", `{"metrics": [["N", "M"]]}`, nil},
}

func TestRenderSamples(t *testing.T) {
	dir := ""
	if testing.Verbose() {
		var err error
		if dir, err = os.MkdirTemp("", "vigil-widget-samples-"); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			w, req := prepare(t, s.json)
			data := waves(req)
			out := render(t, w, data, FormatPNG, RenderOptions{Units: s.units})
			render(t, w, data, FormatSVG, RenderOptions{Units: s.units})
			if s.name == "ten-by-day" {
				w, data = tenByDay(t)
				out = render(t, w, data, FormatPNG, RenderOptions{})
			}
			if dir != "" {
				path := filepath.Join(dir, s.name+".png")
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", path)
			}
		})
	}
}

// decodePNG decodes a rendered PNG.
func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// near reports whether c is within tol of want in every channel.
func near(c color.Color, want color.NRGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) bool { return math.Abs(float64(x>>8)-float64(y)) <= float64(tol) }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}
